"""MCP server tools (``mcp__<server>__<tool>``): free with no HALT open, denied while one is."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import closing

import pytest
from pact_runtime import dispatch
from pact_runtime.signals import store
from pact_runtime.signals.readonly import STILL_WORKS

from .test_signals_hooks import deny_reason

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(dispatch.__file__)))
SQL_TOOL = "mcp__testdb__execute_sql"


class Project:
    def __init__(self, home: str, project: str) -> None:
        self.home, self.project = home, os.path.realpath(project)
        self.env = {"PACT_HOME": home, "CLAUDE_PROJECT_DIR": project}

    def payload(self, tool: str, tool_input: dict, **extra: object) -> bytes:
        return json.dumps({"session_id": "s1", "cwd": self.project,
                           "hook_event_name": "PreToolUse", "tool_name": tool,
                           "tool_input": tool_input, **extra}).encode()

    def tool(self, tool: str, tool_input: dict, **extra: object) -> dict | None:
        out = io.BytesIO()
        assert dispatch.main(["PreToolUse"], self.payload(tool, tool_input, **extra),
                             self.env, out) == 0
        return json.loads(out.getvalue()) if out.getvalue() else None

    def signal(self, level: str = "HALT", reason: str = "drops customers",
               **fields: str) -> store.Signal:
        with closing(store.connect(self.home)) as conn:
            return store.record(conn, self.home, project=self.project, level=level,
                                category="DATA", reason=reason, **fields)


@pytest.fixture
def project(tmp_path) -> Project:
    (tmp_path / "project").mkdir()
    return Project(str(tmp_path / "data"), str(tmp_path / "project"))


@pytest.mark.parametrize(("tool", "tool_input"), [
    (SQL_TOOL, {"query": "INSERT INTO customers VALUES (1)"}),
    ("mcp__github__create_pull_request", {"title": "t", "body": "b"}),
    ("mcp__plugin_x_fs__read_file", {"path": "a.txt"}),  # a reader too: none can be judged
    ("mcp__weird", {}),
])
def test_an_open_halt_denies_every_mcp_tool_with_the_pause_reason(project: Project, tool: str,
                                                                    tool_input: dict) -> None:
    halt = project.signal(agent="PACT:pact-database-engineer")

    assert deny_reason(project.tool(tool, tool_input)) == (
        f"Paused by PACT: HALT open ({halt.ref} HALT DATA (PACT:pact-database-engineer): drops "
        "customers). Until the user resolves it, edits, writes, agents, messages to agents, "
        "workflows, schedules and the tools of MCP servers are refused, and so is every Bash "
        f"command that could change something. {STILL_WORKS} Tell the user and wait for them "
        f"to type `/PACT:resolve {halt.ref} <decision>` in a session.")


def test_a_subagent_mcp_call_is_denied_too(project: Project) -> None:
    halt = project.signal()
    answer = project.tool(SQL_TOOL, {"query": "DELETE FROM t"}, agent_id="a1",
                          agent_type="PACT:pact-database-engineer")
    assert deny_reason(answer).startswith(f"Paused by PACT: HALT open ({halt.ref} HALT DATA")


def test_several_halts_are_all_named(project: Project) -> None:
    first, second = project.signal(), project.signal(reason="leaks a key")
    reason = deny_reason(project.tool(SQL_TOOL, {"query": "SELECT 1"}))
    assert f"{first.ref} HALT DATA: drops customers; {second.ref} HALT DATA: leaks a key" in \
        reason
    assert f"`/PACT:resolve {first.ref} {second.ref} <decision>`" in reason


@pytest.mark.parametrize("tool", ["mcp_testdb_execute_sql", "MCP__testdb__execute_sql",
                                  "xmcp__testdb__execute_sql", "Read", "Grep", "WebFetch"])
def test_names_that_are_not_mcp_tools_are_not_paused(project: Project, tool: str) -> None:
    project.signal()
    assert project.tool(tool, {"query": "DROP TABLE t"}) is None


def test_an_alert_or_a_resolved_halt_pauses_no_mcp_tool(project: Project) -> None:
    insert = {"query": "INSERT INTO t VALUES (1)"}
    project.signal(level="ALERT")
    assert project.tool(SQL_TOOL, insert) is None
    halt = project.signal()
    assert deny_reason(project.tool(SQL_TOOL, insert))
    with closing(store.connect(project.home)) as conn:
        store.resolve(conn, project.home, halt, "keep it", "user")
    assert project.tool(SQL_TOOL, insert) is None


def test_a_marked_halt_with_an_unreadable_log_denies_mcp_tools(project: Project) -> None:
    project.signal()
    for name in ("pact.db", "pact.db-wal", "pact.db-shm"):
        if os.path.exists(os.path.join(project.home, name)):
            os.remove(os.path.join(project.home, name))
    with open(os.path.join(project.home, "pact.db"), "wb") as f:
        f.write(b"this is not a database" * 100)
    reason = deny_reason(project.tool(SQL_TOOL, {"query": "SELECT 1"}))
    assert "cannot be read" in reason
    assert store.marker_path(project.home, project.project) in reason


def test_with_no_halt_an_mcp_call_costs_two_stats_and_no_sqlite(project: Project) -> None:
    """The no-op path: ``os.stat`` of the marker and of its folder (still there beside
    the log), nothing more; SQLite is never loaded."""
    project.signal(level="ALERT")  # a database exists, with nothing that pauses
    code = ("import os, sys\n"
            "from pact_runtime.dispatch import main\n"
            "stat, seen = os.stat, []\n"
            "def counted(path, *a, **k):\n"
            "    seen.append(str(path))\n"
            "    return stat(path, *a, **k)\n"
            "os.stat = counted\n"
            "main()\n"
            "home = os.environ['PACT_HOME']\n"
            "print(json.dumps([p for p in seen if p.startswith(home)]), file=sys.stderr)\n"
            "print(json.dumps(sorted(m for m in sys.modules if 'sqlite' in m or "
            "m.endswith('.store'))), file=sys.stderr)\n")
    marker = store.marker_path(project.home, project.project)
    for _ in range(2):  # the first finds a log with no halts/ folder (only ALERTs) and makes it
        proc = subprocess.run(
            [sys.executable, "-S", "-c", "import json\n" + code, "PreToolUse"],
            input=project.payload(SQL_TOOL, {"query": "SELECT count(*) FROM t"}),
            capture_output=True,
            cwd=SCRIPTS, timeout=60,
            env={"PATH": os.environ["PATH"], "PYTHONPATH": SCRIPTS, **project.env})
        assert proc.returncode == 0 and proc.stdout == b"", proc.stderr
        assert os.path.isdir(os.path.dirname(marker))
    stats, modules = (json.loads(line) for line in proc.stderr.decode().splitlines())
    assert stats == [marker, os.path.dirname(marker)]
    assert modules == []


@pytest.mark.parametrize("depth", [60, 900, 1200, 50_000])
def test_an_mcp_call_nested_past_the_recursion_limit_is_still_denied(project: Project,
                                                                    depth: int) -> None:
    halt = project.signal()
    deep = "[" * depth + "]" * depth
    raw = project.payload(SQL_TOOL, {"query": "DROP TABLE customers"}).replace(
        b'"DROP TABLE customers"}', b'"DROP TABLE customers", "params": ' + deep.encode() + b"}")
    out = io.BytesIO()

    assert dispatch.main(["PreToolUse"], raw, project.env, out) == 0

    assert halt.ref in deny_reason(json.loads(out.getvalue()))


def test_an_integer_too_long_to_read_does_not_switch_the_hook_off(project: Project) -> None:
    """An integer over 4,300 digits, which int() refuses, is kept as its digits: the event is
    still read, so a HALT still pauses the call and the guard still judges it."""
    halt = project.signal()
    raw = project.payload(SQL_TOOL, {"query": "INSERT INTO t VALUES (1)"}).replace(
        b'"INSERT INTO t VALUES (1)"}', b'"INSERT INTO t VALUES (1)", "limit": '
        + b"9" * 5000 + b"}")
    out = io.BytesIO()
    assert dispatch.main(["PreToolUse"], raw, project.env, out) == 0
    assert halt.ref in deny_reason(json.loads(out.getvalue()))

    with closing(store.connect(project.home)) as conn:
        store.resolve(conn, project.home, halt, "keep it", "user")
    raw = project.payload(SQL_TOOL, {"query": "DROP TABLE b"}).replace(
        b'"DROP TABLE b"}', b'"DROP TABLE b", "limit": -' + b"9" * 5000 + b"}")
    out = io.BytesIO()
    assert dispatch.main(["PreToolUse"], raw, project.env, out) == 0
    assert "PACT guard raised HALT" in deny_reason(json.loads(out.getvalue()))
