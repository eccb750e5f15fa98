"""Finding SQL in Bash commands and files, and classifying it by parsing.

``scan_command`` judges the SQL a command would hand to a client and
``scan_command_files`` the script files it would run (where that SQL is:
``sqlsources``). Each statement is parsed with sqlglot in the client's
dialect, and sqlglot is imported only once some statement, as the client
would see it, holds an SQL keyword, so ordinary commands never load it. A
statement sqlglot cannot parse falls back to a conservative token check of
that statement only. Every DELETE/UPDATE in the tree (CTEs too) needs its own
WHERE; the bodies of DO blocks and functions, what EXPLAIN ANALYZE, PREPARE,
EXECUTE IMMEDIATE and a rule's action run, and the strings psql's ``\\gexec``
would run are judged like any other SQL.
"""

from __future__ import annotations

import os
import re
import sys

from .clients import ORM_WORDS
from .sqlsources import (
    RESET_WORDS,
    orm_wipes_in_command,
    resets_in_command,
    script_files_in_command,
    sql_in_command,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

KEYWORDS = re.compile(r"\b(drop|truncate|delete|update|alter|grant)\b", re.IGNORECASE)

MAX_SCRIPT_BYTES = 4 * 1024 * 1024  # read at most this much from each end of a script file
PARSE_BUDGET = 256 * 1024  # characters handed to sqlglot per scan; the rest gets the token check


class Finding:
    """One judged statement: ``HALT DATA`` for ``DROP TABLE``, and what was seen."""

    __slots__ = ("level", "category", "kind", "statement", "key")

    def __init__(self, level: str, category: str, kind: str, statement: str,
                 key: str = "") -> None:
        self.level = level
        self.category = category
        self.kind = kind  # e.g. "DROP TABLE", "DELETE without WHERE", "secret (AWS key)"
        self.statement = statement  # shown, cut to a snippet
        # What makes two findings the same action: the whole statement, spaces and case
        # aside, or a digest of the secrets found; "" means the statement shown.
        self.key = key

    def identity(self) -> str:
        return "|".join((self.level, self.category, self.kind, self.key or self.statement))

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
    findings = scan_sql(sql_in_command(command))
    lower = command.lower()
    if any(word in lower for word in RESET_WORDS):
        findings.extend(Finding("HALT", "DATA", "database reset", _snippet(shown),
                                key=" ".join(shown.split()))
                        for shown in resets_in_command(command))
    if any(word in command for word in ORM_WORDS):
        findings.extend(Finding("HALT", "DATA", "ORM call that changes every row", call,
                                key=call) for call in orm_wipes_in_command(command))
    return findings


def scan_sql(pairs: list[tuple[str, str | None]]) -> list[Finding]:
    """Destructive SQL in each ``(sql, dialect)`` a client is about to run (one parse
    budget for them all; only ``CREATE TEMP`` tables count as made here)."""
    findings: list[Finding] = []
    budget = [PARSE_BUDGET]
    for sql, dialect in pairs:
        findings.extend(classify(sql, dialect, budget, temp_only=True))
    return findings


def scan_command_files(command: str, cwd: str,
                       unseen: list[str] | None = None) -> list[Finding]:
    """Destructive SQL in the script files that a client in ``command`` would run.

    Paths are taken relative to ``cwd`` (the directory Bash runs in) and globs are
    expanded there (``START/**/PATTERN``, what a ``find`` selects, walks the
    folder). A file that cannot be read is skipped (the client would fail on it
    too) without losing what other files showed. At most ``MAX_LISTED_FILES``
    files and ``MAX_LISTED_BYTES`` are read for one command; operands whose files
    cannot be known, and files past those caps, are added to ``unseen``.
    """
    findings: list[Finding] = []
    budget = [PARSE_BUDGET]
    files = [MAX_LISTED_FILES, MAX_LISTED_BYTES]
    for path, dialect in script_files_in_command(command, unseen=unseen):
        try:
            full = os.path.join(cwd, os.path.expanduser(path))
            pattern = any(c in path for c in "*?[")
            for name in _matching(full) if pattern else [full]:
                if files[0] <= 0 or files[1] <= 0:
                    if unseen is not None:
                        unseen.append(path)
                    break
                if "/**/" in name and unseen is not None:
                    unseen.append(path)  # the walk stopped short
                if pattern and not os.path.isfile(name):
                    continue
                files[0] -= 1
                files[1] -= min(os.path.getsize(name), 2 * MAX_SCRIPT_BYTES) if pattern else 0
                shown = os.path.relpath(name, cwd) if pattern else path
                for text in _script_texts(name):
                    for finding in classify(text, dialect, budget, temp_only=True):
                        finding.kind = f"{finding.kind} in {shown}"
                        findings.append(finding)
        except (OSError, ValueError):  # unreadable, or a NUL in the path
            continue
    return findings


MAX_LISTED_FILES = 200  # script files read for one command
MAX_LISTED_BYTES = 16 * 1024 * 1024  # and bytes read from the files a glob or find names
MAX_WALKED = 20_000  # folder entries a `find` pattern may visit


def _matching(full: str) -> list[str]:
    """The files a glob names, sorted; ``START/**/PATTERN`` walks START (capped)."""
    import glob

    if "/**/" not in full:
        return sorted(glob.glob(full))[:MAX_LISTED_FILES + 1]
    import fnmatch

    start, _, pattern = full.partition("/**/")
    if os.path.isfile(start):
        return [start] if fnmatch.fnmatchcase(os.path.basename(start), pattern) else []
    found: list[str] = []
    walked = 0
    for folder, dirs, names in os.walk(start):
        dirs.sort()
        walked += len(dirs) + len(names)
        found += [os.path.join(folder, n) for n in sorted(names) if fnmatch.fnmatchcase(n, pattern)]
        if walked > MAX_WALKED or len(found) > MAX_LISTED_FILES:
            found.append(os.path.join(start, "**", pattern))  # stands for the rest: unseen
            break
    return found


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


# ---- files ------------------------------------------------------------------------------

def is_sql_path(path: str) -> bool:
    """A ``.sql`` file, or any file under a ``migrations``/``migrate``/``alembic`` folder."""
    normal = path.replace("\\", "/").lower()
    folders = normal.split("/")[:-1]
    return normal.endswith(".sql") or any(f in folders for f in ("migrations", "migrate",
                                                                 "alembic"))


_CODE_STRING = re.compile(
    r'"""(.*?)"""|\'\'\'(.*?)\'\'\'|"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\''
    r"|`([^`]*)`|<<[~-]?(['\"]?)([A-Za-z_]\w*)\6[^\n]*\n(.*?)\n[ \t]*\7\b", re.DOTALL)


def scan_file(path: str, text: str) -> list[Finding]:
    """Destructive SQL in text written to ``path`` (a SQL or migration file).

    A down migration reverses its up part, so a ``DROP TABLE`` there of a table
    the up part creates is not destructive: the up part is the text before it
    (dbmate's ``-- migrate:up``, goose's ``-- +goose Up``, Django's ``RunSQL(sql,
    reverse_sql=…)``, Rails' ``def up``/``def down``, Alembic's ``upgrade``/
    ``downgrade``, with ``create_table`` calls counted), or for a
    ``NAME.down.sql`` (golang-migrate, sqlx, diesel's ``down.sql``) and a Flyway
    ``U<n>__NAME.sql``, the ``up`` file beside it on disk or a ``create_TABLE``
    in the migration's name.
    """
    if not is_sql_path(path) or not KEYWORDS.search(text):
        return []
    budget = [PARSE_BUDGET]
    if path.lower().endswith(".sql"):
        return classify(text, None, budget, made=_made_by_up_file(path))
    # Migration code (Python, Ruby, JS): the SQL sits in string literals and heredocs.
    findings: list[Finding] = []
    made: set[str] = set()
    calls = [(m.start(), _table_name(m.group(1))) for m in _CREATE_CALL.finditer(text)]
    for start, literal in _code_literals_at(text, lambda t: True):
        made.update(name for at, name in calls if at < start)
        if KEYWORDS.search(literal):
            findings.extend(classify(literal, None, budget, made=made))
        else:
            classify_creates(literal, made)
    return findings


# A migration DSL's table creation: Rails `create_table :orders`, Alembic
# `op.create_table("orders"`, knex `createTable('orders'`, Sequelize `createTable("orders"`.
_CREATE_CALL = re.compile(r"\bcreate_?table\s*\(?\s*[:'\"]([\w.]+)", re.IGNORECASE)
_DOWN_FILE = re.compile(r"^(?:(.*)([._-]))?down\.sql$", re.IGNORECASE)
_UNDO_FILE = re.compile(r"^U(\d[\w.]*__.*\.sql)$")
_NAMED_CREATE = re.compile(r"(?:^|_)create_(\w+?)(?:_tables?)?$", re.IGNORECASE)


def _made_by_up_file(path: str) -> set[str]:
    """Tables the up half of a down migration file creates (empty for other files)."""
    folder, base = os.path.split(path)
    down, undo = _DOWN_FILE.match(base), _UNDO_FILE.match(base)
    if down:
        stem = down.group(1) or ""
        up = stem + (down.group(2) or "") + "up.sql"
    elif undo:
        up, stem = "V" + undo.group(1), undo.group(1).partition("__")[2][:-4]
    else:
        return set()
    made: set[str] = set()
    if stem in ("", "."):  # diesel: `<migration>/down.sql`, named by its folder
        stem = os.path.basename(folder)
    named = _NAMED_CREATE.search(stem)
    if named:
        made.add(named.group(1).lower())
    try:
        with open(os.path.join(folder, up), "rb") as f:
            classify_creates(f.read(MAX_SCRIPT_BYTES).decode("utf-8", "replace"), made)
    except (OSError, ValueError):
        pass  # no up file beside it: the name alone tells
    return made


def classify_creates(sql: str, made: set[str]) -> None:
    """Add the tables ``sql`` creates to ``made`` (see ``classify``)."""
    for _raw, clean in statements(sql):
        created = _CREATE_TABLE.match(clean)
        if created and not created.group(2):
            made.add(_table_name(created.group(3)))


def code_literals(text: str) -> list[str]:
    """The string literals and heredocs in code (Python, Ruby, JS) that hold an SQL word."""
    return [literal for _start, literal in _code_literals_at(text, KEYWORDS.search)]


def _code_literals_at(text: str, keep: Any) -> list[tuple[int, str]]:
    found = []
    for match in _CODE_STRING.finditer(text):
        literal = next((g for k, g in enumerate(match.groups()) if g and k not in (5, 6)), "")
        if literal and keep(literal):
            found.append((match.start(), literal))
    return found


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
_RUN_COMMENT = re.compile(r"/\*!\d*(.*?)\*/", re.DOTALL)  # MySQL's executable comments


def statements(sql: str, dialect: str | None = None) -> list[tuple[str, str]]:
    """Split on top-level ``;``: each statement raw and cleaned (no comments or strings).

    Outside Postgres a ``/*! … */`` comment is read as SQL: MySQL runs what it holds.
    """
    sql = _META_LINE.sub("", sql)
    if dialect != "postgres" and "/*!" in sql:
        sql = _RUN_COMMENT.sub(r" \1 ", sql)
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


def classify(sql: str, dialect: str | None = None, budget: list[int] | None = None,
             depth: int = 0, made: set[str] | None = None,
             temp_only: bool = False) -> list[Finding]:
    """A finding for each destructive statement in ``sql``.

    A ``DROP TABLE`` of tables that ``sql`` itself creates earlier (a staging or
    temp table), or that are in ``made`` (what an up migration creates), is not
    destructive: no data of the user's is in them. ``made`` is updated with the
    tables created here. A ``CREATE TABLE IF NOT EXISTS`` may find the table
    there already and does not count. With ``temp_only`` (SQL that a client runs
    now, which may go on after a failed ``CREATE``), only ``CREATE TEMP`` tables
    count.
    """
    budget = budget if budget is not None else [PARSE_BUDGET]
    made = made if made is not None else set()
    findings = []
    if "\\g" in sql and depth < _MAX_NESTING:
        findings.extend(_gexec_findings(sql, dialect, budget, depth))
    for raw, clean in statements(sql, dialect):
        created = _CREATE_TABLE.match(clean)
        if created and not created.group(2) and (created.group(1) or not temp_only):
            made.add(_table_name(created.group(3)))
        if _BODY_HOLDER.match(clean) and "$" in raw:
            findings.extend(_body_findings(raw, dialect, budget))
        elif _RUNS_OTHER_SQL.match(clean) and depth < _MAX_NESTING:
            for inner in _run_by(raw, dialect):
                findings.extend(classify(inner, dialect, budget, depth + 1))
        if not KEYWORDS.search(clean):
            continue  # the keyword was only in a comment or a string
        finding = _judge(raw, clean, dialect, budget)
        if finding is not None and not (made and finding.kind == "DROP TABLE"
                                        and _drops_only(clean, made)):
            findings.append(finding)
    return findings


_NAME = r"(?:[\w$]+|\"[^\"]+\"|`[^`]+`|\[[^\]]+\])"
_QUALIFIED = rf"{_NAME}(?:\s*\.\s*{_NAME})*"
_CREATE_TABLE = re.compile(
    r"(?is)CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:(TEMP|TEMPORARY)\s+"
    rf"|UNLOGGED\s+)?TABLE\s+(IF\s+NOT\s+EXISTS\s+)?({_QUALIFIED})")
_DROP_TABLE = re.compile(
    r"(?is)DROP\s+(?:TEMP(?:ORARY)?\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?"
    rf"({_QUALIFIED}(?:\s*,\s*{_QUALIFIED})*)\s*(?:CASCADE|RESTRICT)?\s*")


def _table_name(name: str) -> str:
    return "".join(name.split()).replace('"', "").replace("`", "").strip("[]").replace(
        "].[", ".").lower()


def _drops_only(clean: str, made: set[str]) -> bool:
    """Whether ``clean`` is a ``DROP TABLE`` of tables in ``made`` and nothing else."""
    match = _DROP_TABLE.fullmatch(clean.strip())
    if match is None:
        return False
    names = re.findall(_QUALIFIED, match.group(1))
    return bool(names) and all(_table_name(n) in made for n in names)


_MAX_NESTING = 4
# Statements that run SQL given inside them: EXPLAIN ANALYZE executes its statement,
# PREPARE stores one to run, EXECUTE IMMEDIATE/EXEC run a string, a rule runs its action.
_RUNS_OTHER_SQL = re.compile(r"(?is)\s*(?:EXPLAIN|PREPARE|EXECUTE|EXEC|CREATE\b(?!\s+(?:TABLE|"
                             r"INDEX|VIEW|SCHEMA|DATABASE|TYPE|SEQUENCE|EXTENSION)\b))\b")
_EXPLAIN_ANALYZE = re.compile(r"(?is)\s*EXPLAIN\s+(?:ANALY[SZ]E\b(?:\s+VERBOSE\b)?"
                              r"|\((?=[^)]*\bANALY[SZ]E\b)[^)]*\))(.*)")
_PREPARE_AS = re.compile(r"(?is)\s*PREPARE\s+[\w\"]+\s*(?:\([^)]*\))?\s*AS\b(.*)")
_RULE_ACTION = re.compile(r"(?is)\s*CREATE\s+(?:OR\s+REPLACE\s+)?RULE\b.*?\bDO\s+"
                          r"(?:ALSO\b|INSTEAD\b)?(.*)")
# A MySQL-style routine, trigger or event: its body follows BEGIN, FOR EACH ROW or DO.
_ROUTINE_BODY = re.compile(r"(?is)\s*CREATE\b(?:\s+OR\s+REPLACE)?(?:\s+DEFINER\s*=\s*\S+)?"
                           r"\s+(?:PROCEDURE|FUNCTION|TRIGGER|EVENT)\b.*?"
                           r"\b(?:BEGIN(?:\s+ATOMIC)?|FOR\s+EACH\s+ROW|DO)\b(.*)")
_RUNS_STRINGS = re.compile(r"(?is)\s*(?:PREPARE\s+\S+\s+FROM|EXECUTE\s+IMMEDIATE|EXEC(?:UTE)?)\b")
_STRING = re.compile(r"'((?:[^']|'')*)'")
_GEXEC = re.compile(r"\\gexec\b")


def _run_by(raw: str, dialect: str | None) -> list[str]:
    """The SQL that statement ``raw`` runs besides itself (see ``_RUNS_OTHER_SQL``)."""
    text = _without_comments(raw, dialect)
    for pattern in (_EXPLAIN_ANALYZE, _PREPARE_AS, _RULE_ACTION, _ROUTINE_BODY):
        match = pattern.match(text)
        if match:
            action = match.group(1).strip()
            return [action[1:-1] if action.startswith("(") and action.endswith(")") else action]
    if _RUNS_STRINGS.match(text):  # `EXECUTE 'DROP …'`, `EXECUTE $q$DROP …$q$`
        return ([_unquote(m.group(1)) for m in _STRING.finditer(text)]
                + [m.group(2) for m in _DOLLAR_BODY.finditer(text)])
    return []


def _gexec_findings(sql: str, dialect: str | None, budget: list[int],
                    depth: int) -> list[Finding]:
    """Destructive SQL that psql's ``\\gexec`` would run: each result of the query before it.

    The results are built from the query's strings (``'DROP TABLE ' || name``,
    ``format('TRUNCATE %I', name)``), so those strings, joined with a name where
    the query puts one, are judged as the statements they make.
    """
    findings: list[Finding] = []
    pieces = _GEXEC.split(sql)
    for before in pieces[:-1]:
        queries = statements(before, dialect)
        if not queries:
            continue
        made = _spelled(queries[-1][0], dialect)
        if KEYWORDS.search(made):
            findings.extend(classify(made, dialect, budget, depth + 1))
    return findings


def generated(sql: str, dialect: str | None = None) -> str:
    """The statements a query's results spell, when its output is run as SQL.

    ``psql -At -c "SELECT 'DROP TABLE ' || tablename || ';' FROM pg_tables" | psql``
    prints one DROP per table into the second client. As for ``\\gexec``, each
    query's strings, joined with a name where the query puts one, are those
    statements; "" when no string holds an SQL keyword.
    """
    made = (_spelled(raw, dialect) for raw, _clean in statements(sql, dialect))
    return "\n".join(text for text in made if KEYWORDS.search(text))


def _spelled(raw: str, dialect: str | None) -> str:
    """The statement a query's results spell: its strings, joined with a name where the
    query puts one (``'DROP TABLE ' || name``, ``format('TRUNCATE %I', name)``)."""
    return " x ".join(_PLACEHOLDERS.sub("x", _unquote(m.group(1)))
                      for m in _STRING.finditer(_without_comments(raw, dialect)))


def _without_comments(raw: str, dialect: str | None) -> str:
    lexeme = _LEXEME_PG if dialect == "postgres" else _LEXEME
    return "".join(" " if m.group(0).startswith(("--", "#", "/*")) and len(m.group(0)) > 1
                   else m.group(0) for m in lexeme.finditer(raw))


def _unquote(literal: str) -> str:
    return literal.replace("''", "'")


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
            return _keyed(_judge_tree(tree, _snippet(raw)), raw)
    return _keyed(_judge_tokens(clean, _snippet(raw)), raw)


def _keyed(finding: Finding | None, raw: str) -> Finding | None:
    if finding is not None:
        finding.key = " ".join(raw.split()).lower()
    return finding


def _judge_tree(tree: Any, statement: str) -> Finding | None:
    from sqlglot import exp

    kind = str(tree.args.get("kind") or "").upper()
    if isinstance(tree, exp.Drop) and kind in ("TABLE", "SCHEMA", "DATABASE"):
        return Finding("HALT", "DATA", f"DROP {kind}", statement)
    if isinstance(tree, exp.TruncateTable):
        return Finding("HALT", "DATA", "TRUNCATE", statement)
    # Every DELETE/UPDATE node is judged by its own WHERE, so one inside a CTE counts too.
    for node in tree.find_all(exp.Delete, exp.Update):
        if isinstance(node.parent, exp.When):
            continue  # a MERGE action is bounded by the MERGE's ON (see _merge_deletes)
        where = node.args.get("where")
        if where is not None and not _every_row(where.this):
            continue
        if where is None and _joined(node):
            continue  # `UPDATE a JOIN b ON … SET`, `DELETE a FROM a JOIN b ON …`
        verb = "DELETE" if isinstance(node, exp.Delete) else "UPDATE"
        if verb == "UPDATE" and not node.args.get("expressions"):
            continue
        how = "without WHERE" if where is None else "with a WHERE that matches every row"
        return Finding("HALT", "DATA", f"{verb} {how}", statement)
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


def _joined(node: Any) -> bool:
    """Whether an inner join with an ON or USING condition bounds the rows ``node``
    changes, as a WHERE would (MySQL's ``UPDATE a JOIN b ON … SET``, T-SQL's
    ``UPDATE a SET … FROM a INNER JOIN b ON …``). A LEFT, RIGHT, FULL or CROSS join
    keeps every row of the table, and so does a condition true for every row."""
    from sqlglot import exp

    for join in node.find_all(exp.Join):
        owner = join.find_ancestor(exp.Delete, exp.Update, exp.Select)
        if owner is not node:
            continue  # a join inside a subquery bounds that subquery only
        side = str(join.args.get("side") or "").upper()
        kind = str(join.args.get("kind") or "").upper()
        if side or kind not in ("", "INNER", "STRAIGHT"):
            continue
        on = join.args.get("on")
        if join.args.get("using") or (on is not None and not _every_row(on)):
            return True
    return False


def _every_row(condition: Any) -> bool:
    """Whether a WHERE condition keeps every row, so the statement touches the whole table.

    True when it is always true (``1 = 1``, ``true``, ``false OR true``, ``'a' = 'a'``,
    ``id = id``, ``x IS NULL OR x IS NOT NULL``), and when it names no column at all:
    such a condition is the same for every row, so it keeps all of them or none.
    """
    from sqlglot import exp

    if next(condition.find_all(exp.Column), None) is None:
        return _truth(condition) is not False
    return _truth(condition) is True


def _truth(node: Any) -> bool | None:
    """True or False when ``node`` has that value for every row; None when rows differ."""
    from sqlglot import exp

    if isinstance(node, exp.Paren):
        return _truth(node.this)
    if isinstance(node, exp.Not):
        inner = _truth(node.this)
        return None if inner is None else not inner
    if isinstance(node, (exp.And, exp.Or)):
        left, right = _truth(node.this), _truth(node.expression)
        if isinstance(node, exp.And):
            return False if False in (left, right) else True if left and right else None
        if True in (left, right) or _complements(node.this, node.expression):
            return True
        return False if left is False and right is False else None
    same = isinstance(node, exp.Binary) and node.this == node.expression and _plain(node.this)
    if same and isinstance(node, (exp.EQ, exp.GTE, exp.LTE, exp.NullSafeEQ)):
        return True
    if same and isinstance(node, (exp.NEQ, exp.GT, exp.LT, exp.NullSafeNEQ)):
        return False
    if next(node.find_all(exp.Column), None) is None:
        return _constant(node)
    return None


def _complements(left: Any, right: Any) -> bool:
    """``x IS NULL`` beside ``x IS NOT NULL`` (either order): one of them holds for every row."""
    from sqlglot import exp

    def null_test(node: Any) -> tuple[bool, Any] | None:
        while isinstance(node, exp.Paren):
            node = node.this
        negated = isinstance(node, exp.Not)
        inner = node.this if negated else node
        if isinstance(inner, exp.Is) and isinstance(inner.expression, exp.Null):
            return negated != bool(inner.args.get("negate")), inner.this  # IS NOT NULL
        return None

    a, b = null_test(left), null_test(right)
    return a is not None and b is not None and a[0] != b[0] and a[1] == b[1]


def _plain(node: Any) -> bool:
    """No function call inside: ``random() = random()`` is not always true."""
    from sqlglot import exp

    return next(node.find_all(exp.Func), None) is None


def _constant(node: Any) -> bool | None:
    """The value of a condition that names no column, when sqlglot can fold it."""
    from sqlglot import exp

    try:
        from sqlglot.optimizer.simplify import simplify

        folded = simplify(node.copy())
    except Exception:  # an expression the optimizer cannot take: its value is unknown
        return None
    if isinstance(folded, exp.Boolean):
        return bool(folded.this)
    if isinstance(folded, exp.Null):
        return False
    if isinstance(folded, exp.Literal) and not folded.is_string:
        try:
            return float(folded.this) != 0  # MySQL and SQLite: WHERE 1, WHERE 0
        except ValueError:
            return None
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
    r"TRUNCATE(\s+TABLE)?(\s+ONLY)?\s+[\w.\"`\[\]${}]+(\s*\*)?(\s*,\s*[\w.\"`\[\]${}]+(\s*\*)?)*"
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
        if kinds == ["OWNED"]:  # drops every table the role owns
            return Finding("HALT", "DATA", "DROP OWNED", statement)
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
        # The privileges end at ON: `GRANT SELECT ON ALL TABLES IN SCHEMA s` grants SELECT.
        privileges = rest[:min(cut, rest.index("ON") if "ON" in rest else cut)]
        return _judge_grant(privileges, rest[cut + 1:], statement)
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
