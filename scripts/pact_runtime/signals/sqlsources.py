"""Where a Bash command line hands SQL to a client: the text, and the script files.

``sql_in_command`` finds the SQL a client would run: option values (``psql -c``,
``mysql -e``, ``--command=``, abbreviated long options too), positional SQL
(``sqlite3 FILE "…"``), heredocs and here-strings, what ``echo``, ``printf``
(escapes decoded) or ``cat <<EOF`` pipe in, and what a ``$(…)`` or ``<(…)`` in
those places prints. A ``$VAR`` in the SQL stands for what a plain ``VAR=…`` (or
``read VAR <<EOF``) earlier on the line gives it, and a client whose output is
piped into another passes on the statements its query builds from strings
(``SELECT 'DROP TABLE ' || tablename … | psql``). A shell that runs a script
(``sh -c``, ``bash <<EOF``, ``… | bash``, ``eval``, ``su -c``, ``ssh HOST CMD``,
``watch CMD``) has that script read the same way, and so has every substitution,
however deep, up to ``MAX_DEPTH``. Wrappers (``sudo``, ``env``, ``timeout``,
``xargs``, ``find -exec``, ``docker exec`` …) are looked through; ``$(which
psql)`` stands for the client it names.

Framework and platform tools that hand SQL to a database are clients too
(``prisma db execute``, ``manage.py dbshell``, ``rails dbconsole``, ``wrangler
d1 execute``, ``turso db shell``, ``heroku pg:psql``, ``gcloud sql connect``;
see ``_TOOLS``), and a ``python -c``/``node -e``/``ruby -e`` one-liner that
names a database driver (or runs in ``manage.py shell``, where Django's
connection is open) has its string literals judged as SQL. What ``ssh HOST CMD``
is fed (a heredoc, ``< FILE``, a pipe) reaches CMD. An ORM call in a one-liner
that changes every row (``User.delete_all``, ``Order.objects.all().delete()``,
``deleteMany()``) is found by ``orm_wipes_in_command``. An in-memory
``sqlite3``/``duckdb`` database holds nothing of the user's, so the SQL it runs
is not judged (unless it attaches or opens a file).

``script_files_in_command`` finds the script files a client is told to run
(``psql -f FILE``, ``mysql db < FILE``, ``cat FILE |``, ``$(cat FILE)``,
sqlite3 ``.read``, psql ``\\i``, mysql ``source``, sqlplus ``@FILE``), also
when a ``for`` loop, ``while read``, ``xargs``, ``find -exec`` or a
``VAR=value`` names them.
"""

from __future__ import annotations

import os
import re

from . import shell
from .clients import CLIENTS, SHELLS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_DEPTH = 4

# Client -> (options whose value is SQL, options whose value is skipped).
_OPTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "psql": (frozenset({"-c", "--command"}),
             frozenset({"-f", "--file", "-U", "-d", "-h", "-p", "--username", "--dbname",
                        "--host", "--port", "-v", "--set", "--variable", "-o", "--output",
                        "-L", "--log-file", "-P", "--pset", "-F", "-R", "-T"})),
    "pgcli": (frozenset({"-c", "--command"}), frozenset({"-U", "-d", "-h", "-p"})),
    "cockroach": (frozenset({"-e", "--execute"}), frozenset({"--url", "--host"})),
    "mysql": (frozenset({"-e", "--execute", "--init-command"}),
              frozenset({"-u", "-h", "-P", "-D", "--user", "--host", "--port", "--database"})),
    "mysqlsh": (frozenset({"-e", "--execute"}),
                frozenset({"-u", "-h", "-P", "-D", "--uri", "--user", "--host", "--port",
                           "--schema", "-f", "--file"})),
    "sqlite3": (frozenset({"-cmd"}), frozenset({"-separator", "-newline", "-nullvalue",
                                                 "-init", "-vfs", "-mmap", "-maxsize"})),
    "duckdb": (frozenset({"-c", "-s", "-cmd"}), frozenset({"-init", "-f"})),
    "clickhouse": (frozenset({"-q", "--query"}), frozenset({"-h", "--host", "-u", "--user"})),
    "usql": (frozenset({"-c", "--command"}), frozenset({"-f", "--file"})),
    "trino": (frozenset({"--execute"}), frozenset({"--server", "--catalog", "--schema",
                                                   "-f", "--file"})),
    "sqlcmd": (frozenset({"-Q", "-q"}), frozenset({"-S", "-U", "-P", "-d", "-i", "-o"})),
    "snowsql": (frozenset({"-q", "--query"}),
                frozenset({"-a", "-u", "-d", "-s", "-w", "-r", "-c", "--connection", "-f",
                           "--filename"})),
    "cqlsh": (frozenset({"-e", "--execute"}),
              frozenset({"-u", "-p", "-k", "--keyspace", "-f", "--file"})),
    "hive": (frozenset({"-e"}), frozenset({"-f", "-i", "-d", "--database", "--hiveconf"})),
    "impala-shell": (frozenset({"-q", "--query"}),
                     frozenset({"-i", "-d", "-f", "--query_file"})),
    "vsql": (frozenset({"-c", "--command"}), frozenset({"-U", "-d", "-h", "-p", "-w", "-f"})),
    # Framework and platform tools (what each takes is in _TOOLS).
    "prisma": (frozenset(), frozenset({"--file", "--schema", "--url"})),
    "manage.py": (frozenset({"-c", "--command", "-e", "--execute"}),
                  frozenset({"--database", "--settings", "--pythonpath"})),
    "rails": (frozenset(), frozenset({"-e", "--environment", "--db", "--database", "-m",
                                      "--mode"})),
    "wrangler": (frozenset({"--command"}), frozenset({"--file", "-e", "--env", "-c", "--config",
                                                      "--persist-to", "--cwd", "--batch-size"})),
    "turso": (frozenset(), frozenset({"--instance", "--location"})),
    "heroku": (frozenset({"-c", "--command"}),
               frozenset({"-a", "--app", "-r", "--remote", "--credential"})),
    "gcloud": (frozenset(), frozenset({"--user", "--database", "--project", "--port"})),
}
# Where each tool's SQL-running subcommand is documented, and what it takes:
# - `prisma db execute (--file F | --stdin) [--schema S | --url U]`: Prisma CLI reference,
#   "db execute" (the script is the file's text or standard input).
# - `manage.py dbshell [--database DB] [-- ARGS]` (and `django-admin dbshell`): Django's
#   django-admin reference; SQL on stdin, ARGS (`-- -c SQL`) go to the database's own client.
# - `rails dbconsole [-p] [-e ENV] [--db NAME]`, alias `rails db`: the Rails command-line
#   guide; SQL on stdin. `rails runner CODE` runs Ruby (read as a one-liner body).
# - `wrangler d1 execute DB (--command SQL | --file F) [--local | --remote]`: Cloudflare D1's
#   wrangler commands reference.
# - `turso db shell DB [SQL]`: the Turso CLI reference; SQL as the argument after the
#   database, or on stdin.
# - `heroku pg:psql [DATABASE] [-c SQL | -f FILE] [-a APP]`: the Heroku CLI's pg commands;
#   SQL on stdin too.
# - `gcloud sql connect INSTANCE [--user U] [--database D]`: Cloud SQL, which starts psql,
#   mysql or sqlcmd for the instance; SQL on stdin.
_TOOLS: dict[str, tuple[str, ...]] = {"prisma": ("db", "execute"), "manage.py": ("dbshell",),
                                      "django-admin": ("dbshell",), "rails": ("dbconsole",),
                                      "wrangler": ("d1", "execute"), "turso": ("db", "shell"),
                                      "heroku": ("pg:psql",), "gcloud": ("sql", "connect")}
_ALIASES = {"mariadb": "mysql", "mycli": "mysql", "litecli": "sqlite3",
            "clickhouse-client": "clickhouse", "presto": "trino", "beeline": "hive",
            "spark-sql": "hive", "mariadb-admin": "mysqladmin", "django-admin": "manage.py"}
_POSITIONAL_SQL = frozenset({"sqlite3", "duckdb", "turso"})  # CLIENT [opts] FILE "SQL" …
# Commands that drop a whole database, each a wrapper around DROP DATABASE: `dropdb NAME`,
# `mysqladmin [-f] drop NAME` (and mariadb-admin); client -> options that take a value.
_DROPPERS: dict[str, frozenset[str]] = {
    "dropdb": frozenset({"-h", "--host", "-p", "--port", "-U", "--username",
                         "--maintenance-db"}),
    "mysqladmin": frozenset({"-u", "--user", "-h", "--host", "-P", "--port", "-S", "--socket",
                             "-c", "--count", "-i", "--sleep", "-O", "--set-variable",
                             "--defaults-file", "--defaults-extra-file", "--login-path",
                             "--character-sets-dir", "--default-character-set", "--protocol",
                             "--plugin-dir", "--default-auth", "--ssl-ca", "--ssl-cert",
                             "--ssl-key", "--connect-timeout", "--shutdown-timeout"}),
}
_CLUSTERED = frozenset({"psql", "mysql", "clickhouse", "cockroach", "vsql"})  # -cSQL, -Ne SQL
# Client -> options whose value is a script file it runs.
_FILE_OPTIONS: dict[str, frozenset[str]] = {
    "psql": frozenset({"-f", "--file"}), "usql": frozenset({"-f", "--file"}),
    "duckdb": frozenset({"-f", "-init"}), "sqlite3": frozenset({"-init"}),
    "clickhouse": frozenset({"--queries-file"}),
    "trino": frozenset({"-f", "--file"}), "cockroach": frozenset({"-f", "--file"}),
    "mysqlsh": frozenset({"-f", "--file"}), "sqlcmd": frozenset({"-i"}),
    "snowsql": frozenset({"-f", "--filename"}), "cqlsh": frozenset({"-f", "--file"}),
    "hive": frozenset({"-f"}), "impala-shell": frozenset({"-f", "--query_file"}),
    "vsql": frozenset({"-f"}), "prisma": frozenset({"--file"}),
    "wrangler": frozenset({"--file"}), "heroku": frozenset({"-f", "--file"}),
}
# `.read` (sqlite3), `\\i`/`\\ir`/`\\include` (psql), `source`/`\\.` (mysql) run a file.
_READ_COMMAND = re.compile(
    r"^[ \t]*(?:\.read|\\ir?|\\include(?:_relative)?|\\\.|source)[ \t]+"
    r"(['\"]?)(\S+?)\1[ \t]*;?[ \t]*$",
    re.MULTILINE | re.IGNORECASE)
# `\\!` (psql, mysql) and `.shell`/`.system` (sqlite3) run a shell command.
_SHELL_ESCAPE = re.compile(r"^[ \t]*(?:\\!|\.shell|\.system)[ \t]+(.+)$", re.MULTILINE)

_WRAPPERS = frozenset({"sudo", "doas", "env", "time", "nohup", "nice", "ionice", "timeout",
                       "command", "exec", "stdbuf", "chronic", "builtin", "setsid", "unbuffer",
                       "pkexec", "npx", "bunx", "pnpx"})
# Package runners that run a project's tool: `pnpm prisma`, `yarn prisma`, `npm exec prisma`,
# `bundle exec rails`; the word after them (or after their exec/dlx/x) is the program.
_PACKAGE_RUNNERS = {"pnpm": True, "yarn": True, "bun": True, "npm": False, "bundle": False,
                    "uv": False, "poetry": False, "pipenv": False, "pdm": False, "hatch": False,
                    "rye": False}
_INTERPRETER = re.compile(r"^(?:python(?:\d+(?:\.\d+)?)?|node|nodejs|ruby|deno)$")
# The option that takes a one-liner's code: python -c, node/ruby -e (node -p prints it).
_CODE_OPTIONS = frozenset({"-c", "-e", "--eval", "-p", "--print"})
_WRAPPER_VALUE_OPTIONS = frozenset({"-u", "-g", "-n", "-U", "-C", "-D", "-p", "-k", "-s", "-c"})
_CONTAINERS = frozenset({"docker", "docker-compose", "podman", "nerdctl", "kubectl", "oc"})
_XARGS_VALUE_OPTIONS = frozenset({"-I", "-d", "-n", "-L", "-P", "-s", "-E", "-a", "-e", "-l"})
_FIND_RUNS = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
# Commands that run a shell command line they are given (see _shell_text).
_SCRIPT_RUNNERS = SHELLS | {"eval", "su", "runuser", "ssh", "watch"}
_SSH_VALUE_OPTIONS = frozenset({"-p", "-i", "-l", "-o", "-F", "-J", "-L", "-R", "-D", "-b",
                                "-c", "-E", "-e", "-I", "-m", "-O", "-Q", "-S", "-W", "-w", "-B"})
_WATCH_VALUE_OPTIONS = frozenset({"-n", "--interval", "-q", "--equexit"})
_SHELL_VALUE_OPTIONS = frozenset({"-o", "-O", "+o", "+O", "--rcfile", "--init-file"})
# Words that may precede a command without being one: `{ psql …; }`, `! psql`, `then psql`.
_RESERVED = frozenset({"{", "}", "!", "then", "do", "else", "elif", "if", "while", "until",
                       "time"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_DURATION = re.compile(r"^\d+(\.\d+)?[smhd]?$")


# ---- the SQL text a command runs --------------------------------------------------------

def sql_in_command(command: str, depth: int = 0) -> list[tuple[str, str | None]]:
    """Each ``(sql, dialect)`` a client in ``command`` would run."""
    try:
        script = shell.parse(command)
    except ValueError:
        return []  # unbalanced quotes: the shell refuses to run it
    found: list[tuple[str, str | None]] = []
    values: dict[str, str] = {}  # what `SQL="DROP …"` earlier on the line gives $SQL
    for cmd in script.commands:
        if _sets_values(cmd, values, depth):
            continue
        found.extend(_sql_of(cmd, depth, values))
    if depth < MAX_DEPTH:
        for inner in script.subs:  # `echo $(psql -c …)`: the substitution runs too
            found.extend(sql_in_command(inner, depth + 1))
    return found


def _sets_values(cmd: shell.Command, values: dict[str, str], depth: int) -> bool:
    """Record what a plain ``VAR=value`` (also after ``export``/``local``…) or a
    ``read VAR <<EOF`` gives a variable; True when ``cmd`` does nothing else.

    A value is kept as bash would give it, a substitution replaced by what it
    prints (``SQL=$(cat <<'EOF' … EOF)``); one that expands another variable keeps
    it, to be judged as written.
    """
    words = cmd.words
    if words[:1] == ["read"] and cmd.stdin and cmd.piped_from is None:
        names = [w for w in words[1:] if not w.startswith("-")]
        if names and _ASSIGNMENT.match(names[-1] + "="):
            values[names[-1]] = cmd.stdin
        return True
    pairs = _plain_assignments(words)
    if pairs is None:
        return False
    for key, value in pairs:
        values[key] = _expand(cmd, value, depth)
    return True


def _plain_assignments(words: list[str]) -> list[tuple[str, str]] | None:
    """The ``(name, value)`` pairs of a command that only sets variables (``A=1 B=2``,
    ``export A=1``); None for any other command."""
    start = 1 if words[:1] and words[0] in _DECLARERS else 0
    assignments = words[start:]
    if not assignments or not all(_ASSIGNMENT.match(w) for w in assignments):
        return None
    return [(key, value) for key, _, value in (w.partition("=") for w in assignments)]


def _with_values(text: str, values: dict[str, str]) -> str:
    """``text`` with each ``$VAR``/``${VAR}`` the line has set replaced by its value."""
    if "$" not in text or not values:
        return text
    return _NAME_REF.sub(lambda m: values.get(m.group(1) or m.group(2), m.group(0)), text)


def _sql_of(cmd: shell.Command, depth: int,
            values: dict[str, str] | None = None) -> list[tuple[str, str | None]]:
    located = _locate(cmd)
    if located is None:
        return []
    kind, index, name = located
    if kind == "shell":
        inner = _shell_text(cmd, index, name, depth)
        if inner is None or depth >= MAX_DEPTH:
            return []
        # `SQL='DROP …'; sh -c "psql -c '$SQL'"`: the outer shell expands $SQL first.
        return sql_in_command(_with_values(inner, values or {}), depth + 1)
    if kind == "code":
        return [(sql, None) for sql in _code_sql(cmd, index, name)]
    client = _ALIASES.get(name, name)
    if client in _DROPPERS:  # no SQL of their own, and stdin is not SQL to them
        return [(sql, CLIENTS[name]) for sql in _drops(client, cmd.words[index + 1:])]
    args = _client_args(client, cmd.words[index + 1:])
    if args is None:
        return []
    # One text, in order: psql's `-c "SELECT …" -c '\\gexec'` runs what the first one made.
    sqls = [";\n".join(_with_values(_expand(cmd, value, depth), values or {})
                       for value in _client_sql(client, args))]
    stdin = cmd.stdin or printed_by(cmd.piped_from, depth)
    sqls.append(stdin)
    # `psql -f <(echo …)`, `psql < <(echo …)`: what the substitution prints is the script.
    for path in _file_values(cmd, client, args):
        if cmd.substitution(path) is not None:
            sqls.append(_expand(cmd, path, depth))
    found = [(sql, CLIENTS[name]) for sql in sqls if sql.strip()]
    escapes: list[tuple[str, str | None]] = []
    if depth < MAX_DEPTH:  # `\! psql -c …` inside the SQL runs a shell command
        for sql, _ in found:
            for match in _SHELL_ESCAPE.finditer(sql):
                escapes.extend(sql_in_command(match.group(1), depth + 1))
    if client in _POSITIONAL_SQL and _in_memory(client, args) and not any(
            _OTHER_DATABASE.search(sql) for sql, _ in found):
        found = []  # an in-memory database holds nothing of the user's
    return found + escapes


# SQL that reaches a database other than the in-memory one it starts in.
_OTHER_DATABASE = re.compile(r"(?im)\bATTACH\b|^[ \t]*\.(?:open|restore|read|import)\b")


def _in_memory(client: str, args: list[str]) -> bool:
    """Whether ``sqlite3``/``duckdb`` here opens an in-memory database: ``:memory:``, or
    (sqlite3) no database file at all, which opens a transient in-memory one."""
    if client == "turso":
        return False
    _sql, values = _OPTIONS[client]
    k = 0
    while k < len(args):
        arg = args[k]
        if arg == "--":
            k += 1
            break
        if not arg.startswith("-"):
            break
        k += 2 if arg in values or arg in _OPTIONS[client][0] else 1
    database = args[k] if k < len(args) else ""
    return database == ":memory:" or (database == "" and client == "sqlite3")


_DRIVER_WORD = re.compile(r"(?<![\w@/-])(?:sqlite3|psycopg2?|pymysql|MySQLdb|asyncpg|sqlalchemy"
                          r"|duckdb|better-sqlite3|pg|mysql2?|postgres|knex|sequelize"
                          r"|@?libsql(?:/client)?|mysql\.connector)(?![\w-])")


_MEMORY_ONLY = re.compile(r"""['"]:memory:['"]""")
# A connection to anything but :memory: (a file, a URL, an environment variable).
_FILE_DB = re.compile(r"""\b(?:connect|Database|Client|Pool|create_engine|createConnection)"""
                      r"""\((?!\s*['"]:memory:['"])|require\(\s*['"]better-sqlite3['"]\s*\)\s*\(("""
                      r"""?!\s*['"]:memory:)""")


def _code_sql(cmd: shell.Command, index: int, name: str) -> list[str]:
    """The SQL strings in a one-liner's code that names a database driver.

    ``python -c "import sqlite3; …execute('DELETE FROM t')"``, ``node -e
    "require('better-sqlite3')(…).exec('DROP TABLE t')"``, ``ruby -e``, ``deno
    eval``, the code on stdin (``python3 - <<EOF``), and ``rails runner CODE``
    (Active Record is loaded there): each string literal holding an SQL word is
    judged as SQL, as in migration code (``sqlscan.code_literals``).
    """
    args = cmd.words[index + 1:]
    code = " ".join(args) + "\n" + cmd.stdin
    if name not in ("rails", "django") and _MEMORY_ONLY.search(code) and not (
            _FILE_DB.search(code) or _OTHER_DATABASE.search(code)):
        return []  # `sqlite3.connect(':memory:')` and nothing else: no data of the user's
    bodies = _code_bodies(cmd, index, name)
    if name not in ("rails", "django"):
        bodies = [b for b in bodies if _DRIVER_WORD.search(b)]
    from .sqlscan import code_literals

    return [literal for body in bodies for literal in code_literals(body)]


def _code_bodies(cmd: shell.Command, index: int, name: str) -> list[str]:
    """The code a one-liner runs: its ``-c``/``-e`` value, ``rails runner``'s argument,
    ``manage.py shell -c``'s, or what it reads on stdin."""
    args = cmd.words[index + 1:]
    if name == "rails":
        return [a for a in args[1:] if not a.startswith("-")][:1]
    if name == "django":  # the project's database is connected: no driver to name
        k = next((j for j, a in enumerate(args) if a in ("-c", "--command")), None)
        return [args[k + 1]] if k is not None and k + 1 < len(args) else [cmd.stdin]
    k = next((j for j, a in enumerate(args) if a in _CODE_OPTIONS or a == "eval"), None)
    bodies = [args[k + 1]] if k is not None and k + 1 < len(args) else []
    return bodies + ([cmd.stdin] if cmd.stdin and k is None else [])


# ORM calls that change every row of a table, written in a one-liner: Active Record's
# Model(.all).delete_all/destroy_all/update_all, Django's Model.objects(.all()).delete()/
# .update(), SQLAlchemy's session.query(Model).delete()/.update(), Prisma's
# deleteMany() or deleteMany({}), pymongo's delete_many({}) and Mongo's deleteMany({}),
# Sequelize's destroy({ truncate: true }) or destroy({ where: {} }). A filter before the
# call (where, filter, exclude) bounds it, and the pattern then does not match.
_ORM_WIPE = re.compile(
    r"\b[A-Z]\w{0,64}(?:::[A-Z]\w{0,64}){0,4}(?:\.all|\.unscoped)?"
    r"\.(?:delete_all|destroy_all|update_all)\b"
    r"|\b[A-Z]\w{0,64}\.objects(?:\.all\(\s{0,8}\))?\.(?:delete|update)\("
    r"|(?:\b\w{1,64})?\.query\(\s{0,8}[A-Z]\w{0,64}\s{0,8}\)\.(?:delete|update)\("
    r"|(?:\b\w{1,64})?\.(?:deleteMany|delete_many)\(\s{0,8}(?:\{\s{0,8}\}\s{0,8})?\)"
    r"|(?:\b\w{1,64})?\.destroy\(\s{0,8}\{\s{0,8}"
    r"(?:truncate\s{0,8}:\s{0,8}true|where\s{0,8}:\s{0,8}\{\s{0,8}\})")


def orm_wipes_in_command(command: str) -> list[str]:
    """Each ORM call in a one-liner of ``command`` (``rails runner``, ``manage.py shell
    -c``, ``python -c``, ``node -e``…) that changes every row of a table (``_ORM_WIPE``)."""
    found: list[str] = []
    for cmd, _scope in _each_command(command):
        located = _locate(cmd)
        if located is not None and located[0] == "code":
            for body in _code_bodies(cmd, located[1], located[2]):
                found.extend(m.group(0) for m in _ORM_WIPE.finditer(body))
    return found


def _drops(client: str, args: list[str]) -> list[str]:
    """``DROP DATABASE name`` for each database ``dropdb`` or ``mysqladmin drop`` would drop."""
    values = _DROPPERS[client]
    operands: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            operands.extend(args[i:])
            break
        if arg[:1] == "-":
            i += 1 if arg in values else 0  # `--host=db` and `-hdb` carry their value
            continue
        operands.append(arg)
    if client == "dropdb":
        return [f"DROP DATABASE {_quoted(operands[0])}"] if operands else []
    # mysqladmin runs each command in turn: `drop a create b drop c`.
    return [f"DROP DATABASE {_quoted(operands[k + 1])}" for k, word in enumerate(operands[:-1])
            if word.lower() == "drop"]


def _quoted(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_]\w*", name) else '"' + name.replace('"', '""') + '"'


def shell_script_of(cmd: shell.Command) -> str | None:
    """The command line ``cmd`` has a shell run (``sh -c``, ``bash <<EOF``, ``eval``…)."""
    located = _locate(cmd)
    if located is None or located[0] != "shell":
        return None
    return _shell_text(cmd, located[1], located[2], 0)


def _locate(cmd: shell.Command) -> tuple[str, int, str] | None:
    """Where the SQL client (or a shell running a script) starts: (kind, index, name)."""
    words = cmd.words
    i = 0
    while i < len(words):
        word = words[i]
        inner = cmd.substitution(word)
        base = _client_named(inner) if inner is not None else os.path.basename(word)
        if word in _RESERVED:
            i += 1
        elif word == "function":  # `function f { …; }`
            i += 2
        elif base == "xargs":  # the client gets what is piped in (see _sql_of)
            i = _skip_options(words, i + 1, _XARGS_VALUE_OPTIONS)
        elif base in CLIENTS:
            if base in ("manage.py", "django-admin") and words[i + 1:i + 2] == ["shell"]:
                return "code", i + 1, "django"  # `manage.py shell -c CODE`
            return ("code", i, base) if base == "rails" and words[i + 1:i + 2] in (
                ["runner"], ["r"]) else ("client", i, base)
        elif base in _PACKAGE_RUNNERS:
            step = words[i + 1:i + 2] in (["exec"], ["dlx"], ["x"], ["run"])
            if not step and not _PACKAGE_RUNNERS[base]:
                return None
            i += 2 if step else 1
            i += 1 if words[i:i + 1] == ["--"] else 0
        elif _INTERPRETER.match(base):
            following = words[i + 1] if i + 1 < len(words) else ""
            if os.path.basename(following) == "manage.py":
                i += 1
                continue
            if base == "deno" and following == "eval" or following in _CODE_OPTIONS or (
                    following in ("", "-") and cmd.stdin):
                return "code", i, base
            return None
        elif base in _SCRIPT_RUNNERS:
            return "shell", i, base
        elif _ASSIGNMENT.match(word):
            i += 1
        elif base in _WRAPPERS:
            i = _skip_options(words, i + 1, _WRAPPER_VALUE_OPTIONS)
        elif base in _CONTAINERS:
            return _inner_runner(words, i + 1)
        elif base == "find":
            runs = next((k for k in range(i + 1, len(words)) if words[k] in _FIND_RUNS), None)
            if runs is None:
                return None
            i = runs + 1
        else:
            return None
    return None


def _inner_runner(words: list[str], start: int) -> tuple[str, int, str] | None:
    """The client or shell a container command (``docker exec db psql …``) runs."""
    for j in range(start, len(words)):
        inner = os.path.basename(words[j])
        if inner in CLIENTS:
            return "client", j, inner
        if inner in SHELLS:
            return "shell", j, inner
    return None


def _client_named(inner: str) -> str:
    """The client a substitution names, as in ``$(which psql)``; else ""."""
    try:
        words = [w for c in shell.parse(inner).commands for w in c.words]
    except ValueError:
        return ""
    return next((os.path.basename(w) for w in words if os.path.basename(w) in CLIENTS), "")


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


def _shell_text(cmd: shell.Command, index: int, name: str, depth: int) -> str | None:
    """The command line a shell, ``eval``, ``su -c``, ``ssh`` or ``watch`` would run."""
    args = cmd.words[index + 1:]
    if name == "eval":
        return " ".join(args)
    if name in ("su", "runuser"):
        for k, arg in enumerate(args):
            if arg in ("-c", "--command", "--session-command") and k + 1 < len(args):
                return args[k + 1]
            if arg.startswith(("--command=", "--session-command=")):
                return arg.partition("=")[2]
            if arg == "--" and name == "runuser" and k + 1 < len(args):
                return _line_of(args[k + 1:])  # `runuser -u postgres -- psql -c …`
        return None
    if name in ("ssh", "watch"):
        options = _SSH_VALUE_OPTIONS if name == "ssh" else _WATCH_VALUE_OPTIONS
        k = 0
        while k < len(args) and args[k].startswith("-"):
            k += 2 if args[k] in options else 1
        rest = args[k + 1:] if name == "ssh" else args[k:]  # ssh: skip the destination
        if rest and name == "ssh":
            return _with_input(cmd, " ".join(rest))  # the remote command reads ssh's stdin
        if rest:
            return " ".join(rest)
        return (cmd.stdin or printed_by(cmd.piped_from, depth)) if name == "ssh" else None
    k = 0
    while k < len(args):
        arg = args[k]
        if re.match(r"^-[a-zA-Z]*c[a-zA-Z]*$", arg):
            return args[k + 1] if k + 1 < len(args) else None
        if arg == "--" and k + 1 == len(args):
            break
        if arg == "--" or not arg.startswith(("-", "+")):
            return None  # `bash script.sh`: a file, not a string
        k += 2 if arg in _SHELL_VALUE_OPTIONS else 1
    # `bash <<EOF`, `… | sh`, `bash -s`: the script comes on stdin.
    return cmd.stdin or printed_by(cmd.piped_from, depth) or None


def _line_of(words: list[str]) -> str:
    """``words`` as one command line that gives the same words back."""
    import shlex

    return " ".join(shlex.quote(w) for w in words)


def _with_input(cmd: shell.Command, remote: str) -> str:
    """``remote`` fed what ``cmd`` reads: its heredoc or here-string, a file it takes
    with ``<``, or the command piped into it (``cat drop.sql | ssh db psql``)."""
    line = remote
    for op, target in cmd.redirects:
        if op == "<":
            line += f" < {_line_of([target])}"
    if cmd.stdin:
        line += f" <<'__PACT_INPUT__'\n{cmd.stdin}\n__PACT_INPUT__"
    if cmd.piped_from is not None and cmd.piped_from.words:
        line = f"{_line_of(cmd.piped_from.words)} | {line}"
    return line


def _client_args(client: str, args: list[str]) -> list[str] | None:
    """The arguments after a client's subcommand; None when that subcommand runs no SQL."""
    if client == "clickhouse" and args[:1] in (["client"], ["local"]):
        return args[1:]
    if client == "cockroach":
        return args[1:] if args[:1] == ["sql"] else None
    if client == "bq":  # `bq [flags] query [flags] 'SQL'`
        return args[args.index("query") + 1:] if "query" in args else None
    if client in _TOOLS:  # only their SQL-running subcommand (see _TOOLS)
        sub = _TOOLS[client]
        places = [j for j, a in enumerate(args) if not a.startswith("-")][:len(sub)]
        words = tuple(args[j] for j in places)
        if words != sub and not (client == "rails" and words == ("db",)):  # the alias
            return None
        rest = args[places[-1] + 1:]
        return [a for a in rest if a != "--"] if client == "manage.py" else rest
    return args


def _option(arg: str, options: frozenset[str]) -> str | None:
    """The option of ``options`` that ``arg`` names, whole or as a long-option prefix."""
    if arg in options:
        return arg
    if len(arg) > 2 and arg.startswith("--"):  # getopt takes an unambiguous prefix
        return next((o for o in sorted(options) if o.startswith(arg)), None)
    return None


def _client_sql(name: str, args: list[str]) -> list[str]:
    sql_options, value_options = _OPTIONS.get(name, (frozenset(), frozenset()))
    values: list[str] = []
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg[:1] != "-":
            positional.append(arg)
            continue
        key, eq, inline = arg.partition("=")
        if arg == "--":
            positional.extend(args[i:])
            break
        if _option(arg, sql_options) or _option(arg, value_options):
            if i < len(args) and _option(arg, sql_options):
                values.append(args[i])
            i += 1
        elif arg.startswith("--") and eq:
            if _option(key, sql_options):
                values.append(inline)
        elif name in _CLUSTERED and _clustered_sql(arg, sql_options) is not None:
            attached = _clustered_sql(arg, sql_options)
            if attached:
                values.append(attached)
            elif i < len(args):
                values.append(args[i])
                i += 1
    if name in _POSITIONAL_SQL:
        values.extend(positional[1:])
    elif name == "bq":
        values.extend(positional)
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


def _expand(cmd: shell.Command, text: str, depth: int) -> str:
    """``text`` with each substitution replaced by what it prints (echo, printf, heredoc)."""
    if "__pact_sub_" not in text or depth >= MAX_DEPTH:
        return text

    def printed(match: re.Match[str]) -> str:
        inner = cmd.substitution(match.group(0))
        return _printed(inner, depth + 1) if inner is not None else match.group(0)

    return shell.SUB_MARKS.sub(printed, text)


def _printed(command: str, depth: int) -> str:
    """What ``command`` prints, as far as echo, printf and cat of a heredoc tell."""
    try:
        script = shell.parse(command)
    except ValueError:
        return ""
    return "\n".join(text for text in (printed_by(c, depth) for c in script.commands) if text)


def printed_by(cmd: shell.Command | None, depth: int = 0) -> str:
    """What ``echo …``, ``printf …``, ``cat <<EOF`` or ``cat <(…)`` writes to stdout."""
    if cmd is None or not cmd.words:
        return cmd.stdin if cmd is not None else ""
    words = cmd.words
    while words[:1] and words[0] in _RESERVED:  # `{ echo …; }`, `then echo …`
        words = words[1:]
    if not words:
        return ""
    name = os.path.basename(words[0])
    args = [_expand(cmd, w, depth) for w in words[1:]]
    if name == "printf":
        return _printf(args)
    if name == "echo":
        lead = 0
        while lead < len(args) and re.match(r"^-[neE]+$", args[lead]):
            lead += 1
        text = " ".join(args[lead:])
        return shell.decode_escapes(text) if any("e" in a for a in args[:lead]) else text
    if name == "cat":
        text = "\n".join([cmd.stdin] + [a for a, w in zip(args, words[1:])
                                        if cmd.substitution(w) is not None])
        files = [a for a in args if not a.startswith("-") or a == "-"]
        return text if files and "-" not in files else _passed_through(cmd, text, depth)
    if name == "tee":  # writes its input to the files and to stdout
        return _passed_through(cmd, cmd.stdin, depth)
    if name in _FILTERS and not _filter_files(name, args):
        return _passed_through(cmd, "", depth)  # `… | head -1 | psql`: some of it gets through
    located = _locate(cmd) if depth < MAX_DEPTH else None
    if located is not None and located[0] == "client":
        # A client's output piped on is the statements its queries build from strings.
        from .sqlscan import generated

        return "\n".join(t for t in (generated(sql, dialect) for sql, dialect in
                                      _sql_of(cmd, depth + 1)) if t)
    return ""


# Filters that print some of what is piped in (no file operands).
_FILTERS = frozenset({"head", "tail", "sort", "uniq", "grep", "egrep", "fgrep", "tac"})


def _filter_files(name: str, args: list[str]) -> list[str]:
    """The files a filter reads instead of its input (``head -n 5 a.txt``: a.txt)."""
    operands, k = [], 0
    pattern = name in ("grep", "egrep", "fgrep")
    while k < len(args):
        arg = args[k]
        if arg in ("-n", "-c", "-m", "-A", "-B", "-C", "-k", "-t", "-f"):
            k += 2
            continue
        if arg in ("-e", "--regexp"):
            pattern, k = False, k + 2
            continue
        if not arg.startswith("-") or arg == "-":
            operands.append(arg)
        k += 1
    return operands[1:] if pattern else operands


def _passed_through(cmd: shell.Command, own: str, depth: int) -> str:
    """What a ``cat`` or ``tee`` in a pipe prints: its own input plus what is piped in."""
    if depth >= MAX_DEPTH:
        return own
    return "\n".join(t for t in (own, printed_by(cmd.piped_from, depth + 1)) if t)


_FORMAT = re.compile(r"%%|%[-+ #0-9.*]*[a-zA-Z]")


def _printf(args: list[str]) -> str:
    """What ``printf FORMAT ARGS…`` prints, near enough: each ``%s`` takes the next argument."""
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        return ""
    fmt, rest = shell.decode_escapes(args[0]), args[1:]
    pieces = _FORMAT.split(fmt)
    specs = _FORMAT.findall(fmt)
    takes = sum(1 for spec in specs if spec != "%%")
    out: list[str] = []
    while True:  # bash reuses the format while arguments remain
        values = iter(rest[:takes])
        text = pieces[0]
        for spec, piece in zip(specs, pieces[1:]):
            value = "%" if spec == "%%" else next(values, "")
            text += (shell.decode_escapes(value) if spec == "%b" else value) + piece
        out.append(text)
        rest = rest[takes:]
        if not rest or not takes:
            return "\n".join(out + rest)


# ---- the script files a command runs ----------------------------------------------------

def script_files_in_command(command: str, depth: int = 0,
                            unseen: list[str] | None = None) -> list[tuple[str, str | None]]:
    """Each ``(path, dialect)`` of a script file a client in ``command`` is told to run.

    A relative path follows a ``cd DIR`` earlier in the same command line, and a
    leading ``$PWD``/``${PWD}`` stands for the directory it runs in. A path may be
    a glob, or ``START/**/PATTERN`` for what ``find`` would list. An operand that
    is not literal names the files the line gives it: the word list of a ``for``
    loop (``$(ls …)`` and ``$(find …)`` too), what ``ls``/``find``/``echo`` pipe
    into ``while read VAR`` or ``xargs``, the start folders and ``-name`` patterns
    of a ``find -exec``, and a plain ``VAR=value`` earlier on the line. An operand
    that names files no other way is added to ``unseen`` (when given).
    """
    try:
        script = shell.parse(command)
    except ValueError:
        return []
    found: list[tuple[str, str | None]] = []
    folder = ""
    names: dict[str, list[str] | None] = {}  # variable -> the paths it holds (None: unknown)
    for cmd in script.commands:
        if cmd.words[:1] == ["cd"] and len(cmd.words) == 2 and cmd.piped_from is None:
            folder = os.path.join(folder, _here(cmd.words[1]))
            continue
        if _sets_names(cmd, names):
            continue
        located = _locate(cmd)
        if located is None:
            continue
        kind, index, name = located
        if kind == "code":
            continue
        if kind == "shell":
            inner = _shell_text(cmd, index, name, depth)
            if inner is not None and depth < MAX_DEPTH:
                found.extend((os.path.join(folder, _here(path)), dialect)
                             for path, dialect in script_files_in_command(inner, depth + 1,
                                                                          unseen))
            continue
        for path in _script_paths(cmd, index, name, depth):
            for named in _with_names(path, names, unseen):
                if "{}" in named and unseen is not None:
                    unseen.append(named)  # what find or xargs hands it is not known
                found.append((os.path.join(folder, _here(named)), CLIENTS[name]))
    if depth < MAX_DEPTH:
        for inner in script.subs:
            found.extend((os.path.join(folder, _here(path)), dialect)
                         for path, dialect in script_files_in_command(inner, depth + 1, unseen))
    return found


_NAME_REF = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")
_ORDERERS = frozenset({"sort", "uniq", "tac"})  # pass every name on, in some order
_DECLARERS = frozenset({"export", "local", "declare", "typeset", "readonly"})


def _sets_names(cmd: shell.Command, names: dict[str, list[str] | None]) -> bool:
    """Record the paths a ``for`` loop, ``while read`` or ``VAR=value`` gives a variable.

    True when ``cmd`` does nothing else (it is then not a client command).
    """
    words = [w for w in cmd.words if w not in ("do", "!")] if cmd.words[:1] == ["do"] else (
        cmd.words)
    if words[:1] == ["for"] and len(words) >= 3 and _ASSIGNMENT.match(words[1] + "="):
        if words[2] != "in":
            names[words[1]] = None  # `for f; do`: the script's arguments
            return True
        values: list[str] | None = []
        for word in words[3:]:
            inner = cmd.substitution(word)
            listed = _listed_by(inner) if inner is not None else [word]
            if listed is None or values is None or "$" in word and inner is None:
                values = None
                continue
            values.extend(listed)
        names[words[1]] = values
        return True
    if words[:1] in (["while"], ["until"]) and "read" in words:
        rest = [w for w in words[words.index("read") + 1:] if not w.startswith("-")]
        if rest:
            names[rest[-1]] = _listed(cmd.piped_from)
        return True
    pairs = _plain_assignments(words)
    if pairs is None:
        return False
    for key, value in pairs:
        inner = cmd.substitution(value)
        names[key] = (_listed_by(inner) if inner is not None else
                      None if "$" in value or "__pact_sub_" in value else [value])
    return True


def _with_names(path: str, names: dict[str, list[str] | None],
                unseen: list[str] | None) -> list[str]:
    """``path`` with each ``$VAR``/``${VAR}`` replaced by the paths the line gives it."""
    if "$" not in path or path.startswith(("$PWD", "${PWD}")):
        return [path]
    paths = [path]
    for match in _NAME_REF.finditer(path):
        var = match.group(1) or match.group(2)
        values = names.get(var)
        if values is None:
            if unseen is not None:
                unseen.append(path)
            return []
        paths = [p.replace(match.group(0), v, 1) for p in paths for v in values]
    return paths


def _listed_by(command: str) -> list[str] | None:
    """The paths ``$(command)`` prints, when it is ``ls``, ``find`` or ``echo``."""
    try:
        commands = shell.parse(command).commands
    except ValueError:
        return None
    return _listed(commands[-1]) if commands else None


def _listed(source: shell.Command | None) -> list[str] | None:
    """The paths (globs, ``START/**/PATTERN``) that ``source`` prints one per line.

    ``ls`` prints its operands, ``find`` what its start folders and ``-name``
    tests select, ``echo``/``printf`` their words; ``sort``, ``uniq`` and ``tac``
    in between pass every name on. None for anything else: its output is unknown.
    """
    while source is not None and source.words and os.path.basename(
            source.words[0]) in _ORDERERS and all(w.startswith("-") for w in source.words[1:]):
        source = source.piped_from
    if source is None or not source.words or source.stdin:
        return None
    name, args = os.path.basename(source.words[0]), source.words[1:]
    if any("__pact_sub_" in a or "$" in a for a in args):
        return None
    if name == "ls":
        return [a for a in args if not a.startswith("-")] or ["*"]
    if name == "find":
        return _found_by(source.words, len(source.words))
    if name in ("echo", "printf"):
        return printed_by(source).split() or None
    return None


# find tests that select by path in ways a glob cannot say: the files cannot be known.
_FIND_UNKNOWN = frozenset({"-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex",
                           "-newer", "-size", "-mtime", "-mmin", "-ctime", "-perm", "-user",
                           "-links", "-samefile", "-inum", "-empty", "-prune", "-exec",
                           "-execdir", "-ok", "-okdir", "-printf", "-fprintf", "-fprint",
                           "-delete", "-ls", "-fls"})


def _found_by(words: list[str], end: int) -> list[str] | None:
    """What ``find START… EXPR`` (in ``words[:end]``) selects, as ``START/**/PATTERN``.

    A ``-name``/``-iname`` test limits the pattern (several joined by ``-o``
    give one each); ``-maxdepth 1`` keeps it to the start folder. A negated
    ``-name`` is left out, since the pattern is then a superset still made of
    what is there. None when another test (``-path``, ``-newer`` …) decides.
    """
    k = next((j for j, w in enumerate(words[:end]) if os.path.basename(w) == "find"), None)
    if k is None:
        return None
    k += 1
    while k < end and words[k] in ("-H", "-L", "-P"):
        k += 1
    starts: list[str] = []
    while k < end and not words[k].startswith(("-", "(", "!")) and words[k] != ")":
        starts.append(words[k].rstrip("/") or "/")
        k += 1
    patterns: list[str] = []
    deep = "/**/"
    negated = False
    while k < end:
        word = words[k]
        value = words[k + 1] if k + 1 < end else ""
        if word in ("!", "-not"):
            negated = True
            k += 1
            continue
        if word in _FIND_UNKNOWN:
            return None
        if word in ("-name", "-iname") and not negated:
            patterns.append(value if word == "-name" else "".join(
                f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in value))
        elif word == "-maxdepth" and value in ("0", "1"):
            deep = "/"
        negated = False
        k += 2 if word.startswith("-") and word not in ("-o", "-or", "-a", "-and", "-print",
                                                          "-print0", "-type") else 1
        if word == "-type":
            k += 1
    return [start + deep + pattern for start in starts or ["."]
            for pattern in patterns or ["*"]]


def _script_paths(cmd: shell.Command, index: int, name: str, depth: int) -> list[str]:
    """Files a client runs: ``-f FILE``, ``< FILE``, ``cat FILE |``, ``\\i FILE``, ``source``."""
    client = _ALIASES.get(name, name)
    if client in _DROPPERS:
        return []
    args = _client_args(client, cmd.words[index + 1:])
    if args is None:  # a subcommand that runs no SQL (`manage.py loaddata < f`)
        return []
    paths = []
    for path in _file_values(cmd, client, args):
        inner = cmd.substitution(path)
        # `psql -f $(ls drop.sql)`: the file the substitution names.
        paths += [path] if inner is None else _listed_by(inner) or []
    if client == "sqlplus":  # `sqlplus user/pass@db @script` runs script(.sql)
        paths += [_sqlplus_script(a[1:]) for a in args if a.startswith("@") and len(a) > 1]
    paths += _cat_operands(cmd.piped_from) + _xargs_files(cmd.words[:index])
    paths = _fed(cmd, index, client, args, paths)
    # `psql -c "$(cat FILE)"`, `psql -f <(cat FILE)`: the file is the script.
    for word in cmd.words[index + 1:] + [t for _, t in cmd.redirects]:
        for number in shell.SUB_MARKS.findall(word):
            inner = cmd.subs[int(number)] if int(number) < len(cmd.subs) else ""
            try:
                paths += [p for c in shell.parse(inner).commands for p in _cat_operands(c)]
            except ValueError:
                continue
    sql = " ".join(sql for sql, _ in _sql_of(cmd, depth)) + "\n" + cmd.stdin
    paths += [m.group(2) for m in _READ_COMMAND.finditer(sql.replace(";", "\n"))]
    return paths


def _fed(cmd: shell.Command, index: int, client: str, args: list[str],
         paths: list[str]) -> list[str]:
    """``paths`` with ``{}`` made the files a ``find -exec`` or ``xargs`` before the client
    hands it, and the names ``xargs`` appends after a trailing ``-f`` added.

    ``find DIR -name '*.sql' -exec psql -f {} \\;`` runs each file find selects;
    ``ls *.sql | xargs -n1 psql -f`` and ``find … | sort | xargs -I{} psql -f {}``
    each file listed. A ``{}`` whose files cannot be known is kept as it is (no
    such file: nothing is read).
    """
    before = cmd.words[:index]
    bases = [os.path.basename(w) for w in before]
    given: list[str] | None = None
    mark = "{}"
    if "xargs" in bases:
        given = _listed(cmd.piped_from)
        mark = _xargs_mark(before[bases.index("xargs") + 1:])
        if mark == "" and args and _option(args[-1], _FILE_OPTIONS.get(client, frozenset())):
            return paths + (given if given is not None else ["{}"])
    elif "find" in bases:
        runs = next((k for k in range(len(before)) if before[k] in _FIND_RUNS), len(before))
        given = _found_by(before, runs)
    if given is None or not mark:
        return paths
    return [q for p in paths for q in ([p.replace(mark, g) for g in given] if mark in p else [p])]


def _xargs_mark(words: list[str]) -> str:
    """The replace string of ``xargs -I R`` (``-i``/``--replace``: ``{}``); "" without one."""
    for k, word in enumerate(words):
        if word == "-I" and k + 1 < len(words):
            return words[k + 1]
        if word.startswith("-I") and len(word) > 2:
            return word[2:]
        if word in ("-i", "--replace"):
            return "{}"
        if word.startswith(("--replace=", "-i")) and not word.startswith("--"):
            return word[2:] or "{}"
        if word.startswith("--replace="):
            return word.partition("=")[2]
    return ""


def _xargs_files(words: list[str]) -> list[str]:
    """The ``-a FILE`` / ``--arg-file=FILE`` of an ``xargs`` before the client: its arguments."""
    if not any(os.path.basename(w) == "xargs" for w in words):
        return []
    files = []
    for k, word in enumerate(words):
        if word in ("-a", "--arg-file") and k + 1 < len(words):
            files.append(words[k + 1])
        elif word.startswith("--arg-file="):
            files.append(word.partition("=")[2])
        elif word.startswith("-a") and len(word) > 2 and not word.startswith("--"):
            files.append(word[2:])
    return files


def _file_values(cmd: shell.Command, client: str, args: list[str]) -> list[str]:
    """The script-file operands of a client: ``-f FILE`` and ``< FILE``."""
    paths = [target for op, target in cmd.redirects if op == "<" and target]
    return paths + _file_option_values(client, args)


def _cat_operands(source: shell.Command | None) -> list[str]:
    """The files ``cat`` reads, when ``source`` is a ``cat`` (or bash's ``$(< FILE)``)."""
    if source is None:
        return []
    if not source.words:  # `$(< FILE)`: bash reads the file in
        return [target for op, target in source.redirects if op == "<" and target]
    if os.path.basename(source.words[0]) == "xargs":  # `ls *.sql | xargs cat | psql`
        k = _skip_options(source.words, 1, _XARGS_VALUE_OPTIONS)
        if source.words[k:k + 1] == ["cat"] and _xargs_mark(source.words[1:k]) == "":
            return _listed(source.piped_from) or []
        return []
    if os.path.basename(source.words[0]) != "cat":
        return []
    paths = [w for w in source.words[1:] if not w.startswith("-") and
             source.substitution(w) is None]
    return paths + [target for op, target in source.redirects if op == "<" and target]


def _sqlplus_script(path: str) -> str:
    return path if os.path.splitext(path)[1] else path + ".sql"


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
        if arg[:1] != "-" or not options:
            continue
        key, eq, inline = arg.partition("=")
        if _option(arg, options) and k + 1 < len(args):
            values.append(args[k + 1])
        elif eq and _option(key, options):
            values.append(inline)
        elif name in _CLUSTERED and arg.startswith("-f") and len(arg) > 2 and "-f" in options:
            values.append(arg[2:])
    return values


# ---- framework commands that empty a database -------------------------------------------

# Tool -> its commands that drop or empty the whole database, each (words, flag): the
# words begin what follows the tool (options aside; for the task runners in _ANYWHERE,
# one of its tasks), and the flag, when given, must be among its words. From each tool's
# CLI reference:
# - Prisma: `migrate reset` drops the database and reapplies migrations;
#   `db push --force-reset` resets it first.
# - Rails (`rails`, `rake`): db:drop, db:reset, db:purge, db:migrate:reset,
#   db:schema:load (recreates every table), db:truncate_all, db:seed:replant, and
#   `db:migrate VERSION=0` (every migration undone).
# - Django: `flush` deletes every row, `migrate APP zero` undoes an app's migrations;
#   django-extensions' `reset_db` drops the database.
# - Laravel (`artisan`): migrate:fresh, migrate:reset, migrate:refresh, db:wipe.
# - Supabase `db reset`; Sequelize `db:drop` and `db:migrate:undo:all`; TypeORM
#   `schema:drop`; Ecto (`mix`) ecto.drop, ecto.reset and `ecto.rollback --all`; EF Core
#   `dotnet ef database drop` and `database update 0`; Flyway `clean` (also as the Maven
#   goal flyway:clean and the Gradle task flywayClean); Liquibase `drop-all`; Knex
#   `migrate:rollback --all`; Alembic `downgrade base`; Heroku `pg:reset`.
_RESETS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "prisma": ((("migrate", "reset"), ""), (("db", "push"), "--force-reset")),
    "rails": tuple(((task,), "") for task in (
        "db:drop", "db:drop:all", "db:reset", "db:purge", "db:purge:all", "db:migrate:reset",
        "db:schema:load", "db:truncate_all", "db:seed:replant")) + (
        (("db:migrate",), "VERSION=0"),),
    "manage.py": ((("flush",), ""), (("reset_db",), ""), (("migrate",), "zero")),
    "artisan": tuple(((task,), "") for task in (
        "migrate:fresh", "migrate:reset", "migrate:refresh", "db:wipe")),
    "supabase": ((("db", "reset"), ""),),
    "sequelize": ((("db:drop",), ""), (("db:migrate:undo:all",), "")),
    "typeorm": ((("schema:drop",), ""),),
    "mix": ((("ecto.drop",), ""), (("ecto.reset",), ""), (("ecto.rollback",), "--all")),
    "dotnet": ((("ef", "database", "drop"), ""), (("ef", "database", "update", "0"), "")),
    "flyway": ((("clean",), ""),),
    "mvn": ((("flyway:clean",), ""),),
    "gradle": ((("flywayClean",), ""),),
    "liquibase": ((("drop-all",), ""), (("dropAll",), "")),
    "knex": ((("migrate:rollback",), "--all"),),
    "alembic": ((("downgrade", "base"), ""),),
    "heroku": ((("pg:reset",), ""),),
}
_ANYWHERE = frozenset({"rails", "artisan", "sequelize", "typeorm", "mix", "mvn", "gradle"})
_RESET_ALIASES = {"rake": "rails", "django-admin": "manage.py", "django": "manage.py",
                  "sequelize-cli": "sequelize", "typeorm-ts-node-commonjs": "typeorm",
                  "typeorm-ts-node-esm": "typeorm", "sail": "artisan", "gradlew": "gradle",
                  "mvnw": "mvn"}
# The variables that pick each tool's environment; the test one is rebuilt by design.
_ENV_VARIABLES = {"rails": ("RAILS_ENV", "RACK_ENV"), "mix": ("MIX_ENV",),
                  "artisan": ("APP_ENV",), "sequelize": ("NODE_ENV",),
                  "typeorm": ("NODE_ENV",), "knex": ("NODE_ENV",),
                  "manage.py": ("DJANGO_SETTINGS_MODULE",)}
_TEST_NAMES = frozenset({"test", "testing"})
# What may come before the tool on its command line: launchers, runners, containers and
# secret or env-file loaders (their options and operands in between are passed over).
_LAUNCHERS = (_WRAPPERS | set(_PACKAGE_RUNNERS) | _CONTAINERS | {
    "php", "poetry", "heroku", "fly", "flyctl", "railway", "dotenv", "dotenvx", "ddev",
    "lando", "doppler", "op", "infisical", "cross-env", "env-cmd", "aws-vault", "chamber"})
# Words one of those commands holds, checked before anything is parsed.
RESET_WORDS = ("reset", "db:", "flush", "fresh", "refresh", "wipe", "drop", "ecto.", "clean",
               "downgrade", "rollback", "schema:load", "undo", "zero", "update 0", "version=0")


def resets_in_command(command: str) -> list[str]:
    """Each framework command in ``command`` that drops or empties a whole database
    (``prisma migrate reset``, ``rails db:drop``, ``manage.py flush``…), as written
    from the tool's name on. Also inside ``sh -c`` and substitutions. Not for the
    test environment (``RAILS_ENV=test``, set on the line, ``--env=testing``, a
    ``.env.test`` file loaded first) nor for ``--help``."""
    found: list[str] = []
    for cmd, env in _each_command(command):
        pairs = _plain_assignments(cmd.words)
        if pairs is not None:
            env.update(pairs)  # `export RAILS_ENV=test &&` holds for the rest of the line
            continue
        shown = _reset_of(cmd.words, env)
        if shown:
            found.append(shown)
    return found


def _each_command(command: str, depth: int = 0) -> Iterator[tuple[shell.Command, dict[str, str]]]:
    """Each simple command ``command`` runs, in order, with the variables its script has
    set so far (the caller fills them in): the line's own, then those of each script a
    shell runs (``sh -c``) and of each substitution, up to ``MAX_DEPTH``."""
    try:
        script = shell.parse(command)
    except ValueError:
        return
    scope: dict[str, str] = {}
    for cmd in script.commands:
        yield cmd, scope
        inner = shell_script_of(cmd) if depth < MAX_DEPTH else None
        if inner:
            yield from _each_command(inner, depth + 1)
    for inner in script.subs if depth < MAX_DEPTH else []:
        yield from _each_command(inner, depth + 1)


def _reset_of(words: list[str], env: dict[str, str]) -> str:
    start = 0
    env = dict(env)
    while start < len(words) and (_ASSIGNMENT.match(words[start]) or words[start] in _RESERVED):
        if "=" in words[start]:
            key, _, value = words[start].partition("=")
            env[key] = value
        start += 1
    if start >= len(words):
        return ""
    first = os.path.basename(words[start])
    if not (first in _LAUNCHERS or _INTERPRETER.match(first) or _tool(first) in _RESETS):
        return ""  # `echo rails db:drop`, `git commit -m …`: the tool is not run
    for i in range(start, len(words)):
        tool = _tool(os.path.basename(words[i]))
        if tool not in _RESETS:
            continue
        before, rest = words[start:i], words[i + 1:]
        operands = [w for w in rest if not w.startswith("-")]
        if "--help" in rest or "-h" in rest or operands[:1] == ["help"]:
            return ""
        if _test_environment(tool, env, before, rest):
            return ""
        for sequence, flag in _RESETS[tool]:
            if tool in _ANYWHERE:
                hit = sequence[0] in operands  # tasks may follow others: db:drop db:create
            else:
                hit = tuple(operands[:len(sequence)]) == sequence
            if hit and (not flag or flag in rest):
                return " ".join([os.path.basename(words[i]), *rest])
    return ""


def _tool(base: str) -> str:
    """The tool a program name stands for: ``rake`` is rails, ``prisma@5.22.0`` prisma."""
    base = base.split("@", 1)[0] if "@" in base[1:] else base
    return _RESET_ALIASES.get(base, base)


def _test_environment(tool: str, env: dict[str, str], before: list[str],
                      rest: list[str]) -> bool:
    """Whether the tool works on the test database: its environment variable names the
    test environment, an ``--env``/``-e`` option does, or an env file for tests
    (``dotenv -e .env.test --``) is loaded before it."""
    for name in _ENV_VARIABLES.get(tool, ()):
        value = env.get(name, "").lower()
        if value in _TEST_NAMES or (name == "DJANGO_SETTINGS_MODULE" and "test" in value):
            return True
    for k, word in enumerate(rest):
        if word.startswith("--env=") and word[6:].lower() in _TEST_NAMES:
            return True
        if word in ("--env", "-e") and rest[k + 1:k + 2] and rest[k + 1].lower() in _TEST_NAMES:
            return True
    return any(os.path.basename(w).lower() in (".env.test", ".env.testing") for w in before)
