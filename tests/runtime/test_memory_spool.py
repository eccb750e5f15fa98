"""A handoff that meets a locked database waits in the spool and is stored later."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest
from pact_runtime import db, paths
from pact_runtime.hook import Event
from pact_runtime.memory import capture, recall, store

HANDOFF = ("Done.\n\n### Produced files\n- `db/archive.sql`: the job\n\n"
           "### Key decisions\n- Archive nightly because writes are quiet then\n\n"
           "### Areas of uncertainty\n- LOW: batch size\n\n"
           "### Integration points\n- cron calls `archive_orders()`\n\n"
           "### Open questions\nNone\n")


@pytest.fixture
def home(tmp_path):
    return str(tmp_path / "data")


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    return os.path.realpath(folder)


@pytest.fixture
def locked(home, monkeypatch):
    """The database held by another connection's write transaction; release() lets go."""
    store.open_store(home).close()
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.1)
    holder = sqlite3.connect(db.db_path(home), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")

    class Lock:
        @staticmethod
        def release():
            if holder.in_transaction:
                holder.rollback()

    yield Lock
    Lock.release()
    holder.close()


def stop(home, project, session="sess-1"):
    return capture.on_subagent_stop(Event("SubagentStop", {
        "session_id": session, "cwd": project, "agent_type": "PACT:pact-database-engineer",
        "last_assistant_message": HANDOFF, "stop_hook_active": True},
        {"CLAUDE_PLUGIN_DATA": home, "CLAUDE_PROJECT_DIR": project}))


def stored(home):
    conn = sqlite3.connect(db.db_path(home))
    try:
        return conn.execute("SELECT source, decisions, project FROM memories").fetchall()
    finally:
        conn.close()


def spooled(home):
    folder = paths.spool_dir(home)
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def log_text(home):
    with open(os.path.join(home, "logs", "pact.log"), encoding="utf-8") as f:
        return f.read()


def test_a_locked_database_spools_the_handoff_and_the_next_connect_stores_it(home, project,
                                                                             locked):
    assert stop(home, project) is None

    files = spooled(home)
    assert stored(home) == [] and len(files) == 1
    path = os.path.join(paths.spool_dir(home), files[0])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(paths.spool_dir(home)).st_mode) == 0o700
    assert f"memory capture for PACT:pact-database-engineer spooled to {path}: another " \
           "program is writing" in log_text(home)

    db.connect(home).close()  # still locked: the record waits, and connect does not
    assert spooled(home) == files

    locked.release()
    db.connect(home).close()

    [(source, decisions, where)] = stored(home)
    assert (source, where) == ("handoff", project)
    assert json.loads(decisions)[0]["decision"] == "Archive nightly"
    assert not os.path.exists(paths.spool_dir(home))  # the common path is one stat again


def test_the_next_session_start_stores_a_spooled_handoff_and_recalls_it(home, project, locked):
    stop(home, project)
    locked.release()

    outcome = recall.on_session_start(Event("SessionStart", {"cwd": project},
                                            {"CLAUDE_PLUGIN_DATA": home,
                                             "CLAUDE_PROJECT_DIR": project}))

    assert outcome is not None and "Archive nightly" in outcome.context
    assert spooled(home) == []


def test_a_spooled_handoff_is_dropped_when_the_specialist_saved_one_itself(home, project):
    payload = {"record": store.redacted(store.normalize({"goal": "captured"})),
               "project": project, "created": "2026-12-03T10:00:00.000Z",
               "explicit": ["sess-2", "PACT:pact-database-engineer", "2026-12-03T09:00:00.000Z"]}
    conn = store.open_store(home)
    try:
        store.save(conn, store.normalize({"goal": "own save", "agent": "pact-database-engineer",
                                          "session_id": "sess-2"}),
                   project=project, source="explicit", created="2026-12-03T09:30:00.000Z")
        capture.store_spooled(conn, home, payload)
        capture.store_spooled(conn, home, {**payload, "explicit": ["sess-3", "x", None]})
    finally:
        conn.close()

    assert sorted(s for s, _, _ in stored(home)) == ["explicit", "handoff"]


@pytest.mark.parametrize(("payload", "message"), [
    ({"record": {"goal": "g"}, "project": "relative"}, "project: expected an absolute path"),
    ({"record": {"goal": "g"}, "project": "/p", "created": "yesterday"}, "created: invalid"),
    ({"record": {"goal": 5}, "project": "/p"}, "goal: expected a string"),
    ({"project": "/p"}, "'record'"),
])
def test_the_handler_refuses_a_payload_it_cannot_trust(home, payload, message):
    conn = store.open_store(home)
    try:
        with pytest.raises((ValueError, KeyError), match=message):
            capture.store_spooled(conn, home, payload)
    finally:
        conn.close()


def test_the_same_handoff_spooled_twice_is_stored_once(home, project, locked):
    stop(home, project)
    stop(home, project)
    assert len(spooled(home)) == 2
    locked.release()

    db.connect(home).close()

    assert len(stored(home)) == 1 and spooled(home) == []


def test_a_spooled_file_that_is_no_record_moves_aside_and_the_rest_is_stored(home, project,
                                                                             locked):
    stop(home, project)
    bad = os.path.join(paths.spool_dir(home), "00000000000000000000-1-aaaaaa.json")
    with open(bad, "w", encoding="utf-8") as f:
        f.write('{"kind": "memory", "payload": {"record": {"goal": 5}, "project": "/p"}}')
    locked.release()

    db.connect(home).close()

    assert len(stored(home)) == 1 and spooled(home) == []
    assert os.listdir(os.path.join(home, db.REJECTED_DIR)) == [os.path.basename(bad)]
    assert "refused by its handler (InvalidMemory: goal: expected a string, got int)" in \
        log_text(home)


def test_a_kind_without_a_handler_stays_and_others_are_stored(home, project, locked,
                                                               monkeypatch):
    monkeypatch.setitem(db.SPOOL_HANDLERS, "later", ("memory.capture", "no_such_function"))
    kept = db.spool(home, "later", {"x": 1})
    stop(home, project)
    locked.release()

    db.connect(home).close()

    assert len(stored(home)) == 1 and spooled(home) == [os.path.basename(kept)]


def test_spool_refuses_a_kind_nobody_stores(home):
    with pytest.raises(ValueError, match="no spool handler for 'nobody'"):
        db.spool(home, "nobody", {})
