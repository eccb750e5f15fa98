"""The built plugin passes the client's validator, installs, and is inventoried in full."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from .harness import REPO, Client

KEBAB_WARNING = 'Plugin name "PACT" is not kebab-case'


def _problems(output: str) -> list[str]:
    """The ``❯ …`` lines validate prints under its error and warning headings."""
    return [line.strip() for line in output.splitlines() if line.strip().startswith("❯")]


@pytest.mark.parametrize("target", ["PACT", "."], ids=["plugin", "marketplace"])
def test_validate_reports_only_the_kebab_case_warning(client: Client, dist: str, target: str):
    proc = client.claude("plugin", "validate", os.path.normpath(os.path.join(dist, target)),
                         check=False)
    output = proc.stdout + proc.stderr

    assert proc.returncode == 0, output
    assert not re.search(r"Found \d+ errors?", output), output
    assert "Validation passed" in output, output
    problems = _problems(output)
    assert len(problems) == 1 and KEBAB_WARNING in problems[0], output


def _inventory(output: str) -> dict[str, tuple[int, list[str]]]:
    """``Skills (5)  a, b, …`` lines of ``plugin details`` as {kind: (count, names)}."""
    found = {}
    for match in re.finditer(r"^\s+(Skills|Agents|Hooks) \((\d+)\)\s*(.*)$", output, re.M):
        names = match.group(3).split("  (")[0]
        found[match.group(1)] = (int(match.group(2)),
                                 [n.strip() for n in names.split(",") if n.strip()])
    return found


def _source_components() -> dict[str, list[str]]:
    """What the repository's sources define: the names ``plugin details`` must list."""
    from pact_runtime import registry

    commands = [f[:-3] for f in os.listdir(os.path.join(REPO, "commands")) if f.endswith(".md")]
    skills_dir = os.path.join(REPO, "skills")
    skills = [d for d in os.listdir(skills_dir)
              if os.path.isfile(os.path.join(skills_dir, d, "SKILL.md"))]
    agents = [f[:-3] for f in os.listdir(os.path.join(REPO, "agents")) if f.endswith(".md")]
    return {"Skills": sorted(commands + skills), "Agents": sorted(agents),
            "Hooks": sorted(registry.events())}


def test_install_and_details_count_every_source_component(client: Client, dist: str):
    client.install(dist)
    listed = client.claude("plugin", "list").stdout
    details = client.claude("plugin", "details", "PACT@pact-marketplace").stdout

    assert "PACT@pact-marketplace" in listed and "enabled" in listed, listed
    inventory = _inventory(details)
    expected = _source_components()
    assert "pact-database-engineer" in expected["Agents"]
    for kind, names in expected.items():
        count, shown = inventory[kind]
        assert count == len(names), f"{kind}: {details}"
        assert sorted(shown) == names, f"{kind}: {details}"


def _hook_commands(plugin_root: str) -> list[tuple[str, str]]:
    with open(os.path.join(plugin_root, "hooks", "hooks.json"), encoding="utf-8") as f:
        hooks = json.load(f)["hooks"]
    return [(event, hook["command"]) for event, entries in hooks.items()
            for entry in entries for hook in entry["hooks"]]


@pytest.mark.parametrize("stdin", [b"", b"\xff\xfe not json", b'{"tool_input": 5}'],
                         ids=["empty", "garbage", "odd fields"])
def test_every_hook_command_exits_zero_silently_on_bad_input(plugin_root: str, tmp_path,
                                                             stdin: bytes):
    commands = _hook_commands(plugin_root)
    env = {"PATH": os.environ["PATH"], "CLAUDE_PLUGIN_ROOT": plugin_root,
           "CLAUDE_PLUGIN_DATA": str(tmp_path / "data"), "CLAUDE_PROJECT_DIR": str(tmp_path)}

    assert commands
    for event, command in commands:
        assert command.startswith('python3 -S "${CLAUDE_PLUGIN_ROOT}/runtime/pact_hook.py"')
        proc = subprocess.run(["sh", "-c", command], input=stdin, env=env, cwd=tmp_path,
                              capture_output=True, timeout=60)
        assert (event, proc.returncode, proc.stderr) == (event, 0, b"")
        if proc.stdout:  # a well-formed object with missing fields may still get context
            answer = json.loads(proc.stdout)
            assert "decision" not in answer, (event, answer)
            specific = answer.get("hookSpecificOutput", {})
            assert specific.get("hookEventName", event) == event
            assert "permissionDecision" not in specific, (event, answer)


def test_hook_command_runs_the_dispatcher_from_a_path_with_spaces(dist: str, tmp_path):
    spaced = tmp_path / "my plugins" / "PACT"
    shutil.copytree(os.path.join(dist, "PACT"), spaced)
    (spaced / "hooks" / "session-brief.md").write_text("Brief from a spaced path.\n")
    env_file = tmp_path / "env.sh"
    env = {"PATH": os.environ["PATH"], "CLAUDE_PLUGIN_ROOT": str(spaced),
           "CLAUDE_PLUGIN_DATA": str(tmp_path / "data"), "CLAUDE_PROJECT_DIR": str(tmp_path),
           "CLAUDE_ENV_FILE": str(env_file)}
    command = dict(_hook_commands(str(spaced)))["SessionStart"]
    event = {"session_id": "s", "cwd": str(tmp_path), "hook_event_name": "SessionStart",
             "source": "startup"}

    proc = subprocess.run(["sh", "-c", command], input=json.dumps(event).encode(), env=env,
                          cwd=tmp_path, capture_output=True, timeout=60)

    assert (proc.returncode, proc.stderr) == (0, b"")
    answer = json.loads(proc.stdout)["hookSpecificOutput"]
    assert answer["hookEventName"] == "SessionStart"
    assert answer["additionalContext"].startswith("Brief from a spaced path.")
    assert f"export PACT_HOME='{tmp_path / 'data'}'" in env_file.read_text()


# ---------------------------------------------------------------- our validator and the client's

PLUGIN = ".claude-plugin/plugin.json"
HOOKS = "hooks/hooks.json"
GOOD = {PLUGIN: '{"name": "p", "version": "1.0.0", "description": "d", "author": {"name": "a"}}'}


def _hook(**extra: object) -> str:
    hook = {"type": "command", "command": "true", **extra}
    return json.dumps({"hooks": {"Stop": [{"hooks": [hook]}]}})


# Cases where the client's own validator has a verdict; (files, the client rejects it).
# pact-plugin is stricter elsewhere (references, YAML 1.1, hook scripts), so those stay out.
AGREEMENT = {
    "clean plugin": ({}, False),
    "manifest without a name": ({PLUGIN: '{"version": "1"}'}, True),
    "name with a space": ({PLUGIN: '{"name": "my plugin"}'}, True),
    "author as a string": ({PLUGIN: '{"name": "p", "author": "me"}'}, True),
    "keywords as a string": ({PLUGIN: '{"name": "p", "keywords": "db"}'}, True),
    "version that is not semver": ({PLUGIN: '{"name": "p", "version": "abc"}'}, False),
    "unknown manifest key": ({PLUGIN: '{"name": "p", "flavour": "mint"}'}, False),
    "marketplace key in the manifest": ({PLUGIN: '{"name": "p", "category": "x"}'}, False),
    "component path without ./": ({PLUGIN: '{"name": "p", "commands": "othercmd"}'}, True),
    "agents as a folder": ({PLUGIN: '{"name": "p", "agents": "./extra/"}'}, True),
    "path with ..": ({PLUGIN: '{"name": "p", "skills": ["./../x"]}'}, True),
    "listed agent missing": ({PLUGIN: '{"name": "p", "agents": ["./agents/a.md"]}'}, True),
    "listed commands missing": ({PLUGIN: '{"name": "p", "commands": "./nope"}'}, True),
    "listed hooks file missing": ({PLUGIN: '{"name": "p", "hooks": "./x.json"}'}, True),
    "listed agent present": ({PLUGIN: '{"name": "p", "agents": ["./extra/x.md"]}',
                              "extra/x.md": "---\nname: x\ndescription: X.\n---\nBody.\n"}, False),
    "inline hook event map": ({PLUGIN: json.dumps({"name": "p", "hooks": json.loads(_hook())[
        "hooks"]})}, False),
    "inline hooks wrapped twice": ({PLUGIN: '{"name": "p", "hooks": {"hooks": {}}}'}, True),
    "unknown hook event": ({HOOKS: '{"hooks": {"BogusEvent": []}}'}, True),
    "hook without a type": ({HOOKS: '{"hooks": {"Stop": [{"hooks": [{"command": "true"}]}]}}'},
                            True),
    "hook timeout as text": ({HOOKS: _hook(timeout="5")}, True),
    "unknown hook option": ({HOOKS: _hook(colour="x")}, False),
    "agent description with ': '": ({"agents/a.md": "---\nname: a\ndescription: Use when: x\n"
                                                    "---\nBody.\n"}, True),
    "skill description with an open [": ({"skills/s/SKILL.md": "---\nname: s\ndescription: "
                                                                "[broken\n---\nBody.\n"}, True),
}


@pytest.mark.parametrize("files, rejected", list(AGREEMENT.values()), ids=list(AGREEMENT))
def test_pact_plugin_validate_agrees_with_the_client(client: Client, tmp_path, files, rejected):
    from pathlib import Path

    from pact_build import pipeline

    root = tmp_path / "plugin"
    for rel, text in {**GOOD, **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")

    proc = client.claude("plugin", "validate", str(root), check=False)
    ours = pipeline.validate(Path(root)).report

    assert (proc.returncode != 0) == rejected, proc.stdout + proc.stderr
    assert ours.failed(strict=False) == rejected, [p.format() for p in ours.problems]


def test_a_rebuilt_plugin_reaches_the_next_session_without_reinstalling(
        client: Client, dist: str, tmp_path):
    # The README tells users to keep dist/ where it is: the client reads a local
    # marketplace's plugin in place, so a new build is used by the next session.
    from .harness import read_markdown

    built = str(tmp_path / "dist")
    shutil.copytree(dist, built)
    client.install(built)
    agent = os.path.join(built, "PACT", "agents", "pact-database-engineer.md")
    meta, _ = read_markdown(agent)
    first = client.run("hello")
    assert first.returncode == 0, first
    assert f"- PACT:pact-database-engineer: {meta['description']}" in first.context_text(
        first.main_requests[0])

    with open(agent, encoding="utf-8") as f:
        text = f.read()
    with open(agent, "w", encoding="utf-8") as f:
        f.write(text.replace(meta["description"], "Rebuilt: " + meta["description"], 1))
    second = client.run("hello again")

    assert second.returncode == 0, second
    assert (f"- PACT:pact-database-engineer: Rebuilt: {meta['description']}"
            in second.context_text(second.main_requests[0]))
