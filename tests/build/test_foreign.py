"""validate PATH on any plugin folder or marketplace, not only the PACT sources."""

from __future__ import annotations

import json

import pytest
from pact_build import pipeline

from .helpers import found

HOOKS = {
    "hooks": {
        "PreToolUse": [
            {
                "matcher": "Bash",
                "hooks": [
                    {
                        "type": "command",
                        "command": 'python3 "${CLAUDE_PLUGIN_ROOT}/hooks/check.py"',
                        "timeout": 5,
                    }
                ],
            }
        ]
    }
}
MINI = {
    ".claude-plugin/plugin.json": json.dumps({"name": "mini", "author": {"name": "m"}}, indent=2),
    "agents/db.md": "---\nname: db\ndescription: Database helper; ask mini:foo.\n---\nBody.\n",
    "commands/c.md": "---\ndescription: Run c\n---\nUse /mini:foo.\n",
    "skills/foo/SKILL.md": "---\nname: foo\ndescription: Foo skill.\n---\nBody.\n",
    "hooks/hooks.json": json.dumps(HOOKS, indent=2),
    "hooks/check.py": "print('ok')\n",
}


def hooks_file(hook):
    return json.dumps({"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [hook]}]}}, indent=2)


def test_minimal_foreign_plugin_is_valid(source_tree):
    root = source_tree(files=MINI, base=False)

    result = pipeline.validate(root, strict=True)

    assert result.layout == pipeline.PLUGIN
    assert result.report.problems == []


FOREIGN_CASES = {
    "missing hook script": (
        {"hooks/check.py": None},
        [("hooks/hooks.json", 9, "hook-script-missing", "error")],
    ),
    "missing exec-form script": (
        {
            "hooks/hooks.json": hooks_file(
                {"type": "command", "command": "python3", "args": ["${CLAUDE_PLUGIN_ROOT}/gone.py"]}
            )
        },
        [("hooks/hooks.json", 9, "hook-script-missing", "error")],
    ),
    "unknown hook event": (
        {"hooks/hooks.json": json.dumps({"hooks": {"BogusEvent": []}}, indent=2)},
        [("hooks/hooks.json", 3, "schema", "error")],
    ),
    "unknown hook option": (
        {"hooks/hooks.json": hooks_file({"type": "command", "command": "true", "colour": "x"})},
        [("hooks/hooks.json", 10, "unknown-key", "warning")],
    ),
    "unquoted plugin root": (
        {
            "hooks/hooks.json": hooks_file(
                {"type": "command", "command": "python3 ${CLAUDE_PLUGIN_ROOT}/hooks/check.py"}
            )
        },
        [("hooks/hooks.json", 9, "hook-unquoted-root", "warning")],
    ),
    "agent folder as a string": (
        {".claude-plugin/plugin.json": '{\n  "name": "mini",\n  "agents": "./extra/"\n}\n'},
        [(".claude-plugin/plugin.json", 3, "schema", "error")],
    ),
    "component path without ./": (
        {".claude-plugin/plugin.json": '{\n  "name": "mini",\n  "commands": "othercmd"\n}\n'},
        [(".claude-plugin/plugin.json", 3, "schema", "error")],
    ),
    "component path with ..": (
        {".claude-plugin/plugin.json": '{\n  "name": "mini",\n  "skills": ["./../x"]\n}\n'},
        [(".claude-plugin/plugin.json", 3, "schema", "error")],
    ),
    "listed agent file missing": (
        {".claude-plugin/plugin.json": '{\n  "name": "mini",\n  "agents": ["./extra/x.md"]\n}\n'},
        [(".claude-plugin/plugin.json", 3, "missing-path", "error")],
    ),
    "listed skills folder missing": (
        {".claude-plugin/plugin.json": '{\n  "name": "mini",\n  "skills": "./more"\n}\n'},
        [(".claude-plugin/plugin.json", 3, "missing-path", "error")],
    ),
    "listed hooks file missing": (
        {".claude-plugin/plugin.json": '{\n  "name": "mini",\n  "hooks": "./hooks/x.json"\n}\n'},
        [(".claude-plugin/plugin.json", 3, "missing-path", "error")],
    ),
    "agent in a subfolder is checked": (
        {"agents/sub/nested.md": "---\nname: nested\ndescription: N.\nmodel: gpt-5\n---\nB.\n"},
        [("agents/sub/nested.md", 4, "unknown-model", "error")],
    ),
    "marketplace key in plugin.json": (
        {".claude-plugin/plugin.json": '{\n  "name": "mini",\n  "category": "x"\n}\n'},
        [(".claude-plugin/plugin.json", 3, "unknown-key", "warning")],
    ),
    "manifest without a name": (
        {".claude-plugin/plugin.json": '{\n  "version": "1"\n}\n'},
        [(".claude-plugin/plugin.json", 1, "missing-key", "error")],
    ),
    "reference with the wrong namespace case": (
        {"commands/c.md": "---\ndescription: Run c\n---\nUse /Mini:foo.\n"},
        [("commands/c.md", 4, "wrong-case", "error")],
    ),
}


@pytest.mark.parametrize("files, expected", list(FOREIGN_CASES.values()), ids=list(FOREIGN_CASES))
def test_foreign_plugin_problems(source_tree, files, expected):
    merged = dict(MINI)
    merged.update(files)

    assert found(source_tree(files=merged, base=False)) == expected


def test_plugin_without_hooks_or_manifest_keys_beyond_name(source_tree):
    root = source_tree(files={".claude-plugin/plugin.json": '{"name": "tiny"}'}, base=False)

    assert found(root, strict=True) == []


def _market(plugins, **extra):
    data = {"name": "mm", "owner": {"name": "o"}, "plugins": plugins, **extra}
    return json.dumps(data, indent=2)


def test_marketplace_validates_each_local_plugin(source_tree):
    files = {
        ".claude-plugin/marketplace.json": _market(
            [
                {"name": "mini", "source": "./mini"},
                {"name": "other", "source": "./other"},
                {"name": "remote", "source": {"source": "github", "repo": "a/b"}},
            ]
        )
    }
    files.update({f"mini/{k}": v for k, v in MINI.items()})
    files["other/.claude-plugin/plugin.json"] = '{"name": "other"}'
    files["other/agents/x.md"] = "---\nname: x\ndescription: X.\nmodel: gpt-5\n---\nBody.\n"

    result = pipeline.validate(source_tree(files=files, base=False))

    assert result.layout == pipeline.MARKETPLACE
    assert [(p.path, p.line, p.code) for p in result.report.problems] == [
        ("other/agents/x.md", 4, "unknown-model")
    ]


MARKET_CASES = {
    "owner as a string": (
        '{\n  "name": "mm",\n  "owner": "me",\n  "plugins": []\n}\n',
        [(".claude-plugin/marketplace.json", 3, "schema", "error")],
    ),
    "source without ./": (
        _market([{"name": "p", "source": "p"}]),
        [(".claude-plugin/marketplace.json", 9, "schema", "error")],
    ),
    "missing plugin folder": (
        _market([{"name": "p", "source": "./p"}]),
        [(".claude-plugin/marketplace.json", 9, "marketplace-source", "error")],
    ),
    "unknown top-level key": (
        _market([], homepage="x"),
        [(".claude-plugin/marketplace.json", 7, "unknown-key", "warning")],
    ),
}


@pytest.mark.parametrize("text, expected", list(MARKET_CASES.values()), ids=list(MARKET_CASES))
def test_marketplace_problems(source_tree, text, expected):
    root = source_tree(files={".claude-plugin/marketplace.json": text}, base=False)

    assert found(root) == expected
