"""What a handler receives (``Event``) and returns (``Outcome``).

A handler is ``def on_x(event: Event) -> Outcome | None``. The dispatcher
merges the outcomes of all handlers of one event into a single JSON answer.
"""

from __future__ import annotations

import os

from .paths import data_home, project_root

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


def clean_text(text: str) -> str:
    """``text`` with each lone surrogate (a JSON ``\\ud800`` escape) as U+FFFD.

    JSON may carry one; UTF-8 cannot, so SQLite, path functions and the client's
    own UTF-8 (which hands such text to bash as U+FFFD) all need it replaced.
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


class Event:
    """One hook event as Claude Code sent it; missing fields read as empty."""

    __slots__ = ("name", "data", "env", "_project")

    def __init__(self, name: str, data: dict[str, Any],
                 env: Mapping[str, str] = os.environ) -> None:
        self.name = name
        self.data = data
        self.env = env
        self._project: str | None = None

    def text(self, key: str) -> str:
        """A top-level string field, or "" when absent or of another type."""
        value = self.data.get(key)
        return value if isinstance(value, str) else ""

    @property
    def session_id(self) -> str:
        """The session id, storable as UTF-8 (a lone surrogate read as U+FFFD)."""
        return clean_text(self.text("session_id"))

    @property
    def tool_name(self) -> str:
        return self.text("tool_name")

    @property
    def tool_input(self) -> dict[str, Any]:
        value = self.data.get("tool_input")
        return value if isinstance(value, dict) else {}

    @property
    def agent_type(self) -> str:
        """The subagent's type (``PACT:pact-…``) or "" in the main session."""
        return self.text("agent_type")

    @property
    def home(self) -> str | None:
        """The data folder, or None when the environment names none."""
        return data_home(self.env)

    @property
    def project(self) -> str:
        """The real path of the project root."""
        if self._project is None:
            self._project = project_root(self.data, self.env)
        return self._project


class Outcome:
    """A handler's answer. Empty fields mean "nothing to say".

    ``deny`` blocks a PreToolUse call with that reason; ``allow`` lets it run
    without a permission prompt (any deny wins over every allow). ``block`` sends a
    UserPromptSubmit, Stop or SubagentStop back with that reason. ``context``
    becomes ``additionalContext`` (at SubagentStop it makes the subagent take
    another turn). ``message`` is shown to the user, not to the model.
    """

    __slots__ = ("context", "deny", "block", "message", "allow")

    def __init__(self, context: str = "", deny: str = "", block: str = "",
                 message: str = "", allow: str = "") -> None:
        self.context = context
        self.deny = deny
        self.block = block
        self.message = message
        self.allow = allow

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__ if getattr(self, k))
        return f"Outcome({fields})"
