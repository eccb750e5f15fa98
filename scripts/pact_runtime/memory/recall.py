"""SessionStart: remind the session of this project's most useful memories.

Event:  SessionStart (every source: startup, resume, clear, compact).
Output: ``Outcome(context=…)`` of at most ``BUDGET`` characters: pinned
        memories first, then memories that carry lessons or decisions, newest
        first, then the rest; one line each. Nothing when the project has no
        memories.
Fails open: without a data folder or a usable database the session starts
        without memories; the reason goes to the runtime log.
"""

from __future__ import annotations

from ..hook import Event, Outcome
from ..log import log

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

BUDGET = 1000
LINE_CHARS = 240
CANDIDATES = 30


def on_session_start(event: Event) -> Outcome | None:
    if not event.home:
        return None
    try:
        memories, total = _load(str(event.home), event.project)
    except Exception as exc:  # a broken memory must never stop a session
        log(f"memory recall skipped: {type(exc).__name__}: {exc}", event.home)
        return None
    text = render(memories, total)
    return Outcome(context=text) if text else None


def rank(memories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pinned first, then memories with lessons or decisions, each group newest first."""
    def key(m: dict[str, Any]) -> tuple[bool, bool, str]:
        return (not m["pinned"], not (m["lessons"] or m["decisions"]), _negated(m["updated"]))

    return sorted(memories, key=key)


def render(memories: list[dict[str, Any]], total: int) -> str:
    """The context block, never longer than BUDGET characters."""
    from .render import clip, summary_line

    if not memories:
        return ""
    lines: list[str] = []
    for memory in rank(memories):
        tags = " pinned" if memory["pinned"] else ""
        who = memory["agent"].split(":", 1)[-1] or "user"
        line = clip(f"- {memory['id']}{tags} ({who}, {memory['updated'][:10]}): "
                    f"{summary_line(memory)}", LINE_CHARS)
        if len(_join(_header(len(lines) + 1, total), lines + [line])) > BUDGET:
            break
        lines.append(line)
    return _join(_header(len(lines), total), lines) if lines else ""


def _load(home: str, project: str) -> tuple[list[dict[str, Any]], int]:
    from contextlib import closing

    from . import store

    with closing(store.open_store(home)) as conn:
        pinned_first = store.recent(conn, project, CANDIDATES, pinned_first=True)
        total = conn.execute("SELECT count(*) FROM memories WHERE project = ?",
                             (project,)).fetchone()[0]
    return pinned_first, int(total)


def _header(shown: int, total: int) -> str:
    return (f"PACT memory for this project ({shown} of {total}; `pact-memory search WORDS` "
            "finds more, `pact-memory show ID` gives details):")


def _join(header: str, lines: list[str]) -> str:
    return "\n".join([header, *lines])


def _negated(stamp: str) -> str:
    # Newest first inside an ascending sort: invert each digit of the timestamp.
    return stamp.translate(str.maketrans("0123456789", "9876543210"))
