"""YAML frontmatter: split it from the body, parse it, and keep the line of every key."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import yaml

from .errors import Problem

NodePath = tuple[Any, ...]

# YAML 1.1 (PyYAML) turns these plain words into booleans; the client's YAML 1.2
# parser keeps them as strings, so the two readers disagree.
_BOOL_WORDS = re.compile(r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
_TAGS = {
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "date",
}
# The only tags an author may write; anything else (!!binary, !!python/…, local
# tags) means a reader other than the client's would be needed.
_STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)


# Deeper [ or { nesting is refused before YAML reads it (see _depth_problems).
MAX_DEPTH = 50


class Surprise(NamedTuple):
    """A plain scalar that YAML 1.1 read as something other than a string."""

    path: NodePath
    line: int
    kind: str  # bool, int, float, null, date
    text: str
    bool_word: bool  # yes/no/on/off rather than true/false


class Frontmatter(NamedTuple):
    """Parsed frontmatter: data (None when unparsable), key lines, raw values, surprises."""

    data: dict[str, Any] | None
    lines: dict[NodePath, int]
    raw: dict[NodePath, str]
    surprises: list[Surprise]
    problems: list[Problem]


class Split(NamedTuple):
    frontmatter: str | None
    body: str
    body_line: int


def split(text: str) -> Split:
    """Separate ``---`` frontmatter from the body; an unclosed block yields no frontmatter."""
    if not text.startswith("---\n"):
        return Split(None, text, 1)
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            front = "\n".join(lines[1:index]) + "\n"
            return Split(front, "\n".join(lines[index + 1 :]), index + 2)
    return Split(None, text, 1)


def parse(text: str, rel: str, first_line: int = 2) -> Frontmatter:
    """Parse ``text`` (frontmatter that starts at file line ``first_line``)."""
    problems = _tab_problems(text, rel, first_line) or _depth_problems(text, rel, first_line)
    if problems:
        return Frontmatter(None, {}, {}, [], problems)
    try:
        problems = _feature_problems(text, rel, first_line)
        if problems:
            return Frontmatter(None, {}, {}, [], problems)
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else {}
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        return Frontmatter(None, {}, {}, [], [_syntax_problem(exc, text, rel, first_line)])
    except yaml.reader.ReaderError as exc:
        # A character YAML refuses; the loader normally reports these first.
        line = first_line + text.count("\n", 0, exc.position)
        problem = Problem(
            rel,
            line,
            "control-character",
            f"character U+{exc.character:04X} is not allowed in YAML",
            "delete it: it is invisible in most editors",
        )
        return Frontmatter(None, {}, {}, [], [problem])
    except RecursionError:
        problem = Problem(
            rel,
            first_line,
            "yaml-syntax",
            "the frontmatter is nested too deeply to read",
            "write flat key: value lines",
        )
        return Frontmatter(None, {}, {}, [], [problem])
    if not isinstance(data, dict) or node is None:
        problem = Problem(
            rel,
            first_line,
            "frontmatter-not-mapping",
            "frontmatter must be a mapping of key: value lines",
            "write one `key: value` per line between the --- lines",
        )
        return Frontmatter(None, {}, {}, [], [problem])
    walker = _Walker(text, rel, first_line - 1)
    walker.walk(node, ())
    return Frontmatter(data, walker.lines, walker.raw, walker.surprises, walker.problems)


def node_lines(text: str, offset: int = 0) -> dict[NodePath, int]:
    """Line of every key in a YAML or JSON document; empty when it does not compose."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return {}  # lines are a convenience; the JSON parser judges the syntax
    walker = _Walker(text, "", offset)
    if node is not None:
        walker.walk(node, ())
    return walker.lines


def _tab_problems(text: str, rel: str, first_line: int) -> list[Problem]:
    return [
        Problem(
            rel,
            first_line + index,
            "yaml-tab",
            "tab character in frontmatter; YAML allows only spaces for indentation",
            "replace the tab with spaces",
        )
        for index, line in enumerate(text.split("\n"))
        if "\t" in line
    ]


def _depth_problems(text: str, rel: str, first_line: int) -> list[Problem]:
    """Brackets nested beyond any real use: PyYAML's scanner slows down with the
    square of the depth (a few kilobytes of ``[`` would hold the build for minutes)."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}" and depth:
            depth -= 1
    if deepest <= MAX_DEPTH:
        return []
    return [
        Problem(
            rel,
            first_line,
            "yaml-syntax",
            f"brackets nest {deepest} levels deep (at most {MAX_DEPTH} are read)",
            "write flat key: value lines, or quote text that holds [ or {",
        )
    ]


def _feature_problems(text: str, rel: str, first_line: int) -> list[Problem]:
    """Anchors, aliases and non-standard tags, found in the event stream before anything
    is constructed: aliases can multiply a few lines into gigabytes (an alias bomb)."""
    problems: list[Problem] = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = first_line + (event.start_mark.line if event.start_mark is not None else 0)
        anchor: str | None = getattr(event, "anchor", None)
        tag: str | None = getattr(event, "tag", None)
        if isinstance(event, yaml.AliasEvent):
            found = f"alias *{anchor}"
        elif anchor is not None:
            found = f"anchor &{anchor}"
        elif tag is not None and tag not in _STANDARD_TAGS:
            found = f"tag {_short_tag(tag)}"
        else:
            continue
        problems.append(
            Problem(
                rel,
                line,
                "yaml-feature",
                f"{found} is not allowed in frontmatter",
                "write each value out in full as a plain or quoted string, list or mapping",
            )
        )
    return problems


def _short_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, rel: str, first_line: int) -> Problem:
    """Point at the line the author must change, with the usual fix."""
    mark = exc.problem_mark or exc.context_mark
    index = mark.line if mark is not None else 0
    problem: str = exc.problem or "invalid YAML"
    lines = text.split("\n")
    if exc.context == "while scanning a simple key" and exc.context_mark is not None:
        # An unindented continuation line: YAML reads it as a new key without a colon.
        index = exc.context_mark.line
        key = _key_above(lines, index)
        hint = f"indent the continuation lines of `{key}`, or write `{key}: |` and indent the text"
        return Problem(
            rel,
            first_line + index,
            "yaml-syntax",
            f"line continues `{key}` without indentation ({problem})",
            hint,
        )
    if (exc.context or "").startswith("while parsing a flow") and exc.context_mark is not None:
        # An unclosed [ or {: YAML notices on a later line; the author must fix the opening one.
        index = exc.context_mark.line
        opener = _key_of(lines[index]) if index < len(lines) else None
        return Problem(
            rel,
            first_line + index,
            "yaml-syntax",
            f"unclosed `[` or `{{` in `{opener or 'this line'}` ({problem})",
            f'quote the value: {opener}: "…"' if opener else "close the bracket or quote the value",
        )
    found = _key_of(lines[index]) if index < len(lines) else None
    if problem.startswith("mapping values are not allowed") and found:
        key = found
        hint = f'quote the value: {key}: "…" (or write `{key}: |` and indent the text)'
        return Problem(
            rel,
            first_line + index,
            "yaml-syntax",
            f"unquoted `{key}` contains ': ', which YAML reads as a nested key",
            hint,
        )
    return Problem(
        rel,
        first_line + index,
        "yaml-syntax",
        problem,
        "quote values that contain ': ', '#', '[' or '{'",
    )


def _key_of(line: str) -> str | None:
    match = re.match(r"^([A-Za-z0-9_-]+):", line)
    return match.group(1) if match else None


def _key_above(lines: list[str], index: int) -> str:
    for candidate in reversed(lines[:index]):
        key = _key_of(candidate)
        if key:
            return key
    return "value"


class _Walker:
    """Walk a composed node tree, recording lines, raw text, duplicates and surprises."""

    def __init__(self, text: str, rel: str, offset: int) -> None:
        self.text, self.rel, self.offset = text, rel, offset
        self.lines: dict[NodePath, int] = {}
        self.raw: dict[NodePath, str] = {}
        self.surprises: list[Surprise] = []
        self.problems: list[Problem] = []

    def walk(self, node: yaml.Node, path: NodePath) -> None:
        if isinstance(node, yaml.MappingNode):
            self._mapping(node, path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._record(path + (index,), item)
                self.walk(item, path + (index,))
        elif isinstance(node, yaml.ScalarNode):
            self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: NodePath) -> None:
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1 + self.offset
            if key in seen:
                self.problems.append(
                    Problem(
                        self.rel,
                        line,
                        "duplicate-key",
                        f"`{key}` appears twice; YAML keeps only the last one",
                        "remove one of the two lines",
                    )
                )
            seen.add(key)
            self.lines.setdefault(path + (key,), line)
            self.raw[path + (key,)] = self.text[
                value_node.start_mark.index : value_node.end_mark.index
            ]
            self.walk(value_node, path + (key,))

    def _record(self, path: NodePath, node: yaml.Node) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1 + self.offset)

    def _scalar(self, node: yaml.ScalarNode, path: NodePath) -> None:
        kind = _TAGS.get(node.tag)
        if kind is None or node.style is not None or not path:
            return
        line = node.start_mark.line + 1 + self.offset
        word = kind == "bool" and bool(_BOOL_WORDS.match(node.value))
        self.surprises.append(Surprise(path, line, kind, node.value, word))
