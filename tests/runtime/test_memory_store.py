"""The memory store: records, duplicates, redaction, links, permissions, broken files."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from pact_runtime import db
from pact_runtime.memory import schema, search, store

PROJECT = "/work/projects/shop"


@pytest.fixture
def home(tmp_path):
    return str(tmp_path / "data")


@pytest.fixture
def conn(home):
    connection = store.open_store(home)
    yield connection
    connection.close()


def memory(**fields):
    base = {"goal": "Speed up the orders report",
            "lessons": ["A partial index on status cut the query from 2 s to 40 ms"]}
    return store.normalize({**base, **fields})


def save(conn, project=PROJECT, source="explicit", **fields):
    return store.save(conn, memory(**fields), project=project, source=source)


def test_saved_memory_reads_back_with_every_field(conn):
    ident, new = save(conn, context="Nightly report", phase="Code",
                      agent="PACT:pact-database-engineer", session_id="s1",
                      decisions=[{"decision": "Partial index", "rationale": "3% of rows open",
                                  "alternatives": ["materialized view"]}],
                      uncertainties=["Planner may skip it on tiny tables"],
                      entities=[{"name": "orders", "kind": "table"}, "status"],
                      files=["db/report.sql"], tags=["perf"], pinned=True)

    got = store.get(conn, ident)

    assert new is True
    assert ident.startswith("m-") and len(ident) == 12 and int(ident[2:], 16) >= 0
    assert got["created"] == got["updated"] and got["created"].endswith("Z")
    assert {k: got[k] for k in ("project", "session_id", "agent", "phase", "context", "goal",
                                 "pinned", "source")} == {
        "project": PROJECT, "session_id": "s1", "agent": "PACT:pact-database-engineer",
        "phase": "Code", "context": "Nightly report", "goal": "Speed up the orders report",
        "pinned": True, "source": "explicit"}
    assert got["lessons"] == ["A partial index on status cut the query from 2 s to 40 ms"]
    assert got["decisions"] == [{"decision": "Partial index", "rationale": "3% of rows open",
                                 "alternatives": ["materialized view"]}]
    assert got["uncertainties"] == ["Planner may skip it on tiny tables"]
    assert got["entities"] == [{"name": "orders", "kind": "table"},
                               {"name": "status", "kind": ""}]
    assert got["files"] == ["db/report.sql"]
    assert got["tags"] == ["perf"]
    assert list(got) == list(store.KEYS)


def test_entities_and_files_are_linked_rows(conn):
    ident, _ = save(conn, entities=["orders", "customers"], files=["a.sql", "b.sql"])
    rowid = conn.execute("SELECT rowid FROM memories WHERE id = ?", (ident,)).fetchone()[0]

    names = conn.execute("SELECT name FROM memory_entities WHERE memory = ? ORDER BY name",
                         (rowid,)).fetchall()
    paths = conn.execute("SELECT path FROM memory_files WHERE memory = ? ORDER BY path",
                         (rowid,)).fetchall()

    assert names == [("customers",), ("orders",)]
    assert paths == [("a.sql",), ("b.sql",)]


def test_same_content_is_stored_once_per_project(conn):
    first, new1 = save(conn, agent="a", session_id="s1")
    second, new2 = save(conn, agent="b", session_id="s2")
    elsewhere, new3 = save(conn, project="/work/projects/other")

    assert (new1, new2, new3) == (True, False, True)
    assert second == first and elsewhere != first
    assert conn.execute("SELECT count(*) FROM memories").fetchone()[0] == 2


def test_secrets_are_redacted_before_storing(conn):
    ident, _ = save(conn, context="DATABASE_URL=postgres://app:S3cr3tPass@db:5432/app",
                    lessons=["rotate AKIAIOSFODNN7EXAMPLE monthly"],
                    decisions=[{"decision": "keep password=hunter22 out of git"}])

    raw = " ".join(str(v) for v in conn.execute("SELECT * FROM memories").fetchone())
    got = store.get(conn, ident)

    assert "S3cr3tPass" not in raw and "AKIAIOSFODNN7EXAMPLE" not in raw and "hunter22" not in raw
    assert got["lessons"] == ["rotate [REDACTED:aws-access-key] monthly"]
    assert got["context"] == "DATABASE_URL=postgres://app:[REDACTED:url-password]@db:5432/app"


def test_secrets_never_reach_the_search_index(conn):
    save(conn, lessons=["the key AKIAIOSFODNN7EXAMPLE leaked"])

    hits = conn.execute("SELECT rowid FROM memory_fts WHERE memory_fts MATCH ?",
                        ('"AKIAIOSFODNN7EXAMPLE"',)).fetchall()

    assert hits == []


def test_forget_removes_record_links_and_index_entry(conn):
    ident, _ = save(conn, entities=["orders"], files=["a.sql"])

    assert store.forget(conn, ident) is True
    assert store.get(conn, ident) is None
    assert conn.execute("SELECT count(*) FROM memory_entities").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM memory_files").fetchone()[0] == 0
    assert conn.execute("SELECT rowid FROM memory_fts WHERE memory_fts MATCH 'partial'"
                        ).fetchall() == []
    assert store.forget(conn, ident) is False


# 2026-12-04T05:00:00.000Z and later instants, as set_pinned's clock
T0 = 1796360400.0


def test_pin_records_when_unpin_clears_and_each_says_what_it_was(conn):
    ident, _ = save(conn)
    updated = store.get(conn, ident)["updated"]

    assert store.get(conn, ident)["pinned_at"] == ""
    assert store.set_pinned(conn, ident, True, clock=T0) is False  # it was not pinned
    assert store.get(conn, ident)["pinned_at"] == "2026-12-04T05:00:00.000Z"
    assert store.set_pinned(conn, ident, True, clock=T0 + 61.25) is True  # pinned again
    got = store.get(conn, ident)
    assert (got["pinned"], got["pinned_at"]) == (True, "2026-12-04T05:01:01.250Z")
    assert got["updated"] == updated  # pinning is not an update
    assert store.set_pinned(conn, ident, False) is True
    got = store.get(conn, ident)
    assert (got["pinned"], got["pinned_at"], got["updated"]) == (False, "", updated)
    assert store.set_pinned(conn, ident, False) is False
    assert store.set_pinned(conn, "m-0000000000", True) is None


def test_the_newest_pin_leads_even_within_one_millisecond_or_a_clock_set_back(conn):
    first, _ = save(conn, goal="first")
    second, _ = save(conn, goal="second")
    third, _ = save(conn, goal="third")
    elsewhere, _ = save(conn, project="/other", goal="elsewhere")

    store.set_pinned(conn, first, True, clock=T0)
    store.set_pinned(conn, second, True, clock=T0)  # the same millisecond
    store.set_pinned(conn, third, True, clock=T0 - 3600)  # the clock went back an hour
    store.set_pinned(conn, elsewhere, True, clock=T0 - 7200)  # other projects do not count

    times = {i: store.get(conn, i)["pinned_at"] for i in (first, second, third, elsewhere)}
    assert times == {first: "2026-12-04T05:00:00.000Z", second: "2026-12-04T05:00:00.001Z",
                     third: "2026-12-04T05:00:00.002Z", elsewhere: "2026-12-04T03:00:00.000Z"}
    assert store.pinned_rowids(conn, PROJECT, 10) == [
        _rowid(conn, third), _rowid(conn, second), _rowid(conn, first)]
    assert store.pinned_rowids(conn, None, 2) == [_rowid(conn, third), _rowid(conn, second)]
    assert store.count_pinned(conn, PROJECT) == 3


def test_a_pinned_save_is_pinned_when_it_is_saved(conn):
    ident, _ = save(conn, pinned=True)
    plain, _ = save(conn, goal="not pinned")

    got = store.get(conn, ident)
    assert got["pinned_at"] == got["created"] and got["pinned_at"].endswith("Z")
    assert store.get(conn, plain)["pinned_at"] == ""


def test_pins_keep_their_times_through_export_and_import(conn, tmp_path):
    pinned, _ = save(conn, goal="pinned one")
    store.set_pinned(conn, pinned, True, clock=T0)
    save(conn, goal="plain one")
    exported = list(store.iter_all(conn))
    assert [m["pinned_at"] for m in exported] == ["2026-12-04T05:00:00.000Z", ""]
    assert list(exported[0])[-3:] == ["pinned", "source", "pinned_at"]  # added at the end
    other = store.open_store(str(tmp_path / "other"))
    try:
        store.import_records(other, [store.prepare_import(m) for m in exported], PROJECT)
        assert list(store.iter_all(other)) == exported
    finally:
        other.close()


@pytest.mark.parametrize(("given", "stored"), [
    ({"pinned": True, "updated": "2026-02-03T04:05:06.789Z"}, "2026-02-03T04:05:06.789Z"),
    ({"pinned": True, "created": "2026-01-01T00:00:00.000Z"}, "2026-01-01T00:00:00.000Z"),
    ({"pinned": True, "pinned_at": "2026-03-01T10:00:00Z"}, "2026-03-01T10:00:00.000Z"),
    ({"pinned": True, "pinned_at": "2026-03-01T10:00:00.5Z"}, "2026-03-01T10:00:00.500Z"),
    ({"pinned": True, "pinned_at": "2026-03-01T10:00:00.123456Z"}, "2026-03-01T10:00:00.123Z"),
    ({"pinned": True, "pinned_at": ""}, "2026-01-01T00:00:00.000Z"),
    ({"pinned": False, "pinned_at": "2026-03-01T10:00:00.000Z"}, ""),
    ({}, ""),
])
def test_an_imported_pin_keeps_its_time_or_takes_its_update(conn, given, stored):
    record = {"id": "m-0123456789", "goal": "g", "created": "2026-01-01T00:00:00.000Z",
              **given}

    store.import_records(conn, [store.prepare_import(record)], PROJECT)

    assert store.get(conn, "m-0123456789")["pinned_at"] == stored


@pytest.mark.parametrize(("value", "message"), [
    ("yesterday", "pinned_at: invalid value 'yesterday'"),
    (1796360400, "pinned_at: invalid value 1796360400"),
    ("2026-02-30T00:00:00.000Z", "pinned_at: '2026-02-30T00:00:00.000Z' is not a real date "
                                 "and time"),
    ("2999-01-01T00:00:00.000Z", "pinned_at: '2999-01-01T00:00:00.000Z' is in the future"),
])
def test_import_refuses_a_pin_time_that_is_not_a_time(value, message):
    with pytest.raises(store.InvalidMemory) as err:
        store.prepare_import({"goal": "g", "pinned": True, "pinned_at": value})

    assert str(err.value) == message


def test_pins_made_before_pin_times_follow_their_update_and_a_bare_one_comes_last(conn):
    rows = [("m-00000000a1", "2026-01-05T00:00:00.000Z", "2026-01-05T00:00:00.000Z"),
            ("m-00000000a2", "2026-01-09T00:00:00.000Z", "2026-01-09T00:00:00.000Z"),
            ("m-00000000a3", "2026-01-07T00:00:00.000Z", "")]  # written by other means
    for ident, updated, pinned_at in rows:
        conn.execute("INSERT INTO memories (id, created, updated, project, goal, pinned, "
                     "pinned_at, content_hash) VALUES (?, ?, ?, ?, 'g', 1, ?, ?)",
                     (ident, updated, updated, PROJECT, pinned_at, ident))
    fresh, _ = save(conn, goal="pinned today")
    store.set_pinned(conn, fresh, True, clock=T0)

    assert store.pinned_rowids(conn, PROJECT, 10) == [
        _rowid(conn, i) for i in (fresh, "m-00000000a2", "m-00000000a1", "m-00000000a3")]


def _rowid(conn, ident):
    return conn.execute("SELECT rowid FROM memories WHERE id = ?", (ident,)).fetchone()[0]


@pytest.mark.parametrize(("data", "message"), [
    ([], "expected a JSON object with the memory's fields"),
    ({"goal": 3}, "goal: expected a string, got int"),
    ({"lessons": [1]}, "lessons: expected a list of strings"),
    ({"decisions": [{"rationale": "x"}]}, 'decisions: each item needs a "decision" string'),
    ({"goal": "g", "colour": "red"}, "unknown field 'colour'"),
    ({"tags": ["x"]}, "nothing to save: give at least one of context, goal, lessons, "
                      "decisions or uncertainties"),
    ({"lessons": "a string"}, "lessons: expected a list of strings, got a string"),
    ({"goal": "g", "tags": "x"}, "tags: expected a list of strings, got a string"),
    ({"goal": "g", "phase": "Deploy"}, "phase: expected one of Prepare, Architect, Code, Test, "
                                       "got 'Deploy'"),
    ({"goal": "g", "pinned": "yes"}, "pinned: expected true or false, got a string"),
    ({"goal": "g", "pinned": 1}, "pinned: expected true or false, got a number"),
    ({"goal": "x" * 20_001}, "goal: too long (20,001 > 20,000 characters)"),
    ({"goal": "g", "decisions": 0}, "decisions: expected a list, got a number"),
    ({"goal": "g", "decisions": False}, "decisions: expected a list, got a boolean"),
    ({"goal": "g", "entities": False}, "entities: expected a list, got a boolean"),
    ({"goal": "g", "entities": 0.0}, "entities: expected a list, got a number"),
    ({"goal": "g", "lessons": False}, "lessons: expected a list of strings, got a boolean"),
])
def test_invalid_records_are_refused_with_the_reason(data, message):
    with pytest.raises(store.InvalidMemory) as err:
        store.normalize(data)

    assert str(err.value).startswith(message)


def test_uncertainties_alone_are_enough():
    assert store.normalize({"uncertainties": ["maybe"]})["uncertainties"] == ["maybe"]


@pytest.mark.parametrize(("given", "stored"), [("code", "Code"), ("TEST", "Test"),
                                               (" Prepare ", "Prepare"), ("", "")])
def test_phase_is_stored_in_its_canonical_form(given, stored):
    assert store.normalize({"goal": "g", "phase": given})["phase"] == stored


def test_strings_are_accepted_for_decisions_and_entities():
    record = store.normalize({"lessons": ["one"], "decisions": "use X", "entities": "orders"})

    assert record["lessons"] == ["one"]
    assert record["decisions"] == [{"decision": "use X", "rationale": "", "alternatives": []}]
    assert record["entities"] == [{"name": "orders", "kind": ""}]


def test_export_then_import_keeps_ids_and_is_idempotent(conn, tmp_path):
    ident, _ = save(conn, pinned=True)
    exported = list(store.iter_all(conn))
    other = store.open_store(str(tmp_path / "other"))
    try:
        prepared = [store.prepare_import(m) for m in exported]
        first = store.import_records(other, prepared, "/elsewhere")
        again = store.import_records(other, prepared, "/elsewhere")
        got = store.get(other, ident)
    finally:
        other.close()

    assert (first.imported, first.present) == (1, 0)
    assert (again.imported, again.present, again.duplicates) == (0, 1, [])
    assert got == exported[0]  # every field, source and times included
    assert got["project"] == PROJECT and got["pinned"] is True and got["source"] == "explicit"


@pytest.mark.parametrize("ident", ["bad id!", "m-zz", "m-3F9A1C2B7D", "m-3f9a1c2b7",
                                   "x-3f9a1c2b7d"])
def test_import_refuses_an_id_of_another_shape(ident):
    with pytest.raises(store.InvalidMemory) as err:
        store.prepare_import({"id": ident, "goal": "g"})

    assert str(err.value) == f"id: invalid value {ident!r} (ids look like m-3f9a1c2b7d)"


def test_import_records_can_rehome_to_one_project(conn):
    exported = {"id": "m-0123456789", "project": "/old/place", "goal": "g"}

    done = store.import_records(conn, [store.prepare_import(exported)], PROJECT, "/new/place")

    assert (done.imported, done.moved, done.present) == (1, 0, 0)
    assert store.get(conn, "m-0123456789")["project"] == "/new/place"


def test_matching_ids_reads_bare_and_short_forms(conn):
    ident, _ = save(conn)

    assert store.matching_ids(conn, ident) == [ident]
    assert store.matching_ids(conn, ident[2:]) == [ident]
    assert store.matching_ids(conn, ident[:6].upper()) == [ident]
    assert store.matching_ids(conn, ident[2:5]) == []
    assert store.matching_ids(conn, "m-zzzz") == []


def test_database_file_and_folder_are_private(conn, home):
    save(conn)
    path = db.db_path(home)

    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            assert stat.S_IMODE(os.stat(path + suffix).st_mode) == 0o600, suffix


def test_corrupt_database_raises_a_readable_store_error(home):
    os.makedirs(home)
    with open(db.db_path(home), "wb") as f:
        f.write(b"this is not a database" * 100)

    with pytest.raises(db.DatabaseDamaged) as err:
        store.open_store(home)

    assert str(err.value) == (
        f"the PACT database {db.db_path(home)} is damaged (file is not a database), so nothing "
        "in it can be read; move the file aside to start a new one, and `pact-memory import` "
        "an earlier export if you have one")


def test_without_fts5_saves_mark_the_index_stale_and_a_later_open_rebuilds_it(home, monkeypatch):
    monkeypatch.setattr(schema, "fts5_available", lambda conn: False)
    conn = store.open_store(home)
    try:
        ident, _ = save(conn)
        assert schema.index_stale(conn) is True
    finally:
        conn.close()
    monkeypatch.undo()

    conn = store.open_store(home)
    try:
        hits = conn.execute("SELECT rowid FROM memory_fts WHERE memory_fts MATCH 'partial'"
                            ).fetchall()
        assert schema.index_stale(conn) is False
        assert len(hits) == 1
    finally:
        conn.close()


def test_explicit_save_by_the_agent_in_the_session_is_found(conn):
    save(conn, agent="pact-database-engineer", session_id="s1")

    assert store.explicit_since(conn, "s1", "PACT:pact-database-engineer", None) is True
    assert store.explicit_since(conn, "s2", "PACT:pact-database-engineer", None) is False
    assert store.explicit_since(conn, "s1", "PACT:pact-architect", None) is False
    assert store.explicit_since(conn, "s1", "PACT:database-engineer", None) is True
    assert store.explicit_since(conn, "s1", "PACT:pact-database-engineer",
                                "2999-01-01T00:00:00.000Z") is False


@pytest.mark.parametrize("saved", ["database-engineer", "PACT:pact-database-engineer",
                                   "Pact-Database-Engineer"])
def test_an_explicit_save_may_spell_the_agent_any_usual_way(conn, saved):
    save(conn, agent=saved, session_id="s1")

    assert store.explicit_since(conn, "s1", "PACT:pact-database-engineer", None) is True


def test_stats_count_by_source_and_project(conn):
    save(conn)
    save(conn, goal="other", source="handoff")
    save(conn, goal="third", project="/else")

    info = store.stats(conn, PROJECT)

    assert info == {"memories": 3, "project": PROJECT, "project_memories": 2, "pinned": 0,
                    "projects": 2, "by_source": {"explicit": 2, "handoff": 1, "import": 0}}


def test_migration_sets_the_schema_version(conn):
    version = conn.execute("PRAGMA user_version").fetchone()[0]

    assert version == len(db._migrations())
    assert isinstance(conn, sqlite3.Connection)


def test_an_older_database_is_upgraded_in_order_and_keeps_its_memories(home):
    os.makedirs(home)
    old = sqlite3.connect(os.path.join(home, "pact.db"))
    steps = db._migrations()
    steps[0](old)  # the file as the first release left it: memory tables, version 1
    old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO memories (id, created, updated, project, goal, content_hash) "
                "VALUES ('m-0123456789', '2026-01-01T00:00:00.000Z', "
                "'2026-01-01T00:00:00.000Z', ?, 'kept through the upgrade', 'h')", (PROJECT,))
    old.commit()
    old.close()

    conn = store.open_store(home)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(steps)
        assert store.get(conn, "m-0123456789")["goal"] == "kept through the upgrade"
        # The later step ran (the signal log exists), and the search index was built.
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'signals'"
                            ).fetchone()[0] == 1
        assert [m["id"] for m in search.search(conn, "upgrade", project=PROJECT)] == [
            "m-0123456789"]
    finally:
        conn.close()
    again = store.open_store(home)
    try:
        assert db.migrate(again) == len(steps)  # nothing left to do
    finally:
        again.close()


def test_content_hash_is_plain_sha256():
    import hashlib

    assert store.sha256_hex(b"pact") == hashlib.sha256(b"pact").hexdigest()


def test_names_that_redact_alike_are_linked_and_indexed_once(conn):
    ident, _ = save(conn, entities=["AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPL2", "orders"])

    assert store.get(conn, ident)["entities"] == [
        {"name": "[REDACTED:aws-access-key]", "kind": ""}, {"name": "orders", "kind": ""}]
    assert store.forget(conn, ident) is True
    conn.execute("INSERT INTO memory_fts (memory_fts) VALUES ('integrity-check')")
    assert conn.execute("SELECT count(*) FROM memory_fts WHERE memory_fts MATCH 'orders'"
                        ).fetchone()[0] == 0


def test_a_version_2_database_gains_pin_times_and_signal_columns(home):
    os.makedirs(home)
    old = sqlite3.connect(os.path.join(home, "pact.db"))
    steps = db._migrations()
    steps[0](old)
    steps[1](old)  # memory tables and the signal log, as release 2 left them
    old.execute("PRAGMA user_version = 2")
    for ident, pinned in (("m-0000000001", 1), ("m-0000000002", 0)):
        old.execute("INSERT INTO memories (id, created, updated, project, goal, pinned, "
                    "content_hash) VALUES (?, '2026-01-01T00:00:00.000Z', "
                    "'2026-02-03T04:05:06.000Z', ?, 'g', ?, ?)", (ident, PROJECT, pinned, ident))
    old.execute("INSERT INTO signals (created, project, level, category, reason, status) "
                "VALUES (1.0, ?, 'HALT', 'DATA', 'r', 'resolved')", (PROJECT,))
    old.commit()
    old.close()

    conn = store.open_store(home)
    try:
        rows = conn.execute("SELECT id, pinned_at FROM memories ORDER BY id").fetchall()
        assert rows == [("m-0000000001", "2026-02-03T04:05:06.000Z"), ("m-0000000002", "")]
        signal = conn.execute("SELECT resolved_session, used_at, acknowledged_by, "
                              "acknowledged_at FROM signals").fetchone()
        assert signal == ("", None, "", None)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION == 4
    finally:
        conn.close()
