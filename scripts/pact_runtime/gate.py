"""SubagentStop: the handoff gate sends a PACT specialist back once if its handoff is incomplete.

Event: SubagentStop; reads ``agent_type``, ``stop_hook_active`` and
``last_assistant_message``. Only agents whose type starts with ``PACT:`` (any
case) are checked. The five part names come from ``protocols/pact-handoff.md``
(``## The five parts``); each must appear in the final message as a Markdown
heading or a bold label with that exact name (case-insensitive).

Output: ``Outcome(block=…)`` naming the missing parts, so the specialist takes
one more turn; never when ``stop_hook_active`` is true, so it cannot loop.
Fails open: if the protocol cannot be read, the specialist is not held back
(the problem is logged); a gate that cannot judge must not stall the team.
"""

from __future__ import annotations

import re

from .hook import Event, Outcome


def on_subagent_stop(event: Event) -> Outcome | None:
    """Send a PACT specialist back once when its handoff lacks a part.

    Fails open: without the protocol, on its own error, or on a second stop, it lets
    the agent finish, because a gate that cannot judge must not stall the team.
    """
    reason = sends_back(event)
    return Outcome(block=reason) if reason else None


def sends_back(event: Event) -> str:
    """The reason this stop is sent back, or "" when the specialist may finish.

    Memory capture asks too, so a handoff that is sent back is not stored
    before its complete version arrives.
    """
    if not event.agent_type.lower().startswith("pact:"):
        return ""
    if event.data.get("stop_hook_active"):
        return ""
    from .signals.vocabulary import VocabularyError, handoff_parts

    try:
        parts = handoff_parts()
    except VocabularyError as exc:
        from .log import log

        log(f"handoff gate skipped: {exc}", event.home)
        return ""
    missing = missing_parts(event.text("last_assistant_message"), parts)
    if not missing:
        return ""
    return (f"Your handoff is missing: {', '.join(missing)}. Reply with your complete handoff: "
            f"each of the parts {', '.join(parts)} under a heading or bold label with exactly "
            "that name. Write \"None\" under a part with nothing to report. Keep any "
            "pact-signal blocks.")


def missing_parts(message: str, parts: list[str]) -> list[str]:
    """The part names that appear neither as a heading nor as a bold label in ``message``.

    CRLF and lone CR line ends read as LF, so a heading is found whatever they are.
    """
    message = message.replace("\r\n", "\n").replace("\r", "\n")
    return [part for part in parts if not _label(part).search(message)]


def _label(name: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in name.split())
    bold = r"(?:\*\*|__)"
    heading = rf"#{{1,6}}[ \t]+{bold}?{words}{bold}?[ \t]*:?[ \t]*#*[ \t]*$"
    label = rf"{bold}{words}(?:[ \t]*:[ \t]*{bold}|{bold})"
    prefix = r"^[ \t]*(?:(?:[-*+]|\d+[.)])[ \t]+)?"
    return re.compile(rf"{prefix}(?:{heading}|{label})", re.IGNORECASE | re.MULTILINE)
