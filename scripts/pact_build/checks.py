"""Checks beyond the schemas: names, tools, models, clashes, mojibake, hook scripts."""

from __future__ import annotations

import posixpath
import re
import shlex
from typing import Any

import ftfy

from . import names
from .errors import WARNING, Problem
from .sources import Content, Source, listed_paths, probe

COMPONENT_KINDS = ("agent", "command", "skill")
TEXT_KINDS = (
    "agent",
    "command",
    "skill",
    "reference",
    "protocol",
    "brief",
    "plugin",
    "marketplace",
    "hooks",
)
SKILL_MAX_LINES = 500
# The Agent Skills limit for a skill description. The facts sheet shows no client limit
# for any kind, so another plugin's long skill description only warns, and agents and
# commands have none; the PACT sources keep it for every kind (their budget is tight).
DESCRIPTION_MAX = 1024
_ROOT_VAR = re.compile(r"\$\{?CLAUDE_PLUGIN_ROOT\}?")


def check_fields(content: Content) -> list[Problem]:
    """Descriptions present, agent names match files, tools and models known, no ignored fields."""
    problems: list[Problem] = []
    for source in content.of(*COMPONENT_KINDS):
        if source.frontmatter is None:
            continue
        problems += _description(source, content.pact)
        problems += _tools(source)
        problems += _model(source)
        if source.kind == "agent":
            problems += _agent_fields(content, source)
        else:
            problems += _display_name(content, source)
    return problems


def _display_name(content: Content, source: Source) -> list[Problem]:
    """A skill or command ``name`` that differs from the id the client gives it.

    The client lists and calls a skill by its folder name and a command by its
    file name; ``name`` is only shown (facts sheet, section 3).
    """
    name = source.field("name")
    if not isinstance(name, str) or name == source.id:
        return []
    where = "folder" if source.kind == "skill" else "file name"
    return [
        Problem(
            source.rel,
            source.line("name"),
            "name-mismatch",
            f"{source.kind} name `{name}` differs from its {where} `{source.id}`: the client "
            f"calls it {content.plugin}:{source.id}, and `name` is only a display name",
            _rename_hint("folder" if source.kind == "skill" else "file",
                         name if source.kind == "skill" else name + ".md", name, source.id),
            WARNING,
        )
    ]


def _rename_hint(what: str, new: str, name: str, current: str) -> str:
    """Offer renaming to ``name`` only when it is a plain name (no spaces or odd marks)."""
    if _PLAIN_NAME.fullmatch(name):
        return f"rename the {what} to {new}, or set name: {current}"
    return f"set name: {current}"


_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def _description(source: Source, pact: bool = True) -> list[Problem]:
    description = source.field("description")
    if isinstance(description, str) and len(description) > DESCRIPTION_MAX:
        if not pact and source.kind != "skill":
            return []
        return [
            Problem(
                source.rel,
                source.line("description"),
                "description-length",
                f"description is {len(description):,} characters (limit {DESCRIPTION_MAX:,}"
                + (" for a skill in the Agent Skills format)" if not pact else ")"),
                "shorten it to one or two sentences; move detail into the body",
                "error" if pact else WARNING,
            )
        ]
    if description is not None:
        return []
    effect = (
        'the client lists it as "Agent from … plugin"'
        if source.kind == "agent"
        else "the client does not list it to the model"
    )
    return [
        Problem(
            source.rel,
            1,
            "missing-description",
            f"no description: {effect}",
            "add `description:` saying what it does and when to use it",
            WARNING,
        )
    ]


def _tools(source: Source) -> list[Problem]:
    keys = ("tools", "disallowedTools") if source.kind == "agent" else ("allowed-tools",)
    problems = []
    for key in keys:
        for tool in names.split_list(source.field(key)):
            if names.known_tool(tool):
                continue
            instead = names.retired_tool(tool)
            guess = names.closest(tool, names.tools())
            if instead:
                hint = f"Claude Code no longer offers {tool}; use {instead}"
            elif guess:
                hint = f"did you mean {guess}?"
            else:
                hint = "the client's tools are " + ", ".join(names.tools())
            problems.append(
                Problem(
                    source.rel,
                    source.line(key),
                    "unknown-tool",
                    f"unknown tool `{tool}` in `{key}`; the client drops it silently",
                    hint,
                    WARNING,
                )
            )
    return problems


def _model(source: Source) -> list[Problem]:
    model = source.field("model")
    if not isinstance(model, str) or names.known_model(model):
        return []
    return [
        Problem(
            source.rel,
            source.line("model"),
            "unknown-model",
            f"unknown model `{model}`; the client sends it to the API as written",
            "use inherit, sonnet, opus, haiku or a full claude-… model id",
        )
    ]


def _agent_fields(content: Content, source: Source) -> list[Problem]:
    problems = [
        Problem(
            source.rel,
            source.line(key),
            "ignored-field",
            f"`{key}` is ignored by the client for plugin agents",
            "remove it; only agents in .claude/agents/ honour it",
            WARNING,
        )
        for key in names.agent_ignored_fields()
        if key in (source.frontmatter or {})
    ]
    stem = source.rel.rsplit("/", 1)[-1][:-3]
    name = source.field("name")
    if content.pact and isinstance(name, str) and name != stem:
        problems.append(
            Problem(
                source.rel,
                source.line("name"),
                "name-mismatch",
                f"agent name `{name}` differs from the file name `{stem}`",
                _rename_hint("file", f"{name}.md", name, stem),
                WARNING,
            )
        )
    return problems


def check_agent_skills(content: Content) -> list[Problem]:
    """Every name in an agent's ``skills:`` is a skill (or command) of this plugin, exactly."""
    known = sorted(set(content.ids("skill")) | set(content.ids("command")))
    problems = []
    for agent in content.of("agent"):
        value = agent.field("skills")
        for index, name in enumerate(names.split_list(value)):
            line = agent.line("skills", index) if isinstance(value, list) else agent.line("skills")
            problem = _skill_name(content.plugin, name, known, agent.rel, line)
            if problem is not None:
                problems.append(problem)
    return problems


def _skill_name(plugin: str, name: str, known: list[str], rel: str, line: int) -> Problem | None:
    prefix, sep, bare = name.rpartition(":")
    if sep and prefix != plugin:
        if prefix.lower() != plugin.lower():
            return None  # another plugin's skill: not ours to judge
        return Problem(
            rel, line, "wrong-case", f"`{name}` has the wrong case", f"write {plugin}:{bare}"
        )
    if bare in known:
        return None
    by_case = {k.lower(): k for k in known}
    if bare.lower() in by_case:
        right = by_case[bare.lower()]
        return Problem(
            rel,
            line,
            "wrong-case",
            f"`{name}` has the wrong case; skill ids are case-sensitive",
            f"write {right}",
        )
    guess = names.closest(bare, known)
    return Problem(
        rel,
        line,
        "unknown-skill",
        f"skill `{name}` does not exist; the client skips it silently",
        f"did you mean {guess}?" if guess else "add the skill or drop the name",
    )


def check_clashes(content: Content) -> list[Problem]:
    """Commands and skills share one namespace, which also holds the built-in commands."""
    problems = []
    skills = content.ids("skill")
    builtin = names.builtin_commands()
    for name, command in sorted(content.ids("command").items()):
        if name in skills:
            problems.append(
                Problem(
                    skills[name].rel,
                    1,
                    "name-clash",
                    f"skill `{name}` has the same id as {command.rel}",
                    "rename the skill folder or the command file",
                )
            )
    # Plugin commands are called only with the namespace (/plugin:x), so in another
    # plugin they cannot clash; plugin skills also answer bare (/x), so a skill named like
    # a built-in warns there (facts sheet, section 1). The PACT sources avoid both.
    for source in content.of("command", "skill") if content.pact else content.of("skill"):
        if source.id in builtin:
            problems.append(
                Problem(
                    source.rel,
                    1,
                    "builtin-clash",
                    f"`{source.id}` is also a built-in command (/{source.id})"
                    + ("" if content.pact else
                       f": typed bare, /{source.id} may not reach the skill; "
                       f"/{content.plugin}:{source.id} always does"),
                    f"rename it, e.g. {content.plugin.lower()}-{source.id}",
                    "error" if content.pact else WARNING,
                )
            )
    return problems


def check_mojibake(content: Content) -> list[Problem]:
    """UTF-8 text that was once decoded as cp1252 or Latin-1 (``â€”`` for ``—``)."""
    problems = []
    for source in content.of(*TEXT_KINDS):
        for index, line in enumerate(source.text.split("\n")):
            if not ftfy.badness.is_bad(line):
                continue
            fixed = ftfy.fix_encoding(line)
            if fixed != line:
                problems.append(
                    Problem(
                        source.rel,
                        index + 1,
                        "mojibake",
                        "garbled characters (UTF-8 read as cp1252)",
                        f"replace the line with: {fixed.strip()}",
                    )
                )
    return problems


def check_skill_length(content: Content) -> list[Problem]:
    return [
        Problem(
            s.rel,
            1,
            "skill-too-long",
            f"SKILL.md body has {s.body.count(chr(10))} lines (over {SKILL_MAX_LINES})",
            "move detail into references/ and point to it",
            WARNING,
        )
        for s in content.of("skill")
        if s.body.count("\n") > SKILL_MAX_LINES
    ]


def check_manifests(content: Content) -> list[Problem]:
    """The PACT manifests: no component lists, and a marketplace entry for the plugin folder."""
    if not content.pact:
        return []
    problems = [
        Problem(
            s.rel,
            1,
            "generated-file",
            f"{s.rel} is generated by the build from pact_runtime.registry; this copy is ignored",
            "remove it and register handlers in scripts/pact_runtime/registry.py",
            WARNING,
        )
        for s in content.of("hooks")
    ]
    plugin = next(iter(content.of("plugin")), None)
    for key in ("agents", "commands", "skills", "hooks"):
        if plugin is not None and key in (plugin.frontmatter or {}):
            problems.append(
                Problem(
                    plugin.rel,
                    plugin.line(key),
                    "component-list",
                    f"`{key}` lists components; the build relies on default folders",
                    f"remove `{key}` (an explicit list replaces or doubles the folder)",
                )
            )
    market = next(iter(content.of("marketplace")), None)
    entries = (market.frontmatter or {}).get("plugins") if market else None
    if market is not None and isinstance(entries, list):
        wanted = f"./{content.plugin}"
        if not any(isinstance(e, dict) and e.get("source") == wanted for e in entries):
            problems.append(
                Problem(
                    market.rel,
                    market.line("plugins"),
                    "marketplace-source",
                    f'no plugin entry has source "{wanted}", where the build puts the plugin',
                    f'set "source": "{wanted}"',
                )
            )
    return problems


def check_component_paths(content: Content) -> list[Problem]:
    """Component paths listed in plugin.json exist; the client's loader fails on a missing one."""
    plugin = next(iter(content.of("plugin")), None)
    if plugin is None or content.pact:
        return []  # the PACT sources may list nothing at all (check_manifests)
    problems = []
    for key in ("agents", "commands", "skills", "hooks"):
        # Paths of the wrong shape are the schema's to report.
        for index, path in listed_paths(plugin.frontmatter or {}, key):
            where = (key,) if index is None else (key, index)
            if key == "hooks" and posixpath.normpath(path) == "hooks/hooks.json":
                problems.append(
                    Problem(
                        plugin.rel,
                        plugin.line(*where),
                        "duplicate-hooks",
                        "hooks/hooks.json is loaded without being listed; listed again, it "
                        "runs once and the client logs `Duplicate hooks file detected`",
                        "remove ./hooks/hooks.json from `hooks`; list only extra hooks files",
                        WARNING,
                    )
                )
            if probe(content.root / path) is False:  # None: its folder is reported unreadable
                problems.append(
                    Problem(
                        plugin.rel,
                        plugin.line(*where),
                        "missing-path",
                        f"`{key}` lists {path}, which does not exist in the plugin",
                        "fix the path (relative to the plugin root) or remove the entry",
                    )
                )
    return problems


def _unquoted_root(command: str) -> bool:
    """Some ``$CLAUDE_PLUGIN_ROOT`` or ``${CLAUDE_PLUGIN_ROOT}`` stands outside double
    quotes: an odd number of ``"`` before it means a quoted part is open (single quotes
    would keep the variable from expanding at all, so they are not counted)."""
    return any(
        command.count('"', 0, match.start()) % 2 == 0 for match in _ROOT_VAR.finditer(command)
    )


def check_hook_matchers(content: Content) -> list[Problem]:
    """A matcher that is no valid regex never matches: its hooks never run (facts sheet,
    section 4). The client's regexes are JavaScript's and this reads them with Python's
    re, which refuses a few JavaScript forms, so it warns rather than fails."""
    problems = []
    inline = [s for s in content.of("plugin") if isinstance(s.field("hooks"), dict)]
    for source in content.of("hooks") + inline:
        events = (source.frontmatter or {}).get("hooks")
        for event, groups in events.items() if isinstance(events, dict) else []:
            for g, group in enumerate(groups if isinstance(groups, list) else []):
                matcher = group.get("matcher") if isinstance(group, dict) else None
                if not isinstance(matcher, str) or matcher in ("", "*"):
                    continue
                try:
                    re.compile(matcher)
                except re.error as exc:
                    problems.append(
                        Problem(
                            source.rel,
                            source.line("hooks", event, g, "matcher"),
                            "hook-matcher",
                            f"matcher `{matcher}` is not a valid regex ({exc.msg}): "
                            "the client never matches it, so these hooks never run",
                            "fix the regex, e.g. Bash or Edit|Write; omit matcher to match "
                            "every tool",
                            WARNING,
                        )
                    )
    return problems


def check_duplicate_agents(content: Content) -> list[Problem]:
    """Two agents with one id: the client calls agents by id, ignoring case (facts sheet,
    section 1), so only one of them can be dispatched; which one is not determined."""
    problems = []
    first: dict[str, Source] = {}
    for agent in content.of("agent"):
        key = agent.id.lower()
        if key not in first:
            first[key] = agent
            continue
        problems.append(
            Problem(
                agent.rel,
                agent.line("name"),
                "duplicate-agent",
                f"agent `{agent.id}` has the same name as {first[key].rel}; only one of the "
                "two can be dispatched",
                "give each agent its own name",
                WARNING,
            )
        )
    return problems


def check_hook_scripts(content: Content) -> list[Problem]:
    """Scripts a hooks.json command runs from the plugin exist; paths are quoted."""
    problems = []
    # plugin.json may hold an event map under `hooks`, run besides hooks/hooks.json.
    inline = [s for s in content.of("plugin") if isinstance(s.field("hooks"), dict)]
    for source in content.of("hooks") + inline:
        for path, hook in _command_hooks(source.frontmatter or {}):
            problems += _hook_script(content, source, path, hook)
    return problems


def _command_hooks(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    found = []
    events = data.get("hooks")
    for event, groups in events.items() if isinstance(events, dict) else []:
        for g, group in enumerate(groups if isinstance(groups, list) else []):
            hooks = group.get("hooks") if isinstance(group, dict) else None
            for h, hook in enumerate(hooks if isinstance(hooks, list) else []):
                if isinstance(hook, dict) and isinstance(hook.get("command"), str):
                    found.append((("hooks", event, g, "hooks", h, "command"), hook))
    return found


def _hook_script(
    content: Content, source: Source, path: tuple[Any, ...], hook: dict[str, Any]
) -> list[Problem]:
    command: str = hook["command"]
    try:
        words = shlex.split(command) + [str(a) for a in hook.get("args") or []]
    except ValueError:
        return [
            Problem(
                source.rel,
                source.line(*path),
                "hook-command",
                "the command has unbalanced quotes",
                "check the quoting",
            )
        ]
    problems = []
    for word in words:
        if not _ROOT_VAR.match(word):
            continue
        rel = _ROOT_VAR.sub("", word, count=1).lstrip("/")
        if rel and probe(content.root / rel) is False:
            problems.append(
                Problem(
                    source.rel,
                    source.line(*path),
                    "hook-script-missing",
                    f"hook runs {rel}, which does not exist in the plugin",
                    "add the script or fix the path",
                )
            )
    if "CLAUDE_PLUGIN_ROOT" in command and not hook.get("args") and _unquoted_root(command):
        problems.append(
            Problem(
                source.rel,
                source.line(*path),
                "hook-unquoted-root",
                "${CLAUDE_PLUGIN_ROOT} is not in double quotes; a path with a space breaks it",
                'write "${CLAUDE_PLUGIN_ROOT}/…"',
                WARNING,
            )
        )
    return problems
