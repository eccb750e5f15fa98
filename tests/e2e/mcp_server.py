"""A tiny MCP server over stdio, for end-to-end tests: a tool that "runs SQL", one that
"writes a file".

    python3 mcp_server.py CALLS_FILE

Speaks MCP's JSON-RPC 2.0, one message per line: ``initialize`` (echoing the
client's protocol version), ``tools/list`` (``execute_sql`` taking ``query``,
``write_file`` taking ``path`` and ``content``), ``tools/call`` and ``ping``;
notifications get no answer, other requests a "method not found" error. Every
call is appended to CALLS_FILE as one JSON line before it answers ``ran:
<query>`` or ``wrote: <path>`` (nothing is written), so a test can tell a call
that ran from one a hook denied. Standard library only.
"""

from __future__ import annotations

import json
import sys
from typing import Any

TOOL = {
    "name": "execute_sql",
    "description": "Run one SQL statement against the test database.",
    "inputSchema": {"type": "object", "properties": {"query": {"type": "string"}},
                    "required": ["query"]},
}


WRITE_TOOL = {
    "name": "write_file",
    "description": "Write a text file.",
    "inputSchema": {"type": "object", "properties": {"path": {"type": "string"},
                                                     "content": {"type": "string"}},
                    "required": ["path", "content"]},
}


def handle(message: dict[str, Any], calls_file: str) -> dict[str, Any] | None:
    """The answer to one message, or None for a notification."""
    if "id" not in message:
        return None
    method, params = message.get("method"), message.get("params") or {}
    result: dict[str, Any]
    if method == "initialize":
        result = {"protocolVersion": params.get("protocolVersion", "2025-06-18"),
                  "capabilities": {"tools": {}},
                  "serverInfo": {"name": "pact-test-db", "version": "1.0.0"}}
    elif method == "tools/list":
        result = {"tools": [TOOL, WRITE_TOOL]}
    elif method == "tools/call" and params.get("name") == TOOL["name"]:
        query = str((params.get("arguments") or {}).get("query", ""))
        with open(calls_file, "a", encoding="utf-8") as f:
            f.write(json.dumps({"tool": TOOL["name"], "query": query}) + "\n")
        result = {"content": [{"type": "text", "text": f"ran: {query}"}]}
    elif method == "tools/call" and params.get("name") == WRITE_TOOL["name"]:
        path = str((params.get("arguments") or {}).get("path", ""))
        with open(calls_file, "a", encoding="utf-8") as f:
            f.write(json.dumps({"tool": WRITE_TOOL["name"], "query": path}) + "\n")
        result = {"content": [{"type": "text", "text": f"wrote: {path}"}]}
    elif method == "ping":
        result = {}
    else:
        return {"jsonrpc": "2.0", "id": message["id"],
                "error": {"code": -32601, "message": f"method not found: {method}"}}
    return {"jsonrpc": "2.0", "id": message["id"], "result": result}


def main() -> int:
    calls_file = sys.argv[1]
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError:
            continue
        reply = handle(message, calls_file) if isinstance(message, dict) else None
        if reply is not None:
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
