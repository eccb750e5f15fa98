"""Concurrent writers and a writer killed mid-transaction."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from pact_runtime import db
from pact_runtime.memory import search, store

SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "scripts")

WRITER = r"""
import sys
sys.path.insert(0, sys.argv[1])
from pact_runtime.memory import store
home, worker, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
conn = store.open_store(home)
try:
    for n in range(count):
        record = store.normalize({"goal": f"worker {worker} memory {n}",
                                  "lessons": [f"concurrency lesson w{worker}n{n}"],
                                  "files": [f"src/w{worker}.py"]})
        store.save(conn, record, project="/p", source="explicit")
finally:
    conn.close()
print("done")
"""

KILLED = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from pact_runtime import db
from pact_runtime.memory import store
conn = store.open_store(sys.argv[2])
with db.write(conn):
    for n in range(500):
        conn.execute("INSERT INTO memories (id, created, updated, project, content_hash) "
                     "VALUES (?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '/p', ?)",
                     (f"m-half{n:06d}", f"h{n}"))
    print("inside", flush=True)
    time.sleep(60)
"""


def test_eight_processes_saving_200_each_lose_nothing(tmp_path):
    home = str(tmp_path / "data")
    store.open_store(home).close()
    procs = [subprocess.Popen([sys.executable, "-S", "-c", WRITER, SCRIPTS, home, str(w), "200"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for w in range(8)]
    results = [p.communicate(timeout=240) for p in procs]

    assert [p.returncode for p in procs] == [0] * 8, [err for _, err in results]
    assert all(err == "" for _, err in results)
    conn = store.open_store(home)
    try:
        assert conn.execute("SELECT count(*) FROM memories").fetchone()[0] == 1600
        assert conn.execute("SELECT count(*) FROM memory_files").fetchone()[0] == 1600
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        hits = search.search(conn, "w7n199", project="/p")
        assert [h["goal"] for h in hits] == ["worker 7 memory 199"]
    finally:
        conn.close()


OPENER = r"""
import sys
sys.path.insert(0, sys.argv[1])
from pact_runtime.memory import store
conn = store.open_store(sys.argv[2])
try:
    print(conn.execute("PRAGMA user_version").fetchone()[0])
finally:
    conn.close()
"""


def test_processes_opening_a_new_database_at_once_migrate_it_once(tmp_path):
    home = str(tmp_path / "data")
    procs = [subprocess.Popen([sys.executable, "-S", "-c", OPENER, SCRIPTS, home],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(6)]
    results = [p.communicate(timeout=120) for p in procs]

    assert [err for _, err in results] == [""] * 6
    assert [out.strip() for out, _ in results] == [str(len(db._migrations()))] * 6
    conn = store.open_store(home)
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'memories'")]
        assert tables == ["memories"]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_writer_killed_mid_transaction_leaves_the_database_intact(tmp_path):
    home = str(tmp_path / "data")
    conn = store.open_store(home)
    try:
        kept, _ = store.save(conn, store.normalize({"goal": "committed before the crash"}),
                             project="/p", source="explicit")
    finally:
        conn.close()
    proc = subprocess.Popen([sys.executable, "-S", "-c", KILLED, SCRIPTS, home],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "inside"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()

    conn = store.open_store(home)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [m["id"] for m in store.iter_all(conn)] == [kept]
        start = time.monotonic()
        store.save(conn, store.normalize({"goal": "written after the crash"}), project="/p",
                   source="explicit")
        assert time.monotonic() - start < 5  # the dead writer's lock is gone
        assert conn.execute("SELECT count(*) FROM memories").fetchone()[0] == 2
    finally:
        conn.close()
    assert proc.returncode == -signal.SIGKILL
    assert isinstance(conn, sqlite3.Connection)
