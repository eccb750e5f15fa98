"""Command-line parsing for ``pact-memory``, without argparse.

argparse (with the ``re`` and ``gettext`` it loads) costs the command a
quarter of its start-up budget, and its usage errors exit 2; this small
table-driven parser knows the few options the command has and reports every
mistake as a ``UsageError`` the command prints as one ``Error: …`` line.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_LIMIT = 200
FLAG, VALUE, MANY, LIMIT = "flag", "value", "many", "limit"

# name: (positional spec, options, one-line help). Positional "QUERY..." takes the rest.
COMMANDS: dict[str, tuple[str, dict[str, str], str]] = {
    "save": ("", {}, "save a memory given as a JSON object on stdin; prints its id"),
    "search": ("QUERY...", {"--limit": LIMIT, "--agent": VALUE, "--all-projects": FLAG,
                            "--file": MANY, "--entity": MANY, "--json": FLAG},
               "find memories by words, best first"),
    "list": ("", {"--limit": LIMIT, "--pinned": FLAG, "--all-projects": FLAG, "--json": FLAG},
             "the newest memories of this project"),
    "show": ("ID", {"--json": FLAG}, "print one memory in full"),
    "forget": ("ID", {}, "delete a memory"),
    "pin": ("ID", {}, "put this memory first in the session-start recall"),
    "unpin": ("ID", {}, "remove the pin"),
    "stats": ("", {"--json": FLAG}, "counts, search engine and database location"),
    "export": ("", {"--project": VALUE},
               "print the memories of every project (a full backup) as JSON Lines"),
    "import": ("", {"--project": VALUE},
               "read JSON Lines on stdin; ids already present are skipped"),
}
_DEFAULTS = {"search": 10, "list": 20}
# option: (value name, help); a flag has no value name.
_OPTION_HELP = {
    "--limit": ("N", "at most N results (1-200)"),
    "--agent": ("NAME", "only memories of agent NAME"),
    "--all-projects": ("", "every project, not just this one"),
    "--pinned": ("", "only pinned memories, newest pin first"),
    "--file": ("PATH", "boost memories naming this file (repeatable)"),
    "--entity": ("NAME", "boost memories naming this entity (repeatable)"),
    "--json": ("", "print the stable JSON shape (see the pact-memory skill)"),
    "--project": ("DIR", "put every memory in project DIR, moving ids already stored "
                         "elsewhere (default: the project each names)"),
}
# Options whose meaning differs by command: (command, option) -> help.
_COMMAND_OPTION_HELP = {
    ("export", "--project"): "only the memories of project DIR (the folder need not exist "
                             "any more)",
}
_NOTES = {
    "save": ["", "fields: context, goal, lessons, decisions, uncertainties, entities, files, "
             "tags, agent, phase, pinned, session_id",
             "Each field's type and an example: the pact-memory skill."],
    "pin": ["", "Pinned memories come first in the block of this project's memories added at "
            "the start of every session, which holds about 1,000 characters (some 4 to 6 "
            "memories), newest pin first; pinning a pinned memory again brings it to the "
            "front. Pins that do not fit are named at the end of the block and found only by "
            "search; pin names them too. `pact-memory list --pinned` lists every pin."],
    "export": ["", "list and search stay in the current project; export takes every project "
               "unless --project is given. `pact-memory import` reads the output back."],
    "import": ["", "A record whose content its project already holds under another id is "
               "not stored twice."],
}


class UsageError(Exception):
    """Bad arguments or input; printed as ``Error: …``."""


class Help(Exception):
    """``--help`` was asked for; the message is the help text."""


def parse(argv: list[str]) -> tuple[str, dict[str, Any]]:
    """(command, options) where options hold every option and ``query`` or ``id``."""
    if not argv or argv[0] in ("-h", "--help", "help"):
        if not argv:
            raise UsageError("missing COMMAND (see `pact-memory --help`)")
        raise Help(usage())
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        raise UsageError(f"unknown command {command!r} (known: {', '.join(COMMANDS)})")
    positional, options, _ = COMMANDS[command]
    values = _initial(command, options)
    words = _options(command, rest, options, values)
    _positional(command, positional, words, values)
    return command, values


def usage(command: str | None = None) -> str:
    if command is None:
        lines = ["usage: pact-memory COMMAND [ARGS]", "", "Save and search PACT memories.", ""]
        lines += [f"  {name:<8} {text}" for name, (_, _, text) in COMMANDS.items()]
        lines += ["", "`pact-memory COMMAND --help` shows a command's options."]
        return "\n".join(lines)
    positional, options, text = COMMANDS[command]
    named = [" ".join(filter(None, (o, _OPTION_HELP[o][0]))) for o in options]
    head = " ".join(["usage: pact-memory", command, positional] + [f"[{o}]" for o in named])
    lines = [" ".join(head.split()), "", text]
    lines += [f"  {n:<16} {_COMMAND_OPTION_HELP.get((command, o), _OPTION_HELP[o][1])}"
              for o, n in zip(options, named)]
    lines += _NOTES.get(command, [])
    return "\n".join(lines)


def _initial(command: str, options: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for option, kind in options.items():
        key = option[2:].replace("-", "_")
        values[key] = {FLAG: False, VALUE: "", MANY: [], LIMIT: _DEFAULTS.get(command)}[kind]
    return values


def _options(command: str, rest: list[str], options: dict[str, str],
             values: dict[str, Any]) -> list[str]:
    words: list[str] = []
    items = iter(rest)
    for item in items:
        if item == "--":
            words.extend(items)
            break
        if item in ("-h", "--help"):
            raise Help(usage(command))
        name, eq, inline = item.partition("=")
        if not item.startswith("--"):
            words.append(item)  # a query may hold "-x": only "--" marks an option
            continue
        kind = options.get(name)
        if kind is None:
            raise UsageError(f"unknown option {name} for {command} "
                             f"(see `pact-memory {command} --help`)")
        key = name[2:].replace("-", "_")
        if kind == FLAG:
            if eq:
                raise UsageError(f"{name} takes no value")
            values[key] = True
            continue
        value = inline if eq else next(items, None)
        if value is None:
            raise UsageError(f"{name} needs a value")
        values[key] = _value(name, kind, value, values[key])
    return words


def _value(name: str, kind: str, value: str, current: Any) -> Any:
    if kind == MANY:
        return [*current, value]
    if kind == LIMIT:
        # Length first: int() of thousands of digits is refused (or slow) by the interpreter.
        if (not (value.isascii() and value.isdigit()) or len(value) > 6
                or not 1 <= int(value) <= MAX_LIMIT):
            shown = value if len(value) <= 20 else value[:20] + "…"
            raise UsageError(f"{name}: expected a whole number from 1 to {MAX_LIMIT}, "
                             f"got {shown!r}")
        return int(value)
    return value


def _positional(command: str, spec: str, words: list[str], values: dict[str, Any]) -> None:
    if spec == "QUERY...":
        if not words:
            raise UsageError("search needs a QUERY (words to look for)")
        values["query"] = " ".join(words)
    elif spec == "ID":
        if len(words) != 1:
            raise UsageError(f"{command} needs exactly one memory ID"
                             + (f", got {len(words)}" if words else ""))
        values["id"] = words[0]
    elif words:
        raise UsageError(f"{command} takes no arguments, got {words[0]!r}")
