"""UserPromptSubmit: the user's ``/PACT:resolve <id> <decision>`` resolves a signal.

Event: UserPromptSubmit; reads ``prompt`` (the user's own text, which no tool
or agent can write) and the project root. The signal is marked resolved with
the user's words, by "user", and the project's HALT marker is dropped when no
HALT is left. Without a decision nothing is resolved and the context says a
decision is needed.

Output: ``additionalContext`` telling the orchestrator what was recorded.
Fails open: if the log cannot be written, the context says so and the HALT
stays open (enforcement keeps its own fail-closed rule).
"""

from __future__ import annotations

from ..hook import Event, Outcome

COMMAND = "/PACT:resolve"
_RESOLVE = r"^\s*/PACT:resolve(?:[ \t]+(\S+))?(?:\s+(.*?))?\s*$"
USAGE = "`/PACT:resolve <id> <decision>`"


def on_user_prompt(event: Event) -> Outcome | None:
    """Record ``/PACT:resolve <id> <decision>`` from the user's own prompt.

    Fails open for the prompt and safe for the signal: it never blocks what the
    user typed, and a database error leaves the signal open (a HALT keeps pausing
    work) and says so in the context, so nothing is lifted by accident.
    """
    prompt = event.text("prompt")
    if COMMAND not in prompt:  # every other prompt: no regex module, no database
        return None
    import re

    match = re.match(_RESOLVE, prompt, re.DOTALL)
    if match is None:
        return None
    home = event.home
    if home is None:
        return Outcome(context="No PACT data folder is set, so no signal could be resolved.")
    ident, words = match.group(1) or "", " ".join((match.group(2) or "").split())
    from .store import parse_id

    number = parse_id(ident) if ident else None
    if number is None:
        return Outcome(context=(
            f"Nothing was resolved: {USAGE} needs a signal id (see `pact-signal list --open`) "
            "and the user's decision in words. Show the user the open signals and ask."))
    if not words:
        return Outcome(context=(
            f"Signal {ident} was not resolved: a decision is needed. Ask the user to type "
            f"`/PACT:resolve {ident} <decision>`, with what should happen, in their own words."))
    try:
        return Outcome(context=_resolve(event, home, number, words))
    except Exception as exc:  # the database failed: the HALT stays open
        return Outcome(context=f"The resolution of {ident} could not be recorded ({exc}); "
                               "the signal stays open. Tell the user.")


def _resolve(event: Event, home: str, number: int, words: str) -> str:
    from contextlib import closing

    from . import store

    with closing(store.connect(home)) as conn:
        signal = store.get(conn, number)
        if signal is None or signal.project != event.project:
            return (f"There is no signal {store.format_id(number)} in this project; nothing was "
                    "resolved. `pact-signal list --open` shows the open ones.")
        if signal.status == "resolved":
            return (f"{signal.ref} was already resolved on {store.iso(signal.resolved_at or 0)} "
                    f"with: \"{signal.resolution}\".")
        store.resolve(conn, home, signal, words, by="user")
        left = store.open_halts(conn, event.project)
    text = (f"The user resolved {signal.ref} ({signal.level} {signal.category}: "
            f"{signal.reason}) with the decision: \"{words}\". Follow that decision and "
            "record it in memory.")
    if left:
        text += " Still open: " + ", ".join(s.ref for s in left) + "."
    elif signal.level == "HALT":
        text += " No HALT is open now; work may continue within that decision."
    return text
