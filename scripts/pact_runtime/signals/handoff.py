"""SubagentStop: record the ``pact-signal`` blocks of a specialist's final message.

Event: SubagentStop; reads ``last_assistant_message``, ``agent_type``,
``agent_id`` and ``session_id``. Each fenced block with the info string
``pact-signal`` (``level``, ``category``, ``reason``, optional ``evidence``)
becomes a signal, once: a block repeated after the handoff gate sends the
specialist back is not recorded twice. Blocks with an unknown level or
category, or no reason, are logged and skipped.

Output: none. ``additionalContext`` at SubagentStop would make the subagent
take another turn; the orchestrator sees the signals after the Agent call.
Fails open: an error is logged by the dispatcher and the subagent finishes.
"""

from __future__ import annotations

import re

from ..hook import Event, Outcome

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*pact-signal[ \t]*\r?\n(.*?)^[ \t]*\1[ \t]*$",
                    re.MULTILINE | re.DOTALL)
_PAIR = re.compile(r"^[ \t]*(level|category|reason|evidence)[ \t]*:[ \t]*(.*)$", re.IGNORECASE)
KEYS = ("level", "category", "reason", "evidence")


def signal_blocks(text: str) -> list[dict[str, str]]:
    """The ``key: value`` pairs of every ``pact-signal`` block; unkeyed lines continue a value.

    CRLF and lone CR line ends read as LF.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = []
    for match in _FENCE.finditer(text):
        block: dict[str, str] = {}
        key = ""
        for line in match.group(2).splitlines():
            pair = _PAIR.match(line)
            if pair:
                key = pair.group(1).lower()
                block[key] = pair.group(2).strip()
            elif key and line.strip():
                block[key] = (block[key] + " " + line.strip()).strip()
        blocks.append(block)
    return blocks


def on_subagent_stop(event: Event) -> Outcome | None:
    """Record the final message's signal blocks; never answers (no extra turn).

    Fails open: errors are logged by the dispatcher and the subagent finishes,
    because a block that cannot be stored must not trap the specialist; its text
    still reaches the orchestrator in the handoff.
    """
    message = event.text("last_assistant_message")
    home = event.home
    if "pact-signal" not in message or home is None:
        return None
    blocks = signal_blocks(message)
    if blocks:
        _record(event, home, blocks)
    return None


def _record(event: Event, home: str, blocks: list[dict[str, str]]) -> None:
    from contextlib import closing

    from ..log import log
    from ..redaction import redact
    from . import store
    from .vocabulary import levels

    vocabulary = levels()
    with closing(store.connect(home)) as conn:
        known = {(s.agent_id, s.level, s.category, s.reason)
                 for s in store.find(conn, event.project)}
        for block in blocks:
            level = block.get("level", "").upper()
            category = block.get("category", "").upper()
            # Stored reasons are redacted, so compare the redacted form to spot a repeat.
            reason = redact(block.get("reason", ""))
            if category not in vocabulary.get(level, ()) or not reason:
                log(f"skipped a pact-signal block from {event.agent_type or '?'}: {block}", home)
                continue
            agent_id = event.text("agent_id")
            if (agent_id, level, category, reason) in known:
                continue
            known.add((agent_id, level, category, reason))
            store.record(conn, home, project=event.project, level=level, category=category,
                         reason=reason, evidence=block.get("evidence", ""),
                         agent=event.agent_type, agent_id=agent_id, session=event.session_id,
                         source="handoff")
