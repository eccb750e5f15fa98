"""The handoff gate: a PACT specialist without the five parts is sent back once."""

from __future__ import annotations

import io
import json

import pytest
from pact_runtime import dispatch
from pact_runtime.gate import missing_parts

PARTS = ["Produced files", "Key decisions", "Areas of uncertainty", "Integration points",
         "Open questions"]

COMPLETE = """Done.

## Produced files
- src/db.py: the pool

### Key decisions
Kept psycopg.

**Areas of uncertainty**: None
1. **Integration points**: the API reads `get_pool()`
__Open questions__
None
"""


def run(payload: dict | bytes, tmp_path) -> dict | None:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    out = io.BytesIO()
    env = {"PACT_HOME": str(tmp_path / "data"), "CLAUDE_PROJECT_DIR": str(tmp_path)}
    assert dispatch.main(["SubagentStop"], raw, env, out) == 0
    text = out.getvalue().decode()
    return json.loads(text) if text else None


def stop(message: str, agent: str = "PACT:pact-backend-coder", active: bool = False) -> dict:
    return {"session_id": "s", "agent_id": "a1", "agent_type": agent, "stop_hook_active": active,
            "last_assistant_message": message}


def test_complete_handoff_passes(tmp_path) -> None:
    assert run(stop(COMPLETE), tmp_path) is None


def test_missing_parts_are_named_and_the_agent_is_sent_back(tmp_path) -> None:
    message = "## Produced files\nx\n## Key decisions\ny\n## Integration points\nz\n"
    answer = run(stop(message), tmp_path)
    assert answer is not None and answer["decision"] == "block"
    assert answer["reason"].startswith(
        "Your handoff is missing: Areas of uncertainty, Open questions. Reply with your "
        "complete handoff")
    assert "hookSpecificOutput" not in answer


def test_second_stop_is_never_blocked(tmp_path) -> None:
    assert run(stop("no handoff at all", active=True), tmp_path) is None


@pytest.mark.parametrize("agent", ["pact:pact-backend-coder", "Pact:Pact-Test-Engineer"])
def test_agent_type_prefix_is_case_insensitive(tmp_path, agent: str) -> None:
    answer = run(stop("nothing", agent=agent), tmp_path)
    assert answer is not None and answer["decision"] == "block"


@pytest.mark.parametrize("agent", ["", "general-purpose", "Explore", "other:pact-backend-coder",
                                   "pact-backend-coder"])
def test_other_agents_are_never_touched(tmp_path, agent: str) -> None:
    assert run(stop("nothing", agent=agent), tmp_path) is None


@pytest.mark.parametrize(("message", "missing"), [
    (COMPLETE, []),
    (COMPLETE.upper(), []),
    ("produced files: a\nkey decisions: b", PARTS),  # plain words are not labels
    ("The **Produced files** are listed below.", PARTS),  # bold mid-sentence is not a label
    ("# Produced files\n#### KEY DECISIONS ####\n- **Areas of uncertainty:** x\n"
     "**Integration  points**\n**Open questions**: n", []),
    ("```\n## Produced files\n```", PARTS[1:]),  # good enough: headings in code still count
])
def test_missing_parts(message: str, missing: list[str]) -> None:
    assert missing_parts(message, PARTS) == missing


def test_unreadable_protocol_fails_open(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pact_runtime.signals import vocabulary

    monkeypatch.setattr(vocabulary, "plugin_root", lambda: str(tmp_path / "nowhere"))
    assert run(stop("nothing"), tmp_path) is None


@pytest.mark.parametrize("raw", [b"", b"{", b"\xef\xbb\xbf{}", b"\x80\x81", b"null",
                                 b'{"agent_type": "PACT:x"}',
                                 b'{"agent_type": "PACT:x", "last_assistant_message": 5}'])
def test_bad_input_never_crashes(tmp_path, raw: bytes) -> None:
    answer = run(raw, tmp_path)
    assert answer is None or answer == {"decision": "block", "reason": answer["reason"]}


@pytest.mark.parametrize("end", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends_read_like_lf(tmp_path, end: str) -> None:
    assert missing_parts(COMPLETE.replace("\n", end), PARTS) == []
    assert run(stop(COMPLETE.replace("\n", end)), tmp_path) is None
