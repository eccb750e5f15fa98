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
    return said(hooks, text, session)[0]


def said(hooks: Hooks, text: str, session: str = "s1") -> tuple[str, str]:
    """What the resolve hook told the model (additionalContext) and the user (systemMessage).

    Its answer comes first; the list of signals still waiting follows it after a blank line.
    """
    answer = hooks.run("UserPromptSubmit", {"session_id": session, "prompt": text})
    assert answer is not None
    told = context(answer, "UserPromptSubmit").split("\n\n")[0]
    return told, str(answer.get("systemMessage", "")).split("\n\n")[0]


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
                    "with a new HALT. The user has been told that `/PACT:resolve S1 approved` "
                    "lets exactly that call run once. Follow the new decision and record it in "
                    "memory.")
    withdrawn = only(hooks, "S1")
    assert (withdrawn.status, withdrawn.resolution, withdrawn.approval(False)) == (
        "resolved", "no, keep the table", "not approved")
    assert deny_reason(drop(hooks)).startswith("PACT guard raised HALT S2")


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
    used = only(hooks, "S1")
    assert used.resolved_at is not None and used.used_at is not None
    decided, through = store.iso(used.resolved_at), store.iso(used.used_at)
    assert said(hooks, "/PACT:resolve S1 no") == (
        f'S1 was already resolved on {decided} with: "yes". The guard let the call it approved '
        f"through on {through}, so the decision stands; if the call is tried again the guard "
        "opens a new HALT. The new words were not recorded; the user has been told.",
        f'PACT: "no" was not recorded: S1 was already resolved on {decided} with "yes", and '
        f"the guard let the call it approved through on {through}, so that decision stands.")
    assert only(hooks, "S1").resolution == "yes"


def test_a_withdrawal_in_the_middle_stops_a_call_read_before_it(hooks: Hooks) -> None:
    drop(hooks)
    prompt(hooks, "/PACT:resolve S1 yes")
    with closing(store.connect(hooks.home)) as conn:
        stale = store.get(conn, 1)
        assert stale is not None
        assert store.decide_again(conn, stale, "no", "s1") is not None
        assert not store.spend(conn, stale)  # the guard read "yes"; the user said "no" since
        # Nor can a decision read before the change replace it: "no" is the one that counts.
        assert store.decide_again(conn, stale, "yes", "s1") is None
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
    told = context(answer, "UserPromptSubmit")
    assert "the prompt named no session, so it lets the call S1 stopped run nowhere" in told
    assert "has been told" not in told
    assert answer is not None and answer["systemMessage"] == (
        "PACT: S1 stays stopped: the prompt carried no session, so the approval can hold "
        "nowhere.")
    assert deny_reason(hooks.tool("Bash", {"command": DROP})).startswith(
        "PACT guard raised HALT S2")


# ---- what the user is told, and the latest decision counting ------------------------------

HOW = "To let exactly that call run once, type /PACT:resolve S1 approved"


@pytest.mark.parametrize(("decision", "why"), [
    ("approved, it is not a production database", '"not" keeps the decision from approving it'),
    ("yes, run it once", '"once" keeps the decision from approving it'),
    ("yes drop it, I Don't need that table", '"Don\'t" keeps the decision from approving it'),
    ("go ahead", "the decision does not begin with approved or yes"),
    ("approve", "the decision does not begin with approved or yes"),
])
def test_the_user_is_told_why_a_decision_approves_nothing_and_how_to_approve(
        hooks: Hooks, decision: str, why: str) -> None:
    drop(hooks)
    text, message = said(hooks, f"/PACT:resolve S1 {decision}")
    assert message == f"PACT: the call S1 stopped stays stopped: {why}. {HOW}"
    assert text == (
        f'The user resolved S1 (HALT DATA: The guard stopped a Bash call: DROP TABLE: `DROP '
        f'TABLE customers`) with the decision: "{decision}". Follow that decision and record it '
        f"in memory. This decision does not approve the call S1 stopped ({why}; see the rule in "
        "algedonic.md, Letting a stopped action run): do what it asks; if the call is tried "
        "again the guard stops it with a new HALT for the user to decide. The user has been "
        "told that `/PACT:resolve S1 approved` lets exactly that call run once. No HALT is open "
        "now; work may continue within that decision.")
    # What the message says works: the approval it names lets exactly that call run, once.
    prompt(hooks, "/PACT:resolve S1 approved")
    assert ran(drop(hooks))
    assert deny_reason(drop(hooks)).startswith("PACT guard raised HALT S2")


def test_an_approving_decision_tells_the_user_the_call_may_run_once(hooks: Hooks) -> None:
    drop(hooks)
    assert said(hooks, "/PACT:resolve S1 approved, the backup is done")[1] == (
        "PACT: S1 approved: the call it stopped may run once, unchanged, in this session.")
    hooks.tool("Bash", {"command": 'psql -c "DROP TABLE orders"'})  # S2 stops another call
    other = hooks.halt("the migration drops orders")
    assert said(hooks, "/PACT:resolve S2 yes")[1] == (
        "PACT: S2 approved: the call it stopped may run once, unchanged, in this session, once "
        f"no HALT is open (still open: {other.ref}).")


def test_several_stopped_calls_are_named_together(hooks: Hooks) -> None:
    drop(hooks)
    hooks.tool("Bash", {"command": 'psql -c "DROP TABLE orders"'})
    assert said(hooks, "/PACT:resolve S1 S2 go ahead")[1] == (
        "PACT: the calls S1 and S2 stopped stay stopped: the decision does not begin with "
        "approved or yes. To let exactly those calls run once each, type /PACT:resolve S1 S2 "
        "approved")


def test_a_signal_the_guard_did_not_raise_gets_no_approval_message(hooks: Hooks) -> None:
    halt = hooks.halt()
    assert said(hooks, f"/PACT:resolve {halt.ref} go ahead")[1] == ""


def test_the_latest_decision_counts_until_the_call_is_let_through(hooks: Hooks) -> None:
    drop(hooks)
    prompt(hooks, "/PACT:resolve S1 yes, but only after the backup finishes")
    text, message = said(hooks, "/PACT:resolve S1 no, keep it")
    assert text == (
        'The user changed the decision in S1: "no, keep it" replaces "yes, but only after the '
        'backup finishes". It still does not approve the call S1 stopped ("no" keeps the '
        "decision from approving it); if the call is tried again the guard stops it with a new "
        "HALT. The user has been told that `/PACT:resolve S1 approved` lets exactly that call "
        "run once. Follow the new decision and record it in memory.")
    assert message == ('PACT: the call S1 stopped stays stopped: "no" keeps the decision from '
                       f"approving it. {HOW}")
    # An approval after a refusal approves, in the session where it is typed.
    text, message = said(hooks, "/PACT:resolve S1 approved", session="s2")
    assert text == (
        'The user approved the call S1 stopped: "approved" replaces "no, keep it". By the '
        "protocol's rule it may be retried once, unchanged, in this session only. Follow the "
        "new decision and record it in memory.")
    assert message == ("PACT: S1 approved: the call it stopped may run once, unchanged, in "
                       "this session.")
    assert only(hooks, "S1").resolved_session == "s2"
    # A refusal after that withdraws it again; and a last approval lets the call through.
    prompt(hooks, "/PACT:resolve S1 no", session="s2")
    assert only(hooks, "S1").approval(False) == "not approved"
    prompt(hooks, "/PACT:resolve S1 yes", session="s2")
    assert not ran(drop(hooks, session="s1"))  # S2, judged afresh in s1
    prompt(hooks, "/PACT:resolve S2 keep it", session="s1")
    assert ran(drop(hooks, session="s2"))
    assert only(hooks, "S1").used_at is not None


def test_words_on_a_decided_signal_are_not_recorded_and_the_user_is_told(hooks: Hooks) -> None:
    halt = hooks.halt("the scraper ignores robots.txt", category="ETHICS")
    prompt(hooks, f"/PACT:resolve {halt.ref} stop the scraper")
    decided = only(hooks, halt.ref)
    assert decided.resolved_at is not None
    when = store.iso(decided.resolved_at)
    text, message = said(hooks, f"/PACT:resolve {halt.ref} yes actually continue")
    assert text == (f'{halt.ref} was already resolved on {when} with: "stop the scraper". The '
                    "new words were not recorded; the user has been told.")
    assert message == (
        f'PACT: "yes actually continue" was not recorded: {halt.ref} was already resolved on '
        f'{when} with "stop the scraper", and that decision stands (only a HALT the guard raised '
        "can be decided again, until its call is let through).")
    assert only(hooks, halt.ref).resolution == "stop the scraper"


def test_an_approval_replaced_by_a_later_halt_of_the_same_call_is_never_waiting(
        hooks: Hooks) -> None:
    """Finding R2: S1 approved in A, moved to B while S2 (same call) is open, then S2 decided."""
    drop(hooks, session="A")
    prompt(hooks, "/PACT:resolve S1 approved", session="A")
    drop(hooks, session="B")  # S2: A's approval holds in A alone
    text, message = said(hooks, "/PACT:resolve S1 approved", session="B")
    assert text.endswith(
        "The approval now holds in this session alone: the call may be retried once, "
        "unchanged. But HALT S2, still open, stopped the same call: the guard refuses it until "
        "S2 is resolved, and a decision on S2 typed in this session then counts instead of the "
        "one in S1.")
    assert message == ("PACT: S1 approved, but S2 (still open) stopped the same call; once S2 "
                       "is resolved in this session, its decision counts instead.")
    assert not ran(drop(hooks, session="B"))  # refused as a repeat of S2, as the note says
    text, message = said(hooks, "/PACT:resolve S2 yes", session="B")
    assert ("This decision replaces the approval in S1 for the same call, which no longer lets "
            "it run.") in text
    assert message == ("PACT: S2 approved: the call it stopped may run once, unchanged, in "
                       "this session.")
    with closing(store.connect(hooks.home)) as conn:
        later = store.replacement(conn, only(hooks, "S1"))
    assert later is not None and later.ref == "S2"
    assert only(hooks, "S1").as_dict(approves=True, replaced_by=later)["approval"] == "replaced"
    assert ran(drop(hooks, session="B"))  # under S2
    assert deny_reason(drop(hooks, session="B")).startswith("PACT guard raised HALT S3")
    assert (only(hooks, "S1").used_at, only(hooks, "S2").used_at is not None) == (None, True)


def test_a_decision_changed_at_the_same_moment_asks_the_user_to_type_it_again(
        hooks: Hooks, monkeypatch) -> None:
    drop(hooks)
    prompt(hooks, "/PACT:resolve S1 no")
    decided = only(hooks, "S1")
    assert decided.resolved_at is not None
    monkeypatch.setattr(store, "decide_again", lambda *args: None)  # another prompt won
    assert said(hooks, "/PACT:resolve S1 approved")[1] == (
        f'PACT: "approved" was not recorded: S1 was already resolved on '
        f'{store.iso(decided.resolved_at)} with "no", recorded at the same moment; type yours '
        "again if it should count.")


def test_an_approval_does_not_cover_the_same_command_once_its_sql_file_changed(
        hooks: Hooks) -> None:
    import os

    path = os.path.join(hooks.project, "x.sql")
    with open(path, "w") as f:
        f.write("DROP TABLE customers;\n")
    run = {"command": "psql -f x.sql"}
    assert not ran(hooks.tool("Bash", run, session_id="s1", cwd=hooks.project))
    prompt(hooks, "/PACT:resolve S1 approved, the backup is done")
    with open(path, "w") as f:
        f.write("DROP TABLE orders;\nTRUNCATE payments;\n")

    reason = deny_reason(hooks.tool("Bash", run, session_id="s1", cwd=hooks.project))

    assert reason.startswith("PACT guard raised HALT S2 (DATA)")
    assert ("The same call was approved in S1, but it would now do something else (the SQL it "
            "runs has changed), so that approval does not cover it.") in reason
    assert only(hooks, "S1").used_at is None


def test_an_approved_edit_covers_only_that_edit(hooks: Hooks) -> None:
    import os

    path = os.path.join(hooks.project, "db", "migrations", "0007.sql")
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as f:
        f.write("SELECT 1;\nSELECT 2;\n")
    edit = {"file_path": path, "old_string": "SELECT 1;", "new_string": "DROP TABLE t;"}
    assert not ran(hooks.tool("Edit", edit, session_id="s1"))
    prompt(hooks, "/PACT:resolve S1 approved")

    wider = dict(edit, old_string="SELECT 2;", replace_all=True)
    assert deny_reason(hooks.tool("Edit", wider, session_id="s1")).startswith(
        "PACT guard raised HALT S2 (DATA)")
    prompt(hooks, "/PACT:resolve S2 no, only the first statement")
    assert ran(hooks.tool("Edit", edit, session_id="s1"))  # what S1 approved, once


@pytest.mark.parametrize("decision", ["approved, don`t", "approved, won‘t run on prod",
                                      "yes, donʼt", "approved, do n't", "100 yes"])
def test_every_spelling_of_a_refusal_approves_nothing(hooks: Hooks, decision: str) -> None:
    drop(hooks)
    prompt(hooks, f"/PACT:resolve S1 {decision}")

    assert not ran(drop(hooks))


def test_an_id_in_other_digits_is_no_id_and_breaks_nothing(hooks: Hooks) -> None:
    drop(hooks)

    told = prompt(hooks, "/PACT:resolve S² approved")

    assert told.startswith("Nothing was resolved: `/PACT:resolve <id> <decision>` needs a "
                           "signal id")
    assert only(hooks, "S1").status == "open"


def test_a_prompt_padded_with_white_space_is_still_read(hooks: Hooks) -> None:
    drop(hooks)
    padded = "/PACT:resolve" + " " * 130_000 + "S1 approved" + " \n" * 50_000

    prompt(hooks, padded)

    assert only(hooks, "S1").resolution == "approved"


def test_a_lone_surrogate_and_a_question_mark_are_different_calls(hooks: Hooks) -> None:
    from pact_runtime.signals import guard

    assert guard._digest("psql -c 'DROP TABLE \ud800'") != guard._digest(
        "psql -c 'DROP TABLE ?'")
