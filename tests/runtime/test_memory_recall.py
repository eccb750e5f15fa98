"""SessionStart recall: the few best memories of this project, within 1,000 characters."""

from __future__ import annotations

import os

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
        assert "memory recall skipped: StoreError: the PACT database" in f.read()
