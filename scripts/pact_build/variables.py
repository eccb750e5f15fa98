"""What the client substitutes in a body, and where that surprises an author.

Facts sheet, section 3: in skill and command bodies the client replaces
``$ARGUMENTS``, ``$ARGUMENTS[N]`` and ``$N`` (``$0`` is the first argument)
with the arguments of the call, and nothing when there are none; ``\\$1``
stays a literal ``$1``. The ``${CLAUDE_*}`` variables are filled in per kind
of file, and not at all in files the model reads with the Read tool
(``references/``). Both checks read the source body line by line and look
into protocol sections that a line includes, so a report points at the line
to change.
"""

from __future__ import annotations

import re

from . import render
from .errors import WARNING, Problem
from .sources import Content, Source

# The client's own patterns (2.1.197): an unescaped $ARGUMENTS[N], $N not
# followed by a word character, and $ARGUMENTS anywhere.
_ARGUMENT = re.compile(r"(?<!\\)\$(?:ARGUMENTS\[\d+\]|\d+(?!\w)|ARGUMENTS)")
_VARIABLE = re.compile(r"\$\{(CLAUDE_[A-Z_]+)\}")
# The variables the client knows, and those it leaves as written in each kind
# (only what the facts sheet shows; an untested pair is not reported).
KNOWN = (
    "CLAUDE_PLUGIN_ROOT",
    "CLAUDE_PLUGIN_DATA",
    "CLAUDE_PROJECT_DIR",
    "CLAUDE_SESSION_ID",
    "CLAUDE_SKILL_DIR",
    "CLAUDE_EFFORT",
)
UNFILLED = {
    "agent": {"CLAUDE_SESSION_ID", "CLAUDE_SKILL_DIR"},
    "command": {"CLAUDE_SKILL_DIR"},
    "reference": set(KNOWN),
}
_WHY = {
    "agent": "an agent body gets only CLAUDE_PLUGIN_ROOT, CLAUDE_PLUGIN_DATA and "
    "CLAUDE_PROJECT_DIR",
    "command": "a command body gets no CLAUDE_SKILL_DIR (only skills have a folder)",
    "reference": "a reference is read with the Read tool, which fills in nothing",
}
_FIX = {
    "agent": "write the value into the agent's prompt instead, or use ${CLAUDE_PLUGIN_ROOT}/…",
    "command": "write ${CLAUDE_PLUGIN_ROOT}/skills/<name> instead",
    "reference": "write the path relative to the skill folder (the model is given the "
    "skill's base directory), or move the line into SKILL.md",
}


def check(content: Content) -> list[Problem]:
    """Argument placeholders in skills that take no arguments; unfilled variables."""
    renderer = render.Renderer(content) if content.pact else None
    problems: list[Problem] = []
    for source in content.of("agent", "command", "skill", "reference"):
        lines = _lines(source, renderer)
        if source.kind == "skill" and not _takes_arguments(source):
            problems += _arguments(source, lines)
        if source.kind in UNFILLED:
            problems += _variables(source, lines)
    return problems


def _takes_arguments(source: Source) -> bool:
    return source.field("arguments") is not None or source.field("argument-hint") is not None


def _lines(source: Source, renderer: render.Renderer | None) -> list[tuple[int, str, str]]:
    """(file line, text, where it came from) for the body, included sections expanded."""
    found = []
    for index, line in enumerate(source.body.split("\n")):
        number = source.body_line + index
        found.append((number, line, ""))
        if renderer is None or "<!--{" not in line:
            continue
        for match in render.INCLUDE.finditer(line):
            protocol, heading = match.group(1)[1:-1], match.group(2)[1:-1]
            try:
                text = renderer.include(protocol, heading, source.rel)
            except render.IncludeError:
                continue  # reported by the renderer
            origin = f' (in the section "{heading}" of protocols/{protocol}.md, included here)'
            found += [(number, part, origin) for part in text.split("\n")]
    return found


def _arguments(source: Source, lines: list[tuple[int, str, str]]) -> list[Problem]:
    problems = []
    for number, line, origin in lines:
        found = _ARGUMENT.findall(line)
        if not found:
            continue
        first = found[0]
        seen = _ARGUMENT.sub("", line).strip()
        problems.append(
            Problem(
                source.rel,
                number,
                "argument-placeholder",
                f"`{first}`{origin} is replaced by the client with {_meaning(first)}, "
                f"and with nothing when there is none; the model would read: {_clip(seen)}",
                f"write \\{first} for a literal {first}; if the skill takes arguments, "
                "declare them with argument-hint",
                WARNING,
            )
        )
    return problems


def _variables(source: Source, lines: list[tuple[int, str, str]]) -> list[Problem]:
    problems = []
    for number, line, origin in lines:
        for name in dict.fromkeys(_VARIABLE.findall(line)):
            if name not in UNFILLED[source.kind]:
                continue
            problems.append(
                Problem(
                    source.rel,
                    number,
                    "unfilled-variable",
                    f"`${{{name}}}`{origin} reaches the model as written: "
                    f"{_WHY[source.kind]}",
                    _FIX[source.kind],
                    WARNING,
                )
            )
    return problems


def _meaning(placeholder: str) -> str:
    if placeholder == "$ARGUMENTS":
        return "all the arguments of the call"
    position = int(re.sub(r"\D", "", placeholder)) + 1  # $0 is the first
    ordinal = {1: "first", 2: "second", 3: "third"}.get(position, f"{position}th")
    return f"the {ordinal} argument of the call"


def _clip(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
