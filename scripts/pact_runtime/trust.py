"""PreToolUse approval of PACT's own commands, so they run without a permission prompt.

Event: PreToolUse for Bash (``tool_input.command``).
Output: ``Outcome(allow=…)`` when the whole command only runs ``pact-memory``
or ``pact-signal`` (the plugin's ``bin/`` commands), possibly several joined
by ``&&``, ``||`` or ``;``, each optionally fed by a heredoc, a here-string,
or a pipe from ``printf``/``echo``. Specialists save memories and raise
signals as part of every task; without this the client would ask the user
each time (a heredoc holding braces and quotes is asked about even when a
rule allows the command).

Anything else gets no answer, so the client's own permission rules apply:
substitutions, subshells, variable assignments, output redirection to a file,
other programs, or an explicit path to another ``pact-memory``. A deny from
the guard or from HALT enforcement always wins over this approval (the
dispatcher merges them). Fails closed for the approval: on any doubt, or on
its own error, it approves nothing and the client asks as it always would; it
never denies a call, so its failure cannot block work.
"""

from __future__ import annotations

from .hook import Event, Outcome
from .registry import COMMANDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .signals.shell import Command

REASON = "PACT's own command (pact-memory or pact-signal)"
_FEEDERS = frozenset({"printf", "echo"})
_HARMLESS_REDIRECTS = frozenset({"<<", "<<-", "<<<"})


def on_pre_tool_use(event: Event) -> Outcome | None:
    """Approve a Bash call that only runs PACT's commands; say nothing otherwise.

    Fails closed for the approval: on any doubt or on its own error it approves
    nothing and the client's own permission rules decide; it never denies a call.
    """
    command = event.tool_input.get("command")
    if not isinstance(command, str) or not any(name in command for name in COMMANDS):
        return None
    return Outcome(allow=REASON) if is_own_command(command) else None


def is_own_command(command: str) -> bool:
    """True when every simple command is a PACT command or feeds one through a pipe."""
    from .signals import shell

    script = shell.parse(command)
    if script.unsure or script.substitution or script.grouping or not script.commands:
        return False
    feeding = {id(cmd.piped_from) for cmd in script.commands if cmd.piped_from is not None}
    runs_own = False
    for cmd in script.commands:
        if not _plain(cmd):
            return False
        if cmd.words[0] in COMMANDS:
            runs_own = True
        elif not (cmd.words[0] in _FEEDERS and id(cmd) in feeding):
            return False
    return runs_own


def _plain(cmd: Command) -> bool:
    """Words, heredocs, here-strings and output to /dev/null or another descriptor only."""
    if not cmd.words or "=" in cmd.words[0]:
        return False
    return all(_harmless(operator, target) for operator, target in cmd.redirects)


def _harmless(operator: str, target: str) -> bool:
    if operator in _HARMLESS_REDIRECTS:
        return True
    if operator in (">&", ">", ">>") and target.isdigit():
        return operator == ">&"  # 2>&1; `> 1` would write a file named 1
    return operator in (">", ">>") and target == "/dev/null"
