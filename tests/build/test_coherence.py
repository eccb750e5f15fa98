"""The repository's content holds together: references resolve, every agent follows the
skeleton and includes the shared rules, and no prose is written twice.

These run against the sources in the repository, not against fixtures.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

import pytest
from pact_build import pipeline

REPO = Path(__file__).resolve().parents[2]
AGENTS = sorted((REPO / "agents").glob("*.md"))
INCLUDE = re.compile(r'<!--\{\s*include\("([^"]+)",\s*"([^"]+)"\)\s*\}-->')
DIRECTIVE = re.compile(r"^\s*<!--[{%#].*[}%#]-->\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
MIN_REPEAT = 60

# The skeleton after the domain sections, in order; "Start of work" comes first of all.
SKELETON = ("Deliverables", "Boundaries and collaboration", "Autonomy charter",
            "Nested cycles", "Algedonic triggers", "Variety signals", "When you are blocked",
            "Handoff")
# Shared rules every agent includes, and the agent section each one belongs in.
SHARED_RULES = {
    ("pact-handoff", "The five parts"): "Handoff",
    ("pact-handoff", "Before you hand back"): "Handoff",
    ("pact-s1-autonomy", "Charter"): "Autonomy charter",
    ("pact-s1-autonomy", "When to escalate"): "Autonomy charter",
    ("pact-s1-autonomy", "Nested cycles"): "Nested cycles",
    ("algedonic", "Signal block format"): "Algedonic triggers",
    ("algedonic", "Raising a signal"): "Algedonic triggers",
    ("pact-variety", "Variety signals from specialists"): "Variety signals",
    ("pact-agent-stall", "When you are blocked"): "When you are blocked",
}
# Shared rules that get a subsection of their own, titled like the protocol section, so
# that in the rendered agent each one reads under a heading and not as a run-on of the
# agent's own text before it.
SUBSECTIONS = {("pact-s1-autonomy", "When to escalate"), ("algedonic", "Signal block format"),
               ("algedonic", "Raising a signal"), ("pact-handoff", "The five parts"),
               ("pact-handoff", "Before you hand back")}
# A positional or whole-argument placeholder: the client replaces it in skill bodies
# (``$1`` is the second argument, usually empty), so SQL like ``WHERE id = $1`` would
# arrive as ``WHERE id = ``. ``\$1`` is the client's escape for a literal.
PLACEHOLDER = re.compile(r"(?<!\\)\$(?:\d+|ARGUMENTS\b)")


def _body(path: Path) -> list[str]:
    """The file's lines without its YAML frontmatter."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if lines and lines[0] == "---":
        end = lines.index("---", 1)
        return lines[end + 1:]
    return lines


def _sections(path: Path) -> list[tuple[str, list[str]]]:
    """The ``##`` sections of a file: (heading, lines under it up to the next ``##``)."""
    sections: list[tuple[str, list[str]]] = []
    for line in _body(path):
        match = HEADING.match(line)
        if match and len(match.group(1)) == 2:
            sections.append((match.group(2), []))
        elif sections:
            sections[-1][1].append(line)
    return sections


def test_the_sources_validate_strictly_without_errors_or_warnings():
    result = pipeline.validate(REPO, strict=True)

    assert [p.format() for p in result.report.problems] == []
    assert not result.report.failed(strict=True)


def test_there_are_agents_to_check():
    assert len(AGENTS) >= 11, [p.name for p in AGENTS]


@pytest.mark.parametrize("path", AGENTS, ids=[p.stem for p in AGENTS])
def test_agent_follows_the_skeleton(path: Path):
    body = _body(path)
    titles = [m.group(2) for m in map(HEADING.match, body) if m and len(m.group(1)) == 1]
    headings = [heading for heading, _ in _sections(path)]
    first = next(line for line in body if line.strip() and not line.startswith("#"))

    assert len(titles) == 1, titles
    assert first.startswith("You "), f"the role statement should address the agent: {first}"
    assert headings[0] == "Start of work", headings
    assert [h for h in headings if h in SKELETON] == list(SKELETON), headings
    # Domain sections sit between "Start of work" and "Autonomy charter", not after it.
    charter = headings.index("Autonomy charter")
    assert headings[charter:] == list(SKELETON[SKELETON.index("Autonomy charter"):]), headings


@pytest.mark.parametrize("path", AGENTS, ids=[p.stem for p in AGENTS])
def test_agent_includes_the_shared_rules_in_their_sections(path: Path):
    placed = {(protocol, heading): section
              for section, lines in _sections(path)
              for protocol, heading in INCLUDE.findall("\n".join(lines))}

    missing = sorted(set(SHARED_RULES) - set(placed))
    assert missing == [], f"{path.name} does not include {missing}"
    misplaced = {rule: placed[rule] for rule, section in SHARED_RULES.items()
                 if placed[rule] != section}
    assert misplaced == {}, f"{path.name}: included under the wrong section {misplaced}"


@pytest.mark.parametrize("path", AGENTS, ids=[p.stem for p in AGENTS])
def test_agent_gives_each_shared_rule_its_heading(path: Path):
    heading = ("", "")
    under: dict[tuple[str, str], tuple[str, str]] = {}
    for line in _body(path):
        match = HEADING.match(line)
        if match:
            heading = (match.group(1), match.group(2))
        for rule in INCLUDE.findall(line):
            under[rule] = heading

    expected = {rule: ("###", rule[1]) if rule in SUBSECTIONS else ("##", section)
                for rule, section in SHARED_RULES.items()}
    wrong = {rule: under.get(rule) for rule in expected if under.get(rule) != expected[rule]}
    assert wrong == {}, f"{path.name}: expected the headings {expected}"


SKILL_BODIES = sorted((REPO / "skills").glob("*/SKILL.md"))


@pytest.mark.parametrize("path", SKILL_BODIES, ids=[p.parent.name for p in SKILL_BODIES])
def test_skill_body_has_no_argument_placeholder(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [(n, line) for n, line in enumerate(lines, 1) if PLACEHOLDER.search(line)]

    assert found == [], (f"{path.relative_to(REPO)}: the client substitutes these; write "
                         f"named parameters (:id) in examples: {found}")


def test_placeholder_pattern_matches_what_the_client_substitutes():
    assert PLACEHOLDER.search("WHERE id = $1") and PLACEHOLDER.search("all: $ARGUMENTS")
    assert PLACEHOLDER.search("first: $0")
    assert not PLACEHOLDER.search("price in $ or \\$1, {{ $json.id }}, ${{ matrix.os }}")


# ---------------------------------------------------------------- repeated prose


def _content_files() -> list[Path]:
    """Every Markdown source the plugin ships as content (the README is not content)."""
    files = [REPO / "hooks" / "session-brief.md"]
    for folder in ("agents", "commands", "protocols"):
        files += sorted((REPO / folder).glob("*.md"))
    files += sorted((REPO / "skills").glob("*/SKILL.md"))
    files += sorted((REPO / "skills").glob("*/references/**/*.md"))
    return files


def _blocks(lines: list[str]) -> list[list[str]]:
    """Blank-line separated blocks, leaving out fenced code, headings and directives."""
    blocks: list[list[str]] = [[]]
    fence = ""
    for line in lines:
        match = FENCE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
            continue
        if match:
            fence = match.group(1)
            blocks.append([])
        elif not line.strip() or HEADING.match(line) or DIRECTIVE.match(line):
            blocks.append([])
        else:
            blocks[-1].append(line)
    return [b for b in blocks if b]


def _units(block: list[str]) -> list[str]:
    """A prose block as whole text, and each of its list items on its own; no tables."""
    if block[0].lstrip().startswith("|"):
        return []
    units = [" ".join(" ".join(block).split())]
    if LIST_ITEM.match(block[0]):
        items: list[list[str]] = []
        for line in block:
            if LIST_ITEM.match(line):
                items.append([LIST_ITEM.sub("", line, count=1)])
            else:
                items[-1].append(line)
        units += [" ".join(" ".join(item).split()) for item in items]
    return [u for u in units if len(u) >= MIN_REPEAT]


def _repeats() -> dict[str, list[str]]:
    """Every prose unit of 60 or more characters found in more than one file."""
    where: dict[str, set[str]] = defaultdict(set)
    for path in _content_files():
        for block in _blocks(_body(path)):
            for unit in _units(block):
                where[unit].add(os.path.relpath(path, REPO))
    return {unit: sorted(files) for unit, files in where.items() if len(files) > 1}


def test_content_files_are_found():
    files = _content_files()

    assert REPO / "hooks" / "session-brief.md" in files
    assert any(p.parent.name == "references" for p in files)
    assert len(files) > len(AGENTS) + 10


def test_blocks_skip_code_headings_tables_and_directives():
    lines = ["# Title", "", "Prose one", "goes on.", "```sh", "echo code", "", "```",
             '<!--{ include("x", "Y") }-->', "| a | b |", "|---|---|", "", "- item one",
             "  more", "- item two"]

    blocks = _blocks(lines)

    assert blocks == [["Prose one", "goes on."], ["| a | b |", "|---|---|"],
                      ["- item one", "  more", "- item two"]]
    long = "x" * MIN_REPEAT
    assert _units(["| " + long + " |"]) == []
    assert _units([f"- {long}", "  tail", f"1. {long}"]) == [
        f"- {long} tail 1. {long}", f"{long} tail", long]


def test_no_paragraph_or_list_item_is_written_in_two_files():
    repeats = _repeats()

    report = "\n".join(f"{', '.join(files)}: {unit[:100]}" for unit, files in repeats.items())
    assert repeats == {}, "prose written in more than one file (include it instead):\n" + report
