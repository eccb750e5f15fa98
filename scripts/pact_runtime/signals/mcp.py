"""What an MCP server's tool is asked to do, read from its arguments: SQL, file writes.

**SQL.**
The client names a server's tools ``mcp__<server>__<tool>``. A database server
takes SQL as an argument: ``execute_sql`` with ``query`` (Supabase, Neon),
``query`` with ``sql`` (the Postgres reference server), ``write_query`` with
``query`` (SQLite), ``run_sql`` with ``statements``. What a field holds cannot
be known from the client, so the field name decides, and the tool's name where
the field name alone says little:

- a field whose name holds ``sql`` (``sql``, ``rawSql``, ``sql_query``) is SQL
  for any tool;
- ``query``, ``queries``, ``statement``, ``statements``, ``stmt`` and ``command``
  are SQL only when the server's or the tool's name names a database (a word of
  it holds ``sql``, ends in ``db``, or is a database such as ``postgres``,
  ``supabase``, ``bigquery``), so a search tool's ``query`` stays text.

Fields are read at the top level and inside objects and lists below it (a batch
of statements), at most ``MAX_DEPTH`` levels down. The dialect comes from the
same names (``postgres`` for ``supabase``, ``mysql`` for ``planetscale``…).

**Files.** An object with a path (``path``, ``file_path``, ``filePath``,
``filename``) and new text (``content``, ``contents``, ``text``, ``newText``,
``new_string``…, also in its ``edits`` list) writes that text to that path: the
filesystem server's ``write_file`` and ``edit_file``, GitHub's
``create_or_update_file``, ``push_files`` (``files: [{path, content}]``) and
``create_gist`` (``files: {NAME: {content}}``), editors' ``file_text`` and
``new_str``. The guard judges it as it judges a Write.

**Commands.** A server or tool named for a shell (``execute_command``,
``run_command``, ``terminal``) runs its ``command``/``cmd`` field as Bash would.
A tool whose own name drops or empties a database (``drop-database``,
``drop_collection``, ``migrate-reset``, ``flushall``) is a database reset, and a
tool that only reads SQL (``explain_query`` without ``analyze``, ``lint``,
``format``) runs none of the SQL it is given.

Standard library only and no imports at module level: the guard loads it for
every MCP call.
"""

from __future__ import annotations

MAX_DEPTH = 4  # levels of objects and lists read below tool_input
MAX_TEXTS = 64  # SQL strings taken from one call

_PATH_FIELDS = ("path", "file_path", "filepath", "filename", "file", "relative_path",
                "relativepath", "pathinproject", "target_file", "targetfile", "destination",
                "uri")
_TEXT_FIELDS = frozenset({"content", "contents", "text", "newtext", "new_text", "new_string",
                          "newstring", "new_source", "newcontent", "new_content", "file_text",
                          "new_str", "repl", "replacement", "data"})
# Words of a tool's own name that say it only reads SQL (explains, lints, formats it).
_READS_SQL = frozenset({"explain", "lint", "format", "formatter", "validate", "parse", "fix",
                        "analyze", "analyse", "recommend", "suggest", "plan", "check"})
# Words of a server's or tool's name that say it runs a shell command line it is given.
_SHELL_WORDS = frozenset({"shell", "terminal", "bash", "zsh", "command", "cmd", "process",
                          "console"})
_COMMAND_FIELDS = ("command", "cmd", "commandline", "command_line", "script")
# A tool's own name that drops or empties a database: (verb, objects) pairs.
_DESTROYS: tuple[tuple[set[str], set[str]], ...] = (({"drop", "delete", "destroy", "remove"},
              {"database", "db", "collection", "table", "schema", "keyspace"}),
             ({"reset", "wipe", "purge", "flush", "clear", "truncate"},
              {"database", "db", "migrate", "migration", "migrations", "collection", "table",
               "schema"}),
             ({"flushall", "flushdb", "truncate", "dropdatabase"}, set()))
_SQL_FIELDS = frozenset({"query", "queries", "statement", "statements", "stmt", "command",
                         "commands"})
# A word of a server or tool name -> the sqlglot dialect its SQL is read in.
_DATABASES: dict[str, str | None] = {
    "postgres": "postgres", "postgresql": "postgres", "pg": "postgres", "psql": "postgres",
    "supabase": "postgres", "neon": "postgres", "timescale": "postgres",
    "cockroach": "postgres", "cockroachdb": "postgres", "redshift": "redshift",
    "mysql": "mysql", "mariadb": "mysql", "planetscale": "mysql", "tidb": "mysql",
    "sqlite": "sqlite", "sqlite3": "sqlite", "libsql": "sqlite", "turso": "sqlite",
    "d1": "sqlite", "duckdb": "duckdb", "motherduck": "duckdb",
    "bigquery": "bigquery", "snowflake": "snowflake", "clickhouse": "clickhouse",
    "mssql": "tsql", "sqlserver": "tsql", "tsql": "tsql", "oracle": "oracle",
    "trino": "trino", "presto": "presto", "athena": "athena", "databricks": "databricks",
    "database": None, "databases": None, "sql": None,
}


def sql_in_tool_input(tool: str, data: object) -> list[tuple[str, str | None]]:
    """Each ``(sql, dialect)`` that the MCP tool ``tool`` is given in ``data``.

    [] for a tool name that is not ``mcp__<server>__<tool>``.
    """
    if not tool.startswith("mcp__"):
        return []
    words = _words(tool[len("mcp__"):])
    own = _words(_own_name(tool))
    if not _READS_SQL.isdisjoint(own) and not (
            "explain" in own and isinstance(data, dict) and data.get("analyze") is True):
        return []  # EXPLAIN (without ANALYZE), lint, format: the statement is not run
    database = any(_names_database(w) for w in words)
    dialect = next((_DATABASES[w] for w in words if _DATABASES.get(w)), None)
    found: list[str] = []
    _collect(data, database, found, 0, False)
    return [(text, dialect) for text in found]


def _collect(value: object, database: bool, found: list[str], depth: int,
             is_sql: bool) -> None:
    if len(found) >= MAX_TEXTS or depth > MAX_DEPTH:
        return
    if isinstance(value, str):
        if is_sql and value.strip():
            found.append(value)
    elif isinstance(value, dict):
        for key, inner in value.items():
            name = str(key).lower()
            sql_field = "sql" in name or (database and name in _SQL_FIELDS)
            # Under a SQL field every string is SQL (a list of statements, {"text": …}).
            _collect(inner, database, found, depth + 1, is_sql or sql_field)
    elif isinstance(value, list):
        for inner in value:
            _collect(inner, database, found, depth + 1, is_sql)


def _words(name: str) -> list[str]:
    """``testdb__execute_sql`` -> ``["testdb", "execute", "sql"]``; camelCase splits too."""
    spaced = []
    previous = ""
    for char in name:
        if char.isupper() and previous.islower():
            spaced.append(" ")
        spaced.append(" " if char in "_-." else char)
        previous = char
    return "".join(spaced).lower().split()


def _names_database(word: str) -> bool:
    return word in _DATABASES or "sql" in word or word.endswith("db")


def files_written(tool: str, data: object) -> list[tuple[str, list[str]]]:
    """Each ``(path, texts)`` that the MCP tool ``tool`` would write, from ``data``."""
    found: list[tuple[str, list[str]]] = []
    if tool.startswith("mcp__"):
        _collect_files(data, found, 0)
    return found


def _collect_files(value: object, found: list[tuple[str, list[str]]], depth: int) -> None:
    if len(found) >= MAX_TEXTS or depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for inner in value:
            _collect_files(inner, found, depth + 1)
        return
    if not isinstance(value, dict):
        return
    fields = {str(k).lower(): v for k, v in value.items()}
    files = fields.get("files")
    if isinstance(files, dict):  # a gist: {"files": {"NAME": {"content": …}}} or NAME: text
        for name, inner in files.items():
            if isinstance(inner, str) and inner:
                found.append((str(name), [inner]))
            elif isinstance(inner, dict):
                _collect_files({"path": str(name), **inner}, found, depth + 1)
    path = next((fields[k] for k in _PATH_FIELDS if isinstance(fields.get(k), str)), None)
    if path and path.startswith("file://"):
        path = path[len("file://"):]
    if path:
        edits = fields.get("edits")
        texts = [text for edit in [fields, *(edits if isinstance(edits, list) else [])]
                 for text in _new_texts(edit)]
        if texts:
            found.append((path, texts))
            return
    for inner in value.values():
        if isinstance(inner, (dict, list)):
            _collect_files(inner, found, depth + 1)


def _new_texts(value: object) -> list[str]:
    """The new text an object gives a file: its ``content``, ``newText``… fields."""
    if not isinstance(value, dict):
        return []
    return [v for k, v in value.items()
            if str(k).lower() in _TEXT_FIELDS and isinstance(v, str) and v]


def shell_lines(tool: str, data: object) -> list[str]:
    """The command lines an MCP tool that runs shell commands is given
    (``execute_command``, ``run_command``, a terminal server's ``exec``); [] for a
    database's tool, whose ``command`` is SQL."""
    if not tool.startswith("mcp__") or not isinstance(data, dict):
        return []
    words = _words(tool[len("mcp__"):])
    if _SHELL_WORDS.isdisjoint(words) or any(_names_database(w) for w in words):
        return []
    fields = {str(k).lower(): v for k, v in data.items()}
    return [v for k in _COMMAND_FIELDS for v in [fields.get(k)] if isinstance(v, str) and v]


def destroys(tool: str) -> bool:
    """Whether the tool's own name says it drops or empties a database
    (``drop-database``, ``drop_collection``, ``migrate-reset``, ``flushall``)."""
    if not tool.startswith("mcp__"):
        return False
    own = set(_words(_own_name(tool)))
    return any(own & verbs and (not objects or own & objects) for verbs, objects in _DESTROYS)


def _own_name(tool: str) -> str:
    """``mcp__server__tool_name`` -> ``tool_name`` (the server's name may hold ``__``)."""
    rest = tool[len("mcp__"):]
    return rest.rpartition("__")[2] if "__" in rest else rest
