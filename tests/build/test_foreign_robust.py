"""validate PATH never crashes on a plugin someone else wrote: odd manifests, sources that
leave the marketplace, folders that cannot be read."""

from __future__ import annotations

import json
import os

import pytest
from pact_build import cli, pipeline, sources

from .helpers import found

P = ".claude-plugin/plugin.json"
M = ".claude-plugin/marketplace.json"
BASIC = {
    P: '{\n  "name": "mini"\n}\n',
    "agents/a.md": "---\nname: a\ndescription: A.\n---\nBody.\n",
    "commands/c.md": "---\ndescription: C.\n---\nBody.\n",
    "skills/s/SKILL.md": "---\ndescription: S.\n---\nSee [r](references/r.md).\n",
    "skills/s/references/r.md": "# R\n",
    "skills/t/SKILL.md": "---\ndescription: T.\n---\nBody.\n",
    "hooks/hooks.json": '{"hooks": {}}\n',
}


@pytest.mark.parametrize("key, value", [
    ("skills", "7"), ("agents", "7"), ("commands", "true"), ("hooks", "5"), ("skills", "null"),
])
def test_a_component_path_that_is_no_string_is_a_schema_error(source_tree, key, value):
    manifest = f'{{\n  "name": "mini",\n  "{key}": {value}\n}}\n'
    root = source_tree(files={**BASIC, P: manifest}, base=False)

    assert found(root) == [(P, 3, "schema", "error")]


def test_a_marketplace_source_that_leaves_the_folder_is_an_error(source_tree):
    plugins = [{"name": "x", "source": "./../x"}]
    text = json.dumps({"name": "mm", "owner": {"name": "o"}, "plugins": plugins}, indent=2)
    root = source_tree(files={f"m/{M}": text, **{f"x/{k}": v for k, v in BASIC.items()}},
                       base=False)

    result = pipeline.validate(root / "m")

    [problem] = result.report.problems
    assert (problem.path, problem.line, problem.code) == (M, 9, "marketplace-source")
    assert "leaves the marketplace folder" in problem.message


@pytest.fixture
def deny(monkeypatch):
    """``deny(root, rel, …)``: those folders read as if their permissions were 000."""
    denied: set[str] = set()
    real = sources.unreadable_folder

    def unreadable(folder):
        if os.path.abspath(folder) in denied:
            return PermissionError(13, "Permission denied")
        return real(folder)

    monkeypatch.setattr(sources, "unreadable_folder", unreadable)

    def add(root, *rels):
        denied.update(os.path.abspath(root / rel) for rel in rels)
        return root

    return add


@pytest.mark.parametrize("rel", [
    ".", ".claude-plugin", "hooks", "skills", "skills/s/references", "agents", "commands",
    "skills/t",
])
def test_a_folder_that_cannot_be_read_is_an_unreadable_error(source_tree, deny, rel):
    root = deny(source_tree(files=BASIC, base=False), rel)

    result = pipeline.validate(root)

    assert [(p.path, p.line, p.code, p.severity) for p in result.report.problems] == [
        (rel, 1, "unreadable", "error")
    ]
    assert "cannot read the folder (Permission denied)" in result.report.problems[0].message


def test_an_unreadable_folder_fails_the_cli_without_a_traceback(source_tree, deny, capsys):
    root = deny(source_tree(files=BASIC, base=False), "agents")

    assert cli.main(["validate", str(root)]) == cli.EXIT_CONTENT
    err = capsys.readouterr().err
    assert "agents:1: unreadable:" in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="permissions do not bind root (the monkeypatched tests cover it)")
def test_a_folder_with_mode_000_is_unreadable(source_tree):
    root = source_tree(files=BASIC, base=False)
    (root / "skills" / "t").chmod(0)
    try:
        assert found(root) == [("skills/t", 1, "unreadable", "error")]
    finally:
        (root / "skills" / "t").chmod(0o755)


# Component paths in plugin.json (facts sheet, section 1: an `agents` or `commands` entry
# replaces its folder, `skills` and `hooks` entries add to theirs).

CUSTOM = {
    P: '{\n  "name": "custom",\n  "agents": ["./extra/x.md"],\n  "commands": "./othercmd",\n'
       '  "skills": "./moreskills",\n  "hooks": "./hooks/extra.json"\n}\n',
    "agents/a.md": "---\nname: aga\ndescription: A.\n---\nBody.\n",
    "agents/b.md": "---\nname: agb\ndescription: B.\n---\nBody.\n",
    "extra/x.md": "---\nname: agx\ndescription: X.\n---\nBody.\n",
    "commands/c.md": "---\ndescription: C.\n---\nBody.\n",
    "commands/d.md": "---\ndescription: D.\n---\nBody.\n",
    "othercmd/e.md": "---\ndescription: E.\n---\nBody.\n",
    "skills/s/SKILL.md": "---\ndescription: S.\n---\nBody.\n",
    "moreskills/t/SKILL.md": "---\ndescription: T.\n---\nBody.\n",
    "hooks/hooks.json": '{"hooks": {}}\n',
    "hooks/extra.json": '{"hooks": {}}\n',
}


def test_listed_components_are_the_ones_loaded_and_counted(source_tree):
    result = pipeline.validate(source_tree(files=CUSTOM, base=False))

    assert result.content is not None
    assert {kind: sorted(s.id for s in result.content.of(kind))
            for kind in ("agent", "command", "skill")} == {
        "agent": ["agx"], "command": ["e"], "skill": ["s", "t"]}
    assert [s.rel for s in result.content.of("hooks")] == ["hooks/extra.json", "hooks/hooks.json"]
    assert [(p.path, p.line, p.code, p.severity) for p in result.report.problems] == [
        (P, 3, "ignored-folder", "warning"),
        (P, 4, "ignored-folder", "warning"),
    ]
    assert "agents/a.md, agents/b.md" in result.report.problems[0].message
    assert cli._counts(result) == "1 agents, 1 commands, 2 skills, 2 hooks file(s)"


@pytest.mark.parametrize("rel, text, expected", [
    ("extra/x.md", "---\nname: agx\nmodel: gpt-5\n---\nBody.\n",
     ("extra/x.md", 3, "unknown-model")),
    ("othercmd/e.md", "---\ndescription: [unclosed\n---\nBody.\n",
     ("othercmd/e.md", 2, "yaml-syntax")),
    ("moreskills/t/SKILL.md", "---\ndescription: T.\ntools: Bash\n---\nBody.\n",
     ("moreskills/t/SKILL.md", 3, "unknown-key")),
    ("hooks/extra.json", '{"hooks": {"BogusEvent": []}}\n', ("hooks/extra.json", 1, "schema")),
])
def test_listed_files_are_checked(source_tree, rel, text, expected):
    root = source_tree(files={**CUSTOM, rel: text}, base=False)

    assert expected in [(p, line, code) for p, line, code, _ in found(root)]


def test_a_default_file_that_is_listed_is_loaded_and_not_reported_as_ignored(source_tree):
    manifest = '{\n  "name": "custom",\n  "agents": ["./agents/a.md", "./extra/x.md"]\n}\n'
    root = source_tree(files={**CUSTOM, P: manifest}, base=False)

    result = pipeline.validate(root)

    assert sorted(s.id for s in result.content.of("agent")) == ["aga", "agx"]
    [problem] = [p for p in result.report.problems if p.code == "ignored-folder"]
    assert (problem.line, "agents/b.md" in problem.message, "a.md" in problem.message) == (
        3, True, False)


def test_listing_hooks_json_again_is_a_duplicate_warning(source_tree):
    manifest = '{\n  "name": "custom",\n  "hooks": "./hooks/hooks.json"\n}\n'
    root = source_tree(files={**CUSTOM, P: manifest}, base=False)

    assert found(root) == [(P, 3, "duplicate-hooks", "warning")]


def test_an_inline_hook_map_in_the_manifest_has_its_scripts_checked(source_tree):
    hooks = {"SessionStart": [{"hooks": [
        {"type": "command", "command": 'python3 "${CLAUDE_PLUGIN_ROOT}/gone.py"'}]}]}
    manifest = json.dumps({"name": "custom", "hooks": hooks}, indent=2)
    root = source_tree(files={**BASIC, P: manifest}, base=False)

    assert found(root) == [(P, 9, "hook-script-missing", "error")]


# What the client accepts is a warning in another plugin; the PACT sources stay strict.

LONG = "x" * 1100


@pytest.mark.parametrize("rel, text, expected", [
    ("agents/a.md", "Just a body.\n", ("agents/a.md", 1, "no-frontmatter", "warning")),
    ("agents/a.md", "", ("agents/a.md", 1, "no-frontmatter", "warning")),
    ("commands/c.md", "Just a body.\n", ("commands/c.md", 1, "no-frontmatter", "warning")),
    ("skills/s/SKILL.md", "Body.\n", ("skills/s/SKILL.md", 1, "no-frontmatter", "warning")),
    ("commands/c.md", "---\ndescription: C.\nBody.\n",
     ("commands/c.md", 1, "no-frontmatter", "error")),
    ("skills/s/SKILL.md", f"---\ndescription: {LONG}\n---\nBody.\n",
     ("skills/s/SKILL.md", 2, "description-length", "warning")),
    ("commands/c.md", "---\ndescription: C.\nargument-hint: [files...]\n---\nBody.\n",
     ("commands/c.md", 3, "yaml-list", "warning")),
    ("skills/review/SKILL.md", "---\ndescription: R.\n---\nBody.\n",
     ("skills/review/SKILL.md", 1, "builtin-clash", "warning")),
    ("commands/c.md", "---\ndescription: no\n---\nBody.\n",
     ("commands/c.md", 2, "yaml-bool", "warning")),
    ("commands/c.md", "---\ndescription: 2024-01-01\n---\nBody.\n",
     ("commands/c.md", 2, "yaml-date", "warning")),
    ("commands/c.md", "---\ndescription: C.\ndisable-model-invocation: yes\n---\nBody.\n",
     ("commands/c.md", 3, "yaml-bool", "error")),
    # `claude plugin validate` rejects it, though a session still loads the agent.
    ("agents/a.md", "---\nname: a\ndescription: Reviews code: fast\n---\nBody.\n",
     ("agents/a.md", 3, "yaml-syntax", "error")),
    ("skills/stray.md", "# Stray\n", ("skills/stray.md", 1, "skill-depth", "warning")),
])
def test_what_the_client_loads_as_meant_warns_in_another_plugin(source_tree, rel, text, expected):
    root = source_tree(files={**BASIC, rel: text}, base=False)

    assert found(root) == [expected]


@pytest.mark.parametrize("rel, text", [
    ("agents/a.md", f"---\nname: a\ndescription: {LONG}\n---\nBody.\n"),
    ("commands/c.md", f"---\ndescription: {LONG}\n---\nBody.\n"),
    ("commands/review.md", "---\ndescription: Review.\n---\nBody.\n"),
    ("skills/README.md", "# The skills of this plugin\n"),
])
def test_what_the_client_accepts_in_another_plugin_is_no_problem(source_tree, rel, text):
    assert found(source_tree(files={**BASIC, rel: text}, base=False), strict=True) == []


def test_a_reference_over_the_size_pact_plugin_reads_only_warns(source_tree, monkeypatch):
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 100)
    root = source_tree(files={**BASIC, "skills/s/references/r.md": "# R\n\n" + "x" * 200},
                       base=False)

    assert found(root) == [("skills/s/references/r.md", 1, "file-too-large", "warning")]


@pytest.mark.parametrize("rel, text, code", [
    ("commands/orchestrate.md", "Just a body.\n", "no-frontmatter"),
    ("commands/review.md", "---\ndescription: Review.\n---\nBody.\n", "builtin-clash"),
    ("agents/pact-tester.md", f"---\nname: pact-tester\ndescription: {LONG}\n---\nBody.\n",
     "description-length"),
])
def test_the_pact_sources_stay_strict(source_tree, rel, text, code):
    problems = pipeline.validate(source_tree(files={rel: text})).report.problems

    assert (rel, code, "error") in [(p.path, p.code, p.severity) for p in problems]


def test_a_command_without_frontmatter_is_not_told_to_add_a_name(source_tree):
    for base, rel in ((False, "commands/c.md"), (True, "commands/orchestrate.md")):
        files = {**BASIC, rel: "Body.\n"} if not base else {rel: "Body.\n"}
        problems = pipeline.validate(source_tree(files=files, base=base)).report.problems
        [problem] = [p for p in problems if p.code == "no-frontmatter"]
        assert problem.hint == "start the file with ---, description: …, ---"


# A plugin that is its own marketplace and happens to have PACT-like folders.

def _both(extra):
    plugins = [{"name": "code-helper", "source": "./"}]
    market = json.dumps({"name": "mkt", "owner": {"name": "o"}, "plugins": plugins}, indent=2)
    return {**BASIC, M: market, **extra}


@pytest.mark.parametrize("extra", [
    {"protocols/x.md": "# X\n"},
    {"hooks/session-brief.md": "Brief.\n"},
    {"protocols/x.md": "# X\n", "pyproject.toml": '[project]\nname = "code-helper"\n'},
    {"protocols/x.md": "# X\n", "pyproject.toml": "not toml ["},
])
def test_a_foreign_root_with_pact_like_folders_is_checked_as_a_plugin(source_tree, extra):
    root = source_tree(files=_both(extra), base=False)

    result = pipeline.validate(root, strict=True)

    assert result.layout == pipeline.MARKETPLACE
    assert result.report.problems == []


def test_the_pact_sources_are_told_by_their_pyproject(source_tree):
    assert pipeline.detect(source_tree()) == pipeline.SOURCE


# Subfolders of agents/ and commands/ are namespaces (facts sheet, section 1).

def test_agents_and_commands_in_subfolders_pass_strict_and_are_named_by_folder(source_tree):
    files = {
        **BASIC,
        "agents/sub/nested.md": "---\nname: nested\ndescription: N.\n---\nBody.\n",
        "commands/sub/deploy.md": "---\ndescription: Deploy.\n---\nThen run /mini:sub:deploy.\n",
        "commands/a/b/deep.md": "---\ndescription: Deep.\n---\nAsk mini:sub:nested.\n",
    }

    result = pipeline.validate(source_tree(files=files, base=False), strict=True)

    assert result.report.problems == []
    assert sorted(s.id for s in result.content.of("agent")) == ["a", "sub:nested"]
    assert sorted(s.id for s in result.content.of("command")) == ["a:b:deep", "c", "sub:deploy"]


def test_a_nested_command_is_checked_like_any_other(source_tree):
    files = {**BASIC, "commands/sub/x.md": "---\ndescription: X.\nallowed-tools: Nope\n---\nB.\n"}

    assert found(source_tree(files=files, base=False)) == [
        ("commands/sub/x.md", 3, "unknown-tool", "warning")]


def test_a_mention_of_a_nested_command_that_does_not_exist_is_reported(source_tree):
    files = {**BASIC, "commands/sub/x.md": "---\ndescription: X.\n---\nRun /mini:sub:y.\n"}

    assert found(source_tree(files=files, base=False)) == [
        ("commands/sub/x.md", 4, "unknown-reference", "error")]


# Messages that say what is wrong and how to fix it.

@pytest.mark.parametrize("text, message, hint", [
    ("", "the file is empty",
     'write a JSON object such as {"name": "my-plugin"}, or remove the file'),
    ("[1]", "the file holds a list, but it must hold a JSON object",
     'write the settings inside { … }, e.g. {"name": "my-plugin"}'),
    ('{"name": "mini", "repository": 5}', "`repository` must be a string or a mapping, "
     "not the number 5", "give `repository` a string or a mapping"),
])
def test_manifest_messages_say_what_to_write(source_tree, text, message, hint):
    root = source_tree(files={**BASIC, P: text}, base=False)

    [problem] = pipeline.validate(root).report.problems

    assert (problem.path, problem.message, problem.hint) == (P, message, hint)


def test_an_unclosed_frontmatter_says_to_add_the_closing_line(source_tree):
    root = source_tree(files={**BASIC, "commands/c.md": "---\ndescription: C.\nBody.\n"},
                       base=False)

    [problem] = pipeline.validate(root).report.problems

    assert (problem.message, problem.hint) == (
        "the frontmatter block is never closed",
        "add a line with --- after the last frontmatter line")


@pytest.mark.parametrize("command, warned", [
    ('python3 "$CLAUDE_PLUGIN_ROOT/x.py"', False),
    ('python3 "${CLAUDE_PLUGIN_ROOT}/x.py"', False),
    ('cd "$HOME" && python3 "${CLAUDE_PLUGIN_ROOT}/x.py" "a b"', False),
    ("python3 $CLAUDE_PLUGIN_ROOT/x.py", True),
    ('echo "a" && python3 ${CLAUDE_PLUGIN_ROOT}/x.py', True),
])
def test_a_plugin_root_in_double_quotes_is_not_called_unquoted(source_tree, command, warned):
    hooks = {"hooks": {"Stop": [{"hooks": [{"type": "command", "command": command}]}]}}
    files = {**BASIC, "hooks/hooks.json": json.dumps(hooks), "x.py": "print()\n"}

    codes = [code for _, _, code, _ in found(source_tree(files=files, base=False))]

    assert codes == (["hook-unquoted-root"] if warned else [])


@pytest.mark.parametrize("data", [
    "---\ndescription: C.\n---\nBody.\n".encode("utf-16"),
    "---\ndescription: C.\n---\nBody.\n".encode("utf-16-le"),
])
def test_a_utf16_file_is_called_utf16(source_tree, data):
    root = source_tree(files={**BASIC, "commands/c.md": data}, base=False)

    [problem] = pipeline.validate(root).report.problems

    assert (problem.path, problem.line, problem.code) == ("commands/c.md", 1, "encoding")
    assert "UTF-16" in problem.message and "\x00" not in problem.message + problem.hint


# Problems the client shows only in a debug log, or not at all.

def test_an_invalid_mcp_json_is_an_error(source_tree):
    root = source_tree(files={**BASIC, ".mcp.json": '{"mcpServers": {"x": {"command": "npx",}}}'},
                       base=False)

    assert found(root) == [(".mcp.json", 1, "json-syntax", "error")]


@pytest.mark.parametrize("rel, text, manifest", [
    (".mcp.json", '{\n  "mcpServers": {\n    "x": {\n      "command": 5\n    }\n  }\n}\n', None),
    ("servers.json", '{\n  "mcpServers": {\n    "x": {\n      "command": 5\n    }\n  }\n}\n',
     '{"name": "mini", "mcpServers": "./servers.json"}'),
])
def test_an_mcp_server_command_that_is_no_string_is_an_error(source_tree, rel, text, manifest):
    files = {**BASIC, rel: text, **({P: manifest} if manifest else {})}

    assert found(source_tree(files=files, base=False)) == [(rel, 4, "schema", "error")]


def test_an_inline_mcp_server_command_that_is_no_string_is_an_error(source_tree):
    manifest = json.dumps({"name": "mini", "mcpServers": {"x": {"command": 5}}}, indent=2)

    assert found(source_tree(files={**BASIC, P: manifest}, base=False)) == [
        (P, 5, "schema", "error")]


def test_a_valid_mcp_json_passes(source_tree):
    text = '{"mcpServers": {"x": {"command": "npx", "args": ["-y", "s"], "env": {"A": "1"}}}}'

    assert found(source_tree(files={**BASIC, ".mcp.json": text}, base=False), strict=True) == []


@pytest.mark.parametrize("matcher, warned", [("Bash(", True), ("Bash|Edit", False), ("*", False)])
def test_an_invalid_hook_matcher_warns(source_tree, matcher, warned):
    hooks = {"hooks": {"PreToolUse": [{"matcher": matcher, "hooks": [
        {"type": "command", "command": "true"}]}]}}
    root = source_tree(files={**BASIC, "hooks/hooks.json": json.dumps(hooks, indent=2)},
                       base=False)

    assert found(root) == ([("hooks/hooks.json", 5, "hook-matcher", "warning")] if warned else [])


def test_two_agents_with_one_name_warn(source_tree):
    files = {**BASIC, "agents/b.md": "---\nname: A\ndescription: B.\n---\nBody.\n"}

    assert found(source_tree(files=files, base=False)) == [
        ("agents/b.md", 2, "duplicate-agent", "warning")]
