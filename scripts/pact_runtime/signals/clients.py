"""SQL clients and shells by name, and a string-only test of whether a command names one.

Kept apart from ``sqlscan`` so the guard can rule out most commands that merely
contain an SQL word (``git commit -m "update …"``) without importing ``re``,
``shlex`` or sqlglot.
"""

from __future__ import annotations

# Client name -> sqlglot dialect (None: the tolerant default).
CLIENTS: dict[str, str | None] = {
    "psql": "postgres", "pgcli": "postgres", "cockroach": "postgres",
    "mysql": "mysql", "mariadb": "mysql", "mycli": "mysql",
    "sqlite3": "sqlite", "litecli": "sqlite", "duckdb": "duckdb",
    "clickhouse-client": "clickhouse", "clickhouse": "clickhouse",
    "usql": None, "trino": "trino",
}
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh"})
_RUNNERS = frozenset(CLIENTS) | SHELLS | {"eval"}
_SEPARATORS = str.maketrans({c: " " for c in "\n\t;|&()<>'\"`$={}"})


def names_a_runner(command: str) -> bool:
    """True when some word of ``command`` is an SQL client, a shell or ``eval``."""
    for word in command.translate(_SEPARATORS).split():
        if word.rsplit("/", 1)[-1] in _RUNNERS:
            return True
    return False
