"""The waiting-signals block at SessionStart and UserPromptSubmit: HALTs first, then the
newest ALERTs, within a character budget, every open HALT named."""

from __future__ import annotations

import io
import json
import os
import sqlite3
from collections.abc import Iterator

import pytest
from pact_runtime import dispatch
from pact_runtime.signals import store
from pact_runtime.signals.surface import BUDGET, HALT_NOTE, HOW

HEADER = "PACT signals waiting for the user:"
DB = "PACT:pact-database-engineer"
BACKEND = "PACT:pact-backend-coder"


class Project:
    def __init__(self, home: str, project: str) -> None:
        self.home, self.project = home, os.path.realpath(project)
        self.env = {"PACT_HOME": home, "CLAUDE_PROJECT_DIR": project}
        self.conn: sqlite3.Connection | None = None

    def run(self, event: str, payload: dict) -> dict | None:
        out = io.BytesIO()
        raw = json.dumps({"session_id": "s1", "hook_event_name": event, **payload}).encode()
        assert dispatch.main([event], raw, self.env, out) == 0
        return json.loads(out.getvalue()) if out.getvalue() else None

    def prompt_context(self) -> str:
        answer = self.run("UserPromptSubmit", {"prompt": "add a total to the cart"})
        assert answer is not None
        return str(answer["hookSpecificOutput"]["additionalContext"])

    def record(self, level: str, reason: str, agent: str = "", evidence: str = "",
               category: str = "DATA") -> store.Signal:
        if self.conn is None:
            self.conn = store.connect(self.home)
        return store.record(self.conn, self.home, project=self.project, level=level,
                            category=category, reason=reason, agent=agent, evidence=evidence)


@pytest.fixture
def project(tmp_path) -> Iterator[Project]:
    (tmp_path / "project").mkdir()
    made = Project(str(tmp_path / "data"), str(tmp_path / "project"))
    yield made
    if made.conn is not None:
        made.conn.close()


def alert_line(n: int) -> str:
    return (f"- S{n} ALERT SCOPE ({BACKEND}): Endpoint {n} needs a billing service and a "
            f"second look at the cart totals. [evidence: spec.md line {n}]")


def add_alerts(project: Project, first: int, last: int) -> None:
    for n in range(first, last + 1):
        project.record("ALERT", f"Endpoint {n} needs a billing service and a second look at "
                       "the cart totals.", BACKEND, f"spec.md line {n}", "SCOPE")


def test_one_signal_is_shown_whole_with_no_count(project: Project) -> None:
    project.record("ALERT", "The cart rounds totals down.", BACKEND, "cart.py:12", "QUALITY")

    assert project.prompt_context() == "\n".join([
        HEADER,
        f"- S1 ALERT QUALITY ({BACKEND}): The cart rounds totals down. [evidence: cart.py:12]",
        HOW])


def test_several_signals_show_halts_first_then_the_newest_alerts(project: Project) -> None:
    project.record("HALT", "The migration drops customers.", DB, "0042.sql")
    project.record("ALERT", "The spec names no currency.", BACKEND, category="SCOPE")
    project.record("ALERT", "Tests are slow.", category="QUALITY")
    project.record("HALT", "A key is in config.py.", category="SECURITY")
    project.record("ALERT", "The cart rounds totals down.", BACKEND, category="QUALITY")

    assert project.prompt_context() == "\n".join([
        HEADER,
        f"- S1 HALT DATA ({DB}): The migration drops customers. [evidence: 0042.sql]",
        "- S4 HALT SECURITY: A key is in config.py.",
        f"- S5 ALERT QUALITY ({BACKEND}): The cart rounds totals down.",
        "- S3 ALERT QUALITY: Tests are slow.",
        f"- S2 ALERT SCOPE ({BACKEND}): The spec names no currency.",
        HOW, HALT_NOTE])


def test_a_hundred_alerts_are_capped_to_the_newest_that_fit(project: Project) -> None:
    add_alerts(project, 1, 120)

    text = project.prompt_context()

    assert text == "\n".join([
        HEADER, *(alert_line(n) for n in range(120, 109, -1)),
        "…and 109 more waiting (0 HALT, 109 ALERT): `/PACT:signals` lists them all.", HOW])
    assert len(text) <= BUDGET < len(text) + len(alert_line(109)) + 1  # S109 has no room


def test_halts_come_before_a_hundred_newer_alerts(project: Project) -> None:
    project.record("HALT", "The migration drops customers.", DB, "0042.sql")
    add_alerts(project, 2, 120)
    project.record("HALT", "A key is in config.py.", category="SECURITY")

    text = project.prompt_context()

    assert text == "\n".join([
        HEADER,
        f"- S1 HALT DATA ({DB}): The migration drops customers. [evidence: 0042.sql]",
        "- S121 HALT SECURITY: A key is in config.py.",
        *(alert_line(n) for n in range(120, 111, -1)),
        "…and 110 more waiting (0 HALT, 110 ALERT): `/PACT:signals` lists them all.",
        HOW, HALT_NOTE])
    assert len(text) <= BUDGET < len(text) + len(alert_line(111)) + 1


def test_every_halt_is_named_when_their_lines_do_not_fit(project: Project) -> None:
    reason = "The migration drops a table the billing service still reads. " * 4
    for _ in range(30):
        project.record("HALT", reason, DB, "migrations/0042_drop_customers.sql")
    add_alerts(project, 31, 150)

    text = project.prompt_context()

    line = (f"HALT DATA ({DB}): {reason.strip()} "
            "[evidence: migrations/0042_drop_customers.sql]")
    hidden = ", ".join(f"S{n}" for n in range(5, 31))
    assert text == "\n".join([
        HEADER, *(f"- S{n} {line}" for n in range(1, 5)),
        f"…and 146 more waiting (26 HALT, 120 ALERT; the HALTs: {hidden}): `/PACT:signals` "
        "lists them all.",
        HOW, HALT_NOTE])
    assert len(text) <= BUDGET < len(text) + len(f"- S5 {line}") - len("S5, ")


def test_the_halt_ids_may_pass_the_budget_but_are_all_there(project: Project) -> None:
    for n in range(1, 401):
        project.record("HALT", f"Drop number {n}.", category="DATA")

    text = project.prompt_context()

    lines = text.split("\n")
    assert lines[1] == "- S1 HALT DATA: Drop number 1."
    more = lines[-3]
    assert more.startswith("…and ") and more.endswith(": `/PACT:signals` lists them all.")
    shown = [line for line in lines if line.startswith("- S")]
    named = more.split("the HALTs: ", 1)[1].split(")", 1)[0].split(", ")
    assert [line.split()[1] for line in shown] + named == [f"S{n}" for n in range(1, 401)]
    assert more.startswith(f"…and {400 - len(shown)} more waiting ({400 - len(shown)} HALT, "
                           "0 ALERT; the HALTs: ")
    assert len(text) > BUDGET  # the ids alone take more than the budget


def test_session_start_shows_the_same_capped_block(project: Project) -> None:
    project.record("HALT", "The migration drops customers.", DB, "0042.sql")
    add_alerts(project, 2, 120)

    answer = project.run("SessionStart", {"source": "startup"})

    assert answer is not None
    assert project.prompt_context() in answer["hookSpecificOutput"]["additionalContext"]
    assert answer["systemMessage"] == ("PACT HALT S1 (DATA): The migration drops customers. - "
                                       "resolve with /PACT:resolve S1 <decision>")
