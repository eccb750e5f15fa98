"""Hook dispatcher: one process per Claude Code hook event.

Run by ``hooks/hooks.json`` as
``python3 -S "${CLAUDE_PLUGIN_ROOT}/runtime/pact_hook.py" <Event> || true``.

stdin:  the event JSON (read once; BOM, invalid UTF-8 and stray bytes tolerated).
stdout: at most one JSON object, the merged answer of every handler of the
        event, always with the right ``hookEventName``; nothing when no
        handler has anything to say.
exit:   always 0. Blocking is done only through JSON (``permissionDecision:
        deny``, ``decision: block``), never through exit code 2, so a crash,
        a missing file or a usage error can never block a tool by accident.

On PreToolUse a deny is final: no later answer can lift it. Later handlers still
run on an ordinary call, to add what they know (the guard names the HALT that
stopped the same action), but not on a call whose input passes
``AFTER_DENY_LIMIT`` characters, where their scan would only delay the deny
(seconds on a large Write).

Fails open: input that is not a JSON object runs no handler; a handler that
raises is logged to ``<data folder>/logs/pact.log`` and skipped, and one
whose module is not in this build is skipped with a one-line note. A handler
that must fail closed catches its own errors and returns a deliberate verdict.
"""

from __future__ import annotations

import os
import sys

from .fastjson import dumps, loads
from .hook import Event, Outcome
from .registry import HANDLERS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import BinaryIO

# Events whose hookSpecificOutput accepts additionalContext.
_CONTEXT_EVENTS = frozenset({
    "SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse",
    "PostToolUseFailure", "PostToolBatch", "SubagentStart", "SubagentStop", "Stop",
})
_BLOCK_EVENTS = frozenset({"UserPromptSubmit", "Stop", "SubagentStop"})


# Deepest nesting handed to handlers; a list or object below it becomes TOO_DEEP.
MAX_DEPTH = 64
TOO_DEEP = f"[nested deeper than {MAX_DEPTH} levels]"


def parse(raw: bytes) -> dict | None:
    """The event object, or None when stdin holds no JSON object.

    Nesting is cut at ``MAX_DEPTH``: a tool input the model wrote (an MCP
    tool's arguments) can nest deeper than Python's recursion limit, and an
    event that could not be read, or that a handler could not walk, would run
    no handler, HALT enforcement included. For the same reason an integer too
    long for ``int()`` is kept as its digits.
    """
    text = raw.decode("utf-8-sig", errors="replace").strip()
    if not text:
        return None
    try:
        # A number too long for int() is kept as digits: it would otherwise make the
        # whole event unreadable, and a HALT unenforced.
        data = loads(text, long_numbers=True)
    except RecursionError:
        try:
            data = loads(_cut_text(text, MAX_DEPTH), long_numbers=True)
        except (ValueError, RecursionError):
            return None
    except ValueError:
        return None
    return _cut(data, MAX_DEPTH) if isinstance(data, dict) else None


def _cut(data: dict, limit: int) -> dict:
    """``data`` with every list or object nested more than ``limit`` deep replaced."""
    pending: list[tuple[dict | list, int]] = [(data, 1)]
    while pending:
        container, depth = pending.pop()
        keys = container.keys() if isinstance(container, dict) else range(len(container))
        for key in keys:
            value = container[key]
            if isinstance(value, (dict, list)):
                if depth >= limit:
                    container[key] = TOO_DEEP
                else:
                    pending.append((value, depth + 1))
    return data


def _cut_text(text: str, limit: int) -> str:
    """JSON ``text`` with each list or object nested more than ``limit`` deep written as
    the string TOO_DEEP, found without parsing (for input too deep to parse)."""
    import re

    parts, depth, cut_at, last = [], 0, -1, 0
    for match in re.finditer(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', text, re.S):
        token = match.group()
        if token[0] == '"':
            continue
        if token in "[{":
            depth += 1
            if depth == limit + 1:
                cut_at = match.start()
        else:
            if depth == limit + 1 and cut_at >= 0:
                parts += [text[last:cut_at], '"' + TOO_DEEP + '"']
                last, cut_at = match.end(), -1
            depth -= 1
    return "".join(parts) + text[last:]


class _Sink:
    """Takes the place of stdout and stderr while handlers run.

    A stray print would otherwise corrupt the JSON answer (the client then
    ignores all of it, a deny included) or reach the client as stderr.
    """

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(str(text))
        return len(text)

    def flush(self) -> None:
        pass


def run_handlers(event: Event) -> list[Outcome]:
    """Run every matching handler in table order; a failing one is logged and skipped.

    On PreToolUse a deny ends the run when the tool input is large (see
    ``AFTER_DENY_LIMIT``): a deny wins over anything a later handler could answer.
    Anything a handler prints is kept off stdout and stderr and logged instead.
    """
    saved = sys.stdout, sys.stderr
    sink = _Sink()
    sys.stdout = sys.stderr = sink
    try:
        outcomes = _run(event)
    finally:
        sys.stdout, sys.stderr = saved
    if sink.parts:
        _log(f"handlers printed on {event.name} (kept off stdout): {''.join(sink.parts)}",
             event.env)
    return outcomes


def _run(event: Event) -> list[Outcome]:
    outcomes = []
    for handler in HANDLERS:
        if handler.event != event.name:
            continue
        if not handler.wants(event.tool_name):
            continue
        try:
            outcome = _load(handler.target)(event)
        except ModuleNotFoundError as exc:
            if not _is_own_module(exc, handler.target):
                _log_exception(handler.target, exc, event.name, event.env)
            else:  # the handler's module is not part of this build yet
                _log(f"{handler.target} skipped on {event.name}: module not installed", event.env)
            continue
        except (Exception, SystemExit) as exc:  # a handler bug must never stop the tool
            _log_exception(handler.target, exc, event.name, event.env)
            continue
        if outcome is not None and _usable(outcome, handler.target, event):
            outcomes.append(outcome)
            if outcome.deny and event.name == "PreToolUse" and _large(event.tool_input):
                break  # the deny is certain; the rest would only delay it
    return outcomes


# Characters of tool input past which, once a handler has denied, later ones are skipped.
AFTER_DENY_LIMIT = 64 * 1024


def _large(value: object) -> bool:
    """True when the strings in ``value`` (nested lists and dicts too) pass the limit."""
    pending, left = [value], AFTER_DENY_LIMIT
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            left -= len(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
            left -= len(item)
        elif isinstance(item, list):
            pending.extend(item)
            left -= len(item)
        if left < 0:
            return True
    return False


def _usable(outcome: object, target: str, event: Event) -> bool:
    """False (and logged) for a return value that is not an Outcome; logs verdicts
    the event cannot carry, which ``answer`` drops."""
    if not isinstance(outcome, Outcome):
        _log(f"{target} returned {type(outcome).__name__}, not an Outcome; ignored", event.env)
        return False
    if (outcome.deny or outcome.allow) and event.name != "PreToolUse":
        _log(f"{target}: permission decision ignored, {event.name} cannot decide", event.env)
    if outcome.block and event.name not in _BLOCK_EVENTS:
        _log(f"{target}: block ignored, {event.name} cannot block", event.env)
    return True


def answer(event_name: str, outcomes: Iterable[Outcome]) -> dict | None:
    """Merge outcomes into the JSON shape the client obeys for ``event_name``."""
    outcomes = list(outcomes)
    deny = _join(o.deny for o in outcomes)
    allow = _join(o.allow for o in outcomes)
    block = _join(o.block for o in outcomes)
    context = _join(o.context for o in outcomes)
    message = _join(o.message for o in outcomes)

    result: dict = {}
    specific: dict = {}
    if deny and event_name == "PreToolUse":
        specific["permissionDecision"] = "deny"
        specific["permissionDecisionReason"] = deny
    elif allow and event_name == "PreToolUse":
        specific["permissionDecision"] = "allow"
        specific["permissionDecisionReason"] = allow
    if block and event_name in _BLOCK_EVENTS:
        result["decision"] = "block"
        result["reason"] = block
    if context and event_name in _CONTEXT_EVENTS:
        specific["additionalContext"] = context
    if specific:
        result["hookSpecificOutput"] = {"hookEventName": event_name, **specific}
    if message:
        result["systemMessage"] = message
    return result or None


def main(argv: list[str] | None = None, stdin: bytes | None = None,
         env: Mapping[str, str] | None = None, stdout: BinaryIO | None = None) -> int:
    """Entry point; returns the exit code (always 0) after writing the answer.

    ``argv[0]`` names the event (hooks.json passes it); without it the
    event's own ``hook_event_name`` is used.
    """
    env = os.environ if env is None else env
    try:
        args = sys.argv[1:] if argv is None else argv
        raw = sys.stdin.buffer.read() if stdin is None else stdin
        data = parse(raw)
        if data is None:
            _log(f"ignored input that is not a JSON object ({len(raw)} bytes)", env)
            return 0
        name = args[0] if args else str(data.get("hook_event_name", ""))
        result = answer(name, run_handlers(Event(name, data, env)))
        if result is not None:
            out = sys.stdout.buffer if stdout is None else stdout
            # Bytes, not text: the UTF-8 answer must not depend on the locale.
            out.write(dumps(result).encode("utf-8", "replace"))
            out.flush()
    except (Exception, SystemExit) as exc:  # pragma: no cover (last line of defence)
        _log_exception("dispatcher", exc, "?", env)
    return 0


def _load(target: str) -> Callable[[Event], Outcome | None]:
    module_name, _, function = target.partition(":")
    # __import__ rather than importlib.import_module: importlib/__init__ is not
    # loaded at interpreter start, and every millisecond here is paid per tool call.
    module = __import__(f"{__package__}.{module_name}", fromlist=[function])
    handler: Callable[[Event], Outcome | None] = getattr(module, function)
    return handler


def _is_own_module(exc: ModuleNotFoundError, target: str) -> bool:
    """True when the missing module is the handler's own (or its package), not a dependency."""
    module = f"{__package__}.{target.partition(':')[0]}"
    return bool(exc.name) and (module == exc.name or module.startswith(f"{exc.name}."))


def _join(parts: Iterable[str]) -> str:
    return "\n\n".join(p for p in parts if p)


def _log(message: str, env: Mapping[str, str]) -> None:
    from .log import log
    from .paths import data_home

    log(message, data_home(env))


def _log_exception(where: str, exc: BaseException, event_name: str,
                   env: Mapping[str, str]) -> None:
    import traceback

    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    _log(f"{where} failed on {event_name}: {detail}", env)
