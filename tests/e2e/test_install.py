"""The built plugin passes the client's validator, installs, and is inventoried in full."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from .harness import Client

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


def _built_components(plugin_root: str) -> dict[str, list[str]]:
    commands = [f[:-3] for f in os.listdir(os.path.join(plugin_root, "commands"))
                if f.endswith(".md")]
    skills_dir = os.path.join(plugin_root, "skills")
    skills = [d for d in os.listdir(skills_dir)
              if os.path.isfile(os.path.join(skills_dir, d, "SKILL.md"))]
    agents = [f[:-3] for f in os.listdir(os.path.join(plugin_root, "agents"))
              if f.endswith(".md")]
    with open(os.path.join(plugin_root, "hooks", "hooks.json"), encoding="utf-8") as f:
        hooks = list(json.load(f)["hooks"])
    return {"Skills": sorted(commands + skills), "Agents": sorted(agents), "Hooks": sorted(hooks)}


def test_install_and_details_count_every_built_component(client: Client, dist: str,
                                                          plugin_root: str):
    client.install(dist)
    listed = client.claude("plugin", "list").stdout
    details = client.claude("plugin", "details", "PACT@pact-marketplace").stdout

    assert "PACT@pact-marketplace" in listed and "enabled" in listed, listed
    inventory = _inventory(details)
    for kind, names in _built_components(plugin_root).items():
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
