"""SessionStart: remind the session of this project's most useful memories.

Event:  SessionStart (every source: startup, resume, clear, compact).
Output: ``Outcome(context=…)`` of at most ``BUDGET`` characters: pinned
        memories first, then memories that carry lessons or decisions, newest
        first, then the rest; one line each. Nothing when the project has no
        memories.
Fails open: without a data folder or a usable database the session starts
        without memories; the reason goes to the runtime log.

The block is kept ready in ``<data folder>/recall/recall-<FNV-1a of project>``:
every write of the memory store rewrites it (``refresh``) under the database's
write lock, so the hook reads one small file and starts without SQLite. Its
first line names the database file (device and inode) and the project; when
that does not match (a new or restored database, a hash collision, no file
yet) the hook reads the database and writes the file again. A change made to
the database by other means than PACT shows at the next PACT write. When
records wait in the spool (a write found the database locked), the hook
connects first, which stores them and so refreshes the file.
"""

from __future__ import annotations

import os

from ..hook import Event, Outcome
from ..log import log
from ..paths import db_path, spool_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable
    from typing import Any

BUDGET = 1000
LINE_CHARS = 240
CANDIDATES = 30
COUNT_CAP = 1000


def on_session_start(event: Event) -> Outcome | None:
    home = event.home
    if not home:
        return None
    try:
        if os.path.isdir(spool_dir(home)):  # records wait for a lock that was held
            from .. import db

            db.connect(home).close()  # stores them, if the lock is free now
        text = _cached(home, event.project)
        if text is None:
            text = _from_database(home, event.project)
    except Exception as exc:  # a broken memory must never stop a session
        log(f"memory recall skipped: {type(exc).__name__}: {exc}", home)
        return None
    return Outcome(context=text) if text else None


def refresh(conn: sqlite3.Connection, projects: Iterable[str]) -> None:
    """Rewrite the recall file of each project after a change to its memories.

    Runs under the write lock, so of two writers the later one also writes
    the file last. Never raises: a file that cannot be written is removed, so
    the next session reads the database instead of a stale file.
    """
    from .. import db

    home = _home_of(conn)
    if home is None:
        return
    try:
        with db.write(conn):
            for project in set(projects):
                _write(home, project, _render_from(conn, project))
    except Exception as exc:
        log(f"recall file not refreshed: {type(exc).__name__}: {exc}", home)
        for project in set(projects):
            try:  # noqa: SIM105 - contextlib costs hooks milliseconds to import
                os.remove(cache_path(home, project))
            except OSError:
                pass


def cache_path(home: str, project: str) -> str:
    return os.path.join(home, "recall", f"recall-{_fnv1a(project.encode('utf-8')):08x}")


def _fnv1a(data: bytes) -> int:
    """32-bit FNV-1a: a path's hash in microseconds, without loading zlib (0.3 ms)."""
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def rank(memories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pinned first, then memories with lessons or decisions, each group newest first."""
    def key(m: dict[str, Any]) -> tuple[bool, bool, str]:
        return (not m["pinned"], not (m["lessons"] or m["decisions"]), _negated(m["updated"]))

    return sorted(memories, key=key)


def render(memories: list[dict[str, Any]], total: int) -> str:
    """The context block, never longer than BUDGET characters."""
    lines = [line for _, line in _fitting(memories, total)]
    return _join(_header(len(lines), total), lines) if lines else ""


def _fitting(memories: list[dict[str, Any]], total: int) -> list[tuple[dict[str, Any], str]]:
    """The memories the block has room for, in its order, each with its line."""
    from .render import clip, summary_line

    kept: list[tuple[dict[str, Any], str]] = []
    for memory in rank(memories):
        tags = " pinned" if memory["pinned"] else ""
        who = memory["agent"].split(":", 1)[-1] or "user"
        line = clip(f"- {memory['id']}{tags} ({who}, {memory['updated'][:10]}): "
                    f"{summary_line(memory)}", LINE_CHARS)
        lines = [text for _, text in kept] + [line]
        if len(_join(_header(len(lines), total), lines)) > BUDGET:
            break
        kept.append((memory, line))
    return kept


def pinned_room(conn: sqlite3.Connection, project: str) -> tuple[list[str], int]:
    """(ids of the pinned memories the session-start block shows, pinned memories in all)."""
    from . import store

    pinned = conn.execute("SELECT count(*) FROM memories INDEXED BY memories_pinned "
                          "WHERE project = ? AND pinned = 1", (project,)).fetchone()[0]
    rowids = store.recent_rowids(conn, project, CANDIDATES, pinned_first=True)
    shown = _fitting(store.summaries(conn, rowids), _total(conn, project))
    return [m["id"] for m, _ in shown if m["pinned"]], int(pinned)


def _cached(home: str, project: str) -> str | None:
    """The ready block, or None when the file is missing or names another database/project."""
    stamp = _stamp(home, project)
    if stamp is None:
        return ""  # no database: nothing was ever saved (and the hook does not create one)
    try:
        with open(cache_path(home, project), encoding="utf-8") as f:
            first, _, text = f.read().partition("\n")
    except (OSError, ValueError):
        return None
    return text if first == stamp else None


def _from_database(home: str, project: str) -> str:
    from .. import db
    from . import store

    conn = store.open_store(home)
    try:
        with db.write(conn):
            text = _render_from(conn, project)
            try:
                _write(home, project, text)
            except OSError as exc:  # the block is still good for this session
                log(f"recall file not written: {exc}", home)
    finally:
        conn.close()
    return text


def _render_from(conn: sqlite3.Connection, project: str) -> str:
    from . import store

    rowids = store.recent_rowids(conn, project, CANDIDATES, pinned_first=True)
    return render(store.summaries(conn, rowids), _total(conn, project))


def _total(conn: sqlite3.Connection, project: str) -> int:
    # Counted up to a cap: this runs after every write, and a full count of a
    # large project costs milliseconds each time; "30 of 1,000+" says enough.
    total = conn.execute("SELECT count(*) FROM (SELECT 1 FROM memories WHERE project = ? "
                         "LIMIT ?)", (project, COUNT_CAP + 1)).fetchone()[0]
    return int(total)


def _stamp(home: str, project: str) -> str | None:
    try:
        st = os.stat(db_path(home))
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino} {project}"


def _write(home: str, project: str, text: str) -> None:
    stamp = _stamp(home, project)
    if stamp is None:
        return
    path = cache_path(home, project)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    partial = f"{path}.{os.getpid()}.tmp"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"{stamp}\n{text}")
    os.replace(partial, path)


def _home_of(conn: sqlite3.Connection) -> str | None:
    for _, name, path in conn.execute("PRAGMA database_list"):
        if name == "main" and path:
            return os.path.dirname(path)
    return None


def _header(shown: int, total: int) -> str:
    count = f"{COUNT_CAP:,}+" if total > COUNT_CAP else f"{total:,}"
    return (f"PACT memory for this project ({shown} of {count}; `pact-memory search WORDS` "
            "finds more, `pact-memory show ID` gives details):")


def _join(header: str, lines: list[str]) -> str:
    return "\n".join([header, *lines])


def _negated(stamp: str) -> str:
    # Newest first inside an ascending sort: invert each digit of the timestamp.
    return stamp.translate(str.maketrans("0123456789", "9876543210"))
