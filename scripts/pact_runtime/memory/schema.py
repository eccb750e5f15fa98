"""Memory tables (migration steps 1 and 4) and the full-text index beside them.

The FTS5 index is not part of the migration: some SQLite builds lack FTS5,
and a database made by one interpreter may be opened by another. ``ensure_index``
creates or rebuilds the index whenever FTS5 is available and the index is
missing or marked stale; writes made without FTS5 mark it stale.
"""

from __future__ import annotations

from ..db import sqlite3

FTS_TABLE = "memory_fts"
# Column order of the index; search weights follow it.
FTS_COLUMNS = ("context", "goal", "lessons", "decisions", "entities")

_TABLES = """
CREATE TABLE memories (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    project TEXT NOT NULL,
    session_id TEXT NOT NULL DEFAULT '',
    agent TEXT NOT NULL DEFAULT '',
    phase TEXT NOT NULL DEFAULT '',
    context TEXT NOT NULL DEFAULT '',
    goal TEXT NOT NULL DEFAULT '',
    lessons TEXT NOT NULL DEFAULT '[]',
    decisions TEXT NOT NULL DEFAULT '[]',
    uncertainties TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    pinned INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT 'explicit'
        CHECK (source IN ('explicit', 'handoff', 'import')),
    content_hash TEXT NOT NULL
);
CREATE INDEX memories_by_project ON memories (project, updated);
CREATE INDEX memories_by_session ON memories (session_id, agent);
CREATE UNIQUE INDEX memories_by_content ON memories (project, content_hash);
CREATE INDEX memories_pinned ON memories (project) WHERE pinned = 1;
CREATE TABLE memory_entities (
    memory INTEGER NOT NULL REFERENCES memories (rowid) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    UNIQUE (memory, name, kind)
);
CREATE INDEX memory_entities_by_name ON memory_entities (name COLLATE NOCASE);
CREATE TABLE memory_files (
    memory INTEGER NOT NULL REFERENCES memories (rowid) ON DELETE CASCADE,
    path TEXT NOT NULL,
    UNIQUE (memory, path)
);
CREATE INDEX memory_files_by_path ON memory_files (path);
CREATE TABLE memory_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""

# Contentless: the text already lives in `memories`; the index keeps only
# tokens, and deletes pass the indexed values back (see store._unindex).
# porter: "indexes" finds "index"; remove_diacritics 2: "cafe" finds "café".
_FTS = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    + ", ".join(FTS_COLUMNS)
    + ", content='', tokenize='porter unicode61 remove_diacritics 2')"
)


def migrate_1(conn: sqlite3.Connection) -> None:
    """Create the memory tables (runs inside the migration's write transaction)."""
    for statement in _TABLES.split(";"):
        if statement.strip():
            conn.execute(statement)


def migrate_2(conn: sqlite3.Connection) -> None:
    """Record when each memory was pinned (step 4; inside the caller's transaction).

    Memories pinned before this step take their last update as their pin time.
    """
    conn.execute("ALTER TABLE memories ADD COLUMN pinned_at TEXT NOT NULL DEFAULT ''")
    conn.execute("UPDATE memories SET pinned_at = updated WHERE pinned = 1")


def fts5_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite build has the FTS5 module (a property of the library)."""
    global _FTS5
    if _FTS5 is None:
        # Reading the existing index is the cheapest test; a new file needs a probe table.
        probe = (f"SELECT rowid FROM {FTS_TABLE} WHERE 0" if index_exists(conn) else
                 "CREATE VIRTUAL TABLE temp.pact_fts5_probe USING fts5(x)")
        try:
            conn.execute(probe)
            conn.execute("DROP TABLE IF EXISTS temp.pact_fts5_probe")
            _FTS5 = True
        except sqlite3.OperationalError:
            _FTS5 = False
    return _FTS5


_FTS5: bool | None = None


def index_exists(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,)
    ).fetchone()
    return row is not None


def index_stale(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT value FROM memory_meta WHERE key = 'fts_stale'").fetchone()
    return row is not None and row[0] == "1"


def mark_index_stale(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO memory_meta (key, value) VALUES ('fts_stale', '1') "
        "ON CONFLICT (key) DO UPDATE SET value = '1'"
    )


def create_index(conn: sqlite3.Connection) -> None:
    """(Re)create the empty index and clear the stale mark; caller fills it."""
    conn.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    conn.execute(_FTS)
    conn.execute("DELETE FROM memory_meta WHERE key = 'fts_stale'")
