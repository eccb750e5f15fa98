"""Memory in real sessions: explicit saves from a specialist, handoff capture, recall, search."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess

from .harness import Client, text, tool_use

AGENT = "PACT:pact-database-engineer"
LESSON = "Backfill the orders_archive table in batches of 5000 to keep replication lag low"
SAVED = {"agent": "pact-database-engineer", "phase": "Code",
         "goal": "Archive old orders without blocking writes", "lessons": [LESSON],
         "entities": [{"name": "orders_archive", "kind": "table"}]}


def handoff(decision: str, file: str) -> str:
    return (f"Finished.\n\n### Produced files\n- `{file}`: the change\n\n"
            f"### Key decisions\n- {decision} because it keeps writes fast\n\n"
            "### Areas of uncertainty\n- LOW: batch size may need tuning\n\n"
            "### Integration points\n- the backend reads `ARCHIVE_BATCH_SIZE`\n\n"
            "### Open questions\nNone\n")


FIRST = handoff("Copy rows with a keyset cursor", "db/archive_orders.sql")
SECOND = handoff("Archive nightly from cron", "ops/archive.cron")


def save_command(memory: dict) -> str:
    return "pact-memory save <<'JSON'\n" + json.dumps(memory) + "\nJSON"


def stored(client: Client) -> list[dict]:
    """The memories in the session's data folder, oldest first, read straight from SQLite."""
    conn = sqlite3.connect(os.path.join(client.data_dir, "pact.db"))
    try:
        rows = conn.execute("SELECT id, source, agent, session_id, goal, lessons, decisions "
                            "FROM memories ORDER BY rowid").fetchall()
    finally:
        conn.close()
    keys = ("id", "source", "agent", "session_id", "goal", "lessons", "decisions")
    return [dict(zip(keys, r)) for r in rows]


def test_specialist_saves_handoffs_are_captured_and_the_next_session_recalls(
        pact: Client, plugin_root: str):
    pact.model.script(
        main=[tool_use("Agent", {"subagent_type": AGENT, "description": "archive",
                                 "prompt": "Archive old orders"}),
              tool_use("Agent", {"subagent_type": AGENT, "description": "schedule",
                                 "prompt": "Schedule the archive job"}),
              tool_use("Bash", {"command": "pact-memory search replication --json",
                                "description": "search memory"}, id="toolu_search"),
              text("done")],
        sub=[tool_use("Bash", {"command": save_command(SAVED), "description": "save"},
                      id="toolu_save"),
             text(FIRST),
             text(SECOND)],
    )

    r = pact.run("archive old orders", allowed_tools=["Bash"])

    assert r.returncode == 0, r
    saved_output = r.result_text(r.tool_result_for("toolu_save")).strip()
    assert re.fullmatch(r"m-[0-9a-f]{10}", saved_output), saved_output
    memories = stored(pact)
    # The first run saved explicitly, so its handoff is not stored again; the second
    # run of the same specialist saved nothing, so its handoff is captured.
    assert [(m["source"], m["agent"]) for m in memories] == [
        ("explicit", "pact-database-engineer"), ("handoff", AGENT)]
    assert memories[0]["id"] == saved_output
    assert memories[0]["session_id"] and memories[0]["session_id"] == memories[1]["session_id"]
    assert json.loads(memories[0]["lessons"]) == [LESSON]
    assert json.loads(memories[1]["decisions"])[0]["decision"] == "Archive nightly from cron"
    assert memories[1]["goal"] == "Schedule the archive job"  # the specialist's task
    assert "keyset cursor" not in json.dumps(memories)
    found = json.loads(r.result_text(r.tool_result_for("toolu_search")))
    assert [m["id"] for m in found["results"]] == [saved_output]

    second = pact.run("hello")

    assert second.returncode == 0, second
    context = second.context_text(second.main_requests[0])
    assert "PACT memory for this project (2 of 2;" in context
    assert f"- {saved_output} (pact-database-engineer, " in context
    assert LESSON in context
    assert "Archive nightly from cron" in context

    direct = subprocess.run([os.path.join(plugin_root, "bin", "pact-memory"), "search",
                             "replication", "lag"], cwd=pact.project, capture_output=True,
                            text=True, timeout=30,
                            env={"PATH": os.environ["PATH"], "PACT_HOME": pact.data_dir})
    assert direct.returncode == 0, direct.stderr
    assert direct.stdout.splitlines()[0].startswith(f"{saved_output}  ")
    assert LESSON in direct.stdout
