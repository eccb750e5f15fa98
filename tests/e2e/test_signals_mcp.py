"""MCP server tools in real sessions: free with no HALT open, paused while one is, and
destructive SQL sent to a database server's tool stopped by the guard."""

from __future__ import annotations

import json
import os
import sys

from .harness import Client, text, tool_use

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = "testdb"
SQL_TOOL = f"mcp__{SERVER}__execute_sql"
WRITE_TOOL = f"mcp__{SERVER}__write_file"


def with_mcp_server(client: Client) -> tuple[list[str], str]:
    """The client arguments that start ``mcp_server.py`` as the only MCP server, and the
    file its calls are written to."""
    calls = os.path.join(client.root, "mcp-calls.jsonl")
    config = {"mcpServers": {SERVER: {"type": "stdio", "command": sys.executable,
                                      "args": [os.path.join(HERE, "mcp_server.py"), calls]}}}
    path = os.path.join(client.root, "mcp.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(config, f)
    return ["--mcp-config", path, "--strict-mcp-config"], calls


def calls_made(calls: str) -> list[str]:
    if not os.path.exists(calls):
        return []
    with open(calls, encoding="utf-8") as f:
        return [json.loads(line)["query"] for line in f]


def sql(query: str, id: str) -> object:
    return tool_use(SQL_TOOL, {"query": query}, id=id)


def test_an_mcp_tool_runs_freely_and_waits_while_a_halt_is_open(pact: Client):
    args, calls = with_mcp_server(pact)
    allowed = ["Bash", SQL_TOOL]

    # No HALT: the call runs, the server saw it and its answer reached the model.
    pact.model.script(main=[sql("SELECT count(*) FROM customers", "toolu_free"), text("done")])
    r = pact.run("count the customers", allowed_tools=allowed, args=args)
    assert r.returncode == 0, r
    assert SQL_TOOL in r.tool_names(r.main_requests[0])
    free = r.tool_result_for("toolu_free")
    assert free.get("is_error") is not True
    assert r.result_text(free) == "ran: SELECT count(*) FROM customers"
    assert calls_made(calls) == ["SELECT count(*) FROM customers"]

    # A HALT opens: the same server's tool is refused with the HALT's reason and never runs.
    emit = tool_use("Bash", {"command": "pact-signal emit HALT DATA --reason 'The migration "
                             "drops customers'", "description": "halt"}, id="toolu_emit")
    pact.model.script(main=[emit, sql("INSERT INTO customers VALUES (1)", "toolu_paused"),
                            text("paused")])
    r2 = pact.run("migrate the database", allowed_tools=allowed, args=args)
    assert r2.returncode == 0, r2
    assert r2.result_text(r2.tool_result_for("toolu_emit")).startswith(
        "S1\nHALT S1 is open")
    paused = r2.tool_result_for("toolu_paused")
    assert paused.get("is_error") is True
    reason = r2.result_text(paused)
    assert reason.startswith("Paused by PACT: HALT open (S1 HALT DATA: "
                             "The migration drops customers)."), reason
    assert "the tools of MCP servers are refused" in reason
    assert "Commands that only read still run:" in reason
    assert reason.endswith("Tell the user and wait for them to type "
                           "`/PACT:resolve S1 <decision>` in a session.")
    assert calls_made(calls) == ["SELECT count(*) FROM customers"]

    # Once the user resolves it, the tool runs again.
    pact.model.script(main=[sql("SELECT 1", "toolu_after"), text("resumed")])
    r3 = pact.run("/PACT:resolve S1 keep the table", allowed_tools=allowed, args=args)
    assert r3.returncode == 0, r3
    assert r3.result_text(r3.tool_result_for("toolu_after")) == "ran: SELECT 1"
    assert calls_made(calls) == ["SELECT count(*) FROM customers", "SELECT 1"]


def test_destructive_sql_sent_to_an_mcp_database_tool_halts_until_approved(pact: Client):
    args, calls = with_mcp_server(pact)
    allowed = ["Bash", SQL_TOOL]

    # No HALT open: the guard reads the tool's query, stops the DROP and opens HALT DATA.
    pact.model.script(main=[sql("DROP TABLE customers", "toolu_drop"),
                            sql("SELECT count(*) FROM customers", "toolu_read"),
                            text("stopped")])
    r = pact.run("drop the old customers table", allowed_tools=allowed, args=args)
    assert r.returncode == 0, r
    stopped = r.tool_result_for("toolu_drop")
    assert stopped.get("is_error") is True
    assert r.result_text(stopped).startswith(
        "PACT guard raised HALT S1 (DATA): DROP TABLE: `DROP TABLE customers`. This call was "
        "not run")
    # Work is paused: the same server's next tool call waits, even a read.
    assert r.result_text(r.tool_result_for("toolu_read")).startswith(
        "Paused by PACT: HALT open (S1 HALT DATA")
    assert calls_made(calls) == []

    # The user approves: that exact call runs once; a repeat is stopped again.
    pact.model.script(main=[sql("DROP TABLE customers", "toolu_approved"),
                            sql("DROP TABLE customers", "toolu_twice"), text("done")])
    r2 = pact.run("/PACT:resolve S1 approved, the backup is done", allowed_tools=allowed,
                  args=args)
    assert r2.returncode == 0, r2
    assert r2.result_text(r2.tool_result_for("toolu_approved")) == "ran: DROP TABLE customers"
    assert "PACT guard raised HALT S2 (DATA)" in \
        r2.result_text(r2.tool_result_for("toolu_twice"))
    assert calls_made(calls) == ["DROP TABLE customers"]


def test_a_secret_written_through_an_mcp_tool_halts_and_a_placeholder_does_not(pact: Client):
    args, calls = with_mcp_server(pact)
    key = "AKIA" + "UJZDEGXDNCF32EPF"
    example = tool_use(WRITE_TOOL, {"path": ".env.example", "content": "AWS_KEY=changeme\n"},
                       id="toolu_example")
    real = tool_use(WRITE_TOOL, {"path": ".env", "content": f"AWS_KEY={key}\n"}, id="toolu_real")
    pact.model.script(main=[example, real, text("written")])
    r = pact.run("write the settings", allowed_tools=[WRITE_TOOL], args=args)
    assert r.returncode == 0, r
    assert r.result_text(r.tool_result_for("toolu_example")) == "wrote: .env.example"
    reason = r.result_text(r.tool_result_for("toolu_real"))
    assert reason.startswith("PACT guard raised HALT S1 (SECURITY): plain-text secret "
                             "(aws-access-key) written to .env."), reason
    assert key not in reason
    assert calls_made(calls) == [".env.example"]
