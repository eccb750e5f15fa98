"""Ranking memories for a free-text query.

With FTS5: BM25 over context, goal, lessons (with uncertainties), decisions
and entities (with files and tags), multiplied by boosts for recency (a
memory a month old counts half as much extra as one from today), for a pin,
and for sharing files or entities with the current work. Every word must
appear somewhere in the memory (any order, any field); when no memory has
them all, memories with any of them are ranked instead. Without FTS5 the
same filters and boosts run over a ``LIKE`` scan, which is slower and
neither stems words nor folds accents.

Very common words (``the``, ``when``…) are dropped from a query that has
other words. When a query's words appear together in more than ``WINDOW``
memories, only the ``WINDOW`` most recently stored of them are ranked: BM25
costs about a microsecond per matching memory, so a word found in 10,000 of
100,000 memories would cost tens of milliseconds, and words that common say
little about which old memory is meant (bench/bench_memory.py measures it).
Pinned memories are recalled at every session start, so one outside the
window is not lost.
"""

from __future__ import annotations

from . import schema, store
from .record import agent_forms
from .text import content_words, fts_terms, like_words

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence
    from typing import Any

# bm25 weights, in schema.FTS_COLUMNS order.
WEIGHTS = (1.0, 2.0, 3.0, 2.0, 2.0)
RECENCY_DAYS = 30.0
PIN_BOOST = 0.5
OVERLAP_BOOST = 0.5
MAX_OVERLAP = 4
WINDOW = 500
_LIKE_FIELDS = ("m.context", "m.goal", "m.lessons", "m.uncertainties", "m.decisions", "m.tags")


def engine(conn: sqlite3.Connection) -> str:
    """``fts5`` or ``like``: how search runs with this SQLite."""
    usable = schema.fts5_available(conn) and schema.index_exists(conn)
    return "fts5" if usable and not schema.index_stale(conn) else "like"


def search(conn: sqlite3.Connection, query: str, *, project: str | None, limit: int = 10,
           agent: str = "", files: Sequence[str] = (), entities: Sequence[str] = (),
           now: str | None = None) -> list[dict[str, Any]]:
    """The best ``limit`` memories for ``query``, each with a ``score``; [] for no words."""
    hits = rank(conn, query, project=project, limit=limit, agent=agent, files=files,
                entities=entities, now=now)
    found = store.by_rowids(conn, [rowid for rowid, _ in hits])
    return [{**found[rowid], "score": round(score, 6)} for rowid, score in hits if rowid in found]


def rank(conn: sqlite3.Connection, query: str, *, project: str | None, limit: int = 10,
         agent: str = "", files: Sequence[str] = (), entities: Sequence[str] = (),
         now: str | None = None) -> list[tuple[int, float]]:
    """(rowid, score) of the best ``limit`` memories, best first."""
    if not content_words(query) or limit <= 0:
        return []
    scope = _scope(project, agent)
    boost = _boost_sql(files, entities, now)
    if engine(conn) != "fts5":
        hits = _like(conn, like_words(query), scope, boost, limit, every=True)
        loose = like_words(query, loose=True)
        if not hits and len(loose) > 1:
            hits = _like(conn, loose, scope, boost, limit, every=False)
        return hits
    hits = _fts(conn, " AND ".join(fts_terms(query)), scope, boost, limit)
    loose = fts_terms(query, loose=True)
    if not hits and len(loose) > 1:
        hits = _fts(conn, " OR ".join(loose), scope, boost, limit)
    return hits


def orphans(conn: sqlite3.Connection, query: str, sample: int = 50) -> int:
    """How many of the first ``sample`` index matches for ``query`` (any word, any project)
    have no row in the table: a sign of damage, since rows leave the index as they go."""
    terms = fts_terms(query, loose=True)
    if not terms:
        return 0
    table = schema.FTS_TABLE
    row = conn.execute(
        f"SELECT count(*) FROM (SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT ?) AS hit "
        "WHERE NOT EXISTS (SELECT 1 FROM memories m WHERE m.rowid = hit.rowid)",
        (" OR ".join(terms), sample)).fetchone()
    return int(row[0])


def _scope(project: str | None, agent: str) -> tuple[str, list[Any]]:
    clauses, args = [], []
    if project is not None:
        clauses.append("m.project = ?")
        args.append(project)
    if agent:
        forms = agent_forms(agent)
        clauses.append(f"lower(m.agent) IN ({','.join('?' * len(forms))})")
        args += forms
    return " AND ".join(clauses) or "1", args


def _boost_sql(files: Sequence[str], entities: Sequence[str],
               now: str | None) -> tuple[str, list[Any]]:
    """A SQL factor (>= 1) for recency, pins and shared files/entities."""
    sql = (f"(1.0 + 1.0 / (1.0 + max(0.0, julianday(?) - julianday(m.updated)) / {RECENCY_DAYS}))"
           f" * (1.0 + {PIN_BOOST} * m.pinned)")
    args: list[Any] = [now or "now"]
    overlap = []
    if files:
        overlap.append("(SELECT count(*) FROM memory_files f WHERE f.memory = m.rowid "
                       f"AND f.path IN ({','.join('?' * len(files))}))")
        args += list(files)
    if entities:
        overlap.append("(SELECT count(*) FROM memory_entities e WHERE e.memory = m.rowid "
                       f"AND e.name COLLATE NOCASE IN ({','.join('?' * len(entities))}))")
        args += list(entities)
    if overlap:
        sql += f" * (1.0 + {OVERLAP_BOOST} * min({MAX_OVERLAP}, {' + '.join(overlap)}))"
    return sql, args


def _fts(conn: sqlite3.Connection, match: str, scope: tuple[str, list[Any]],
         boost: tuple[str, list[Any]], limit: int) -> list[tuple[int, float]]:
    table = schema.FTS_TABLE
    cutoff = conn.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ? "
                          "ORDER BY rowid DESC LIMIT 1 OFFSET ?", (match, WINDOW - 1)).fetchone()
    if cutoff is None:
        return _ranked(conn, match, scope, boost, limit, "")
    hits = _ranked(conn, match, scope, boost, limit, f"AND {table}.rowid >= {int(cutoff[0])}")
    # Too few in this project among the recent ones: rank them all after all.
    return hits if len(hits) >= limit else _ranked(conn, match, scope, boost, limit, "")


def _ranked(conn: sqlite3.Connection, match: str, scope: tuple[str, list[Any]],
            boost: tuple[str, list[Any]], limit: int, extra: str) -> list[tuple[int, float]]:
    table = schema.FTS_TABLE
    weights = ", ".join(str(w) for w in WEIGHTS)
    sql = (f"SELECT m.rowid, -bm25({table}, {weights}) * {boost[0]} AS score "
           f"FROM {table} JOIN memories m ON m.rowid = {table}.rowid "
           f"WHERE {table} MATCH ? {extra} AND {scope[0]} "
           "ORDER BY score DESC, m.rowid DESC LIMIT ?")
    rows = conn.execute(sql, [*boost[1], match, *scope[1], limit]).fetchall()
    return [(int(r), float(s)) for r, s in rows]


def _like(conn: sqlite3.Connection, query_words: list[str], scope: tuple[str, list[Any]],
          boost: tuple[str, list[Any]], limit: int, every: bool) -> list[tuple[int, float]]:
    """Memories holding every word (``every``) or any of them, as substrings (ASCII case folded).

    With any word, those holding more of the words rank higher.
    """
    clauses, args = [], []
    for word in query_words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        fields = [f"{f} LIKE ? ESCAPE '\\'" for f in _LIKE_FIELDS]
        fields.append("EXISTS (SELECT 1 FROM memory_entities e WHERE e.memory = m.rowid "
                      "AND e.name LIKE ? ESCAPE '\\')")
        clauses.append("(" + " OR ".join(fields) + ")")
        args += [pattern] * len(fields)
    score, where, score_args = boost[0], " AND ".join(clauses), []
    if not every:
        score, where, score_args = f"({' + '.join(clauses)}) * {score}", " OR ".join(clauses), args
    sql = (f"SELECT m.rowid, {score} AS score FROM memories m WHERE {scope[0]} AND ({where}) "
           "ORDER BY score DESC, m.rowid DESC LIMIT ?")
    rows = conn.execute(sql, [*score_args, *boost[1], *scope[1], *args, limit]).fetchall()
    return [(int(r), float(s)) for r, s in rows]
