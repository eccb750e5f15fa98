"""SubagentStop: record the ``pact-signal`` blocks of a specialist's final message.

Event: SubagentStop; reads ``last_assistant_message``, ``agent_type``,
``agent_id`` and ``session_id``. Each fenced block with the info string
``pact-signal`` (``level``, ``category``, ``reason``, optional ``evidence``)
becomes a signal, once: a block repeated after the handoff gate sends the
specialist back is not recorded twice. Blocks with an unknown level or
category, or no reason, are logged and skipped.

Output: none. ``additionalContext`` at SubagentStop would make the subagent
take another turn; the orchestrator sees the signals after the Agent call.
Fails open: an error is logged by the dispatcher and the subagent finishes. A
database locked past the busy timeout loses nothing: the blocks are spooled
(``db.spool``) and recorded by the next connection that finds the lock free
(``store_spooled``), and a HALT among them writes the project's HALT marker at
once, so work pauses before the HALT is in the log.
"""

from __future__ import annotations

import re

from ..hook import Event, Outcome

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    from typing import Any

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
    import time
    from contextlib import closing

    from .. import db
    from ..log import log
    from . import store
    from .marker import HALT, WAITING, write_marker
    from .vocabulary import levels

    vocabulary = levels()
    valid = []
    for block in blocks:
        level, category = block.get("level", "").upper(), block.get("category", "").upper()
        if category not in vocabulary.get(level, ()) or not block.get("reason", ""):
            log(f"skipped a pact-signal block from {event.agent_type or '?'}: {block}", home)
            continue
        valid.append({"level": level, "category": category, "reason": block["reason"],
                      "evidence": block.get("evidence", "")})
    if not valid:
        return
    payload = {"project": event.project, "agent": event.agent_type,
               "agent_id": event.text("agent_id"), "session": event.session_id,
               "created": time.time(), "blocks": valid}
    try:
        with closing(store.connect(home)) as conn:
            store_spooled(conn, home, payload)
    except db.DatabaseLocked as exc:
        path = db.spool(home, "signal", payload)
        write_marker(home, event.project, WAITING)
        if any(b["level"] == "HALT" for b in valid):
            write_marker(home, event.project, HALT)
        log(f"pact-signal blocks from {event.agent_type or '?'} spooled to {path}: {exc}", home)


def store_spooled(conn: sqlite3.Connection, home: str, payload: dict[str, Any]) -> None:
    """Record the signal blocks of one final message; ``db.drain`` calls it for the spool.

    A block already recorded for that agent (same level, category and reason) is
    not recorded again, so a message sent back by the gate, or a spooled record
    handed over twice, makes one signal. ValueError or TypeError for a payload
    that is not such a record.
    """
    from ..redaction import redact
    from . import store
    from .vocabulary import levels

    project, blocks = payload["project"], payload["blocks"]
    if not isinstance(project, str) or not project.startswith("/") or not isinstance(
            blocks, list):
        raise ValueError(f"not a record of signal blocks: project {project!r}")
    fields = {k: payload.get(k, "") for k in ("agent", "agent_id", "session")}
    if not all(isinstance(v, str) for v in fields.values()):
        raise TypeError("agent, agent_id and session must be text")
    created = payload.get("created")
    vocabulary = levels()
    known = {(s.agent_id, s.level, s.category, s.reason) for s in store.find(conn, project)}
    for block in blocks:
        level, category = str(block["level"]), str(block["category"])
        # Stored reasons are redacted, so compare the redacted form to spot a repeat.
        reason, evidence = redact(str(block["reason"])), str(block.get("evidence", ""))
        if category not in vocabulary.get(level, ()) or not reason:
            raise ValueError(f"not a signal: {level} {category} {reason!r}")
        if (fields["agent_id"], level, category, reason) in known:
            continue
        known.add((fields["agent_id"], level, category, reason))
        store.record(conn, home, project=project, level=level, category=category,
                     reason=reason, evidence=evidence, agent=fields["agent"],
                     agent_id=fields["agent_id"], session=fields["session"], source="handoff",
                     created=float(created) if isinstance(created, (int, float)) else None)
