"""SessionStart: PACT_HOME/PACT_PROJECT exported to Bash, the brief injected."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess

import pytest
from pact_runtime import dispatch, session
from pact_runtime.hook import Event
from pact_runtime.registry import Handler

START = {"session_id": "s1", "hook_event_name": "SessionStart", "source": "startup"}


def sourced(env_file: str, *names: str) -> list[str]:
    """The values sh sees for ``names`` after sourcing the env file, as Bash calls do."""
    script = f'. "{env_file}"; ' + "; ".join(f'printf "%s\\n" "${n}"' for n in names)
    proc = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True,
                          env={"PATH": os.environ["PATH"]})
    return proc.stdout.splitlines()


@pytest.mark.parametrize("odd", ["plain", "with space", "it's $HOME `x` \"q\""])
def test_export_env_survives_any_path(tmp_path, odd):
    home = tmp_path / odd / "data"
    project = tmp_path / f"{odd} project"
    project.mkdir(parents=True)
    env_file = tmp_path / "env.sh"
    event = Event("SessionStart", {**START, "cwd": str(project)},
                  {"CLAUDE_ENV_FILE": str(env_file), "CLAUDE_PLUGIN_DATA": str(home)})

    assert session.export_env(event) is None

    assert sourced(str(env_file), "PACT_HOME", "PACT_PROJECT") == [str(home), str(project)]
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700


def test_export_env_prefers_pact_home_and_the_real_project_path(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    env_file = tmp_path / "env.sh"
    env_file.write_text("export EARLIER=1\n")
    event = Event("SessionStart", {**START, "cwd": str(link)},
                  {"CLAUDE_ENV_FILE": str(env_file), "PACT_HOME": str(tmp_path / "mine"),
                   "CLAUDE_PLUGIN_DATA": str(tmp_path / "plugin")})

    session.export_env(event)

    assert sourced(str(env_file), "EARLIER", "PACT_HOME", "PACT_PROJECT") == [
        "1", str(tmp_path / "mine"), str(real)]


@pytest.mark.parametrize("env", [{}, {"CLAUDE_ENV_FILE": "/nonexistent/x"},
                                 {"CLAUDE_PLUGIN_DATA": "/tmp/x"}],
                         ids=["nothing", "no data folder", "no env file"])
def test_export_env_does_nothing_without_both_env_file_and_data_folder(env):
    assert session.export_env(Event("SessionStart", START, env)) is None


def _plugin(tmp_path, brief: str | None) -> str:
    root = tmp_path / "plugin"
    (root / "hooks").mkdir(parents=True)
    if brief is not None:
        (root / "hooks" / "session-brief.md").write_text(brief, encoding="utf-8")
    return str(root)


def test_brief_injects_the_built_brief(tmp_path, monkeypatch):
    monkeypatch.setattr(session, "plugin_root", lambda: _plugin(tmp_path, "# Brief\n\nUse PACT.\n"))

    outcome = session.brief(Event("SessionStart", START, {}))

    assert outcome is not None and outcome.context == "# Brief\n\nUse PACT."


@pytest.mark.parametrize("brief", [None, "  \n"], ids=["missing", "blank"])
def test_brief_missing_or_blank_says_nothing(tmp_path, monkeypatch, brief):
    monkeypatch.setattr(session, "plugin_root", lambda: _plugin(tmp_path, brief))

    assert session.brief(Event("SessionStart", START, {})) is None


def test_session_start_answer_is_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(session, "plugin_root", lambda: _plugin(tmp_path, "Brief ✓\n"))
    monkeypatch.setattr(dispatch, "HANDLERS", (Handler("SessionStart", "session:export_env"),
                                               Handler("SessionStart", "session:brief")))
    env_file = tmp_path / "env.sh"
    out = io.BytesIO()
    env = {"CLAUDE_ENV_FILE": str(env_file), "CLAUDE_PLUGIN_DATA": str(tmp_path / "d"),
           "CLAUDE_PROJECT_DIR": str(tmp_path)}

    code = dispatch.main(["SessionStart"], json.dumps(START).encode(), env, out)

    assert code == 0
    assert out.getvalue().decode() == ('{"hookSpecificOutput": {"hookEventName": "SessionStart", '
                                       '"additionalContext": "Brief ✓"}}')
    assert sourced(str(env_file), "PACT_HOME") == [str(tmp_path / "d")]


def test_unwritable_env_file_is_logged_and_the_brief_still_arrives(tmp_path, monkeypatch):
    monkeypatch.setattr(session, "plugin_root", lambda: _plugin(tmp_path, "Brief"))
    monkeypatch.setattr(dispatch, "HANDLERS", (Handler("SessionStart", "session:export_env"),
                                               Handler("SessionStart", "session:brief")))
    home = tmp_path / "d"
    out = io.BytesIO()
    env = {"CLAUDE_ENV_FILE": str(tmp_path / "missing" / "env.sh"), "PACT_HOME": str(home)}

    dispatch.main(["SessionStart"], json.dumps(START).encode(), env, out)

    assert json.loads(out.getvalue())["hookSpecificOutput"]["additionalContext"] == "Brief"
    assert "session:export_env failed on SessionStart" in (home / "logs" / "pact.log").read_text()
