"""PreToolUse enforcement: while a HALT is open, tools that change things are denied.

Event: PreToolUse for Bash (``tool_input.command``), Agent, Edit, Write,
MultiEdit and NotebookEdit (``tool_input.file_path``/``notebook_path``), and
SendMessage, Workflow, CronCreate and ScheduleWakeup (``tool_input.prompt``)
where the registry routes them here.

While the project has an open HALT: Edit, Write, MultiEdit, NotebookEdit,
Agent, SendMessage (it resumes an agent), Workflow, CronCreate and
ScheduleWakeup are denied, and so is every Bash command that is not read-only (see
``is_read_only``; ``pact-signal`` and ``pact-memory`` stay usable, and
``pact-signal`` has no way to resolve, but ``pact-memory forget``, ``import``,
``pin`` and ``unpin`` wait: saving records context, those change what is kept).
The reason names the signals and says the user resolves them with
``/PACT:resolve <id> <decision>``.

At all times, whatever the HALTs: writes to the PACT data folder through
Write/Edit (paths inside it) and Bash commands that are not read-only and name
it (its path, ``$PACT_HOME``, ``CLAUDE_PLUGIN_DATA`` or ``pact.db``) are
denied, because the signal log is what a HALT rests on; ``pact-signal`` and
``pact-memory`` are the ways to change it. So is a CronCreate or ScheduleWakeup
whose prompt holds ``/PACT:resolve``: only the user types that command.

Speed: with no HALT open this handler does not open SQLite; it tests the
project's marker file with ``os.path.exists``. Fails open when no data folder
is set or the log shows the marked HALT resolved; fails closed when the marker
says a HALT is open but the database cannot be read or holds no HALT for the
project at all (wiped), and the reason names the marker file the user may delete.
"""

from __future__ import annotations

import os

from ..hook import Event, Outcome
from .marker import halt_marked, marker_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

    from .shell import Command

_EDITS = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit"})
# Tools that start work or schedule it: paused with the edits while a HALT is open.
# TODO: route SendMessage, Workflow, CronCreate and ScheduleWakeup to this handler in
# registry.HANDLERS; until then only Agent and the edit tools reach it.
_PAUSED = _EDITS | {"Agent", "SendMessage", "Workflow", "CronCreate", "ScheduleWakeup"}
_SCHEDULERS = frozenset({"CronCreate", "ScheduleWakeup"})
_READ_ONLY = frozenset({
    "ls", "cat", "head", "tail", "less", "more", "grep", "egrep", "fgrep", "rg", "ag", "wc",
    "file", "stat", "du", "df", "pwd", "echo", "printf", "which", "type", "whoami", "id",
    "date", "tree", "diff", "cmp", "cut", "tr", "nl", "basename", "dirname", "realpath",
    "readlink", "jq", "sha256sum", "sha1sum", "md5sum", "true", "false", "uname", "hostname",
    "column", "fold", "expand", "od", "hexdump", "strings", "comm", "uniq", "test", "[",
    "pact-memory", "pact-signal",
})
_GIT_READ_ONLY = frozenset({"status", "log", "diff", "show", "blame", "ls-files", "rev-parse",
                            "describe", "shortlog", "ls-tree", "cat-file"})
_FIND_WRITES = frozenset({"-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint",
                          "-fprint0", "-fprintf", "-fls"})
_DATA_NAMES = ("PACT_HOME", "CLAUDE_PLUGIN_DATA", "pact.db")


def on_pre_tool_use(event: Event) -> Outcome | None:
    """Deny changes while a HALT is open, and changes to the data folder always.

    Fails open when nothing is known to be open; fails closed when the marker says
    a HALT is open but the log cannot be read, because the HALT is the safer truth.
    """
    home = event.home
    if home is None:
        return None
    tool, data = event.tool_name, event.tool_input
    command = data.get("command") if tool == "Bash" else None
    if not isinstance(command, str):
        command = ""
    protected = _touches_data(tool, data, command, home) or _schedules_a_resolve(tool, data)
    if protected:
        return Outcome(deny=protected)
    if not halt_marked(home, event.project):
        return None
    if tool == "Bash" and is_read_only(command):
        return None
    if tool != "Bash" and tool not in _PAUSED:
        return None
    return _deny_for_halts(event, home)


def _schedules_a_resolve(tool: str, data: dict) -> str:
    """The deny reason when a scheduled prompt would type ``/PACT:resolve``, else "".

    A prompt a cron job or a wake-up enqueues arrives as if the user had typed it,
    so one holding the resolve command could lift a HALT without the user.
    """
    prompt = data.get("prompt")
    if tool not in _SCHEDULERS or not isinstance(prompt, str) or "/PACT:resolve" not in prompt:
        return ""
    return ("Only the user resolves a PACT signal, by typing `/PACT:resolve <id> <decision>` "
            "themselves; a scheduled prompt may not carry that command.")


def _deny_for_halts(event: Event, home: str) -> Outcome | None:
    from contextlib import closing

    from . import store

    marker = marker_path(home, event.project)
    try:
        with closing(store.connect(home)) as conn:
            halts = store.open_halts(conn, event.project)
            known = bool(halts) or any(s.level == "HALT" for s in store.find(conn, event.project))
    except Exception as exc:  # the marker says a HALT is open: fail closed
        return Outcome(deny=(
            f"A PACT HALT is recorded for this project, but the signal log cannot be read "
            f"({exc}). The user can repair or move the database aside, or delete "
            f"{marker} to lift the pause."))
    if not halts and known:
        return None  # a stale marker: the log shows the HALT was resolved
    if not halts:  # marked, yet the log knows no HALT here at all: wiped or replaced
        return Outcome(deny=(
            "A PACT HALT is marked for this project, but the signal log holds no HALT for it "
            "(it may have been emptied or replaced). Changes stay paused; the user can delete "
            f"{marker} to lift the pause."))
    listing = "; ".join(s.line() for s in halts)
    first = halts[0].ref
    return Outcome(deny=(
        f"Paused by PACT: HALT open ({listing}). {event.tool_name} calls that change things are "
        "refused until the user resolves it; reading and searching still work. Tell the user "
        f"and wait for `/PACT:resolve {first} <decision>` (one per open HALT)."))


def _touches_data(tool: str, data: dict, command: str, home: str) -> str:
    """The deny reason when a tool would change the PACT data folder, else ""."""
    message = (f"The PACT data folder ({home}) holds the signal log and memory; change it "
               "only through `pact-signal` and `pact-memory`.")
    if tool in _EDITS:
        path = data.get("file_path") or data.get("notebook_path")
        if isinstance(path, str) and path and _inside(path, home):
            return message
        return ""
    if tool == "Bash" and _names_data(command, home):
        return "" if is_read_only(command) else message
    return ""


def _names_data(command: str, home: str) -> bool:
    user = os.path.expanduser("~")
    tilde = "~" + home[len(user):] if user != "~" and home.startswith(user + os.sep) else home
    return home in command or tilde in command or any(n in command for n in _DATA_NAMES)


def _inside(path: str, folder: str) -> bool:
    real = os.path.realpath(os.path.expanduser(path))
    base = os.path.realpath(folder)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def is_read_only(command: str) -> bool:
    """True when every part of ``command`` only reads (conservative: unsure means no).

    Not read-only: command or process substitution, subshells and groups,
    variable assignments, redirections that write a file (``>&FILE`` included;
    ``/dev/null`` and descriptor copies do not), options or operands that make a
    listed tool write or run a program (see ``_CHECKS``), and any command outside
    the read-only set.
    """
    from . import shell

    script = shell.parse(command)
    if script.unsure or script.substitution or script.grouping:
        return False
    return all(_simple_read_only(cmd) for cmd in script.commands)


def _simple_read_only(cmd: Command) -> bool:
    from .shell import writes_file

    if any(writes_file(operator, target) for operator, target in cmd.redirects):
        return False
    if not cmd.words:
        return True
    name, args = cmd.words[0], cmd.words[1:]
    check = _CHECKS.get(name)
    if check is not None:
        return check(args)
    return name in _READ_ONLY


def _operands(args: list[str]) -> list[str]:
    return [a for a in args if not a.startswith("-") or a == "-"]


def _long(arg: str, *names: str) -> bool:
    """True when ``arg`` is one of the long options ``names``, whole or abbreviated.

    GNU getopt takes any unambiguous prefix, so ``sort --o=FILE`` is ``--output``.
    """
    key = arg.partition("=")[0]
    return len(key) > 2 and key.startswith("--") and any(n.startswith(key) for n in names)


def _short(arg: str, letters: str) -> bool:
    """True when ``arg`` is a cluster of short options holding one of ``letters``."""
    return arg[:1] == "-" and arg[1:2] not in ("-", "") and any(c in arg[1:] for c in letters)


def _sort_read_only(args: list[str]) -> bool:
    # `-o FILE`, `-ofile`, clustered `-uo FILE` and `--output` write a file;
    # `--compress-program=PROG` runs PROG on the temporary files.
    return not any(_short(a, "o") or _long(a, "--output", "--compress-program") for a in args)


def _rg_read_only(args: list[str]) -> bool:
    # `--pre CMD` runs CMD on every file; `--hostname-bin CMD` runs CMD for hyperlinks.
    return not any(a.partition("=")[0] in ("--pre", "--hostname-bin") for a in args)


def _tree_read_only(args: list[str]) -> bool:
    # `-o FILE` writes; `-R` with `-H` writes 00Tree.html files into every folder.
    return not any(a == "-o" or a.startswith(("-o", "--output")) or a == "-R" for a in args)


def _test_read_only(args: list[str]) -> bool:
    # bash expands the subscript of `-v 'a[$(cmd)]'` and `-R …`, running cmd.
    return not any(a in ("-v", "-R") for a in args)


def _less_read_only(args: list[str]) -> bool:
    # `-o`/`-O FILE` and `--log-file` copy the input into FILE; `+cmd` runs less commands.
    return not any(_short(a, "oO") or _long(a, "--log-file", "--LOG-FILE") or a[:1] == "+"
                   for a in args)


# hostname prints with these; any other option or an operand sets the name.
_HOSTNAME_SHOWS = frozenset({"-a", "--alias", "-A", "--all-fqdns", "-d", "--domain", "-f",
                             "--fqdn", "--long", "-i", "--ip-address", "-I",
                             "--all-ip-addresses", "-s", "--short", "-y", "--yp", "--nis"})


def _git_read_only(args: list[str]) -> bool:
    # `-c` is left out on purpose: `git -c core.pager=… log` runs any program.
    while args[:1] in (["-C"], ["--no-pager"]):
        args = args[1:] if args[0] == "--no-pager" else args[2:]
    if not args or any(_long(a, "--output") for a in args):
        return not args
    sub, rest = args[0], args[1:]
    if sub == "grep":  # `-O`/`--open-files-in-pager` runs a program
        return not any(a.startswith("-O") or _long(a, "--open-files-in-pager") for a in rest)
    if sub == "stash":
        return rest[:1] in (["list"], ["show"])
    if sub == "reflog":
        return rest[:1] in ([], ["show"])
    if sub in _GIT_READ_ONLY:
        return True
    if sub == "branch":
        return all(a in ("-a", "-r", "-v", "-vv", "--list", "--show-current") for a in rest)
    if sub in ("remote", "tag", "worktree"):
        return rest in ([], ["-v"], ["list"], ["-l"], ["--list"])
    return False


_CHECKS: dict[str, Callable[[list[str]], bool]] = {
    "git": _git_read_only,
    "find": lambda args: not any(a in _FIND_WRITES for a in args),
    "sort": _sort_read_only,
    "uniq": lambda args: len(_operands(args)) <= 1,  # `uniq IN OUT` writes OUT
    "rg": _rg_read_only,
    "ag": lambda args: not any(_long(a, "--pager") for a in args),  # runs the pager
    "tree": _tree_read_only,
    "file": lambda args: not any(_short(a, "C") or _long(a, "--compile") for a in args),
    "date": lambda args: not any(_short(a, "s") or _long(a, "--set") for a in args),
    "hostname": lambda args: all(a in _HOSTNAME_SHOWS for a in args),
    "test": _test_read_only,
    "[": _test_read_only,
    # `printf -v 'a[$(cmd)]' …` assigns to an array element whose subscript runs cmd.
    "printf": lambda args: not (args[:1] and args[0].startswith("-v")),
    "less": _less_read_only,
    "more": _less_read_only,
    # Saving records context during a HALT; forget, import, pin and unpin change what is kept.
    "pact-memory": lambda args: args[:1] not in (["forget"], ["import"], ["pin"], ["unpin"]),
}
