"""Search: any free text is a query of words; ranking boosts; CJK and accents; no FTS5."""

from __future__ import annotations

import pytest
from pact_runtime.memory import schema, search, store

PROJECT = "/work/projects/shop"
NOW = "2026-12-03T12:00:00.000Z"


@pytest.fixture
def conn(tmp_path):
    connection = store.open_store(str(tmp_path / "data"))
    yield connection
    connection.close()


def add(conn, created="2026-12-01T12:00:00.000Z", project=PROJECT, **fields):
    record = store.normalize(fields)
    ident, _ = store.save(conn, record, project=project, source="explicit", created=created)
    return ident


def ids(conn, query, **kw):
    kw.setdefault("project", PROJECT)
    return [m["id"] for m in search.search(conn, query, now=NOW, **kw)]


@pytest.fixture
def corpus(conn):
    return {
        "index": add(conn, goal="Speed up the orders report",
                     lessons=["A partial index on status cut the query to 40 ms"],
                     entities=[{"name": "orders", "kind": "table"}], files=["db/report.sql"]),
        "cafe": add(conn, context="Menu service for the Café Münster branch",
                    lessons=["Prices are stored in cents"]),
        "zh": add(conn, lessons=["数据库迁移之前先备份"], goal="迁移订单表"),
        "ja": add(conn, lessons=["データベースの移行は夜間に行う"]),
        "auth": add(conn, goal="Rotate session tokens",
                    decisions=[{"decision": "Use short-lived JWTs", "rationale": "revocation",
                                "alternatives": ["opaque tokens"]}]),
    }


@pytest.mark.parametrize("query", [
    '"', '""', "'", "-", "--", "*", "NEAR", "NEAR(a b)", "AND", "OR", "NOT", "a AND", "OR b",
    "(", ")", "((", "-orders", "status:open", "e.g.", "a*", "^x", "{x}", "col:val", "   ", "",
    "\\", "%", "_", "'; DROP TABLE memories; --", "NOT orders", "orders OR", "\x00",
])
def test_any_text_is_a_query_never_an_error(conn, corpus, query):
    result = search.search(conn, query, project=PROJECT, now=NOW)

    assert isinstance(result, list)
    assert conn.execute("SELECT count(*) FROM memories").fetchone()[0] == 5


@pytest.mark.parametrize(("query", "expected"), [
    ("partial index", "index"),
    ("index partial", "index"),
    ("orders partial", "index"),          # one word in the goal, one in the lessons
    ("-orders", "index"),                 # a leading minus is just punctuation
    ("status:open OR partial", "index"),  # OR is a word; no memory has all, so any word ranks
    ("indexes", "index"),                 # stemming
    ("report.sql", "index"),              # file names are indexed with entities
    ("cafe", "cafe"),                     # accents folded
    ("MÜNSTER", "cafe"),
    ("数据库", "zh"),                      # Chinese, no spaces
    ("迁移", "zh"),
    ("备", "zh"),
    ("データベース", "ja"),
    ("数据库备份", "zh"),                  # no memory holds the run whole: its pairs rank
    ("データベース移行", "ja"),
    ("JWT", "auth"),                      # inside a decision
    ("opaque", "auth"),                   # an alternative
    ('"short-lived"', "auth"),
])
def test_words_are_found_in_any_order_and_field(conn, corpus, query, expected):
    assert ids(conn, query)[:1] == [corpus[expected]]


def test_all_words_are_required_when_some_memory_has_them_all(conn, corpus):
    # No memory holds all three words, so memories with any of them are ranked.
    assert ids(conn, "partial index cents") == [corpus["index"], corpus["cafe"]]
    assert ids(conn, "partial status") == [corpus["index"]]


def test_empty_query_gives_no_results(conn, corpus):
    assert ids(conn, "") == []
    assert ids(conn, " -- ") == []


def test_other_projects_are_searched_only_when_asked(conn, corpus):
    other = add(conn, project="/work/projects/blog", lessons=["A partial index on posts"])

    assert other not in ids(conn, "partial")
    assert other in ids(conn, "partial", project=None)


def test_agent_filter_accepts_the_name_with_or_without_prefix(conn):
    mine = add(conn, lessons=["vacuum after bulk delete"], agent="PACT:pact-database-engineer")
    add(conn, lessons=["vacuum the cache"], agent="PACT:pact-backend-coder")

    assert ids(conn, "vacuum", agent="pact-database-engineer") == [mine]
    assert ids(conn, "vacuum", agent="PACT:pact-database-engineer") == [mine]
    assert ids(conn, "vacuum", agent="Database-Engineer") == [mine]
    assert ids(conn, "vacuum", agent="engineer") == []


def test_pinned_memory_outranks_an_equal_one(conn):
    plain = add(conn, lessons=["retry idempotent webhooks"])
    pinned = add(conn, lessons=["retry idempotent webhooks twice"], pinned=True)

    assert ids(conn, "retry webhooks") == [pinned, plain]


def test_recent_memory_outranks_an_old_equal_one(conn):
    old = add(conn, lessons=["cache invalidation on deploy"], created="2025-01-01T00:00:00.000Z")
    new = add(conn, lessons=["cache invalidation on release"], created="2026-12-02T00:00:00.000Z")

    assert ids(conn, "cache invalidation") == [new, old]


def test_sharing_files_or_entities_with_current_work_boosts(conn):
    a = add(conn, lessons=["lock timeout on migrations"], files=["db/a.sql"],
            created="2026-12-02T00:00:00.000Z")
    b = add(conn, lessons=["lock timeout on migrations again"], files=["db/b.sql"],
            entities=["payments"], created="2026-11-01T00:00:00.000Z")

    assert ids(conn, "lock timeout") == [a, b]
    assert ids(conn, "lock timeout", files=["db/b.sql"]) == [b, a]
    assert ids(conn, "lock timeout", entities=["Payments"]) == [b, a]


def test_results_carry_a_score_and_the_record(conn, corpus):
    result = search.search(conn, "partial", project=PROJECT, now=NOW)[0]

    assert result["id"] == corpus["index"]
    assert result["score"] > 0
    assert result["lessons"] == ["A partial index on status cut the query to 40 ms"]


def test_limit_caps_the_results(conn):
    for n in range(5):
        add(conn, lessons=[f"batch size {n} for imports"])

    assert len(ids(conn, "imports", limit=3)) == 3
    assert ids(conn, "imports", limit=0) == []


@pytest.fixture
def no_fts(monkeypatch):
    monkeypatch.setattr(schema, "fts5_available", lambda conn: False)


def test_without_fts5_search_falls_back_to_like(tmp_path, no_fts):
    conn = store.open_store(str(tmp_path / "plain"))
    try:
        wanted = add(conn, lessons=["A partial index on status"], entities=["orders"])
        add(conn, lessons=["数据库迁移之前先备份"])

        assert search.engine(conn) == "like"
        assert ids(conn, "PARTIAL index") == [wanted]
        assert ids(conn, "orders") == [wanted]
        assert len(ids(conn, "数据库")) == 1
        assert len(ids(conn, "数据库备份")) == 1  # no memory holds the run whole
        assert ids(conn, "partial zebra") == [wanted]  # no memory has both: either ranks
        # A pasted text: its first 64 words are searched, in as few SQL variables.
        assert ids(conn, "status " + " ".join(f"w{n}" for n in range(3000))) == [wanted]
        assert ids(conn, "50%_off") == []
        assert ids(conn, 'NEAR("') == []
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'memory_fts'"
                            ).fetchone()[0] == 0
    finally:
        conn.close()


def test_engine_is_fts5_when_available(conn):
    assert search.engine(conn) == "fts5"


def test_common_words_rank_only_the_newest_window_of_matches(conn, monkeypatch):
    monkeypatch.setattr(search, "WINDOW", 3)
    old = add(conn, lessons=["deploy checklist: warm the cache"],
              created="2026-12-02T00:00:00.000Z")
    newer = [add(conn, lessons=[f"deploy checklist step {n}"],
                 created=f"2026-11-0{n}T00:00:00.000Z") for n in range(1, 5)]

    found = ids(conn, "deploy checklist", limit=3)

    # Stored first, so outside the window, although its date is the newest.
    assert set(found) == set(newer[1:])
    assert old not in found


def test_inside_the_window_relevance_still_ranks(conn, monkeypatch):
    monkeypatch.setattr(search, "WINDOW", 3)
    stamp = "2026-12-01T00:00:00.000Z"
    add(conn, lessons=["rollback notes from last year"], created=stamp)  # outside the window
    in_lessons = add(conn, lessons=["Rollback needs the schema snapshot"], created=stamp)
    in_context = add(conn, context="Release train, rollback drill, incident review, pager duty "
                     "rota and on-call handover", goal="Write the runbook", created=stamp)
    add(conn, context="rollback", goal="Other release chores and reviews", created=stamp)

    found = ids(conn, "rollback", limit=3)

    # Same date, stored later: only BM25 (lessons weigh more, shorter texts more) puts it first.
    assert found[0] == in_lessons
    assert found.index(in_lessons) < found.index(in_context)


def test_window_falls_back_to_all_matches_when_the_project_has_too_few(conn, monkeypatch):
    monkeypatch.setattr(search, "WINDOW", 2)
    mine = add(conn, lessons=["feature flags default off"], created="2024-01-01T00:00:00.000Z")
    for n in range(4):
        add(conn, project="/work/projects/other", lessons=[f"feature flags {n}"])

    assert ids(conn, "feature flags") == [mine]


def test_stopwords_are_dropped_unless_nothing_else_is_left(conn, corpus):
    assert ids(conn, "the partial index of the status") == [corpus["index"]]
    # Only stopwords: they are searched after all.
    assert set(ids(conn, "the")) == {corpus["index"], corpus["cafe"]}
