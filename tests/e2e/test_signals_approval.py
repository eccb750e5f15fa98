"""Approvals of a stopped call in real sessions: they hold in one session and can be withdrawn."""

from __future__ import annotations

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
