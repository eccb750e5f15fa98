"""The build pipeline: load, parse, validate, check references, render, write, summarise."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import NamedTuple

from . import budget, checks, emit, references, render, schema, sources, variables
from .errors import Problem, Report, UsageError
from .sources import BRIEF, MARKETPLACE_MANIFEST, PLUGIN_MANIFEST, Content

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (Python 3.9 and 3.10 install tomli, see pyproject.toml)
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

log = logging.getLogger(__name__)

SOURCE, PLUGIN, MARKETPLACE = "PACT source tree", "plugin", "marketplace"
PACT_PROJECT = "pact-plugin"  # [project] name in the PACT repository's pyproject.toml


class Result(NamedTuple):
    """What a run found and did; the CLI turns it into output and an exit code."""

    layout: str
    report: Report
    content: Content | None
    rows: list[budget.Row]
    seconds: float
    out: Path | None = None


def build(src: Path, out: Path | None = None, strict: bool = False) -> Result:
    """Check the PACT sources in ``src``; when all pass, write the plugin to ``out``."""
    started = time.perf_counter()
    report = Report()
    if detect(src) != SOURCE:
        raise UsageError(
            f"{src} is not a PACT source tree (it needs .claude-plugin/plugin.json, "
            ".claude-plugin/marketplace.json, protocols/ or hooks/session-brief.md, and a "
            f"pyproject.toml for the {PACT_PROJECT} project)"
        )

    # Load: find every agent, command, skill (with its references), protocol, the
    # brief and the two manifests; misplaced skills are reported here.
    found = _find(src, pact=True, report=report)

    # Parse: read each file normalised to LF and split its YAML frontmatter from
    # the body, keeping the line of every key for the reports below.
    content = _parse(src, found, pact=True, report=report)
    if out is not None:
        # Refuse a folder that is not an earlier build before any work is done.
        market = next(iter(content.of("marketplace")), None)
        name = (market.frontmatter or {}).get("name") if market else None
        if isinstance(name, str):
            emit.check_target(out, name, [content.plugin])

    # Validate: frontmatter and manifests against the JSON Schema of their kind;
    # YAML 1.1 readings the client would not share are reported with their fix.
    _validate(content, report)

    # Check references: skills named by agents, links and anchors, PACT:x mentions,
    # name clashes, tools, models, ignored fields, mojibake.
    _check(content, report)

    # Render: protocol sections included by heading, literal braces untouched;
    # then count what every session pays for the descriptions and the brief.
    version = emit.project_version(src)
    rendered, problems = render.render_all(content)
    report.extend(problems)
    rows = budget.account(content, rendered.get(BRIEF))
    report.extend(budget.check(rows, PLUGIN_MANIFEST))
    report.extend(budget.check_bodies(content, rendered))

    # Write: plan the complete tree, then swap it in, only when nothing failed.
    written = None
    if out is not None and not report.failed(strict):
        emit.write(emit.plan(content, rendered, version, emit.runtime_dir(src)), out)
        written = out.absolute()

    # Summary: the CLI prints counts, the accounting table and the install lines.
    seconds = time.perf_counter() - started
    log.info(
        "checked %d files: %d error(s), %d warning(s)",
        len(content.sources),
        len(report.errors),
        len(report.warnings),
    )
    return Result(SOURCE, report, content, rows, seconds, written)


def validate(path: Path, strict: bool = False) -> Result:
    """Check a PACT source tree, any plugin folder, or a marketplace and its local plugins."""
    started = time.perf_counter()
    report = Report()
    try:
        layout = detect(path)
    except Unreadable as exc:
        report.error(
            exc.rel,
            1,
            "unreadable",
            f"cannot read the folder ({exc.strerror}), so nothing in it is checked",
            "check its permissions: the folder needs read and execute (search) permission",
        )
        return Result(PLUGIN, report, None, [], time.perf_counter() - started)
    if layout == SOURCE:
        return build(path, None, strict)
    content = None
    if layout == PLUGIN:
        content = check_plugin(path, report)
    else:
        _check_marketplace(path, report)
    return Result(layout, report, content, [], time.perf_counter() - started)


class Unreadable(Exception):
    """A folder ``detect`` must look into cannot be read (``rel`` is from the root)."""

    def __init__(self, rel: str, strerror: str) -> None:
        super().__init__(f"{rel}: {strerror}")
        self.rel, self.strerror = rel, strerror


def detect(path: Path) -> str:
    """What ``path`` holds; a folder that is none of the three is a usage error.

    Raises ``Unreadable`` when the folder or its .claude-plugin/ cannot be read, so
    that what it holds cannot be told.
    """
    for folder, rel in ((path, "."), (path / ".claude-plugin", ".claude-plugin")):
        exc = sources.unreadable_folder(folder) if os.path.isdir(folder) else None
        if exc is not None:
            raise Unreadable(rel, exc.strerror or str(exc))
    has_plugin = os.path.isfile(path / PLUGIN_MANIFEST)
    has_market = os.path.isfile(path / MARKETPLACE_MANIFEST)
    if has_plugin and has_market and is_pact_project(path):
        return SOURCE
    if has_market:
        return MARKETPLACE
    if has_plugin:
        return PLUGIN
    raise UsageError(
        f"{path} is not a Claude Code plugin, marketplace or PACT source tree: "
        f"found no {PLUGIN_MANIFEST} or {MARKETPLACE_MANIFEST}"
    )


def is_pact_project(path: Path) -> bool:
    """True for the PACT repository: its pyproject.toml names the pact-plugin project.

    A plugin and marketplace in one folder, with a protocols/ folder or a
    hooks/session-brief.md of its own, is someone else's plugin: it is checked as one,
    not held to the rules of the PACT sources.
    """
    if not (os.path.isdir(path / "protocols") or os.path.isfile(path / BRIEF)):
        return False
    try:
        text = (path / "pyproject.toml").read_text(encoding="utf-8")
        project = tomllib.loads(text).get("project")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(project, dict) and project.get("name") == PACT_PROJECT


def check_plugin(root: Path, report: Report) -> Content:
    """Every check that applies to a plugin folder someone else wrote (nothing rendered)."""
    found, problems = sources.find(root, False)
    found, problems = _with_listed(root, found, problems, report)
    report.extend(problems)
    content = _parse(root, found, pact=False, report=report)
    _validate(content, report)
    _check(content, report)
    report.extend(budget.check_bodies(content, None))
    return content


def _with_listed(
    root: Path, found: list[sources.Found], problems: list[Problem], report: Report
) -> tuple[list[sources.Found], list[Problem]]:
    """The files the client loads once plugin.json's component keys are applied: listed
    files added, and a default folder dropped (with a warning) where a key replaces it."""
    item = next((f for f in found if f.kind == "plugin"), None)
    manifest = sources.load(root, item, False)[0] if item is not None else None
    if manifest is None or manifest.frontmatter is None:
        return found, problems
    listing = sources.find_listed(root, manifest.frontmatter)
    listed = {f.rel for f in listing.found}
    for key in listing.replaced:
        kind = sources.COMPONENT_KEYS[key]
        dropped = [f.rel for f in found if f.kind == kind and f.rel not in listed]
        dropped += sorted(
            {p.path for p in problems if p.path.startswith(f"{key}/") and p.path not in listed}
        )
        if not dropped:
            continue
        more = f" and {len(dropped) - 3} more" if len(dropped) > 3 else ""
        shown = ", ".join(dropped[:3]) + more
        report.warn(
            manifest.rel,
            manifest.line(key),
            "ignored-folder",
            f"`{key}` replaces the {key}/ folder, so the client does not load {shown}",
            f"list them in `{key}` too, or remove `{key}` to load the whole {key}/ folder",
        )
        found = [f for f in found if not (f.kind == kind and f.rel not in listed)]
        problems = [p for p in problems if not p.path.startswith(f"{key}/") or p.path in listed]
    known = {f.rel for f in found}
    found = sorted(found + [f for f in listing.found if f.rel not in known], key=lambda f: f.rel)
    return found, problems + listing.problems


def _check_marketplace(root: Path, report: Report) -> None:
    found = [sources.Found("marketplace", root / MARKETPLACE_MANIFEST, MARKETPLACE_MANIFEST)]
    content = _parse(root, found, pact=False, report=report)
    _validate(content, report)
    market = content.sources[0]
    entries = (market.frontmatter or {}).get("plugins")
    entries = entries if isinstance(entries, list) else []
    report.extend(_duplicate_names(market, entries))
    for index, entry in enumerate(entries):
        place = entry.get("source") if isinstance(entry, dict) else None
        if not isinstance(place, str) or not place.startswith("./"):
            continue  # remote sources are not ours to check; the schema judged the shape
        folder = (root / place).resolve()
        line = market.line("plugins", index, "source")
        if not folder.is_relative_to(root.resolve()):
            report.error(
                market.rel,
                line,
                "marketplace-source",
                f"plugin folder {place} leaves the marketplace folder; the client installs "
                "only plugins inside it",
                "move the plugin into the marketplace folder and point source at it "
                "(./ is the marketplace root)",
            )
            continue
        if not os.path.isdir(folder):
            what = "is a file, not a folder" if os.path.lexists(folder) else "does not exist"
            report.error(
                market.rel,
                line,
                "marketplace-source",
                f"plugin folder {place} {what}",
                "point source at the folder that holds the plugin (./ is the marketplace root)",
            )
            continue
        if not _has_plugin(folder):
            report.warn(
                market.rel,
                line,
                "marketplace-source",
                f"plugin folder {place} holds no {PLUGIN_MANIFEST} and no agents, commands, "
                "skills or hooks: the plugin installs with nothing in it",
                "point source at the plugin's folder, or add the plugin there",
            )
            continue
        inner = Report()
        check_plugin(folder, inner)
        prefix = folder.relative_to(root.resolve()).as_posix()
        report.extend([_prefixed(p, prefix) for p in inner.problems])


def _duplicate_names(market: sources.Source, entries: list[object]) -> list[Problem]:
    """The client refuses a marketplace that lists two plugins by one name."""
    problems = []
    first: dict[str, int] = {}
    for index, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            continue
        if name in first:
            problems.append(
                Problem(
                    market.rel,
                    market.line("plugins", index, "name"),
                    "duplicate-plugin",
                    f"plugin name `{name}` is also used by plugins[{first[name]}] "
                    f"(line {market.line('plugins', first[name], 'name')}); "
                    "the client rejects the marketplace",
                    "give each plugin its own name",
                )
            )
        else:
            first[name] = index
    return problems


def _has_plugin(folder: Path) -> bool:
    if sources.unreadable_folder(folder) is not None:
        return True  # check_plugin reports that it cannot be read
    return os.path.isfile(folder / PLUGIN_MANIFEST) or any(
        os.path.lexists(folder / part)
        for part in ("agents", "commands", "skills", "hooks/hooks.json")
    )


def _find(root: Path, pact: bool, report: Report) -> list[sources.Found]:
    found, problems = sources.find(root, pact)
    report.extend(problems)
    if pact and not os.path.isfile(root / BRIEF):
        report.error(
            BRIEF,
            1,
            "missing-brief",
            "the session brief is missing",
            "add hooks/session-brief.md (plain Markdown, no frontmatter)",
        )
    return found


def _parse(root: Path, found: list[sources.Found], pact: bool, report: Report) -> Content:
    loaded = []
    for item in found:
        source, problems = sources.load(root, item, pact)
        loaded.append(source)
        report.extend(problems)
    manifest = next((s for s in loaded if s.kind == "plugin"), None)
    name = (manifest.frontmatter or {}).get("name") if manifest else None
    plugin = name if isinstance(name, str) and name else root.resolve().name
    return Content(root, plugin, pact, tuple(loaded))


def _validate(content: Content, report: Report) -> None:
    for source in content.sources:
        if source.kind in schema.KINDS:
            report.extend(schema.check(source.kind, source, content.pact))


def _check(content: Content, report: Report) -> None:
    for check in (
        checks.check_fields,
        checks.check_agent_skills,
        checks.check_clashes,
        checks.check_mojibake,
        checks.check_skill_length,
        checks.check_manifests,
        checks.check_component_paths,
        checks.check_hook_scripts,
        checks.check_hook_matchers,
        checks.check_duplicate_agents,
        references.check_links,
        references.check_mentions,
        variables.check,
    ):
        report.extend(check(content))


def _prefixed(problem: Problem, prefix: str) -> Problem:
    return problem._replace(path=f"{prefix}/{problem.path}" if prefix != "." else problem.path)
