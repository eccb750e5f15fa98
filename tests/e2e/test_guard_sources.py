"""The guard in a real session: SQL files a loop runs, and a down migration being written."""

from __future__ import annotations

import os

from .harness import Client, text, tool_use
from .test_signals import signals

LOOP = 'for f in migrations/*.sql; do psql -f "$f"; done'


def test_a_loop_over_sql_files_halts_on_the_truncate_and_a_down_file_passes(
        pact: Client, plugin_root: str):
    os.mkdir(os.path.join(pact.project, "migrations"))
    for name, sql in (("0001_orders.sql", "CREATE TABLE orders (id int);\n"),
                      ("0002_index.sql", "CREATE INDEX orders_id ON orders (id);\n"),
                      ("0003_reset.sql", "TRUNCATE orders;\n")):
        with open(os.path.join(pact.project, "migrations", name), "w", encoding="utf-8") as f:
            f.write(sql)
    pair = os.path.join(pact.project, "db", "migrations")
    os.makedirs(pair)
    up = os.path.join(pair, "000002_orders.up.sql")
    down = os.path.join(pair, "000002_orders.down.sql")
    pact.model.script(main=[
        tool_use("Write", {"file_path": up, "content": "CREATE TABLE orders (id int);\n"},
                 id="toolu_up"),
        tool_use("Write", {"file_path": down, "content": "DROP TABLE IF EXISTS orders;\n"},
                 id="toolu_down"),
        tool_use("Bash", {"command": LOOP, "description": "apply the migrations"},
                 id="toolu_loop"),
        text("stopped")])
    r = pact.run("add an orders table and apply the migrations",
                 allowed_tools=["Bash", "Write"])
    assert r.returncode == 0, r

    # Both halves of the pair were written, and neither opened a signal.
    for id in ("toolu_up", "toolu_down"):
        assert r.tool_result_for(id).get("is_error") is not True, id
    with open(down, encoding="utf-8") as f:
        assert f.read() == "DROP TABLE IF EXISTS orders;\n"

    # The loop was denied before it ran, naming the file that truncates.
    denied = r.tool_result_for("toolu_loop")
    assert denied.get("is_error") is True
    assert ("PACT guard raised HALT S1 (DATA): TRUNCATE in migrations/0003_reset.sql: "
            "`TRUNCATE orders`") in r.result_text(denied)
    (halt,) = signals(pact, plugin_root)
    assert (halt["id"], halt["level"], halt["category"], halt["source"], halt["evidence"]) == (
        "S1", "HALT", "DATA", "guard", LOOP)
