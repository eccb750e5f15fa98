"""SessionStart recall: the few best memories of this project, within 1,000 characters."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import closing

import pytest
from pact_runtime.hook import Event
from pact_runtime.memory import recall, store


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    return os.path.realpath(folder)


@pytest.fixture
def home(tmp_path):
    return str(tmp_path / "data")


@pytest.fixture
def conn(home):
    connection = store.open_store(home)
    yield connection
    connection.close()


def start(home, project):
    env = {"CLAUDE_PLUGIN_DATA": home, "CLAUDE_PROJECT_DIR": project}
    return recall.on_session_start(Event("SessionStart", {"source": "startup", "cwd": project},
                                         env))


def add(conn, project, created, **fields):
    return store.save(conn, store.normalize(fields), project=project, source="explicit",
                      created=created)[0]


def test_no_memories_means_no_context(home, project, conn):
    assert start(home, project) is None


def test_pinned_first_then_lessons_newest_first(home, project, conn):
    old = add(conn, project, "2026-01-01T00:00:00.000Z", lessons=["old lesson"])
    new = add(conn, project, "2026-06-01T00:00:00.000Z", lessons=["new lesson"])
    bare = add(conn, project, "2026-07-01T00:00:00.000Z", goal="goal only")
    pinned = add(conn, project, "2025-01-01T00:00:00.000Z", lessons=["pinned lesson"],
                 pinned=True)
    add(conn, "/another/project", "2026-08-01T00:00:00.000Z", lessons=["elsewhere"])

    context = start(home, project).context
    lines = context.splitlines()

    assert lines[0].startswith("PACT memory for this project (4 of 4; `pact-memory search")
    assert lines[1:] == [
        f"- {pinned} pinned (user, 2025-01-01): pinned lesson",
        f"- {new} (user, 2026-06-01): new lesson",
        f"- {old} (user, 2026-01-01): old lesson",
        f"- {bare} (user, 2026-07-01): goal only",
    ]


def test_an_old_pin_leads_even_behind_many_newer_memories(home, project, conn, monkeypatch):
    monkeypatch.setattr(recall, "COUNT_CAP", 20)
    pinned = add(conn, project, "2024-01-01T00:00:00.000Z", lessons=["the old pinned rule"],
                 pinned=True)
    add(conn, "/another/project", "2024-01-02T00:00:00.000Z", lessons=["pinned elsewhere"],
        pinned=True)
    for n in range(recall.CANDIDATES + 5):
        add(conn, project, f"2026-02-01T00:{n:02d}:00.000Z", lessons=[f"note {n}"])

    lines = start(home, project).context.splitlines()

    assert lines[0].startswith("PACT memory for this project (")
    assert " of 20+; " in lines[0]  # counted up to the cap, not past it
    assert lines[1] == f"- {pinned} pinned (user, 2024-01-01): the old pinned rule"
    assert "pinned elsewhere" not in "\n".join(lines)
    assert lines[2].endswith(": note 34")  # then the newest


def test_context_never_exceeds_the_budget(home, project, conn):
    for n in range(40):
        add(conn, project, f"2026-01-{n % 28 + 1:02d}T00:00:{n:02d}.000Z",
            lessons=[f"lesson {n} " + "word " * 80], agent="PACT:pact-backend-coder")

    context = start(home, project).context

    assert len(context) <= recall.BUDGET
    assert 3 <= len(context.splitlines()) - 1 < 40
    assert "(pact-backend-coder, 2026-01-" in context
    assert all(len(line) <= recall.LINE_CHARS for line in context.splitlines()[1:])


def test_without_a_data_folder_nothing_happens(project):
    assert recall.on_session_start(Event("SessionStart", {"cwd": project}, {})) is None


def test_unreadable_database_is_logged_and_the_session_goes_on(home, project):
    os.makedirs(home)
    with open(os.path.join(home, "pact.db"), "wb") as f:
        f.write(b"garbage" * 1000)

    assert start(home, project) is None
    with open(os.path.join(home, "logs", "pact.log"), encoding="utf-8") as f:
        assert "memory recall skipped: DatabaseDamaged: the PACT database" in f.read()


# ---- the ready recall file --------------------------------------------------------------

def test_every_write_keeps_the_recall_file_current(home, project, conn):
    first = add(conn, project, "2026-01-01T00:00:00.000Z", lessons=["first lesson"])
    assert "first lesson" in _cached(home, project)
    second = add(conn, project, "2026-02-01T00:00:00.000Z", goal="second goal")
    assert "(2 of 2;" in _cached(home, project)
    store.set_pinned(conn, second, True)
    assert f"- {second} pinned" in _cached(home, project)
    store.forget(conn, first)
    assert "first lesson" not in _cached(home, project)
    exported = [store.prepare_import({**store.get(conn, second), "id": "m-00000000aa",
                                      "goal": "imported goal", "project": "/elsewhere"})]
    store.import_records(conn, exported, project)
    assert "imported goal" in _cached(home, "/elsewhere")
    assert start(home, project).context == _cached(home, project)


def test_session_start_reads_the_file_without_sqlite(home, project, conn):
    add(conn, project, "2026-01-01T00:00:00.000Z", lessons=["kept lesson"])
    scripts = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(store.__file__))))
    code = ("import sys; from pact_runtime.memory import recall; from pact_runtime.hook import "
            "Event; e = Event('SessionStart', {'cwd': sys.argv[2]}, {'PACT_HOME': sys.argv[1], "
            "'CLAUDE_PROJECT_DIR': sys.argv[2]}); print(recall.on_session_start(e).context); "
            "print('_sqlite3' in sys.modules)")
    proc = subprocess.run([sys.executable, "-S", "-c", code, home, project], cwd=scripts,
                          capture_output=True, text=True, check=True)
    assert "kept lesson" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "False"


def test_a_new_database_is_not_hidden_by_an_old_file(home, project, conn):
    add(conn, project, "2026-01-01T00:00:00.000Z", lessons=["old database"])
    conn.close()
    os.replace(os.path.join(home, "pact.db"), os.path.join(home, "moved-aside.db"))
    for suffix in ("-wal", "-shm"):
        if os.path.exists(os.path.join(home, "pact.db" + suffix)):
            os.remove(os.path.join(home, "pact.db" + suffix))
    with closing(store.open_store(home)) as fresh:
        fresh.execute("INSERT INTO memories (id, created, updated, project, goal, content_hash)"
                      " VALUES ('m-00000000bb', '2026-03-01T00:00:00.000Z',"
                      " '2026-03-01T00:00:00.000Z', ?, 'written by hand', 'x')", (project,))
    context = start(home, project).context
    assert "old database" not in context and "written by hand" in context


def test_a_file_for_another_project_is_not_used(home, project, conn):
    add(conn, project, "2026-01-01T00:00:00.000Z", lessons=["mine"])
    with open(recall.cache_path(home, project), "r+", encoding="utf-8") as f:
        stamp, _, text = f.read().partition("\n")
        f.seek(0)
        f.write(stamp.replace(project, "/other") + "\n" + text.replace("mine", "theirs"))
    assert "mine" in start(home, project).context


def test_a_refresh_that_cannot_write_removes_the_file(home, project, conn, monkeypatch):
    add(conn, project, "2026-01-01T00:00:00.000Z", lessons=["before"])
    assert os.path.exists(recall.cache_path(home, project))

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(recall, "_write", broken)
    add(conn, project, "2026-02-01T00:00:00.000Z", lessons=["after"])
    assert not os.path.exists(recall.cache_path(home, project))
    monkeypatch.undo()
    assert "after" in start(home, project).context


def test_no_database_means_nothing_is_created(home, project):
    assert start(home, project) is None
    assert not os.path.exists(os.path.join(home, "pact.db"))


def _cached(home, project):
    with open(recall.cache_path(home, project), encoding="utf-8") as f:
        return f.read().partition("\n")[2]


def test_recall_files_are_named_by_the_fnv1a_hash_of_the_project(home):
    assert recall._fnv1a(b"foobar") == 0xBF9CF968  # the published test vector
    assert recall.cache_path(home, "/p/a") != recall.cache_path(home, "/p/b")
    assert os.path.basename(recall.cache_path(home, "foobar")) == "recall-bf9cf968"
