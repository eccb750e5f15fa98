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
}
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh"})
_RUNNERS = frozenset(CLIENTS) | SHELLS | {"eval"}
# Quotes are dropped, not split on: bash joins `p'sql'` into the one word psql.
_SEPARATORS = str.maketrans({**{c: " " for c in "\n\t;|&()<>`$={}"}, "'": None, '"': None})


def names_a_runner(command: str) -> bool:
    """True when some word of ``command`` is an SQL client, a shell or ``eval``.

    ``ssh``, ``su -c`` and ``watch`` need no name here: the client they run is
    a word of the same command line.
    """
    for word in command.translate(_SEPARATORS).split():
        if word.rsplit("/", 1)[-1] in _RUNNERS:
            return True
    return False
