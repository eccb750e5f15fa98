"""The runtime's one SQLite file: ``<data folder>/pact.db``.

Shared by the memory store and the signal log. WAL, a busy timeout and
``BEGIN IMMEDIATE`` for every write, so several hooks and commands running at
once queue instead of failing. The schema is built and upgraded by ordered
migrations counted in ``PRAGMA user_version``; each runs in its own
transaction and re-checks the version under the write lock, so two processes
opening a new file at the same moment migrate it once.
"""

from __future__ import annotations

import os
import sqlite3

from .paths import DB_NAME, db_path, ensure_private_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

__all__ = ["DB_NAME", "StoreError", "connect", "db_path", "migrate", "write"]

BUSY_TIMEOUT_S = 10.0


class StoreError(Exception):
    """The database cannot be opened or used; the message says why."""


def _migrations() -> list[Callable[[sqlite3.Connection], None]]:
    # Order is the schema's history: append, never reorder or edit a shipped step.
    from .memory import schema as memory_schema
    from .signals import schema as signals_schema

    return [memory_schema.migrate_1, signals_schema.migrate_1]


def connect(home: str) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the database in ``home``.

    Raises StoreError with a readable message when the file is not a usable
    SQLite database or the folder cannot be written.
    """
    path = db_path(home)
    try:
        ensure_private_dir(home)
        if not os.path.exists(path):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the PACT database {path}: {exc}") from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(
            f"the PACT database {path} is unreadable ({exc}); move it aside to start "
            "a new one, or restore it from a `pact-memory export` file"
        ) from exc
    return conn


def write(conn: sqlite3.Connection) -> _Transaction:
    """A write transaction taken with ``BEGIN IMMEDIATE``; rolled back on error.

    ``with db.write(conn) as c: ...``
    """
    return _Transaction(conn)


class _Transaction:
    # A class, not contextlib.contextmanager: contextlib costs hooks ~3 ms to import.
    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.conn.execute("ROLLBACK" if kind is not None else "COMMIT")


def migrate(conn: sqlite3.Connection) -> int:
    """Apply pending migrations; returns the schema version reached."""
    steps = _migrations()
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    while version < len(steps):
        with write(conn):
            # Re-read under the write lock: another process may have migrated.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= len(steps):
                break
            steps[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        version += 1
    return version
