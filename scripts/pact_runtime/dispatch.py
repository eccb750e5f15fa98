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

Fails open: input that is not a JSON object runs no handler; a handler that
raises is logged to ``<data folder>/logs/pact.log`` and skipped. A handler
that must fail closed catches its own errors and returns a deliberate verdict.
"""

from __future__ import annotations

import json
import os
import sys

from .hook import Event, Outcome
from .registry import HANDLERS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

# Events whose hookSpecificOutput accepts additionalContext.
_CONTEXT_EVENTS = frozenset({
    "SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse",
    "PostToolUseFailure", "PostToolBatch", "SubagentStart", "SubagentStop", "Stop",
})
_BLOCK_EVENTS = frozenset({"UserPromptSubmit", "Stop", "SubagentStop"})


def parse(raw: bytes) -> dict | None:
    """The event object, or None when stdin holds no JSON object."""
    text = raw.decode("utf-8-sig", errors="replace").strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def run_handlers(event: Event) -> list[Outcome]:
    """Run every matching handler in table order; a failing one is logged and skipped."""
    outcomes = []
    for handler in HANDLERS:
        if handler.event != event.name:
            continue
        if handler.tools and event.tool_name not in handler.tools:
            continue
        try:
            outcome = _load(handler.target)(event)
        except Exception as exc:  # a handler bug must never stop the tool
            _log_exception(handler.target, exc, event)
            continue
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def answer(event_name: str, outcomes: Iterable[Outcome]) -> dict | None:
    """Merge outcomes into the JSON shape the client obeys for ``event_name``."""
    outcomes = list(outcomes)
    deny = _join(o.deny for o in outcomes)
    block = _join(o.block for o in outcomes)
    context = _join(o.context for o in outcomes)
    message = _join(o.message for o in outcomes)

    result: dict = {}
    specific: dict = {}
    if deny and event_name == "PreToolUse":
        specific["permissionDecision"] = "deny"
        specific["permissionDecisionReason"] = deny
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
         env: Mapping[str, str] | None = None) -> int:
    """Entry point; returns the exit code (always 0) after printing the answer."""
    try:
        args = sys.argv[1:] if argv is None else argv
        raw = sys.stdin.buffer.read() if stdin is None else stdin
        env = os.environ if env is None else env
        data = parse(raw)
        if data is None:
            _log(f"ignored input that is not a JSON object ({len(raw)} bytes)", env)
            return 0
        name = args[0] if args else str(data.get("hook_event_name", ""))
        result = answer(name, run_handlers(Event(name, data, env)))
        if result is not None:
            sys.stdout.write(json.dumps(result, ensure_ascii=False))
            sys.stdout.flush()
    except Exception as exc:  # pragma: no cover (last line of defence)
        _log_exception("dispatcher", exc, None)
    return 0


def _load(target: str) -> Callable[[Event], Outcome | None]:
    module_name, _, function = target.partition(":")
    from importlib import import_module

    module = import_module(f"{__package__}.{module_name}")
    handler: Callable[[Event], Outcome | None] = getattr(module, function)
    return handler


def _join(parts: Iterable[str]) -> str:
    return "\n\n".join(p for p in parts if p)


def _log(message: str, env: Mapping[str, str]) -> None:
    from .log import log
    from .paths import data_home

    log(message, data_home(env))


def _log_exception(where: str, exc: BaseException, event: Event | None) -> None:
    import traceback

    from .log import log

    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    name = event.name if event else "?"
    log(f"{where} failed on {name}: {detail}", event.home if event else None)
