"""SubagentStop: keep a PACT specialist's handoff as a memory.

Event:  SubagentStop. Reads ``agent_type``, ``session_id``,
        ``last_assistant_message`` and ``agent_transcript_path`` (for the
        task the specialist was given and the time it started).
Output: none, ever. ``additionalContext`` at SubagentStop would make the
        subagent take another turn, so the handler always returns None.
Fails open: a missing data folder, an unreadable database or an odd message
        means no memory; the reason goes to the runtime log. A database that
        stays locked past the busy timeout does not lose the memory: it is
        spooled (``db.spool``) and stored by the next connection that finds
        the lock free (``store_spooled``).

Rules:
- Only agent types starting with ``PACT:``; other subagents are not ours.
- Not when the handoff gate sends the specialist back: its complete answer,
  at the next stop, is the one kept.
- The message must hold at least one of the handoff parts with content.
- Skipped when the specialist saved a memory itself during this run: an
  explicit memory with the same session id, whose agent names this agent
  type (with or without ``PACT:``, any case) or names no agent, created at or
  after the subagent's first transcript record. Without a readable transcript
  any explicit save of that agent type in the session counts.
- The client may write the subagent transcript a few milliseconds after
  SubagentStop (seen with 2.1.197 for a run that answered in one turn, with no
  tool call). When the session keeps transcripts (its own ``transcript_path``
  exists), the handler waits up to ``TRANSCRIPT_WAIT`` seconds for the file's
  first whole line; otherwise it does not wait.
- The same content is never stored twice (the store's content hash).
"""

from __future__ import annotations

from ..fastjson import loads
from ..hook import Event, Outcome, clean_text
from ..log import log

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    from typing import Any

PREFIX = "PACT:"
MAX_GOAL = 300
_TRANSCRIPT_LINES = 40
TRANSCRIPT_WAIT = 1.0  # seconds; the file was seen to appear within about 5 ms
_POLL = 0.005
_PHASES = {"preparer": "Prepare", "architect": "Architect", "test-engineer": "Test",
           "qa-engineer": "Test", "backend-coder": "Code", "frontend-coder": "Code",
           "database-engineer": "Code", "devops-engineer": "Code", "n8n": "Code",
           "security-engineer": "Test"}


def on_subagent_stop(event: Event) -> Outcome | None:
    agent = event.agent_type
    if not agent.upper().startswith(PREFIX.upper()) or not event.home:
        return None
    try:
        from ..gate import sends_back

        if sends_back(event):
            return None
        _capture(event, agent)
    except Exception as exc:  # memory must never disturb the handoff
        log(f"memory capture skipped for {agent}: {type(exc).__name__}: {exc}", event.home)
    return None


def _capture(event: Event, agent: str) -> None:
    from contextlib import closing

    from .. import db
    from ..paths import plugin_root
    from . import handoff, store

    names = handoff.part_names(plugin_root())
    if not names:
        log(f"memory capture skipped: no five parts in {handoff.PROTOCOL}", event.home)
        return
    # A lone surrogate (valid in JSON, not in UTF-8) would make the record unstorable.
    found = handoff.parts(clean_text(event.text("last_assistant_message")), names)
    if not any(found.values()):
        return
    started, goal = _transcript_facts(event.text("agent_transcript_path"),
                                      wait=_keeps_transcripts(event))
    goal, agent, session_id = clean_text(goal), clean_text(agent), clean_text(event.session_id)
    started = clean_text(started) if started else None
    record = store.normalize(build_record(found, agent, session_id, goal))
    home = str(event.home)
    try:
        with closing(store.open_store(home)) as conn:
            if store.explicit_since(conn, session_id, agent, started):
                return
            store.save(conn, record, project=event.project, source="handoff")
    except db.DatabaseLocked as exc:
        payload = {"record": store.redacted(record), "project": event.project,
                   "created": store.now_iso(), "explicit": [session_id, agent, started]}
        path = db.spool(home, "memory", payload)
        log(f"memory capture for {agent} spooled to {path}: {exc}", home)


def store_spooled(conn: sqlite3.Connection, home: str, payload: dict[str, Any]) -> None:
    """Store a handoff memory that ``_capture`` spooled (the handler ``db.drain`` calls).

    Checks the payload as strictly as a new record (ValueError or TypeError
    when it is not one), and skips it when the specialist saved a memory
    itself in that run after all. Saving the same content again stores nothing.
    """
    from . import store
    from .record import check_stamp

    record = store.normalize(payload["record"])
    project, created = payload["project"], payload.get("created")
    session_id, agent, started = payload.get("explicit") or ["", "", None]
    if not isinstance(project, str) or not project.startswith("/"):
        raise ValueError(f"project: expected an absolute path, got {project!r}")
    check_stamp("created", created)
    if session_id and store.explicit_since(conn, session_id, agent, started):
        return
    store.save(conn, record, project=project, source="handoff", created=created)


def build_record(found: dict[str, list[str]], agent: str, session_id: str,
                 goal: str) -> dict[str, Any]:
    """A memory from the handoff parts (roles as in handoff.ROLES)."""
    from .handoff import decision, entities_in, file_path

    integration = found.get("integration", [])
    questions = [f"Open question: {q}" for q in found.get("questions", [])]
    context = "Integration points: " + "; ".join(integration) if integration else ""
    # Saved as specialists save themselves: the agent type without the plugin's prefix.
    name = agent.split(":", 1)[-1]
    return {
        "agent": name, "session_id": session_id, "goal": goal,
        "phase": _PHASES.get(name.lower().replace("pact-", "", 1), ""),
        "context": context or f"Handoff from {name}.",
        "decisions": [decision(item) for item in found.get("decisions", [])],
        "uncertainties": found.get("uncertainties", []) + questions,
        "files": [p for p in (file_path(i) for i in found.get("files", [])) if p],
        "entities": entities_in(integration),
    }


def _keeps_transcripts(event: Event) -> bool:
    """Whether the session writes transcripts: its own transcript file exists."""
    import os

    path = event.text("transcript_path")
    return bool(path) and os.path.isfile(path)


def _transcript_facts(path: str, wait: bool = False) -> tuple[str | None, str]:
    """(first record's timestamp, the task prompt) from the subagent transcript."""
    started, goal = None, ""
    for line in _transcript_head(path, wait):
        try:
            record = loads(line)
        except (ValueError, RecursionError):  # a line still being written, or not JSON
            continue
        if not isinstance(record, dict):
            continue
        if started is None and isinstance(record.get("timestamp"), str):
            started = record["timestamp"]
        goal = goal or _user_text(record)
        if started and goal:
            break
    return started, " ".join(goal.split())[:MAX_GOAL]


def _transcript_head(path: str, wait: bool) -> list[str]:
    """The transcript's first lines; with ``wait``, polls until its first line is whole."""
    import time

    if not path:
        return []
    deadline = time.monotonic() + TRANSCRIPT_WAIT
    while True:
        head: list[str] = []
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                head = [line for _, line in zip(range(_TRANSCRIPT_LINES), f)]
        except FileNotFoundError:
            pass
        except (OSError, ValueError):  # unreadable, or a path no file can have
            return []
        if not wait or (head and head[0].endswith("\n")) or time.monotonic() >= deadline:
            return head
        time.sleep(_POLL)


def _user_text(record: Any) -> str:
    message = record.get("message") if record.get("type") == "user" else None
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return content
    for block in content if isinstance(content, list) else []:
        if isinstance(block, dict) and block.get("type") == "text":
            return str(block.get("text", ""))
    return ""
