"""``pact-signal``: emit, list, show, ack and its errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import closing

import pytest
from pact_runtime.signals import store
from pact_runtime.signals.cli import main

SCRIPTS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(store.__file__))))


@pytest.fixture
def env(tmp_path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    project = tmp_path / "project"
    project.mkdir()
    values = {"PACT_HOME": str(tmp_path / "data"), "PACT_PROJECT": str(project),
              "CLAUDE_CODE_SESSION_ID": "sess-1"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CLAUDE_PROJECT_DIR", raising=False)
    return values


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_emit_prints_the_id_and_opens_a_halt(env, capsys) -> None:
    code, out, err = run(capsys, "emit", "HALT", "DATA", "--reason", "drops customers",
                         "--evidence", "0042.sql:3", "--agent", "pact-database-engineer")
    assert (code, out) == (0, "S1\n")
    assert "/PACT:resolve S1 <decision>" in err
    assert store.halt_marked(env["PACT_HOME"], os.path.realpath(env["PACT_PROJECT"]))


def test_emit_accepts_lower_case(env, capsys) -> None:
    assert run(capsys, "emit", "alert", "meta-block", "--reason", "stuck")[:2] == (0, "S1\n")


@pytest.mark.parametrize(("argv", "message"), [
    (["emit", "PANIC", "DATA", "--reason", "r"],
     "Error: unknown level 'PANIC'; valid levels: HALT, ALERT\n"),
    (["emit", "HALT", "SCOPE", "--reason", "r"],
     "Error: unknown category 'SCOPE' for HALT; valid: SECURITY, DATA, ETHICS\n"),
    (["emit", "ALERT", "DATA", "--reason", "r"],
     "Error: unknown category 'DATA' for ALERT; valid: QUALITY, SCOPE, META-BLOCK\n"),
    (["emit", "HALT", "DATA", "--reason", "  "],
     "Error: --reason must say what is at risk and why\n"),
    (["emit", "HALT", "DATA"], "Error: the following arguments are required: --reason\n"),
    (["resolve", "S1", "ok"], "Error: argument COMMAND: invalid choice: 'resolve' "
                              "(choose from emit, list, show, ack)\n"),
    ([], "Error: the following arguments are required: COMMAND\n"),
    (["show", "S9"], "Error: no signal 'S9' in this project; `pact-signal list` shows them\n"),
    (["ack", "nonsense"], "Error: no signal 'nonsense' in this project; "
                          "`pact-signal list` shows them\n"),
])
def test_errors_are_one_line_and_exit_1(env, capsys, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, *argv)
    if sys.version_info < (3, 12) and "invalid choice" in message:
        message = message.replace("(choose from emit, list, show, ack)",
                                  "(choose from 'emit', 'list', 'show', 'ack')")
    assert (code, out, err) == (1, "", message)


def test_no_data_folder_is_an_error(env, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PACT_HOME")
    monkeypatch.delenv("CLAUDE_PLUGIN_DATA", raising=False)
    code, _out, err = run(capsys, "list")
    assert code == 1 and err.startswith(
        "Error: no data folder: set PACT_HOME to the plugin's data folder (usually "
        "~/.claude/plugins/data/PACT-pact-marketplace;")


def test_ack_refuses_a_halt_and_names_the_resolve_command(env, capsys) -> None:
    run(capsys, "emit", "HALT", "SECURITY", "--reason", "key in repo")
    code, out, err = run(capsys, "ack", "S1")
    assert (code, out) == (1, "")
    assert err == ("Error: S1 is a HALT; only the user can resolve it, with "
                   "/PACT:resolve S1 <decision>\n")
    assert json.loads(run(capsys, "list", "--json")[1])[0]["status"] == "open"


def test_ack_acknowledges_an_alert_once(env, capsys) -> None:
    run(capsys, "emit", "ALERT", "QUALITY", "--reason", "no tests")
    assert run(capsys, "ack", "1") == (0, "Acknowledged S1.\n", "")
    assert run(capsys, "ack", "S1") == (0, "S1 is already acknowledged.\n", "")


def test_list_json_and_open_filter(env, capsys) -> None:
    run(capsys, "emit", "ALERT", "SCOPE", "--reason", "grew", "--agent", "pact-architect")
    run(capsys, "emit", "HALT", "DATA", "--reason", "drops")
    with closing(store.connect(env["PACT_HOME"])) as conn:
        signal = store.get(conn, 2)
        assert signal is not None
        store.resolve(conn, env["PACT_HOME"], signal, "approved")
    everything = json.loads(run(capsys, "list", "--json")[1])
    assert [(s["id"], s["level"], s["status"]) for s in everything] == [
        ("S1", "ALERT", "open"), ("S2", "HALT", "resolved")]
    assert everything[0]["agent"] == "pact-architect"
    assert everything[0]["session"] == "sess-1"
    assert everything[1]["resolution"] == "approved"
    assert [s["id"] for s in json.loads(run(capsys, "list", "--open", "--json")[1])] == ["S1"]
    text = run(capsys, "list", "--open")[1]
    assert text == "S1     open         ALERT SCOPE (pact-architect): grew\n"


def test_list_is_scoped_to_the_project(env, capsys, monkeypatch, tmp_path) -> None:
    run(capsys, "emit", "ALERT", "SCOPE", "--reason", "grew")
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("PACT_PROJECT", str(other))
    assert run(capsys, "list") == (0, f"No signals for {os.path.realpath(other)}.\n", "")
    assert run(capsys, "show", "S1")[0] == 1


def test_show_prints_the_fields(env, capsys) -> None:
    run(capsys, "emit", "HALT", "ETHICS", "--reason", "dark pattern", "--evidence", "ui.tsx:9")
    code, out, _err = run(capsys, "show", "S1")
    assert code == 0
    assert "id:          S1\n" in out and "category:    ETHICS\n" in out
    assert "evidence:    ui.tsx:9\n" in out and "status:      open\n" in out


def test_list_open_leaves_out_acknowledged_alerts(env, capsys) -> None:
    run(capsys, "emit", "ALERT", "QUALITY", "--reason", "no tests")
    run(capsys, "emit", "ALERT", "SCOPE", "--reason", "grew")
    run(capsys, "ack", "S1")
    assert run(capsys, "list", "--open") == (
        0, "S2     open         ALERT SCOPE: grew\n", "")
    assert run(capsys, "list") == (0, "S1     acknowledged ALERT QUALITY: no tests\n"
                                      "S2     open         ALERT SCOPE: grew\n", "")
    run(capsys, "ack", "S2")
    assert run(capsys, "list", "--open") == (0, f"No open signals for {_project(env)}.\n", "")


def test_emit_redacts_secrets_in_reason_and_evidence(env, capsys) -> None:
    key = "sk-ant-api03-" + "Zx9yW8vU7tS6rQ5pO4nM3lK2"
    assert run(capsys, "emit", "HALT", "SECURITY", "--reason", f"key {key} committed",
               "--evidence", f"api_key={key}")[:2] == (0, "S1\n")
    shown = json.loads(run(capsys, "list", "--json")[1])[0]
    assert shown["reason"] == "key [REDACTED:anthropic-key] committed"
    assert shown["evidence"] == "api_key=[REDACTED:anthropic-key]"
    assert key not in run(capsys, "show", "S1")[1]


def test_help_exits_0_and_says_only_the_user_resolves_a_halt(env, capsys) -> None:
    code, out, _err = run(capsys, "--help")
    assert code == 0 and "emit" in out
    assert out.endswith("Only the user resolves a HALT, with /PACT:resolve <id> <decision>; "
                        "until then\nchanges to the project are paused. An ALERT blocks "
                        "nothing: once it is dealt\nwith, `pact-signal ack ID` marks it "
                        "acknowledged.\n")
    listing = run(capsys, "list", "--help")[1]
    assert "--open      only signals still open: not acknowledged, not resolved" in listing


def test_runs_under_python_S_without_a_traceback(env) -> None:
    code = "import sys; from pact_runtime.signals.cli import main; sys.exit(main())"
    proc = subprocess.run([sys.executable, "-S", "-c", code, "emit", "HALT", "NOPE",
                           "--reason", "r"], capture_output=True, text=True,
                          cwd=SCRIPTS, env={**os.environ, "PYTHONPATH": SCRIPTS})
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == "Error: unknown category 'NOPE' for HALT; valid: SECURITY, DATA, ETHICS\n"


def _project(env: dict[str, str]) -> str:
    return os.path.realpath(env["PACT_PROJECT"])
