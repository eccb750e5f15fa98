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
