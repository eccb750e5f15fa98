"""The signal log's tables: steps 2 and 3 of the shared database's migrations."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS signals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created     REAL NOT NULL,
    project     TEXT NOT NULL,
    session     TEXT NOT NULL DEFAULT '',
    level       TEXT NOT NULL CHECK (level IN ('HALT', 'ALERT')),
    category    TEXT NOT NULL,
    agent       TEXT NOT NULL DEFAULT '',
    agent_id    TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT 'command',
    reason      TEXT NOT NULL,
    evidence    TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'acknowledged', 'resolved')),
    surfaced    INTEGER NOT NULL DEFAULT 0,
    resolved_by TEXT NOT NULL DEFAULT '',
    resolution  TEXT NOT NULL DEFAULT '',
    resolved_at REAL
);
CREATE INDEX IF NOT EXISTS signals_project_status ON signals (project, status);
CREATE INDEX IF NOT EXISTS signals_fingerprint ON signals (project, fingerprint);
"""


def migrate_1(conn: sqlite3.Connection) -> None:
    """Create the ``signals`` table (inside the caller's write transaction)."""
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


_STEP_2 = (
    # The session the user typed the decision in: an approval holds there alone.
    "ALTER TABLE signals ADD COLUMN resolved_session TEXT NOT NULL DEFAULT ''",
    # When the call the decision approved ran (the approval is then used up).
    "ALTER TABLE signals ADD COLUMN used_at REAL",
    "ALTER TABLE signals ADD COLUMN acknowledged_by TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE signals ADD COLUMN acknowledged_at REAL",
)


def migrate_2(conn: sqlite3.Connection) -> None:
    """Add who and when to approvals and acknowledgements (in the caller's transaction)."""
    for statement in _STEP_2:
        conn.execute(statement)
