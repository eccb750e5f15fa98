"""SubagentStop capture: a specialist's handoff becomes a memory, once, and never blocks."""

from __future__ import annotations

import json
import os

import pytest
from pact_runtime import paths
from pact_runtime.hook import Event
from pact_runtime.memory import capture, handoff, store

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAMES = ["Produced files", "Key decisions", "Areas of uncertainty", "Integration points",
         "Open questions"]

HANDOFF = """Done: the orders report now uses a partial index.

### Produced files
- `db/migrations/0042_orders_status_idx.sql`: creates the partial index
- db/report.sql - rewritten query

### Key decisions
- Partial index on status because only 3% of rows are open, instead of a full index
- Keep the old view for one release

**Areas of uncertainty**:
- HIGH: the planner may skip the index on small tables; a test should check EXPLAIN.

**Integration points**: the backend reads `ORDERS_REPORT_LIMIT` and calls `report_orders()`.

## Open questions
None

```pact-signal
level: ALERT
category: QUALITY
reason: no load test yet
```
"""


@pytest.fixture
def home(tmp_path):
    return str(tmp_path / "data")


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    return str(folder)


def stop_event(home, project, message=HANDOFF, agent="PACT:pact-database-engineer",
               session="sess-1", transcript=""):
    return Event("SubagentStop", {
        "hook_event_name": "SubagentStop", "session_id": session, "cwd": project,
        "agent_id": "a1", "agent_type": agent, "last_assistant_message": message,
        "agent_transcript_path": transcript, "stop_hook_active": False,
    }, {"CLAUDE_PLUGIN_DATA": home, "CLAUDE_PROJECT_DIR": project})


def all_memories(home):
    conn = store.open_store(home)
    try:
        return list(store.iter_all(conn))
    finally:
        conn.close()


def transcript(tmp_path, started="2026-12-03T10:00:00.000Z", prompt="Add an index for the report"):
    path = tmp_path / "agent.jsonl"
    records = [{"type": "user", "timestamp": started,
                "message": {"role": "user", "content": prompt}},
               {"type": "assistant", "timestamp": started, "message": {"content": []}}]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return str(path)


def test_part_names_are_read_from_the_handoff_protocol():
    assert handoff.part_names(REPO) == NAMES


def test_part_names_of_a_missing_protocol_are_empty(tmp_path):
    assert handoff.part_names(str(tmp_path)) == []


def test_parts_are_found_under_headings_and_bold_labels():
    found = handoff.parts(HANDOFF, NAMES)

    assert found == {
        "files": ["`db/migrations/0042_orders_status_idx.sql`: creates the partial index",
                  "db/report.sql - rewritten query"],
        "decisions": ["Partial index on status because only 3% of rows are open, instead of "
                      "a full index", "Keep the old view for one release"],
        "uncertainties": ["HIGH: the planner may skip the index on small tables; a test "
                          "should check EXPLAIN."],
        "integration": ["the backend reads `ORDERS_REPORT_LIMIT` and calls `report_orders()`."],
        "questions": [],
    }


def test_part_names_match_case_insensitively_and_with_colon_inside_bold():
    found = handoff.parts("**KEY DECISIONS:** use UTC everywhere\n", NAMES)

    assert found == {"decisions": ["use UTC everywhere"]}


def test_handoff_becomes_a_memory(home, project, tmp_path):
    event = stop_event(home, project, transcript=transcript(tmp_path))

    assert capture.on_subagent_stop(event) is None
    [memory] = all_memories(home)

    assert memory["source"] == "handoff" and memory["agent"] == "pact-database-engineer"
    assert memory["phase"] == "Code" and memory["session_id"] == "sess-1"
    assert memory["project"] == os.path.realpath(project)
    assert memory["goal"] == "Add an index for the report"
    assert memory["files"] == ["db/migrations/0042_orders_status_idx.sql", "db/report.sql"]
    assert memory["decisions"][0] == {
        "decision": "Partial index on status",
        "rationale": "only 3% of rows are open, instead of a full index", "alternatives": []}
    assert memory["uncertainties"] == [
        "HIGH: the planner may skip the index on small tables; a test should check EXPLAIN."]
    assert memory["context"].startswith("Integration points: the backend reads")
    assert memory["entities"] == [{"name": "ORDERS_REPORT_LIMIT", "kind": "integration"},
                                  {"name": "report_orders()", "kind": "integration"}]


def test_same_handoff_twice_is_stored_once(home, project):
    capture.on_subagent_stop(stop_event(home, project))
    capture.on_subagent_stop(stop_event(home, project, session="sess-2"))

    assert len(all_memories(home)) == 1


@pytest.mark.parametrize("agent", ["general-purpose", "Explore", "other:pact-architect", ""])
def test_only_pact_specialists_are_captured(home, project, agent):
    assert capture.on_subagent_stop(stop_event(home, project, agent=agent)) is None

    assert not os.path.exists(os.path.join(home, "pact.db"))


def test_handoff_the_gate_sends_back_is_kept_only_when_it_comes_back(home, project):
    partial = HANDOFF.split("**Integration points**")[0]
    sent_back = stop_event(home, project, message=partial)
    assert capture.on_subagent_stop(sent_back) is None
    assert not os.path.exists(os.path.join(home, "pact.db"))

    second = stop_event(home, project, message=partial)
    second.data["stop_hook_active"] = True  # the gate lets the second stop through
    capture.on_subagent_stop(second)
    assert [m["lessons"] or m["decisions"] for m in all_memories(home)] != []
    assert len(all_memories(home)) == 1


def test_message_without_handoff_parts_is_not_captured(home, project):
    capture.on_subagent_stop(stop_event(home, project, message="All done, nothing to add."))

    assert all_memories(home) == []


def test_explicit_save_in_the_same_run_skips_capture(home, project, tmp_path):
    conn = store.open_store(home)
    try:
        store.save(conn, store.normalize({"goal": "own words", "agent": "pact-database-engineer",
                                          "session_id": "sess-1"}),
                   project=os.path.realpath(project), source="explicit")
    finally:
        conn.close()

    capture.on_subagent_stop(stop_event(home, project, transcript=transcript(
        tmp_path, started="2000-01-01T00:00:00.000Z")))

    assert [m["source"] for m in all_memories(home)] == ["explicit"]


def test_explicit_save_from_an_earlier_run_does_not_skip_capture(home, project, tmp_path):
    conn = store.open_store(home)
    try:
        store.save(conn, store.normalize({"goal": "own words", "agent": "pact-database-engineer",
                                          "session_id": "sess-1"}),
                   project=os.path.realpath(project), source="explicit",
                   created="2026-12-03T09:00:00.000Z")
    finally:
        conn.close()

    capture.on_subagent_stop(stop_event(home, project, transcript=transcript(
        tmp_path, started="2026-12-03T10:00:00.000Z")))

    assert sorted(m["source"] for m in all_memories(home)) == ["explicit", "handoff"]


def test_explicit_save_by_another_agent_does_not_skip_capture(home, project):
    conn = store.open_store(home)
    try:
        store.save(conn, store.normalize({"goal": "own words", "agent": "pact-architect",
                                          "session_id": "sess-1"}),
                   project=os.path.realpath(project), source="explicit")
    finally:
        conn.close()

    capture.on_subagent_stop(stop_event(home, project))

    assert sorted(m["source"] for m in all_memories(home)) == ["explicit", "handoff"]


def test_handoff_secrets_are_redacted(home, project):
    message = "### Integration points\n- connects with password=hunter22 to the db\n"

    capture.on_subagent_stop(stop_event(home, project, message=message))

    assert "hunter22" not in json.dumps(all_memories(home))


def test_corrupt_database_is_logged_and_the_hook_carries_on(home, project):
    os.makedirs(home)
    with open(os.path.join(home, "pact.db"), "wb") as f:
        f.write(b"garbage" * 1000)

    assert capture.on_subagent_stop(stop_event(home, project)) is None
    with open(os.path.join(home, "logs", "pact.log"), encoding="utf-8") as f:
        logged = f.read()

    assert ("memory capture skipped for PACT:pact-database-engineer: DatabaseDamaged: the PACT "
            "database") in logged


def test_missing_protocol_is_logged_and_nothing_is_stored(home, project, tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "plugin_root", lambda: str(tmp_path))

    assert capture.on_subagent_stop(stop_event(home, project)) is None
    with open(os.path.join(home, "logs", "pact.log"), encoding="utf-8") as f:
        assert "no five parts in protocols/pact-handoff.md" in f.read()
    assert not os.path.exists(os.path.join(home, "pact.db"))


def test_decision_item_is_split_into_decision_rationale_and_alternatives():
    assert handoff.decision("Use UUIDv7 keys rather than serial ids because merges are easier") \
        == {"decision": "Use UUIDv7 keys rather than serial ids",
            "rationale": "merges are easier", "alternatives": ["serial ids"]}


def test_decision_drops_the_comma_before_its_reason():
    assert handoff.decision("Round per line, because the accounting export does") == {
        "decision": "Round per line", "rationale": "the accounting export does",
        "alternatives": []}


@pytest.mark.parametrize(("item", "path"), [
    ("`src/app.py`: entry point", "src/app.py"),
    ("src/app.py - entry point", "src/app.py"),
    ("**docs/README.md** (updated)", "docs/README.md"),
    ("Makefile", ""),
    ("a note without a path", ""),
])
def test_file_path_is_taken_from_a_produced_files_item(item, path):
    assert handoff.file_path(item) == path


def test_through_the_dispatcher_capture_then_recall(home, project, capsys):
    from pact_runtime import dispatch

    env = {"CLAUDE_PLUGIN_DATA": home, "CLAUDE_PROJECT_DIR": project}
    stop = {"hook_event_name": "SubagentStop", "session_id": "s9", "cwd": project,
            "agent_id": "a9", "agent_type": "PACT:pact-database-engineer",
            "last_assistant_message": HANDOFF, "stop_hook_active": False}
    assert dispatch.main(["SubagentStop"], json.dumps(stop).encode(), env) == 0
    stop_out = capsys.readouterr().out

    start = {"hook_event_name": "SessionStart", "session_id": "s10", "cwd": project,
             "source": "startup"}
    assert dispatch.main(["SessionStart"], json.dumps(start).encode(), env) == 0
    answer = json.loads(capsys.readouterr().out)

    assert "additionalContext" not in stop_out
    assert answer["hookSpecificOutput"]["hookEventName"] == "SessionStart"
    assert "(pact-database-engineer, " in answer["hookSpecificOutput"]["additionalContext"]
    assert "Partial index on status" in answer["hookSpecificOutput"]["additionalContext"]


def _save_explicit(home, project, created):
    conn = store.open_store(home)
    try:
        store.save(conn, store.normalize({"goal": "own words", "agent": "pact-database-engineer",
                                          "session_id": "sess-1"}),
                   project=os.path.realpath(project), source="explicit", created=created)
    finally:
        conn.close()


def test_a_transcript_written_after_the_stop_is_waited_for(home, project, tmp_path):
    # The client wrote a one-turn run's transcript a few ms after SubagentStop: an explicit
    # save from the run before must not swallow this run's handoff, and its task is kept.
    import threading

    _save_explicit(home, project, "2026-12-03T09:00:00.000Z")
    session = tmp_path / "session.jsonl"
    session.write_text("{}\n")
    later = tmp_path / "later"
    later.mkdir()
    path = transcript(later, started="2026-12-03T10:00:00.000Z", prompt="Schedule the job")
    os.rename(path, tmp_path / "pending.jsonl")
    event = stop_event(home, project, transcript=path)
    event.data["transcript_path"] = str(session)
    timer = threading.Timer(0.05, os.rename, (tmp_path / "pending.jsonl", path))
    timer.start()
    try:
        capture.on_subagent_stop(event)
    finally:
        timer.join()

    memories = all_memories(home)
    assert [m["source"] for m in memories] == ["explicit", "handoff"]
    assert memories[1]["goal"] == "Schedule the job"


def test_a_first_line_still_being_written_is_read_again(tmp_path, monkeypatch):
    path = tmp_path / "agent.jsonl"
    record = json.dumps({"type": "user", "timestamp": "2026-12-03T10:00:00.000Z",
                         "message": {"role": "user", "content": "Add a column"}})
    path.write_text(record[:20])
    sleeps = []

    def finish_writing(seconds):
        sleeps.append(seconds)
        path.write_text(record + "\n")

    monkeypatch.setattr("time.sleep", finish_writing)

    assert capture._transcript_facts(str(path), wait=True) == (
        "2026-12-03T10:00:00.000Z", "Add a column")
    assert len(sleeps) == 1


def test_without_a_session_transcript_the_handler_does_not_wait(home, project, tmp_path,
                                                                 monkeypatch):
    def no_sleep(seconds):
        raise AssertionError("waited for a transcript the session does not keep")

    monkeypatch.setattr("time.sleep", no_sleep)
    event = stop_event(home, project, transcript=str(tmp_path / "never.jsonl"))
    event.data["transcript_path"] = str(tmp_path / "no-session.jsonl")

    capture.on_subagent_stop(event)

    [memory] = all_memories(home)
    assert memory["source"] == "handoff" and memory["goal"] == ""


def test_a_transcript_that_never_comes_ends_the_wait(tmp_path, monkeypatch):
    ticks = iter(range(1000))
    sleeps = []
    monkeypatch.setattr("time.monotonic", lambda: next(ticks) * 0.3)
    monkeypatch.setattr("time.sleep", sleeps.append)

    assert capture._transcript_facts(str(tmp_path / "never.jsonl"), wait=True) == (None, "")
    # The deadline is TRANSCRIPT_WAIT (1 s) after the first tick: read at 0.3, 0.6 and 0.9 s.
    assert sleeps == [capture._POLL] * 3


@pytest.mark.parametrize("lines", [
    ["not json\n"],
    ["[1, 2]\n"],
    ["[" * 100000 + "\n"],
    ['{"type": "user", "timestamp": 5}\n'],
])
def test_odd_transcript_lines_before_the_first_record_are_skipped(tmp_path, lines):
    path = tmp_path / "agent.jsonl"
    good = json.dumps({"type": "user", "timestamp": "2026-12-03T10:00:00.000Z",
                       "message": {"role": "user", "content": "Add a column"}})
    path.write_text("".join(lines) + good + "\n")

    assert capture._transcript_facts(str(path)) == ("2026-12-03T10:00:00.000Z", "Add a column")


def test_a_folder_or_odd_path_as_transcript_gives_no_facts(tmp_path):
    assert capture._transcript_facts(str(tmp_path), wait=True) == (None, "")
    assert capture._transcript_facts("bad\0path", wait=True) == (None, "")
    assert capture._transcript_facts("", wait=True) == (None, "")


def test_a_lone_surrogate_in_the_handoff_loses_no_memory(home, project, tmp_path):
    message = HANDOFF.replace("Partial index", "Partial \ud800 index")
    event = stop_event(home, project, message=message, session="sess-\udcff",
                       transcript=transcript(tmp_path, prompt="Add \ud83d"))

    capture.on_subagent_stop(event)

    [memory] = all_memories(home)
    assert memory["decisions"][0]["decision"] == "Partial \ufffd index on status"
    assert (memory["session_id"], memory["goal"]) == ("sess-\ufffd", "Add \ufffd")
