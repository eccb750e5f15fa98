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

_PAIR = re.compile(r"^[ \t]*(level|category|reason|evidence)[ \t]*:[ \t]*(.*)$", re.IGNORECASE)
KEYS = ("level", "category", "reason", "evidence")
_INFO = "pact-signal"


def signal_blocks(text: str) -> list[dict[str, str]]:
    """The ``key: value`` pairs of every ``pact-signal`` block; unkeyed lines continue a value.

    A block opens with a line holding a fence (three or more backticks or tildes)
    and the info string ``pact-signal``, and closes at the next line holding the
    same fence alone; an opener never closed is no block, and a later opener is
    tried instead. CRLF and lone CR line ends read as LF. Linear in the text: each
    line is looked at once and each opener finds its closer by bisection, so a
    message of nothing but openers costs no more than any other.
    """
    from bisect import bisect_right

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    openers: list[tuple[int, str]] = []
    closers: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        stripped = line.strip(" \t")
        if stripped[:3] not in ("```", "~~~"):
            continue
        fence = stripped[:len(stripped) - len(stripped.lstrip(stripped[0]))]
        rest = stripped[len(fence):].strip(" \t")
        if not rest:
            closers.setdefault(fence, []).append(number)
        elif rest == _INFO:
            openers.append((number, fence))
    blocks = []
    after = 0  # openers inside a block already read are content, not blocks
    for number, fence in openers:
        candidates = closers.get(fence, [])
        k = bisect_right(candidates, number)
        if number < after or k == len(candidates):
            continue
        end = candidates[k]
        blocks.append(_pairs(lines[number + 1:end]))
        after = end + 1
    return blocks


def _pairs(lines: list[str]) -> dict[str, str]:
    block: dict[str, str] = {}
    key = ""
    for line in lines:
        pair = _PAIR.match(line)
        if pair:
            key = pair.group(1).lower()
            block[key] = pair.group(2).strip()
        elif key and line.strip():
            block[key] = (block[key] + " " + line.strip()).strip()
    return block


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
