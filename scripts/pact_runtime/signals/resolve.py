"""UserPromptSubmit: the user's ``/PACT:resolve <id> <decision>`` resolves a signal.

Event: UserPromptSubmit; reads ``prompt`` (the user's own text, which no tool
or agent can write) and the project root. ``/PACT:resolve S5 S6 <decision>``
resolves several signals with one decision: the first id may be written
``S5``, ``s5``, ``#5`` or ``5``, every later one starts with ``S`` or ``#``
(``S6``, ``S6,``), so a decision may begin with a number. Each signal is marked
resolved with the user's words, by "user", in the prompt's ``session_id`` (an
approval holds in that session alone), and the project's HALT marker is
dropped when no HALT is left. A guard HALT whose call the guard has not let
through may be resolved again, and the user's latest decision counts: a
refusal withdraws an approval, an approval replaces a refusal or a condition,
and an approval typed in another session moves there. Any other signal
already resolved keeps its decision. Without a decision, or when an id names
no signal of this project, nothing is resolved and the context says why.

Output: ``additionalContext`` telling the orchestrator what was recorded, and
a ``systemMessage`` telling the user what their decision did to a call the
guard stopped (and, when it does not approve, which word kept it from
approving and what to type instead), or that words typed on a signal already
decided were not recorded. Fails open: if the log cannot be written, the
context says so and the HALT stays open (enforcement keeps its own
fail-closed rule).
"""

from __future__ import annotations

from ..hook import Event, Outcome

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3

    from .store import Signal

COMMAND = "/PACT:resolve"
# Matched against the prompt with its surrounding white space stripped, so no part of the
# pattern has to scan trailing space (a lazy group before "\s*$" was quadratic).
_RESOLVE = r"/PACT:resolve(?:[ \t]+(\S+))?(?:\s+(.*))?"
_MORE_IDS = r"\s*,?\s*((?:[Ss]|#)\d+)\s*,?(?=\s|$)"
USAGE = "`/PACT:resolve <id> <decision>`"


def on_user_prompt(event: Event) -> Outcome | None:
    """Record ``/PACT:resolve <id> [<id>…] <decision>`` from the user's own prompt.

    Fails open for the prompt and safe for the signal: it never blocks what the
    user typed, and a database error leaves the signal open (a HALT keeps pausing
    work) and says so, so nothing is lifted by accident.
    """
    prompt = event.text("prompt")
    if COMMAND not in prompt:  # every other prompt: no regex module, no database
        return None
    import re

    match = re.fullmatch(_RESOLVE, prompt.strip(), re.DOTALL)
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
        context, message = _resolve(event, home, ids, words)
    except Exception as exc:  # the database failed: the HALT stays open
        return Outcome(context=f"The resolution of {named} could not be recorded ({exc}); "
                               "the signal stays open. Tell the user.",
                       message=f"PACT: {named} could not be resolved ({exc}); it stays open.")
    return Outcome(context=context, message=message)


class _Decided:
    """A guard HALT this prompt decided, with the other HALTs of the same call."""

    __slots__ = ("signal", "still_open", "replaced")

    def __init__(self, signal: Signal, still_open: list[Signal],
                 replaced: list[Signal]) -> None:
        self.signal = signal
        self.still_open = still_open  # open HALTs of the same call: the guard refuses it
        self.replaced = replaced  # unused approvals of the call in this session, now replaced


def _resolve(event: Event, home: str, numbers: list[int], words: str) -> tuple[str, str]:
    """The context for the orchestrator and the message for the user."""
    from contextlib import closing

    from . import store

    session = event.session_id
    with closing(store.connect(home)) as conn:
        signals = [store.get(conn, n) for n in numbers]
        missing = [store.format_id(n) for n, s in zip(numbers, signals)
                   if s is None or s.project != event.project]
        if missing:
            return (f"There is no signal {', '.join(missing)} in this project; nothing was "
                    "resolved. `pact-signal list --open` shows the open ones."), ""
        done: list[Signal] = []
        changed: list[tuple[Signal, Signal]] = []
        resolved: list[Signal] = []
        for signal in (s for s in signals if s is not None):
            if signal.status != "resolved":
                resolved.append(store.resolve(conn, home, signal, words, by="user",
                                              session=session))
                continue
            after = store.decide_again(conn, signal, words, session) if _undecided(
                signal) else None
            if after is None:
                done.append(store.get(conn, signal.id) or signal)
            else:
                changed.append((signal, after))
        decided = {s.id: _decided(conn, s, session) for s in
                   [s for s in resolved if s.source == "guard"] + [a for _, a in changed]}
        left = store.open_halts(conn, event.project)
    parts = [_already_text(s) for s in done]
    parts += [_changed_text(before, decided[after.id], session) for before, after in changed]
    if resolved:
        parts.append(_resolved_text(resolved, words, left, session, decided))
    lines = [_already_message(s, words) for s in done]
    if decided:
        lines += _decided_messages(list(decided.values()), words, session, left)
    return " ".join(parts), "\n".join(lines)


def _decided(conn: sqlite3.Connection, signal: Signal, session: str) -> _Decided:
    from . import store

    others = store.same_call(conn, signal)
    still_open = [s for s in others if s.status != "resolved"]
    replaced = [s for s in others if s.status == "resolved" and not s.used and session
                and s.resolved_session == session and _approves(s.resolution)]
    return _Decided(signal, still_open, replaced)


def _undecided(signal: Signal) -> bool:
    """A resolved guard HALT whose call the guard has not let through: its decision may change."""
    return signal.source == "guard" and signal.level == "HALT" and not signal.used


def _already_text(signal: Signal) -> str:
    from .store import iso

    text = (f"{signal.ref} was already resolved on {iso(signal.resolved_at or 0)} with: "
            f"\"{signal.resolution}\".")
    if signal.source == "guard" and signal.used:
        through = f" on {iso(signal.used_at)}" if signal.used_at else ""
        text += (f" The guard let the call it approved through{through}, so the decision "
                 "stands; if the call is tried again the guard opens a new HALT.")
    return text + " The new words were not recorded; the user has been told."


def _already_message(signal: Signal, words: str) -> str:
    """One line telling the user their new words on a decided signal were not recorded."""
    from .store import iso

    head = (f"PACT: {_quote(words)} was not recorded: {signal.ref} was already resolved on "
            f"{iso(signal.resolved_at or 0)} with {_quote(signal.resolution)}")
    if signal.source == "guard" and signal.used:
        through = f" on {iso(signal.used_at)}" if signal.used_at else ""
        return f"{head}, and the guard let the call it approved through{through}, so that " \
               "decision stands."
    if signal.source == "guard":  # the decision changed while this one was being recorded
        return f"{head}, recorded at the same moment; type yours again if it should count."
    return f"{head}, and that decision stands (only a HALT the guard raised can be decided " \
           "again, until its call is let through)."


def _changed_text(before: Signal, decided: _Decided, session: str) -> str:
    """What resolving a guard HALT again changed, said plainly."""
    after = decided.signal
    ref, old, new = after.ref, before.resolution, after.resolution
    if not _approves(new):
        if _approves(old):
            text = (f"The user withdrew the approval in {ref}: \"{new}\" replaces \"{old}\". "
                    f"The call {ref} stopped stays stopped; if it is tried again the guard "
                    "stops it with a new HALT.")
        else:
            text = (f"The user changed the decision in {ref}: \"{new}\" replaces \"{old}\". It "
                    f"still does not approve the call {ref} stopped ({_why(new)}); if the call "
                    "is tried again the guard stops it with a new HALT.")
        return (text + _call_notes(decided, approves=False) + " " + _told([ref])
                + " Follow the new decision and record it in memory.")
    if not session:
        return (f"In {ref}, \"{new}\" replaces \"{old}\". " + _approval_note([ref], new, "")
                + " Follow the new decision and record it in memory.")
    if not _approves(old):
        text = (f"The user approved the call {ref} stopped: \"{new}\" replaces \"{old}\". By "
                "the protocol's rule it may be retried once, unchanged, in this session only. "
                "Follow the new decision and record it in memory.")
    elif before.resolved_session == session:
        text = (f"{ref} was already approved in this session; its decision now reads \"{new}\". "
                "The stopped call may still be retried once, unchanged, in this session.")
    else:
        text = (f"The user approved the call {ref} stopped again, in this session: \"{new}\" "
                f"replaces \"{old}\", typed in another session. The approval now holds in this "
                "session alone: the call may be retried once, unchanged.")
    return text + _call_notes(decided, approves=True)


def _resolved_text(resolved: list[Signal], words: str, left: list[Signal], session: str,
                   decided: dict[int, _Decided]) -> str:
    which = " and ".join(f"{s.ref} ({s.level} {s.category}: {s.reason})" for s in resolved)
    text = (f"The user resolved {which} with the decision: \"{words}\". Follow that decision "
            "and record it in memory.")
    stopped = [s.ref for s in resolved if s.id in decided]
    if stopped:
        text += " " + _approval_note(stopped, words, session)
        approves = _approves(words) and bool(session)
        text += "".join(_call_notes(decided[s.id], approves) for s in resolved
                        if s.id in decided)
        if not _approves(words):
            text += " " + _told(stopped)
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
                "another session, is judged again. Until the guard lets it through, the user "
                f"can withdraw it by resolving {which} again with a decision that does not "
                "approve.")
    if _approves(words):  # a prompt without a session id: the approval could hold nowhere
        return (f"The decision approves, but the prompt named no session, so it lets the call "
                f"{which} stopped run nowhere: if it is tried again the guard opens a new HALT.")
    return (f"This decision does not approve the call {which} stopped ({_why(words)}; see the "
            "rule in algedonic.md, Letting a stopped action run): do what it asks; if the call "
            "is tried again the guard stops it with a new HALT for the user to decide.")


def _call_notes(decided: _Decided, approves: bool) -> str:
    """What other HALTs of the same call mean for this decision."""
    ref, text = decided.signal.ref, ""
    if approves and decided.still_open:
        first = decided.still_open[0].ref
        text += (f" But HALT {first}, still open, stopped the same call: the guard refuses it "
                 f"until {first} is resolved, and a decision on {first} typed in this session "
                 f"then counts instead of the one in {ref}.")
    if decided.replaced:
        refs = _refs([s.ref for s in decided.replaced])
        text += (f" This decision replaces the approval in {refs} for the same call, which no "
                 "longer lets it run.")
    return text


def _told(refs: list[str]) -> str:
    if _approval_rule() is None:
        return "The user has been told why."
    return (f"The user has been told that `/PACT:resolve {' '.join(refs)} {_approving_word()}` "
            f"lets exactly {'that call' if len(refs) == 1 else 'those calls'} run once.")


def _decided_messages(decided: list[_Decided], words: str, session: str,
                      left: list[Signal]) -> list[str]:
    """The lines telling the user what the decision did to the calls the guard stopped."""
    refs = [d.signal.ref for d in decided]
    one = len(refs) == 1
    if not _approves(words):
        stays = f"the call {_refs(refs)} stopped stays stopped" if one else \
            f"the calls {_refs(refs)} stopped stay stopped"
        line = f"PACT: {stays}: {_why(words)}."
        if _approval_rule() is not None:
            line += (f" To let exactly {'that call' if one else 'those calls'} run once"
                     f"{'' if one else ' each'}, type /PACT:resolve {' '.join(refs)} "
                     f"{_approving_word()}")
        return [line]
    if not session:
        return [f"PACT: {_refs(refs)} stays stopped: the prompt carried no session, so the "
                "approval can hold nowhere."]
    lines = []
    free = [d.signal.ref for d in decided if not d.still_open]
    if free:
        run = "the call it stopped may run" if len(free) == 1 else \
            "the calls they stopped may each run"
        waiting = [s.ref for s in left]
        after = f", once no HALT is open (still open: {', '.join(waiting)})" if waiting else ""
        lines.append(f"PACT: {_refs(free)} approved: {run} once, unchanged, in this "
                     f"session{after}.")
    for d in decided:
        if d.still_open:
            first = d.still_open[0].ref
            lines.append(f"PACT: {d.signal.ref} approved, but {first} (still open) stopped the "
                         f"same call; once {first} is resolved in this session, its decision "
                         "counts instead.")
    return lines


def _why(words: str) -> str:
    """Which word kept the decision from approving, or what it lacks, in a few words."""
    rule = _approval_rule()
    if rule is None:
        return "the approval rule in algedonic.md could not be read, so nothing approves"
    from .vocabulary import refusal

    word = refusal(words, rule=rule)
    if word:
        return f"\"{word}\" keeps the decision from approving it"
    return "the decision does not begin with " + " or ".join(sorted(rule[0]))


def _approving_word() -> str:
    rule = _approval_rule()
    first = sorted(rule[0]) if rule else []
    return "approved" if "approved" in first or not first else first[0]


def _approval_rule() -> tuple[frozenset[str], frozenset[str]] | None:
    from .vocabulary import VocabularyError, approval_words

    try:
        return approval_words()
    except VocabularyError:
        return None


def _approves(words: str) -> bool:
    """The protocol's rule; when it cannot be read, nothing approves."""
    from .vocabulary import approves

    rule = _approval_rule()
    return rule is not None and approves(words, rule=rule)


def _refs(refs: list[str]) -> str:
    """``S1``, ``S1 and S2``, ``S1, S2 and S3``."""
    return refs[0] if len(refs) == 1 else ", ".join(refs[:-1]) + " and " + refs[-1]


def _quote(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return f"\"{flat if len(flat) <= limit else flat[:limit - 1] + '…'}\""
