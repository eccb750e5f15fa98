"""Find and read the content of a plugin or of the PACT source tree.

Every text file is normalised on load (BOM dropped, CRLF and lone CR turned
into LF, exactly one final newline), so a file saved by any editor reads the
same as its LF twin and the rendered output is LF throughout.
"""

from __future__ import annotations

import codecs
import errno
import json
import logging
import os
import re
import stat
from pathlib import Path
from typing import Any, NamedTuple

from . import frontmatter
from .errors import ERROR, WARNING, Problem
from .frontmatter import NodePath, Surprise

log = logging.getLogger(__name__)

# Kinds with YAML frontmatter, and the Markdown kinds the build renders.
FRONTMATTER_KINDS = ("agent", "command", "skill")
MARKDOWN_KINDS = ("agent", "command", "skill", "reference", "protocol", "brief")
JSON_KINDS = ("plugin", "marketplace", "hooks", "mcp")
MCP_FILE = ".mcp.json"  # a plugin's MCP servers, unless plugin.json's mcpServers says otherwise
BRIEF = "hooks/session-brief.md"
PLUGIN_MANIFEST = ".claude-plugin/plugin.json"
MARKETPLACE_MANIFEST = ".claude-plugin/marketplace.json"
# Larger files are not read at all: no content file comes near it (the body
# budgets in budget.py warn far below), so such a file is a mistake, not text.
MAX_FILE_BYTES = 8 * 1024 * 1024
# C0 controls but tab and line ends, DEL, C1 controls, and the two non-characters
# YAML refuses: invisible in editors and reviews, and passed to the model as they are.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


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
    namespace: str = ""  # agents/sub/x.md is sub:x to the client (facts sheet, section 1)

    @property
    def id(self) -> str:
        """The id the client gives the file (agent name, command file name, skill folder)."""
        parts = self.rel.split("/")
        if self.kind == "skill":
            return parts[-2]  # the folder: skills/x/SKILL.md, or a folder plugin.json lists
        prefix = f"{self.namespace}:" if self.namespace else ""
        if (
            self.kind == "agent"
            and self.frontmatter
            and isinstance(self.frontmatter.get("name"), str)
        ):
            return prefix + str(self.frontmatter["name"])
        return prefix + parts[-1].rsplit(".", 1)[0]

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
    namespace: str = ""  # subfolders of agents/ or commands/, joined by ":"


def probe(path: Path) -> bool | None:
    """True when ``path`` exists (links followed), False when it does not, None when a
    folder on the way cannot be read: that folder is reported as unreadable, not the path."""
    try:
        os.stat(path)
    except PermissionError:
        return None
    except (OSError, ValueError):
        return False
    return True


def unreadable_folder(folder: Path) -> OSError | None:
    """The error that keeps the files of ``folder`` from being listed or looked at, if any.

    Listing needs read permission and looking at an entry needs execute (search)
    permission, so one entry is looked at too.
    """
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                entry.stat(follow_symlinks=False)
                break
    except OSError as exc:
        return exc
    return None


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
    """Every component file under ``root``, sorted by path, plus problems of placement.

    ``pact`` adds the PACT-only sources: protocols and the session brief. Only
    regular files are taken; links that lead nowhere or (in the PACT sources)
    out of the tree, folders named like files and special files are reported.
    """
    entries = _Entries(root, pact)
    found: list[Found] = []
    if not entries.listable(root):
        return found, entries.problems
    for folder in (".claude-plugin", "hooks"):
        if os.path.isdir(root / folder):
            entries.listable(root / folder)
    kinds = [("agent", "agents"), ("command", "commands")]
    if pact:
        kinds.append(("protocol", "protocols"))
    for kind, folder in kinds:
        if (
            (root / folder).is_dir()
            and entries.walkable(root / folder)
            and entries.listable(root / folder)
        ):
            found += [
                _found(root, kind, p)
                for p in sorted((root / folder).glob("*.md"))
                if entries.file(p, named_file=True)
            ]
            if not pact:
                found += _nested(root, kind, root / folder, entries)
    skills, problems = _find_skills(root, entries)
    found += skills
    problems += _left_out(root, pact, entries)
    if pact and os.path.lexists(root / BRIEF) and entries.file(root / BRIEF, True, walked=False):
        found.append(_found(root, "brief", root / BRIEF))
    for kind, rel in (
        ("plugin", PLUGIN_MANIFEST),
        ("marketplace", MARKETPLACE_MANIFEST),
        ("hooks", "hooks/hooks.json"),
        *([] if pact else [("mcp", MCP_FILE)]),
    ):
        if os.path.lexists(root / rel) and entries.file(root / rel, True, walked=False):
            found.append(_found(root, kind, root / rel))
    return sorted(found, key=lambda f: f.rel), problems + entries.problems


class _Entries:
    """Judges each file before it is read: only regular files inside the tree are loaded.

    A link that points out of the PACT sources would copy that file (say
    /etc/passwd) into the plugin for everyone who installs it, so it is an
    error there. In another plugin such links are allowed: the client follows
    them when it copies a plugin.
    """

    def __init__(self, root: Path, pact: bool) -> None:
        self.root, self.pact = root, pact
        self.real_root = os.path.realpath(root)
        self.problems: list[Problem] = []
        self.unreadable: set[Path] = set()

    def listable(self, folder: Path) -> bool:
        """True when the files in ``folder`` can be listed and looked at; else reported."""
        if folder in self.unreadable:
            return False
        exc = unreadable_folder(folder)
        if exc is None:
            return True
        self._unreadable(folder, exc)
        return False

    def walk(self, folder: Path) -> list[Path]:
        """Every path under ``folder`` (folder links listed, not followed), sorted; a
        subfolder that cannot be read is reported and its files are left out."""
        if not self.listable(folder):
            return []
        paths: list[Path] = []
        for top, dirs, files in os.walk(folder, onerror=self._walk_error):
            base = Path(top)
            paths += [base / name for name in dirs + files]
            # os.walk lists folder links without entering them; an unreadable folder is
            # reported once here and not entered.
            dirs[:] = [d for d in dirs if os.path.islink(base / d) or self.listable(base / d)]
        return sorted(paths)

    def _walk_error(self, exc: OSError) -> None:
        if exc.filename is not None:
            self._unreadable(Path(exc.filename), exc)

    def _unreadable(self, folder: Path, exc: OSError) -> None:
        self.unreadable.add(folder)
        rel = self._rel(folder) if folder != self.root else "."
        self._add(
            rel,
            "unreadable",
            f"cannot read the folder ({exc.strerror}), so its files are not checked",
            "check its permissions: the folder needs read and execute (search) permission",
        )

    def file(self, path: Path, named_file: bool = False, walked: bool = True) -> bool:
        """True when ``path`` may be read and shipped; otherwise the problem is recorded.

        ``named_file``: the name says it is a component file, so a folder there
        is reported too (``agents/x.md/``); other folders are walked by the caller.
        ``walked``: the caller found ``path`` by walking a folder it checked with
        ``walkable``, and walks follow no folder links, so only the file itself
        can be a link out (one lstat instead of resolving every parent).
        """
        try:
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode) and (walked or not self.pact):
                return True  # the common case, decided by one lstat
            link = stat.S_ISLNK(mode)
            if link:
                mode = os.stat(path).st_mode  # what the link points at
        except OSError as exc:
            if os.path.islink(path):
                self._broken(path, exc)
            else:
                message = f"cannot read it ({exc.strerror})"
                self._add(self._rel(path), "unreadable", message, "check its permissions")
            return False
        rel = self._rel(path)
        if stat.S_ISDIR(mode):
            if named_file:
                self._add(
                    rel,
                    "not-a-file",
                    f"{rel} is a folder; only a file of that name is loaded",
                    f"move its files into {rel.rsplit('/', 1)[0]}/ and write SKILL.md as a file"
                    if path.name == "SKILL.md"
                    else "rename the folder so it does not end in .md, or move its files out",
                    ERROR if self.pact or path.name == "SKILL.md" else WARNING,
                )
            return False
        if not stat.S_ISREG(mode):
            self._add(
                rel,
                "not-a-file",
                f"{rel} is a {_special(mode)}, not a regular file",
                "replace it with a regular file, or remove it",
            )
            return False
        if not self.pact or (walked and not link):
            return True
        return self._inside(path)

    def walkable(self, folder: Path) -> bool:
        """True when the files under ``folder`` may be looked at (not through a link out)."""
        return not self.pact or self._inside(folder)

    def folder_link(self, path: Path) -> None:
        """A link to a folder inside a component folder: its files are never walked."""
        rel = self._rel(path)
        if not os.path.exists(path):
            self._broken(path, None)
        elif not self.pact:
            self._add(
                rel,
                "unchecked",
                f"{rel} links to a folder, whose files pact-plugin does not check",
                "check them by hand",
                WARNING,
            )
        elif self._inside(path):
            self._add(
                rel,
                "symlink-folder",
                f"{rel} links to a folder, which the build does not follow: "
                "its files would be missing from the plugin",
                "link each file instead, or copy the folder in",
            )

    def _inside(self, path: Path) -> bool:
        real = os.path.realpath(path)
        if os.path.commonpath([self.real_root, real]) == self.real_root:
            return True
        # Report the link that leaves the tree: the file itself or a linked folder above it.
        link = next(
            (
                p
                for p in [path, *list(path.parents)[: len(path.relative_to(self.root).parts) - 1]]
                if os.path.islink(p)
                and os.path.commonpath([self.real_root, os.path.realpath(p)]) != self.real_root
            ),
            path,
        )
        self._add(
            self._rel(link),
            "symlink-outside",
            f"{self._rel(link)} links to {os.path.realpath(link)}, outside the source tree, "
            "so it cannot ship in the plugin",
            "copy what it points at into the sources if it belongs in the plugin, "
            "or remove the link",
        )
        return False

    def _broken(self, path: Path, exc: OSError | None) -> None:
        rel = self._rel(path)
        target = os.readlink(path)
        loops = exc is not None and exc.errno == errno.ELOOP
        self._add(
            rel,
            "broken-symlink",
            f"{rel} is a link to {target}, which "
            + ("leads back to itself" if loops else "does not exist"),
            "point the link at a file that exists, or remove it",
        )

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _add(self, rel: str, code: str, message: str, hint: str, level: str = ERROR) -> None:
        self.problems.append(Problem(rel, 1, code, message, hint, level))


def _nested(root: Path, kind: str, base: Path, entries: _Entries) -> list[Found]:
    """Agents or commands in subfolders of another plugin's component folder: the client
    loads them with the folders as namespace segments, ``agents/sub/x.md`` as
    ``plugin:sub:x`` (facts sheet, section 1, shown for agents; commands are taken to
    follow the same rule, which is what their author would expect)."""
    found = []
    for path in entries.walk(base):
        inner = path.relative_to(base).parts
        if len(inner) < 2 or path.suffix != ".md" or any(p.startswith(".") for p in inner):
            continue
        if "__pycache__" in inner or not entries.file(path, named_file=True):
            continue
        found.append(_found(root, kind, path)._replace(namespace=":".join(inner[:-1])))
    return found


def _special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device file" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file"


def _left_out(root: Path, pact: bool, entries: _Entries) -> list[Problem]:
    """Files in component folders that the build would not ship or the checks would skip.

    In the PACT sources the build takes only ``agents/*.md``, ``commands/*.md``,
    ``protocols/*.md`` and the brief, so anything else there would vanish from the
    plugin without a word. In another plugin, Markdown in subfolders goes unchecked.
    """
    problems = []
    folders = ("agents", "commands", "protocols", "hooks") if pact else ("agents", "commands")
    for folder in folders:
        base = root / folder
        if not base.is_dir() or not entries.walkable(base):
            continue
        for path in entries.walk(base):
            rel = path.relative_to(root).as_posix()
            if path.name.startswith(".") or "__pycache__" in path.parts:
                continue
            if path.is_dir():
                if path.is_symlink():
                    entries.folder_link(path)
                continue
            if not entries.file(path):
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
    return problems


# What a file without frontmatter gets from the client (facts sheet, sections 2 and 3).
_NO_FRONTMATTER = {
    "agent": ("the client names the agent after its file and lists it as "
              '"Agent from … plugin"', "start the file with ---, name: …, description: …, ---"),
    "command": ("the client runs it as a slash command but does not list it to the model",
                "start the file with ---, description: …, ---"),
    "skill": ("the client runs it by its folder name but does not list it to the model",
              "start the file with ---, description: …, ---"),
}


def load(root: Path, item: Found, pact: bool = True) -> tuple[Source, list[Problem]]:
    """Read one file and split its frontmatter (Markdown) or parse it (JSON).

    ``pact``: the PACT sources, held to stricter rules; in another plugin what the
    client still loads as meant is a warning, not an error.
    """
    source, problems = _load(item, pact)
    return source._replace(namespace=item.namespace), problems


def _load(item: Found, pact: bool) -> tuple[Source, list[Problem]]:
    log.debug("loading %s", item.rel)
    if item.kind == "asset":
        return Source(item.kind, item.path, item.rel, "", None, {}, "", 1), []
    try:
        size = item.path.stat().st_size
        if size > MAX_FILE_BYTES:
            # Our own limit, not the client's: in another plugin only a warning.
            problem = Problem(
                item.rel,
                1,
                "file-too-large",
                f"the file is {size:,} bytes; files over {MAX_FILE_BYTES:,} bytes are not read"
                + ("" if pact else " by pact-plugin, so it is not checked"),
                "this is not content the model should read; remove it or move it elsewhere",
                ERROR if pact else WARNING,
            )
            return Source(item.kind, item.path, item.rel, "", None, {}, "", 1), [problem]
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
    controls = control_problems(item.rel, text) if item.kind in MARKDOWN_KINDS else []
    if item.kind not in FRONTMATTER_KINDS:
        return Source(item.kind, item.path, item.rel, text, None, {}, text, 1), controls
    parts = frontmatter.split(text)
    if controls and parts.frontmatter is not None and controls[0].line < parts.body_line:
        # YAML refuses these characters; the problems say where they are.
        return Source(item.kind, item.path, item.rel, text, None, {}, parts.body, 1), controls
    if parts.frontmatter is None:
        effect, hint = _NO_FRONTMATTER[item.kind]
        if text.startswith("---\n"):
            # The client would read the keys as body text: an error everywhere.
            problem = Problem(
                item.rel,
                1,
                "no-frontmatter",
                "the frontmatter block is never closed",
                "add a line with --- after the last frontmatter line",
            )
        else:
            problem = Problem(
                item.rel,
                1,
                "no-frontmatter",
                "missing frontmatter: the file must start with a --- block"
                if pact
                else f"no frontmatter: {effect}",
                hint,
                ERROR if pact else WARNING,
            )
        return Source(item.kind, item.path, item.rel, text, None, {}, parts.body, 1), [problem]
    parsed = frontmatter.parse(parts.frontmatter, item.rel)
    # Frontmatter YAML that cannot be parsed stays an error in every plugin, agents too:
    # a session still lists such an agent, read the client's own way, but
    # `claude plugin validate` rejects the plugin and says its fields are dropped (facts
    # sheet, section 2: "Don't rely on either behaviour"; tests/e2e holds us to the client).
    problems = controls + parsed.problems
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
    return source, problems


def control_problems(rel: str, text: str) -> list[Problem]:
    """One error per line holding control characters (tab excepted).

    An error, not a warning: such a character is invisible in editors and
    reviews, reaches the model as it is, and is almost always a paste accident
    (a terminal colour code, a NUL from a binary file). YAML refuses them too.
    """
    if CONTROL.search(text) is None:
        return []
    problems = []
    for index, line in enumerate(text.split("\n")):
        found = [m for m in CONTROL.finditer(line)]
        if not found:
            continue
        first = found[0]
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        problems.append(
            Problem(
                rel,
                index + 1,
                "control-character",
                f"control character U+{ord(first.group()):04X} at column {first.start() + 1}{more}",
                "delete it: it is invisible in most editors and reaches the model as it is"
                + ("; a NUL often means a binary or damaged file" if "\x00" in line else ""),
            )
        )
    return problems


def _utf16(data: bytes) -> bool:
    """A UTF-16 byte order mark, or the NUL of every other byte that UTF-16 gives ASCII."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    half = len(data) // 2
    return half >= 2 and max(data[0::2].count(0), data[1::2].count(0)) >= half * 0.9


def _encoding_problems(rel: str, data: bytes) -> list[Problem]:
    """One problem for a file that is not UTF-8, at the line of its first bad byte."""
    if _utf16(data):
        return [
            Problem(
                rel,
                1,
                "encoding",
                "the file is UTF-16; the client and pact-plugin read UTF-8",
                "save the file as UTF-8 (in most editors: Save with Encoding, UTF-8)",
            )
        ]
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


# The smallest valid file of each JSON kind, for hints.
_EMPTY_JSON = {
    "plugin": '{"name": "my-plugin"}',
    "marketplace": '{"name": "my-marketplace", "owner": {"name": "…"}, "plugins": []}',
    "hooks": '{"hooks": {}}',
    "mcp": '{"mcpServers": {}}',
}


def _load_json(item: Found, text: str) -> tuple[Source, list[Problem]]:
    if not text.strip():
        problem = Problem(
            item.rel,
            1,
            "json-syntax",
            "the file is empty",
            f"write a JSON object such as {_EMPTY_JSON[item.kind]}, or remove the file",
        )
        return Source(item.kind, item.path, item.rel, text, None, {}, "", 1), [problem]
    try:
        data = json.loads(text)
    except RecursionError:
        problem = Problem(item.rel, 1, "json-syntax", "the JSON is nested too deeply to read")
        return Source(item.kind, item.path, item.rel, text, None, {}, "", 1), [problem]
    except json.JSONDecodeError as exc:
        # exc.msg may end in " at" ("Invalid control character at"): the column follows.
        problem = Problem(
            item.rel,
            exc.lineno,
            "json-syntax",
            f"{exc.msg.removesuffix(' at')} at column {exc.colno}",
            "check commas and quotes; JSON allows no trailing comma",
        )
        return Source(item.kind, item.path, item.rel, text, None, {}, "", 1), [problem]
    if not isinstance(data, dict):
        what = {list: "a list", str: "a string", type(None): "null", bool: "a boolean"}.get(
            type(data), "a number"
        )
        problem = Problem(
            item.rel,
            1,
            "json-syntax",
            f"the file holds {what}, but it must hold a JSON object",
            f"write the settings inside {{ … }}, e.g. {_EMPTY_JSON[item.kind]}",
        )
        return Source(item.kind, item.path, item.rel, text, None, {}, "", 1), [problem]
    lines = frontmatter.node_lines(text)
    return Source(item.kind, item.path, item.rel, text, data, lines, "", 1), []


# How plugin.json component keys combine with the default folders (facts sheet,
# section 1): an `agents` or `commands` entry replaces its folder, `skills` and
# `hooks` entries add to theirs.
COMPONENT_KEYS = {"agents": "agent", "commands": "command", "skills": "skill", "hooks": "hooks"}
REPLACING_KEYS = ("agents", "commands")


class Listing(NamedTuple):
    """The component files plugin.json lists, and which default folders it replaces."""

    found: list[Found]
    problems: list[Problem]
    replaced: tuple[str, ...]  # keys whose default folder the client does not load


def listed_paths(manifest: dict[str, Any], key: str) -> list[tuple[int | None, str]]:
    """The well-formed ``./`` paths of a component key, with their list index (None for a
    single string); the schema reports the others, and a manifest it rejects loads nothing."""
    value = manifest.get(key)
    if isinstance(value, str):
        items: list[tuple[int | None, Any]] = [(None, value)]
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return []
    return [
        (index, path)
        for index, path in items
        if isinstance(path, str)
        and path.startswith("./")
        and ".." not in path.split("/")
        and (key != "agents" or path.endswith(".md"))
    ]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def find_listed(root: Path, manifest: dict[str, Any]) -> Listing:
    """The files the client loads because plugin.json lists them (a missing path is
    reported by checks.check_component_paths)."""
    entries = _Entries(root, False)
    found: list[Found] = []
    problems: list[Problem] = []
    for key, kind in COMPONENT_KEYS.items():
        for _, rel in listed_paths(manifest, key):
            path = root / rel
            if probe(path) is not True:
                continue
            if kind == "skill" and os.path.isdir(path):
                if os.path.lexists(path / "SKILL.md"):
                    more, extra = _skill_folder(root, path, entries)
                else:
                    more, extra = _find_skills(root, entries, path)
                found += more
                problems += extra
            elif kind == "command" and os.path.isdir(path):
                if entries.listable(path):
                    found += [
                        _found(root, kind, p)
                        for p in sorted(path.glob("*.md"))
                        if entries.file(p, named_file=True)
                    ]
            elif kind in ("agent", "command", "hooks") and entries.file(path, named_file=True):
                found.append(_found(root, kind, path))
    # Only a key the client accepts replaces the folder; a wrong one (or a path that is
    # missing) is an error of its own, and the client then loads no part of the plugin.
    servers = manifest.get("mcpServers")
    if isinstance(servers, str) and servers.startswith("./") and ".." not in servers.split("/"):
        path = root / servers
        if probe(path) and entries.file(path, named_file=True):
            found.append(_found(root, "mcp", path))
    replaced = tuple(
        key
        for key in REPLACING_KEYS
        if isinstance(manifest.get(key), (str, list))
        and len(listed_paths(manifest, key)) == len(_as_list(manifest[key]))
        and all(probe(root / rel) for _, rel in listed_paths(manifest, key))
    )
    unique = {f.rel: f for f in found}
    return Listing(sorted(unique.values(), key=lambda f: f.rel), problems + entries.problems,
                   replaced)


def _find_skills(
    root: Path, entries: _Entries, skills: Path | None = None
) -> tuple[list[Found], list[Problem]]:
    """The skills in a folder of skill folders: ``skills/`` unless plugin.json names another."""
    found: list[Found] = []
    problems: list[Problem] = []
    skills = root / "skills" if skills is None else skills
    if not skills.is_dir() or not entries.walkable(skills) or not entries.listable(skills):
        return found, problems
    where = skills.relative_to(root).as_posix()
    for entry in sorted(skills.iterdir()):
        rel = entry.relative_to(root).as_posix()
        if entry.is_file():
            if not entries.pact and (entry.suffix != ".md" or entry.stem.upper() == "README"):
                continue  # the client ignores it, and it is no skill gone astray
            problems.append(
                Problem(
                    rel,
                    1,
                    "skill-depth",
                    f"a skill is a folder with a SKILL.md, not a file in {where}/"
                    + ("" if entries.pact else ": the client ignores it"),
                    f"move it to {where}/{entry.stem}/SKILL.md",
                    ERROR if entries.pact else WARNING,
                )
            )
        elif entry.is_dir():
            if not entries.walkable(entry):
                continue
            files, more = _skill_folder(root, entry, entries)
            found += files
            problems += more
        elif os.path.islink(entry):
            entries.file(entry)  # a link to nothing: reported
    return found, problems


def _skill_folder(
    root: Path, folder: Path, entries: _Entries
) -> tuple[list[Found], list[Problem]]:
    found: list[Found] = []
    problems: list[Problem] = []
    for path in (p for p in entries.walk(folder) if "__pycache__" not in p.parts):
        if path.is_dir():
            if path.is_symlink():
                entries.folder_link(path)
            elif path.name == "SKILL.md" and path.parent == folder:
                entries.file(path, named_file=True)
            continue
        if not entries.file(path):
            continue
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
    readable = folder not in entries.unreadable
    if readable and not os.path.lexists(folder / "SKILL.md") and not problems:
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
