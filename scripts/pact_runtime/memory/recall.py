"""SessionStart: remind the session of this project's most useful memories.

Event:  SessionStart (every source: startup, resume, clear, compact).
Output: ``Outcome(context=…)`` of at most ``BUDGET`` characters: pinned
        memories first, newest pin first, then memories that carry lessons or
        decisions, newest first, then the rest; one line each. When the pins do
        not all fit, a last line names those left out. Nothing when the project
        has no memories.
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
    """Pinned first, newest pin first; then memories with lessons or decisions, newest first;
    then the rest, newest first."""
    def key(m: dict[str, Any]) -> tuple[bool, str, bool, str]:
        # A pin without a time (a row written by other means) counts as the oldest.
        pin = (_negated(m["pinned_at"]) if m["pinned_at"] else "~") if m["pinned"] else ""
        return (not m["pinned"], pin, not (m["lessons"] or m["decisions"]),
                _negated(m["updated"]))

    return sorted(memories, key=key)


def render(memories: list[dict[str, Any]], total: int, pinned: int = 0) -> str:
    """The context block, never longer than BUDGET characters.

    ``pinned``: how many memories the project has pinned, when more than
    ``memories`` holds; the pins left out are named on the block's last line.
    """
    kept, tail = _fitting(memories, total, pinned)
    lines = [line for _, line in kept] + ([tail] if tail else [])
    return _join(_header(len(kept), total), lines) if lines else ""


def _fitting(memories: list[dict[str, Any]], total: int,
             pinned: int = 0) -> tuple[list[tuple[dict[str, Any], str]], str]:
    """(the memories the block has room for, in its order, each with its line; the line
    naming the pins left out, or "")."""
    from .render import clip, summary_line

    ranked = rank(memories)
    pins = [m["id"] for m in ranked if m["pinned"]]
    pinned = max(pinned, len(pins))
    kept: list[tuple[dict[str, Any], str]] = []
    lines: list[str] = []
    shown = 0  # pins among the kept: they come first, so pins[shown:] are left out
    tail = ""
    for memory in ranked:
        tags = " pinned" if memory["pinned"] else ""
        who = memory["agent"].split(":", 1)[-1] or "user"
        line = clip(f"- {memory['id']}{tags} ({who}, {memory['updated'][:10]}): "
                    f"{summary_line(memory)}", LINE_CHARS)
        block = _join(_header(len(lines) + 1, total), [*lines, line])
        after = shown + bool(memory["pinned"])
        rest = _left_out(pins[after:], pinned - after, BUDGET - len(block) - 1)
        if len(block) > BUDGET or rest is None:
            break
        kept.append((memory, line))
        lines.append(line)
        shown, tail = after, rest
    if not kept and pinned:  # not even one line fits beside the header
        tail = _left_out(pins, pinned, BUDGET - len(_header(0, total)) - 1) or ""
    return kept, tail


def _left_out(ids: list[str], count: int, room: int) -> str | None:
    """The line naming ``count`` pins the block leaves out: as many of ``ids`` as fit in
    ``room`` characters, then how many more. "" for none; None when it cannot fit."""
    if count <= 0:
        return ""
    named: list[str] = []
    best = _left_out_line(named, count)
    for ident in ids:
        line = _left_out_line([*named, " ".join(ident.split())], count)
        if len(line) > room:
            break
        named.append(" ".join(ident.split()))
        best = line
    return best if len(best) <= room else None


def _left_out_line(named: list[str], count: int) -> str:
    more = count - len(named)
    if not named:
        what = f"{more} more {'memory' if more == 1 else 'memories'}"
    else:
        what = ", ".join(named) + (f" and {more} more" if more else "")
    return f"Pinned but left out for room: {what}; `pact-memory list --pinned` lists every pin."


def pinned_room(conn: sqlite3.Connection, project: str) -> tuple[list[str], list[str], int]:
    """(ids of the pinned memories the session-start block shows, ids of those it leaves
    out as far as they are known, pinned memories in all)."""
    memories, pinned = _candidates(conn, project)
    kept, _ = _fitting(memories, _total(conn, project), pinned)
    shown = [m["id"] for m, _ in kept if m["pinned"]]
    left = [m["id"] for m in rank(memories) if m["pinned"] and m["id"] not in shown]
    return shown, left, pinned


def _candidates(conn: sqlite3.Connection, project: str) -> tuple[list[dict[str, Any]], int]:
    """(the memories the block may show, how many the project has pinned)."""
    from . import store

    rowids = store.recent_rowids(conn, project, CANDIDATES, pinned_first=True)
    memories = store.summaries(conn, rowids)
    pins = sum(1 for m in memories if m["pinned"])
    # Only a full list of candidates can leave pins uncounted.
    return memories, (store.count_pinned(conn, project) if pins >= CANDIDATES else pins)


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
    memories, pinned = _candidates(conn, project)
    return render(memories, _total(conn, project), pinned)


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
