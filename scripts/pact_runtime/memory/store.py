"""Saving, reading and removing memories.

A memory is a plain dict with the keys in ``KEYS`` (the ``--json`` shape of
the command). Every text is redacted before it is stored. Saving the same
content twice in one project returns the first record's id instead of
storing a copy. The store raises ``StoreError`` (from ``db``) for a database
it cannot use and ``InvalidMemory`` for input it will not store.

Readers that take a ``damaged`` list (``by_rowids``, ``summaries``,
``iter_all``) carry on past a memory whose row or links cannot be read
(damaged pages, text that is not UTF-8) and name it there as (id, reason),
so one bad row does not hide the others.
"""

from __future__ import annotations

import os
import time

from .. import db
from ..db import sqlite3
from ..fastjson import dumps, loads
from . import schema
from .index import add_to_index, remove_from_index
from .record import (
    EXPORT_ONLY,
    LISTS,
    SOURCES,
    InvalidMemory,
    agent_forms,
    import_keys,
    normalize,
    unique,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

KEYS = ("id", "created", "updated", "project", "session_id", "agent", "phase", "context",
        "goal", "lessons", "decisions", "uncertainties", "entities", "files", "tags",
        "pinned", "source", "pinned_at")
_COLUMNS = ("rowid", "id", "created", "updated", "project", "session_id", "agent", "phase",
            "context", "goal", "lessons", "decisions", "uncertainties", "tags", "pinned",
            "source", "pinned_at")


StoreError = db.StoreError
Damaged = list  # of (memory id, or "row N" when even that is unreadable; the reason)


def open_store(home: str) -> sqlite3.Connection:
    """Connect, migrate, and make sure the search index matches this SQLite."""
    conn = db.connect(home)
    try:
        ensure_index(conn)
    except StoreError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise db.explain(exc, db.db_path(home)) from exc
    return conn


def ensure_index(conn: sqlite3.Connection) -> bool:
    """Build the FTS5 index when it is missing or stale; False without FTS5."""
    if not schema.fts5_available(conn):
        return False
    if schema.index_exists(conn) and not schema.index_stale(conn):
        return True
    with db.write(conn):
        # Re-check under the write lock: another process may have built it.
        if schema.index_exists(conn) and not schema.index_stale(conn):
            return True
        schema.create_index(conn)
        rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM memories").fetchall()
        for row in rows:
            add_to_index(conn, _from_row(conn, row), row[0])
    return True


def now_iso(clock: float | None = None) -> str:
    """UTC ISO-8601 with milliseconds, e.g. ``2026-12-03T19:12:21.123Z``."""
    t = time.time() if clock is None else clock
    return _iso_ms(int(t * 1000))


def _iso_ms(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def new_id() -> str:
    return "m-" + os.urandom(5).hex()


def save(conn: sqlite3.Connection, record: dict[str, Any], *, project: str, source: str,
         ident: str | None = None, created: str | None = None, updated: str | None = None,
         pinned_at: str | None = None, refresh: bool = True) -> tuple[str, bool]:
    """Store a normalized record; returns (id, True) or (existing id, False) for a duplicate.

    A pinned record is pinned at ``pinned_at`` (an import's), else now, ahead of the
    project's other pins. ``refresh=False`` leaves the project's recall file to the
    caller (a bulk import refreshes once at the end).
    """
    record = redacted(record)
    digest = content_hash(record)
    stamp = created or now_iso()
    with db.write(conn):
        row = conn.execute("SELECT id FROM memories WHERE project = ? AND content_hash = ?",
                           (project, digest)).fetchone()
        if row is not None:
            return row[0], False
        ident = ident or _unused_id(conn)
        pin = "" if not record["pinned"] else pinned_at or _pin_time(
            conn, project, None if created else stamp)
        rowid = _insert(conn, record, ident, project, source, stamp, digest, updated or stamp,
                        pin)
        _link(conn, rowid, record)
        add_to_index(conn, record, rowid)
    if refresh:
        _changed(conn, [project])
    return ident, True


def get(conn: sqlite3.Connection, ident: str) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM memories WHERE id = ?",
                       (ident,)).fetchone()
    return _from_row(conn, row) if row else None


def matching_ids(conn: sqlite3.Connection, text: str) -> list[str]:
    """The ids ``text`` may stand for (at most two): itself, or those its hex digits begin.

    ``0bad7602b3`` and ``m-0bad`` read as ``m-0bad7602b3``; two results mean
    the text is ambiguous.
    """
    ident = text.strip().lower()
    if not ident.startswith("m-"):
        ident = "m-" + ident
    digits = ident[2:]
    if len(digits) < 4 or any(c not in "0123456789abcdef" for c in digits):
        return [text] if get(conn, text) is not None else []
    rows = conn.execute("SELECT id FROM memories WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
                        (ident, ident + "g")).fetchall()
    return [r for (r,) in rows]


def forget(conn: sqlite3.Connection, ident: str) -> bool:
    """Delete a memory and its index entry; False when the id is unknown."""
    with db.write(conn):
        row = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM memories WHERE id = ?",
                           (ident,)).fetchone()
        if row is None:
            return False
        remove_from_index(conn, _from_row(conn, row), row[0])
        conn.execute("DELETE FROM memories WHERE rowid = ?", (row[0],))
    _changed(conn, [row[4]])
    return True


def set_pinned(conn: sqlite3.Connection, ident: str, pinned: bool,
               clock: float | None = None) -> bool | None:
    """Pin (at ``clock``, else now) or unpin; whether it was pinned before, None for an
    unknown id.

    Pinning a pinned memory pins it again, so it leads the project's pins once more.
    The memory keeps its place in "newest first" (``updated`` stays).
    """
    with db.write(conn):
        row = conn.execute("SELECT project, pinned FROM memories WHERE id = ?",
                           (ident,)).fetchone()
        if row is None:
            return None
        stamp = _pin_time(conn, row[0], now_iso(clock)) if pinned else ""
        conn.execute("UPDATE memories SET pinned = ?, pinned_at = ? WHERE id = ?",
                     (int(pinned), stamp, ident))
    _changed(conn, [row[0]])
    return bool(row[1])


def _pin_time(conn: sqlite3.Connection, project: str, stamp: str | None = None) -> str:
    """``stamp`` (default now), or a millisecond after the project's latest pin when that
    is not earlier.

    So the newest pin leads even when two pins share a millisecond or the clock
    was set back.
    """
    stamp = stamp or now_iso()
    latest = conn.execute("SELECT max(pinned_at) FROM memories INDEXED BY memories_pinned "
                          "WHERE project = ? AND pinned = 1", (project,)).fetchone()[0]
    if latest and latest >= stamp:
        stamp = _iso_ms(_ms_of(latest) + 1)
    return stamp


def _ms_of(stamp: str) -> int:
    """Milliseconds since 1970 of a stored UTC time (``2026-12-03T19:12:21.123Z``)."""
    import calendar

    seconds = calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S"))
    return seconds * 1000 + int((stamp[20:-1] + "000")[:3])


def count_pinned(conn: sqlite3.Connection, project: str) -> int:
    return int(conn.execute("SELECT count(*) FROM memories INDEXED BY memories_pinned "
                            "WHERE project = ? AND pinned = 1", (project,)).fetchone()[0])


def pinned_rowids(conn: sqlite3.Connection, project: str | None, limit: int) -> list[int]:
    """The pinned memories of one project or all, newest pin first."""
    # Named, or the planner walks every row of the project in (project, updated) order.
    where, args = ("WHERE project = ? AND pinned = 1", [project]) if project is not None else (
        "WHERE pinned = 1", [])
    return [r for (r,) in conn.execute(
        f"SELECT rowid FROM memories INDEXED BY memories_pinned {where} "
        "ORDER BY pinned_at DESC, updated DESC, rowid DESC LIMIT ?", (*args, limit))]


def recent_rowids(conn: sqlite3.Connection, project: str | None, limit: int,
                  pinned_first: bool = False) -> list[int]:
    """Newest first (pinned ones first, newest pin first, when asked), in one project or all.

    Pinned and newest are read apart: one ``ORDER BY pinned, updated`` cannot
    use the (project, updated) index and sorts every row of the project, which
    takes a tenth of a second at 50,000 memories and runs after every write.
    """
    where, args = ("WHERE project = ?", [project]) if project is not None else ("", [])
    pinned = pinned_rowids(conn, project, limit) if pinned_first else []
    rows = conn.execute(f"SELECT rowid FROM memories {where} ORDER BY updated DESC, rowid DESC "
                        "LIMIT ?", (*args, limit + len(pinned))).fetchall()
    seen = set(pinned)
    return (pinned + [r for (r,) in rows if r not in seen])[:limit]


def recent(conn: sqlite3.Connection, project: str | None, limit: int,
           pinned_first: bool = False) -> list[dict[str, Any]]:
    rowids = recent_rowids(conn, project, limit, pinned_first)
    found = by_rowids(conn, rowids)
    return [found[r] for r in rowids]


def by_rowids(conn: sqlite3.Connection, rowids: list[int],
              damaged: Damaged | None = None) -> dict[int, dict[str, Any]]:
    """The full memories of ``rowids`` (those the table has); see ``damaged`` above."""
    if not rowids:
        return {}
    marks = ",".join("?" * len(rowids))
    try:
        rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM memories "
                            f"WHERE rowid IN ({marks})", rowids).fetchall()
        return {row[0]: _from_row(conn, row) for row in rows}
    except sqlite3.DatabaseError as exc:
        if damaged is None or db.cause(exc) != "damaged":
            raise
    return _one_by_one(conn, rowids, damaged, lambda rowid: _full(conn, rowid))


_SUMMARY = ("SELECT rowid, id, created, updated, project, agent, pinned, source, pinned_at, "
            "goal, context, "
            "json_extract(lessons, '$[0]'), json_extract(decisions, '$[0].decision'), "
            "json_extract(uncertainties, '$[0]') FROM memories WHERE rowid ")


def summaries(conn: sqlite3.Connection, rowids: list[int],
              damaged: Damaged | None = None) -> list[dict[str, Any]]:
    """Just enough of each memory for a one-line listing, in the given order.

    SQLite's JSON functions pick the first lesson and decision, so listing
    needs no ``json`` import; a SQLite without them gets full records.
    """
    if not rowids:
        return []
    marks = ",".join("?" * len(rowids))
    try:
        rows = conn.execute(f"{_SUMMARY}IN ({marks})", rowids).fetchall()
    except sqlite3.DatabaseError as exc:
        if damaged is not None and db.cause(exc) == "damaged":
            found = _one_by_one(conn, rowids, damaged, lambda rowid: _brief(conn, rowid))
        elif isinstance(exc, sqlite3.OperationalError) and "json_extract" in str(exc):
            found = by_rowids(conn, rowids, damaged)
        else:
            raise
        return [found[r] for r in rowids if r in found]
    by_id = {row[0]: _summary(row) for row in rows}
    return [by_id[r] for r in rowids if r in by_id]


def _full(conn: sqlite3.Connection, rowid: int) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM memories WHERE rowid = ?",
                       (rowid,)).fetchone()
    return _from_row(conn, row) if row else None


def _brief(conn: sqlite3.Connection, rowid: int) -> dict[str, Any] | None:
    try:
        row = conn.execute(f"{_SUMMARY}= ?", (rowid,)).fetchone()
    except sqlite3.OperationalError as exc:
        if "json_extract" not in str(exc):
            raise
        return _full(conn, rowid)
    return _summary(row) if row else None


def _one_by_one(conn: sqlite3.Connection, rowids: Iterable[int], damaged: Damaged,
                read: Callable[[int], dict[str, Any] | None],
                names: dict[int, str] | None = None,
                missing: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """Each memory read by itself, so damage costs only the rows it touches.

    ``names``: ids already known by rowid; ``missing`` collects the rowids the
    table has no row for.
    """
    found = {}
    for rowid in rowids:
        try:
            memory = read(rowid)
        except sqlite3.DatabaseError as exc:
            if db.cause(exc) != "damaged":
                raise
            damaged.append((_label(conn, rowid, (names or {}).get(rowid, "")),
                            db.detail_of(exc)))
            continue
        if memory is not None:
            found[rowid] = memory
        elif missing is not None:
            missing.append(rowid)
    return found


def _label(conn: sqlite3.Connection, rowid: int, known: str = "") -> str:
    """The memory's id read as bytes (so bad text still names it), else ``row N``."""
    if known:
        return known
    try:
        row = conn.execute("SELECT CAST(id AS BLOB) FROM memories WHERE rowid = ?",
                           (rowid,)).fetchone()
    except sqlite3.DatabaseError:
        row = None
    ident = bytes(row[0]).decode("utf-8", "replace") if row and row[0] is not None else ""
    return ident if ident.startswith("m-") and len(ident) == 12 else f"row {rowid}"


def _summary(row: tuple[Any, ...]) -> dict[str, Any]:
    _, ident, created, updated, project, agent, pinned, source, pinned_at, goal, context, \
        lesson, decision, doubt = row
    return {"id": ident, "created": created, "updated": updated, "project": project,
            "agent": agent, "pinned": bool(pinned), "source": source, "pinned_at": pinned_at,
            "goal": goal, "context": context,
            "lessons": [lesson] if lesson else [],
            "decisions": [{"decision": decision}] if decision else [],
            "uncertainties": [doubt] if doubt else []}


def iter_all(conn: sqlite3.Connection, damaged: Damaged | None = None,
             project: str | None = None) -> Iterator[dict[str, Any]]:
    """Every memory (of ``project``, when given), oldest first: the export order.

    With ``damaged``, a table that cannot be read in one pass is salvaged:
    see ``_salvage``.
    """
    where, args = ("WHERE project = ?", [project]) if project is not None else ("", [])
    try:
        rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM memories {where} "
                            "ORDER BY created, rowid", args).fetchall()
    except sqlite3.DatabaseError as exc:
        if damaged is None or db.cause(exc) != "damaged":
            raise
        yield from _salvage(conn, damaged, project)
        return
    for row in rows:
        try:
            memory = _from_row(conn, row)
        except sqlite3.DatabaseError as exc:  # its entities or files are unreadable
            if damaged is None or db.cause(exc) != "damaged":
                raise
            damaged.append((row[1], db.detail_of(exc)))
            continue
        yield memory


# Every way to the memories' rowids, each read until it meets damage: the table
# itself from both ends, and each index (with the id or project it holds).
_ROWID_SCANS = (
    "SELECT rowid, NULL, NULL FROM memories ORDER BY rowid",
    "SELECT rowid, NULL, NULL FROM memories ORDER BY rowid DESC",
    "SELECT rowid, CAST(id AS BLOB), NULL FROM memories INDEXED BY sqlite_autoindex_memories_1 "
    "WHERE id >= '' ORDER BY id",
    "SELECT rowid, CAST(id AS BLOB), NULL FROM memories INDEXED BY sqlite_autoindex_memories_1 "
    "WHERE id >= '' ORDER BY id DESC",
    "SELECT rowid, NULL, CAST(project AS BLOB) FROM memories INDEXED BY memories_by_project "
    "WHERE project >= '' ORDER BY project, updated",
    "SELECT rowid, NULL, CAST(project AS BLOB) FROM memories INDEXED BY memories_by_project "
    "WHERE project >= '' ORDER BY project DESC, updated DESC",
    "SELECT rowid, NULL, CAST(project AS BLOB) FROM memories INDEXED BY memories_by_content "
    "WHERE project >= '' ORDER BY project, content_hash",
)


def _salvage(conn: sqlite3.Connection, damaged: Damaged,
             project: str | None) -> list[dict[str, Any]]:
    """Every memory that can still be read, found by every way there is to it.

    Rows on damaged pages are named in ``damaged`` when an index still knows
    them; rows that no way reaches cannot be named.
    """
    ids: dict[int, str] = {}
    projects: dict[int, str] = {}
    scans = list(_ROWID_SCANS)
    try:  # a stale search index may still hold forgotten rows
        if schema.index_exists(conn) and not schema.index_stale(conn):
            scans.append(f"SELECT id, NULL, NULL FROM {schema.FTS_TABLE}_docsize")
    except sqlite3.DatabaseError:
        pass
    for sql in scans:
        try:
            for rowid, ident, home in conn.execute(sql):
                if ident is not None or rowid not in ids:
                    ids[rowid] = bytes(ident).decode("utf-8", "replace") if ident else ""
                if home is not None:
                    projects[rowid] = bytes(home).decode("utf-8", "replace")
        except sqlite3.DatabaseError as exc:  # damage met, or an index this file lacks
            if db.cause(exc) not in ("damaged", ""):
                raise
    if project is not None:  # leave out what is known to belong elsewhere
        ids = {r: i for r, i in ids.items() if projects.get(r, project) == project}
    missing: list[int] = []
    found = _one_by_one(conn, sorted(ids), damaged, lambda rowid: _full(conn, rowid),
                        names=ids, missing=missing)
    damaged += [(ids[r] or f"row {r}", "an index names it but the table has lost it")
                for r in missing]
    memories = [m for m in found.values() if project is None or m["project"] == project]
    return sorted(memories, key=lambda m: m["created"])  # stable: rowid order within a time


def prepare_import(data: Any) -> tuple[Any, ...]:
    """Check one exported record: (record, id, created, updated, project, source, pinned_at).

    ``pinned_at`` is None for a memory that is not pinned (a time it names
    anyway means nothing) and for a pinned one that names none. Raises
    InvalidMemory.
    """
    if not isinstance(data, dict):
        raise InvalidMemory("expected a JSON object")
    ident, created, updated, project, source, pinned_at = import_keys(data)
    record = normalize({k: v for k, v in data.items() if k not in EXPORT_ONLY})
    return (record, ident, created, updated, project, source,
            pinned_at if record["pinned"] else None)


class Imported:
    """What ``import_records`` did: counts, and each duplicate as (position, its id or None,
    the id of the stored memory it repeats)."""

    __slots__ = ("imported", "moved", "present", "duplicates")

    def __init__(self) -> None:
        self.imported = self.moved = self.present = 0
        self.duplicates: list[tuple[int, str | None, str]] = []


def import_records(conn: sqlite3.Connection, prepared: Iterable[tuple[Any, ...]],
                   default_project: str, project: str | None = None) -> Imported:
    """Store prepared records under their own ids.

    Each keeps the source it was exported with (one naming none becomes "import").
    Without ``project`` each keeps the project it names (one naming none goes
    to ``default_project``), and an id already stored is left as it is. With
    ``project`` every record ends up there: new ones are stored there, and a
    stored id in another project is moved there. A record whose content that
    project already holds under another id is a duplicate and is not stored.
    """
    result = Imported()
    touched: set[str] = set()
    with db.write(conn):  # one transaction: a lock or a failure midway stores nothing
        _import_all(conn, prepared, default_project, project, result, touched)
    _changed(conn, touched)
    return result


def _import_all(conn: sqlite3.Connection, prepared: Iterable[tuple[Any, ...]],
                default_project: str, project: str | None, result: Imported,
                touched: set[str]) -> None:
    for position, (record, ident, created, updated, recorded, source,
                   pinned_at) in enumerate(prepared):
        row = conn.execute("SELECT project FROM memories WHERE id = ?",
                           (ident,)).fetchone() if ident else None
        if row is not None:
            if project is None or row[0] == project:
                result.present += 1
                continue
            twin = _move(conn, ident, project)
            if twin:
                result.duplicates.append((position, ident, twin))
            else:
                result.moved += 1
                touched.update((row[0], project))
            continue
        home = project or recorded or default_project
        # A pin exported before pins had times counts from the memory's last update.
        stored_id, stored = save(conn, record, project=home, source=source or "import",
                                 ident=ident, created=created, updated=updated,
                                 pinned_at=pinned_at or updated or created, refresh=False)
        if stored:
            result.imported += 1
            touched.add(home)
        else:
            result.duplicates.append((position, ident, stored_id))


def _move(conn: sqlite3.Connection, ident: str, project: str) -> str:
    """Re-home one memory; "" when moved, else the id of its twin already in ``project``."""
    with db.write(conn):
        twin = conn.execute(
            "SELECT id FROM memories WHERE project = ? AND content_hash = "
            "(SELECT content_hash FROM memories WHERE id = ?)", (project, ident)).fetchone()
        if twin is not None:
            return str(twin[0])
        conn.execute("UPDATE memories SET project = ? WHERE id = ?", (project, ident))
    return ""


def project_of(conn: sqlite3.Connection, ident: str) -> str | None:
    row = conn.execute("SELECT project FROM memories WHERE id = ?", (ident,)).fetchone()
    return str(row[0]) if row else None


def explicit_since(conn: sqlite3.Connection, session_id: str, agent: str,
                   since: str | None) -> bool:
    """Whether ``agent`` saved a memory itself in this session (after ``since``)."""
    forms = agent_forms(agent)
    names = f"lower(agent) IN ({','.join('?' * len(forms))})"
    sql = "SELECT 1 FROM memories WHERE session_id = ? AND source = 'explicit' "
    args: list[Any] = [session_id, *forms]
    if since:
        # Inside the run's window a save that names no agent counts as this one's.
        sql += f"AND ({names} OR agent = '') AND created >= ?"
        args.append(since)
    else:
        sql += f"AND {names}"
    return conn.execute(sql + " LIMIT 1", args).fetchone() is not None


def stats(conn: sqlite3.Connection, project: str) -> dict[str, Any]:
    count = conn.execute
    by_source = dict(count("SELECT source, count(*) FROM memories GROUP BY source").fetchall())
    return {
        "memories": count("SELECT count(*) FROM memories").fetchone()[0],
        "project": project,
        "project_memories": count("SELECT count(*) FROM memories WHERE project = ?",
                                  (project,)).fetchone()[0],
        "pinned": count("SELECT count(*) FROM memories WHERE pinned").fetchone()[0],
        "projects": count("SELECT count(DISTINCT project) FROM memories").fetchone()[0],
        "by_source": {s: by_source.get(s, 0) for s in SOURCES},
    }


def content_hash(record: dict[str, Any]) -> str:
    """Identity of the content, ignoring who saved it and when."""
    keys = ("context", "goal", "lessons", "decisions", "uncertainties", "entities", "files",
            "tags")
    payload = dumps([record[k] for k in keys], compact=True, sort_keys=True)
    return sha256_hex(payload.encode("utf-8"))


def sha256_hex(data: bytes) -> str:
    """SHA-256 from the interpreter's built-in module when it has one.

    ``hashlib`` loads OpenSSL first, which costs the save command about 3 ms.
    """
    for name in ("_sha2", "_sha256"):  # 3.12+, then 3.9-3.11
        try:
            module = __import__(name)
        except ImportError:
            continue
        return str(module.sha256(data).hexdigest())
    import hashlib

    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- helpers


def _changed(conn: sqlite3.Connection, projects: Iterable[str]) -> None:
    """Keep the SessionStart recall file of each changed project current."""
    from .recall import refresh

    if projects:
        refresh(conn, projects)


def redacted(record: dict[str, Any]) -> dict[str, Any]:
    """The record with every secret in its texts replaced by ``[REDACTED:kind]``."""
    from ..redaction import redact

    out = dict(record)
    for key in ("context", "goal", "phase", "agent", "session_id"):
        out[key] = redact(record[key])
    for key in LISTS:
        out[key] = unique([redact(v) for v in record[key]])
    out["decisions"] = [{"decision": redact(d["decision"]), "rationale": redact(d["rationale"]),
                         "alternatives": [redact(a) for a in d["alternatives"]]}
                        for d in record["decisions"]]
    entities = [{"name": redact(e["name"]), "kind": redact(e["kind"])}
                for e in record["entities"]]
    # Unique again: two names may redact alike, and the index must match the linked rows.
    out["entities"] = [e for i, e in enumerate(entities) if e not in entities[:i]]
    return out


def _unused_id(conn: sqlite3.Connection) -> str:
    while True:
        ident = new_id()
        if conn.execute("SELECT 1 FROM memories WHERE id = ?", (ident,)).fetchone() is None:
            return ident


def _insert(conn: sqlite3.Connection, record: dict[str, Any], ident: str, project: str,
            source: str, stamp: str, digest: str, updated: str, pinned_at: str) -> int:
    cur = conn.execute(
        "INSERT INTO memories (id, created, updated, project, session_id, agent, phase, "
        "context, goal, lessons, decisions, uncertainties, tags, pinned, source, content_hash, "
        "pinned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ident, stamp, updated, project, record["session_id"], record["agent"], record["phase"],
         record["context"], record["goal"], _dump(record["lessons"]),
         _dump(record["decisions"]), _dump(record["uncertainties"]), _dump(record["tags"]),
         int(record["pinned"]), source, digest, pinned_at))
    return int(cur.lastrowid or 0)


def _link(conn: sqlite3.Connection, rowid: int, record: dict[str, Any]) -> None:
    conn.executemany("INSERT OR IGNORE INTO memory_entities (memory, name, kind) VALUES (?, ?, ?)",
                     [(rowid, e["name"], e["kind"]) for e in record["entities"]])
    conn.executemany("INSERT OR IGNORE INTO memory_files (memory, path) VALUES (?, ?)",
                     [(rowid, path) for path in record["files"]])


def _dump(value: Any) -> str:
    return dumps(value, compact=True)


def _stored_list(value: Any) -> list[Any] | None:
    """A list column as stored, or None when another program wrote something else."""
    if not isinstance(value, str):
        return None
    try:
        items = loads(value)
    except (ValueError, RecursionError):
        return None
    return items if isinstance(items, list) else None


def _texts(value: Any) -> list[str]:
    """A list of texts; a value that is not one is kept whole as its only item."""
    items = _stored_list(value)
    if items is not None and all(isinstance(i, str) for i in items):
        return items
    return [_as_text(value)] if value not in (None, "", b"") else []


def _decisions(value: Any) -> list[dict[str, Any]]:
    items = _stored_list(value)
    if items is not None and all(isinstance(i, dict) and isinstance(i.get("decision"), str)
                                 for i in items):
        return items
    return [{"decision": _as_text(value), "rationale": "", "alternatives": []}] \
        if value not in (None, "", b"") else []


def _as_text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _from_row(conn: sqlite3.Connection, row: tuple[Any, ...]) -> dict[str, Any]:
    rowid, ident, created, updated, project, session_id, agent, phase, context, goal, \
        lessons, decisions, uncertainties, tags, pinned, source, pinned_at = row
    entities = conn.execute("SELECT name, kind FROM memory_entities WHERE memory = ? "
                            "ORDER BY rowid", (rowid,)).fetchall()
    files = conn.execute("SELECT path FROM memory_files WHERE memory = ? ORDER BY rowid",
                         (rowid,)).fetchall()
    return {
        "id": ident, "created": created, "updated": updated, "project": project,
        "session_id": session_id, "agent": agent, "phase": phase, "context": context,
        "goal": goal, "lessons": _texts(lessons), "decisions": _decisions(decisions),
        "uncertainties": _texts(uncertainties),
        "entities": [{"name": n, "kind": k} for n, k in entities],
        "files": [f for (f,) in files], "tags": _texts(tags),
        "pinned": bool(pinned), "source": source, "pinned_at": pinned_at,
    }
