"""UserPromptSubmit: the user's ``/PACT:resolve <id> <decision>`` resolves a signal.

Event: UserPromptSubmit; reads ``prompt`` (the user's own text, which no tool
or agent can write) and the project root. ``/PACT:resolve S5 S6 <decision>``
resolves several signals with one decision: the first id may be written
``S5``, ``s5``, ``#5`` or ``5``, every later one starts with ``S`` or ``#``
(``S6``, ``S6,``), so a decision may begin with a number. Each signal is marked
resolved with the user's words, by "user", and the project's HALT marker is
dropped when no HALT is left. Without a decision, or when an id names no signal
of this project, nothing is resolved and the context says why.

Output: ``additionalContext`` telling the orchestrator what was recorded.
Fails open: if the log cannot be written, the context says so and the HALT
stays open (enforcement keeps its own fail-closed rule).
"""

from __future__ import annotations

from ..hook import Event, Outcome

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .store import Signal

COMMAND = "/PACT:resolve"
_RESOLVE = r"^\s*/PACT:resolve(?:[ \t]+(\S+))?(?:\s+(.*?))?\s*$"
_MORE_IDS = r"\s*,?\s*((?:[Ss]|#)\d+)\s*,?(?=\s|$)"
USAGE = "`/PACT:resolve <id> <decision>`"


def on_user_prompt(event: Event) -> Outcome | None:
    """Record ``/PACT:resolve <id> [<id>…] <decision>`` from the user's own prompt.

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
    from .store import format_id, parse_id

    first, rest = match.group(1) or "", match.group(2) or ""
    # `S5,S6` is one word: its first id may take any form, the others start with S or #.
    pieces = [p for p in first.split(",") if p]
    numbers = [parse_id(p) if k == 0 or p[:1] in "Ss#" else None for k, p in enumerate(pieces)]
    more_ids, at = re.compile(_MORE_IDS), 0
    more = more_ids.match(rest)
    while more is not None:
        numbers.append(parse_id(more.group(1)))
        at = more.end()
        more = more_ids.match(rest, at)
    words = " ".join(rest[at:].split())
    if not numbers or None in numbers:
        return Outcome(context=(
            f"Nothing was resolved: {USAGE} needs a signal id (see `pact-signal list --open`) "
            "and the user's decision in words. Show the user the open signals and ask."))
    ids = list(dict.fromkeys(n for n in numbers if n is not None))
    named = " ".join(format_id(n) for n in ids)
    if not words:
        return Outcome(context=(
            f"Signal {named} was not resolved: a decision is needed. Ask the user to type "
            f"`/PACT:resolve {named} <decision>`, with what should happen, in their own words."))
    try:
        return Outcome(context=_resolve(event, home, ids, words))
    except Exception as exc:  # the database failed: the HALT stays open
        return Outcome(context=f"The resolution of {named} could not be recorded ({exc}); "
                               "the signal stays open. Tell the user.")


def _resolve(event: Event, home: str, numbers: list[int], words: str) -> str:
    from contextlib import closing

    from . import store

    with closing(store.connect(home)) as conn:
        signals = [store.get(conn, n) for n in numbers]
        missing = [store.format_id(n) for n, s in zip(numbers, signals)
                   if s is None or s.project != event.project]
        if missing:
            return (f"There is no signal {', '.join(missing)} in this project; nothing was "
                    "resolved. `pact-signal list --open` shows the open ones.")
        found = [s for s in signals if s is not None]
        done = [s for s in found if s.status == "resolved"]
        resolved = [store.resolve(conn, home, s, words, by="user") for s in found
                    if s.status != "resolved"]
        left = store.open_halts(conn, event.project)
    parts = [f"{s.ref} was already resolved on {store.iso(s.resolved_at or 0)} with: "
             f"\"{s.resolution}\"." for s in done]
    if resolved:
        parts.append(_resolved_text(resolved, words, left))
    return " ".join(parts)


def _resolved_text(resolved: list[Signal], words: str, left: list[Signal]) -> str:
    which = " and ".join(f"{s.ref} ({s.level} {s.category}: {s.reason})" for s in resolved)
    text = (f"The user resolved {which} with the decision: \"{words}\". Follow that decision "
            "and record it in memory.")
    stopped = [s.ref for s in resolved if s.source == "guard"]
    if stopped:
        text += " " + _approval_note(stopped, words)
    if left:
        text += " Still open: " + ", ".join(s.ref for s in left) + "."
    elif any(s.level == "HALT" for s in resolved):
        text += " No HALT is open now; work may continue within that decision."
    return text


def _approval_note(refs: list[str], words: str) -> str:
    """What the decision means for the call the guard stopped (the protocol's rule)."""
    from .vocabulary import VocabularyError, approves

    which = ", ".join(refs)
    try:
        approved = approves(words)
    except VocabularyError:
        approved = False
    if approved:
        return (f"By the protocol's rule this approves the call {which} stopped: it may be "
                "retried once, unchanged; a later repeat is judged again.")
    return (f"This decision does not approve the call {which} stopped (see the rule in "
            "algedonic.md, Letting a stopped action run): do what it asks; if the call is "
            "tried again the guard stops it with a new HALT for the user to decide.")
