"""PreToolUse guard: destructive SQL and plain-text secrets open a HALT and deny the call.

Event: PreToolUse for Bash (``tool_input.command``), Write (``file_path``,
``content``), Edit (``new_string``) and MultiEdit (every
``edits[].new_string``), and NotebookEdit (``notebook_path``, ``new_source``)
where the registry routes it, and every MCP server tool (``mcp__*``). SQL is
judged in Bash commands (see ``sqlscan``), in the arguments of a database
server's tool (see ``mcp``), and in ``.sql`` files and files under a
``migrations``/``migrate``/``alembic`` folder; secrets (patterns from
``pact_runtime.redaction``; placeholders and documented example keys do not
count) in any file content written by Write/Edit/MultiEdit/NotebookEdit and in
what Bash writes into a file (redirections, ``tee``, ``dd of=``, ``sed -i``,
``perl -i``/``ruby -i``, ``cp``/``install`` from stdin or a substitution,
``dotenv set``, and ``python -c``/``node -e``/``ruby -e`` code that opens a file
for writing). A command that runs SQL files the guard cannot name (``psql -f
"$X"``) or read in full gets a context note, not a HALT on a guess.

Output: ``Outcome(deny=…)`` naming what was found, the HALT's id and how the
user resolves it; the HALT is recorded (which also pauses other work through
``enforce``). While a HALT the guard raised is open, a call that would do the
same again (the same statements or secrets, however the command is written)
is refused naming the open HALTs, and no new HALT is opened. Once the user has
resolved the HALT with a decision that approves by the protocol's rule
(``## Letting a stopped action run`` in ``algedonic.md``, read by
``vocabulary.approves``), that exact call runs once, when no HALT is open, in
the session the user typed the decision in (``session_id``; a subagent's calls
carry its parent's); letting it through is recorded as ``used_at``. In another session,
after the approval was used or withdrawn, or under any other decision, a retry
opens a new HALT.

Fails open on its own errors (the dispatcher logs them and the tool runs): a
guard bug must not stall work. Fails closed on a judged finding: if the HALT
cannot be recorded, the call is still denied and the reason says so.
"""

from __future__ import annotations

import os

from ..hook import Event, Outcome

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3

    from . import shell
    from .sqlscan import Finding
    from .store import Signal

_WORD_ENDS = frozenset({"", " ", "\t", "\n", ";", "|", "&", ")"})


def on_pre_tool_use(event: Event) -> Outcome | None:
    """Deny and open a HALT on destructive SQL or a written secret.

    Fails open on its own errors (a guard bug must not stall work); fails closed on
    a finding it has judged, even when the HALT cannot be recorded.
    """
    tool, data = event.tool_name, event.tool_input
    if tool == "Bash":
        command = data.get("command")
        cwd = event.text("cwd") or event.project
        unseen: list[str] = []
        findings = _bash_findings(command, cwd, unseen) if isinstance(command, str) else []
        # The folder counts: the same words elsewhere may run other SQL files.
        subject = (command if isinstance(command, str) else "") + "\0" + cwd
        if not findings and unseen:
            return Outcome(context=_unseen_note(unseen))
    elif tool.startswith("mcp__"):
        findings = _mcp_findings(tool, data, event.project, event.text("cwd") or event.project)
        if not findings:
            return None  # before _canonical, whose json import costs more than the rest
        subject = _canonical(data)
    else:
        given = data.get("notebook_path" if tool == "NotebookEdit" else "file_path")
        path = given if isinstance(given, str) else ""
        texts = _written_texts(tool, data)
        findings = _file_findings(str(path), texts, _is_test_path(str(path), event.project))
        if not findings:
            return None
        # The whole input: an Edit is its old text and replace_all as much as its new one.
        subject = str(path) + "\0" + _canonical(data)
    if not findings:
        return None
    return _verdict(event, findings, _digest(tool, subject))


def _mcp_findings(tool: str, data: dict, project: str, cwd: str) -> list[Finding]:
    """Destructive SQL a database MCP server's tool is asked to run, secrets or SQL a tool
    writes into files (as a Write would), a shell server's command line (as Bash would),
    and a tool that drops a database by its name (see ``mcp``)."""
    from .mcp import destroys, files_written, shell_lines, sql_in_tool_input

    findings: list[Finding] = []
    if destroys(tool):
        from .sqlscan import Finding

        findings.append(Finding("HALT", "DATA", "database reset", tool))
    for line in shell_lines(tool, data):
        findings.extend(_bash_findings(line, cwd))
    for path, texts in files_written(tool, data):
        for finding in _file_findings(path, texts, _is_test_path(path, project)):
            if not finding.kind.startswith("plain-text secret"):  # those name their file
                finding.kind = f"{finding.kind} in {path}"  # one call may write several
            findings.append(finding)
    pairs = sql_in_tool_input(tool, data)
    if pairs:
        from .sqlscan import scan_sql

        findings.extend(scan_sql(pairs))
    return findings


def _unseen_note(unseen: list[str]) -> str:
    """Context for a command whose SQL files the guard could not all read: no HALT on a
    guess, but the model is told what was not checked."""
    named = ", ".join(dict.fromkeys(f"`{u}`" for u in unseen[:5]))
    return (f"PACT guard: this command runs SQL files the guard could not read ({named}: "
            "named in a way it cannot follow, or past what it reads for one command), so "
            "their statements were not checked. If any of them drops or truncates a table, or "
            "deletes or updates without a WHERE, stop and ask the user first.")


def _bash_findings(command: str, cwd: str, unseen: list[str] | None = None) -> list[Finding]:
    """Destructive SQL and written secrets in a Bash command; script-file operands whose
    files cannot be known are added to ``unseen``."""
    findings: list[Finding] = []
    from .clients import ORM_WORDS, names_a_runner

    # Only commands naming a client or shell are parsed; the SQL keywords are looked for in
    # what the client would run, since quotes and escapes can split them in the raw text.
    if names_a_runner(command.replace("\\", "")) or any(w in command for w in ORM_WORDS):
        from .sqlscan import scan_command, scan_command_files

        for scan in (scan_command, lambda text: scan_command_files(text, cwd, unseen)):
            try:
                findings.extend(scan(command))
            except (ValueError, OSError, RecursionError):
                continue  # keep what the other scan found
    if _may_write_file(command) and _may_hold_a_finding(command):
        findings.extend(_bash_write_findings(command))
    return findings


_SQL_WORDS = ("drop", "truncate", "delete", "update", "alter", "grant")
# What a python/node/ruby one-liner writes a file with: open(…, 'w'/'a'), write_text,
# fs.writeFileSync/appendFileSync, File.write.
_CODE_WRITES = ("open(", "write", "append", "File.")
_WRITERS = ("tee", "of=", "/dev/stdin", "/dev/fd/0", "<(", "--in-place", "sponge", "yq")


def _may_hold_a_finding(command: str) -> bool:
    """False when nothing ``command`` could write is a secret or destructive SQL.

    What a command writes is text of the command itself (echo words, a heredoc),
    so a command line with no secret in it, once quotes are dropped (bash joins
    ``AKIA'…'``), writes none. Escapes and substitutions can make text the line
    does not show, so those are always read.
    """
    if "\\" in command or "$(" in command or "`" in command or "$'" in command:
        return True
    from ..redaction import find_secrets

    if find_secrets(command.replace("'", "").replace('"', "")):
        return True
    lower = command.lower()
    return (".sql" in lower or "migrat" in lower) and any(w in lower for w in _SQL_WORDS)


def _may_write_file(command: str) -> bool:
    """False when nothing in the command can write a file: no redirection, ``tee``,
    ``dd of=``, ``sed -i``/``perl -i``/``ruby -i``, copy from stdin or a substitution
    (``cp /dev/stdin f``), ``dotenv set``, or a one-liner that writes a file."""
    if any(word in command for word in _WRITERS) or (
            any(p in command for p in ("sed", "perl", "ruby")) and " -" in command):
        return True
    if "dotenv" in command or (any(w in command for w in _CODE_WRITES) and any(
            i in command for i in ("python", "node", "ruby", "deno", "perl"))):
        return True
    for harmless in ("2>&1", "1>&2", ">&2", "&>/dev/null", ">/dev/null", "> /dev/null"):
        parts = command.split(harmless)
        # Harmless only as a whole word: `>&2.env` writes the file 2.env.
        command = parts[0] + "".join((" " if p[:1] in _WORD_ENDS else harmless) + p
                                     for p in parts[1:])
    return ">" in command


def _bash_write_findings(command: str, depth: int = 0) -> list[Finding]:
    """Secrets (and destructive SQL in SQL files) that ``command`` writes into files.

    A redirection after a group, a subshell or a loop (``{ echo …; } > f``,
    ``( … ) > f``, ``done > f``) writes what the commands before it print; a
    script run by ``sh -c``, ``bash <<EOF`` and the like, and each substitution,
    is read the same way.
    """
    from . import shell
    from .sqlsources import MAX_DEPTH, shell_script_of

    try:
        script = shell.parse(command)
    except ValueError:
        return []
    findings: list[Finding] = []
    printed: list[str] = []
    for cmd in script.commands:
        content = _written_by(cmd)
        if not cmd.words or cmd.words[0] in _GROUP_ENDS:
            content = "\n".join([*printed, content])
        for target, text in _writes(cmd, content):
            # A substitution's output is not known: `KEY=$(openssl rand -hex 32)` holds none.
            text = shell.SUB_MARKS.sub("$(…)", text) if "__pact_sub_" in text else text
            findings.extend(_file_findings(target, [text]) if text.strip() else [])
        printed.append(content)
        inner = shell_script_of(cmd)
        if inner and depth < MAX_DEPTH:
            findings.extend(_bash_write_findings(inner, depth + 1))
    for inner in script.subs if depth < MAX_DEPTH else []:
        findings.extend(_bash_write_findings(inner, depth + 1))
    return findings


_GROUP_ENDS = frozenset({"}", "done", "fi", "esac"})
# Words that may stand before `tee` and leave it the command: `sudo tee`, `env X=1 tee`.
_TEE_WRAPPERS = frozenset({"sudo", "doas", "env", "command", "nice", "stdbuf", "nohup", "time",
                           "builtin", "exec"})


def _writes(cmd: shell.Command, content: str) -> list[tuple[str, str]]:
    """Each ``(file, text)`` the command writes: redirections and ``tee`` write
    ``content`` (what it prints or is fed), ``dd of=F`` and a copy from stdin or from
    a substitution (``cp /dev/stdin F``, ``install -m 600 <(…) F``) write what they
    read, ``sed -i`` writes the text its script puts in."""
    from .shell import writes_file

    writes = [(t, content) for op, t in cmd.redirects if writes_file(op, t) and not _device(t)]
    k = 0
    while k < len(cmd.words) and (os.path.basename(cmd.words[k]) in _TEE_WRAPPERS
                                  or cmd.words[k].startswith("-") or "=" in cmd.words[k]):
        k += 1
    name, args = (os.path.basename(cmd.words[k]), cmd.words[k + 1:]) if k < len(
        cmd.words) else ("", [])
    if name in ("tee", "sponge"):
        writes += [(w, content) for w in args if not w.startswith("-") and not _device(w)]
    elif name == "yq" and any(a in ("-i", "--inplace") for a in args):
        files = [a for a in args if not a.startswith("-")][1:]  # after the expression
        writes += [(f, " ".join(args)) for f in files]
    elif name == "dd" and not any(a.startswith("if=") and a[3:] not in _STDIN for a in args):
        writes += [(a[3:], cmd.stdin or content) for a in args if a.startswith("of=")]
    elif name in ("cp", "install"):
        writes += _copies(cmd, name, args, content)
    elif name == "sed":
        writes += _sed_writes(args)
    elif name in ("perl", "ruby") and any(_in_place(a) for a in args):
        writes += _sed_writes([_perl_option(a) for a in args])
    elif name == "dotenv":
        writes += _dotenv_writes(args)
    if _one_liner(name):
        writes += _code_writes(args, cmd.stdin)
    return writes


def _device(path: str) -> bool:
    """A terminal or stream, not a file: ``tee /dev/stderr``, ``> /dev/tty``."""
    return path in ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty") or (
        path.startswith("/dev/fd/") and path[8:].isdigit())


_ONE_LINERS = frozenset({"node", "nodejs", "ruby", "deno", "perl"})
# The file a one-liner opens for writing, by its first literal argument.
_WRITE_CALL = (
    r"""\bopen\(\s*(['"])([^'"]+)\1\s*,\s*(?:mode\s*=\s*)?['"][^'"]*[wax+]"""  # Python
    r"""|\b(?:Path|pathlib\.Path)\(\s*(['"])([^'"]+)\3\s*\)\s*\.\s*write_(?:text|bytes)"""
    r"""|\b(?:writeFileSync|appendFileSync|writeFile|appendFile|createWriteStream|"""
    r"""writeTextFile|writeTextFileSync)\(\s*(['"`])([^'"`]+)\5"""  # Node, Deno
    r"""|\b(?:File|IO)\.(?:write|binwrite)\(\s*(['"])([^'"]+)\7"""  # Ruby
    r"""|\bFile\.open\(\s*(['"])([^'"]+)\9\s*,\s*['"][^'"]*[wa+]""")


def _one_liner(name: str) -> bool:
    """python, python3, python3.12, node, ruby, deno, perl."""
    return name in _ONE_LINERS or (name.startswith("python")
                                   and name[6:].replace(".", "").isdigit() or name == "python")


def _code_writes(args: list[str], stdin: str) -> list[tuple[str, str]]:
    """The files a ``python -c``/``node -e``/``ruby -e``/``deno eval`` body (or the code
    on stdin) opens for writing, each with the whole code as what it may write."""
    k = next((j for j, a in enumerate(args) if a in ("-c", "-e", "-E", "--eval", "-p", "--print",
                                                     "eval")), None)
    import re

    code = args[k + 1] if k is not None and k + 1 < len(args) else stdin
    targets = [next(g for g in m.groups()[1::2] if g) for m in re.finditer(_WRITE_CALL, code)]
    return [(target, code) for target in dict.fromkeys(targets)]


def _in_place(arg: str) -> bool:
    """``-i``, ``-i.bak``, or a switch cluster holding ``i`` (``-pi``, ``-0pi``) of perl or
    ruby; a switch that takes a value (``-e``, ``-M``, ``-I`` …) ends the cluster."""
    if arg[:1] != "-" or arg[1:2] in ("-", ""):
        return False
    for c in arg[1:]:
        if c == "i":
            return True
        if c in "eEMmIxCdDFr":
            return False
    return False


def _perl_option(arg: str) -> str:
    """A perl/ruby option in the shape ``_sed_writes`` reads: ``-i`` for in-place,
    ``-e`` for a script, other options as they are."""
    if arg[:1] != "-" or arg.startswith("--") or arg == "-":
        return arg
    if _in_place(arg):
        return "-i"
    return "-e" if arg.endswith(("e", "E")) else arg


def _dotenv_writes(args: list[str]) -> list[tuple[str, str]]:
    """``dotenv [-f FILE] set KEY VALUE`` (python-dotenv's CLI, default file .env)."""
    target = ".env"
    k = 0
    while k < len(args) and args[k].startswith("-"):
        if args[k] in ("-f", "--file") and k + 1 < len(args):
            target = args[k + 1]
            k += 2
            continue
        if args[k].startswith("--file="):
            target = args[k].partition("=")[2]
        k += 2 if args[k] in ("-q", "--quote", "-e", "--export") else 1
    rest = args[k:]
    if rest[:1] == ["set"] and len(rest) >= 3:
        return [(target, f"{rest[1]}={rest[2]}")]
    return []


_STDIN = frozenset({"/dev/stdin", "/dev/fd/0", "/proc/self/fd/0", "-"})
_COPY_VALUES = {"cp": frozenset({"-t", "--target-directory", "-S", "--suffix"}),
                "install": frozenset({"-m", "--mode", "-o", "--owner", "-g", "--group", "-t",
                                      "--target-directory", "-S", "--suffix"})}


def _copies(cmd: shell.Command, name: str, args: list[str],
            content: str) -> list[tuple[str, str]]:
    """``cp``/``install`` SOURCE… DEST where a source is stdin or a substitution."""
    from .sqlsources import _expand

    operands = _operands_of(args, _COPY_VALUES[name])
    if len(operands) < 2:
        return []
    read = [cmd.stdin or content for s in operands[:-1] if s in _STDIN and s != "-"]
    read += [_expand(cmd, s, 0) for s in operands[:-1] if cmd.substitution(s) is not None]
    text = "\n".join(t for t in read if t)
    return [(operands[-1], text)] if text else []


def _operands_of(args: list[str], values: frozenset[str]) -> list[str]:
    operands: list[str] = []
    k = 0
    while k < len(args):
        arg = args[k]
        if arg == "--":
            return operands + args[k + 1:]
        if arg in values:
            k += 2
            continue
        if not arg.startswith("-") or arg == "-":
            operands.append(arg)
        k += 1
    return operands


_SED_VALUES = frozenset({"-e", "--expression", "-f", "--file", "-l", "--line-length"})


def _sed_writes(args: list[str]) -> list[tuple[str, str]]:
    """The files ``sed -i`` rewrites, each with the text its script writes in.

    For an ``s`` command that is the replacement (the pattern is what was
    there); for any other script (``a``, ``i``, ``c`` add lines) its whole text.
    """
    scripts: list[str] = []
    in_place = False
    rest: list[str] = []
    k = 0
    while k < len(args):
        arg = args[k]
        k += 1
        if arg in ("-e", "--expression") and k < len(args):
            scripts.append(args[k])
            k += 1
        elif arg.startswith("--expression="):
            scripts.append(arg.partition("=")[2])
        elif arg in _SED_VALUES:
            k += 1
        elif arg.startswith("--in-place") or arg.startswith("-i") or (
                arg[:1] == "-" and arg[1:2] != "-" and arg[1:].isalpha() and "i" in arg):
            in_place = True
        elif not arg.startswith("-") or arg == "-":
            rest.append(arg)
    if not scripts and rest:
        scripts, rest = [rest[0]], rest[1:]
    if not in_place or not rest:
        return []
    text = "\n".join(_sed_inserts(script) for script in scripts)
    return [(path, text) for path in rest]


def _sed_inserts(script: str) -> str:
    import re

    replacements = [m.group(2).replace("\\" + m.group(1), m.group(1)) for m in re.finditer(
        r"(?:^|[;\n{}\s])s([^\\\s])(?:\\.|(?!\1)[^\\])*\1((?:\\.|(?!\1)[^\\])*)\1", script)]
    if replacements:
        return "\n".join(replacements)
    # Addresses and commands that only delete, print or move lines (`/^DROP TABLE/d`,
    # `1,5p`) put no text in; `a`, `i`, `c`, `y` and anything unknown keep the whole script.
    bare = re.sub(r"/(?:\\.|[^/\\\n])*/I?|\\(.)(?:\\.|(?!\1).)*\1|[0-9$,!~+{};\s]", "", script)
    if bare and set(bare) <= set("dpqQ=nNDPhHgGxlz"):
        return ""
    # `1i TEXT`, `/x/a\ TEXT`, `$c TEXT`: the text after the command is what goes in.
    address = r"(?:\d+|\$|/(?:\\.|[^/\\\n])*/)"
    added = re.match(rf"\s*(?:{address}(?:,{address})?)?\s*[aic]\\?\s*(.*)", script, re.DOTALL)
    return added.group(1) if added and added.group(1).strip() else script


def _written_by(cmd: shell.Command) -> str:
    """What a simple command writes: its heredoc, echo/printf words (as given and as
    printed, substitutions and escapes expanded), or what is piped in."""
    from .sqlsources import printed_by

    parts = [cmd.stdin]
    for source in (cmd, cmd.piped_from):
        words = _after_reserved(source.words) if source is not None else []
        if words and os.path.basename(words[0]) in ("echo", "printf"):
            # As given, but a written `\n` or `\t` still ends a line or a value:
            # `printf 'API_KEY=\nDEBUG=1'` sets no key.
            given = " ".join(words[1:])
            parts.append(given.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\n"))
        if words and os.path.basename(words[0]) in _GENERATORS:
            parts.append(" ".join(words[1:]))  # its program's text reaches its output
        if source is not None:
            parts.append(printed_by(source))
    return "\n".join(p for p in parts if p)


# Programs whose output carries the text of their program or arguments: `jq '.key = "…"'`,
# `awk 'BEGIN{print "KEY=…"}'`, `sed 's/x/…/' a`, `kubectl create secret
# --from-literal=…` (its -o yaml holds the value, base64-encoded).
_GENERATORS = frozenset({"jq", "gojq", "yq", "awk", "gawk", "mawk", "nawk", "sed", "kubectl"})


def _after_reserved(words: list[str]) -> list[str]:
    """``words`` without the leading ``{``, ``!``, ``then``, ``do``… that open a group."""
    k = 0
    while k < len(words) and words[k] in ("{", "!", "then", "do", "else", "time"):
        k += 1
    return words[k:]


def _written_texts(tool: str, data: dict) -> list[str]:
    if tool == "Write":
        values = [data.get("content")]
    elif tool == "Edit":
        values = [data.get("new_string")]
    elif tool == "MultiEdit":
        edits = data.get("edits")
        values = [e.get("new_string") for e in edits if isinstance(e, dict)] if isinstance(
            edits, list) else []
    elif tool == "NotebookEdit":
        values = [data.get("new_source")]
    else:
        values = []
    return [v for v in values if isinstance(v, str) and v]


def _file_findings(path: str, texts: list[str], test_file: bool = False) -> list[Finding]:
    from .sqlscan import KEYWORDS, is_sql_path, scan_file

    findings: list[Finding] = []
    if is_sql_path(path):
        for text in texts:
            findings.extend(scan_file(path, text) if KEYWORDS.search(text) else [])
    for text in texts:
        findings.extend(_secrets(text, path, _TEST_DATA_KINDS if test_file else frozenset()))
    return findings


# In tests and fixtures a password given by name (`password='testpass'`, a database URL
# with `user:password@localhost`) is test data; keys and tokens of a real shape still count.
_TEST_DATA_KINDS = frozenset({"assignment", "url-password"})
_TEST_DIRS = frozenset({"test", "tests", "spec", "specs", "__tests__", "fixtures", "fixture",
                        "__fixtures__", "testdata", "test_data", "e2e", "cypress", "__mocks__"})


def _is_test_path(path: str, project: str) -> bool:
    """Whether ``path``, taken inside ``project``, is a test or a fixture file."""
    rel = os.path.relpath(path, project) if project and os.path.isabs(path) else path
    if rel.startswith(".."):  # outside the project: its folders say nothing
        return False
    parts = [p for p in rel.lower().replace("\\", "/").split("/") if p]
    if not parts:
        return False
    name = parts[-1]
    stem = name.split(".", 1)[0]
    return (not _TEST_DIRS.isdisjoint(parts[:-1]) or name == "conftest.py"
            or stem.startswith("test_") or stem.endswith(("_test", "_spec"))
            or ".test." in name or ".spec." in name)


def _secrets(text: str, path: str, test_data: frozenset[str] = frozenset()) -> list[Finding]:
    from ..redaction import find_secrets

    spans = [s for s in find_secrets(text, placeholders=False, path=path)
             if s[0] not in test_data]
    if not spans:
        return []
    kinds = sorted({kind for kind, _start, _end in spans})
    where = f"written to {path}" if path else "written to a file"
    from .sqlscan import Finding

    # The same secrets to the same file are the same action, whatever else the text holds.
    key = _digest(path, *sorted({text[start:end] for _kind, start, end in spans}))
    return [Finding("HALT", "SECURITY", f"plain-text secret ({', '.join(kinds)}) {where}", "",
                    key=key)]


def _verdict(event: Event, findings: list[Finding], call: str) -> Outcome | None:
    home = event.home
    what = "; ".join(dict.fromkeys(f.describe() for f in findings))  # each once, in order
    first = next((f for f in findings if f.category == "SECURITY"), findings[0])
    if home is None:
        return Outcome(deny=f"PACT guard: {what}. No PACT data folder is set, so no HALT could "
                            "be recorded; the user can run this themselves if it is intended.")
    action = _digest(*sorted({f.identity() for f in findings}))
    try:
        return _judged(event, home, first, what, f"{call}:{action}")
    except Exception as exc:  # judged dangerous: deny even though the log failed
        return Outcome(deny=f"PACT guard: {what}. The HALT could not be recorded ({exc}); "
                            "the user can run this themselves if it is intended.")


def _judged(event: Event, home: str, first: Finding, what: str,
            fingerprint: str) -> Outcome | None:
    """Let an approved call run once; refuse a repeat of an open HALT; else open a HALT.

    ``fingerprint`` is ``<call>:<action>`` (see ``store.SPENT``). Only the user's
    latest decision on this call typed in this session counts; the rule that
    approves is the protocol's (``vocabulary.approves``), and if it cannot be
    read, the decision approves nothing.
    """
    from contextlib import closing

    from . import store

    call, _, action = fingerprint.partition(":")
    with closing(store.connect(home)) as conn:
        halts = store.open_halts(conn, event.project)
        same = [s for s in halts if s.fingerprint.partition(":")[2] == action]
        if same:
            return Outcome(deny=_repeat_reason(what, same[0], halts))
        decided = store.last_decision(conn, event.project, call, event.session_id)
        changed = decided is not None and _action_of(decided) != action
        if decided is not None and not decided.used and not changed and _approves(
                decided.resolution):
            if halts:
                return Outcome(deny=_waiting_reason(decided, halts))
            if store.spend(conn, decided):
                return Outcome(context=(f"PACT guard: the user's approval in {decided.ref} "
                                        f"(\"{decided.resolution}\") lets this call through "
                                        "once; the user's permission rules still decide "
                                        "whether it runs. The approval is now used, so a later "
                                        "repeat is judged again."))
        elsewhere = None if decided is not None else _approved_elsewhere(conn, event, call)
        signal = store.record(
            conn, home, project=event.project, level="HALT", category=first.category,
            reason=f"The guard stopped {_call_of(event.tool_name)}: {what}",
            evidence=_evidence(event), agent=event.agent_type or "main session",
            agent_id=event.text("agent_id"), session=event.session_id, source="guard",
            fingerprint=fingerprint)
    deny = (f"PACT guard raised HALT {signal.ref} ({first.category}): {what}. This call was not "
            "run, and work that changes the project is paused. Tell the user what you were about "
            "to do and why, and wait: only the user can resolve it, with "
            f"`/PACT:resolve {signal.ref} <decision>`. To let exactly this call run once, the user "
            f"types `/PACT:resolve {signal.ref} approved`.")
    if changed and decided is not None:
        deny += (f" The same call was approved in {decided.ref}, but it would now do something "
                 "else (the SQL it runs has changed), so that approval does not cover it.")
    if elsewhere is not None:
        deny += (f" The approval in {elsewhere.ref} was typed in another session and holds only "
                 "there, so this call is judged afresh.")
    if halts:
        deny += f" Also open: {_listing(halts)}; {_resolve_all([*halts, signal])}."
    # Shown to the user at once, whether the call came from a specialist or the main session.
    return Outcome(deny=deny, message=(f"PACT HALT {signal.ref} ({first.category}): {what} - "
                                       f"resolve with /PACT:resolve {signal.ref} <decision>; "
                                       f"/PACT:resolve {signal.ref} approved lets exactly this "
                                       "call run once"))


def _approved_elsewhere(conn: sqlite3.Connection, event: Event, call: str) -> Signal | None:
    """The unused approval of ``call`` typed in another session, if that is the latest."""
    from . import store

    decided = store.last_decision(conn, event.project, call)
    if decided is None or decided.used or decided.resolved_session == event.session_id:
        return None
    return decided if _approves(decided.resolution) else None


def _call_of(tool: str) -> str:
    """``a Bash call``, ``an Edit call``, ``a call to the MCP tool mcp__db__query``."""
    if tool.startswith("mcp__"):
        return f"a call to the MCP tool {tool}"
    return f"{'an' if tool[:1].upper() in 'AEIOU' else 'a'} {tool} call"


def _repeat_reason(what: str, stopped: Signal, halts: list[Signal]) -> str:
    return (f"PACT guard: this call would again do what HALT {stopped.ref} stopped ({what}). "
            "It was not run and no new HALT was opened. Open HALTs: "
            f"{_listing(halts)}. Tell the user and wait for their decision: "
            f"{_resolve_all(halts)}.")


def _waiting_reason(decided: Signal, halts: list[Signal]) -> str:
    return (f"PACT guard: the user approved this call in {decided.ref}, but "
            f"{'HALT' if len(halts) == 1 else 'HALTs'} {_listing(halts)} "
            f"{'is' if len(halts) == 1 else 'are'} open, so it waits; the approval is kept and "
            f"the call may be retried once {_resolve_all(halts)} has been typed by the user.")


def _listing(halts: list[Signal]) -> str:
    return ", ".join(f"{s.ref} ({s.category})" for s in halts)


def _resolve_all(halts: list[Signal]) -> str:
    refs = " ".join(s.ref for s in halts)
    return f"`/PACT:resolve {refs} <decision>`"


def _evidence(event: Event) -> str:
    data = event.tool_input
    if event.tool_name == "Bash":
        return _shown(str(data.get("command", "")))
    if event.tool_name.startswith("mcp__"):
        from .mcp import files_written, sql_in_tool_input

        sql = "; ".join(text for text, _ in sql_in_tool_input(event.tool_name, data))
        paths = ", ".join(path for path, _ in files_written(event.tool_name, data))
        return _shown(" ".join(p for p in (event.tool_name, paths, sql) if p))
    path = data.get("notebook_path" if event.tool_name == "NotebookEdit" else "file_path")
    return f"{event.tool_name} {path if isinstance(path, str) else ''}"


def _shown(text: str) -> str:
    """``text`` with its secrets redacted, cut to 500 characters."""
    try:
        from ..redaction import redact

        text = redact(text)
    except Exception:  # pragma: no cover (evidence is best effort)
        text = ""
    return text if len(text) <= 500 else text[:499] + "…"


def _approves(decision: str) -> bool:
    """Whether the user's decision lets the stopped call run (the protocol's rule).

    The rule cannot be read: nothing is approved, the call stays stopped.
    """
    from .vocabulary import VocabularyError, approves

    try:
        return approves(decision)
    except VocabularyError:
        return False


def _action_of(signal: Signal) -> str:
    """The digest of what the call stopped in ``signal`` was judged to do."""
    from .store import SPENT

    fingerprint = signal.fingerprint
    if fingerprint.startswith(SPENT):
        fingerprint = fingerprint[len(SPENT):]
    return fingerprint.partition(":")[2]


def _canonical(data: object) -> str:
    import json

    try:
        return json.dumps(data, sort_keys=True, ensure_ascii=True, default=str)
    except (TypeError, ValueError):  # pragma: no cover (hook input is parsed JSON)
        return repr(data)


def _digest(*parts: str) -> str:
    import hashlib

    # surrogatepass: a lone surrogate and a "?" are not the same call.
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
