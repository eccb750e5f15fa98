"""The signal log, its HALT marker, and the vocabulary read from the protocols."""

from __future__ import annotations

import os
import shutil
from contextlib import closing

import pytest
from pact_runtime.signals import store, vocabulary

PROJECT = "/srv/shop"


@pytest.fixture
def home(tmp_path) -> str:
    return str(tmp_path / "data")


@pytest.fixture
def conn(home: str):
    with closing(store.connect(home)) as connection:
        yield connection


def _halt(conn, home: str, project: str = PROJECT, reason: str = "drops customers"):
    return store.record(conn, home, project=project, level="HALT", category="DATA",
                        reason=reason, evidence="0042.sql:3", agent="PACT:pact-database-engineer")


def test_record_returns_a_short_typable_id(conn, home: str) -> None:
    first = _halt(conn, home)
    second = store.record(conn, home, project=PROJECT, level="ALERT", category="SCOPE",
                          reason="grew")
    assert (first.ref, second.ref) == ("S1", "S2")
    assert (first.status, first.level, first.category, first.evidence) == (
        "open", "HALT", "DATA", "0042.sql:3")


@pytest.mark.parametrize(("text", "number"), [("S7", 7), ("s7", 7), ("#7", 7), ("7", 7),
                                              ("x7", None), ("S", None), ("", None)])
def test_parse_id_reads_every_form_the_user_may_type(text: str, number: int | None) -> None:
    assert store.parse_id(text) == number


def test_halt_writes_the_marker_and_resolving_the_last_one_removes_it(conn, home: str) -> None:
    one, two = _halt(conn, home), _halt(conn, home, reason="second")
    assert store.halt_marked(home, PROJECT)
    store.resolve(conn, home, one, "approved after backup")
    assert store.halt_marked(home, PROJECT)
    resolved = store.resolve(conn, home, two, "keep it")
    assert not store.halt_marked(home, PROJECT)
    assert (resolved.status, resolved.resolved_by, resolved.resolution) == (
        "resolved", "user", "keep it")
    assert resolved.resolved_at is not None


def test_alert_writes_no_marker(conn, home: str) -> None:
    store.record(conn, home, project=PROJECT, level="ALERT", category="QUALITY", reason="flaky")
    assert not os.path.exists(store.marker_path(home, PROJECT))


def test_waiting_marker_follows_what_waits_for_the_user(conn, home: str) -> None:
    assert store.waiting_marked(home, PROJECT) is None  # no signal ever: the log decides
    alert = store.record(conn, home, project=PROJECT, level="ALERT", category="QUALITY",
                         reason="flaky")
    assert store.waiting_marked(home, PROJECT) is True
    store.acknowledge(conn, home, alert)
    assert store.waiting_marked(home, PROJECT) is False
    halt = _halt(conn, home)
    assert store.waiting_marked(home, PROJECT) is True
    store.acknowledge(conn, home, halt)  # a HALT stays waiting until the user resolves it
    assert store.waiting_marked(home, PROJECT) is True
    store.resolve(conn, home, halt, "approved after backup")
    assert store.waiting_marked(home, PROJECT) is False
    assert not store.halt_marked(home, PROJECT)


def test_mark_all_waiting_writes_a_marker_per_project_with_something_open(conn, home: str) -> None:
    store.record(conn, home, project="/srv/a", level="ALERT", category="SCOPE", reason="grew")
    done = store.record(conn, home, project="/srv/b", level="ALERT", category="SCOPE", reason="x")
    store.acknowledge(conn, home, done)
    shutil.rmtree(os.path.join(home, "waiting"))
    store.mark_all_waiting(conn, home)
    assert (store.waiting_marked(home, "/srv/a"), store.waiting_marked(home, "/srv/b")) == (
        True, False)


def test_marker_is_per_project(conn, home: str) -> None:
    _halt(conn, home, project="/srv/a")
    assert store.halt_marked(home, "/srv/a")
    assert not store.halt_marked(home, "/srv/b")


def test_pending_leaves_out_acknowledged_alerts_and_resolved_signals(conn, home: str) -> None:
    halt = _halt(conn, home)
    alert = store.record(conn, home, project=PROJECT, level="ALERT", category="SCOPE", reason="r")
    done = store.record(conn, home, project=PROJECT, level="ALERT", category="QUALITY", reason="q")
    store.acknowledge(conn, home, alert)
    store.resolve(conn, home, done, "fixed")
    assert [s.ref for s in store.pending(conn, PROJECT)] == [halt.ref]
    assert [s.ref for s in store.find(conn, PROJECT, open_only=True)] == [halt.ref]
    assert [s.status for s in store.find(conn, PROJECT)] == ["open", "acknowledged", "resolved"]


def test_record_redacts_reason_and_evidence(conn, home: str) -> None:
    key = "sk-ant-api03-" + "Ab3dEf6hIj9kLm2nOp5qRs8t"
    signal = store.record(conn, home, project=PROJECT, level="HALT", category="SECURITY",
                          reason=f"key {key} is in config.py", evidence=f"config.py:3 KEY={key}")
    stored = store.get(conn, signal.id)
    assert stored is not None
    assert stored.reason == "key [REDACTED:anthropic-key] is in config.py"
    assert stored.evidence == "config.py:3 KEY=[REDACTED:anthropic-key]"
    assert key not in repr(conn.execute("SELECT * FROM signals").fetchall())


def test_surface_for_call_returns_each_signal_once(conn, home: str) -> None:
    import time

    old = _halt(conn, home)
    conn.execute("UPDATE signals SET created = created - 100 WHERE id = ?", (old.id,))
    by_agent = store.record(conn, home, project=PROJECT, level="ALERT", category="SCOPE",
                            reason="r", agent_id="a1")
    conn.execute("UPDATE signals SET created = created - 100 WHERE id = ?", (by_agent.id,))
    recent = _halt(conn, home, reason="recent")
    first = store.surface_for_call(conn, PROJECT, "a1", time.time() - 10)
    assert [s.ref for s in first] == [by_agent.ref, recent.ref]
    assert store.surface_for_call(conn, PROJECT, "a1", time.time() - 10) == []


def test_signal_as_dict_is_json_ready(conn, home: str) -> None:
    data = _halt(conn, home).as_dict()
    assert data["id"] == "S1" and data["status"] == "open" and data["resolved_at"] is None
    assert data["created"].endswith("Z")


def test_vocabulary_comes_from_the_protocols() -> None:
    assert vocabulary.levels() == {"HALT": ("SECURITY", "DATA", "ETHICS"),
                                   "ALERT": ("QUALITY", "SCOPE", "META-BLOCK")}
    assert vocabulary.handoff_parts() == ["Produced files", "Key decisions",
                                          "Areas of uncertainty", "Integration points",
                                          "Open questions"]


def test_vocabulary_follows_an_edited_protocol(tmp_path) -> None:
    (tmp_path / "protocols").mkdir()
    (tmp_path / "protocols" / "algedonic.md").write_text(
        "# A\n\n## Levels and categories\n\n| Level | Category | Use it when |\n|---|---|---|\n"
        "| HALT | DATA | x |\n| ALERT | COST | y |\n\n## When to signal\n\n| HALT | NOPE | z |\n")
    assert vocabulary.levels(str(tmp_path)) == {"HALT": ("DATA",), "ALERT": ("COST",)}


def test_missing_protocol_section_is_a_vocabulary_error(tmp_path) -> None:
    (tmp_path / "protocols").mkdir()
    (tmp_path / "protocols" / "pact-handoff.md").write_text("# H\n\n## Other\n")
    with pytest.raises(vocabulary.VocabularyError, match="The five parts"):
        vocabulary.handoff_parts(str(tmp_path))
    with pytest.raises(vocabulary.VocabularyError, match="cannot read"):
        vocabulary.levels(str(tmp_path))


# ---- signal blocks in a final message ---------------------------------------------------

BLOCK = "```pact-signal\nlevel: HALT\ncategory: DATA\nreason: drops customers\n```\n"


@pytest.mark.parametrize(("message", "reasons"), [
    (BLOCK, ["drops customers"]),
    ("```pact-signal\nreason: never closed\n", []),
    # An opener never closed is skipped and the next one tried, as a Markdown reader would.
    ("```pact-signal\nreason: a\n~~~pact-signal\nreason: b\n~~~\n", ["b"]),
    # A closer must be the same fence: ```` does not close ```.
    ("```pact-signal\nreason: a\n````\nstill a\n```\n", ["a ```` still a"]),
    # An opener inside a block already read is content.
    ("```pact-signal\nreason: a\n```pact-signal\n```\n```\n", ["a ```pact-signal"]),
    ("  ```  pact-signal  \nreason: indented\n  ```\n", ["indented"]),
    ("```pact-signal-extra\nreason: other info string\n```\n", []),
])
def test_signal_blocks_follow_the_fences(message: str, reasons: list[str]) -> None:
    from pact_runtime.signals.handoff import signal_blocks

    assert [b.get("reason", "") for b in signal_blocks(message)] == reasons


def test_ten_megabytes_of_unclosed_openers_are_read_in_one_pass() -> None:
    """14,000 openers once took the fence regex 30 s, the hook's timeout (see bench_guard)."""
    from pact_runtime.signals.handoff import signal_blocks

    openers = "```pact-signal\n" * 700_000  # 10.5 MB, no block closed
    assert signal_blocks(openers) == []
    assert signal_blocks(openers + "~~~pact-signal\nreason: last\n~~~\n") == [{"reason": "last"}]


def test_signal_blocks_wait_in_the_spool_while_the_database_is_locked(tmp_path,
                                                                      monkeypatch) -> None:
    """A block is not lost to a lock: spooled, the HALT marked at once, recorded once later."""
    import sqlite3

    from pact_runtime import db
    from pact_runtime.hook import Event
    from pact_runtime.signals.handoff import on_subagent_stop

    home, project = str(tmp_path / "data"), str(tmp_path)
    with closing(store.connect(home)):
        pass
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.1)
    event = Event("SubagentStop", {"session_id": "s1", "agent_type": "PACT:pact-database-engineer",
                                   "agent_id": "a7", "last_assistant_message": BLOCK},
                  {"PACT_HOME": home, "CLAUDE_PROJECT_DIR": project})
    holder = sqlite3.connect(os.path.join(home, "pact.db"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert on_subagent_stop(event) is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(os.listdir(os.path.join(home, "spool"))) == 1
    assert store.halt_marked(home, os.path.realpath(project))

    with closing(store.connect(home)) as conn:  # the next connection stores what waits
        recorded = [(s.level, s.category, s.reason, s.agent_id, s.source)
                    for s in store.find(conn, os.path.realpath(project))]
    assert recorded == [("HALT", "DATA", "drops customers", "a7", "handoff")]
    assert not os.path.exists(os.path.join(home, "spool"))
    assert on_subagent_stop(event) is None  # the same message again: still one signal
    with closing(store.connect(home)) as conn:
        assert len(store.find(conn, os.path.realpath(project))) == 1


def test_acknowledge_records_who_and_when_once(conn, home: str) -> None:
    alert = store.record(conn, home, project=PROJECT, level="ALERT", category="QUALITY",
                         reason="flaky")
    assert store.acknowledge(conn, home, alert, by="PACT:pact-test-engineer")
    assert not store.acknowledge(conn, home, alert, by="orchestrator")  # no longer open
    after = store.get(conn, alert.id)
    assert after is not None and after.acknowledged_by == "PACT:pact-test-engineer"
    assert after.acknowledged_at is not None
    assert after.as_dict()["acknowledged_at"] == store.iso(after.acknowledged_at)


def test_find_with_a_limit_keeps_the_newest_oldest_first(conn, home: str) -> None:
    for n in range(5):
        _halt(conn, home, reason=f"r{n}")
    _halt(conn, home, project="/srv/other")
    assert [s.id for s in store.find(conn, PROJECT, limit=2)] == [4, 5]
    assert [s.id for s in store.find(conn, PROJECT, limit=10 ** 30)] == [1, 2, 3, 4, 5]
    newest = store.get(conn, 5)
    assert newest is not None
    store.resolve(conn, home, newest, "keep")
    assert [s.id for s in store.find(conn, PROJECT, open_only=True, limit=2)] == [3, 4]


def _guard_halt(conn, home: str, words: str, session: str) -> store.Signal:
    signal = store.record(conn, home, project=PROJECT, level="HALT", category="DATA",
                          reason="drop", source="guard", fingerprint="call:act")
    return store.resolve(conn, home, signal, words, session=session)


def _latest(conn, session: str | None = None) -> int | None:
    decided = store.last_decision(conn, PROJECT, "call", session)
    return decided.id if decided is not None else None


def test_the_latest_decision_in_a_session_is_the_one_that_counts(conn, home: str) -> None:
    older = _guard_halt(conn, home, "yes", "A")
    newer = _guard_halt(conn, home, "no", "B")
    assert (_latest(conn, "A"), _latest(conn, "B"), _latest(conn)) == (older.id, newer.id,
                                                                       newer.id)
    assert (_latest(conn, "C"), _latest(conn, "")) == (None, None)  # no session: none holds
    # Resolving the older one again makes it the latest decision of its new session.
    assert store.decide_again(conn, older, "yes", "B") is not None
    assert (_latest(conn, "A"), _latest(conn, "B")) == (None, older.id)


def test_spend_records_the_run_once(conn, home: str) -> None:
    approved = _guard_halt(conn, home, "yes", "A")
    assert store.spend(conn, approved)
    assert not store.spend(conn, approved)  # used already
    used = store.get(conn, approved.id)
    assert used is not None and used.used and used.used_at is not None
    assert store.decide_again(conn, used, "no", "A") is None  # a used approval stays
    assert used.as_dict(approves=True)["approval"] == "used"


def test_a_later_decision_on_the_same_call_replaces_an_approval(conn, home: str) -> None:
    older = _guard_halt(conn, home, "yes", "A")
    assert store.replacement(conn, older) is None
    assert older.as_dict(approves=True)["approval"] == "waiting"
    elsewhere = _guard_halt(conn, home, "no", "B")  # another session: A keeps its approval
    assert store.replacement(conn, older) is None
    newer = _guard_halt(conn, home, "no", "A")
    replaced = store.replacement(conn, older)
    assert replaced is not None and replaced.id == newer.id
    data = older.as_dict(approves=True, replaced_by=replaced)
    assert (data["approval"], data["replaced_by"], list(data)[-2:]) == (
        "replaced", newer.ref, ["approval", "replaced_by"])
    assert [s.id for s in store.same_call(conn, older)] == [elsewhere.id, newer.id]
    # Deciding the older one again makes it the latest, and it counts once more.
    again = store.decide_again(conn, older, "approved", "A")
    assert again is not None and store.replacement(conn, again) is None
    replaced = store.replacement(conn, newer)
    assert replaced is not None and replaced.id == older.id


def test_a_used_or_open_signal_is_never_replaced(conn, home: str) -> None:
    used = _guard_halt(conn, home, "yes", "A")
    assert store.spend(conn, used)
    _guard_halt(conn, home, "no", "A")
    opened = store.record(conn, home, project=PROJECT, level="HALT", category="DATA",
                          reason="drop", source="guard", fingerprint="call:act")
    for signal in (store.get(conn, used.id), opened):
        assert signal is not None and store.replacement(conn, signal) is None
    assert (opened.call, _halt(conn, home).call) == ("call", "")
    assert [s.id for s in store.same_call(conn, _halt(conn, home))] == []


@pytest.mark.parametrize(("decision", "refused_by"), [
    ("approved", None), ("Yes.", None), ("APPROVED, the backup is done", None),
    ("approved, it is not a production database", "not"), ("yes, run it once", "once"),
    ("yes drop it, I Don't need that table", "Don't"), ("yes, but only after", "but"),
    ("no", "no"), ("go ahead", ""), ("approve", ""), ("", ""), ("3 tests", ""),
])
def test_refusal_names_the_first_word_that_keeps_a_decision_from_approving(
        decision: str, refused_by: str | None) -> None:
    assert vocabulary.refusal(decision) == refused_by
    assert vocabulary.approves(decision) is (refused_by is None)
