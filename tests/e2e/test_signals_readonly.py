"""While a HALT is open, commands that look read-only yet write or run code are refused in a
real session, and the harmless forms beside them still run."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing

from .harness import Client, text, tool_use
from .test_signals import signals


def bash(command: str, id: str) -> object:
    return tool_use("Bash", {"command": command, "description": "look"}, id=id)


def test_hidden_writes_are_refused_during_a_halt_and_reading_still_runs(
        pact: Client, plugin_root: str):
    a_txt = os.path.join(pact.project, "a.txt")
    with open(a_txt, "w", encoding="utf-8") as f:
        f.write("hello TODO\n")
    subprocess.run(["git", "init", "-q", "."], cwd=pact.project, check=True, timeout=60)
    subprocess.run(["git", "add", "a.txt"], cwd=pact.project, check=True, timeout=60)
    with closing(sqlite3.connect(os.path.join(pact.project, "app.db"))) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
    hidden = {
        "toolu_cluster": "git grep -iO'touch pwn_git;true' hello",  # -O inside a cluster
        "toolu_label": "sed -n ':x e touch pwn_sed' a.txt",  # a label ends at the space
        "toolu_braces": "sort a.txt {-o,pwn_sort}",  # bash makes it `sort a.txt -o pwn_sort`
        "toolu_last_word": "true -i; sed -e s/hello/bye/ $_ a.txt",  # `$_` is `-i`
        "toolu_tree": "tree -ao pwn_tree",
        "toolu_lesskey": ("less --lesskey-src=/dev/stdin a.txt <<'EOF'\n#env\n"
                          "LESSOPEN=|touch pwn_less; cat %s\nEOF"),  # less runs LESSOPEN
    }
    reads = {"toolu_grep": "git grep -n hello", "toolu_quoted": "grep -c '>' a.txt",
             "toolu_sed": "sed -n '/hello/p' a.txt"}
    if shutil.which("sqlite3"):
        hidden["toolu_pragma"] = "sqlite3 app.db 'PRAGMA user_version(7)'"  # the call form sets
        reads["toolu_columns"] = "sqlite3 app.db 'PRAGMA table_info(users)'"
    pact.model.script(main=[
        bash("pact-signal emit HALT DATA --reason 'the migration drops orders'", "toolu_emit"),
        *(bash(command, id) for id, command in hidden.items()),
        *(bash(command, id) for id, command in reads.items()),
        text("paused")])
    r = pact.run("look around", allowed_tools=["Bash"])
    assert r.returncode == 0, r

    assert r.result_text(r.tool_result_for("toolu_emit")).startswith(
        "S1\nHALT S1 is open")
    for id in hidden:
        refused = r.tool_result_for(id)
        assert refused.get("is_error") is True, id
        assert r.result_text(refused).startswith("Paused by PACT: HALT open (S1"), id
    assert sorted(n for n in os.listdir(pact.project) if n.startswith("pwn")) == []
    with open(a_txt, encoding="utf-8") as f:
        assert f.read() == "hello TODO\n"
    with closing(sqlite3.connect(os.path.join(pact.project, "app.db"))) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0

    outputs = {id: r.tool_result_for(id) for id in reads}
    for id, result in outputs.items():
        assert result.get("is_error") is not True, (id, r.result_text(result))
    assert r.result_text(outputs["toolu_grep"]) == "a.txt:1:hello TODO"
    assert r.result_text(outputs["toolu_quoted"]) == "0"
    assert r.result_text(outputs["toolu_sed"]) == "hello TODO"
    if "toolu_columns" in outputs:
        assert r.result_text(outputs["toolu_columns"]) == "0|id|INTEGER|0||0"
    assert [(s["id"], s["status"]) for s in signals(pact, plugin_root)] == [("S1", "open")]
