"""The full-text index rows of a memory (see schema.FTS_COLUMNS).

The index is contentless: it keeps tokens only, and forgetting a row means
handing it back the exact values it indexed, which ``index_values`` derives
from the stored record the same way every time.
"""

from __future__ import annotations

from . import schema
from .text import index_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    from typing import Any


def index_values(record: dict[str, Any]) -> tuple[str, str, str, str, str]:
    """The five indexed columns (see schema.FTS_COLUMNS), derived from the record."""
    decisions = [" ".join([d["decision"], d["rationale"], *d["alternatives"]])
                 for d in record["decisions"]]
    names = [e["name"] for e in record["entities"]] + record["files"] + record["tags"]
    parts = (record["context"], record["goal"],
             "\n".join(record["lessons"] + record["uncertainties"]),
             "\n".join(decisions), "\n".join(names))
    return tuple(index_text(p) for p in parts)  # type: ignore[return-value]


def add_to_index(conn: sqlite3.Connection, record: dict[str, Any], rowid: int) -> None:
    if not schema.index_exists(conn) or not schema.fts5_available(conn):
        schema.mark_index_stale(conn)
        return
    columns = ", ".join(schema.FTS_COLUMNS)
    conn.execute(f"INSERT INTO {schema.FTS_TABLE} (rowid, {columns}) VALUES (?, ?, ?, ?, ?, ?)",
                 (rowid, *index_values(record)))


def remove_from_index(conn: sqlite3.Connection, record: dict[str, Any], rowid: int) -> None:
    # A contentless index forgets a row only when given the values it indexed.
    if not schema.index_exists(conn) or not schema.fts5_available(conn):
        schema.mark_index_stale(conn)
        return
    table, columns = schema.FTS_TABLE, ", ".join(schema.FTS_COLUMNS)
    conn.execute(f"INSERT INTO {table} ({table}, rowid, {columns}) "
                 "VALUES ('delete', ?, ?, ?, ?, ?, ?)", (rowid, *index_values(record)))
