"""The runtime's Python 3.9-3.13 promise, checked with every interpreter the machine has.

Each version runs with ``-S`` (no site-packages), as hooks.json starts it. A
version that is not installed is reported as skipped, never as passed.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess

import pact_runtime
import pytest

PACKAGE = os.path.dirname(os.path.abspath(pact_runtime.__file__))
SCRIPTS = os.path.dirname(PACKAGE)
VERSIONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]

IMPORT_ALL = """
import os, sys
sys.path.insert(0, sys.argv[1])
package = os.path.join(sys.argv[1], "pact_runtime")
names = []
for folder, dirs, files in os.walk(package):
    dirs[:] = [d for d in dirs if d != "__pycache__"]
    for f in sorted(files):
        if f.endswith(".py"):
            rel = os.path.relpath(os.path.join(folder, f), sys.argv[1])[:-3]
            names.append(rel.replace(os.sep, ".").replace(".__init__", ""))
for name in sorted(names):
    __import__(name)
print(len(names))
"""

ENTRY = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
         "from pact_runtime.dispatch import main; sys.exit(main())")


def find(version: str) -> str | None:
    """An interpreter for ``version``: pyenv's build first, else ``python3.X`` on PATH."""
    for path in sorted(glob.glob(f"/root/.pyenv/versions/{version}.*/bin/python3")):
        if os.access(path, os.X_OK):
            return path
    return shutil.which(f"python{version}")


@pytest.fixture(params=VERSIONS)
def python(request) -> str:
    path = find(request.param)
    if path is None:
        pytest.skip(f"Python {request.param} is not installed on this machine")
    out = subprocess.run([path, "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                         capture_output=True, text=True, timeout=60).stdout.strip()
    assert out == request.param, f"{path} reports {out}"
    return path


def test_every_runtime_module_imports(python):
    proc = subprocess.run([python, "-S", "-c", IMPORT_ALL, SCRIPTS], capture_output=True,
                          text=True, timeout=120)

    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) >= 8


def test_dispatcher_answers_session_start(python, tmp_path):
    env_file = tmp_path / "env.sh"
    env = {"PATH": os.environ["PATH"], "CLAUDE_ENV_FILE": str(env_file),
           "CLAUDE_PLUGIN_DATA": str(tmp_path / "data"), "CLAUDE_PROJECT_DIR": str(tmp_path)}
    event = {"session_id": "s", "cwd": str(tmp_path), "hook_event_name": "SessionStart",
             "source": "startup"}

    proc = subprocess.run([python, "-S", "-c", ENTRY, SCRIPTS, "SessionStart"],
                          input=json.dumps(event).encode(), env=env, capture_output=True,
                          timeout=120)

    assert (proc.returncode, proc.stderr) == (0, b"")
    assert f"export PACT_HOME='{tmp_path / 'data'}'" in env_file.read_text()
    if proc.stdout:
        answer = json.loads(proc.stdout)
        assert answer["hookSpecificOutput"]["hookEventName"] == "SessionStart"


@pytest.mark.parametrize("stdin", [b"", b"\xff{", b'{"tool_name": "Bash", "tool_input": {}}'])
def test_dispatcher_exits_zero_on_any_input(python, tmp_path, stdin):
    env = {"PATH": os.environ["PATH"], "PACT_HOME": str(tmp_path)}

    proc = subprocess.run([python, "-S", "-c", ENTRY, SCRIPTS, "PreToolUse"], input=stdin,
                          env=env, capture_output=True, timeout=120)

    assert (proc.returncode, proc.stderr) == (0, b"")
    assert proc.stdout == b"" or json.loads(proc.stdout)["hookSpecificOutput"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> str:
    """The plugin root of a fresh build: the runtime with sqlglot vendored in, as shipped."""
    import sys

    out = str(tmp_path_factory.mktemp("interpreters") / "dist")
    code = "import sys; from pact_build.cli import main; sys.exit(main())"
    proc = subprocess.run([sys.executable, "-c", code, "build", "--out", out],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return os.path.join(out, "PACT")


def test_memory_signals_and_the_guard_work_as_shipped(python, built, tmp_path):
    """The shipped commands and the guard, each run with this interpreter under -S."""
    project = tmp_path / "project"
    project.mkdir()
    env = {"PATH": os.environ["PATH"], "PACT_HOME": str(tmp_path / "data"),
           "PACT_PROJECT": str(project), "CLAUDE_PROJECT_DIR": str(project)}
    cli = os.path.join(built, "runtime", "pact_cli.py")

    def run(*argv: str, stdin: str = "") -> str:
        proc = subprocess.run([python, "-S", cli, *argv], input=stdin, env=env, text=True,
                              capture_output=True, timeout=120)
        assert (proc.returncode, proc.stderr) == (0, ""), (argv, proc.stderr)
        return proc.stdout

    ident = run("pact-memory", "save", stdin='{"lessons": ["Invoices round per line"]}').strip()
    assert ident in run("pact-memory", "search", "invoices")
    assert json.loads(run("pact-memory", "export"))["id"] == ident
    signal = run("pact-signal", "emit", "ALERT", "QUALITY", "--reason", "flaky test").strip()
    assert signal in run("pact-signal", "list", "--open")

    event = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse",
             "tool_name": "Bash", "tool_input": {"command": 'psql -c "DROP TABLE customers"'}}
    proc = subprocess.run([python, "-S", os.path.join(built, "runtime", "pact_hook.py"),
                           "PreToolUse"], input=json.dumps(event), env=env, text=True,
                          capture_output=True, timeout=120)
    answer = json.loads(proc.stdout)["hookSpecificOutput"]
    assert (proc.returncode, proc.stderr, answer["permissionDecision"]) == (0, "", "deny")
    assert "HALT" in answer["permissionDecisionReason"]


@pytest.mark.parametrize("version", ["3.6", "3.7", "3.8"])
def test_an_older_python_says_at_session_start_that_pact_is_off(version, built, tmp_path):
    """Too old for the runtime: SessionStart says so to the user and the model; tools and
    every other event go on untouched (exit 0, no output)."""
    path = find(version)
    if path is None:
        pytest.skip(f"Python {version} is not installed on this machine")
    hook = os.path.join(built, "runtime", "pact_hook.py")
    env = {"PATH": os.environ["PATH"], "CLAUDE_PLUGIN_DATA": str(tmp_path / "data")}

    def run(event: str, stdin: str) -> subprocess.CompletedProcess:
        return subprocess.run([path, "-S", hook, event], input=stdin, env=env, text=True,
                              capture_output=True, timeout=60)

    start = run("SessionStart", '{"hook_event_name": "SessionStart"}')
    found = subprocess.run([path, "-S", "-c", "import sys; print(sys.version.split()[0])"],
                           capture_output=True, text=True, timeout=60).stdout.strip()
    text = ("PACT is off in this session: its hooks need python3, version 3.9 or newer, on "
            f"the PATH Claude Code was started with, found {found}. Until then no HALT is "
            "enforced, the SQL and secrets guard does not run, and memories are neither "
            "recalled nor captured.")
    assert (start.returncode, start.stderr) == (0, "")
    assert json.loads(start.stdout) == {"systemMessage": text, "hookSpecificOutput": {
        "hookEventName": "SessionStart", "additionalContext": text}}
    tool = run("PreToolUse", json.dumps({"tool_name": "Bash",
                                         "tool_input": {"command": "rm -rf src"}}))
    assert (tool.returncode, tool.stdout, tool.stderr) == (0, "", "")
    assert not os.path.exists(tmp_path / "data")
