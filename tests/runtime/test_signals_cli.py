"""``pact-signal``: emit, list, show, ack and its errors."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from pact_runtime import db
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
    assert run(capsys, "ack", "1") == (0, "Acknowledged S1 as orchestrator.\n", "")
    again = run(capsys, "ack", "S1", "--agent", "pact-test-engineer")
    assert again[0] == 0 and again[1].startswith("S1 is already acknowledged (by orchestrator, ")


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
    assert "id:           S1\n" in out and "category:     ETHICS\n" in out
    assert "evidence:     ui.tsx:9\n" in out and "status:       open\n" in out


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
    assert out.endswith("ID is a signal's id as `pact-signal list` shows it, e.g. S7 (7, s7 "
                        "and #7 also\nwork). Only the user resolves a HALT, with /PACT:resolve "
                        "<id> <decision>; until\nthen changes to the project are paused. An "
                        "ALERT blocks nothing: once it is dealt\nwith, `pact-signal ack ID` "
                        "marks it acknowledged.\n")
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


# ---- bad input and a bad environment: one Error line, exit 1, never a traceback ----------

@pytest.mark.parametrize(("argv", "message"), [
    (["emit", "ALERT", "QUALITY", "--reas", "x"],
     "Error: unknown option --reas (see `pact-signal emit --help`)\n"),
    (["list", "--op"], "Error: unknown option --op (see `pact-signal list --help`)\n"),
    (["--bogus"], "Error: unknown option --bogus (see `pact-signal --help`)\n"),
    (["list", "extra"], "Error: unknown argument extra (see `pact-signal list --help`)\n"),
    (["emit", "ALERT", "QUALITY", "--reason", "x" * 1001],
     "Error: --reason is too long (1,001 > 1,000 characters); say what is at risk in a "
     "sentence and put the detail in --evidence\n"),
    (["emit", "ALERT", "QUALITY", "--reason", "r", "--evidence", "e" * 4001],
     "Error: --evidence is too long (4,001 > 4,000 characters); point at where it shows (a "
     "path and line, a command) instead of pasting it\n"),
    (["emit", "ALERT", "QUALITY", "--reason", "bad \udcff byte"],
     "Error: --reason is not UTF-8 text (byte 0xff); pass it as UTF-8\n"),
    (["emit", "ALERT", "QUALITY", "--reason", "r", "--agent", "\udce9"],
     "Error: --agent is not UTF-8 text (byte 0xe9); pass it as UTF-8\n"),
    (["show", "S\udcff"], "Error: id is not UTF-8 text (byte 0xff); pass it as UTF-8\n"),
])
def test_bad_arguments_are_one_error_line(env, capsys, argv: list[str], message: str) -> None:
    assert run(capsys, *argv) == (1, "", message)
    assert not os.path.exists(os.path.join(env["PACT_HOME"], "pact.db"))  # nothing was done


def test_a_database_locked_past_the_busy_timeout_is_one_error_line(env, capsys,
                                                                   monkeypatch) -> None:
    from pact_runtime import db

    run(capsys, "emit", "ALERT", "QUALITY", "--reason", "no tests")
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.2)
    path = os.path.join(env["PACT_HOME"], "pact.db")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for argv in (["emit", "ALERT", "SCOPE", "--reason", "grew"], ["ack", "S1"]):
            assert run(capsys, *argv) == (
                1, "", f"Error: another program is writing to the PACT database {path} and has "
                       "held its write lock for over 0.2 s; nothing was changed, try again in "
                       "a moment\n")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [s["id"] for s in json.loads(run(capsys, "list", "--json")[1])] == ["S1"]


def test_a_database_from_a_newer_pact_is_refused(env, capsys) -> None:
    os.makedirs(env["PACT_HOME"])
    path = os.path.join(env["PACT_HOME"], "pact.db")
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 99")
    for argv in (["list"], ["emit", "ALERT", "SCOPE", "--reason", "grew"]):
        code, out, err = run(capsys, *argv)
        assert (code, out) == (1, "")
        assert err == (f"Error: the PACT database {path} was made by a newer PACT (schema "
                       f"version 99; this PACT knows up to {db.SCHEMA_VERSION}); update the PACT "
                       "plugin, or set "
                       "PACT_HOME to another folder\n")


def test_a_data_folder_that_is_a_file_is_named(env, capsys) -> None:
    with open(env["PACT_HOME"], "w") as f:
        f.write("not a folder")
    assert run(capsys, "list") == (
        1, "", f"Error: the PACT data folder {env['PACT_HOME']} is a file, not a folder; point "
               "PACT_HOME at a folder\n")


def test_a_broken_output_pipe_is_one_error_line(env, capsys, monkeypatch) -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    run(capsys, "emit", "ALERT", "SCOPE", "--reason", "grew")
    monkeypatch.setattr(sys, "stdout", Broken())
    assert main(["list"]) == 1
    assert capsys.readouterr().err == ("Error: the output was closed before all of it was "
                                       "written\n")


def _command(*argv: str) -> list[str]:
    code = "import sys; from pact_runtime.signals.cli import main; sys.exit(main())"
    return [sys.executable, "-S", "-c", code, *argv]


def test_a_reader_that_went_away_leaves_no_traceback(env) -> None:
    """`pact-signal list | head -c1`: the reader is gone before the command writes."""
    for n in range(3):
        assert main(["emit", "ALERT", "SCOPE", "--reason", f"grew {n}"]) == 0
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run(_command("list"), stdout=write, stderr=subprocess.PIPE, text=True,
                              cwd=SCRIPTS, env={**os.environ, "PYTHONPATH": SCRIPTS}, timeout=60)
    finally:
        os.close(write)
    assert (proc.returncode, proc.stderr) == (
        1, "Error: the output was closed before all of it was written\n")


def test_a_closed_stdout_does_nothing_and_says_so(env) -> None:
    command = " ".join(f"'{a}'" for a in _command("emit", "HALT", "DATA", "--reason", "r"))
    proc = subprocess.run(["sh", "-c", command + " >&-"], capture_output=True, text=True,
                          cwd=SCRIPTS, env={**os.environ, "PYTHONPATH": SCRIPTS}, timeout=60)
    assert (proc.returncode, proc.stderr) == (
        1, "Error: standard output is closed, so nothing could be shown; nothing was done\n")
    assert not os.path.exists(os.path.join(env["PACT_HOME"], "pact.db"))


def test_control_characters_are_shown_escaped(env, capsys) -> None:
    run(capsys, "emit", "ALERT", "QUALITY", "--reason", "a\x1b[2Jb\x07\nstatus:      resolved",
        "--evidence", "x\x1b]0;title\x07 \u202eevil")
    listed = run(capsys, "list")[1]
    assert listed == ("S1     open         ALERT QUALITY: a\\x1b[2Jb\\x07 status: resolved "
                      "[evidence: x\\x1b]0;title\\x07 \\u202eevil]\n")
    shown = run(capsys, "show", "S1")[1]
    assert "reason:       a\\x1b[2Jb\\x07\n              status:      resolved\n" in shown
    assert "evidence:     x\\x1b]0;title\\x07 \\u202eevil\n" in shown
    assert "\x1b" not in listed + shown and "\x07" not in listed + shown
    # JSON keeps the exact text.
    assert json.loads(run(capsys, "list", "--json")[1])[0]["reason"].startswith("a\x1b[2J")


def test_show_says_yes_or_no_and_its_help_explains_the_id(env, capsys) -> None:
    run(capsys, "emit", "ALERT", "QUALITY", "--reason", "no tests")
    assert "surfaced:     no Agent call has reported it; while open, every prompt shows it\n" in \
        run(capsys, "show", "S1")[1]
    for command in ("show", "ack"):
        text = " ".join(run(capsys, command, "-h")[1].split())
        assert "ID the signal's id as `pact-signal list` shows it, e.g. S7 (7, s7 and #7 " \
               "also work)" in text


# ---- approvals, acknowledgements, --json and --limit --------------------------------------

OLD_KEYS = ["id", "created", "project", "session", "level", "category", "agent", "agent_id",
            "source", "reason", "evidence", "fingerprint", "status", "surfaced", "resolved_by",
            "resolution", "resolved_at"]
NEW_KEYS = ["resolved_session", "used_at", "acknowledged_by", "acknowledged_at", "approval",
            "replaced_by"]


def _guard_halts(env: dict[str, str]) -> None:
    """S1 waits in sess-1, S2 was let through, S3 approves nothing, S4 is from before
    sessions, S5 is replaced by S6, a later refusal of the same call in sess-2."""
    home = env["PACT_HOME"]
    project = os.path.realpath(env["PACT_PROJECT"])
    with closing(store.connect(home)) as conn:
        for n, (words, session) in enumerate((("yes", "sess-1"), ("approved", "sess-1"),
                                              ("no, keep it", "sess-1"), ("yes", ""),
                                              ("yes", "sess-2"), ("no", "sess-2")), 1):
            call = "c5" if n == 6 else f"c{n}"
            signal = store.record(conn, home, project=project, level="HALT", category="DATA",
                                  reason=f"drop {n}", source="guard", fingerprint=f"{call}:a{n}")
            signal = store.resolve(conn, home, signal, words, session=session)
            if n == 2:
                assert store.spend(conn, signal)


def test_show_and_list_say_where_each_approval_stands(env, capsys, monkeypatch) -> None:
    _guard_halts(env)
    shown = {n: run(capsys, "show", f"S{n}")[1] for n in range(1, 7)}
    assert "approval:     approved, waiting to run once; holds only in session sess-1 (this " \
           "session)\n" in shown[1]
    s2 = json.loads(run(capsys, "show", "S2", "--json")[1])
    assert (f"approval:     let through on {s2['used_at']}: the guard let the approved call "
            "run once; your permission rules still decided whether it ran\n") in shown[2]
    assert "approval:     not approved: the decision approves nothing (or withdrew an " \
           "approval), so a retry opens a new HALT; /PACT:resolve S3 approved lets the call " \
           "run once in the session it is typed in\n" in shown[3]
    assert "approval:     lapsed: approved before approvals held in one session, so it lets " \
           "nothing run\n" in shown[4]
    assert "approval:     replaced by S6: the later decision on the same call, in S6, counts " \
           "instead in that session; resolving S5 again makes this one count\n" in shown[5]
    lines = run(capsys, "list")[1].splitlines()
    assert [line.rpartition(" [approval: ")[2] for line in lines] == [
        "waiting, session sess-1 (this session)]", f"let through on {s2['used_at']}]",
        "not approved]", "lapsed]", "replaced by S6]", "not approved]"]
    monkeypatch.setenv("CLAUDE_CODE_SESSION_ID", "sess-2")
    assert "holds only in session sess-1 (not this one)\n" in run(capsys, "show", "S1")[1]


def test_show_json_is_one_element_of_list_json(env, capsys) -> None:
    _guard_halts(env)
    run(capsys, "emit", "ALERT", "SCOPE", "--reason", "grew")
    listed = json.loads(run(capsys, "list", "--json")[1])
    for element in listed:
        assert list(element) == OLD_KEYS + NEW_KEYS
        assert json.loads(run(capsys, "show", element["id"], "--json")[1]) == element
    assert [(s["approval"], s["replaced_by"], s["resolved_session"], s["used_at"] is None)
            for s in listed] == [
        ("waiting", None, "sess-1", True), ("used", None, "sess-1", False),
        ("not approved", None, "sess-1", True), ("lapsed", None, "", True),
        ("replaced", "S6", "sess-2", True), ("not approved", None, "sess-2", True),
        (None, None, "", True)]


def test_ack_records_who_and_when(env, capsys) -> None:
    run(capsys, "emit", "ALERT", "QUALITY", "--reason", "no tests")
    run(capsys, "emit", "ALERT", "SCOPE", "--reason", "grew")
    assert run(capsys, "ack", "S1", "--agent", "PACT:pact-test-engineer") == (
        0, "Acknowledged S1 as PACT:pact-test-engineer.\n", "")
    run(capsys, "ack", "S2")
    first, second = json.loads(run(capsys, "list", "--json")[1])
    assert (first["acknowledged_by"], second["acknowledged_by"]) == (
        "PACT:pact-test-engineer", "orchestrator")
    assert first["acknowledged_at"] is not None and first["acknowledged_at"].endswith("Z")
    assert f"acknowledged: {first['acknowledged_at']} by PACT:pact-test-engineer\n" in \
        run(capsys, "show", "S1")[1]
    assert "acknowledged:" not in run(capsys, "emit", "ALERT", "SCOPE", "--reason", "x")[1]
    assert "acknowledged:" not in run(capsys, "show", "S3")[1]


@pytest.mark.parametrize(("argv", "message"), [
    (["ack", "S1", "--agent", " "], "Error: --agent must name who acknowledges the signal\n"),
    (["ack", "S1", "--agent", "x" * 201], "Error: --agent is too long (201 > 200 characters)\n"),
    (["ack", "S1", "--agent"], "Error: argument --agent: expected one argument\n"),
])
def test_ack_refuses_a_bad_agent(env, capsys, argv: list[str], message: str) -> None:
    run(capsys, "emit", "ALERT", "QUALITY", "--reason", "no tests")
    assert run(capsys, *argv) == (1, "", message)
    assert json.loads(run(capsys, "list", "--json")[1])[0]["status"] == "open"


def test_list_limit_keeps_the_newest_oldest_first(env, capsys) -> None:
    for n in range(1, 6):
        run(capsys, "emit", "ALERT", "QUALITY", "--reason", f"r{n}")
    run(capsys, "ack", "S5")
    assert [s["id"] for s in json.loads(run(capsys, "list", "--limit", "2", "--json")[1])] == [
        "S4", "S5"]
    assert [line.split()[0] for line in run(capsys, "list", "--limit", "3")[1].splitlines()] == [
        "S3", "S4", "S5"]
    assert [line.split()[0] for line in run(capsys, "list", "--open", "--limit", "2")[1]
            .splitlines()] == ["S3", "S4"]
    assert len(json.loads(run(capsys, "list", "--limit", "9" * 30, "--json")[1])) == 5


@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5", "", "٣", "00"])
def test_a_bad_limit_is_one_error_line(env, capsys, value: str) -> None:
    run(capsys, "emit", "ALERT", "QUALITY", "--reason", "r")
    assert run(capsys, "list", "--limit", value) == (
        1, "", f"Error: argument --limit: must be a whole number of 1 or more, not {value!r}\n")


def test_every_help_explains_the_id(env, capsys) -> None:
    for argv in (["--help"], ["show", "-h"], ["ack", "-h"]):
        text = " ".join(run(capsys, *argv)[1].split())
        assert "ID" in text and "e.g. S7 (7, s7 and #7 also work)" in text, argv
    shown = " ".join(run(capsys, "show", "-h")[1].split())
    assert "--json print it as one JSON object" in shown and \
        "acknowledged_by, acknowledged_at, approval, replaced_by." in shown
    assert ("used (the guard let the call through at used_at; your permission rules still "
            "decided whether it ran), replaced (a later decision on the same call, the id in "
            "replaced_by, counts instead)") in shown


@pytest.mark.parametrize("command", [["list"], ["emit", "ALERT", "QUALITY", "--reason", "x"]])
def test_a_project_path_that_is_not_utf8_gives_one_line(env, capsys, monkeypatch, tmp_path,
                                                         command) -> None:
    odd = os.fsdecode(os.fsencode(str(tmp_path)) + b"/bad\xff")
    os.mkdir(odd)
    monkeypatch.setenv("PACT_PROJECT", odd)

    code, out, err = run(capsys, *command)

    assert (code, out) == (1, "") and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("Error: text that is not UTF-8 (byte 0xff) cannot be stored")


def test_a_session_id_that_is_not_utf8_is_kept_with_a_replacement(env, capsys,
                                                                  monkeypatch) -> None:
    monkeypatch.setenv("CLAUDE_CODE_SESSION_ID", os.fsdecode(b"s\xff"))

    assert run(capsys, "emit", "ALERT", "QUALITY", "--reason", "x")[:2] == (0, "S1\n")
    with closing(store.connect(env["PACT_HOME"])) as conn:
        assert store.get(conn, 1).session == "s\ufffd"


def test_rows_another_program_wrote_oddly_are_still_shown(env, capsys) -> None:
    for reason in ("a", "b", "c"):
        run(capsys, "emit", "ALERT", "QUALITY", "--reason", reason)
    with closing(sqlite3.connect(os.path.join(env["PACT_HOME"], "pact.db"))) as conn, conn:
        conn.execute("UPDATE signals SET created = 1e300, resolved_at = 'soon' WHERE id = 1")
        conn.execute("UPDATE signals SET reason = x'41ff', agent = x'ff' WHERE id = 2")
        conn.execute("UPDATE signals SET created = 'abc', surfaced = 'x' WHERE id = 3")

    code, out, err = run(capsys, "list")
    assert (code, err) == (0, "")
    assert [line.split(": ", 1)[1] for line in out.splitlines()] == ["a", "A\ufffd", "c"]
    code, out, _ = run(capsys, "show", "S1")
    assert code == 0 and "created:      1970-01-01T00:00:00Z\n" in out
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0 and [s["created"] for s in json.loads(out)] == [
        "1970-01-01T00:00:00Z", json.loads(out)[1]["created"], "1970-01-01T00:00:00Z"]


def test_an_unexpected_error_is_one_line(env, capsys, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(store, "find", broken)

    assert run(capsys, "list")[::2] == (1, "Error: unexpected ZeroDivisionError: division by "
                                           "zero\n")


@pytest.mark.parametrize("command", [["list"], ["emit", "HALT", "DATA", "--reason", "x"]])
def test_a_project_that_is_not_a_folder_is_refused_as_pact_memory_refuses_it(
        env, capsys, monkeypatch, tmp_path, command) -> None:
    monkeypatch.setenv("PACT_PROJECT", str(tmp_path / "gone"))

    assert run(capsys, *command) == (1, "", (
        f"Error: PACT_PROJECT is {str(tmp_path / 'gone')!r}, which is not a folder; set it "
        "to the project's folder, or unset it to use the current one\n"))


class _FullDisk(io.StringIO):
    def flush(self) -> None:
        if self.getvalue():
            raise OSError(28, "No space left on device")


def test_an_id_that_cannot_be_written_says_the_signal_was_recorded(env, capsys,
                                                                    monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdout", _FullDisk())

    assert main(["emit", "ALERT", "QUALITY", "--reason", "x"]) == 1

    assert capsys.readouterr().err == (
        "Error: S1 was recorded, but its id could not be written (No space left on device); "
        "`pact-signal list` shows it\n")
    with closing(store.connect(env["PACT_HOME"])) as conn:
        assert [s.ref for s in store.find(conn, os.path.realpath(env["PACT_PROJECT"]))] == ["S1"]
