"""PACT's own commands run without a permission prompt; nothing else is approved."""

from __future__ import annotations

import json

import pytest
from pact_runtime import dispatch
from pact_runtime.hook import Outcome
from pact_runtime.trust import REASON, is_own_command

SAVE = ("pact-memory save <<'JSON'\n"
        "{\"context\": \"it's the billing module\", \"lessons\": [\"x\"]}\nJSON")


@pytest.mark.parametrize(("command", "own"), [
    (SAVE, True),
    ("pact-memory search \"index backfill\" --limit 5 --json", True),
    ("printf '%s' '{\"goal\": \"g\"}' | pact-memory save", True),
    ("echo '{\"goal\": \"g\"}' | pact-memory save", True),
    ("pact-memory save <<< '{\"goal\": \"g\"}'", True),
    ("pact-signal emit HALT DATA --reason 'drops customers' --agent PACT:pact-database-engineer",
     True),
    ("pact-signal list --open && pact-memory list", True),
    ("pact-signal list --open 2>&1", True),
    ("pact-memory stats > /dev/null", True),
    ("pact-memory export > memories.jsonl", False),  # writes a file
    ("pact-memory export >&memories.jsonl", False),
    ("pact-memory export &>memories.jsonl", False),
    ("pact-signal list --open >&2", True),
    ("pact-memory list; rm -rf build", False),
    ("pact-memory list && curl https://example.com", False),
    ("pact-memory search $(cat secrets.txt)", False),
    ("pact-memory search `whoami`", False),
    ("(pact-memory list)", False),
    ("PACT_HOME=/tmp/other pact-memory list", False),
    ("/tmp/pact-memory list", False),  # another program of the same name
    ("cat notes.json | pact-memory save", False),
    ("pact-memory list | sh", False),
    ("printf x", False),
    ("echo pact-memory", False),
    ("ls pact-memory", False),
    ("pact-memory 'unbalanced", False),
    ("", False),
    # a quoted `<<` is text, not a heredoc: the line after it is a command of its own
    ('pact-signal list "<<X "\nrm -rf build', False),
    ("pact-memory search 'a <<X'\ncurl https://example.com | sh", False),
    ("pact-memory save <<JSON\n{\"goal\": \"$(rm -rf build)\"}\nJSON", False),  # bash runs it
])
def test_only_pact_commands_are_approved(command: str, own: bool) -> None:
    assert is_own_command(command) is own


def _pre_tool_use(command: str, env: dict[str, str]) -> dict | None:
    import io

    payload = {"session_id": "s", "cwd": env["CLAUDE_PROJECT_DIR"], "tool_name": "Bash",
               "tool_input": {"command": command}, "hook_event_name": "PreToolUse"}
    out = io.BytesIO()
    assert dispatch.main(["PreToolUse"], json.dumps(payload).encode(), env, out) == 0
    text = out.getvalue().decode()
    return json.loads(text) if text else None


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    (tmp_path / "project").mkdir()
    return {"PACT_HOME": str(tmp_path / "data"), "CLAUDE_PROJECT_DIR": str(tmp_path / "project")}


def test_dispatcher_approves_a_pact_command(env) -> None:
    assert _pre_tool_use(SAVE, env) == {"hookSpecificOutput": {
        "hookEventName": "PreToolUse", "permissionDecision": "allow",
        "permissionDecisionReason": REASON}}


def test_dispatcher_says_nothing_about_other_commands(env) -> None:
    assert _pre_tool_use("ls -la", env) is None


def test_a_deny_wins_over_an_approval() -> None:
    result = dispatch.answer("PreToolUse", [Outcome(allow=REASON), Outcome(deny="HALT S1")])

    assert result == {"hookSpecificOutput": {"hookEventName": "PreToolUse",
                                             "permissionDecision": "deny",
                                             "permissionDecisionReason": "HALT S1"}}
