"""The runtime's one SQLite file: ``<data folder>/pact.db``.

Shared by the memory store and the signal log, which take ``sqlite3`` from
here (``from ..db import sqlite3``) so that no process loads more of it than
it needs. WAL, a busy timeout and
``BEGIN IMMEDIATE`` for every write, so several hooks and commands running at
once queue instead of failing. The schema is built and upgraded by ordered
migrations counted in ``PRAGMA user_version``; each runs in its own
transaction and re-checks the version under the write lock, so two processes
opening a new file at the same moment migrate it once. A file of a newer
schema is refused.

Failures reach callers as a ``StoreError`` whose words fit the cause:
``DatabaseLocked`` (another program kept the write lock past the busy timeout;
try again), ``DatabaseReadOnly`` (permissions), ``DatabaseDamaged`` (the only
one whose advice is to move the file aside). ``explain`` words any sqlite3
error that way.

A record that could not be written because the database was locked can be
``spool``ed: kept as a file in ``<data folder>/spool/`` and stored by the next
``connect`` that finds the write lock free (``drain``). The folder exists only
while something waits in it, so the common path pays one ``stat``.
"""

from __future__ import annotations

import os

from .paths import DB_NAME, db_path, ensure_private_dir, spool_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable
    from types import TracebackType
    from typing import Any
else:
    try:
        # The C half alone: the sqlite3 package's Python half (dbapi2) loads datetime and
        # collections.abc for adapters the runtime never uses, about 3 ms on every command
        # and hook. Its classes are the package's own (sqlite3.Error is _sqlite3.Error).
        import _sqlite3 as sqlite3
    except ImportError:  # pragma: no cover (CPython builds both or neither)
        import sqlite3

__all__ = ["DB_NAME", "DatabaseDamaged", "DatabaseLocked", "DatabaseReadOnly", "StoreError",
           "connect", "db_path", "drain", "explain", "migrate", "spool", "sqlite3", "write"]

BUSY_TIMEOUT_S = 10.0
SCHEMA_VERSION = 4  # len(_migrations()); a test keeps the two equal
REJECTED_DIR = "spool-rejected"
# kind -> (module under pact_runtime, function). ``function(conn, home, payload)`` stores
# one spooled record; it must be idempotent (a record whose process dies between storing
# it and removing its file is handed over again) and raise ValueError, TypeError or
# KeyError for a payload it cannot use.
SPOOL_HANDLERS = {"memory": ("memory.capture", "store_spooled"),
                  "signal": ("signals.handoff", "store_spooled")}


class StoreError(Exception):
    """The database cannot be opened or used; the message says why."""


class DatabaseLocked(StoreError):
    """Another connection held the write lock for longer than the busy timeout."""


class DatabaseReadOnly(StoreError):
    """The file or its folder cannot be written."""


class DatabaseDamaged(StoreError):
    """The file's pages do not hold what its schema says."""


def _migrations() -> list[Callable[[sqlite3.Connection], None]]:
    # Order is the schema's history: append, never reorder or edit a shipped step.
    from .memory import schema as memory_schema
    from .signals import schema as signals_schema

    return [memory_schema.migrate_1, signals_schema.migrate_1, signals_schema.migrate_2,
            memory_schema.migrate_2]


def connect(home: str) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the database in ``home``.

    Raises StoreError (or one of its kinds) with a readable message when the
    folder or file cannot be used. Stores what waits in the spool, if anything.
    """
    path = db_path(home)
    try:
        ensure_private_dir(home)
        if not os.path.exists(path):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except OSError as exc:
        raise _folder_error(home, path, exc) from exc
    except sqlite3.Error as exc:
        raise explain(exc, path) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except StoreError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise explain(exc, path) from exc
    if os.path.isdir(spool_dir(home)):
        drain(conn, home)
    return conn


def write(conn: sqlite3.Connection) -> _Transaction:
    """A write transaction taken with ``BEGIN IMMEDIATE``; rolled back on error.

    ``with db.write(conn) as c: ...``. A lock held too long, a read-only or a
    damaged file, inside the block or at its start, raises the StoreError
    that says so; other errors pass unchanged.
    """
    return _Transaction(conn)


class _Transaction:
    # A class, not contextlib.contextmanager: contextlib costs hooks ~3 ms to import.
    # Inside another write it is a savepoint: its work is undone alone on error, and
    # kept or lost with the outer transaction (an import stores every record or none).
    __slots__ = ("conn", "savepoint")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.savepoint = ""

    def __enter__(self) -> sqlite3.Connection:
        if self.conn.in_transaction:
            self.savepoint = f"pact_{id(self):x}"
            self.conn.execute(f"SAVEPOINT {self.savepoint}")
            return self.conn
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise explain(exc, _path_of(self.conn)) from exc
        return self.conn

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.savepoint:
            if kind is not None and self.conn.in_transaction:
                self.conn.execute(f"ROLLBACK TO {self.savepoint}")
            if self.conn.in_transaction:
                self.conn.execute(f"RELEASE {self.savepoint}")
            return
        if kind is None:
            try:
                self.conn.execute("COMMIT")
                return
            except sqlite3.Error as error:
                _rollback(self.conn)
                raise explain(error, _path_of(self.conn)) from error
        _rollback(self.conn)
        if isinstance(exc, sqlite3.Error) and cause(exc):
            raise explain(exc, _path_of(self.conn)) from exc


def _rollback(conn: sqlite3.Connection) -> None:
    # SQLite rolls back by itself after some errors (a full disk, damage).
    if conn.in_transaction:
        try:  # noqa: SIM105 - contextlib costs hooks milliseconds to import
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def migrate(conn: sqlite3.Connection) -> int:
    """Apply pending migrations; returns the schema version reached.

    Loads the migration steps (and with them the signals package) only when
    the file is behind, so opening a current database costs one PRAGMA.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return version
    if version > SCHEMA_VERSION:
        raise StoreError(f"the PACT database {_path_of(conn)} was made by a newer PACT "
                         f"(schema version {version}; this PACT knows up to {SCHEMA_VERSION}); "
                         "update the PACT plugin, or set PACT_HOME to another folder")
    steps = _migrations()
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


# ---------------------------------------------------------------- what went wrong

# SQLite's (and the sqlite3 module's) words for a file whose pages do not hold
# what its schema says.
_DAMAGE_WORDS = ("malformed", "corrupt", "not a database", "vtable constructor failed",
                 "could not decode to utf-8")


def cause(exc: BaseException) -> str:
    """What ``exc`` says of the file: ``locked``, ``readonly``, ``damaged``, ``cantopen``,
    ``full``, ``io``, or "" for any other error."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")  # Python 3.11+
    text = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or any(
            w in text for w in ("database is locked", "database table is locked", "is busy")):
        return "locked"
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return "readonly"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or any(
            w in text for w in _DAMAGE_WORDS):
        return "damaged"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        return "cantopen"
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return "full"
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return "io"
    return ""


def explain(exc: BaseException, path: str) -> StoreError:
    """The StoreError that says in words what ``exc`` means for the database at ``path``."""
    kind, detail = cause(exc), detail_of(exc)
    if kind == "cantopen" and _not_writable(path):
        kind = "readonly"
    if kind == "locked":
        return DatabaseLocked(
            f"another program is writing to the PACT database {path} and has held its write "
            f"lock for over {BUSY_TIMEOUT_S:g} s; nothing was changed, try again in a moment")
    if kind == "readonly":
        return DatabaseReadOnly(
            f"the PACT database {path} is read-only ({detail}); PACT writes to the file and "
            "its folder, so both must belong to you and be writable")
    if kind == "damaged":
        return DatabaseDamaged(damaged_message(path, detail))
    if kind == "full":
        return StoreError(f"the disk holding the PACT database {path} is full; nothing was "
                          "changed, free some space and try again")
    if kind == "io":
        return StoreError(f"the PACT database {path} could not be read or written ({detail}); "
                          "check the disk it is on")
    return StoreError(f"cannot use the PACT database {path} ({detail})")


def damaged_message(path: str, detail: str) -> str:
    if "not a database" in detail:  # its header is gone: SQLite cannot read a page of it
        return (f"the PACT database {path} is damaged ({detail}), so nothing in it can be "
                "read; move the file aside to start a new one, and `pact-memory import` an "
                "earlier export if you have one")
    return (f"the PACT database {path} is damaged ({detail}); `pact-memory export > saved.jsonl` "
            "keeps every memory that can still be read, then move the file aside to start a "
            "new one and `pact-memory import < saved.jsonl`")


def detail_of(exc: BaseException) -> str:
    """The error's own words, without the raw bytes of a text that is not UTF-8."""
    text = str(exc)
    if text.startswith("Could not decode to UTF-8 column "):
        column = text.split("'")[1] if text.count("'") >= 2 else "?"
        return f"a stored {column} is not valid UTF-8"
    return text


def _not_writable(path: str) -> bool:
    folder = os.path.dirname(path) or "."
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return True
    return os.path.isdir(folder) and not os.access(folder, os.W_OK | os.X_OK)


def _folder_error(home: str, path: str, exc: OSError) -> StoreError:
    if os.path.exists(home) and not os.path.isdir(home):
        return StoreError(f"the PACT data folder {home} is a file, not a folder; point "
                          "PACT_HOME at a folder")
    if isinstance(exc, NotADirectoryError):
        return StoreError(f"the PACT data folder {home} cannot be made: a part of that path "
                          "is a file, not a folder; point PACT_HOME at a folder")
    if isinstance(exc, PermissionError):
        return DatabaseReadOnly(f"the PACT data folder {home} cannot be written (permission "
                                "denied); point PACT_HOME at a folder of yours")
    return StoreError(f"cannot open the PACT database {path}: {exc.strerror or exc}")


def _path_of(conn: sqlite3.Connection) -> str:
    try:
        for _, name, path in conn.execute("PRAGMA database_list"):
            if name == "main":
                return str(path)
    except sqlite3.Error:
        pass
    return DB_NAME


# ---------------------------------------------------------------- the spool


def spool(home: str, kind: str, payload: dict[str, Any]) -> str:
    """Keep a record that a locked database could not take; returns the file it is in.

    The next ``connect`` that finds the write lock free hands it to the
    ``SPOOL_HANDLERS`` function of ``kind`` and removes the file. The file is
    private (0600 in a 0700 folder) and written whole under a temporary name,
    so a reader never meets half a record. Raises OSError when it cannot be
    written.
    """
    import time

    from .fastjson import dumps

    if kind not in SPOOL_HANDLERS:
        raise ValueError(f"no spool handler for {kind!r}")
    folder = spool_dir(home)
    name = f"{time.time_ns():020d}-{os.getpid()}-{os.urandom(3).hex()}.json"
    data = dumps({"kind": kind, "payload": payload}).encode("utf-8")
    for attempt in range(3):
        try:
            ensure_private_dir(folder)
            partial = os.path.join(folder, f".{name}.tmp")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(partial, os.path.join(folder, name))
            return os.path.join(folder, name)
        except FileNotFoundError:  # a drain removed the empty folder in between
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover (the loop returns or raises)


def drain(conn: sqlite3.Connection, home: str) -> int:
    """Store what waits in the spool, oldest first; returns how many were stored.

    Never waits for the lock: when another writer holds it, the records stay
    for the next connect. A file that is not a record, or that its handler
    refuses, moves to ``spool-rejected/`` and is logged; the spool folder is
    removed once empty. Never raises.
    """
    folder = spool_dir(home)
    try:
        names = sorted(n for n in os.listdir(folder) if not n.startswith("."))
    except OSError:
        return 0
    stored = 0
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        for name in names:
            outcome = _drain_one(conn, home, os.path.join(folder, name))
            if outcome == "wait":  # the lock is taken, or the database unusable: later
                break
            stored += outcome == "stored"
    finally:
        try:  # noqa: SIM105
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        except sqlite3.Error:
            pass
    _tidy(folder)
    return stored


def _drain_one(conn: sqlite3.Connection, home: str, path: str) -> str:
    """``stored``, ``rejected``, ``gone`` (another process took it), ``kept`` (no
    handler for its kind in this version) or ``wait`` (try the rest later)."""
    from .fastjson import loads
    from .log import log

    try:
        with open(path, encoding="utf-8") as f:
            record = loads(f.read())
        kind, payload = record["kind"], record["payload"]
        module, function = SPOOL_HANDLERS[kind]
    except FileNotFoundError:
        return "gone"
    except (OSError, ValueError, TypeError, KeyError) as exc:
        return _reject(home, path, f"not a spooled record ({type(exc).__name__}: {exc})")
    try:
        handler = getattr(__import__(f"{__package__}.{module}", fromlist=[function]), function)
    except (ImportError, AttributeError) as exc:
        log(f"spooled {kind} record {path} kept: no handler ({exc})", home)
        return "kept"
    try:
        handler(conn, home, payload)
    except (ValueError, TypeError, KeyError) as exc:
        return _reject(home, path, f"refused by its handler ({type(exc).__name__}: {exc})")
    except (StoreError, sqlite3.Error) as exc:  # locked again, or the database is unusable
        if not isinstance(exc, DatabaseLocked) and cause(exc) != "locked":
            log(f"spooled {kind} record {path} waits: {exc}", home)
        return "wait"
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log(f"spooled record {path} was stored but not removed ({exc})", home)
        return "wait"
    return "stored"


def _reject(home: str, path: str, why: str) -> str:
    from .log import log

    target = os.path.join(home, REJECTED_DIR, os.path.basename(path))
    try:
        ensure_private_dir(os.path.dirname(target))
        os.replace(path, target)
    except OSError as exc:
        log(f"spooled record {path} is {why}; it could not be moved aside ({exc})", home)
        return "wait"
    log(f"spooled record moved to {target}: {why}", home)
    return "rejected"


def _tidy(folder: str) -> None:
    """Remove temporary files a crash left (older than an hour), then the folder if empty."""
    import time

    try:
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            if name.startswith(".") and os.path.getmtime(path) < time.time() - 3600:
                os.remove(path)
        os.rmdir(folder)
    except OSError:  # not empty, or gone: both are fine
        pass
