"""SQL clients and shells by name, and a string-only test of whether a command names one.

Kept apart from ``sqlscan`` so the guard can rule out most commands that merely
contain an SQL word (``git commit -m "update …"``) without importing ``re``,
the command reader or sqlglot.
"""

from __future__ import annotations

# Client name -> sqlglot dialect (None: the tolerant default).
CLIENTS: dict[str, str | None] = {
    "psql": "postgres", "pgcli": "postgres", "cockroach": "postgres",
    "mysql": "mysql", "mariadb": "mysql", "mycli": "mysql",
    "sqlite3": "sqlite", "litecli": "sqlite", "duckdb": "duckdb",
    "clickhouse-client": "clickhouse", "clickhouse": "clickhouse",
    "usql": None, "trino": "trino", "presto": "presto", "mysqlsh": "mysql",
    "sqlcmd": "tsql", "snowsql": "snowflake", "cqlsh": None, "bq": "bigquery",
    "sqlplus": "oracle", "hive": "hive", "beeline": "hive", "spark-sql": "spark",
    "impala-shell": "hive", "vsql": None,
    # They drop a whole database: `dropdb NAME`, `mysqladmin drop NAME` (see sqlsources).
    "dropdb": "postgres", "mysqladmin": "mysql", "mariadb-admin": "mysql",
    # Framework and platform tools that hand SQL to a database (see sqlsources._TOOLS):
    # `prisma db execute`, `manage.py dbshell`, `rails dbconsole`, `wrangler d1 execute`,
    # `turso db shell`, `heroku pg:psql`, `gcloud sql connect`.
    "prisma": None, "manage.py": None, "django-admin": None, "rails": None,
    "wrangler": "sqlite", "turso": "sqlite", "heroku": "postgres", "gcloud": None,
}
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh"})
# Database drivers by the word a one-liner names them with (`import sqlite3`,
# `require('better-sqlite3')`): a `python -c`/`node -e` body naming one is read for SQL.
DRIVERS = frozenset({"sqlite3", "psycopg", "psycopg2", "pymysql", "MySQLdb", "asyncpg",
                     "sqlalchemy", "duckdb", "better-sqlite3", "pg", "mysql2", "postgres",
                     "knex", "sequelize", "libsql", "@libsql/client", "mysql.connector"})
# Framework tools with a command that empties the database (`artisan migrate:fresh`,
# `flyway clean`; the commands are in sqlsources._RESETS) and not already clients.
RESET_TOOLS = frozenset({"rake", "artisan", "sail", "supabase", "sequelize", "sequelize-cli",
                         "typeorm", "typeorm-ts-node-commonjs", "typeorm-ts-node-esm", "mix",
                         "dotnet", "flyway", "liquibase", "knex", "alembic", "django", "mvn",
                         "mvnw", "gradle", "gradlew"})
# Words of an ORM call that may change every row (sqlsources._ORM_WIPE has the calls): a
# one-liner holding one is read even when it names no client or driver.
ORM_WORDS = ("delete_all", "destroy_all", "update_all", ".objects", ".query(", "deleteMany",
             "delete_many", ".destroy(")
_RUNNERS = frozenset(CLIENTS) | SHELLS | DRIVERS | RESET_TOOLS | {"eval"}
# Quotes are dropped, not split on: bash joins `p'sql'` into the one word psql.
_SEPARATORS = str.maketrans({**{c: " " for c in "\n\t;|&()<>`$={},"}, "'": None, '"': None})


def names_a_runner(command: str) -> bool:
    """True when some word of ``command`` is an SQL client or tool, a database driver's
    name, a shell or ``eval``.

    ``ssh``, ``su -c`` and ``watch`` need no name here: the client they run is
    a word of the same command line.
    """
    for word in command.translate(_SEPARATORS).split():
        base = word.rsplit("/", 1)[-1]
        if base in _RUNNERS or word in _RUNNERS:
            return True
        if "@" in base[1:] and base.split("@", 1)[0] in _RUNNERS:  # `npx prisma@5.22.0`
            return True
    return False
