"""UserPromptSubmit: the user's ``/PACT:resolve <id> <decision>`` resolves a signal.

Event: UserPromptSubmit; reads ``prompt`` (the user's own text, which no tool
or agent can write) and the project root. ``/PACT:resolve S5 S6 <decision>``
resolves several signals with one decision: the first id may be written
``S5``, ``s5``, ``#5`` or ``5``, every later one starts with ``S`` or ``#``
(``S6``, ``S6,``), so a decision may begin with a number. Each signal is marked
resolved with the user's words, by "user", in the prompt's ``session_id`` (an
approval holds in that session alone), and the project's HALT marker is
dropped when no HALT is left. A guard HALT whose approval has not run yet may
be resolved again: the new decision replaces the old one, so a refusal
withdraws the approval and an approval typed in another session moves it
there. Any other signal already resolved keeps its decision. Without a
decision, or when an id names no signal of this project, nothing is resolved
and the context says why.

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

    session = event.session_id
    with closing(store.connect(home)) as conn:
        signals = [store.get(conn, n) for n in numbers]
        missing = [store.format_id(n) for n, s in zip(numbers, signals)
                   if s is None or s.project != event.project]
        if missing:
            return (f"There is no signal {', '.join(missing)} in this project; nothing was "
                    "resolved. `pact-signal list --open` shows the open ones.")
        done: list[Signal] = []
        changed: list[tuple[Signal, Signal]] = []
        resolved: list[Signal] = []
        for signal in (s for s in signals if s is not None):
            if signal.status != "resolved":
                resolved.append(store.resolve(conn, home, signal, words, by="user",
                                              session=session))
                continue
            after = store.decide_again(conn, signal, words, session) if _unused_approval(
                signal) else None
            if after is None:
                done.append(store.get(conn, signal.id) or signal)
            else:
                changed.append((signal, after))
        left = store.open_halts(conn, event.project)
    parts = [_already_text(s) for s in done]
    parts += [_changed_text(before, after, session) for before, after in changed]
    if resolved:
        parts.append(_resolved_text(resolved, words, left, session))
    return " ".join(parts)


def _unused_approval(signal: Signal) -> bool:
    """A resolved guard HALT whose decision approves and whose call has not run."""
    return signal.source == "guard" and signal.level == "HALT" and not signal.used and \
        _approves(signal.resolution)


def _already_text(signal: Signal) -> str:
    from .store import iso

    text = (f"{signal.ref} was already resolved on {iso(signal.resolved_at or 0)} with: "
            f"\"{signal.resolution}\".")
    if signal.source == "guard" and signal.used:
        ran = f" on {iso(signal.used_at)}" if signal.used_at else ""
        text += (f" The call it approved has run{ran}, so the decision stands; if the call is "
                 "tried again the guard opens a new HALT.")
    return text


def _changed_text(before: Signal, after: Signal, session: str) -> str:
    """What resolving an unused approval again changed, said plainly."""
    ref, old, new = after.ref, before.resolution, after.resolution
    if not _approves(new):
        return (f"The user withdrew the approval in {ref}: \"{new}\" replaces \"{old}\". The "
                f"call {ref} stopped stays stopped; if it is tried again the guard stops it with "
                "a new HALT. Follow the new decision and record it in memory.")
    if before.resolved_session == session:
        return (f"{ref} was already approved in this session; its decision now reads \"{new}\". "
                "The stopped call may still be retried once, unchanged, in this session.")
    return (f"The user approved the call {ref} stopped again, in this session: \"{new}\" "
            f"replaces \"{old}\", typed in another session. The approval now holds in this "
            "session alone: the call may be retried once, unchanged.")


def _resolved_text(resolved: list[Signal], words: str, left: list[Signal],
                   session: str) -> str:
    which = " and ".join(f"{s.ref} ({s.level} {s.category}: {s.reason})" for s in resolved)
    text = (f"The user resolved {which} with the decision: \"{words}\". Follow that decision "
            "and record it in memory.")
    stopped = [s.ref for s in resolved if s.source == "guard"]
    if stopped:
        text += " " + _approval_note(stopped, words, session)
    if left:
        text += " Still open: " + ", ".join(s.ref for s in left) + "."
    elif any(s.level == "HALT" for s in resolved):
        text += " No HALT is open now; work may continue within that decision."
    return text


def _approval_note(refs: list[str], words: str, session: str) -> str:
    """What the decision means for the call the guard stopped (the protocol's rule)."""
    which = ", ".join(refs)
    if _approves(words) and session:
        return (f"By the protocol's rule this approves the call {which} stopped: it may be "
                "retried once, unchanged, in this session only; a later repeat, or one in "
                "another session, is judged again. Until it runs, the user can withdraw it by "
                f"resolving {which} again with a decision that does not approve.")
    if _approves(words):  # a prompt without a session id: the approval could hold nowhere
        return (f"The decision approves, but the prompt named no session, so it lets the call "
                f"{which} stopped run nowhere: if it is tried again the guard opens a new HALT.")
    return (f"This decision does not approve the call {which} stopped (see the rule in "
            "algedonic.md, Letting a stopped action run): do what it asks; if the call is "
            "tried again the guard stops it with a new HALT for the user to decide.")


def _approves(words: str) -> bool:
    """The protocol's rule; when it cannot be read, nothing approves."""
    from .vocabulary import VocabularyError, approves

    try:
        return approves(words)
    except VocabularyError:
        return False
