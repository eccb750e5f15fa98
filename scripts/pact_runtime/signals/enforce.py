"""PreToolUse enforcement: while a HALT is open, tools that change things are denied.

Event: PreToolUse for Bash (``tool_input.command``), Agent, Edit, Write,
MultiEdit and NotebookEdit (``tool_input.file_path``/``notebook_path``),
SendMessage, Workflow, CronCreate and ScheduleWakeup (``tool_input.prompt``),
EnterWorktree and ExitWorktree, and every tool of an MCP server
(``mcp__<server>__<tool>``; the registry's ``MCP_TOOLS`` prefix).

While the project has an open HALT: Edit, Write, MultiEdit, NotebookEdit,
Agent, SendMessage (it resumes an agent), Workflow, CronCreate,
ScheduleWakeup, EnterWorktree and ExitWorktree (they create or remove a git
worktree) are denied, and so is every MCP server tool (which of them change
something cannot be known: a database server's ``execute_sql`` may drop a
table) and every Bash command that is not read-only (see ``readonly``;
``pact-signal`` and ``pact-memory`` stay usable, and ``pact-signal`` has no
way to resolve, but ``pact-memory forget``, ``import``, ``pin`` and ``unpin``
wait: saving records context, those change what is kept).
The reason names the signals, says what still works and that the user resolves
them with ``/PACT:resolve <id> <decision>``.

At all times, whatever the HALTs: writes to the PACT data folder through
Write/Edit (paths inside it, symlinks resolved) and Bash commands that are not
read-only and reach it are denied, because the signal log is what a HALT rests
on; ``pact-signal`` and ``pact-memory`` are the ways to change it. A command
reaches the folder when it names it (its path, ``$PACT_HOME``,
``CLAUDE_PLUGIN_DATA`` or ``pact.db``), when a path or glob in it can match the
folder or something inside it (``~/.claude/plugins/data/PACT-*``, relative
paths after ``cd``, a path through a symlink to it), or when a program that
deletes, moves or changes the permissions of folders (``_FOLDER_CHANGERS``, and
``git clean``) names an ancestor of it (``rm -rf ~/.claude/plugins/data``).
The reader follows ``cd``, ``pushd``, ``popd``, ``cd -``, ``~+``/``$PWD`` and
``~-``/``$OLDPWD``; with ``CDPATH`` set (in the line or the environment) a
relative ``cd`` is one it cannot follow. After a ``cd`` to a glob that can match the folder, or one
it cannot follow from the folder or near it (``cd "$(ls | head -1)"`` in the
folder's parent), every command that is not read-only counts as run inside the
folder. After any other ``cd`` it cannot follow, a relative path counts if,
taken from the folder or any ancestor of it, it could be the folder, an
ancestor, or something the folder holds (``rm -rf PACT-*``, ``rm -rf .``,
``gzip -r halts``). A path that begins with another variable cannot be judged
and is let through.

A path written inside a word of a command that is not read-only
(``python3 -c '…glob("/x/PACT-*")'``, ``awk 'BEGIN{system("rm -rf ~/x")}'``,
``sed '1e …'``, ``git grep -O'…'``, ``PAGER='…' git log``, ``cp -t~/x``), in its
heredoc or here-string, or in the words of a command piped into it
(``echo ~/x | xargs rm``) is one it may touch too when it begins with ``~/``,
``~user/``, ``$HOME/``, ``${HOME}/`` or ``/``: it counts when it can be the folder
or lie in it, or, when that text names a program or call that deletes, moves or
locks out folders (``rm``, ``shutil.rmtree``, ``fs.rmSync``), when it is an
ancestor at most three levels above it (``~/.claude``, not ``~`` or ``/``). The
words of ``rm``, ``cp`` and the like are names, not scripts: inside one only a
path after short options counts. A path a script builds from pieces
(``Dir.home + "/.claude"``) cannot be judged.

Also denied at all times: a CronCreate or ScheduleWakeup whose prompt holds
``/PACT:resolve``, since only the user types that command; and for the same reason
a Bash command that starts a Claude Code client able to take a prompt (``claude``
with ``-p``, ``-c``, ``--resume``, ``--session-id``, a prompt or stdin; ``npx``,
``pnpm dlx``, ``yarn dlx``, ``bunx`` of ``@anthropic-ai/claude-code``; ``node``
running a file of that package; through ``env``, ``exec``, ``sudo``, ``timeout``,
``xargs``, ``sh -c``, a substitution…), since its prompt reaches the
UserPromptSubmit hook as if the user had typed it. ``claude --version``,
``--help`` and the management commands (``mcp``, ``plugin``, ``config``,
``doctor``, ``update``, ``install``, ``setup-token``, ``auth``…) still run. A
command that is not read-only and holds ``PACT:resolve`` (a prompt file for a
later ``claude -p < f``) is denied too; one that only reads it still runs. What an MCP tool's
arguments reach cannot be judged, so outside a HALT every MCP tool is let
through.

Text the client passes on that no path function takes (a lone surrogate from a
JSON ``\\ud800`` escape) is read as bash gets it, as U+FFFD; a NUL, a very
long path or a user name that does not exist leaves the word as it is.

Speed: with no HALT open this handler does not open SQLite; it tests the
project's marker file and its folder with ``os.stat`` (for an MCP tool that is
all it does), ``lstat``s each word of a Bash command as a path (``realpath``
only on a symlink), and parses the command (which loads ``re``) only when it
runs near the data folder, names a program or a script's call that deletes,
moves or changes folders, holds the folder's name, a glob beside a path, a ``cd`` that may go
near the folder, or a symlink to it (see ``_may_reach``, ``_linked``). Fails
open when no data folder is set or the log shows the marked HALT resolved;
fails closed when the marker says a HALT is open but the database cannot be
read or holds no HALT for the project at all (wiped), and the reason names the
marker file the user may delete. When the marker folder cannot be read, the
database decides; when it is gone beside the log (deleted by hand), the
database decides and the markers of every open HALT are written again (a log
that cannot be read then shows nothing open, as one without markers did). When
judging fails (a bug, odd input), the call is denied if a HALT may be open or
the failure was in the data-folder check, and the failure is logged.
"""

from __future__ import annotations

import os

from ..hook import Event, Outcome, clean_text
from ..registry import EDIT_TOOLS, MCP_TOOLS, WORK_TOOLS
from .marker import halt_state, marker_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

    from .shell import Command

__all__ = ["is_read_only", "on_pre_tool_use"]

_EDITS = frozenset(EDIT_TOOLS)
# Tools that start work, schedule it or change the worktree: paused with the edits.
_PAUSED = _EDITS | frozenset(WORK_TOOLS)
_MCP = MCP_TOOLS.rstrip("*")  # the prefix of every MCP server's tools
_SCHEDULERS = frozenset({"CronCreate", "ScheduleWakeup"})
_DATA_NAMES = ("PACT_HOME", "CLAUDE_PLUGIN_DATA", "pact.db")
# Words as bash joins them: quotes and backslashes dropped, separators split.
_JOINED = str.maketrans({**{c: " " for c in "\n;&|()<>`$={}"}, "'": None, '"': None,
                         "\\": None})
# Programs that delete, move or lock out whole folders: naming an ancestor of the data
# folder with one of these can destroy it (`git rm`, `sudo rm` count too). A copy or a link
# into an ancestor cannot, unless it names a path inside the folder (checked for all).
_SCRIPT_RUNNERS = frozenset({"eval", "su", "runuser", "ssh", "watch"})  # besides the shells
_FOLDER_CHANGERS = frozenset({
    "rm", "rmdir", "mv", "unlink", "shred", "srm", "trash", "trash-put", "gio", "find",
    "rsync", "chmod", "chown", "chgrp", "chattr", "setfacl", "mount"})


def is_read_only(command: str, cwd: str | None = None) -> bool:
    """See ``readonly.is_read_only``; imported on first use, as most calls never need it."""
    from .readonly import is_read_only as judge

    return judge(command, cwd)


def on_pre_tool_use(event: Event) -> Outcome | None:
    """Deny changes while a HALT is open, and changes to the data folder always.

    Fails open when nothing is known to be open; fails closed when the marker says
    a HALT is open but the log cannot be read, because the HALT is the safer truth,
    and when judging the call itself fails while a HALT may be open, or while
    checking whether a command reaches the data folder.
    """
    home = event.home
    if home is None:
        return None
    tool, data = event.tool_name, event.tool_input
    command = data.get("command") if tool == "Bash" else None
    command = clean_text(command) if isinstance(command, str) else ""
    cwd = clean_text(event.text("cwd") or event.project)
    try:
        protected = (_touches_data(tool, data, command, home, cwd)
                     or _schedules_a_resolve(tool, data))
    except Exception as exc:  # the folder check failed: it may reach the folder, refuse
        _log_failure(event, home, exc)
        return Outcome(deny=(
            f"PACT could not judge whether this call changes its data folder ({home}), "
            f"so it is refused ({type(exc).__name__}). Write it more plainly, or change the "
            "folder only through `pact-signal` and `pact-memory`."))
    if protected:
        return Outcome(deny=protected)
    if command:
        try:
            protected = _resolves_for_the_user(command, cwd)
        except Exception as exc:  # it may start a session that resolves: refuse
            _log_failure(event, home, exc)
            protected = _CLIENT_DENY
        if protected:
            return Outcome(deny=protected)
    state = halt_state(home, event.project)
    if state is None and not os.path.lexists(os.path.dirname(marker_path(home, ""))):
        # halts/ is gone beside the log: the log tells, and the markers come back. A log
        # that cannot be read shows nothing open, as before it had markers.
        state = halt_state(home, event.project) if _restore_markers(home) else False
    if state is False:
        return None
    if tool != "Bash" and tool not in _PAUSED and not tool.startswith(_MCP):
        return None
    try:
        if tool == "Bash" and is_read_only(command, cwd):
            return None
    except Exception as exc:  # a HALT may be open and the call could not be judged: closed
        _log_failure(event, home, exc)
        if _deny_for_halts(event, home, marked=state is True) is None:
            return None  # the log shows nothing open after all
        return Outcome(deny=(
            "A PACT HALT may be open for this project, and this call could not be judged "
            f"({type(exc).__name__}), so it is refused as a change. Tell the user and wait "
            "for them to resolve the HALT with `/PACT:resolve <id> <decision>`."))
    return _deny_for_halts(event, home, marked=state is True)


def _log_failure(event: Event, home: str, exc: Exception) -> None:
    import traceback

    from ..log import log

    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log(f"signals.enforce could not judge {event.tool_name} on {event.name}, refused: {detail}",
        home)


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


# ---- a session or a prompt that could resolve in the user's name ------------------------

_CLIENT_DENY = (
    "Only the user resolves a PACT signal, by typing `/PACT:resolve <id> <decision>` "
    "themselves; a Claude Code session started by a tool gets its prompt as if the user had "
    "typed it and could resolve signals in the user's name, so it is refused. Ask the user: "
    "they can run it themselves in a terminal. `claude --version`, `--help` and the "
    "management commands (`claude mcp`, `claude plugin`, `claude doctor`…) still run.")
_TEXT_DENY = (
    "Only the user resolves a PACT signal, by typing `/PACT:resolve <id> <decision>` "
    "themselves; a command that writes or runs text holding that command could hand it to a "
    "Claude Code session as if the user had typed it, so it is refused. Commands that only "
    "read it (`grep -rn PACT:resolve docs`) still run.")
# Quotes, backslashes and line breaks dropped, as bash joins `cl'au'de` and `cla\<newline>ude`.
_UNQUOTED = str.maketrans({"'": None, '"': None, "\\": None, "\n": None})
_PACKAGE = "@anthropic-ai/claude-code"
# The client's forms that send no prompt: versions, help and its management commands.
_NO_PROMPT = frozenset({"--version", "-v", "-V", "--help", "-h"})
_MANAGES = frozenset({"mcp", "plugin", "plugins", "config", "doctor", "update", "upgrade",
                      "install", "migrate-installer", "setup-token", "auth", "auto-mode"})
# Words before a program that leave it the program (`sudo -u x claude`, `npx -y PACKAGE`).
_LAUNCHERS = frozenset({"env", "exec", "command", "builtin", "nohup", "timeout", "sudo", "doas",
                        "nice", "ionice", "setsid", "stdbuf", "time", "unbuffer", "chronic",
                        "xargs", "npx", "pnpx", "bunx", "node", "nodejs", "bun", "deno",
                        "pkexec", "caffeinate"})
_RUNS_PACKAGES = frozenset({"npm", "pnpm", "yarn", "bun"})  # `pnpm dlx`, `npm exec`, `bun x`
_LAUNCHER_VALUES = frozenset({"-u", "-g", "-n", "-U", "-C", "-D", "-p", "-k", "-s", "-c", "-I",
                              "-d", "-L", "-P", "-E", "-a", "-l", "--package", "--user"})


def _resolves_for_the_user(command: str, cwd: str) -> str:
    """The deny reason when a Bash command starts a Claude Code client that gets a prompt
    (``claude -p``, ``claude --resume ID``, ``npx @anthropic-ai/claude-code``, through
    ``env``, ``sudo``, ``sh -c``…), or is not read-only and holds ``PACT:resolve``; else "".

    A nested client fires the same UserPromptSubmit hook, in a session the agent picks,
    as if the user had typed its prompt. Only a command whose text (quotes dropped)
    names ``claude`` or ``PACT:resolve`` is parsed.
    """
    text = command.translate(_UNQUOTED)
    if "claude" in text and _starts_a_client(command, 0):
        return _CLIENT_DENY
    if "PACT:resolve" in text and not is_read_only(command, cwd):
        return _TEXT_DENY
    return ""


def _starts_a_client(command: str, depth: int) -> bool:
    """True when a simple command of ``command`` (or a script or substitution in it) runs
    the Claude Code client in a form other than ``_NO_PROMPT`` or ``_MANAGES``."""
    from . import shell

    script = shell.parse(command)
    for cmd in script.commands:
        args = _client_arguments(cmd.words, script.unsure)
        if args is not None and not (args[:1] and args[0] in _MANAGES) and not (
                args and all(a in _NO_PROMPT for a in args)):
            return True
        if depth < 4 and _runs_a_shell(cmd):
            from .sqlsources import shell_script_of

            inner = shell_script_of(cmd)
            if inner and _starts_a_client(str(inner), depth + 1):
                return True
    return depth < 4 and any(_starts_a_client(sub, depth + 1) for sub in script.subs)


def _is_client(word: str) -> bool:
    return word.rsplit("/", 1)[-1] == "claude" or _PACKAGE in word


def _client_arguments(words: list[str], unsure: bool) -> list[str] | None:
    """The words after the Claude Code client when ``words`` run it, else None. A line
    the reader could not follow runs it when any word names it."""
    i, launched = 0, False
    while i < len(words):
        word = words[i]
        base = word.rsplit("/", 1)[-1]
        if _is_client(word):
            return words[i + 1:]
        if base in _LAUNCHERS:
            i, launched = i + 1, True
        elif base in _RUNS_PACKAGES and words[i + 1:i + 2] in (["dlx"], ["exec"], ["x"]):
            i, launched = i + 2, True
        elif "=" in word and word.partition("=")[0].isidentifier():
            i += 1  # NAME=value before the program
        elif launched and word in ("-S", "--split-string") and i + 1 < len(words):
            from . import shell  # env -S 'claude -p …' splits its value into words

            split = [w for c in shell.parse(words[i + 1]).commands for w in c.words]
            return _client_arguments(split + words[i + 2:], unsure)
        elif launched and word in _LAUNCHER_VALUES:
            i += 1 if words[i + 1:i + 2] and _is_client(words[i + 1]) else 2
        elif launched and (word.startswith("-") or word.replace(".", "").isdigit()
                           or word[:-1].replace(".", "").isdigit()):
            i += 1  # an option, or a duration (`timeout 5s`)
        else:
            break
    if unsure:
        found = next((k for k, w in enumerate(words) if _is_client(w)), None)
        if found is not None:
            return words[found + 1:]
    return None


def _runs_a_shell(cmd: Command) -> bool:
    from .clients import SHELLS

    return any(w.rsplit("/", 1)[-1] in SHELLS or w in _SCRIPT_RUNNERS for w in cmd.words)


def _deny_for_halts(event: Event, home: str, marked: bool) -> Outcome | None:
    """The deny for an open HALT; ``marked`` is False when the marker could not be read."""
    from contextlib import closing

    from . import store

    marker = marker_path(home, event.project)
    try:
        with closing(store.connect(home)) as conn:
            halts = store.open_halts(conn, event.project)
            known = bool(halts) or any(s.level == "HALT" for s in store.find(conn, event.project))
    except Exception as exc:  # the marker says a HALT is open (or cannot be read): closed
        cause = exc.__cause__ if isinstance(exc, store.StoreError) and exc.__cause__ else exc
        where = marker if marked else os.path.dirname(marker)
        return Outcome(deny=(
            f"A PACT HALT may be open for this project, but the signal log cannot be read "
            f"({cause}). Changes stay paused until it can be read again; if it stays "
            f"unreadable, the user can delete {where} to lift the pause."))
    if not halts and (known or not marked):
        return None  # a stale marker, or none readable: the log shows nothing open
    if not halts:  # marked, yet the log knows no HALT here at all: wiped or replaced
        return Outcome(deny=(
            "A PACT HALT is marked for this project, but the signal log holds no HALT for it "
            "(it may have been emptied or replaced). Changes stay paused; the user can delete "
            f"{marker} to lift the pause."))
    from .readonly import STILL_WORKS

    listing = "; ".join(s.line() for s in halts)
    ids = " ".join(s.ref for s in halts)
    return Outcome(deny=(
        f"Paused by PACT: HALT open ({listing}). Until the user resolves it, edits, writes, "
        "agents, messages to agents, workflows, schedules and the tools of MCP servers are "
        f"refused, and so is every Bash command that could change something. {STILL_WORKS} "
        f"Tell the user and wait for them to type `/PACT:resolve {ids} <decision>` in a session."))


def _restore_markers(home: str) -> bool:
    """When ``halts/`` is gone beside the log (deleted by hand), write the HALT marker of
    every project with an open HALT again, so the markers are trusted; True when done,
    False when the log cannot be read or the markers cannot be written."""
    from contextlib import closing

    from . import store
    from .marker import HALT, write_marker

    folder = os.path.dirname(marker_path(home, ""))
    try:
        with closing(store.connect(home)) as conn:
            rows = conn.execute(
                f"SELECT DISTINCT project FROM signals WHERE {store._OPEN_HALT}").fetchall()
        for (project,) in rows:
            write_marker(home, project, HALT)
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except Exception:  # unreadable log, or no room to write: the database decides
        return False
    return True


# ---- the data folder --------------------------------------------------------------------

# Where a command runs when the reader cannot name the folder: somewhere that can be the
# data folder or inside it, or somewhere that can be an ancestor of it. (A NUL can be in
# no real path.) None is "anywhere".
_INSIDE = "\0inside"
_NEAR = "\0near"
_PLACES = (None, _INSIDE, _NEAR)
# What the data folder holds, for a relative path after a cd that cannot be followed.
_ENTRIES = ("pact.db", "pact.db-wal", "pact.db-shm", "halts", "waiting", "logs")


def _touches_data(tool: str, data: dict, command: str, home: str, cwd: str) -> str:
    """The deny reason when a tool would change the PACT data folder, else ""."""
    message = (f"The PACT data folder ({home}) holds the signal log and memory; a command "
               "that can change, move or delete it, or a folder holding it, is refused. Change "
               "it only through `pact-signal` and `pact-memory`.")
    if tool in _EDITS:
        path = data.get("file_path") or data.get("notebook_path")
        if isinstance(path, str) and path and _inside(clean_text(path), home):
            return message
        return ""
    if tool != "Bash" or not command:
        return ""
    if _names_data(command, home) and not is_read_only(command, cwd):
        return message
    reach = _may_reach(command, home, cwd)
    linked = _linked(command, home, cwd)
    if not reach and not linked:
        return ""
    folder = _Folder(home)
    if (not linked and _plainly_clear(command, folder, cwd)) or not _reaches(
            command, folder, cwd, 0):
        return ""
    return message


def _names_data(command: str, home: str) -> bool:
    user = _user()
    tilde = "~" + home[len(user):] if user != "~" and home.startswith(user + os.sep) else home
    return home in command or tilde in command or any(n in command for n in _DATA_NAMES)


def _user() -> str:
    return os.path.expanduser("~")


def _expanduser(word: str) -> str:
    """``~user/…`` expanded; as given when no such user (as bash leaves it) or the name
    cannot be looked up (a NUL)."""
    try:
        return os.path.expanduser(word)
    except (KeyError, ValueError):
        return word


def _real(path: str) -> str:
    """``os.path.realpath`` that never raises: a path it cannot resolve stays as given."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return os.path.abspath(path)


def _inside(path: str, folder: str) -> bool:
    # The client refuses a path holding NUL; what precedes the NUL is what it names.
    path = path.split("\0", 1)[0]
    real = _real(_expanduser(path))
    base = _real(folder)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def _may_reach(command: str, home: str, cwd: str) -> bool:
    """Cheap test (no ``re``: it costs a hook milliseconds): could ``command`` reach the
    data folder through a path, a glob or an ancestor?

    Yes when it runs from near the folder, names a folder-changing program (quotes and
    backslashes dropped, as bash joins ``r'm'``), holds the folder's own name, holds a
    glob or brace beside a path, or changes folder (``cd``) to a place that may be near
    the folder: one computed, globbed, the previous (``~-``), or named by one of the
    folder's last three components.
    """
    folders = (os.path.abspath(home) + os.sep, _real(home) + os.sep)
    here = os.path.abspath(cwd).rstrip(os.sep) + os.sep
    if any(folder.startswith(here) or here.startswith(folder) for folder in folders):
        return True
    words = command.translate(_JOINED).split()
    if any(w.rsplit("/", 1)[-1] in _FOLDER_CHANGERS or w in ("clean", "stash") for w in words):
        return True
    if any(c in command for c in _FOLDER_CALLS):  # shutil.rmtree("…") in a script
        return True
    if os.path.basename(folders[0].rstrip(os.sep)) in command:
        return True
    parts = [p for p in folders[0].split(os.sep) if p]
    if any(c in command for c in "*?[{") and (
            "/" in command or any(part in command for part in parts)):
        return True
    if not any(w in ("cd", "pushd", "popd") for w in words):
        return False
    return ("popd" in words or "-" in words or any(c in command for c in "$`*?[~") or
            any(part in command for part in parts[-3:]))


_MAX_LINKED = 1024  # words looked at for a symlink; past that, the reader decides


def _linked(command: str, home: str, cwd: str) -> bool:
    """Cheap test: does a word of ``command``, as a path from ``cwd`` (or from a folder a
    ``cd`` in it names), pass through a symlink to the data folder or a folder holding it?

    One ``lstat`` per component of the word itself, up to the first that does not exist
    (the folders above ``cwd`` are judged by ``_may_reach``); ``realpath`` only when a
    component is a symlink.
    """
    words = dict.fromkeys(command.translate(_JOINED).split())
    if len(words) > _MAX_LINKED:
        return True
    bases, user = [cwd], ""
    after_cd = False
    for word in words:
        if after_cd and not word.startswith("-"):
            bases.append(os.path.join(cwd, word))
        after_cd = word in ("cd", "pushd")
    folder: _Folder | None = None
    for word in words:
        if word.startswith("-") or "\0" in word:
            continue
        if word.startswith(("~/", "HOME/")) or word in ("~", "HOME"):
            user = user or _user()
            found = _first_link(user, word.partition("/")[2])
        elif word.startswith("/"):
            found = _first_link("", word)
        else:
            found = next((f for f in (_first_link(base, word) for base in bases) if f), "")
        if found:
            folder = folder or _Folder(home)
            if folder.relation(_real(found), "/", loose=True):
                return True
    return False


def _first_link(base: str, path: str) -> str:
    """The first path ``base/…`` of a component of ``path`` that is a symlink, or ""
    (none up to the first that does not exist, or a glob)."""
    prefix = base
    for part in path.split("/"):
        if not part or part == ".":
            continue
        if any(c in part for c in "*?["):
            return ""
        prefix = f"{prefix}/{part}" if prefix != "/" else f"/{part}"
        try:
            mode = os.lstat(prefix).st_mode
        except (OSError, ValueError):
            return ""
        if mode & 0o170000 == 0o120000:  # S_ISLNK, without importing stat
            return prefix
    return ""


class _Folder:
    """The data folder as path components (as given and with symlinks resolved)."""

    def __init__(self, home: str) -> None:
        self.home = home
        self.variants: list[list[str]] = []
        for path in (os.path.abspath(home), _real(home)):
            parts = [p for p in path.split(os.sep) if p]
            if parts not in self.variants:
                self.variants.append(parts)
        self._entries: list[str] | None = None

    def entries(self) -> list[str]:
        """What the folder holds (and what it may come to hold)."""
        if self._entries is None:
            try:
                listed = os.listdir(self.home)
            except (OSError, ValueError):
                listed = []
            self._entries = sorted({*_ENTRIES, *listed})
        return self._entries

    def relation(self, pattern: str, base: str | None = "/", loose: bool = False) -> str:
        """"inside" when ``pattern`` can be the folder or lie in it, "ancestor" when it can
        be a folder holding it, else "". A relative pattern is taken from ``base``; when
        ``base`` is None (unknown) or ``_NEAR``, from every ancestor of the folder and from
        the folder itself (there it must name something the folder holds); from
        ``_INSIDE`` it is inside unless it climbs with ``..``. ``loose`` takes a component
        with a glob character as matching any name (no ``fnmatch``)."""
        matches = _loose_match if loose else _name_matcher(pattern)
        relative = _components(pattern)
        unknown = not pattern.startswith("/") and base in _PLACES
        if unknown and base == _INSIDE and relative[:1] != [".."]:
            return "inside"
        best = ""
        for parts in self.variants:
            starts: list[list[str]]
            if pattern.startswith("/"):
                starts = [[]]
            elif unknown:  # a cd we could not follow may have gone to any of them
                starts = [parts[:j] for j in range(len(parts) + 1)]
            else:
                starts = [_components(str(base))]
            for start in starts:
                path = _normal(start + relative)
                same = all(matches(name, part) for name, part in zip(parts, path))
                if same and len(path) >= len(parts):
                    if (unknown and start == parts and len(path) > len(parts)
                            and ".." not in relative
                            and not any(matches(e, path[len(parts)]) for e in self.entries())):
                        continue  # from the folder itself, a name it does not hold
                    return "inside"
                if same:
                    best = "ancestor"
        return best

    def close(self, pattern: str, base: str | None) -> bool:
        """True when ``pattern`` (an ancestor of the folder) is at most three levels
        above it, and not the root: ``~/.claude``, not ``~`` or ``/``."""
        if not pattern.startswith("/") and base in _PLACES:
            return True
        path = pattern if pattern.startswith("/") else os.path.join(str(base), pattern)
        depth = len(_normal(_components(path)))
        return any(depth >= max(1, len(parts) - 3) for parts in self.variants)

    def near(self, where: str | None) -> bool:
        """True when ``where`` may be the folder, inside it, or an ancestor at most two
        levels above it: a cd from there that cannot be followed may enter it."""
        if where in (_INSIDE, _NEAR):
            return True
        if where is None:
            return False
        relation = self.relation(where)
        return relation == "inside" or (relation == "ancestor" and any(
            len(_components(where)) >= len(parts) - 2 for parts in self.variants))


def _loose_match(name: str, pattern: str) -> bool:
    return name == pattern or any(c in pattern for c in "*?[")


def _name_matcher(pattern: str) -> Callable[[str, str], bool]:
    """Compares a path component with a pattern's: as a glob when the pattern has one."""
    if any(c in pattern for c in "*?["):
        from fnmatch import fnmatchcase

        return fnmatchcase
    return str.__eq__


def _components(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


def _normal(parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            if out:
                out.pop()
        else:
            out.append(part)
    return out


_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                   "_./:=,@%+-*?[]~ \t;&|\n")
_SPLIT = str.maketrans({c: "\n" for c in ";&|"})
_NOT_PLAIN = frozenset({"cd", "pushd", "popd", "mv", "git"})


def _plainly_clear(command: str, folder: _Folder, cwd: str) -> bool:
    """True when a command of plain words (no quote, expansion, redirection, brace or
    ``cd``) has no word that could reach the folder: judged without the reader, whose
    ``re`` costs a hook milliseconds. False means "read it properly"."""
    if any(c not in _PLAIN for c in command):
        return False
    for segment in command.translate(_SPLIT).split("\n"):
        words = segment.split()
        if _NOT_PLAIN & set(words):
            return False  # a folder change, or operands with roles of their own
        for word in words[1:]:
            for piece in _plain_pieces(word):
                if piece.startswith("~") and not (piece == "~" or piece.startswith("~/")):
                    return False
                path = _user() + piece[1:] if piece.startswith("~") else piece
                if folder.relation(path, cwd, loose=True):
                    return False
    return True


def _plain_pieces(word: str) -> list[str]:
    """The paths a plain word may hold: itself (or its ``--name=value`` value), and a
    path inside it: after short options (``-t~/x``) or after ``=``, ``,`` or ``:``."""
    pieces = [word.partition("=")[2] if word.startswith("-") else word]
    if word.startswith("-"):
        rest = word.lstrip("-").lstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789")
        if rest.startswith(("~", "/")):
            pieces.append(rest)
    for mark in "=,:":
        if mark in word:
            pieces.extend(p for p in word.split(mark)[1:] if p.startswith(("~", "/")))
    return [p for p in pieces if p]


class _Where:
    """Where the commands of a line run, as far as the reader can follow its ``cd``s:
    a path, or one of ``_PLACES``; the previous folder (``~-``) and the ``pushd`` stack."""

    __slots__ = ("here", "old", "stack", "cdpath")

    def __init__(self, here: str | None, cdpath: bool = False) -> None:
        self.here: str | None = here
        self.old: str | None = None  # before the line: unknown
        self.stack: list[str | None] = []
        self.cdpath = cdpath  # CDPATH is set, or may be: a relative cd may go anywhere

    def move(self, folder: _Folder, words: list[str]) -> None:
        if words[0] == "popd":
            target = self.stack.pop() if self.stack else None
            if target is None and folder.near(self.here):
                target = _INSIDE
        elif words[0] == "pushd" and not words[1:]:
            target = self.stack.pop() if self.stack else None
            self.stack.append(self.here)
        else:
            operands = [a for a in words[1:] if not a.startswith("-") or a == "-"]
            if operands[:1] == ["-"]:
                target = self.old
            else:
                target = _changed_dir(folder, self, operands[0] if operands else "~")
            if words[0] == "pushd":
                self.stack.append(self.here)
        self.old, self.here = self.here, target

    def copy(self) -> _Where:
        """The same place for a subshell, whose ``cd``s do not move this one."""
        other = _Where(self.here, self.cdpath)
        other.old, other.stack = self.old, list(self.stack)
        return other

    def inside(self, folder: _Folder) -> bool:
        """True when commands may run in the data folder or inside it."""
        if self.here == _INSIDE:
            return True
        return self.here not in _PLACES and folder.relation(str(self.here)) == "inside"

    def real(self) -> str:
        return self.here if self.here not in _PLACES else "/"


def _reaches(command: str, folder: _Folder, cwd: str | None, depth: int,
             start: _Where | None = None) -> bool:
    """True when a simple command in ``command`` that is not read-only reaches ``folder``."""
    from . import shell
    from .readonly import simple_read_only
    from .shell import writes_file

    script = shell.parse(command)
    where = start or _Where(cwd, "CDPATH" in command or bool(os.environ.get("CDPATH")))
    for cmd in script.commands:
        words = cmd.words
        if not words and not cmd.redirects:
            continue
        body = words
        while body and body[0].partition("=")[0].isidentifier() and "=" in body[0]:
            body = body[1:]  # NAME=value before a command (CDPATH=… cd x)
        if body[:1] in (["cd"], ["pushd"], ["popd"]):
            where.move(folder, body)
            continue
        if not script.unsure and simple_read_only(cmd, where.real()):
            continue
        if where.inside(folder):
            return True  # it runs in the folder: whatever it changes is the folder's
        if script.unsure:  # the reader may have left braces unexpanded ({rm,-rf,DIR})
            words = [alt for w in words for alt in (_braces(w) if "{" in w else [w])]
        names = [w.rsplit("/", 1)[-1] for w in words]
        changer = any(name in _FOLDER_CHANGERS for name in names)  # sudo rm, git rm too
        operands = words[1:]
        if "git" in names and ("clean" in words or (
                "stash" in words and any(w in ("-u", "--include-untracked", "-a", "--all")
                                         for w in words))):
            operands, changer = [*operands, "."], True  # deletes untracked files from here
        if "mv" in names and not any(w.startswith(("-t", "--target")) for w in words):
            moved = operands[:-1]  # the last operand is where things go, not what goes
        else:
            moved = operands
        unlinks = names[:1] in (["rm"], ["unlink"])  # the last component is not followed
        writes = [t for op, t in cmd.redirects if writes_file(op, t)]
        for word in operands + writes:
            for pattern, base in _patterns(word, where, script.unsure):
                relation = folder.relation(pattern, base)
                if not relation:
                    relation = _resolved_relation(folder, pattern, base,
                                                  unlinks and word not in writes)
                if relation == "inside" or (relation and changer and word in moved):
                    return True
        if _embeds(cmd, words, folder, where, changer):
            return True
        if depth < 4 and _runs_script(cmd, folder, where, depth):
            return True
    return depth < 4 and any(_reaches(sub, folder, None, depth + 1, where.copy())
                             for sub in script.subs)


# A path inside a word or a script: it begins with ~/, ~user/, $HOME/, ${HOME}/ or / where
# a name cannot go on (not after a letter, `.`, `$X`, a glob or another /), or right after
# a word's leading short options (`-t~/x`, `-O/x`); it ends at a quote, a space or a
# character that ends a name in code (`;` `,` `:` `(` `)` `{` `}` `|` `&` `<` `>` `\`).
_EMBEDDED_PATH = (r"(?:^-[A-Za-z0-9]*|(?<![\w.~$}*?\]/\\-]))"
                  r"(?P<path>(?:~[\w.-]*|\$HOME|\$\{HOME\})?/"
                  r"(?:\$\{\w+\}|[^\s'\"`;,:(){}|&<>\\])*)")
# Calls of scripts (Python, Perl, Ruby, Node…) that delete, move or lock out folders.
_FOLDER_CALLS = ("rmtree", "rmdir", "removedirs", "remove_tree", "remove_dir", "rimraf",
                 "rename", "os.replace", "move(", ".mv", ".rm(", ".rm_", "rmSync", "chmod",
                 "chown")
# Programs whose words are only names and options: a path inside one is no script's.
_NAMES_ONLY = frozenset({"rm", "rmdir", "unlink", "mv", "cp", "ln", "touch", "mkdir",
                         "shred", "chmod", "chown", "chgrp", "truncate", "install"})
_MAX_PIPED = 4  # commands piped into another whose output is read as its text


def _embeds(cmd: Command, words: list[str], folder: _Folder, where: _Where,
            changer: bool) -> bool:
    """True when a path written inside the text of ``cmd`` (not a whole word: those are
    judged as operands) can be the folder or lie in it, or, when the text changes
    folders, can be an ancestor at most three levels above it.

    The text is each word (``-iO'rm -rf ~/x'``, ``python3 -c '…("/x")'``), the heredoc
    or here-string it reads, and the words and input of the commands piped into it
    (``echo ~/x | xargs rm -rf``): a program may run any of them as a script.
    """
    import re

    texts: list[tuple[str, bool]] = [(w, True) for w in words]  # PAGER='…' git log too
    program = next((w for w in words if "=" not in w or not w.partition("=")[0].isidentifier()),
                   "")
    names_only = program.rsplit("/", 1)[-1] in _NAMES_ONLY
    texts.append((cmd.stdin, False))
    source, piped = cmd.piped_from, 0
    while source is not None and piped < _MAX_PIPED:
        texts.extend((w, False) for w in source.words[1:])
        texts.append((source.stdin, False))
        source, piped = source.piped_from, piped + 1
    found = re.compile(_EMBEDDED_PATH).finditer
    seen: set[str] = set()
    changes: bool | None = changer or None
    for text, is_word in texts:
        if "/" not in text:
            continue
        whole = -1
        if is_word:  # the word itself, or the value of --name=value, is an operand
            whole = text.index("=") + 1 if text.startswith("-") and "=" in text else 0
        for match in found(text):
            path = match.group("path")
            if path in seen or (match.start("path") == whole and match.end() == len(text)):
                continue
            if names_only and is_word and not (match.start() == 0 < match.start("path")):
                continue  # `rm '{a,/x}'` removes one odd name; `cp -t/x` copies into /x
            seen.add(path)
            pattern: str
            base: str | None
            if path[0] == "/" and "$" not in path and "`" not in path and "__" not in path:
                pattern, base = path, "/"  # a literal path: nothing to expand
            else:
                expanded = _expand(path, where)
                if expanded is None:
                    continue
                pattern, base = expanded
            relation = (folder.relation(pattern, base)
                        or _resolved_relation(folder, pattern, base, False))
            if relation == "inside":
                return True
            if relation and folder.close(pattern, base):
                if changes is None:
                    changes = any(_changes_folders(t) for t, _ in texts)
                if changes:
                    return True
    return False


def _changes_folders(text: str) -> bool:
    """True when ``text`` names a program or a call that deletes, moves or locks out
    folders (``rm``, ``shutil.rmtree``, ``fs.rmSync``, ``FileUtils.rm_rf``)."""
    return any(c in text for c in _FOLDER_CALLS) or any(
        w.rsplit("/", 1)[-1] in _FOLDER_CHANGERS for w in text.translate(_JOINED).split())


def _resolved_relation(folder: _Folder, pattern: str, base: str | None,
                       keep_last: bool) -> str:
    """The relation of a literal path once its symlinks are resolved ("" for a glob or a
    path from an unknown place). ``keep_last``: the last component is not followed
    (``rm link`` removes the link)."""
    if any(c in pattern for c in "*?[") or (not pattern.startswith("/") and base in _PLACES):
        return ""
    path = pattern if pattern.startswith("/") else os.path.join(str(base), pattern)
    if keep_last and not path.endswith("/"):
        head, tail = os.path.split(path)
        real = os.path.join(_real(head or "."), tail)
    else:
        real = _real(path)
    return folder.relation(real)


def _runs_script(cmd: Command, folder: _Folder, where: _Where, depth: int) -> bool:
    """True when ``cmd`` has a shell run a script (``sh -c``, ``eval``…) that reaches it."""
    from .clients import SHELLS

    if not any(w.rsplit("/", 1)[-1] in SHELLS or w in _SCRIPT_RUNNERS for w in cmd.words):
        return False  # the guard's reader of such scripts costs milliseconds to load
    from .sqlsources import shell_script_of

    inner = shell_script_of(cmd)
    if not inner:
        return False
    return _reaches(str(inner), folder, None, depth + 1, where.copy())


def _changed_dir(folder: _Folder, where: _Where, target: str) -> str | None:
    """Where a ``cd`` to ``target`` goes: a path, ``_INSIDE`` or ``_NEAR`` when it can be
    the folder (or in it) or an ancestor, else None when that cannot be known."""
    found = _patterns(target, where)
    if len(found) != 1:  # an expansion, or braces (bash refuses several operands)
        return _INSIDE if folder.near(where.here) else None
    pattern, base = found[0]
    glob = any(c in pattern for c in "*?[")
    if where.cdpath and not pattern.startswith(("/", "./", "../")) and pattern not in (".", ".."):
        base = None  # bash looks in every CDPATH folder first: any of them may be near
    if not glob and (pattern.startswith("/") or base not in _PLACES):
        path = os.path.normpath(os.path.join(str(base), pattern))
        if not folder.relation(path):
            real = _real(path)  # a symlink into the folder
            if folder.relation(real):
                return real
        return path
    relation = folder.relation(pattern, base)
    if relation == "inside":
        return _INSIDE
    if relation == "ancestor":
        return _NEAR
    return _INSIDE if folder.near(base) and not glob else None


_MAX_BRACES = 32


def _patterns(word: str, where: _Where,
              braces: bool = False) -> list[tuple[str, str | None]]:
    """The paths or globs a word can stand for, each with the place a relative one is
    taken from; [] when it cannot be judged. The reader has expanded braces already;
    ``braces`` expands them again, for a line it could not follow (it may have left
    them as they were): bash expands them before ``~`` and ``$``."""
    if word.startswith("-"):
        word = word.partition("=")[2] if "=" in word else ""
    if not word or "\n" in word:
        return []
    found = []
    for braced in _braces(word) if braces else [word]:
        expanded = _expand(braced, where)
        if expanded is not None:
            found.append(expanded)
    return found


_HERE = ("~+", "$PWD", "${PWD}")
_BEFORE = ("~-", "$OLDPWD", "${OLDPWD}")


def _expand(word: str, where: _Where) -> tuple[str, str | None] | None:
    """``word`` with ``~``, ``$HOME``, ``~+``/``$PWD`` and ``~-``/``$OLDPWD`` expanded and
    other expansions as ``*``, and the place it is taken from when relative.

    None when the word begins with another expansion: where it points cannot be known.
    """
    import re

    base: str | None = where.here
    for names, place in ((_HERE, where.here), (_BEFORE, where.old)):
        name = next((n for n in names if word == n or word.startswith(n + "/")), None)
        if name is None:
            continue
        rest = word[len(name):].lstrip("/") or "."
        if place in _PLACES:
            word, base = rest, place
        else:
            word = os.path.join(str(place), rest)
        break
    user = _user()
    if word == "~" or word.startswith("~/"):
        word = user + word[1:]
    elif word.startswith("~"):
        word = _expanduser(word)
    word = word.replace("${HOME}", user)
    word = re.sub(r"\$HOME(?![A-Za-z0-9_])", user.replace("\\", "\\\\"), word)
    expansions = re.compile(r"\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])"
                            r"|__pact_sub_\d+__|`")
    first = expansions.search(word)
    if first is None:
        return word, base
    if first.start() == 0:
        return None
    return expansions.sub("*", word), base


def _braces(word: str) -> list[str]:
    """Brace expansion of ``{a,b}`` (bounded); a ``{x..y}`` range becomes ``*``."""
    import re

    results = [word]
    expanded: list[str] = []
    pattern = re.compile(r"\{([^{}]*)\}")
    while results and len(results) + len(expanded) <= _MAX_BRACES:
        current = results.pop()
        match = pattern.search(current)
        if match is None:
            expanded.append(current)
            continue
        inner = match.group(1)
        head, tail = current[:match.start()], current[match.end():]
        if "," in inner:
            results.extend(head + choice + tail for choice in inner.split(","))
        elif ".." in inner:
            results.append(head + "*" + tail)
        else:
            expanded.append(current)
    return expanded + [pattern.sub("*", r) for r in results]  # past the bound: any name
