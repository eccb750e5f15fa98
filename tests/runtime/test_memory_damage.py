"""A damaged, locked or read-only database: each said in its own words, and nothing lost."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile

import pytest
from pact_runtime import db
from pact_runtime.memory import cli, store

SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "scripts")
COUNT = 60


@pytest.fixture
def env(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    return {"PACT_HOME": str(tmp_path / "data"), "PACT_PROJECT": str(project)}


@pytest.fixture
def run(env, capsys, monkeypatch):
    def go(*argv, stdin=""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(list(argv), env)
        out, err = capsys.readouterr()
        return code, out, err
    return go


@pytest.fixture
def sixty(run, env):
    """60 memories, each with a marker word of its own in its goal; {marker: id}."""
    ids = {}
    for n in range(COUNT):
        marker = f"marker{n:02d}x"
        memory = {"goal": f"{marker} " + "padding " * 30, "context": f"context {n}",
                  "lessons": [f"lesson {n}"], "files": [f"src/f{n}.py"],
                  "entities": [f"entity{n}"]}
        code, out, _ = run("save", stdin=json.dumps(memory))
        assert code == 0
        ids[marker] = out.strip()
    return ids


def db_file(env):
    return os.path.join(env["PACT_HOME"], "pact.db")


def checkpoint(env):
    conn = sqlite3.connect(db_file(env))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    return size


def overwrite_page_holding(env, marker, seed=7):
    """Fill the table page holding ``marker``'s goal with random bytes; the goals it held."""
    size = checkpoint(env)
    with open(db_file(env), "r+b") as f:
        data = f.read()
        at = data.index(f"{marker} padding".encode()) // size * size  # not the search index
        page = data[at:at + size]
        f.seek(at)
        f.write(random.Random(seed).randbytes(size))
    return {m.decode() for m in re.findall(rb"marker\d\dx(?= padding)", page)}


def exported_ids(out):
    return [json.loads(line)["id"] for line in out.splitlines()]


# ---- B5: one bad row, or a few bad pages, must not lose the rest ----------------------

def test_export_writes_every_readable_memory_and_names_the_one_with_bad_text(run, env, sixty):
    bad = sixty["marker07x"]
    raw = sqlite3.connect(db_file(env))
    raw.execute("UPDATE memories SET context = CAST(X'fffe41' AS TEXT) WHERE id = ?", (bad,))
    raw.commit()
    raw.close()

    code, out, err = run("export")

    assert code == 1
    assert sorted(exported_ids(out)) == sorted(set(sixty.values()) - {bad})
    lines = err.splitlines()
    assert lines[0] == f"pact-memory: {bad} cannot be read (a stored context is not valid UTF-8)"
    assert lines[1] == (
        f"Error: 1 memory could not be read and was left out, the other 59 were exported; "
        f"the PACT database {db_file(env)} is damaged: keep this export, move the file aside "
        "(a new one is made) and `pact-memory import` the export")
    assert len(lines) == 2


def test_the_export_of_a_damaged_file_fills_a_new_one(run, env, sixty, tmp_path):
    lost = overwrite_page_holding(env, "marker30x")

    code, out, err = run("export")
    env["PACT_HOME"] = str(tmp_path / "new")
    imported = run("import", stdin=out)

    # Every memory is either exported or named; none is both, none is neither.
    named = [line.split()[1] for line in err.splitlines() if line.startswith("pact-memory: ")]
    assert code == 1 and lost and "marker30x" in lost
    assert sorted(exported_ids(out) + named) == sorted(sixty.values())
    assert sorted(named) == sorted(sixty[m] for m in lost)
    assert err.splitlines()[-1].startswith(f"Error: {len(named)} memories could not be read "
                                           f"and were left out, the other {COUNT - len(named)} "
                                           "were exported;")
    assert imported == (0, f"Imported {COUNT - len(named)} memories; skipped 0 already "
                           "present.\n", "")


def test_export_salvages_rows_after_a_damaged_page_too(run, env, sixty):
    lost = overwrite_page_holding(env, "marker05x")  # early in the table: many rows after it

    code, out, _ = run("export")

    kept = {json.loads(line)["goal"].split()[0] for line in out.splitlines()}
    assert code == 1
    assert kept == set(sixty) - lost and "marker59x" in kept


def test_list_search_and_show_name_the_memory_they_cannot_read(run, env, sixty):
    bad = sixty["marker59x"]  # the newest: first in every listing
    raw = sqlite3.connect(db_file(env))
    raw.execute("UPDATE memories SET goal = CAST(X'c328' AS TEXT) WHERE id = ?", (bad,))
    raw.commit()
    raw.close()
    reason = f"pact-memory: {bad} cannot be read (a stored goal is not valid UTF-8)\n"

    listed = run("list", "--limit", "5")
    as_json = run("list", "--limit", "5", "--json")
    found = run("search", "lesson", "--json", "--limit", "200")
    shown = run("show", bad)

    assert listed[0] == 1 and listed[1].count("lesson ") == 4
    assert listed[2].startswith(reason) and listed[2].count("\nError: the PACT database ") == 1
    assert "is damaged (1 memory could not be read); `pact-memory export" in listed[2]
    assert len(json.loads(as_json[1])["results"]) == 4 and as_json[2].startswith(reason)
    assert len(json.loads(found[1])["results"]) == 59 and found[2].startswith(reason)
    assert shown == (1, "", f"Error: the PACT database {db_file(env)} is damaged (memory {bad} "
                            "cannot be read: a stored goal is not valid UTF-8); `pact-memory "
                            "export > saved.jsonl` keeps every memory that can still be read, "
                            "then move the file aside to start a new one and `pact-memory "
                            "import < saved.jsonl`\n")


def test_an_intact_export_exits_0_with_nothing_on_stderr(run, sixty):
    code, out, err = run("export")

    assert (code, err) == (0, "") and len(out.splitlines()) == COUNT


# ---- A3: locked and read-only are not "damaged" ---------------------------------------

def test_a_locked_database_says_try_again_and_reads_still_work(run, env, monkeypatch):
    run("save", stdin='{"goal": "first"}')
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.1)
    holder = sqlite3.connect(db_file(env), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        saved = run("save", stdin='{"goal": "second"}')
        listed = run("list")
    finally:
        holder.rollback()
        holder.close()

    assert saved == (1, "", f"Error: another program is writing to the PACT database "
                            f"{db_file(env)} and has held its write lock for over 0.1 s; "
                            "nothing was changed, try again in a moment\n")
    assert listed[0] == 0 and "first" in listed[1]
    assert run("save", stdin='{"goal": "second"}')[0] == 0  # and again it works


def test_a_lock_inside_a_write_is_a_database_locked_error(env, monkeypatch):
    conn = store.open_store(env["PACT_HOME"])
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.1)
    conn.execute("PRAGMA busy_timeout = 100")
    holder = sqlite3.connect(db_file(env), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(db.DatabaseLocked, match="try again in a moment"):
            store.save(conn, store.normalize({"goal": "g"}), project="/p", source="explicit")
    finally:
        holder.rollback()
        holder.close()
        conn.close()


def test_read_only_errors_say_read_only(tmp_path):
    path = str(tmp_path / "pact.db")
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raised:
        reader.execute("INSERT INTO t VALUES (1)")
    reader.close()

    error = db.explain(raised.value, path)

    assert isinstance(error, db.DatabaseReadOnly)
    assert str(error) == (f"the PACT database {path} is read-only (attempt to write a readonly "
                          "database); PACT writes to the file and its folder, so both must "
                          "belong to you and be writable")


def _python_for(uid):
    """An interpreter and a way to run it as ``uid`` (None when this machine has none)."""
    if os.geteuid() != 0:
        return [sys.executable]
    setpriv = shutil.which("setpriv")
    for python in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if setpriv and os.access(python, os.X_OK) and not python.startswith("/root"):
            return [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", python]
    return None


def test_a_database_the_user_cannot_write_is_reported_as_read_only():
    command = _python_for(65534)
    if command is None:
        pytest.skip("running as root without setpriv and a system python3")
    folder = tempfile.mkdtemp(dir="/tmp")
    try:
        home = os.path.join(folder, "data")
        store.open_store(home).close()
        os.chmod(folder, 0o755)
        if os.geteuid() == 0:  # the store belongs to root; nobody may only read it
            os.chmod(home, 0o755)
            os.chmod(os.path.join(home, "pact.db"), 0o644)
        else:
            os.chmod(os.path.join(home, "pact.db"), stat.S_IRUSR)
            os.chmod(home, stat.S_IRUSR | stat.S_IXUSR)
        code = ("import sys; sys.path.insert(0, sys.argv[1]); "
                "from pact_runtime.memory.cli import main; import io; "
                "sys.stdin = io.StringIO('{\"goal\": \"g\"}'); "
                "sys.exit(main(['save'], {'PACT_HOME': sys.argv[2], 'PACT_PROJECT': '/'}))")
        proc = subprocess.run([*command, "-S", "-c", code, SCRIPTS, home],
                              capture_output=True, text=True, timeout=60)
    finally:
        os.chmod(folder, 0o700)
        for dirpath, _, _ in os.walk(folder):
            os.chmod(dirpath, 0o700)
        shutil.rmtree(folder)

    assert proc.returncode == 1, proc
    assert proc.stderr.startswith(f"Error: the PACT database {home}/pact.db is read-only (")
    assert "move it aside" not in proc.stderr and "damaged" not in proc.stderr


@pytest.mark.parametrize(("sqlite_message", "kind"), [
    ("database is locked", db.DatabaseLocked),
    ("attempt to write a readonly database", db.DatabaseReadOnly),
    ("database disk image is malformed", db.DatabaseDamaged),
    ("file is not a database", db.DatabaseDamaged),
    ("Could not decode to UTF-8 column 'goal' with text 'x'", db.DatabaseDamaged),
    ("no such table: memories", db.StoreError),
])
def test_each_cause_gets_its_own_kind(sqlite_message, kind):
    error = db.explain(sqlite3.OperationalError(sqlite_message), "/d/pact.db")

    assert type(error) is kind
    assert ("move the file aside" in str(error)) == (kind is db.DatabaseDamaged)


def test_a_data_folder_that_is_a_file_is_said_in_words(run, env, tmp_path):
    (tmp_path / "file").write_text("x")
    env["PACT_HOME"] = str(tmp_path / "file")

    assert run("list") == (1, "", f"Error: the PACT data folder {tmp_path}/file is a file, not "
                                  "a folder; point PACT_HOME at a folder\n")
    env["PACT_HOME"] = str(tmp_path / "file" / "below")
    assert run("list")[2] == (f"Error: the PACT data folder {tmp_path}/file/below cannot be "
                              "made: a part of that path is a file, not a folder; point "
                              "PACT_HOME at a folder\n")


def test_a_database_of_a_newer_schema_is_refused(run, env):
    os.makedirs(env["PACT_HOME"])
    raw = sqlite3.connect(db_file(env))
    raw.execute("PRAGMA user_version = 99")
    raw.close()

    assert run("list") == (1, "", f"Error: the PACT database {db_file(env)} was made by a "
                                  "newer PACT (schema version 99; this PACT knows up to "
                                  f"{db.SCHEMA_VERSION}); "
                                  "update the PACT plugin, or set PACT_HOME to another "
                                  "folder\n")


# ---- the schema: one PRAGMA when current ----------------------------------------------

def test_schema_version_counts_the_migrations():
    assert len(db._migrations()) == db.SCHEMA_VERSION


def test_opening_a_current_database_loads_no_migration(tmp_path):
    home = str(tmp_path / "data")
    store.open_store(home).close()
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from pact_runtime import db; "
            "db.connect(sys.argv[2]).close(); "
            "print(sorted(m for m in sys.modules if m.startswith('pact_runtime.')))")

    proc = subprocess.run([sys.executable, "-S", "-c", code, SCRIPTS, home],
                          capture_output=True, text=True, check=True)

    assert proc.stdout.strip() == "['pact_runtime.db', 'pact_runtime.paths']"


@pytest.mark.parametrize(("column", "stored", "read"), [
    ("lessons", "not json", ["not json"]),
    ("lessons", "[1, 2]", ["[1, 2]"]),
    ("tags", '{"a": 1}', ['{"a": 1}']),
    ("uncertainties", "[", ["["]),
    ("decisions", '["plain"]', [{"decision": '["plain"]', "rationale": "",
                                 "alternatives": []}]),
    ("decisions", "", []),
])
def test_a_list_column_another_program_wrote_is_kept_whole(run, env, tmp_path, monkeypatch,
                                                           column, stored, read):
    for n in range(3):
        assert run("save", stdin=json.dumps({"goal": f"g{n}", "lessons": [f"l{n}"]}))[0] == 0
    with sqlite3.connect(db_file(env)) as conn:
        conn.execute(f"UPDATE memories SET {column} = ? WHERE goal = 'g1'", (stored,))

    code, out, err = run("export")

    assert (code, err) == (0, "")
    memories = [json.loads(line) for line in out.splitlines()]
    assert [m["goal"] for m in memories] == ["g0", "g1", "g2"]
    assert memories[1][column] == read
    assert run("list", "--json")[0] == 0
    # What export wrote is a file import takes whole.
    other = {**env, "PACT_HOME": str(tmp_path / "other")}
    monkeypatch.setattr(sys, "stdin", io.StringIO(out))
    assert cli.main(["import"], other) == 0
