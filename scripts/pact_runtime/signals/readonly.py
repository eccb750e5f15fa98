"""Which Bash commands only read: what stays usable while a HALT is open.

A command line is read-only when the command reader followed it exactly
(``shell.Script.unsure`` is false), it holds no substitution, subshell, group
or variable assignment, no redirection writes a file, and every simple command
is read-only: its program is in ``READ_ONLY`` and, for the programs in
``_CHECKS``, no option or operand makes it write or run another program.
``sed`` must have no ``-i`` and a script of printing commands only (no ``w``,
``W``, ``e`` or ``s///w``/``e``); ``awk`` no redirection, pipe, ``system`` or
``@load``; ``find`` no ``-delete``/``-fprint`` and ``-exec`` only of a program
that reads whatever its arguments (``_READS_ANY_ARGUMENTS``), as ``xargs`` must;
``env`` no assignment before the program it runs (``PAGER=sh git log`` runs
sh); ``psql -c`` and ``sqlite3 DB SQL`` only statements that provably read,
parsed with sqlglot: SELECT (no INTO, no locking, every function a known
pure one), set operations, VALUES, SHOW, DESCRIBE, read-only PRAGMAs and a
few describing meta-commands. Unsure means no.

Short options are read as clusters wherever they are checked (``git grep
-iO…``, ``tree -ao FILE``, ``sort -uo FILE``), long options in any prefix
GNU getopt accepts. The reader has already done brace expansion, so
``sort f {-o,out}`` is judged as ``sort f -o out``. A word whose value bash
computes (``$NAME``, ``${…}``, ``$_``, ``~-``, a substitution) or a glob that
can begin with ``-`` cannot be judged as an option, so for the programs whose
options are checked it is refused, with one exception: an expansion inside
double quotes in a word that begins with literal text other than ``-``
(``git log -- "src/$F"``), for the programs whose operands are only names or
patterns. Programs whose operands are code or a subcommand (sed, awk, find,
xargs, env, test, hostname, pact-memory, psql, sqlite3) take no computed word
at all. ``cat "$FILE"`` and ``grep -n "$X" f`` still pass: those programs
have no option that writes or runs anything.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

    from .shell import Command

READ_ONLY = frozenset({
    "ls", "cat", "head", "tail", "less", "more", "grep", "egrep", "fgrep", "rg", "ag", "wc",
    "file", "stat", "du", "df", "pwd", "echo", "printf", "which", "type", "whoami", "id",
    "date", "tree", "diff", "cmp", "cut", "tr", "nl", "basename", "dirname", "realpath",
    "readlink", "jq", "sha256sum", "sha1sum", "md5sum", "true", "false", "uname", "hostname",
    "column", "fold", "expand", "od", "hexdump", "strings", "comm", "uniq", "test", "[",
    "cd", "pushd", "popd", "printenv",
    "pact-memory", "pact-signal",
})
# Programs that only read whatever arguments they get: what xargs and find -exec may run,
# since their input adds arguments (a file named `-o` would make `xargs sort` write).
_READS_ANY_ARGUMENTS = frozenset({
    "grep", "egrep", "fgrep", "cat", "head", "tail", "wc", "ls", "stat", "du", "basename",
    "dirname", "realpath", "readlink", "md5sum", "sha1sum", "sha256sum", "cmp", "diff", "nl",
    "od", "strings", "echo"})

# What the HALT deny message says still works; every example is checked by the tests.
STILL_WORKS = (
    "Commands that only read still run: ls, cat, head, tail, grep, rg, wc, cd, pwd, env, "
    "git status/log/diff/show, find without -delete (and -exec only of a reader such as "
    "grep), xargs of a reader, sed without -i or a w/e command (sed -n 1,20p f), awk "
    "without redirection, pipes or system(), psql -c and sqlite3 DB with SELECT only, "
    "pact-signal, and pact-memory save, search, list, show, stats and export.")
STILL_WORKS_EXAMPLES = (
    "ls -la src", "cat README.md", "head -n 5 a.txt", "tail -n 5 a.txt", "grep -rn TODO src",
    "rg -n TODO", "wc -l a.txt", "cd src && ls", "pwd", "env", "env | grep PACT",
    "git status", "git log --oneline", "git diff", "git show HEAD", "find . -name '*.py'",
    "find . -name '*.py' -exec grep -n TODO {} +", "find . -name '*.py' | xargs grep TODO",
    "sed -n 1,20p a.txt", "awk '{print $1}' a.txt", "psql -c 'SELECT 1'",
    "sqlite3 app.db 'SELECT count(*) FROM users'", "pact-signal list --open",
    "pact-memory search cache", "pact-memory list", "pact-memory show m-1234",
    "pact-memory stats", "pact-memory export",
    "pact-memory save <<'JSON'\n{\"goal\": \"g\"}\nJSON")


def is_read_only(command: str, cwd: str | None = None) -> bool:
    """True when every part of ``command`` only reads (conservative: unsure means no).

    ``cwd`` is where the command runs (for ``sqlite3``, which creates a missing
    database file); the process's own folder when not given.
    """
    from . import shell

    script = shell.parse(command)
    if script.unsure or script.substitution or script.grouping:
        return False
    given = _given_names(command)
    return all(simple_read_only(cmd, cwd, given) for cmd in script.commands)


def _given_names(command: str) -> frozenset[str]:
    """Variables the line only reads, once: set by the session's environment, not by the line
    (`psql "$DATABASE_URL"`; not `X=-o/tmp/f; psql "$X"`, where X is named twice)."""
    if "$" not in command:
        return frozenset()
    import re

    names = set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", command))
    return frozenset(n for n in names
                     if len(re.findall(rf"(?<![A-Za-z0-9_]){n}(?![A-Za-z0-9_])", command)) == 1)


def simple_read_only(cmd: Command, cwd: str | None = None,
                     given: frozenset[str] = frozenset()) -> bool:
    """True when one simple command only reads (see the module). ``given``: variables
    the session's environment sets (see ``_given_names``)."""
    from .shell import writes_file

    if any(writes_file(operator, target) for operator, target in cmd.redirects):
        return False
    if not cmd.words:
        return True
    name, args = cmd.words[0], cmd.words[1:]
    if (name in _CHECKS or name in _CLIENTS) and not _judgeable(cmd, given):
        return False
    if name in _CLIENTS:
        return not cmd.stdin_expands and _CLIENTS[name](cmd, args, cwd or os.getcwd())
    return words_read_only(cmd.words)


def _judgeable(cmd: Command, given: frozenset[str] = frozenset()) -> bool:
    """False when a word's value (computed by bash, or a glob) could be an option or code.

    One exception: a database client's connection, quoted whole from a variable of the
    session's environment (`psql "$DATABASE_URL" -c 'SELECT …'`), is the user's setting.
    """
    from .shell import EXPANDS, GLOB, LEADS, SPLITS

    strict = cmd.words[0] in _CODE_OPERANDS
    for word, flags in zip(cmd.words[1:], cmd.flags[1:]):
        if not flags & (EXPANDS | GLOB):
            continue
        if (cmd.words[0] in _CONNECTS and flags == EXPANDS | LEADS
                and word.strip("${}") in given and word in ("$" + word.strip("${}"),
                                                            "${" + word.strip("${}") + "}")):
            continue
        if flags & LEADS or word.startswith("-"):
            return False  # `$_`, `"$X"`, `-*`, `*.py` (a file `-o.py` makes `sort -o.py`)
        if flags & EXPANDS and (strict or flags & SPLITS):
            return False  # code, a subcommand, or a value that may split into options
    return True


# Clients whose connection a quoted environment variable may name.
_CONNECTS = frozenset({"psql"})


def words_read_only(words: list[str]) -> bool:
    """True when the program ``words[0]`` with ``words[1:]`` only reads."""
    if not words:
        return True
    name, args = words[0], words[1:]
    check = _CHECKS.get(name)
    if check is not None:
        return check(args)
    return name in READ_ONLY


# ---- options ----------------------------------------------------------------------------

def _operands(args: list[str]) -> list[str]:
    """The operands among ``args``: every word after ``--`` is one."""
    if "--" in args:
        k = args.index("--")
        return _operands(args[:k]) + args[k + 1:]
    return [a for a in args if not a.startswith("-") or a == "-"]


def _long(arg: str, *names: str) -> bool:
    """True when ``arg`` is one of the long options ``names``, whole or abbreviated.

    GNU getopt takes any unambiguous prefix, so ``sort --o=FILE`` is ``--output``.
    """
    key = arg.partition("=")[0]
    return len(key) > 2 and key.startswith("--") and any(n.startswith(key) for n in names)


def _long_name(arg: str, names: frozenset[str]) -> str | None:
    """The long option ``arg`` stands for among ``names`` (GNU prefixes), else None."""
    key = arg.partition("=")[0]
    if key in names:
        return key
    matches = [n for n in names if len(key) > 2 and n.startswith(key)]
    return matches[0] if len(matches) == 1 else None


def _short(arg: str, letters: str, values: str = "") -> bool:
    """True when ``arg`` is a cluster of short options holding one of ``letters``.

    Clusters are read as getopt reads them (``-iO…`` is ``-i -O…``); a letter
    in ``values`` takes the rest of the cluster as its value, so the letters
    after it are not options. Without ``values`` every letter counts (safe for
    a program whose value-taking letters are not listed).
    """
    if arg[:1] != "-" or arg[1:2] in ("-", ""):
        return False
    for c in arg[1:]:
        if c in letters:
            return True
        if c in values:
            return False
    return False


# ---- programs with options that write or run something ----------------------------------

def _sort_read_only(args: list[str]) -> bool:
    # `-o FILE`, `-ofile`, clustered `-uo FILE` and `--output` write a file;
    # `--compress-program=PROG` runs PROG on the temporary files.
    # -k, -t, -S and -T take a value: `sort -to` sorts on fields split at `o`.
    return not any(_short(a, "o", "ktST") or _long(a, "--output", "--compress-program")
                   for a in args)


def _rg_read_only(args: list[str]) -> bool:
    # `--pre CMD` runs CMD on every file; `--hostname-bin CMD` runs CMD for hyperlinks.
    return not any(a.partition("=")[0] in ("--pre", "--hostname-bin") for a in args)


def _tree_read_only(args: list[str]) -> bool:
    # `-o FILE` writes (also clustered: `-ao FILE`); `-R` with `-H` writes 00Tree.html
    # files into every folder.
    return not any(_short(a, "oR") or a.startswith("--output") or _long(a, "--output")
                   for a in args)


def _test_read_only(args: list[str]) -> bool:
    # bash expands the subscript of `-v 'a[$(cmd)]'` and `-R …`, running cmd.
    return not any(a in ("-v", "-R") for a in args)


_LESS_REFUSED = ("--log-file", "--LOG-FILE", "--lesskey-file", "--lesskey-src",
                 "--lesskey-content")


def _less_read_only(args: list[str]) -> bool:
    # `-o`/`-O FILE` and `--log-file` copy the input into FILE; `+cmd` runs less commands;
    # a lesskey file or source (`-k FILE`, `--lesskey-src=/dev/stdin`, …) can set LESSOPEN,
    # which less runs through the shell to open each file, even when it acts as cat.
    return not any(_short(a, "oOk") or _long(a, *_LESS_REFUSED) or a[:1] == "+"
                   for a in args)


# hostname prints with these; any other option or an operand sets the name.
_HOSTNAME_SHOWS = frozenset({"-a", "--alias", "-A", "--all-fqdns", "-d", "--domain", "-f",
                             "--fqdn", "--long", "-i", "--ip-address", "-I",
                             "--all-ip-addresses", "-s", "--short", "-y", "--yp", "--nis"})
_GIT_READ_ONLY = frozenset({"status", "log", "diff", "show", "blame", "ls-files", "rev-parse",
                            "describe", "shortlog", "ls-tree", "cat-file"})


def _git_read_only(args: list[str]) -> bool:
    # `-c` is left out on purpose: `git -c core.pager=… log` runs any program.
    while args[:1] in (["-C"], ["--no-pager"]):
        args = args[1:] if args[0] == "--no-pager" else args[2:]
    if not args or any(_long(a, "--output") for a in args):
        return not args
    sub, rest = args[0], args[1:]
    if sub == "grep":  # `-O`/`--open-files-in-pager` runs a program, also as `-iO…`
        return not any(_short(a, "O") or _long(a, "--open-files-in-pager") for a in rest)
    if sub == "stash":
        return rest[:1] in (["list"], ["show"])
    if sub == "reflog":
        return rest[:1] in ([], ["show"])
    if sub in _GIT_READ_ONLY:
        return True
    if sub == "branch":
        return all(a in ("-a", "-r", "-v", "-vv", "--list", "--show-current") for a in rest)
    if sub in ("remote", "tag", "worktree"):
        return rest in ([], ["-v"], ["list"], ["-l"], ["--list"])
    return False


_FIND_WRITES = frozenset({"-delete", "-fprint", "-fprint0", "-fprintf", "-fls"})
_FIND_RUNS = frozenset({"-exec", "-execdir", "-ok", "-okdir"})


def _find_read_only(args: list[str]) -> bool:
    # -exec and -ok run a program with found paths (and `{}`) as arguments: a reader only.
    k = 0
    while k < len(args):
        arg = args[k]
        k += 1
        if arg in _FIND_WRITES:
            return False
        if arg in _FIND_RUNS:
            if k >= len(args) or args[k] not in _READS_ANY_ARGUMENTS:
                return False
            while k < len(args) and args[k] not in (";", "+"):
                k += 1
            k += 1
    return True


_XARGS_VALUES = frozenset({"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s"})
_XARGS_ATTACHED = ("-a", "-d", "-E", "-e", "-I", "-i", "-L", "-l", "-n", "-P", "-s")
_XARGS_FLAGS = frozenset({"-0", "-r", "-t", "-p", "-x", "-o"})
_XARGS_LONG = frozenset({"--null", "--no-run-if-empty", "--verbose", "--interactive", "--exit",
                         "--open-tty", "--show-limits", "--arg-file", "--delimiter", "--eof",
                         "--replace", "--max-lines", "--max-args", "--max-procs",
                         "--max-chars", "--process-slot-var"})


def _xargs_read_only(args: list[str]) -> bool:
    # xargs adds what it reads as arguments, so what it runs must read whatever they are.
    k = 0
    while k < len(args) and args[k].startswith("-") and args[k] != "-":
        arg = args[k]
        k += 1
        if arg == "--":
            break
        if arg in _XARGS_VALUES:
            k += 1
        elif arg.startswith("--"):
            if _long_name(arg, _XARGS_LONG) is None:
                return False
            if "=" not in arg and _long_name(arg, _XARGS_LONG) in (
                    "--arg-file", "--delimiter", "--max-lines", "--max-args", "--max-procs",
                    "--max-chars", "--process-slot-var"):
                k += 1
        elif not (arg in _XARGS_FLAGS or arg.startswith(_XARGS_ATTACHED)):
            return False
    return k >= len(args) or args[k] in _READS_ANY_ARGUMENTS


def _env_read_only(args: list[str]) -> bool:
    # Without a program env prints the environment; with one, an assignment before it can
    # change what it runs (PAGER, GIT_EXTERNAL_DIFF, LD_PRELOAD …), so none is allowed then.
    k = 0
    assigned = False
    while k < len(args):
        arg = args[k]
        if arg in ("-i", "--ignore-environment", "-0", "--null", "-", "-v", "--debug"):
            k += 1
        elif arg in ("-u", "--unset", "-C", "--chdir"):
            k += 2
        elif arg.startswith(("--unset=", "--chdir=")) or (arg[:2] in ("-u", "-C")
                                                           and len(arg) > 2):
            k += 1
        elif arg.startswith("-"):
            return False  # -S splits a string into a command line, and anything unknown
        elif "=" in arg:
            assigned = True
            k += 1
        else:
            break
    rest = args[k:]
    return not rest or (not assigned and words_read_only(rest))


_SED_FLAGS = "nrEsuz"
_SED_LONG = frozenset({"--quiet", "--silent", "--regexp-extended", "--separate", "--null-data",
                       "--unbuffered", "--posix", "--debug", "--sandbox", "--expression",
                       "--line-length", "--in-place", "--file", "--follow-symlinks",
                       "--binary", "--zero-terminated", "--help", "--version"})


def _sed_read_only(args: list[str]) -> bool:
    scripts: list[str] = []
    operands: list[str] = []
    k = 0
    while k < len(args):
        arg = args[k]
        k += 1
        if arg == "--":
            operands.extend(args[k:])
            break
        if arg.startswith("--"):
            name = _long_name(arg, _SED_LONG)
            if name in ("--in-place", "--file", None):
                return False
            if name in ("--expression", "--line-length") and "=" not in arg:
                if k >= len(args):
                    return False
                k += 1
            if name == "--expression":
                scripts.append(arg.partition("=")[2] if "=" in arg else args[k - 1])
            continue
        if arg.startswith("-") and arg != "-":
            for j, letter in enumerate(arg[1:], start=2):
                if letter in _SED_FLAGS:
                    continue
                if letter not in "el":
                    return False  # -i edits in place, -f reads a script we cannot see
                value = arg[j:]
                if not value:
                    if k >= len(args):
                        return False
                    value, k = args[k], k + 1
                if letter == "e":
                    scripts.append(value)
                break
            continue
        operands.append(arg)
    if not scripts:
        if not operands:
            return False
        scripts.append(operands[0])
    return all(_sed_script_reads(script) for script in scripts)


_SED_PLAIN = frozenset("=dDgGhHnNpPxzF")
_SED_TEXT = frozenset("aicrR")  # text to print, or a file to read, up to the line's end
_SED_LABEL = frozenset(":btTv")


def _sed_script_reads(script: str) -> bool:
    """True when a sed script has only commands that print, delete or move text.

    A conservative reader of GNU sed syntax: anything it does not know is a "no".
    """
    s, i, depth = script, 0, 0
    while True:
        while i < len(s) and s[i] in " \t\n;":
            i += 1
        if i >= len(s):
            return depth == 0
        if s[i] == "#":
            end = s.find("\n", i)
            i = len(s) if end < 0 else end
            continue
        i = _sed_addresses(s, i)
        if i < 0 or i >= len(s):
            return False
        command = s[i]
        i += 1
        if command == "{":
            depth += 1
            continue
        if command == "}":
            depth -= 1
            if depth < 0:
                return False
        elif command in _SED_PLAIN:
            pass
        elif command in "lLqQ":
            while i < len(s) and (s[i] in " \t" or s[i].isdigit()):
                i += 1
        elif command in _SED_LABEL:
            # GNU sed's read_label: blanks, then the label up to whitespace or `;`; the
            # next command starts right after it (`:x e cmd` runs `e cmd`).
            while i < len(s) and s[i] in " \t":
                i += 1
            while i < len(s) and not s[i].isspace() and s[i] != ";":
                i += 1
            continue
        elif command in _SED_TEXT:
            while True:  # up to the end of the line, and on while a line ends in `\`
                end = s.find("\n", i)
                end = len(s) if end < 0 else end
                line = s[i:end]
                continued = (len(line) - len(line.rstrip("\\"))) % 2 == 1
                i = end + 1
                if not continued or i >= len(s):
                    break
            continue
        elif command in "sy":
            i = _sed_substitution(s, i, command)
            if i < 0:
                return False
        else:
            return False  # w, W and e write or run; anything unknown
        while i < len(s) and s[i] in " \t":
            i += 1
        if i < len(s) and s[i] not in ";\n}#":
            return False


def _sed_addresses(s: str, i: int) -> int:
    """Skip up to two addresses and any `!`; -1 on a malformed one."""
    for part in range(2):
        while i < len(s) and s[i] in " \t":
            i += 1
        if i >= len(s):
            return i
        c = s[i]
        if c.isdigit() or (part == 1 and c in "+~"):
            i += 1
            while i < len(s) and (s[i].isdigit() or s[i] == "~"):
                i += 1
        elif c == "$":
            i += 1
        elif c in "/\\":
            delimiter = "/" if c == "/" else s[i + 1:i + 2]
            if not delimiter or delimiter in "\n\\":
                return -1
            i = _sed_regex_end(s, i + (1 if c == "/" else 2), delimiter)
            if i < 0:
                return -1
            while i < len(s) and s[i] in "IM":
                i += 1
        elif part == 1:
            return -1  # a comma with no second address
        else:
            break
        if part == 0:
            while i < len(s) and s[i] in " \t":
                i += 1
            if not s.startswith(",", i):
                break
            i += 1
    while i < len(s) and s[i] in " \t!":
        i += 1
    return i


def _sed_regex_end(s: str, i: int, delimiter: str) -> int:
    """The index after the regex that starts at ``i`` and ends at ``delimiter``; -1 if none.

    A backslash escapes the next character; a bracket expression holds the
    delimiter as a plain character (GNU sed reads ``s/[/]/x/`` that way).
    """
    while i < len(s):
        c = s[i]
        if c == "\n":
            return -1
        if c == "\\":
            i += 2
        elif c == "[":
            i += 1
            i += 1 if s.startswith("^", i) else 0
            i += 1 if s.startswith("]", i) else 0
            while i < len(s) and s[i] != "]":
                if s.startswith(("[:", "[=", "[."), i):
                    end = s.find(s[i + 1] + "]", i + 2)
                    if end < 0:
                        return -1
                    i = end + 2
                else:
                    i += 1
            i += 1
        elif c == delimiter:
            return i + 1
        else:
            i += 1
    return -1


def _sed_substitution(s: str, i: int, command: str) -> int:
    """Past ``s/re/text/flags`` or ``y/abc/xyz/`` from its delimiter; -1 on w, e or bad."""
    delimiter = s[i:i + 1]
    if not delimiter or delimiter in "\n\\":
        return -1
    i = _sed_regex_end(s, i + 1, delimiter) if command == "s" else _sed_text_end(
        s, i + 1, delimiter)
    if i < 0:
        return -1
    i = _sed_text_end(s, i, delimiter)
    if i < 0 or command == "y":
        return i
    while i < len(s) and s[i] in "gpiImM0123456789":
        i += 1
    return -1 if s[i:i + 1] in ("w", "e") else i  # `w FILE` writes, `e` runs the result


def _sed_text_end(s: str, i: int, delimiter: str) -> int:
    while i < len(s):
        if s[i] == "\\":
            i += 2
        elif s[i] == delimiter:
            return i + 1
        else:
            i += 1
    return -1


_AWKS = frozenset({"awk", "gawk", "mawk", "nawk"})
# system() runs a command and @load loads code; `|` (not `||`) pipes print or getline through
# a command; `>` redirects only in a print or printf statement (elsewhere it compares).
_AWK_RISK = r"@|\bsystem\b|(?<!\|)\|(?!\|)"
_AWK_STRING = r'"(?:[^"\\\n]|\\.)*"'


def _awk_risky(program: str) -> bool:
    import re

    text = re.sub(_AWK_STRING, '""', program)  # a `>` or `|` in a string is text
    if re.search(_AWK_RISK, text):
        return True
    for match in re.finditer(r"\bprintf?\b", text):
        depth = 0
        for ch in text[match.end():]:
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
            elif ch in ";}\n" and depth <= 0:
                break
            elif ch == ">" and depth <= 0:
                return True  # print … > "file", printf(…) >> "file"
    return False


def _awk_read_only(args: list[str]) -> bool:
    programs: list[str] = []
    k = 0
    while k < len(args) and args[k].startswith("-") and args[k] != "-":
        arg = args[k]
        k += 1
        if arg == "--":
            break
        if arg in ("-F", "-v", "-e", "--source"):
            if k >= len(args):
                return False
            if arg in ("-e", "--source"):
                programs.append(args[k])
            k += 1
        elif not arg.startswith(("-F", "-v")) or arg.startswith("--"):
            return False  # -f reads a program we cannot see; gawk -i, -l, -o, -p, -d …
    if not programs:
        if k >= len(args):
            return False
        programs.append(args[k])
    return not any(_awk_risky(program) for program in programs)


_CHECKS: dict[str, Callable[[list[str]], bool]] = {
    "git": _git_read_only,
    "find": _find_read_only,
    "xargs": _xargs_read_only,
    "env": _env_read_only,
    "sed": _sed_read_only,
    **{name: _awk_read_only for name in _AWKS},
    "sort": _sort_read_only,
    "uniq": lambda args: len(_operands(args)) <= 1,  # `uniq IN OUT` writes OUT
    "rg": _rg_read_only,
    "ag": lambda args: not any(_long(a, "--pager") for a in args),  # runs the pager
    "tree": _tree_read_only,
    "file": lambda args: not any(_short(a, "C") or _long(a, "--compile") for a in args),
    # `-s`/`--set` sets the clock; -d, -f, -I, -r take a value (`date -Iseconds`).
    "date": lambda args: not any(_short(a, "s", "dfIr") or _long(a, "--set") for a in args),
    "hostname": lambda args: all(a in _HOSTNAME_SHOWS for a in args),
    "test": _test_read_only,
    "[": _test_read_only,
    # `printf -v 'a[$(cmd)]' …` assigns to an array element whose subscript runs cmd.
    "printf": lambda args: not (args[:1] and args[0].startswith("-v")),
    "less": _less_read_only,
    "more": _less_read_only,
    # Saving records context during a HALT; forget, import, pin and unpin change what is kept.
    "pact-memory": lambda args: args[:1] in ([], ["save"], ["search"], ["list"], ["show"],
                                             ["stats"], ["export"], ["-h"], ["--help"]),
}
# Programs whose operands are code or a subcommand: no word bash computes is judged.
_CODE_OPERANDS = frozenset({"sed", *_AWKS, "find", "xargs", "env", "test", "[", "hostname",
                            "pact-memory", "psql", "sqlite3"})


# ---- SQL clients ------------------------------------------------------------------------

_PSQL_FLAGS = frozenset("AabeEHlnqSstwWxXz01")
_PSQL_VALUES = frozenset("cdhpUvFRT")
_PSQL_LONG = frozenset({
    "--command", "--dbname", "--host", "--port", "--username", "--set", "--variable",
    "--field-separator", "--record-separator", "--table-attr", "--no-align", "--tuples-only",
    "--expanded", "--quiet", "--no-psqlrc", "--no-password", "--password", "--echo-queries",
    "--echo-all", "--echo-hidden", "--echo-errors", "--html", "--csv", "--list",
    "--single-transaction", "--no-readline", "--field-separator-zero",
    "--record-separator-zero", "--file", "--output", "--log-file", "--pset", "--single-step",
    "--single-line"})
_PSQL_LONG_VALUES = frozenset({"--command", "--dbname", "--host", "--port", "--username",
                               "--set", "--variable", "--field-separator",
                               "--record-separator", "--table-attr"})
# psql meta-commands that only describe: \d and its kinds, \l, \conninfo.
_META_LINE = r"(?m)^[ \t]*\\"
_PSQL_META = r"\\(?:d[a-zA-Z]*\+?|l\+?|conninfo)(?:[ \t]+[\w.*\"+-]+)*[ \t]*"


def _psql_read_only(cmd: Command, args: list[str], cwd: str) -> bool:
    import re

    commands: list[str] = []
    variables = listing = False
    k = 0
    while k < len(args):
        arg = args[k]
        k += 1
        value: str | None = None
        if arg.startswith("--"):
            name = _long_name(arg, _PSQL_LONG)
            if name is None or name in ("--file", "--output", "--log-file", "--pset"):
                return False  # a script or file we cannot see, an output file, a pager
            if name in _PSQL_LONG_VALUES:
                if "=" in arg:
                    value = arg.partition("=")[2]
                elif k < len(args):
                    value, k = args[k], k + 1
                else:
                    return False
            variables |= name in ("--set", "--variable")
            listing |= name == "--list"
            if name == "--command" and value is not None:
                commands.append(value)
            continue
        if arg.startswith("-") and arg != "-":
            for j, letter in enumerate(arg[1:], start=2):
                if letter in _PSQL_FLAGS:
                    listing |= letter == "l"
                    continue
                if letter not in _PSQL_VALUES:
                    return False  # -f, -o, -L, -P and anything unknown
                value = arg[j:]
                if not value:
                    if k >= len(args):
                        return False
                    value, k = args[k], k + 1
                variables |= letter == "v"
                if letter == "c":
                    commands.append(value)
                break
    if cmd.piped_from is not None:
        return False
    if cmd.stdin and not commands:  # a script on stdin: meta-commands and :variables run
        return not variables and "\\" not in cmd.stdin and _sql_reads(cmd.stdin, "postgres")
    if not commands:
        return listing
    return all(bool(re.fullmatch(_PSQL_META, c)) if c.lstrip().startswith("\\")
               else not re.search(_META_LINE, c) and _sql_reads(c, "postgres") for c in commands)


_SQLITE_FLAGS = frozenset({
    "-ascii", "-box", "-column", "-csv", "-echo", "-header", "-noheader", "-html", "-json",
    "-line", "-list", "-markdown", "-quote", "-table", "-tabs", "-bail", "-batch",
    "-readonly", "-safe", "-stats", "-nofollow"})
_SQLITE_VALUES = frozenset({"-separator", "-newline", "-nullvalue", "-cmd"})
# Dot-commands that only show the schema or change how results are printed.
_SQLITE_DOT = (
    r"\.(?:tables|schema|indexes|indices|databases|dbinfo|fullschema|show|headers?|mode|"
    r"width|help|dump|timer|eqp|print|version|nullvalue|separator)(?:[ \t]+[^\s;|<>`$]+)*"
    r"[ \t]*")


def _sqlite_read_only(cmd: Command, args: list[str], cwd: str) -> bool:
    import re

    texts: list[str] = []
    database: str | None = None
    readonly = False
    k = 0
    while k < len(args):
        arg = args[k]
        k += 1
        option = arg[1:] if arg.startswith("--") else arg
        if option.startswith("-") and option != "-":  # sqlite3 reads options anywhere
            if option in _SQLITE_VALUES:
                if k >= len(args):
                    return False
                if option == "-cmd":
                    texts.append(args[k])
                k += 1
            elif option in _SQLITE_FLAGS:
                readonly |= option == "-readonly"
            else:
                return False  # -init runs a file, -A/-append/-deserialize/-zip, unknown
        elif database is None:
            database = arg
        else:
            texts.append(arg)
    if cmd.piped_from is not None or database is None or database.startswith("file:"):
        return False
    if not (readonly or database == ":memory:"
            or os.path.isfile(os.path.join(cwd, os.path.expanduser(database)))):
        return False  # sqlite3 creates a database file that does not exist yet
    if not texts:
        texts = [cmd.stdin] if cmd.stdin else []
        if not texts:
            return False  # it would read SQL from an unknown stdin
        lines = texts[0].splitlines()
        dots = [line for line in lines if line.lstrip().startswith(".")]
        sql = "\n".join(line for line in lines if not line.lstrip().startswith("."))
        return all(re.fullmatch(_SQLITE_DOT, d.strip()) for d in dots) and (
            not sql.strip() or _sql_reads(sql, "sqlite"))
    return all(bool(re.fullmatch(_SQLITE_DOT, t.strip())) if t.lstrip().startswith(".")
               else _sql_reads(t, "sqlite") for t in texts)


_CLIENTS: dict[str, Callable[[Command, list[str], str], bool]] = {
    "psql": _psql_read_only,
    "sqlite3": _sqlite_read_only,
}

# Functions sqlglot does not know, yet known to only compute or describe.
_PURE_FUNCTIONS = frozenset({
    "version", "current_database", "current_schema", "current_schemas", "current_user",
    "session_user", "pg_size_pretty", "pg_total_relation_size", "pg_relation_size",
    "pg_table_size", "pg_indexes_size", "pg_database_size", "pg_column_size", "pg_typeof",
    "to_char", "to_date", "to_timestamp", "format", "quote_ident", "quote_literal", "age",
    "date_part", "obj_description", "col_description", "format_type", "has_table_privilege",
    "pg_get_viewdef", "pg_get_indexdef", "pg_get_constraintdef", "pg_is_in_recovery",
    "typeof", "printf", "instr", "hex", "quote", "char", "unicode", "ifnull", "nullif", "iif",
    "glob", "like", "julianday", "strftime", "date", "time", "datetime", "unixepoch",
    "json", "json_array", "json_object", "json_type", "json_valid", "total_changes",
    "changes", "last_insert_rowid", "zeroblob", "randomblob", "sqlite_source_id"})
_SIDE_EFFECT_TYPES = frozenset({"NextValueFor", "ToFile"})
# Read bare; the call form `PRAGMA name(x)` sets a value for most of them (user_version(7),
# journal_mode(WAL)), so it is read-only only for those whose argument names what to read.
_READ_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "database_list", "compile_options", "integrity_check", "quick_check",
    "foreign_key_check", "collation_list", "function_list", "module_list", "pragma_list",
    "user_version", "schema_version", "application_id", "page_count", "page_size",
    "freelist_count", "encoding", "journal_mode", "data_version"})
_ARGUMENT_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check"})
_PRAGMA = (r"(?i)PRAGMA\s+(?:\w+\s*\.\s*)?(\w+)\s*"
           r"(\(\s*(?:\w+|'\w*'|\"\w*\")\s*\))?\s*;?\s*")


# Longer SQL is not judged read-only: parsing costs about 0.15 ms a statement, and a HALT's
# deny must come well inside the hook's 30 s timeout (after it the client runs the call).
MAX_READ_SQL = 64 * 1024


def _sql_reads(sql: str, dialect: str) -> bool:
    """True when every statement in ``sql`` provably only reads (sqlglot parses it)."""
    import re

    if len(sql) > MAX_READ_SQL:
        return False

    from .sqlscan import _sqlglot, statements

    sqlglot = _sqlglot()
    if sqlglot is None:
        return False
    from sqlglot import exp

    reading = tuple(getattr(exp, name) for name in ("Select", "Union", "Intersect", "Except",
                                                    "Values", "Show", "Describe", "Subquery")
                    if hasattr(exp, name))
    writing = tuple(getattr(exp, name) for name in ("Insert", "Update", "Delete", "Merge",
                                                    "Command", "Into", "Lock", "Placeholder",
                                                    "Create", "Drop", "Alter", "Set")
                    if hasattr(exp, name))
    found = statements(sql, dialect)
    if not found:
        return False
    for raw, clean in found:
        if clean[:6].upper() == "PRAGMA":
            match = re.fullmatch(_PRAGMA, clean)
            if not match or match.group(1).lower() not in (
                    _ARGUMENT_PRAGMAS if match.group(2) else _READ_PRAGMAS):
                return False
            continue
        try:
            trees = [t for t in sqlglot.parse(raw, read=dialect) if t is not None]
        except Exception:  # sqlglot raises its own errors, and more on odd input
            return False
        if len(trees) != 1 or not isinstance(trees[0], reading):
            return False
        for node in trees[0].walk():
            if isinstance(node, writing) or type(node).__name__ in _SIDE_EFFECT_TYPES:
                return False
            if isinstance(node, exp.Select) and (node.args.get("into") or node.args.get("locks")):
                return False
            if isinstance(node, exp.Anonymous) and str(node.name).lower() not in _PURE_FUNCTIONS:
                return False
    return True
