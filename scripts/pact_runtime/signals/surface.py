"""Showing signals: to the orchestrator after an Agent call, and at every session and prompt.

Events:
- SessionStart and UserPromptSubmit: the signals still waiting for the user
  (unresolved HALTs, unacknowledged ALERTs) of the project, each with its id
  and ``/PACT:resolve <id> <decision>``, as ``additionalContext`` of at most
  ``BUDGET`` characters: the HALTs first (they are what stops work), oldest
  first, then the newest ALERTs, one line each, then a line counting those
  left out (``/PACT:signals`` lists them all). Every open HALT's id is in the
  block: those without room for their line are named in that last line, even
  when that takes the block past the budget. Open HALTs are also shown to the
  user (``systemMessage``).
- PostToolUse on Agent (reads ``tool_response.agentId`` and ``duration_ms``):
  the signals raised during that call (by that agent, or by anyone while it
  ran) that were not surfaced yet; each is surfaced once.

At SessionStart and UserPromptSubmit the project's marker files answer
"nothing waits" without opening the database (see ``marker``).

Fails open: with no data folder, no database yet, or an unreadable one,
nothing is shown and the session goes on (enforcement does not depend on it).
"""

from __future__ import annotations

import os
import time

from ..hook import Event, Outcome

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .store import Signal

HOW = ("The user resolves a signal with `/PACT:resolve <id> <decision>`; an ALERT that has "
       "been dealt with can be acknowledged with `pact-signal ack <id>`.")
HALT_NOTE = ("While a HALT is open, tools that change the project are refused: tell the user "
             "(id, reason, evidence, the options and your advice) and wait for their decision.")
HEADER = "PACT signals waiting for the user:"
# Characters of the waiting-signals block, on every prompt: room for three signals with
# the longest reason and evidence a signal keeps, or a dozen ordinary ones.
BUDGET = 2000


def on_session_start(event: Event) -> Outcome | None:
    """Show what waits for the user.

    Fails open (nothing shown) on any error: showing is a reminder, and enforcement
    reads the log on its own, so a broken log must not stop the session starting.
    """
    return _pending_outcome(event)


def on_user_prompt(event: Event) -> Outcome | None:
    """Show what waits for the user.

    Fails open (nothing shown) on any error: the user must always be able to talk
    to the session, and enforcement does not depend on this reminder.
    """
    return _pending_outcome(event)


def on_post_agent(event: Event) -> Outcome | None:
    """Name the signals raised during this Agent call.

    Fails open (nothing added) on any error: the Agent call has already run, and an
    open HALT still pauses work through enforcement and shows at the next prompt.
    """
    home = event.home
    if home is None or not _has_db(home):
        return None
    response = event.data.get("tool_response")
    agent_id = response.get("agentId") if isinstance(response, dict) else ""
    duration = event.data.get("duration_ms")
    since = time.time() - float(duration) / 1000 - 1.0 if isinstance(
        duration, (int, float)) else float("inf")
    from . import store

    conn = store.connect(home)
    try:
        raised = store.surface_for_call(conn, event.project, str(agent_id or ""), since)
    finally:
        conn.close()
    if not raised:
        return None
    lines = ["PACT signals raised during this Agent call:", *("- " + s.line() for s in raised)]
    lines.append(HOW)
    if any(s.level == "HALT" and s.status != "resolved" for s in raised):
        lines.append(HALT_NOTE)
    return Outcome(context="\n".join(lines), message=_user_message(raised))


def _pending_outcome(event: Event) -> Outcome | None:
    home = event.home
    if home is None or not _has_db(home):
        return None
    from .marker import halt_marked, waiting_marked

    marked = waiting_marked(home, event.project)
    if marked is False and not halt_marked(home, event.project):
        return None
    from . import store

    conn = store.connect(home)
    try:
        if marked is None:  # a log from before the waiting markers: write them now
            store.mark_all_waiting(conn, home)
        waiting = store.pending(conn, event.project)
    finally:
        conn.close()
    if not waiting:
        return None
    return Outcome(context=format_pending(waiting), message=_user_message(waiting))


def format_pending(signals: list[Signal]) -> str:
    """The waiting-signals block: HALTs, then the newest ALERTs, within ``BUDGET``.

    The first signal is always shown whole; after it, signals are added in that
    order while the block, with its closing lines, stays within the budget.
    """
    halts = [s for s in signals if s.level == "HALT"]
    alerts = sorted((s for s in signals if s.level != "HALT"), key=lambda s: s.id, reverse=True)
    shown: list[Signal] = []
    for signal in halts + alerts:
        if shown and len(_block([*shown, signal], halts, len(signals))) > BUDGET:
            break
        shown.append(signal)
    return _block(shown, halts, len(signals))


def _block(shown: list[Signal], halts: list[Signal], total: int) -> str:
    lines = [HEADER, *("- " + s.line() for s in shown)]
    if len(shown) < total:
        unnamed = [s.ref for s in halts[len(shown):]]  # shown holds the HALTs before ALERTs
        ids = f"; the HALTs: {', '.join(unnamed)}" if unnamed else ""
        rest = total - len(shown)
        lines.append(f"…and {rest} more waiting ({len(unnamed)} HALT, {rest - len(unnamed)} "
                     f"ALERT{ids}): `/PACT:signals` lists them all.")
    lines.append(HOW)
    if halts:
        lines.append(HALT_NOTE)
    return "\n".join(lines)


def _user_message(signals: list[Signal]) -> str:
    halts = [s for s in signals if s.level == "HALT"]
    return "\n".join(f"PACT HALT {s.ref} ({s.category}): {s.reason} - resolve with "
                     f"/PACT:resolve {s.ref} <decision>" for s in halts)


def _has_db(home: str) -> bool:
    from ..paths import db_path

    return os.path.exists(db_path(home))
