"""Finding SQL in Bash commands and files, and classifying it by parsing.

``scan_command`` and ``scan_file`` first run a cheap keyword pre-check on the
raw text, so ordinary commands never import sqlglot. SQL is looked for where a
client would run it: ``psql -c``, ``mysql -e``, ``sqlite3 FILE "…"``,
``duckdb``, ``clickhouse-client --query``, heredocs and here-strings, ``echo …
|`` pipes, and ``sh -c``/``bash -c``/``eval`` strings (recursively); and, by
``scan_command_files``, in the script files a client is told to run
(``psql -f FILE``, ``mysql db < FILE``, ``cat FILE |``, sqlite3 ``.read``, psql
``\\i``, mysql ``source``; globs, ``$PWD`` and a preceding ``cd DIR`` are followed).
Each statement is parsed with sqlglot in the client's dialect; a statement
sqlglot cannot parse falls back to a conservative token check of that statement
only. Every DELETE/UPDATE in the tree (CTEs too) needs its own WHERE, and the
bodies of DO blocks and functions are judged like any other SQL.
"""

from __future__ import annotations

import os
import re
import sys

from . import shell
from .clients import CLIENTS, SHELLS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

KEYWORDS = re.compile(r"\b(drop|truncate|delete|update|alter|grant)\b", re.IGNORECASE)

# Client -> (options whose value is SQL, options whose value is skipped).
_OPTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "psql": (frozenset({"-c", "--command"}), frozenset({"-f", "--file", "-U", "-d", "-h", "-p"})),
    "pgcli": (frozenset({"-c", "--command"}), frozenset({"-U", "-d", "-h", "-p"})),
    "cockroach": (frozenset({"-e", "--execute"}), frozenset({"--url", "--host"})),
    "mysql": (frozenset({"-e", "--execute"}), frozenset({"-u", "-h", "-P", "-D"})),
    "sqlite3": (frozenset({"-cmd"}), frozenset({"-separator", "-newline", "-nullvalue",
                                                 "-init", "-vfs", "-mmap", "-maxsize"})),
    "duckdb": (frozenset({"-c", "-s", "-cmd"}), frozenset({"-init", "-f"})),
    "clickhouse": (frozenset({"-q", "--query"}), frozenset({"-h", "--host", "-u", "--user"})),
    "usql": (frozenset({"-c", "--command"}), frozenset({"-f", "--file"})),
    "trino": (frozenset({"--execute"}), frozenset({"--server", "--catalog", "--schema"})),
}
_ALIASES = {"mariadb": "mysql", "mycli": "mysql", "litecli": "sqlite3",
            "clickhouse-client": "clickhouse"}
_POSITIONAL_SQL = frozenset({"sqlite3", "duckdb"})  # CLIENT [opts] FILE "SQL" …
_CLUSTERED = frozenset({"psql", "mysql", "clickhouse", "cockroach"})  # -cSQL, -Ne SQL
_WRAPPERS = frozenset({"sudo", "doas", "env", "time", "nohup", "nice", "ionice", "timeout",
                       "command", "exec", "stdbuf", "chronic"})
_WRAPPER_VALUE_OPTIONS = frozenset({"-u", "-g", "-n", "-U", "-C", "-D", "-p", "-k", "-s", "-c"})
_CONTAINERS = frozenset({"docker", "podman", "nerdctl", "kubectl", "oc"})
_XARGS_VALUE_OPTIONS = frozenset({"-I", "-d", "-n", "-L", "-P", "-s", "-E", "-a", "-e", "-l"})
# Words that may precede a command without being one: `{ psql …; }`, `! psql`, `then psql`.
_RESERVED = frozenset({"{", "}", "!", "then", "do", "else", "elif", "if", "while", "until",
                       "time"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_DURATION = re.compile(r"^\d+(\.\d+)?[smhd]?$")
MAX_DEPTH = 4
MAX_SCRIPT_BYTES = 4 * 1024 * 1024  # read at most this much from each end of a script file
# Client -> options whose value is a script file it runs.
_FILE_OPTIONS: dict[str, frozenset[str]] = {
    "psql": frozenset({"-f", "--file"}), "pgcli": frozenset(), "usql": frozenset({"-f", "--file"}),
    "duckdb": frozenset({"-f"}), "clickhouse": frozenset({"--queries-file"}),
    "trino": frozenset({"-f", "--file"}), "cockroach": frozenset({"-f", "--file"}),
}
# `.read` (sqlite3), `\\i`/`\\ir`/`\\include` (psql), `source`/`\\.` (mysql) run a file.
_READ_COMMAND = re.compile(
    r"^[ \t]*(?:\.read|\\ir?|\\include(?:_relative)?|\\\.|source)[ \t]+"
    r"(['\"]?)(\S+?)\1[ \t]*;?[ \t]*$",
    re.MULTILINE | re.IGNORECASE)
PARSE_BUDGET = 256 * 1024  # characters handed to sqlglot per scan; the rest gets the token check


class Finding:
    """One judged statement: ``HALT DATA`` for ``DROP TABLE``, and what was seen."""

    __slots__ = ("level", "category", "kind", "statement")

    def __init__(self, level: str, category: str, kind: str, statement: str) -> None:
        self.level = level
        self.category = category
        self.kind = kind  # e.g. "DROP TABLE", "DELETE without WHERE", "secret (AWS key)"
        self.statement = statement

    def describe(self) -> str:
        return f"{self.kind}: `{self.statement}`" if self.statement else self.kind

    def __repr__(self) -> str:
        return f"Finding({self.level} {self.category}, {self.kind!r}, {self.statement!r})"


# ---- where SQL is -----------------------------------------------------------------------

def scan_command(command: str) -> list[Finding]:
    """Destructive SQL that ``command`` would run; [] for ordinary commands.

    No keyword test on the raw text: quotes, ``$'\\x44'`` escapes and ``-cDROP`` can
    split or hide a keyword there; ``classify`` tests each statement as the client sees it.
    """
    findings: list[Finding] = []
    budget = [PARSE_BUDGET]
    for sql, dialect in sql_in_command(command):
        findings.extend(classify(sql, dialect, budget))
    return findings


def sql_in_command(command: str, depth: int = 0) -> list[tuple[str, str | None]]:
    """Each ``(sql, dialect)`` a client in ``command`` would run."""
    try:
        script = shell.parse(command)
    except ValueError:
        return []  # unbalanced quotes: the shell refuses to run it
    found: list[tuple[str, str | None]] = []
    for cmd in script.commands:
        found.extend(_sql_of(cmd, depth))
    return found


def _sql_of(cmd: shell.Command, depth: int) -> list[tuple[str, str | None]]:
    located = _locate(cmd.words)
    if located is None:
        return []
    kind, index = located
    if kind == "shell":
        inner = _shell_script(cmd.words, index)
        if inner is None or depth >= MAX_DEPTH:
            return []
        return sql_in_command(inner, depth + 1)
    name = os.path.basename(cmd.words[index])
    args = cmd.words[index + 1:]
    if name == "clickhouse" and args[:1] in (["client"], ["local"]):
        args = args[1:]
    elif name == "cockroach":
        if args[:1] != ["sql"]:
            return []
        args = args[1:]
    sqls = _client_sql(_ALIASES.get(name, name), args)
    stdin = cmd.stdin or _piped_text(cmd.piped_from)
    if stdin:
        sqls.append(stdin)
    return [(sql, CLIENTS[name]) for sql in sqls if sql.strip()]


def _locate(words: list[str]) -> tuple[str, int] | None:
    """Where the SQL client (or a shell running a script) starts in ``words``."""
    i = 0
    while i < len(words):
        base = os.path.basename(words[i])
        if words[i] in _RESERVED:
            i += 1
            continue
        if base == "xargs":  # the client gets what is piped in (see _sql_of)
            i = _skip_options(words, i + 1, _XARGS_VALUE_OPTIONS)
            continue
        if base in CLIENTS:
            return "client", i
        if base in SHELLS or base == "eval":
            return "shell", i
        if _ASSIGNMENT.match(words[i]):
            i += 1
        elif base in _WRAPPERS:
            i = _skip_options(words, i + 1, _WRAPPER_VALUE_OPTIONS)
        elif base in _CONTAINERS:
            for j in range(i + 1, len(words)):
                inner = os.path.basename(words[j])
                if inner in CLIENTS:
                    return "client", j
                if inner in SHELLS:
                    return "shell", j
            return None
        else:
            return None
    return None


def _skip_options(words: list[str], i: int, value_options: frozenset[str]) -> int:
    while i < len(words):
        word = words[i]
        if word in value_options:
            i += 2
        elif word.startswith("-") or _ASSIGNMENT.match(word) or _DURATION.match(word):
            i += 1
        else:
            break
    return i


def _shell_script(words: list[str], index: int) -> str | None:
    if os.path.basename(words[index]) == "eval":
        return " ".join(words[index + 1:])
    args = words[index + 1:]
    for k, arg in enumerate(args):
        if re.match(r"^-[a-zA-Z]*c[a-zA-Z]*$", arg) and k + 1 < len(args):
            return args[k + 1]
        if not arg.startswith("-"):
            return None  # `bash script.sh`: a file, not a string
    return None


def _client_sql(name: str, args: list[str]) -> list[str]:
    sql_options, value_options = _OPTIONS.get(name, (frozenset(), frozenset()))
    values: list[str] = []
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        key, eq, inline = arg.partition("=")
        if arg == "--":
            positional.extend(args[i:])
            break
        if arg in sql_options or arg in value_options:
            if i < len(args) and arg in sql_options:
                values.append(args[i])
            i += 1
        elif arg.startswith("--") and eq:
            if key in sql_options:
                values.append(inline)
        elif name in _CLUSTERED and _clustered_sql(arg, sql_options) is not None:
            attached = _clustered_sql(arg, sql_options)
            if attached:
                values.append(attached)
            elif i < len(args):
                values.append(args[i])
                i += 1
        elif not arg.startswith("-"):
            positional.append(arg)
    if name in _POSITIONAL_SQL:
        values.extend(positional[1:])
    return values


def _clustered_sql(arg: str, sql_options: frozenset[str]) -> str | None:
    """``-cSQL`` -> "SQL"; ``-Ne`` -> "" (value in the next word); else None."""
    if len(arg) < 3 or arg[0] != "-" or arg[1] == "-":
        return None
    if "-" + arg[1] in sql_options:
        return arg[2:]
    if len(arg) <= 5 and arg[1:].isalpha() and "-" + arg[-1] in sql_options:
        return ""
    return None


def _piped_text(previous: shell.Command | None) -> str:
    """What ``echo …``, ``printf …`` or ``cat <<EOF`` feeds into a pipe."""
    if previous is None or not previous.words:
        return previous.stdin if previous is not None else ""
    name = os.path.basename(previous.words[0])
    if name == "printf":
        return _printf(previous.words[1:])
    if name == "echo":
        return " ".join(w for w in previous.words[1:] if w not in ("-n", "-e", "-E"))
    if name == "cat" and previous.stdin:
        return previous.stdin
    return ""


_FORMAT = re.compile(r"%%|%[-+ #0-9.*]*[a-zA-Z]")


def _printf(args: list[str]) -> str:
    """What ``printf FORMAT ARGS…`` prints, near enough: each ``%s`` takes the next argument."""
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        return ""
    fmt, rest = args[0].replace("\\n", "\n").replace("\\t", "\t"), args[1:]
    pieces = _FORMAT.split(fmt)
    specs = _FORMAT.findall(fmt)
    takes = sum(1 for spec in specs if spec != "%%")
    out: list[str] = []
    while True:  # bash reuses the format while arguments remain
        values = iter(rest[:takes])
        text = pieces[0]
        for spec, piece in zip(specs, pieces[1:]):
            text += ("%" if spec == "%%" else next(values, "")) + piece
        out.append(text)
        rest = rest[takes:]
        if not rest or not takes:
            return "\n".join(out + rest)


def scan_command_files(command: str, cwd: str) -> list[Finding]:
    """Destructive SQL in the script files that a client in ``command`` would run.

    Paths are taken relative to ``cwd`` (the directory Bash runs in) and globs are
    expanded there. A file that cannot be read is skipped (the client would fail on
    it too) without losing what other files showed.
    """
    import glob

    findings: list[Finding] = []
    budget = [PARSE_BUDGET]
    for path, dialect in script_files_in_command(command):
        try:
            full = os.path.join(cwd, os.path.expanduser(path))
            fulls = sorted(glob.glob(full)) if any(c in path for c in "*?[") else [full]
            for name in fulls:
                for text in _script_texts(name):
                    for finding in classify(text, dialect, budget):
                        finding.kind = f"{finding.kind} in {path}"
                        findings.append(finding)
        except (OSError, ValueError):  # unreadable, or a NUL in the path
            continue
    return findings


def _script_texts(path: str) -> list[str]:
    """The start of the file and, when it is longer than that, its end.

    Reading is capped at ``MAX_SCRIPT_BYTES`` from each end, so a huge dump cannot
    stall the hook, yet a statement appended after a large data section is seen.
    The statement cut at each seam is dropped so a fragment is never misjudged.
    """
    with open(path, "rb") as f:
        head = f.read(MAX_SCRIPT_BYTES)
        if not f.read(1):
            return [head.decode("utf-8", errors="replace")]
        size = f.seek(0, os.SEEK_END)
        f.seek(max(MAX_SCRIPT_BYTES, size - MAX_SCRIPT_BYTES))
        tail = f.read()
    first, last = (part.decode("utf-8", errors="replace") for part in (head, tail))
    first = first.rpartition(";")[0] or first
    last = last.partition(";")[2] if ";" in last else last
    return [t for t in (first, last) if KEYWORDS.search(t)]


def script_files_in_command(command: str, depth: int = 0) -> list[tuple[str, str | None]]:
    """Each ``(path, dialect)`` of a script file a client in ``command`` is told to run.

    A relative path follows a ``cd DIR`` earlier in the same command line, and a
    leading ``$PWD``/``${PWD}`` stands for the directory it runs in.
    """
    try:
        script = shell.parse(command)
    except ValueError:
        return []
    found: list[tuple[str, str | None]] = []
    folder = ""
    for cmd in script.commands:
        if cmd.words[:1] == ["cd"] and len(cmd.words) == 2 and cmd.piped_from is None:
            folder = os.path.join(folder, _here(cmd.words[1]))
            continue
        located = _locate(cmd.words)
        if located is None:
            continue
        kind, index = located
        if kind == "shell":
            inner = _shell_script(cmd.words, index)
            if inner is not None and depth < MAX_DEPTH:
                found.extend((os.path.join(folder, _here(path)), dialect)
                             for path, dialect in script_files_in_command(inner, depth + 1))
            continue
        dialect = CLIENTS[os.path.basename(cmd.words[index])]
        found.extend((os.path.join(folder, _here(path)), dialect)
                     for path in _script_paths(cmd, index, depth))
    return found


def _script_paths(cmd: shell.Command, index: int, depth: int) -> list[str]:
    """Files a client runs: ``-f FILE``, ``< FILE``, ``cat FILE |``, ``\\i FILE``, ``source``."""
    name = os.path.basename(cmd.words[index])
    paths = [target for op, target in cmd.redirects if op == "<" and target]
    paths += _file_option_values(_ALIASES.get(name, name), cmd.words[index + 1:])
    source = cmd.piped_from
    if source is not None and source.words and os.path.basename(source.words[0]) == "cat":
        paths += [w for w in source.words[1:] if not w.startswith("-")]
        paths += [target for op, target in source.redirects if op == "<" and target]
    sql = " ".join(sql for sql, _ in _sql_of(cmd, depth)) + "\n" + cmd.stdin
    paths += [m.group(2) for m in _READ_COMMAND.finditer(sql.replace(";", "\n"))]
    return paths


def _here(path: str) -> str:
    """``path`` with a leading ``$PWD`` or ``${PWD}`` made relative (``./…``)."""
    for mark in ("${PWD}", "$PWD"):
        if path == mark or path.startswith(mark + "/"):
            return "." + path[len(mark):]
    return path


def _file_option_values(name: str, args: list[str]) -> list[str]:
    options = _FILE_OPTIONS.get(name, frozenset())
    values = []
    for k, arg in enumerate(args):
        key, eq, inline = arg.partition("=")
        if arg in options and k + 1 < len(args):
            values.append(args[k + 1])
        elif eq and key in options:
            values.append(inline)
        elif name in _CLUSTERED and arg.startswith("-f") and len(arg) > 2 and "-f" in options:
            values.append(arg[2:])
    return values


# ---- files ------------------------------------------------------------------------------

def is_sql_path(path: str) -> bool:
    """A ``.sql`` file, or any file under a ``migrations``/``migrate`` folder."""
    normal = path.replace("\\", "/").lower()
    folders = normal.split("/")[:-1]
    return normal.endswith(".sql") or "migrations" in folders or "migrate" in folders


_CODE_STRING = re.compile(
    r'"""(.*?)"""|\'\'\'(.*?)\'\'\'|"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\''
    r"|`([^`]*)`|<<[~-]?(['\"]?)([A-Za-z_]\w*)\6[^\n]*\n(.*?)\n[ \t]*\7\b", re.DOTALL)


def scan_file(path: str, text: str) -> list[Finding]:
    """Destructive SQL in text written to ``path`` (a SQL or migration file)."""
    if not is_sql_path(path) or not KEYWORDS.search(text):
        return []
    budget = [PARSE_BUDGET]
    if path.lower().endswith(".sql"):
        return classify(text, None, budget)
    # Migration code (Python, Ruby, JS): the SQL sits in string literals and heredocs.
    findings: list[Finding] = []
    for match in _CODE_STRING.finditer(text):
        literal = next((g for k, g in enumerate(match.groups()) if g and k not in (5, 6)), "")
        if KEYWORDS.search(literal):
            findings.extend(classify(literal, None, budget))
    return findings


# ---- what SQL does ----------------------------------------------------------------------

_LEXEME = re.compile(
    r"--[^\n]*|#[^\n]*|/\*.*?(?:\*/|\Z)|'(?:[^'\\]|\\.|'')*'|\$((?:[A-Za-z_]\w*)?)\$.*?\$\1\$"
    r"|;|[^-#/';$]+|.", re.DOTALL)
# Postgres: `#` is an operator, not a comment, and a backslash escapes only inside E'…'
# strings, so `SELECT 'a\\'; DROP TABLE t` is two statements there.
_LEXEME_PG = re.compile(
    r"--[^\n]*|/\*.*?(?:\*/|\Z)|(?<![\w$])[eE]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'"
    r"|\$((?:[A-Za-z_]\w*)?)\$.*?\$\1\$|;|[^-/';$eE]+|.", re.DOTALL)
_META_LINE = re.compile(r"^[ \t]*\\.*$", re.MULTILINE)  # psql/sqlite meta-commands


def statements(sql: str, dialect: str | None = None) -> list[tuple[str, str]]:
    """Split on top-level ``;``: each statement raw and cleaned (no comments or strings)."""
    sql = _META_LINE.sub("", sql)
    result: list[tuple[str, str]] = []
    raw: list[str] = []
    clean: list[str] = []
    lexeme = _LEXEME_PG if dialect == "postgres" else _LEXEME
    for match in lexeme.finditer(sql):
        piece = match.group(0)
        if piece == ";":
            result.append(("".join(raw), "".join(clean)))
            raw, clean = [], []
            continue
        raw.append(piece)
        if piece.startswith(("--", "#", "/*")) and len(piece) > 1:
            clean.append(" ")
        elif (piece[0] in "'$" or piece[:2] in ("e'", "E'")) and len(piece) > 1:
            clean.append(" '' ")
        else:
            clean.append(piece)
    result.append(("".join(raw), "".join(clean)))
    return [(r.strip(), c.strip()) for r, c in result if c.strip()]


def classify(sql: str, dialect: str | None = None,
             budget: list[int] | None = None) -> list[Finding]:
    """A finding for each destructive statement in ``sql``."""
    budget = budget if budget is not None else [PARSE_BUDGET]
    findings = []
    for raw, clean in statements(sql, dialect):
        if _BODY_HOLDER.match(clean) and "$" in raw:
            findings.extend(_body_findings(raw, dialect, budget))
        if not KEYWORDS.search(clean):
            continue  # the keyword was only in a comment or a string
        finding = _judge(raw, clean, dialect, budget)
        if finding is not None:
            findings.append(finding)
    return findings


_BODY_HOLDER = re.compile(r"(?is)\s*(DO\b|CREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE)\b)")
_DOLLAR_BODY = re.compile(r"\$((?:[A-Za-z_]\w*)?)\$(.*?)\$\1\$", re.DOTALL)
_EXECUTE = re.compile(r"(?i)\bEXECUTE\s+(?:format\s*\(\s*)?'((?:[^']|'')*)'")
_PLACEHOLDERS = re.compile(r"%[ILs]")
_BLOCK_WORDS = re.compile(r"(?is)^\s*(?:(?:BEGIN|DECLARE|LOOP|ELSE|END\s+IF|END\s+LOOP)\b\s*"
                          r"|(?:IF|ELSIF|WHEN)\b.*?\bTHEN\b\s*)+")


def _body_findings(raw: str, dialect: str | None, budget: list[int]) -> list[Finding]:
    """Destructive SQL in the dollar-quoted body of a DO block or a function.

    The body is procedural code: its statements are judged once block words
    (``BEGIN``, ``IF … THEN``) are cut from their heads, and so is the string run
    by each ``EXECUTE '…'``.
    """
    findings: list[Finding] = []
    for match in _DOLLAR_BODY.finditer(raw):
        body = match.group(2)
        pieces = [_BLOCK_WORDS.sub("", part) for part in body.split(";")]
        # `format('TRUNCATE %I', t)`: a placeholder stands for the identifier it is given.
        pieces += [_PLACEHOLDERS.sub("x", m.group(1).replace("''", "'"))
                   for m in _EXECUTE.finditer(body)]
        for piece in pieces:
            if KEYWORDS.search(piece) and not _BODY_HOLDER.match(piece):
                findings.extend(classify(piece, dialect, budget))
    return findings


def _judge(raw: str, clean: str, dialect: str | None, budget: list[int]) -> Finding | None:
    sqlglot = _sqlglot() if budget[0] >= len(raw) else None
    if sqlglot is not None:
        budget[0] -= len(raw)
        try:
            tree = sqlglot.parse_one(raw, read=dialect)
        except Exception:  # ParseError, TokenError, RecursionError: use the token check
            tree = None
        if tree is not None and type(tree).__name__ != "Command":
            return _judge_tree(tree, _snippet(raw))
    return _judge_tokens(clean, _snippet(raw))


def _judge_tree(tree: Any, statement: str) -> Finding | None:
    from sqlglot import exp

    kind = str(tree.args.get("kind") or "").upper()
    if isinstance(tree, exp.Drop) and kind in ("TABLE", "SCHEMA", "DATABASE"):
        return Finding("HALT", "DATA", f"DROP {kind}", statement)
    if isinstance(tree, exp.TruncateTable):
        return Finding("HALT", "DATA", "TRUNCATE", statement)
    # Every DELETE/UPDATE node is judged by its own WHERE, so one inside a CTE counts too.
    for node in tree.find_all(exp.Delete, exp.Update):
        if node.args.get("where") or isinstance(node.parent, exp.When):
            continue  # a MERGE action is bounded by the MERGE's ON (see _merge_deletes)
        if isinstance(node, exp.Delete):
            return Finding("HALT", "DATA", "DELETE without WHERE", statement)
        if node.args.get("expressions"):
            return Finding("HALT", "DATA", "UPDATE without WHERE", statement)
    if isinstance(tree, exp.Merge) and _merge_deletes(tree):
        return Finding("HALT", "DATA", "MERGE … THEN DELETE", statement)
    if isinstance(tree, exp.Alter):
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.Drop) and str(action.args.get("kind")).upper() == "COLUMN":
                return Finding("HALT", "DATA", "ALTER TABLE … DROP COLUMN", statement)
    if isinstance(tree, exp.Grant):
        return _judge_grant(
            [p.name.upper() for p in tree.args.get("privileges") or []],
            [p.name.upper() for p in tree.args.get("principals") or []], statement)
    return None


def _merge_deletes(tree: Any) -> bool:
    """A ``WHEN MATCHED THEN DELETE`` with no condition of its own."""
    whens = tree.args.get("whens")
    for when in (whens.expressions if whens is not None else []):
        then = when.args.get("then")
        deletes = then is not None and (type(then).__name__ == "Delete" or str(
            getattr(then, "this", "")).upper() == "DELETE")
        if deletes and not when.args.get("condition"):
            return True
    return False


def _judge_grant(privileges: list[str], grantees: list[str], statement: str) -> Finding | None:
    if any(p.startswith("ALL") for p in privileges):
        return Finding("HALT", "SECURITY", "GRANT ALL", statement)
    if "PUBLIC" in grantees:
        return Finding("HALT", "SECURITY", "GRANT to PUBLIC", statement)
    return None


_TRUNCATE = re.compile(
    r"TRUNCATE(\s+TABLE)?(\s+ONLY)?\s+[\w.\"`\[\]]+\*?(\s*,\s*[\w.\"`\[\]]+\*?)*"
    r"(\s+(CASCADE|RESTRICT|RESTART\s+IDENTITY|CONTINUE\s+IDENTITY))*\s*", re.IGNORECASE)
_NOT_A_COLUMN = frozenset({"CONSTRAINT", "INDEX", "KEY", "PRIMARY", "FOREIGN", "CHECK", "DEFAULT",
                           "NOT", "PARTITION", "TRIGGER", "IDENTITY", "EXPRESSION", "UNIQUE"})


def _judge_tokens(clean: str, statement: str) -> Finding | None:
    """Conservative check of one statement that sqlglot could not parse."""
    tokens = re.findall(r"[A-Za-z_][\w$]*|[()]", clean.upper())
    top = _top_level(tokens)
    if top[:1] == ["MERGE"] and "MATCHED THEN DELETE" in " ".join(tokens):
        return Finding("HALT", "DATA", "MERGE … THEN DELETE", statement)
    if top[:1] == ["WITH"]:
        for group in _groups(tokens):  # a data-modifying CTE: `WITH d AS (DELETE FROM t …)`
            inner = _top_level(group)
            if inner[:1] == ["DELETE"] and "WHERE" not in inner:
                return Finding("HALT", "DATA", "DELETE without WHERE", statement)
            if inner[:1] == ["UPDATE"] and "SET" in inner and "WHERE" not in inner:
                return Finding("HALT", "DATA", "UPDATE without WHERE", statement)
        main = next((k for k, t in enumerate(top) if t in ("DELETE", "UPDATE", "INSERT",
                                                         "SELECT", "MERGE")), len(top))
        top = top[main:]
    head, rest = (top[0], top[1:]) if top else ("", [])
    if head == "DROP":
        kinds = [t for t in rest if t not in ("TEMPORARY", "TEMP")][:1]
        if kinds and kinds[0] in ("TABLE", "SCHEMA", "DATABASE"):
            return Finding("HALT", "DATA", f"DROP {kinds[0]}", statement)
    elif head == "TRUNCATE" and _TRUNCATE.fullmatch(clean.strip()):
        return Finding("HALT", "DATA", "TRUNCATE", statement)
    elif head == "DELETE" and "FROM" in rest and "WHERE" not in rest:
        return Finding("HALT", "DATA", "DELETE without WHERE", statement)
    elif head == "UPDATE" and "SET" in rest and "WHERE" not in rest:
        return Finding("HALT", "DATA", "UPDATE without WHERE", statement)
    elif head == "ALTER" and rest[:1] == ["TABLE"]:
        for k, token in enumerate(rest):
            following = rest[k + 1] if k + 1 < len(rest) else ""
            if token == "DROP" and following and following not in _NOT_A_COLUMN:
                return Finding("HALT", "DATA", "ALTER TABLE … DROP COLUMN", statement)
    elif head == "GRANT":
        cut = rest.index("TO") if "TO" in rest else len(rest)
        return _judge_grant(rest[:cut], rest[cut + 1:], statement)
    return None


def _groups(tokens: list[str]) -> list[list[str]]:
    """The token lists inside each outermost pair of parentheses."""
    groups: list[list[str]] = []
    depth = 0
    for token in tokens:
        if token == ")":
            depth = max(depth - 1, 0)
        if depth >= 1:
            groups[-1].append(token)
        if token == "(":
            if depth == 0:
                groups.append([])
            depth += 1
    return groups


def _top_level(tokens: list[str]) -> list[str]:
    depth = 0
    top = []
    for token in tokens:
        if token == "(":
            depth += 1
        elif token == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            top.append(token)
    return top


def _snippet(raw: str, limit: int = 80) -> str:
    flat = " ".join(raw.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_SQLGLOT: list[ModuleType | None] = []


def _sqlglot() -> ModuleType | None:
    """sqlglot from the plugin's ``vendor`` folder, else an installed one, else None."""
    if not _SQLGLOT:
        vendor = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), "vendor")
        if os.path.isdir(vendor) and vendor not in sys.path:
            sys.path.insert(0, vendor)
        try:
            import logging

            import sqlglot

            # sqlglot warns through logging; a hook's stderr is not the place for it.
            logging.getLogger("sqlglot").setLevel(logging.CRITICAL)
            _SQLGLOT.append(sqlglot)
        except Exception:  # pragma: no cover (a plugin built without the vendor folder)
            _SQLGLOT.append(None)
    return _SQLGLOT[0]
