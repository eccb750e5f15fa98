"""Find and read the content of a plugin or of the PACT source tree.

Every text file is normalised on load (BOM dropped, CRLF and lone CR turned
into LF, exactly one final newline), so a file saved by any editor reads the
same as its LF twin and the rendered output is LF throughout.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, NamedTuple

from . import frontmatter
from .errors import ERROR, WARNING, Problem
from .frontmatter import NodePath, Surprise

log = logging.getLogger(__name__)

# Kinds with YAML frontmatter, and the Markdown kinds the build renders.
FRONTMATTER_KINDS = ("agent", "command", "skill")
MARKDOWN_KINDS = ("agent", "command", "skill", "reference", "protocol", "brief")
JSON_KINDS = ("plugin", "marketplace", "hooks")
BRIEF = "hooks/session-brief.md"
PLUGIN_MANIFEST = ".claude-plugin/plugin.json"
MARKETPLACE_MANIFEST = ".claude-plugin/marketplace.json"


class Source(NamedTuple):
    """One loaded file. ``rel`` is the POSIX path from the root; lines are 1-based."""

    kind: str
    path: Path
    rel: str
    text: str
    frontmatter: dict[str, Any] | None
    key_lines: dict[NodePath, int]
    body: str
    body_line: int
    raw_values: dict[NodePath, str] = {}
    surprises: tuple[Surprise, ...] = ()

    @property
    def id(self) -> str:
        """The id the client gives the file (agent name, command file name, skill folder)."""
        parts = self.rel.split("/")
        if self.kind == "skill":
            return parts[1]
        if (
            self.kind == "agent"
            and self.frontmatter
            and isinstance(self.frontmatter.get("name"), str)
        ):
            return str(self.frontmatter["name"])
        return parts[-1].rsplit(".", 1)[0]

    def line(self, *path: Any) -> int:
        """The line of a frontmatter key (or JSON key), else the first line of the file."""
        for end in range(len(path), 0, -1):
            line = self.key_lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1

    def field(self, key: str) -> Any:
        return (self.frontmatter or {}).get(key)


class Found(NamedTuple):
    kind: str
    path: Path
    rel: str


def normalise(data: bytes) -> str:
    """Decode UTF-8 and normalise line endings, BOM and the final newline."""
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n") + "\n" if text.strip("\n") else ""


def read_text(path: Path) -> str:
    return normalise(path.read_bytes())


def find(root: Path, pact: bool) -> tuple[list[Found], list[Problem]]:
    """Every component file under ``root``, sorted by path, plus misplaced skill problems.

    ``pact`` adds the PACT-only sources: protocols and the session brief.
    """
    found: list[Found] = []
    for kind, pattern in (("agent", "agents/*.md"), ("command", "commands/*.md")):
        found += [_found(root, kind, p) for p in root.glob(pattern) if p.is_file()]
    skills, problems = _find_skills(root)
    found += skills
    problems += _left_out(root, pact)
    if pact:
        found += [_found(root, "protocol", p) for p in root.glob("protocols/*.md") if p.is_file()]
        if (root / BRIEF).is_file():
            found.append(_found(root, "brief", root / BRIEF))
    for kind, rel in (
        ("plugin", PLUGIN_MANIFEST),
        ("marketplace", MARKETPLACE_MANIFEST),
        ("hooks", "hooks/hooks.json"),
    ):
        if (root / rel).is_file():
            found.append(_found(root, kind, root / rel))
    return sorted(found, key=lambda f: f.rel), problems


def _left_out(root: Path, pact: bool) -> list[Problem]:
    """Files in component folders that the build would not ship or the checks would skip.

    In the PACT sources the build takes only ``agents/*.md``, ``commands/*.md``,
    ``protocols/*.md`` and the brief, so anything else there would vanish from the
    plugin without a word. In another plugin, Markdown in subfolders goes unchecked.
    """
    problems = []
    folders = ("agents", "commands", "protocols", "hooks") if pact else ("agents", "commands")
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if not path.is_file() or path.name.startswith(".") or "__pycache__" in path.parts:
                continue
            taken = (BRIEF, "hooks/hooks.json") if folder == "hooks" else ()
            if rel in taken or (folder != "hooks" and path.parent == base and path.suffix == ".md"):
                continue
            if pact:
                markdown = path.suffix == ".md"
                problems.append(
                    Problem(
                        rel,
                        1,
                        "left-out",
                        f"{rel} is not part of the plugin: the build takes only "
                        + (f"{BRIEF} from hooks/" if folder == "hooks" else f"{folder}/*.md"),
                        f"move it to {folder}/{path.name}"
                        if markdown and folder != "hooks"
                        else f"move it out of {folder}/",
                        ERROR if markdown else WARNING,
                    )
                )
            elif path.suffix == ".md":
                problems.append(
                    Problem(
                        rel,
                        1,
                        "unchecked",
                        f"{rel} is in a subfolder of {folder}/, which pact-plugin does not check",
                        "check it by hand; the client namespaces it by its folder",
                        WARNING,
                    )
                )
    return problems


def load(root: Path, item: Found) -> tuple[Source, list[Problem]]:
    """Read one file and split its frontmatter (Markdown) or parse it (JSON)."""
    log.debug("loading %s", item.rel)
    if item.kind == "asset":
        return Source(item.kind, item.path, item.rel, "", None, {}, "", 1), []
    try:
        data = item.path.read_bytes()
    except OSError as exc:
        problem = Problem(
            item.rel,
            1,
            "unreadable",
            f"cannot read the file ({exc.strerror})",
            "check its permissions",
        )
        return Source(item.kind, item.path, item.rel, "", None, {}, "", 1), [problem]
    text = normalise(data)
    undecodable = _encoding_problems(item.rel, data)
    if undecodable:
        # Every later check would judge U+FFFD stand-ins, not what the author wrote.
        return Source(item.kind, item.path, item.rel, text, None, {}, "", 1), undecodable
    if item.kind in JSON_KINDS:
        return _load_json(item, text)
    if item.kind not in FRONTMATTER_KINDS:
        return Source(item.kind, item.path, item.rel, text, None, {}, text, 1), []
    parts = frontmatter.split(text)
    if parts.frontmatter is None:
        return Source(item.kind, item.path, item.rel, text, None, {}, parts.body, 1), [
            Problem(
                item.rel,
                1,
                "no-frontmatter",
                "the frontmatter block is never closed"
                if text.startswith("---\n")
                else "missing frontmatter: the file must start with a --- block",
                "start the file with ---, name: …, description: …, ---",
            )
        ]
    parsed = frontmatter.parse(parts.frontmatter, item.rel)
    source = Source(
        item.kind,
        item.path,
        item.rel,
        text,
        parsed.data,
        parsed.lines,
        parts.body,
        parts.body_line,
        parsed.raw,
        tuple(parsed.surprises),
    )
    return source, parsed.problems


def _encoding_problems(rel: str, data: bytes) -> list[Problem]:
    """One problem for a file that is not UTF-8, at the line of its first bad byte."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = normalise(data[: exc.start] + b"x")[:-1]  # "x" stands for the bad byte
        line = before.count("\n") + 1
        column = len(before.rsplit("\n", 1)[-1])
        byte = data[exc.start : exc.start + 1].hex().upper()
        hint = "save the file as UTF-8"
        legacy = data.decode("cp1252", errors="replace").lstrip("\ufeff\u00ef\u00bb\u00bf")
        legacy_line = legacy.replace("\r\n", "\n").replace("\r", "\n").split("\n")[line - 1]
        if "\ufffd" not in legacy_line:
            hint += f"; read as Windows-1252 the line is: {legacy_line.strip()}"
        message = f"not valid UTF-8 (byte 0x{byte} at column {column})"
        return [Problem(rel, line, "encoding", message, hint)]
    return []


def _load_json(item: Found, text: str) -> tuple[Source, list[Problem]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", 1)
        problem = Problem(
            item.rel,
            line,
            "json-syntax",
            str(exc).split(":")[0],
            "check commas and quotes; JSON allows no trailing comma",
        )
        return Source(item.kind, item.path, item.rel, text, None, {}, "", 1), [problem]
    if not isinstance(data, dict):
        problem = Problem(item.rel, 1, "json-syntax", "the file must hold a JSON object")
        return Source(item.kind, item.path, item.rel, text, None, {}, "", 1), [problem]
    lines = frontmatter.node_lines(text)
    return Source(item.kind, item.path, item.rel, text, data, lines, "", 1), []


def _find_skills(root: Path) -> tuple[list[Found], list[Problem]]:
    found: list[Found] = []
    problems: list[Problem] = []
    skills = root / "skills"
    if not skills.is_dir():
        return found, problems
    for entry in sorted(skills.iterdir()):
        rel = entry.relative_to(root).as_posix()
        if entry.is_file():
            problems.append(
                Problem(
                    rel,
                    1,
                    "skill-depth",
                    "a skill is a folder with a SKILL.md, not a file in skills/",
                    f"move it to skills/{entry.stem}/SKILL.md",
                )
            )
        elif entry.is_dir():
            files, more = _skill_folder(root, entry)
            found += files
            problems += more
    return found, problems


def _skill_folder(root: Path, folder: Path) -> tuple[list[Found], list[Problem]]:
    found: list[Found] = []
    problems: list[Problem] = []
    for path in sorted(
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ):
        depth = len(path.relative_to(folder).parts)
        if path.name == "SKILL.md" and depth > 1:
            rel = path.relative_to(root).as_posix()
            problems.append(
                Problem(
                    rel,
                    1,
                    "skill-depth",
                    "SKILL.md two folders deep is not loaded as a skill",
                    f"move it to skills/{path.parent.name}/SKILL.md",
                )
            )
        kind = (
            "skill"
            if depth == 1 and path.name == "SKILL.md"
            else ("reference" if path.suffix == ".md" else "asset")
        )
        found.append(_found(root, kind, path))
    if not (folder / "SKILL.md").is_file() and not problems:
        rel = folder.relative_to(root).as_posix()
        problems.append(
            Problem(
                rel,
                1,
                "skill-missing",
                "skill folder has no SKILL.md",
                f"add {rel}/SKILL.md or remove the folder",
            )
        )
    return found, problems


def _found(root: Path, kind: str, path: Path) -> Found:
    return Found(kind, path, path.relative_to(root).as_posix())


class Content(NamedTuple):
    """Everything loaded from one root: the plugin's namespace and its files."""

    root: Path
    plugin: str
    pact: bool  # the PACT source tree: protocols, the brief, includes and budgets
    sources: tuple[Source, ...]

    def of(self, *kinds: str) -> list[Source]:
        return [s for s in self.sources if s.kind in kinds]

    def get(self, rel: str) -> Source | None:
        for source in self.sources:
            if source.rel == rel:
                return source
        return None

    def ids(self, kind: str) -> dict[str, Source]:
        return {s.id: s for s in self.of(kind)}
