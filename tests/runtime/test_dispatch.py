"""The hook dispatcher: answer shapes, fail-open behaviour, the diagnostics log."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import types

import pytest
from pact_runtime import dispatch, log
from pact_runtime.hook import Event, Outcome
from pact_runtime.registry import Handler

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(dispatch.__file__)))
FAKE = "pact_runtime._fake_handlers"
BASH = {"session_id": "s1", "cwd": "/tmp", "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_input": {"command": "ls"}}


@pytest.fixture
def handlers(monkeypatch: pytest.MonkeyPatch):
    """Install a fake handler module and a handler table; returns (module, set_table)."""
    module = types.ModuleType(FAKE)
    monkeypatch.setitem(sys.modules, FAKE, module)

    def use(*entries: tuple) -> None:
        table = tuple(Handler(event, f"_fake_handlers:{fn}", tuple(tools))
                      for event, fn, *tools in entries)
        monkeypatch.setattr(dispatch, "HANDLERS", table)

    return module, use


@pytest.fixture
def home(tmp_path) -> str:
    return str(tmp_path / "data")


def run(event: str | None, payload: bytes | dict, home: str) -> tuple[int, str]:
    """Run the dispatcher in-process; returns (exit code, stdout text)."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    out = io.BytesIO()
    code = dispatch.main([event] if event else [], raw, {"PACT_HOME": home}, out)
    return code, out.getvalue().decode("utf-8")


def read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def log_text(home: str) -> str:
    path = os.path.join(home, "logs", "pact.log")
    return read(path) if os.path.exists(path) else ""


# ---------------------------------------------------------------- answer shapes


@pytest.mark.parametrize(("event", "outcome", "expected"), [
    ("PreToolUse", Outcome(deny="HALT open"),
     {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                             "permissionDecisionReason": "HALT open"}}),
    ("PreToolUse", Outcome(context="note"),
     {"hookSpecificOutput": {"hookEventName": "PreToolUse", "additionalContext": "note"}}),
    ("SessionStart", Outcome(context="brief"),
     {"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": "brief"}}),
    ("UserPromptSubmit", Outcome(block="no"), {"decision": "block", "reason": "no"}),
    ("SubagentStop", Outcome(block="add the handoff", context="c"),
     {"decision": "block", "reason": "add the handoff",
      "hookSpecificOutput": {"hookEventName": "SubagentStop", "additionalContext": "c"}}),
    ("Stop", Outcome(message="shown"), {"systemMessage": "shown"}),
    ("PostToolUse", Outcome(context="signal raised"),
     {"hookSpecificOutput": {"hookEventName": "PostToolUse",
                             "additionalContext": "signal raised"}}),
    ("PostToolUse", Outcome(deny="too late", block="too late"), None),
    ("SessionEnd", Outcome(context="nowhere to go"), None),
    ("PreToolUse", Outcome(), None),
])
def test_answer_has_the_shape_the_client_obeys(event, outcome, expected):
    assert dispatch.answer(event, [outcome]) == expected


def test_answer_merges_every_outcome_in_order():
    merged = dispatch.answer("PreToolUse", [Outcome(deny="first"), Outcome(context="c"),
                                            Outcome(deny="second")])

    assert merged == {"hookSpecificOutput": {
        "hookEventName": "PreToolUse", "permissionDecision": "deny",
        "permissionDecisionReason": "first\n\nsecond", "additionalContext": "c"}}


def test_main_prints_exact_json_with_the_event_name_from_argv(handlers, home):
    module, use = handlers
    module.deny = lambda event: Outcome(deny=f"denied {event.tool_name}")
    use(("PreToolUse", "deny"))

    code, out = run("PreToolUse", BASH, home)

    assert code == 0
    assert out == ('{"hookSpecificOutput": {"hookEventName": "PreToolUse", '
                   '"permissionDecision": "deny", "permissionDecisionReason": "denied Bash"}}')


def _recorder(calls: list[str], name: str, outcome: Outcome):
    def handler(event):
        calls.append(name)
        return outcome
    return handler


def test_pre_tool_use_stops_at_the_first_deny_on_a_large_call(handlers, home):
    """A deny is certain once given: later handlers (the guard's seconds on a large
    Write) would only delay it."""
    module, use = handlers
    calls: list[str] = []
    module.note = _recorder(calls, "note", Outcome(context="a note"))
    module.deny = _recorder(calls, "deny", Outcome(deny="paused"))
    module.later = _recorder(calls, "later", Outcome(deny="later deny", context="later note"))
    use(("PreToolUse", "note"), ("PreToolUse", "deny"), ("PreToolUse", "later"))
    big = {**BASH, "tool_input": {"command": "ls " + "x" * dispatch.AFTER_DENY_LIMIT}}

    code, out = run("PreToolUse", big, home)

    assert code == 0 and calls == ["note", "deny"]
    assert json.loads(out) == {"hookSpecificOutput": {
        "hookEventName": "PreToolUse", "permissionDecision": "deny",
        "permissionDecisionReason": "paused", "additionalContext": "a note"}}


def test_after_a_deny_an_ordinary_call_still_hears_the_later_handlers(handlers, home):
    module, use = handlers
    calls: list[str] = []
    module.deny = _recorder(calls, "deny", Outcome(deny="paused"))
    module.later = _recorder(calls, "later", Outcome(deny="the same action as S1"))
    use(("PreToolUse", "deny"), ("PreToolUse", "later"))
    edits = {**BASH, "tool_name": "MultiEdit", "tool_input": {
        "file_path": "a", "edits": [{"new_string": "x" * 1000}] * 60}}  # 60,000 characters

    code, out = run("PreToolUse", edits, home)

    assert calls == ["deny", "later"]
    assert json.loads(out)["hookSpecificOutput"]["permissionDecisionReason"] == (
        "paused\n\nthe same action as S1")
    calls.clear()
    edits["tool_input"]["edits"] = [{"new_string": "x" * 1000}] * 70  # 70,000: large
    run("PreToolUse", edits, home)
    assert calls == ["deny"]


def test_a_later_deny_still_wins_over_an_earlier_allow(handlers, home):
    module, use = handlers
    calls = []
    module.allow = lambda event: calls.append("allow") or Outcome(allow="own command")
    module.deny = lambda event: calls.append("deny") or Outcome(deny="guard raised a HALT")
    use(("PreToolUse", "allow"), ("PreToolUse", "deny"))

    code, out = run("PreToolUse", BASH, home)

    assert calls == ["allow", "deny"]
    specific = json.loads(out)["hookSpecificOutput"]
    assert (specific["permissionDecision"], specific["permissionDecisionReason"]) == (
        "deny", "guard raised a HALT")


def test_other_events_run_every_handler_whatever_they_answer(handlers, home):
    module, use = handlers
    calls = []
    module.first = lambda event: calls.append("first") or Outcome(block="add the handoff")
    module.second = lambda event: calls.append("second") or Outcome(context="c")
    use(("SubagentStop", "first"), ("SubagentStop", "second"))

    run("SubagentStop", {"hook_event_name": "SubagentStop"}, home)

    assert calls == ["first", "second"]


def test_event_name_falls_back_to_the_payload(handlers, home):
    module, use = handlers
    module.ctx = lambda event: Outcome(context="ünïcode ✓")
    use(("SessionStart", "ctx"))

    code, out = run(None, {"hook_event_name": "SessionStart"}, home)

    assert code == 0
    assert json.loads(out) == {"hookSpecificOutput": {"hookEventName": "SessionStart",
                                                      "additionalContext": "ünïcode ✓"}}


def test_handlers_run_only_for_their_event_and_tools(handlers, home):
    module, use = handlers
    calls = []
    module.rec = lambda event: calls.append(event.tool_name)
    use(("PreToolUse", "rec", "Write"), ("PostToolUse", "rec"), ("PreToolUse", "rec"))

    run("PreToolUse", BASH, home)

    assert calls == ["Bash"]


def test_a_tool_ending_in_a_star_is_a_prefix(handlers, home):
    module, use = handlers
    calls = []
    module.rec = lambda event: calls.append(event.tool_name)
    use(("PreToolUse", "rec", "Write", "mcp__*"))

    for tool in ("mcp__db__execute_sql", "mcp__x", "mcp_db", "Bash", "Write", "xmcp__db"):
        run("PreToolUse", {**BASH, "tool_name": tool}, home)

    assert calls == ["mcp__db__execute_sql", "mcp__x", "Write"]


@pytest.mark.parametrize(("tools", "tool", "expected"), [
    ((), "anything", True), ((), "", True),
    (("Bash",), "Bash", True), (("Bash",), "BashOutput", False), (("Bash",), "bash", False),
    (("mcp__*",), "mcp__db__q", True), (("mcp__*",), "mcp__", True), (("mcp__*",), "mcp", False),
    (("Edit", "mcp__*"), "NotebookEdit", False), (("Edit", "mcp__*"), "", False),
])
def test_handler_wants_exact_names_and_prefixes(tools, tool, expected):
    assert Handler("PreToolUse", "x:y", tools).wants(tool) is expected


# ---------------------------------------------------------------- fail open


def test_handler_exception_is_logged_and_the_others_still_answer(handlers, home):
    module, use = handlers

    def broken(event):
        raise RuntimeError("boom in handler")

    module.broken = broken
    module.deny = lambda event: Outcome(deny="real verdict")
    use(("PreToolUse", "broken"), ("PreToolUse", "deny"))

    code, out = run("PreToolUse", BASH, home)

    assert code == 0
    assert json.loads(out)["hookSpecificOutput"]["permissionDecisionReason"] == "real verdict"
    text = log_text(home)
    assert "_fake_handlers:broken failed on PreToolUse" in text
    assert "RuntimeError: boom in handler" in text


@pytest.mark.parametrize("exc", [SystemExit(2), KeyError("tool_input"), RecursionError()])
def test_no_handler_error_becomes_an_exit_code_or_a_block(handlers, home, exc):
    module, use = handlers

    def broken(event):
        raise exc

    module.broken = broken
    use(("PreToolUse", "broken"))

    assert run("PreToolUse", BASH, home) == (0, "")
    assert type(exc).__name__ in log_text(home)


def test_handler_whose_module_is_missing_is_logged_and_skipped(monkeypatch, home):
    table = (Handler("PreToolUse", "not_written_yet:on_pre_tool_use"),)
    monkeypatch.setattr(dispatch, "HANDLERS", table)

    assert run("PreToolUse", BASH, home) == (0, "")
    text = log_text(home)
    assert "not_written_yet:on_pre_tool_use skipped on PreToolUse: module not installed" in text
    assert "Traceback" not in text


def test_missing_dependency_inside_a_handler_module_logs_the_traceback(handlers, home):
    module, use = handlers

    def imports(event):
        import pact_no_such_dependency  # noqa: F401

    module.imports = imports
    use(("PreToolUse", "imports"))

    assert run("PreToolUse", BASH, home) == (0, "")
    assert "No module named 'pact_no_such_dependency'" in log_text(home)


def test_handler_returning_something_else_is_ignored(handlers, home):
    module, use = handlers
    module.bad = lambda event: {"permissionDecision": "deny"}
    use(("PreToolUse", "bad"))

    assert run("PreToolUse", BASH, home) == (0, "")
    assert "returned dict, not an Outcome" in log_text(home)


def test_stray_prints_stay_off_stdout_and_stderr(handlers, home, capsys):
    module, use = handlers

    def chatty(event):
        print("debug: looking at", event.tool_name)
        sys.stderr.write("warning: slow\n")
        return Outcome(deny="real verdict")

    module.chatty = chatty
    use(("PreToolUse", "chatty"))

    code, out = run("PreToolUse", BASH, home)

    assert code == 0
    assert json.loads(out)["hookSpecificOutput"]["permissionDecisionReason"] == "real verdict"
    assert capsys.readouterr() == ("", "")
    assert "handlers printed on PreToolUse (kept off stdout): debug: looking at Bash\n" \
        "warning: slow" in log_text(home)
    assert not isinstance(sys.stdout, dispatch._Sink)


def test_stray_print_in_a_process_leaves_the_answer_valid_json(handlers, home):
    proc = _hook("PreToolUse", b'{"tool_name": "Bash"}', home, handler=(
        "def on(event):\n    print('noise')\n    return Outcome(deny='blocked')\n"))

    assert (proc.returncode, proc.stderr) == (0, b"")
    answer = json.loads(proc.stdout)
    assert answer["hookSpecificOutput"]["permissionDecisionReason"] == "blocked"


BAD_INPUTS = {
    "empty": b"",
    "whitespace": b"  \n",
    "invalid json": b'{"tool_name": "Bash",',
    "json list": b"[1, 2]",
    "json string": b'"PreToolUse"',
    "non-utf8": b'{"tool_name": "Bash", "tool_input": {"command": "\xff\xfe ls"}}',
    "missing fields": b"{}",
    "wrong types": b'{"tool_name": 3, "tool_input": "rm -rf /", "cwd": 7}',
}


@pytest.mark.parametrize("raw", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_odd_input_exits_zero_without_blocking(handlers, home, raw):
    module, use = handlers
    seen = []
    module.look = lambda event: seen.append((event.tool_name, event.tool_input, event.project))
    use(("PreToolUse", "look"))

    code, out = run("PreToolUse", raw, home)

    assert (code, out) == (0, "")
    assert all(isinstance(project, str) for _, _, project in seen)


def test_bom_is_tolerated(handlers, home):
    module, use = handlers
    module.echo = lambda event: Outcome(context=event.tool_name)
    use(("PreToolUse", "echo"))

    code, out = run("PreToolUse", b"\xef\xbb\xbf" + json.dumps(BASH).encode(), home)

    assert json.loads(out)["hookSpecificOutput"]["additionalContext"] == "Bash"


def test_ten_megabyte_payload_is_read_whole(handlers, home):
    module, use = handlers
    module.size = lambda event: Outcome(context=str(len(event.tool_input["content"])))
    use(("PreToolUse", "size"))
    payload = {**BASH, "tool_name": "Write",
               "tool_input": {"file_path": "/tmp/x", "content": "x" * 10_000_000}}

    code, out = run("PreToolUse", payload, home)

    assert code == 0
    assert json.loads(out)["hookSpecificOutput"]["additionalContext"] == "10000000"


def test_no_data_folder_still_exits_zero(handlers):
    module, use = handlers

    def broken(event):
        raise RuntimeError("nowhere to log")

    module.broken = broken
    use(("PreToolUse", "broken"))
    out = io.BytesIO()

    assert dispatch.main(["PreToolUse"], json.dumps(BASH).encode(), {}, out) == 0
    assert out.getvalue() == b""


# ---------------------------------------------------------------- log file


def test_log_file_is_private(home):
    log.log("hello", home)

    path = os.path.join(home, "logs", "pact.log")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    assert read(path).endswith(" hello\n")


def test_log_rotates_once_at_the_cap(home, monkeypatch):
    monkeypatch.setattr(log, "MAX_BYTES", 1000)
    for i in range(60):
        log.log(f"line {i:03d} " + "x" * 40, home)

    path = os.path.join(home, "logs", "pact.log")
    assert os.path.getsize(path) <= 1000 + 100
    assert os.path.getsize(path + ".1") <= 1000 + 100
    assert not os.path.exists(path + ".2")
    assert "line 059" in read(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_one_huge_entry_is_cut_to_the_entry_cap(home):
    log.log("start " + "y" * (3 * log.MAX_ENTRY), home)

    text = read(os.path.join(home, "logs", "pact.log"))
    assert len(text) < log.MAX_ENTRY + 200
    assert text.rstrip().endswith(f"y… [{2 * log.MAX_ENTRY + 6} more characters cut]")


def test_log_without_a_data_folder_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("PACT_HOME", raising=False)
    monkeypatch.delenv("CLAUDE_PLUGIN_DATA", raising=False)
    monkeypatch.chdir(tmp_path)

    log.log("dropped")

    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- as a process


def _hook(event: str, stdin: bytes, home: str, handler: str = "") -> subprocess.CompletedProcess:
    """The dispatcher started as hooks.json starts it: ``python3 -S …; || true`` in sh.

    ``handler`` is the source of a function ``on(event)``, run as the only handler.
    """
    entry = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
             "from pact_runtime.dispatch import main; sys.exit(main())")
    if handler:
        entry = ("import sys, types; sys.path.insert(0, sys.argv.pop(1)); "
                 "from pact_runtime import dispatch; from pact_runtime.hook import Outcome; "
                 "from pact_runtime.registry import Handler; "
                 "m = types.ModuleType('pact_runtime._fake'); m.Outcome = Outcome; "
                 f"exec({handler!r}, m.__dict__); sys.modules['pact_runtime._fake'] = m; "
                 f"dispatch.HANDLERS = (Handler({event!r}, '_fake:on'),); "
                 "sys.exit(dispatch.main())")
    command = f'python3 -S -c "$ENTRY" "$SCRIPTS" {event} || true'
    env = {"PATH": os.environ["PATH"], "ENTRY": entry, "SCRIPTS": SCRIPTS,
           "CLAUDE_PLUGIN_DATA": home}
    return subprocess.run(["sh", "-c", command], input=stdin, env=env,
                          capture_output=True, timeout=60)


@pytest.mark.parametrize("stdin", [b"", b"not json", json.dumps(BASH).encode()])
def test_process_exits_zero_and_prints_nothing_stray(home, stdin):
    proc = _hook("PreToolUse", stdin, home)

    assert proc.returncode == 0
    assert proc.stderr == b""
    assert proc.stdout == b"" or "hookSpecificOutput" in json.loads(proc.stdout)


def test_process_does_not_load_site_packages(home):
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import pact_runtime.dispatch; "
            "print(sorted(m for m in sys.modules if m in "
            "('site', 'typing', 'pathlib', 'dataclasses', 'argparse', 'logging', 're')))")
    proc = subprocess.run(["python3", "-S", "-c", code, SCRIPTS], capture_output=True,
                          text=True, timeout=60)

    assert proc.stdout.strip() == "[]", proc.stderr


def test_event_fields_read_safely():
    event = Event("PreToolUse", {"tool_name": 5, "tool_input": [1], "agent_type": None}, {})

    assert (event.tool_name, event.tool_input, event.agent_type, event.home) == ("", {}, "", None)


# ---- the registry's routing -------------------------------------------------------------

# The client's tools (2.1.197, main thread): subagents lack ScheduleWakeup, TaskOutput and
# Workflow. Those that start or schedule work, change the worktree or edit files reach HALT
# enforcement.
CLIENT_TOOLS = ("Agent", "Bash", "CronCreate", "CronDelete", "CronList", "Edit",
                "EnterWorktree", "ExitWorktree", "NotebookEdit", "Read", "ReportFindings",
                "ScheduleWakeup", "SendMessage", "Skill", "TaskCreate", "TaskGet", "TaskList",
                "TaskOutput", "TaskStop", "TaskUpdate", "WebFetch", "WebSearch", "Workflow",
                "Write")
ENFORCED = {"Agent", "Bash", "CronCreate", "Edit", "EnterWorktree", "ExitWorktree",
            "NotebookEdit", "ScheduleWakeup", "SendMessage", "Workflow", "Write"}


def _tools_of(target: str) -> set[str]:
    from pact_runtime.registry import HANDLERS

    return {t for h in HANDLERS if h.target == target for t in h.tools}


def test_enforcement_gets_every_tool_that_edits_or_starts_work():
    assert _tools_of("signals.enforce:on_pre_tool_use") & set(CLIENT_TOOLS) == ENFORCED
    assert _tools_of("signals.guard:on_pre_tool_use") & set(CLIENT_TOOLS) == {
        "Bash", "Edit", "NotebookEdit", "Write"}


MCP_NAMES = ("mcp__testdb__execute_sql", "mcp__github__create_issue",
             "mcp__plugin_PACT_db__query")
NOT_MCP = ("mcp_testdb_query", "MCP__testdb__query", "xmcp__testdb__query")
# Former names the client still tests a regex matcher against (2.1.197's alias table).
ALIASES = {"Task": "Agent", "KillShell": "TaskStop", "KillBash": "TaskStop",
           "AgentOutputTool": "TaskOutput", "BashOutputTool": "TaskOutput",
           "AgentOutput": "TaskOutput", "BashOutput": "TaskOutput"}


def client_matches(matcher: str, tool: str) -> bool:
    """How the client (2.1.197) applies a hook matcher to a tool name.

    Read from its code: ``*`` or nothing matches all; letters, digits, ``_`` and ``|``
    alone are a list of exact names; anything else is a regular expression tested
    unanchored (``RegExp.test``) against the name and each former name of it.
    """
    import re

    if not matcher or matcher == "*":
        return True
    if re.fullmatch(r"[a-zA-Z0-9_|]+", matcher):
        return tool in [ALIASES.get(n, n) for n in matcher.split("|")]
    pattern = re.compile(matcher)
    names = [tool, *(old for old, new in ALIASES.items() if new == tool)]
    return any(pattern.search(n) for n in names)


def test_the_pre_tool_use_matcher_is_a_regex_the_client_matches_to_exactly_those_tools():
    from pact_runtime.registry import matcher

    pre = matcher("PreToolUse") or ""
    assert pre == ("^(Bash|Edit|Write|MultiEdit|NotebookEdit|Agent|SendMessage|Workflow|"
                   "CronCreate|ScheduleWakeup|EnterWorktree|ExitWorktree|mcp__.*)$")
    tools = (*CLIENT_TOOLS, *MCP_NAMES, *NOT_MCP, *ALIASES)
    assert {t for t in tools if client_matches(pre, t)} == ENFORCED | set(MCP_NAMES)


def test_a_matcher_of_plain_names_stays_the_exact_list_form():
    from pact_runtime.registry import matcher

    assert matcher("PostToolUse") == "Agent"
    assert matcher("SessionStart") is None


@pytest.mark.parametrize("tools", [("Bash", "a.b*"), ("Bash(git *)",), ("*",), ("Ba sh",)])
def test_a_tool_that_is_neither_a_name_nor_a_prefix_is_refused(monkeypatch, tools):
    from pact_runtime import registry

    monkeypatch.setattr(registry, "HANDLERS", (Handler("PreToolUse", "x:y", tools),))
    with pytest.raises(ValueError, match="a name is letters, digits and _"):
        registry.matcher("PreToolUse")


def _halted(tmp_path) -> dict[str, str]:
    from contextlib import closing

    from pact_runtime.signals import store

    home, project = str(tmp_path / "data"), str(tmp_path / "project")
    os.makedirs(project)
    with closing(store.connect(home)) as conn:
        store.record(conn, home, project=os.path.realpath(project), level="HALT",
                     category="DATA", reason="drops customers")
    return {"PACT_HOME": home, "CLAUDE_PROJECT_DIR": project}


@pytest.mark.parametrize(("tool", "tool_input"), [
    ("SendMessage", {"to": "a1", "summary": "go on", "message": "carry on"}),
    ("Workflow", {"name": "review"}),
    ("CronCreate", {"cron": "*/5 * * * *", "prompt": "check the build"}),
    ("ScheduleWakeup", {"delay_seconds": 60, "prompt": "look again"}),
    ("EnterWorktree", {"name": "try-it"}),
    ("ExitWorktree", {"action": "remove"}),
    ("mcp__testdb__execute_sql", {"query": "DROP TABLE customers"}),
])
def test_work_tools_reach_enforcement_through_the_dispatcher(tmp_path, tool, tool_input):
    env = _halted(tmp_path)
    payload = {"session_id": "s1", "hook_event_name": "PreToolUse", "tool_name": tool,
               "tool_input": tool_input}
    out = io.BytesIO()
    assert dispatch.main(["PreToolUse"], json.dumps(payload).encode(), env, out) == 0
    answer = json.loads(out.getvalue())["hookSpecificOutput"]
    assert answer["permissionDecision"] == "deny"
    assert answer["permissionDecisionReason"].startswith("Paused by PACT: HALT open (S1")


def test_a_notebook_cell_reaches_the_guard_through_the_dispatcher(tmp_path):
    env = {"PACT_HOME": str(tmp_path / "data"), "CLAUDE_PROJECT_DIR": str(tmp_path)}
    secret = "key = '" + "AKIA" + "UJZDEGXDNCF32EPF'"
    payload = {"session_id": "s1", "hook_event_name": "PreToolUse", "tool_name": "NotebookEdit",
               "tool_input": {"notebook_path": str(tmp_path / "n.ipynb"), "new_source": secret}}
    out = io.BytesIO()
    assert dispatch.main(["PreToolUse"], json.dumps(payload).encode(), env, out) == 0
    reason = json.loads(out.getvalue())["hookSpecificOutput"]["permissionDecisionReason"]
    assert "PACT guard raised HALT S1 (SECURITY)" in reason


def test_the_guard_does_not_run_once_enforcement_has_denied(tmp_path):
    """During a HALT a large Write holding a secret is denied by enforcement alone: the
    guard's scan is skipped and opens no second HALT."""
    from contextlib import closing

    from pact_runtime.signals import store

    env = _halted(tmp_path)
    secret = "key = '" + "AKIA" + "UJZDEGXDNCF32EPF'"
    payload = {"session_id": "s1", "hook_event_name": "PreToolUse", "tool_name": "Write",
               "tool_input": {"file_path": str(tmp_path / "project" / "k.py"),
                              "content": "x = 1\n" * 20000 + secret}}
    out = io.BytesIO()
    assert dispatch.main(["PreToolUse"], json.dumps(payload).encode(), env, out) == 0
    reason = json.loads(out.getvalue())["hookSpecificOutput"]["permissionDecisionReason"]
    assert reason.startswith("Paused by PACT: HALT open (S1") and "guard" not in reason
    with closing(store.connect(env["PACT_HOME"])) as conn:
        assert [s.ref for s in store.find(conn, os.path.realpath(env["CLAUDE_PROJECT_DIR"]))] \
            == ["S1"]


@pytest.mark.parametrize("depth", [63, 64, 65, 990, 1200, 100_000])
def test_nesting_is_cut_at_the_limit_whether_or_not_json_can_parse_it(depth):
    deep = '{"a": ' * depth + '"end"' + "}" * depth
    raw = ('{"tool_name": "Write", "tool_input": {"content": "x [{\\"", "deep": '
           + deep + "}}").encode()

    data = dispatch.parse(raw)

    assert data is not None and data["tool_input"]["content"] == 'x [{"'
    node, levels = data, 1
    while isinstance(node, dict) and node != {"a": "end"}:
        node = node.get("tool_input") or node.get("deep") or node.get("a")
        levels += 1
    # tool_input is level 2, "deep" level 3: what fits in MAX_DEPTH is kept as it was.
    if depth + 2 <= dispatch.MAX_DEPTH:
        assert node == {"a": "end"}
    else:
        assert node == dispatch.TOO_DEEP and levels == dispatch.MAX_DEPTH + 1


def test_a_string_that_looks_like_brackets_is_not_cut():
    text = json.dumps({"tool_input": {"command": "[" * 5000 + "{" * 5000}})

    assert dispatch.parse(text.encode()) == json.loads(text)
    assert json.loads(dispatch._cut_text(text, 3)) == json.loads(text)
