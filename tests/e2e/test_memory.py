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
        ("explicit", "pact-database-engineer"), ("handoff", "pact-database-engineer")]
    assert memories[0]["id"] == saved_output
    assert memories[0]["session_id"] and memories[0]["session_id"] == memories[1]["session_id"]
    assert json.loads(memories[0]["lessons"]) == [LESSON]
    assert json.loads(memories[1]["decisions"])[0]["decision"] == "Archive nightly from cron"
    assert memories[1]["goal"] == "Schedule the archive job"  # the specialist's task
    assert "keyset cursor" not in json.dumps(memories)
    # The store is the user's alone: the client made the data folder, the runtime closed it.
    assert os.stat(pact.data_dir).st_mode & 0o777 == 0o700
    assert os.stat(os.path.join(pact.data_dir, "pact.db")).st_mode & 0o777 == 0o600
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


def test_a_damaged_database_never_stops_a_session(pact: Client):
    os.makedirs(pact.data_dir, exist_ok=True)
    with open(os.path.join(pact.data_dir, "pact.db"), "wb") as f:
        f.write(b"this is not a database\n" * 500)
    pact.model.script(
        main=[tool_use("Agent", {"subagent_type": AGENT, "description": "archive",
                                 "prompt": "Archive old orders"}),
              tool_use("Bash", {"command": "pact-memory list", "description": "list memory"},
                       id="toolu_list"),
              text("done")],
        sub=[text(FIRST)],
    )

    r = pact.run("archive old orders", allowed_tools=["Bash"])

    # The specialist ran and handed back; the command says what is wrong, in one line.
    assert r.returncode == 0, r
    assert "Copy rows with a keyset cursor" in json.dumps(r.requests[-1]["messages"])
    listing = r.result_text(r.tool_result_for("toolu_list"))
    errors = [line for line in listing.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "Traceback" not in listing, listing
    assert errors[0].startswith("Error: the PACT database ") and " is damaged (" in errors[0]
    # The hooks carried on without memory and wrote down why.
    with open(os.path.join(pact.data_dir, "logs", "pact.log"), encoding="utf-8") as f:
        log = f.read()
    assert "memory recall skipped: DatabaseDamaged: the PACT database" in log
    assert f"memory capture skipped for {AGENT}: DatabaseDamaged: the PACT database" in log


def _seed(client: Client, plugin_root: str, memory: dict) -> str:
    """Save through the plugin's own command, as a user at a terminal would."""
    proc = subprocess.run([os.path.join(plugin_root, "bin", "pact-memory"), "save"],
                          input=json.dumps(memory), cwd=client.project, capture_output=True,
                          text=True, timeout=30,
                          env={"PATH": os.environ["PATH"], "PACT_HOME": client.data_dir,
                               "PACT_PROJECT": client.project})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_pin_memory_command_pins_and_the_next_session_leads_with_it(pact: Client,
                                                                     plugin_root: str):
    pinned = _seed(pact, plugin_root, {"lessons": ["Money is stored in integer cents"]})
    for n in range(3):
        _seed(pact, plugin_root, {"lessons": [f"Newer note {n}"]})
    pact.model.script(main=[
        tool_use("Bash", {"command": f"pact-memory show {pinned}", "description": "read"},
                 id="toolu_show"),
        tool_use("Bash", {"command": f"pact-memory pin {pinned}", "description": "pin"},
                 id="toolu_pin"),
        text("pinned")])

    # No --allowedTools: the command's own allowed-tools let these calls run.
    r = pact.run(f"/PACT:pin-memory {pinned}")

    assert r.returncode == 0, r
    assert "Money is stored in integer cents" in r.result_text(r.tool_result_for("toolu_show"))
    assert r.result_text(r.tool_result_for("toolu_pin")).strip() == f"Pinned {pinned}."
    second = pact.run("hello")
    context = second.context_text(second.main_requests[0])
    block = context[context.index("PACT memory for this project (4 of 4;"):].splitlines()
    assert block[1].startswith(f"- {pinned} pinned (user, "), block


def test_wrap_up_saves_lessons_with_the_command(pact: Client):
    lesson = {"phase": "Code", "goal": "Stop double charges on retry",
              "lessons": ["The payment provider retries webhooks for 24 hours"]}
    pact.model.script(main=[
        tool_use("Bash", {"command": "pact-memory search webhooks retries",
                          "description": "already saved?"}, id="toolu_search"),
        tool_use("Bash", {"command": save_command(lesson), "description": "save"},
                 id="toolu_save"),
        text("wrapped up")])

    r = pact.run("/PACT:wrap-up keep the webhook lesson")

    assert r.returncode == 0, r
    assert r.result_text(r.tool_result_for("toolu_search")).strip() == (
        "No memories match 'webhooks retries'.")
    ident = r.result_text(r.tool_result_for("toolu_save")).strip()
    assert [(m["id"], m["source"], m["agent"]) for m in stored(pact)] == [
        (ident, "explicit", "")]
    assert json.loads(stored(pact)[0]["lessons"]) == lesson["lessons"]


def test_memory_agent_finds_memories_with_the_command(pact: Client, plugin_root: str):
    wanted = _seed(pact, plugin_root, {"lessons": ["Refunds round half up, per line"],
                                       "agent": "pact-backend-coder"})
    _seed(pact, plugin_root, {"lessons": ["Invoices are numbered per year"]})
    pact.model.script(
        main=[tool_use("Agent", {"subagent_type": "PACT:pact-memory-agent",
                                 "description": "recall", "prompt": "What do we know about "
                                 "refund rounding?"}, id="toolu_agent"),
              text("done")],
        sub=[tool_use("Bash", {"command": "pact-memory stats", "description": "shape"},
                      id="toolu_stats"),
             tool_use("Bash", {"command": 'pact-memory search "refund rounding" --limit 10',
                               "description": "search"}, id="toolu_find"),
             text(f"Found {wanted}.\n\n" + handoff("Report the rounding rule", "none.md"))])

    r = pact.run("what do we know about refund rounding?")

    assert r.returncode == 0, r
    assert "memories: 2 in 1 project(s), 2 in this one" in r.result_text(
        r.tool_result_for("toolu_stats"))
    found = r.result_text(r.tool_result_for("toolu_find")).splitlines()
    assert found[0].startswith(f"{wanted}  ") and "pact-backend-coder" in found[0]
    assert found[1].strip() == "Refunds round half up, per line"
    assert len(found) == 2


def test_pin_memory_says_when_the_pins_no_longer_fit_the_recall(pact: Client, plugin_root: str):
    older = _seed(pact, plugin_root, {"lessons": ["Invoices are numbered per calendar year"]})
    pins = [_seed(pact, plugin_root, {"lessons": [f"Pinned rule {n}: " + "keep it exact " * 12],
                                      "pinned": True}) for n in range(8)]
    pact.model.script(main=[
        tool_use("Bash", {"command": f"pact-memory pin {older}", "description": "pin"},
                 id="toolu_pin"),
        text("pinned, but it does not fit")])

    r = pact.run(f"/PACT:pin-memory {older}")

    assert r.returncode == 0, r
    result = r.result_text(r.tool_result_for("toolu_pin"))
    assert result.startswith(f"Pinned {older}.\nNote: 9 memories are pinned in "), result
    # The newest pin leads; its short line leaves room for the three shown before.
    assert (f"has room for 4 of them, newest pin first, and leaves out {pins[4]}, {pins[3]}, "
            f"{pins[2]}, {pins[1]}, {pins[0]} (`pact-memory list --pinned` lists every pin)"
            ) in result, result
    # The command tells the model what pinning guarantees and to pass the note on.
    assert "only the few most recently pinned fit" in json.dumps(r.requests[0])


def test_the_next_session_recalls_pins_newest_pinned_first_and_names_the_rest(
        pact: Client, plugin_root: str):
    pins = [_seed(pact, plugin_root, {"lessons": [f"Pinned rule {n}: " + "keep it exact " * 20],
                                      "pinned": True}) for n in range(6)]
    pact.model.script(main=[
        tool_use("Bash", {"command": f"pact-memory pin {pins[0]}", "description": "pin again"},
                 id="toolu_pin"),
        text("pinned again")])

    r = pact.run(f"pin {pins[0]} again")

    assert r.returncode == 0, r
    result = r.result_text(r.tool_result_for("toolu_pin"))
    assert result.startswith(f"Pinned {pins[0]} again: it now leads the pins in the "
                             "session-start recall.\n"), result
    assert (f"leaves out {pins[3]} (shown until now), {pins[2]}, {pins[1]} (`pact-memory "
            "list --pinned` lists every pin)") in result

    pact.model.script(main=[
        tool_use("Bash", {"command": "pact-memory list --pinned", "description": "pins"},
                 id="toolu_list"),
        text("listed")])
    second = pact.run("which memories are pinned?")

    assert second.returncode == 0, second
    context = second.context_text(second.main_requests[0])
    block = context[context.index("PACT memory for this project (3 of 6;"):].splitlines()
    assert [line.split()[1] for line in block[1:4]] == [pins[0], pins[5], pins[4]], block
    assert block[4] == (f"Pinned but left out for room: {pins[3]}, {pins[2]}, {pins[1]}; "
                        "`pact-memory list --pinned` lists every pin.")
    assert len("\n".join(block[:5])) <= 1000
    listing = r.result_text(second.tool_result_for("toolu_list")).splitlines()
    assert [line.split()[0] for line in listing[::2]] == [pins[0], *pins[:0:-1]], listing


def test_a_handoff_that_meets_a_locked_database_is_recalled_by_the_next_session(
        pact: Client, plugin_root: str):
    _seed(pact, plugin_root, {"lessons": ["The store exists before the lock is taken"]})
    holder = sqlite3.connect(os.path.join(pact.data_dir, "pact.db"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program writing, for longer than the timeout
    pact.model.script(
        main=[tool_use("Agent", {"subagent_type": AGENT, "description": "archive",
                                 "prompt": "Archive old orders"}),
              text("done")],
        sub=[text(FIRST)])
    try:
        r = pact.run("archive old orders")
    finally:
        holder.rollback()
        holder.close()

    assert r.returncode == 0, r
    assert [m["source"] for m in stored(pact)] == ["explicit"]  # not stored yet, not lost
    assert os.listdir(os.path.join(pact.data_dir, "spool"))

    second = pact.run("hello")

    context = second.context_text(second.main_requests[0])
    assert "PACT memory for this project (2 of 2;" in context
    assert "Copy rows with a keyset cursor" in context
    assert [m["source"] for m in stored(pact)] == ["explicit", "handoff"]
    assert not os.path.exists(os.path.join(pact.data_dir, "spool"))
