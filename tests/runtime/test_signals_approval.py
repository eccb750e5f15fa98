"""Approvals of a call the guard stopped: one session, one run, withdrawn or moved by the user."""

from __future__ import annotations

import json
from contextlib import closing

import pytest
from pact_runtime.signals import store

from .test_signals_hooks import Hooks, context, deny_reason

DROP = 'psql -c "DROP TABLE customers"'


@pytest.fixture
def hooks(tmp_path) -> Hooks:
    (tmp_path / "project").mkdir()
    return Hooks(str(tmp_path / "data"), str(tmp_path / "project"))


def prompt(hooks: Hooks, text: str, session: str = "s1") -> str:
    return context(hooks.run("UserPromptSubmit", {"session_id": session, "prompt": text}),
                   "UserPromptSubmit")


def drop(hooks: Hooks, session: str = "s1", **extra: object) -> dict | None:
    return hooks.tool("Bash", {"command": DROP}, session_id=session, **extra)


def ran(answer: dict | None) -> bool:
    return answer is not None and "deny" not in json.dumps(answer)


def only(hooks: Hooks, ref: str) -> store.Signal:
    (signal,) = [s for s in hooks.signals() if s.ref == ref]
    return signal


def test_the_approval_records_its_session_and_its_run(hooks: Hooks) -> None:
    drop(hooks)
    prompt(hooks, "/PACT:resolve S1 yes", session="s1")
    assert (only(hooks, "S1").resolved_session, only(hooks, "S1").used_at) == ("s1", None)
    assert only(hooks, "S1").approval(True) == "waiting"
    assert ran(drop(hooks))
    used = only(hooks, "S1")
    assert used.used_at is not None and used.approval(True) == "used"
    assert not used.fingerprint.startswith(store.SPENT)  # used_at says it; the key is kept


def test_a_subagent_of_the_same_session_runs_under_its_approval(hooks: Hooks) -> None:
    drop(hooks)
    prompt(hooks, "/PACT:resolve S1 approved, the backup is done")
    assert ran(drop(hooks, agent_id="a1", agent_type="PACT:pact-database-engineer"))


def test_another_session_is_judged_afresh(hooks: Hooks) -> None:
    drop(hooks, session="A")
    prompt(hooks, "/PACT:resolve S1 yes", session="A")
    reason = deny_reason(drop(hooks, session="B"))
    assert reason.startswith("PACT guard raised HALT S2 (DATA): DROP TABLE: ")
    assert ("The approval in S1 was typed in another session and holds only there, so this "
            "call is judged afresh.") in reason
    assert only(hooks, "S1").used_at is None and only(hooks, "S2").status == "open"
    # Answering the new HALT in B lets the call run there, once.
    prompt(hooks, "/PACT:resolve S2 yes", session="B")
    assert ran(drop(hooks, session="B"))
    assert (only(hooks, "S1").used_at, only(hooks, "S2").used_at is not None) == (None, True)


def test_a_refusal_typed_again_withdraws_an_unused_approval(hooks: Hooks) -> None:
    drop(hooks)
    prompt(hooks, "/PACT:resolve S1 yes")
    text = prompt(hooks, "/PACT:resolve S1 no, keep the table")
    assert text == ('The user withdrew the approval in S1: "no, keep the table" replaces "yes". '
                    "The call S1 stopped stays stopped; if it is tried again the guard stops it "
                    "with a new HALT. Follow the new decision and record it in memory.")
    withdrawn = only(hooks, "S1")
    assert (withdrawn.status, withdrawn.resolution, withdrawn.approval(False)) == (
        "resolved", "no, keep the table", "not approved")
    assert deny_reason(drop(hooks)).startswith("PACT guard raised HALT S2")
    # Withdrawn is final: the signal now keeps its decision like any other.
    again = prompt(hooks, "/PACT:resolve S1 yes")
    assert again.startswith('S1 was already resolved on ') and '"no, keep the table"' in again
    assert only(hooks, "S1").resolution == "no, keep the table"


def test_an_approval_typed_again_in_a_new_session_holds_there_instead(hooks: Hooks) -> None:
    drop(hooks, session="A")
    prompt(hooks, "/PACT:resolve S1 yes", session="A")
    text = prompt(hooks, "/PACT:resolve S1 yes, the dump is in s3", session="B")
    assert text == ('The user approved the call S1 stopped again, in this session: "yes, the '
                    'dump is in s3" replaces "yes", typed in another session. The approval now '
                    "holds in this session alone: the call may be retried once, unchanged.")
    assert only(hooks, "S1").resolved_session == "B"
    # It moved: A no longer has it.
    assert deny_reason(drop(hooks, session="A")).startswith("PACT guard raised HALT S2")
    prompt(hooks, "/PACT:resolve S2 keep it", session="A")
    assert ran(drop(hooks, session="B"))


def test_an_approval_typed_again_in_the_same_session_keeps_holding(hooks: Hooks) -> None:
    drop(hooks)
    prompt(hooks, "/PACT:resolve S1 yes")
    assert prompt(hooks, "/PACT:resolve S1 approved") == (
        'S1 was already approved in this session; its decision now reads "approved". The '
        "stopped call may still be retried once, unchanged, in this session.")
    assert ran(drop(hooks))


def test_a_used_approval_cannot_be_changed(hooks: Hooks) -> None:
    drop(hooks)
    prompt(hooks, "/PACT:resolve S1 yes")
    assert ran(drop(hooks))
    text = prompt(hooks, "/PACT:resolve S1 no")
    assert text.startswith('S1 was already resolved on ') and 'with: "yes". The call it ' \
        "approved has run on " in text
    assert text.endswith("so the decision stands; if the call is tried again the guard opens "
                         "a new HALT.")
    assert only(hooks, "S1").resolution == "yes"


def test_a_withdrawal_in_the_middle_stops_a_call_read_before_it(hooks: Hooks) -> None:
    drop(hooks)
    prompt(hooks, "/PACT:resolve S1 yes")
    with closing(store.connect(hooks.home)) as conn:
        stale = store.get(conn, 1)
        assert stale is not None
        assert store.decide_again(conn, stale, "no", "s1") is not None
        assert not store.spend(conn, stale)  # the guard read "yes"; the user said "no" since
        assert store.decide_again(conn, stale, "yes", "s1") is None  # nor can "yes" come back
    assert only(hooks, "S1").used_at is None


def test_resolving_several_ids_withdraws_one_and_resolves_another(hooks: Hooks) -> None:
    drop(hooks)
    prompt(hooks, "/PACT:resolve S1 yes")
    other = hooks.halt("the migration drops orders")
    text = prompt(hooks, f"/PACT:resolve S1 {other.ref} no")
    assert text.startswith('The user withdrew the approval in S1: "no" replaces "yes".')
    assert f"The user resolved {other.ref} (HALT DATA: the migration drops orders)" in text
    assert [(s.ref, s.resolution) for s in hooks.signals()] == [("S1", "no"), ("S2", "no")]


def _old_log_row(hooks: Hooks, spent: bool) -> None:
    """S1 as a log written before approvals had a session: resolved "yes", maybe spent."""
    drop(hooks)
    with closing(store.connect(hooks.home)) as conn:
        prefix = store.SPENT if spent else ""
        conn.execute("UPDATE signals SET status = 'resolved', resolved_by = 'user', resolution ="
                     " 'yes', resolved_at = 1.0, fingerprint = ? || fingerprint", (prefix,))
        conn.commit()
        store.sync_markers(conn, hooks.home, hooks.project)


def test_an_old_spent_approval_counts_as_used(hooks: Hooks) -> None:
    _old_log_row(hooks, spent=True)
    old = only(hooks, "S1")
    assert (old.used, old.used_at, old.approval(True)) == (True, None, "used")
    assert deny_reason(drop(hooks)).startswith("PACT guard raised HALT S2")
    assert prompt(hooks, "/PACT:resolve S1 no").startswith("S1 was already resolved on "
                                                           "1970-01-01T00:00:01Z")


def test_an_old_unused_approval_without_a_session_lets_nothing_run(hooks: Hooks) -> None:
    _old_log_row(hooks, spent=False)
    assert only(hooks, "S1").approval(True) == "lapsed"
    assert deny_reason(drop(hooks)).startswith("PACT guard raised HALT S2")
    prompt(hooks, "/PACT:resolve S2 no")
    # Typed again in a session, it holds there like any approval.
    assert "now holds in this session alone" in prompt(hooks, "/PACT:resolve S1 yes")
    assert ran(drop(hooks))


def test_an_approval_from_a_prompt_without_a_session_holds_nowhere(hooks: Hooks) -> None:
    drop(hooks)
    answer = hooks.run("UserPromptSubmit", {"prompt": "/PACT:resolve S1 yes"})
    assert "the prompt named no session, so it lets the call S1 stopped run nowhere" in \
        context(answer, "UserPromptSubmit")
    assert deny_reason(hooks.tool("Bash", {"command": DROP})).startswith(
        "PACT guard raised HALT S2")
