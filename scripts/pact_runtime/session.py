"""SessionStart handlers: export PACT's environment to Bash, inject the brief.

Event: SessionStart (``source`` startup, resume, clear or compact).
Reads: ``CLAUDE_ENV_FILE``, ``CLAUDE_PLUGIN_DATA``/``PACT_HOME``, the project root.
Fails open: if the env file cannot be written, Bash calls simply lack
``PACT_HOME`` and the commands say how to set it; the session goes on.
"""

from __future__ import annotations

import os

from .hook import Event, Outcome
from .paths import ensure_private_dir, plugin_root

BRIEF_FILE = os.path.join("hooks", "session-brief.md")


def export_env(event: Event) -> Outcome | None:
    """Append ``export PACT_HOME=… PACT_PROJECT=…`` to ``CLAUDE_ENV_FILE``.

    Bash calls in the main session and in subagents source that file, so the
    ``pact-memory`` and ``pact-signal`` commands find the same data folder and
    project as the hooks. Hooks themselves do not see these exports.
    """
    env_file = event.env.get("CLAUDE_ENV_FILE", "")
    home = event.home
    if not env_file or not home:
        return None
    ensure_private_dir(home)
    lines = [
        f"export PACT_HOME={_quote(home)}",
        f"export PACT_PROJECT={_quote(event.project)}",
    ]
    with open(env_file, "a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return None


def brief(event: Event) -> Outcome | None:
    """Inject the orchestrator brief that the build rendered into the plugin."""
    path = os.path.join(plugin_root(), BRIEF_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
    except FileNotFoundError:
        return None
    return Outcome(context=text) if text else None


def _quote(value: str) -> str:
    """Single-quote for sh (what shlex.quote does, without importing re at hook time)."""
    return "'" + value.replace("'", "'\"'\"'") + "'"
