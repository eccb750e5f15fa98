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


# ---- pins: newest pin first, and the ones left out are named -------------------------------

T0 = 1796360400.0  # 2026-12-04T05:00:00.000Z
TAIL = "; `pact-memory list --pinned` lists every pin."


def ident(n):
    return f"m-{n:010x}"


def long_pins(conn, project, count):
    """``count`` pinned memories whose lines fill LINE_CHARS, pinned in order 0, 1, …"""
    for n in range(count):
        store.save(conn, store.normalize({"lessons": [f"rule {n} " + "keep it exact " * 30]}),
                   project=project, source="explicit", ident=ident(n),
                   created=f"2026-01-{n + 1:02d}T00:00:00.000Z")
        store.set_pinned(conn, ident(n), True, clock=T0 + n)


def shown_ids(context):
    return [line.split()[1] for line in context.splitlines()[1:] if line.startswith("- ")]


def test_pins_lead_newest_pin_first_whatever_their_update(home, project, conn):
    march = add(conn, project, "2026-03-01T00:00:00.000Z", lessons=["march rule"])
    january = add(conn, project, "2026-01-01T00:00:00.000Z", lessons=["january rule"])
    february = add(conn, project, "2026-02-01T00:00:00.000Z", lessons=["february rule"])
    plain = add(conn, project, "2026-04-01T00:00:00.000Z", lessons=["newest, not pinned"])
    for n, pinned in enumerate((january, march, february)):
        store.set_pinned(conn, pinned, True, clock=T0 + n)

    assert start(home, project).context.splitlines()[1:] == [
        f"- {february} pinned (user, 2026-02-01): february rule",
        f"- {march} pinned (user, 2026-03-01): march rule",
        f"- {january} pinned (user, 2026-01-01): january rule",
        f"- {plain} (user, 2026-04-01): newest, not pinned",
    ]


def test_pins_left_out_are_named_on_the_last_line(home, project, conn):
    long_pins(conn, project, 8)

    context = start(home, project).context
    lines = context.splitlines()

    assert lines[0].startswith("PACT memory for this project (3 of 8; ")
    assert shown_ids(context) == [ident(7), ident(6), ident(5)]
    assert lines[-1] == ("Pinned but left out for room: " + ", ".join(
        ident(n) for n in (4, 3, 2, 1, 0)) + TAIL)
    assert len(lines) == 5 and len(context) == 979 <= recall.BUDGET


def test_pinning_again_brings_a_pin_back_to_the_front(home, project, conn):
    long_pins(conn, project, 8)

    assert store.set_pinned(conn, ident(0), True, clock=T0 + 100) is True

    context = start(home, project).context
    assert shown_ids(context) == [ident(0), ident(7), ident(6)]
    assert context.splitlines()[-1] == ("Pinned but left out for room: " + ", ".join(
        ident(n) for n in (5, 4, 3, 2, 1)) + TAIL)
    assert recall.pinned_room(conn, project) == (
        [ident(0), ident(7), ident(6)], [ident(n) for n in (5, 4, 3, 2, 1)], 8)


def test_an_unpinned_memory_goes_back_to_its_place_and_the_tail_goes(home, project, conn):
    long_pins(conn, project, 4)
    for n in (3, 2):
        store.set_pinned(conn, ident(n), False)

    context = start(home, project).context
    assert shown_ids(context) == [ident(1), ident(0), ident(3)]  # then the newest of the rest
    assert "left out" not in context


def test_more_pins_than_candidates_are_counted_in_the_last_line(home, project, conn):
    long_pins(conn, project, recall.CANDIDATES + 5)

    context = start(home, project).context
    names = [ident(n) for n in range(recall.CANDIDATES + 1, recall.CANDIDATES - 4, -1)]

    assert shown_ids(context) == [ident(n) for n in (34, 33, 32)]
    assert context.splitlines()[0].startswith("PACT memory for this project (3 of 35; ")
    assert context.splitlines()[-1] == ("Pinned but left out for room: " + ", ".join(names)
                                        + " and 27 more" + TAIL)
    assert len(context) <= recall.BUDGET


def test_ids_too_long_to_name_are_counted(home, project, conn):
    for n in range(6):  # rows written by other means, with ids PACT never makes
        conn.execute("INSERT INTO memories (id, created, updated, project, goal, pinned, "
                     "pinned_at, content_hash) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                     (f"m-{n}" + "x" * 300, f"2026-01-0{n + 1}T00:00:00.000Z",
                      f"2026-01-0{n + 1}T00:00:00.000Z", project, f"goal {n}",
                      f"2026-01-0{n + 1}T00:00:00.000Z", str(n)))
    add(conn, project, "2026-02-01T00:00:00.000Z", lessons=["refreshes the recall file"])

    context = start(home, project).context
    lines = context.splitlines()

    assert len(context) <= recall.BUDGET
    assert len(lines) == 5 and all(line.startswith("- m-") for line in lines[1:4])
    assert lines[-1] == "Pinned but left out for room: 3 more memories" + TAIL


def summary(n, id_length, text_length, pinned):
    return {"id": f"m-{n:0{id_length - 2}x}", "agent": "", "pinned": pinned,
            "pinned_at": f"2026-12-04T05:00:{n % 60:02d}.{n:03d}Z" if pinned else "",
            "updated": f"2026-01-01T00:00:{n % 60:02d}.000Z", "lessons": ["w" * text_length],
            "decisions": [], "goal": "", "context": "", "uncertainties": []}


@pytest.mark.parametrize("id_length", [12, 40, 120, 250, 700])
@pytest.mark.parametrize("text_length", [1, 60, 180, 500])
def test_the_block_with_its_last_line_never_exceeds_the_budget(id_length, text_length):
    for pins in range(0, recall.CANDIDATES + 1, 3):
        memories = [summary(n, id_length, text_length, n < pins) for n in range(30)]
        for pinned in {pins, pins + 40 if pins else 0}:
            context = recall.render(memories, 1000, pinned)
            assert 0 < len(context) <= recall.BUDGET
            lines = [line for line in context.splitlines() if line.startswith("- ")]
            shown = min(len(lines), pins)  # pins come first
            named, counted = left_out(context.splitlines()[-1])
            assert len(named) + counted == pinned - shown, context
            order = [m["id"] for m in memories[:pins][::-1]]  # newest pin first
            assert named == order[shown:shown + len(named)]


def left_out(line):
    """(the ids a last line names, how many more it counts); nothing for another line."""
    head = "Pinned but left out for room: "
    if not line.startswith(head):
        return [], 0
    what = line[len(head):-len(TAIL)]
    if what.endswith((" more memory", " more memories")):
        return [], int(what.split()[0])
    names, _, more = what.partition(" and ")
    return names.split(", "), int(more.split()[0]) if more else 0
