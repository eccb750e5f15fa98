"""Many open signals in a real session: the model sees a capped block, HALTs first."""

from __future__ import annotations

import os
import subprocess

from .harness import Client, text

HEADER = "PACT signals waiting for the user:"
HALT_NOTE = ("While a HALT is open, tools that change the project are refused: tell the user "
             "(id, reason, evidence, the options and your advice) and wait for their decision.")
BUDGET = 2000


def seed(client: Client, plugin_root: str, alerts: int) -> None:
    """One HALT, then ``alerts`` ALERTs, then a second HALT, recorded by the shipped runtime."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from pact_runtime.signals import store\n"
        "home, project, alerts = sys.argv[2], sys.argv[3], int(sys.argv[4])\n"
        "conn = store.connect(home)\n"
        "def add(level, category, reason, agent=''):\n"
        "    store.record(conn, home, project=project, level=level, category=category,\n"
        "                 reason=reason, agent=agent)\n"
        "add('HALT', 'DATA', 'The migration drops customers.', 'PACT:pact-database-engineer')\n"
        "for n in range(2, alerts + 2):\n"
        "    add('ALERT', 'SCOPE', f'Endpoint {n} needs a billing service.',\n"
        "        'PACT:pact-backend-coder')\n"
        "add('HALT', 'SECURITY', 'A key is in config.py.')\n"
        "conn.close()\n")
    subprocess.run(["python3", "-S", "-c", code, os.path.join(plugin_root, "runtime"),
                    client.data_dir, os.path.realpath(client.project), str(alerts)],
                   check=True, timeout=120)


def blocks(context: str) -> list[str]:
    """Every waiting-signals block in the request's text, header to closing note."""
    found = []
    for part in context.split(HEADER)[1:]:
        assert HALT_NOTE in part, part[:500]
        found.append(HEADER + part.split(HALT_NOTE, 1)[0] + HALT_NOTE)
    return found


def test_a_session_with_many_open_signals_sees_a_capped_block(pact: Client, plugin_root: str):
    seed(pact, plugin_root, alerts=150)
    pact.model.script(main=[text("noted")])

    r = pact.run("what is waiting?")
    assert r.returncode == 0, r

    context = r.context_text(r.main_requests[0])
    start, prompt = blocks(context)  # SessionStart, then UserPromptSubmit
    assert start == prompt
    lines = start.split("\n")
    assert lines[1:4] == [
        "- S1 HALT DATA (PACT:pact-database-engineer): The migration drops customers.",
        "- S152 HALT SECURITY: A key is in config.py.",
        "- S151 ALERT SCOPE (PACT:pact-backend-coder): Endpoint 151 needs a billing service.",
    ]
    alerts = [line for line in lines if " ALERT SCOPE " in line]
    newest = [f"- S{n} ALERT SCOPE (PACT:pact-backend-coder): Endpoint {n} needs a billing "
              "service." for n in range(151, 151 - len(alerts), -1)]
    assert alerts == newest and 5 < len(alerts) < 20
    assert lines[-3] == (f"…and {150 - len(alerts)} more waiting (0 HALT, {150 - len(alerts)} "
                         "ALERT): `/PACT:signals` lists them all.")
    assert len(start) <= BUDGET
    assert "Endpoint 2 needs" not in context  # the oldest ALERT waits for /PACT:signals
