"""The table of hook handlers and commands: the single source of hooks.json and bin/.

The build generates ``hooks/hooks.json`` from ``HANDLERS`` (one command per
event, its matcher the union of the handlers' tools) and the ``bin/`` shims
from ``COMMANDS``. The dispatcher runs, in table order, every handler of the
event whose tools match (``Handler.wants``). A tool is an exact name, or a
prefix ending in ``*`` (``mcp__*``: every tool of every MCP server). Keep this
module free of imports beyond typing: the dispatcher loads it on every event.
"""

from __future__ import annotations


class Handler:
    """One handler: its event, ``module:function`` target and tools.

    A plain class rather than a NamedTuple: importing typing costs the
    dispatcher several milliseconds.
    """

    __slots__ = ("event", "target", "tools", "_names", "_prefixes")

    def __init__(self, event: str, target: str, tools: tuple[str, ...] = ()) -> None:
        self.event = event
        self.target = target  # module relative to pact_runtime, then the function
        self.tools = tools  # tool events only; empty means every tool
        self._names = frozenset(t for t in tools if not t.endswith("*"))
        self._prefixes = tuple(t[:-1] for t in tools if t.endswith("*"))

    def wants(self, tool: str) -> bool:
        """True when the handler runs for ``tool``: a name it lists, one that begins
        with a prefix it lists (``mcp__*``), or any tool when it lists none."""
        if not self.tools:
            return True
        return tool in self._names or tool.startswith(self._prefixes)

    def __repr__(self) -> str:
        return f"Handler({self.event!r}, {self.target!r}, {self.tools!r})"


EDIT_TOOLS = ("Edit", "Write", "MultiEdit", "NotebookEdit")
# Tools that start or schedule work, or create or remove a git worktree: paused with the
# edits while a HALT is open. The main thread has them all; subagents lack Workflow and
# ScheduleWakeup.
WORK_TOOLS = ("Agent", "SendMessage", "Workflow", "CronCreate", "ScheduleWakeup",
              "EnterWorktree", "ExitWorktree")
# Every tool of every MCP server (the client names them ``mcp__<server>__<tool>``): which
# of them change things cannot be known, so all of them wait while a HALT is open.
MCP_TOOLS = "mcp__*"

HANDLERS: tuple[Handler, ...] = (
    Handler("SessionStart", "session:export_env"),
    Handler("SessionStart", "session:brief"),
    Handler("SessionStart", "signals.surface:on_session_start"),
    Handler("SessionStart", "memory.recall:on_session_start"),
    Handler("UserPromptSubmit", "signals.resolve:on_user_prompt"),
    Handler("UserPromptSubmit", "signals.surface:on_user_prompt"),
    Handler("PreToolUse", "signals.enforce:on_pre_tool_use",
            ("Bash", *EDIT_TOOLS, *WORK_TOOLS, MCP_TOOLS)),
    Handler("PreToolUse", "signals.guard:on_pre_tool_use", ("Bash", *EDIT_TOOLS, MCP_TOOLS)),
    Handler("PreToolUse", "trust:on_pre_tool_use", ("Bash",)),
    Handler("PostToolUse", "signals.surface:on_post_agent", ("Agent",)),
    Handler("SubagentStop", "signals.handoff:on_subagent_stop"),
    Handler("SubagentStop", "memory.capture:on_subagent_stop"),
    Handler("SubagentStop", "gate:on_subagent_stop"),
)

# Commands placed on the Bash PATH through the plugin's bin/ folder.
COMMANDS: dict[str, str] = {
    "pact-memory": "memory.cli:main",
    "pact-signal": "signals.cli:main",
}


def events() -> list[str]:
    """Events in first-seen order."""
    seen: list[str] = []
    for handler in HANDLERS:
        if handler.event not in seen:
            seen.append(handler.event)
    return seen


def matcher(event: str) -> str | None:
    """The hooks.json matcher for ``event``: None when any handler wants every tool.

    Plain names give the client's exact-list form ``A|B``. A prefix makes it a
    regular expression, which the client tests unanchored (``Edit`` would match
    ``NotebookEdit``) and against a tool's former names too, so it is anchored:
    ``^(A|B|mcp__.*)$``. The dispatcher still checks every name itself.
    """
    tools: list[str] = []
    for handler in HANDLERS:
        if handler.event != event:
            continue
        if not handler.tools:
            return None
        tools.extend(t for t in handler.tools if t not in tools)
    if not tools:
        return None
    for tool in tools:
        name = tool[:-1] if tool.endswith("*") else tool
        if not name or not name.replace("_", "a").isalnum() or not name.isascii():
            raise ValueError(f"tool {tool!r}: a name is letters, digits and _, then an "
                             "optional * for a prefix")
    if not any(t.endswith("*") for t in tools):
        return "|".join(tools)
    return "^(" + "|".join(t[:-1] + ".*" if t.endswith("*") else t for t in tools) + ")$"
