"""Cross-references in the content: relative links, anchors and ``PACT:x`` mentions."""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from . import markdown
from .errors import Problem
from .names import closest
from .sources import MAX_FILE_BYTES, Content, Source, normalise, probe

LINKED_KINDS = ("agent", "command", "skill", "reference", "protocol", "brief")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Folders of the source tree that ship inside the built plugin.
_SHIPPED = ("agents", "commands", "skills", "protocols", "hooks")


def check_links(content: Content) -> list[Problem]:
    """Every relative link points at a file that exists (and ships), with a real anchor."""
    problems: list[Problem] = []
    for source in content.of(*LINKED_KINDS):
        for link in markdown.links(source.body):
            line = source.body_line + link.offset
            problem = _check_link(content, source, link.target, line)
            if problem is not None:
                problems.append(problem)
    return problems


def _check_link(content: Content, source: Source, target: str, line: int) -> Problem | None:
    if _SCHEME.match(target) or target.startswith("//") or "${" in target:
        return None
    path, _, anchor = target.partition("#")
    if not path:
        return _check_anchor(source.rel, source.text, anchor, target, source.rel, line)
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(source.rel), unquote(path)))
    if rel.startswith("../") or rel == "..":
        return Problem(
            source.rel,
            line,
            "broken-link",
            f"link `{target}` points outside the plugin",
            "link only to files inside the plugin",
        )
    file = content.root / rel
    there = probe(file)
    if there is None:
        return None  # a folder on the way cannot be read: reported where it is
    if not there:
        hint = _similar_file(content, rel)
        return Problem(
            source.rel, line, "broken-link", f"link `{target}`: {rel} does not exist", hint
        )
    if content.pact and rel.split("/")[0] not in _SHIPPED:
        return Problem(
            source.rel,
            line,
            "broken-link",
            f"link `{target}`: {rel} is not shipped in the plugin",
            "link to agents/, commands/, skills/, protocols/ or hooks/ only",
        )
    if anchor and os.path.isfile(file) and file.suffix == ".md":
        loaded = content.get(rel)
        text = loaded.text if loaded else _read(file)
        if text is None:
            return None  # unreadable or huge: reported where it lives, or not ours to judge
        return _check_anchor(source.rel, text, anchor, target, rel, line)
    return None


def _read(file: Path) -> str | None:
    """A linked file that is not loaded as content (another plugin's notes, say)."""
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            return None
        return normalise(file.read_bytes())
    except OSError:
        return None


def _check_anchor(
    where: str, text: str, anchor: str, target: str, rel: str, line: int
) -> Problem | None:
    if not anchor:
        return None
    found = markdown.anchors(text)
    if unquote(anchor) in found:
        return None
    guess = closest(anchor, sorted(found))
    hint = (
        f"did you mean #{guess}?"
        if guess
        else f"headings of {rel} give: " + ", ".join(f"#{a}" for a in sorted(found)[:6])
    )
    return Problem(
        where, line, "broken-anchor", f"link `{target}`: no heading #{anchor} in {rel}", hint
    )


def _similar_file(content: Content, rel: str) -> str:
    names = [s.rel for s in content.sources]
    guess = closest(rel, names)
    return f"did you mean {guess}?" if guess else "fix the path (it is relative to this file)"


def check_mentions(content: Content) -> list[Problem]:
    """Every ``/PACT:x`` names a command or skill and every ``PACT:x`` any component, exactly."""
    pattern = re.compile(
        r"(?:(?<![\w./:-])(/)|(?<![\w./:-]))(" + re.escape(content.plugin) + r"):"
        # A name may hold namespace segments: /plugin:sub:x for commands/sub/x.md.
        r"([A-Za-z0-9](?:[A-Za-z0-9_:-]*[A-Za-z0-9])?)",
        re.IGNORECASE,
    )
    slash = sorted(set(content.ids("command")) | set(content.ids("skill")))
    every = sorted(set(slash) | set(content.ids("agent")))
    problems: list[Problem] = []
    for source in content.of(*LINKED_KINDS):
        skip = _skills_lines(source)  # judged by the agent skills check
        for index, line in enumerate(source.text.split("\n")):
            if index + 1 in skip:
                continue
            for match in pattern.finditer(line):
                problem = _mention(content.plugin, match, slash, every, source.rel, index + 1)
                if problem is not None:
                    problems.append(problem)
    return problems


def _skills_lines(source: Source) -> set[int]:
    return {line for path, line in source.key_lines.items() if path[:1] == ("skills",)}


def _mention(
    plugin: str, match: re.Match[str], slash: list[str], every: list[str], rel: str, line: int
) -> Problem | None:
    is_slash, prefix, name = bool(match.group(1)), match.group(2), match.group(3)
    targets = slash if is_slash else every
    if prefix == plugin and name in targets:
        return None
    lead = "/" if is_slash else ""
    written = match.group(0)
    by_case = {t.lower(): t for t in targets}
    if name.lower() in by_case:
        right = f"{lead}{plugin}:{by_case[name.lower()]}"
        return Problem(
            rel,
            line,
            "wrong-case",
            f"`{written}` has the wrong case; the client matches names exactly",
            f"write {right}",
        )
    if is_slash and name in every:
        return Problem(
            rel,
            line,
            "unknown-reference",
            f"`{written}` is an agent, not a slash command",
            f"dispatch it with the Agent tool as {plugin}:{name}",
        )
    guess = closest(name, targets)
    hint = (
        f"did you mean {lead}{plugin}:{guess}?"
        if guess
        else "name a command, skill or agent that exists"
    )
    return Problem(rel, line, "unknown-reference", f"`{written}` names nothing in the plugin", hint)
