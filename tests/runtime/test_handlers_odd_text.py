"""Every real handler, fed text bash and JSON allow but Python strings find awkward.

Lone surrogates (a JSON escape such as \\ud800 is legal and the client passes it on),
NULs, control characters and right-to-left marks reach each event's handlers through
the real registry. None may fail (the dispatcher would skip it and log why), and with
a HALT open the tools that change things are still denied.
"""

from __future__ import annotations

import io
import json
import os

import pytest
from pact_runtime import dispatch, registry

ODD = ["~\ud800/x", "a\x00b", "\x1b[31mred", "\u202eevil", "\udfff", "é\u0301"]
TOOLS = {
    "Bash": lambda s: {"command": f"rm -f {s} victim.txt"},
    "Write": lambda s: {"file_path": f"/tmp/{s}.sql", "content": f"DROP TABLE {s};"},
    "Edit": lambda s: {"file_path": f"/tmp/{s}", "old_string": s, "new_string": s},
    "Agent": lambda s: {"prompt": s, "subagent_type": f"PACT:{s}"},
    "mcp__db__execute_sql": lambda s: {"query": s},
}
PAUSED = {"Bash", "Write", "Edit", "Agent", "mcp__db__execute_sql"}


def payloads(odd: str) -> list[tuple[str, dict]]:
    base = {"session_id": odd, "cwd": "/tmp", "transcript_path": f"/tmp/{odd}"}
    found: list[tuple[str, dict]] = [
        ("SessionStart", {**base, "source": "startup"}),
        ("UserPromptSubmit", {**base, "prompt": f"/PACT:resolve S99 {odd}"}),  # no such id
        ("UserPromptSubmit", {**base, "prompt": f"look at {odd}"}),
        ("SubagentStop", {**base, "agent_type": "PACT:pact-backend-coder", "agent_id": odd,
                          "last_assistant_message": f"## Produced files\n- {odd}\n```pact-signal"
                                                    f"\nlevel: HALT\n{odd}\n```",
                          "stop_hook_active": False}),
    ]
    for tool, shape in TOOLS.items():
        for event in ("PreToolUse", "PostToolUse"):
            found.append((event, {**base, "tool_name": tool, "tool_input": shape(odd),
                                  "tool_response": odd}))
    return found


@pytest.fixture
def halted(tmp_path):
    """A data folder with a HALT open for the project."""
    from contextlib import closing

    from pact_runtime.signals import store

    home, project = str(tmp_path / "data"), str(tmp_path / "project")
    os.makedirs(project)
    with closing(store.connect(home)) as conn:
        store.record(conn, home, project=os.path.realpath(project), level="HALT",
                     category="DATA", reason="drops customers")
    return home, project


@pytest.mark.parametrize("odd", ODD, ids=[repr(o) for o in ODD])
def test_no_handler_fails_on_odd_text_and_the_halt_still_holds(halted, odd):
    home, project = halted
    assert set(registry.events()) >= {"SessionStart", "UserPromptSubmit", "PreToolUse",
                                      "PostToolUse", "SubagentStop"}
    for event, payload in payloads(odd):
        raw = json.dumps(payload).encode()  # ensure_ascii: surrogates travel as \\ud800
        out = io.BytesIO()
        env = {"PACT_HOME": home, "CLAUDE_PROJECT_DIR": project}

        code = dispatch.main([event], raw, env, out)

        assert code == 0, (event, payload)
        text = out.getvalue().decode("utf-8")
        answer = json.loads(text) if text else {}
        specific = answer.get("hookSpecificOutput", {})
        assert specific.get("hookEventName", event) == event
        if event == "PreToolUse" and payload["tool_name"] in PAUSED:
            assert specific.get("permissionDecision") == "deny", (payload, answer)
    log = os.path.join(home, "logs", "pact.log")
    if os.path.exists(log):
        with open(log, encoding="utf-8", errors="replace") as f:
            assert [line for line in f if " failed on " in line] == []
