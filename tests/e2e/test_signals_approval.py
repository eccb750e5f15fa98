"""Approvals of a stopped call in real sessions: they hold in one session and can be withdrawn."""

from __future__ import annotations

import glob
import json
import os

from .harness import Client, text
from .test_signals import _fake_psql, bash, signals

DROP = './psql -c "DROP TABLE customers"'


def _stopped(pact: Client, plugin_root: str) -> str:
    """A first session in which the guard stops the DROP as S1; returns that session's id."""
    pact.model.script(main=[bash(DROP, "toolu_drop"), text("stopped")])
    r = pact.run("clean up the database", allowed_tools=["Bash"])
    assert r.returncode == 0, r
    assert "PACT guard raised HALT S1 (DATA)" in r.result_text(r.tool_result_for("toolu_drop"))
    (halt,) = signals(pact, plugin_root)
    assert halt["session"]
    return str(halt["session"])


def test_an_approval_not_used_in_its_session_lets_nothing_run_in_a_later_one(
        pact: Client, plugin_root: str):
    ran = _fake_psql(pact)
    first = _stopped(pact, plugin_root)

    # Session A, continued: the user approves, and the call is not retried there.
    pact.model.script(main=[text("noted")])
    r = pact.run("/PACT:resolve S1 yes", allowed_tools=["Bash"], args=["--continue"])
    assert r.returncode == 0, r
    assert ("this approves the call S1 stopped: it may be retried once, unchanged, in this "
            "session only") in r.context_text(r.main_requests[0])
    (approved,) = signals(pact, plugin_root)
    assert (approved["status"], approved["approval"], approved["resolved_session"],
            approved["used_at"]) == ("resolved", "waiting", first, None)

    # Session B, same project and HOME: the same DROP is judged afresh, with a new HALT.
    pact.model.script(main=[bash(DROP, "toolu_later"), bash("pact-signal show S1", "toolu_show"),
                            text("stopped again")])
    r2 = pact.run("clean up the database", allowed_tools=["Bash"])
    assert r2.returncode == 0, r2
    later = r2.tool_result_for("toolu_later")
    assert later.get("is_error") is True
    assert "PACT guard raised HALT S2 (DATA): DROP TABLE: `DROP TABLE customers`" in \
        r2.result_text(later)
    assert ("The approval in S1 was typed in another session and holds only there, so this "
            "call is judged afresh.") in r2.result_text(later)
    assert not os.path.exists(ran)
    old, new = signals(pact, plugin_root)
    assert new["session"] and new["session"] != first
    assert (old["approval"], old["used_at"], new["status"]) == ("waiting", None, "open")
    # `pact-signal show`, run in session B, says where S1's approval holds.
    shown = r2.result_text(r2.tool_result_for("toolu_show"))
    assert (f"approval:     approved, waiting to run once; holds only in session {first} "
            "(not this one)") in shown


def test_the_user_withdraws_an_approval_in_the_same_session(pact: Client, plugin_root: str):
    ran = _fake_psql(pact)
    first = _stopped(pact, plugin_root)
    pact.model.script(main=[text("noted")])
    r = pact.run("/PACT:resolve S1 yes", allowed_tools=["Bash"], args=["--continue"])
    assert r.returncode == 0, r

    # Still session A: "no" replaces the unused "yes", and the retry is stopped again.
    pact.model.script(main=[bash(DROP, "toolu_retry"), text("stopped")])
    r2 = pact.run("/PACT:resolve S1 no, keep the table", allowed_tools=["Bash"],
                  args=["--continue"])
    assert r2.returncode == 0, r2
    assert ('The user withdrew the approval in S1: "no, keep the table" replaces "yes".'
            in r2.context_text(r2.main_requests[0]))
    retry = r2.result_text(r2.tool_result_for("toolu_retry"))
    assert "PACT guard raised HALT S2 (DATA)" in retry and "another session" not in retry
    assert not os.path.exists(ran)
    withdrawn, new = signals(pact, plugin_root)
    assert (withdrawn["resolution"], withdrawn["approval"], withdrawn["resolved_session"],
            new["session"]) == ("no, keep the table", "not approved", first, first)



def _shown_to_user(pact: Client, session: str, event: str = "UserPromptSubmit") -> list[str]:
    """The hook messages the client showed the user in ``session``, from its transcript.

    ``-p`` prints no hook ``systemMessage``; the client records each one it shows as a
    ``hook_system_message`` attachment in the session's transcript.
    """
    shown = []
    pattern = os.path.join(pact.home, ".claude", "projects", "*", f"{session}.jsonl")
    for path in glob.glob(pattern):
        with open(path, encoding="utf-8") as f:
            for line in f:
                attachment = json.loads(line).get("attachment") or {}
                if attachment.get("type") == "hook_system_message" and \
                        attachment.get("hookEvent") == event:
                    shown.append(str(attachment.get("content", "")))
    return shown


def test_the_user_is_told_why_go_ahead_approves_nothing_and_approved_then_runs_the_call(
        pact: Client, plugin_root: str):
    ran = _fake_psql(pact)
    first = _stopped(pact, plugin_root)

    # "go ahead" approves nothing; the user, not only the model, is told why and what to type.
    pact.model.script(main=[text("noted")])
    r = pact.run("/PACT:resolve S1 go ahead", allowed_tools=["Bash"], args=["--continue"])
    assert r.returncode == 0, r
    told = ("PACT: the call S1 stopped stays stopped: the decision does not begin with approved "
            "or yes. To let exactly that call run once, type /PACT:resolve S1 approved")
    assert told in _shown_to_user(pact, first)
    assert ("This decision does not approve the call S1 stopped (the decision does not begin "
            "with approved or yes;") in r.context_text(r.main_requests[0])
    (refused,) = signals(pact, plugin_root)
    assert (refused["resolution"], refused["approval"]) == ("go ahead", "not approved")

    # The latest decision counts: "approved" in the same session lets the DROP run, once.
    pact.model.script(main=[bash(DROP, "toolu_retry"), bash("pact-signal show S1", "toolu_show"),
                            text("dropped")])
    r2 = pact.run("/PACT:resolve S1 approved", allowed_tools=["Bash"], args=["--continue"])
    assert r2.returncode == 0, r2
    assert ('The user approved the call S1 stopped: "approved" replaces "go ahead".'
            in r2.context_text(r2.main_requests[0]))
    assert _shown_to_user(pact, first)[-1] == (
        "PACT: S1 approved: the call it stopped may run once, unchanged, in this session.")
    assert r2.tool_result_for("toolu_retry").get("is_error") is not True
    with open(ran, encoding="utf-8") as f:
        assert f.read() == "-c DROP TABLE customers\n"
    (used,) = signals(pact, plugin_root)
    assert (used["resolution"], used["approval"], used["resolved_session"]) == (
        "approved", "used", first)
    assert (f"approval:     let through on {used['used_at']}: the guard let the approved call "
            "run once; your permission rules still decided whether it ran") in \
        r2.result_text(r2.tool_result_for("toolu_show"))
