"""The pact-memory command: subcommands, output shapes, errors, interpreters."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys

import pytest
from pact_runtime.memory import cli, schema, store

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(REPO, "scripts")
PYENV = "/root/.pyenv/versions"
MEMORY = {"goal": "Speed up the orders report", "agent": "pact-database-engineer",
          "lessons": ["A partial index on status cut the query to 40 ms"],
          "decisions": [{"decision": "Partial index", "rationale": "3% of rows are open",
                         "alternatives": ["materialized view"]}],
          "entities": [{"name": "orders", "kind": "table"}], "files": ["db/report.sql"]}


@pytest.fixture
def env(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    return {"PACT_HOME": str(tmp_path / "data"), "PACT_PROJECT": str(project),
            "CLAUDE_CODE_SESSION_ID": "sess-1"}


@pytest.fixture
def run(env, capsys, monkeypatch):
    def go(*argv, stdin=""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(list(argv), env)
        out, err = capsys.readouterr()
        return code, out, err
    return go


def saved(run, memory=None):
    code, out, err = run("save", stdin=json.dumps(memory or MEMORY))
    assert (code, err) == (0, "")
    return out.strip()


def test_save_prints_the_new_id(run):
    ident = saved(run)

    assert ident.startswith("m-") and len(ident) == 12


def test_save_fills_session_and_project_from_the_environment(run, env):
    ident = saved(run)

    code, out, _ = run("show", ident, "--json")
    shown = json.loads(out)

    assert code == 0
    assert shown["session_id"] == "sess-1"
    assert shown["project"] == os.path.realpath(env["PACT_PROJECT"])
    assert shown["source"] == "explicit"


def test_saving_the_same_content_again_returns_the_first_id(run):
    first = saved(run)

    code, out, err = run("save", stdin=json.dumps(MEMORY))

    assert (code, out.strip()) == (0, first)
    assert err == f"Already stored as {first} (same content); nothing added.\n"


def test_search_text_output_lists_id_and_first_lesson(run):
    ident = saved(run)

    code, out, _ = run("search", "partial", "index")

    assert code == 0
    assert out.splitlines() == [
        f"{ident}  {out[14:24]}  pact-database-engineer",
        "  A partial index on status cut the query to 40 ms",
    ]


def test_search_json_shape_is_stable(run):
    ident = saved(run)

    code, out, _ = run("search", "orders", "--json", "--limit", "5")
    data = json.loads(out)

    assert code == 0
    assert list(data) == ["query", "engine", "results"]
    assert data["query"] == "orders" and data["engine"] == "fts5"
    result = data["results"][0]
    assert list(result) == ["id", "created", "updated", "project", "session_id", "agent",
                            "phase", "context", "goal", "lessons", "decisions", "uncertainties",
                            "entities", "files", "tags", "pinned", "source", "pinned_at", "score"]
    assert result["id"] == ident and isinstance(result["score"], float)


def test_search_with_no_match_says_so(run):
    saved(run)

    assert run("search", "kubernetes") == (0, "No memories match 'kubernetes'.\n", "")


def test_search_filters_by_agent_and_project(run, env):
    saved(run)
    other = dict(env, PACT_PROJECT=env["PACT_HOME"])

    assert json.loads(run("search", "orders", "--json", "--agent", "pact-architect")[1]
                      )["results"] == []
    assert cli.main(["search", "orders"], other) == 0


def test_list_pin_unpin_forget_round_trip(run, env):
    ident = saved(run)

    assert run("pin", ident) == (0, f"Pinned {ident}.\n", "")
    assert json.loads(run("list", "--json")[1])["results"][0]["pinned"] is True
    assert run("unpin", ident) == (0, f"Unpinned {ident}.\n", "")
    assert run("forget", ident) == (0, f"Forgot {ident}.\n", "")
    assert run("list") == (0, _empty(env), "")


def test_show_prints_every_part(run):
    ident = saved(run)

    code, out, _ = run("show", ident)

    assert code == 0
    assert "  - Partial index (because 3% of rows are open); rejected: materialized view" in out
    assert "  - orders (table)" in out and "  - db/report.sql" in out


def test_stats_reports_counts_and_engine(run):
    saved(run)

    code, out, _ = run("stats", "--json")
    info = json.loads(out)

    assert code == 0
    assert info["memories"] == 1 and info["engine"] == "fts5"
    assert info["database"].endswith("pact.db") and info["bytes"] > 0


def test_stats_says_when_fts5_is_missing(run, monkeypatch):
    monkeypatch.setattr(schema, "fts5_available", lambda conn: False)
    saved(run)

    code, out, _ = run("stats")

    assert code == 0
    assert "search: like (FTS5 is not available in this SQLite; search is slower and exact)" in out
    assert "partial" in run("search", "PARTIAL")[1]


# Runs the command with a SQLite that really lacks FTS5: sqlite3_drop_modules (SQLite
# 3.30+) removes every virtual table module from each new connection. CPython keeps the
# sqlite3* handle first after the object header of a Connection.
WITHOUT_FTS5 = r"""
import ctypes, sqlite3, sys, _sqlite3
drop = ctypes.CDLL(_sqlite3.__file__).sqlite3_drop_modules
drop.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
connect = _sqlite3.connect
def connect_without_fts5(*args, **kwargs):
    conn = connect(*args, **kwargs)
    drop(ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value, None)
    return conn
sqlite3.connect = _sqlite3.connect = connect_without_fts5  # the runtime calls _sqlite3
sys.path.insert(0, sys.argv[1])
from pact_runtime.memory.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_a_sqlite_without_fts5_still_saves_searches_and_forgets(run, env):
    kept, gone = saved(run), saved(run, {"lessons": ["Café menus are cached for an hour"]})

    def plain(*argv, stdin=""):
        proc = subprocess.run([sys.executable, "-S", "-c", WITHOUT_FTS5, SCRIPTS, *argv],
                              input=stdin, capture_output=True, text=True, env=env)
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        return proc.stdout

    probe = subprocess.run([sys.executable, "-S", "-c", WITHOUT_FTS5.split("sys.path")[0]
                            + "sqlite3.connect(':memory:').execute("
                            "'CREATE VIRTUAL TABLE t USING fts5(x)')"], capture_output=True,
                           text=True)
    assert "no such module: fts5" in probe.stderr  # the module is really gone

    assert "search: like (FTS5 is not available" in plain("stats")
    assert json.loads(plain("search", "partial", "index", "--json"))["engine"] == "like"
    assert plain("search", "PARTIAL", "--json").count(kept) == 1
    assert gone in plain("search", "Café")
    added = plain("save", stdin='{"lessons": ["Widgets are rebuilt nightly"]}').strip()
    assert added in plain("search", "widgets")
    assert plain("forget", gone) == f"Forgot {gone}.\n"

    # Back on a SQLite with FTS5, the index is rebuilt from the table: nothing lost or stale.
    assert run("stats")[1].count("search: fts5") == 1
    assert json.loads(run("search", "widgets", "--json")[1])["results"][0]["id"] == added
    assert run("search", "cafe")[1] == "No memories match 'cafe'.\n"
    assert kept in run("search", "partial")[1]


def test_input_bytes_are_read_as_utf8(env):
    """Through the built command's own stdin: a BOM is dropped, other bad bytes are named."""
    script = ("import sys; from pact_runtime.memory.cli import main; "
              "sys.exit(main(sys.argv[1:]))")
    cases = ((b'\xef\xbb\xbf{"goal": "with a BOM"}', 0, b""),
             (b'{"goal": "caf\xe9"}', 1, b"Error: input is not UTF-8: byte 0xe9 on line 1\n"))
    for stdin, code, err in cases:
        proc = subprocess.run([sys.executable, "-S", "-c", script, "save"], input=stdin,
                              capture_output=True, cwd=SCRIPTS, env={**env, "PATH": ""})
        assert (proc.returncode, proc.stderr) == (code, err)
    closed = subprocess.run([sys.executable, "-S", "-c", script, "save"], stdin=None,
                            capture_output=True, cwd=SCRIPTS, env={**env, "PATH": ""},
                            preexec_fn=lambda: os.close(0))
    assert (closed.returncode, closed.stderr) == (
        1, b"Error: no input: stdin is closed; pipe a JSON object into the command\n")


def test_line_separators_inside_text_survive_export_and_import(run, env, tmp_path):
    ident = saved(run, {"goal": "one\u2028two\u2029three\x85four"})
    exported = run("export")[1]
    env["PACT_HOME"] = str(tmp_path / "second")
    assert run("import", stdin=exported)[0] == 0
    assert json.loads(run("show", ident, "--json")[1])["goal"] == "one\u2028two\u2029three\x85four"


def test_export_works_when_the_search_index_is_damaged(run, env, monkeypatch):
    ident = saved(run)

    def damaged(conn):
        raise sqlite3.DatabaseError("vtable constructor failed: memory_fts")

    monkeypatch.setattr(store, "ensure_index", damaged)
    assert run("search", "orders")[0] == 1
    code, out, _ = run("export")
    assert code == 0 and json.loads(out)["id"] == ident


def test_control_characters_are_escaped_on_the_terminal_but_kept_in_json(run):
    ident = saved(run, {"goal": "red \x1b[31malert\x1b[0m and a \x00 byte"})
    assert "red \\x1b[31malert\\x1b[0m and a \\x00 byte" in run("list")[1]
    assert "\x1b" not in run("show", ident)[1]
    assert json.loads(run("show", ident, "--json")[1])["goal"] == (
        "red \x1b[31malert\x1b[0m and a \x00 byte")


def test_a_bidirectional_override_is_shown_escaped(run):
    ident = saved(run, {"goal": "pay \u202eroF"})
    assert "pay \\u202eroF" in run("show", ident)[1]
    assert json.loads(run("show", ident, "--json")[1])["goal"] == "pay \u202eroF"


def test_a_terminal_that_cannot_show_the_text_gets_escapes(env):
    script = "import sys; from pact_runtime.memory.cli import main; sys.exit(main(sys.argv[1:]))"
    run_env = {**env, "PATH": "", "PYTHONIOENCODING": "ascii"}
    subprocess.run([sys.executable, "-S", "-c", script, "save"], cwd=SCRIPTS, env=run_env,
                   input='{"goal": "数据库 café"}'.encode(), check=True, capture_output=True)
    proc = subprocess.run([sys.executable, "-S", "-c", script, "list"], cwd=SCRIPTS,
                          env=run_env, capture_output=True)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert b"\\u6570\\u636e\\u5e93 caf\\xe9" in proc.stdout


def test_entity_kinds_are_redacted(run):
    token = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0dF3hJ6"
    ident = saved(run, {"context": "x", "entities": [{"name": "n", "kind": token}]})
    shown = run("show", ident, "--json")[1]
    assert token not in shown and "[REDACTED:github-token]" in shown


def test_export_then_import_is_idempotent_by_id(run, env, tmp_path):
    ident = saved(run)
    exported = run("export")[1]
    env["PACT_HOME"] = str(tmp_path / "second")

    first, again = run("import", stdin=exported), run("import", stdin=exported)

    assert first == (0, "Imported 1 memory; skipped 0 already present.\n", "")
    assert again == (0, "Imported 0 memories; skipped 1 already present.\n", "")
    assert json.loads(run("show", ident, "--json")[1]) == json.loads(exported)
    assert run("export")[1] == exported


@pytest.mark.parametrize(("argv", "stdin", "message"), [
    (["save"], "", "Error: no input: pipe a JSON object into the command"),
    (["save"], '{"goal": "x",\n "lessons": [}', "Error: invalid JSON at line 2, column 14: "
                                                 "Expecting value"),
    (["save"], '["a"]', "Error: expected a JSON object with the memory's fields"),
    (["save"], '{"goal": 1}', "Error: goal: expected a string, got int"),
    (["import"], '{"goal": "ok"}\n{"goal": "x"', "Error: invalid JSON at line 2, column 13: "
                                                 "Expecting ',' delimiter"),
    (["import"], '{"goal": "ok"}\n{"tags": ["x"]}', "Error: line 2: nothing to save: give at "
                                                    "least one of context, goal, lessons, "
                                                    "decisions or uncertainties; "
                                                    "nothing was imported"),
    (["save"], '{"lessons": "a string"}', "Error: lessons: expected a list of strings, "
                                          "got a string"),
    (["save"], '{"goal": "g", "phase": "Deploy"}', "Error: phase: expected one of Prepare, "
                                                   "Architect, Code, Test, got 'Deploy'"),
    (["save"], '{"goal": "g", "pinned": "yes"}', "Error: pinned: expected true or false, "
                                                 "got a string"),
    (["import"], '{"goal": "ok"}\n{"id": "m-zz", "goal": "g"}',
     "Error: line 2: id: invalid value 'm-zz' (ids look like m-3f9a1c2b7d); "
     "nothing was imported"),
    (["import", "--project", "/nonexistent/folder"], '{"goal": "g"}',
     "Error: --project: '/nonexistent/folder' is not a folder"),
    (["pin", "0bad7602b3"], "", "Error: no memory with id '0bad7602b3'"),
    (["show", "87"], "", "Error: '87' is too short for an id: a shortened id needs at least 4 "
                         "of its hex digits\n"),
    (["show", "m-zz"], "", "Error: no memory with id 'm-zz' (ids look like m-3f9a1c2b7d)"),
    (["show", "nonsense"], "", "Error: no memory with id 'nonsense' "
                               "(ids look like m-3f9a1c2b7d)"),
    (["show", "m-0000000000"], "", "Error: no memory with id 'm-0000000000'"),
    (["forget", "m-0000000000"], "", "Error: no memory with id 'm-0000000000'"),
    (["pin", "m-0000000000"], "", "Error: no memory with id 'm-0000000000'"),
    (["search", "x", "--limit", "0"], "", "Error: --limit: expected a whole number from 1 to "
                                          "200, got '0'"),
    (["search", "x", "--limit", "ten"], "", "Error: --limit: expected a whole number from 1 "
                                            "to 200, got 'ten'"),
    (["search", "x", "--limit", "１０"], "", "Error: --limit: expected a whole number from 1 "
                                            "to 200, got '１０'"),
    (["save"], '{"context": "a', "Error: invalid JSON at line 1, column 13: a string starts "
                                 "here and never ends (a closing quote is missing)\n"),
    (["save"], '{"goal": "a\tb"}', "Error: invalid JSON at line 1, column 12: a control "
                                   "character (U+0009) inside a string; write it as \\t\n"),
    (["save"], '{"goal": "g", "pinned": ' + "1" * 5000 + "}",
     "Error: invalid JSON at line 1, column 25: a number with 5,000 digits (at most 4,300 are "
     "read)\n"),
    (["import"], '{"goal": "g"}\n{"goal": "g", "x": -' + "1" * 5000 + "}",
     "Error: invalid JSON at line 2, column 20: a number with 5,000 digits (at most 4,300 are "
     "read)\n"),
    (["list", "--limit", "9" * 5000], "", "Error: --limit: expected a whole number from 1 to "
                                          "200, got '99999999999999999999…'\n"),
    (["save"], '{"context": "x", "context": "y"}', "Error: invalid JSON: duplicate key "
                                                   "'context'; give each field once"),
    (["import"], '{"goal": "ok"}\n{"goal": "g", "goal": "h"}',
     "Error: invalid JSON on line 2: duplicate key 'goal'; give each field once"),
    (["save"], json.dumps({"goal": "g", "tags": ["t"] * 201}),
     "Error: tags: too many items (201 > 200)"),
    (["save"], json.dumps({"goal": "g", "lessons": [f"{n}" + "x" * 18_999 for n in range(6)]}),
     "Error: memory too large (114,001 > 100,000 characters in all); keep what a later "
     "specialist needs and save the rest in a file"),
    (["import"], '{"goal": "g", "created": "9999-99-99T99:99:99Z"}',
     "Error: line 1: created: '9999-99-99T99:99:99Z' is not a real date and time; "
     "nothing was imported"),
    (["import"], '{"goal": "g", "updated": "2999-01-01T00:00:00Z"}',
     "Error: line 1: updated: '2999-01-01T00:00:00Z' is in the future; nothing was imported"),
    (["import"], '{"goal": "g", "project": "../../etc"}',
     "Error: line 1: project: expected the absolute path of a folder, got '../../etc'; "
     "nothing was imported"),
    (["import"], '{"goal": "g", "source": "magic"}',
     "Error: line 1: source: expected one of explicit, handoff, import, got 'magic'; "
     "nothing was imported"),
    ([], "", "Error: missing COMMAND (see `pact-memory --help`)"),
    (["frobnicate"], "", "Error: unknown command 'frobnicate' (known: save, search, list, show, "
                         "forget, pin, unpin, stats, export, import)"),
    (["search"], "", "Error: search needs a QUERY (words to look for)"),
    (["search", "x", "--limit"], "", "Error: --limit needs a value"),
    (["list", "--bogus"], "", "Error: unknown option --bogus for list "
                              "(see `pact-memory list --help`)"),
    (["list", "--json=yes"], "", "Error: --json takes no value"),
    (["show", "m-1", "m-2"], "", "Error: show needs exactly one memory ID, got 2"),
    (["pin"], "", "Error: pin needs exactly one memory ID"),
    (["stats", "extra"], "", "Error: stats takes no arguments, got 'extra'"),
    (["save"], '{"goal": "a \\ud800 b"}',
     "Error: goal: text contains an unpaired surrogate (\\ud800)\n"),
    (["save"], '{"goal": "g", "lessons": ["\\udfff"]}',
     "Error: lessons: text contains an unpaired surrogate (\\udfff)\n"),
    (["save"], '{"goal": "g", "entities": [{"name": "\\ud83d"}]}',
     "Error: entity: text contains an unpaired surrogate (\\ud83d)\n"),
    (["save"], "[" * 100_000, "Error: JSON nested too deeply\n"),
    (["import"], "[" * 100_000, "Error: JSON nested too deeply\n"),
    (["import"], "{{" + "[" * 100_000, "Error: "),
    (["save"], '{"goal": "g", "entities": [{"name": "orders", "description": "d", "type": "t"}]}',
     "Error: entities[0]: unknown field 'description' (known: name, kind)\n"),
    (["save"], '{"goal": "g", "entities": ["users", {"name": "orders", "type": "table"}]}',
     "Error: entities[1]: unknown field 'type' (known: name, kind)\n"),
    (["import"], '{"goal": "g", "project": "/a\\ud800"}',
     "Error: line 1: project: text contains an unpaired surrogate (\\ud800); nothing was "
     "imported\n"),
    (["show", "m-\udcff"], "", "Error: argument 2 is not UTF-8 text (byte 0xff); pass it as "
                              "UTF-8\n"),
])
def test_errors_are_one_line_and_exit_1(run, argv, stdin, message):
    code, out, err = run(*argv, stdin=stdin)

    assert code == 1 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


def test_import_with_a_bad_line_imports_nothing(run, env):
    run("import", stdin='{"goal": "first"}\n{"goal": 5}\n')

    assert run("list") == (0, _empty(env), "")


def test_an_import_that_fails_midway_stores_nothing(run, env, monkeypatch):
    from pact_runtime import db

    lines = "".join(json.dumps({"goal": f"bulk {n}"}) + "\n" for n in range(5))
    real, calls = store.save, []

    def save_then_lose_the_lock(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise db.DatabaseLocked("another program is writing to the PACT database; "
                                    "nothing was changed, try again in a moment")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "save", save_then_lose_the_lock)
    code, out, err = run("import", stdin=lines)

    assert (code, out) == (1, "") and "nothing was changed" in err
    monkeypatch.setattr(store, "save", real)
    assert run("list") == (0, _empty(env), "")
    assert run("import", stdin=lines)[:2] == (0, "Imported 5 memories; skipped 0 already "
                                                 "present.\n")


def test_a_failing_inner_write_is_undone_alone(tmp_path):
    from pact_runtime import db

    conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    conn.execute("CREATE TABLE t (x UNIQUE)")
    with db.write(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(sqlite3.IntegrityError), db.write(conn):
            conn.execute("INSERT INTO t VALUES (2)")
            conn.execute("INSERT INTO t VALUES (1)")
        with db.write(conn):
            conn.execute("INSERT INTO t VALUES (3)")
    assert not conn.in_transaction
    assert [x for (x,) in conn.execute("SELECT x FROM t ORDER BY x")] == [1, 3]


def test_missing_data_folder_is_an_error_that_says_where_it_usually_is(capsys):
    assert cli.main(["list"], {}) == 1
    assert capsys.readouterr().err == (
        "Error: no data folder: set PACT_HOME to the plugin's data folder (usually "
        "~/.claude/plugins/data/PACT-pact-marketplace; inside a Claude Code session the PACT "
        "SessionStart hook sets it for you)\n")


def test_corrupt_database_is_reported_clearly(run, env):
    os.makedirs(env["PACT_HOME"])
    with open(os.path.join(env["PACT_HOME"], "pact.db"), "wb") as f:
        f.write(b"garbage" * 1000)

    code, out, err = run("list")

    assert (code, out) == (1, "")
    assert err.startswith(f"Error: the PACT database {env['PACT_HOME']}/pact.db is damaged "
                          "(file is not a database), so nothing in it can be read; move the "
                          "file aside")
    assert err.count("\n") == 1
    # It says so because it is so: export reads nothing either.
    assert run("export")[:2] == (1, "")


def _damage(env, name, leaf=13):
    """Overwrite the root page of ``name`` with a valid but empty leaf page (13: of a table,
    10: of an index)."""
    import sqlite3

    path = os.path.join(env["PACT_HOME"], "pact.db")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                           (name,)).fetchone()
    (size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(bytes([leaf, 0, 0, 0, 0]) + (size % 65536).to_bytes(2, "big") + bytes(size - 7))


@pytest.mark.parametrize("argv", [["search", "partial"], ["search", "partial", "--json"],
                                  ["list"], ["list", "--json"]])
def test_a_damaged_database_is_an_error_not_an_empty_answer(run, env, argv):
    saved(run)
    _damage(env, "memories")

    code, out, err = run(*argv)

    assert (code, out) == (1, "")
    assert err.startswith(f"Error: the PACT database {env['PACT_HOME']}/pact.db is damaged (")
    assert "pact-memory export" in err and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["search", "partial"], ["search", "partial", "--json"],
                                  ["list"], ["list", "--json"]])
def test_a_large_store_finds_the_damage_without_reading_every_page(run, env, monkeypatch,
                                                                      argv):
    monkeypatch.setattr(cli, "FULL_CHECK_PAGES", 0)  # every store counts as large
    saved(run)
    _damage(env, "memories")

    code, out, err = run(*argv)

    assert (code, out) == (1, "")
    assert err.startswith(f"Error: the PACT database {env['PACT_HOME']}/pact.db is damaged (")
    assert ("names 1 memories the table lacks" in err or "index names memories" in err), err


@pytest.mark.parametrize(("index", "leaf", "argv"), [
    ("memories_by_project", 10, ["list"]),
    ("memory_fts_docsize", 13, ["search", "zebra"]),
])
def test_a_large_store_with_an_emptied_index_is_not_read_as_empty(run, env, monkeypatch, index,
                                                                   leaf, argv):
    monkeypatch.setattr(cli, "FULL_CHECK_PAGES", 0)
    saved(run)
    _damage(env, index, leaf)

    code, out, err = run(*argv)

    assert (code, out) == (1, "")
    assert "memory counts differ: memories 1, " in err and " 0" in err, err


def test_a_large_intact_store_still_says_nothing_matches(run, env, monkeypatch):
    monkeypatch.setattr(cli, "FULL_CHECK_PAGES", 0)
    saved(run)

    assert run("search", "zebra") == (0, "No memories match 'zebra'.\n", "")
    env["PACT_PROJECT"] = os.path.dirname(env["PACT_PROJECT"])
    assert run("list") == (0, _empty(env), "")


def test_overwritten_pages_are_reported_as_damage(run, env):
    saved(run)
    path = os.path.join(env["PACT_HOME"], "pact.db")
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(path, "r+b") as f:
        f.seek(4096 * 4)
        f.write(b"\xff" * 4096 * 100)

    code, out, err = run("search", "partial")

    assert (code, out) == (1, "")
    assert err.startswith("Error: the PACT database ") and ("damaged" in err or "unreadable" in err)


def test_an_intact_empty_database_still_says_nothing_matches(run, env):
    assert run("search", "partial") == (0, "No memories match 'partial'.\n", "")
    assert run("list") == (0, _empty(env), "")


def test_a_secret_in_the_session_id_is_redacted(run):
    ident = saved(run, {**MEMORY, "session_id": "password=Hunter2Pw!"})

    shown = json.loads(run("show", ident, "--json")[1])

    assert shown["session_id"] == "password=[REDACTED:assignment]"


def test_help_exits_0(run):
    code, out, _ = run("--help")

    assert code == 0 and "usage: pact-memory" in out


def test_help_of_a_command_lists_its_options(run):
    code, out, _ = run("search", "--help")

    assert code == 0
    assert out.splitlines()[0] == ("usage: pact-memory search QUERY... [--limit N] "
                                   "[--agent NAME] [--all-projects] [--file PATH] "
                                   "[--entity NAME] [--json]")
    assert "  --limit N        at most N results (1-200)" in out
    assert "  --json           print the stable JSON shape (see the pact-memory skill)" in out


def test_save_help_lists_the_fields_and_names_the_skill(run):
    code, out, _ = run("save", "--help")

    assert code == 0
    assert out.splitlines()[-2:] == [
        "fields: context, goal, lessons, decisions, uncertainties, entities, files, tags, "
        "agent, phase, pinned, session_id",
        "Each field's type and an example: the pact-memory skill."]


def test_phase_is_stored_in_its_canonical_form(run):
    ident = saved(run, {"goal": "g", "phase": "architect", "pinned": True})

    shown = json.loads(run("show", ident, "--json")[1])

    assert (shown["phase"], shown["pinned"]) == ("Architect", True)


def test_commands_accept_the_id_without_its_prefix_or_shortened(run):
    ident = saved(run)

    assert run("pin", ident[2:]) == (0, f"Pinned {ident}.\n", "")
    assert run("unpin", ident[2:6].upper()) == (0, f"Unpinned {ident}.\n", "")
    assert json.loads(run("show", "m-" + ident[2:8], "--json")[1])["id"] == ident
    assert run("forget", ident[2:]) == (0, f"Forgot {ident}.\n", "")


def test_an_ambiguous_short_id_is_refused(run, env):
    lines = [json.dumps({"id": f"m-abcd{n:06d}", "goal": f"goal {n}"}) for n in (1, 2)]
    assert run("import", stdin="\n".join(lines))[0] == 0

    code, out, err = run("pin", "abcd")

    assert (code, out) == (1, "")
    assert err == ("Error: 'abcd' matches more than one memory (m-abcd000001, m-abcd000002, "
                   "…); give more of the id\n")


def test_import_project_rehomes_every_memory(run, env, tmp_path):
    ident = saved(run)
    exported = run("export")[1]
    env["PACT_HOME"] = str(tmp_path / "second")
    target = tmp_path / "moved"
    target.mkdir()
    os.symlink(target, tmp_path / "link")

    assert run("import", "--project", str(tmp_path / "link"), stdin=exported) == (
        0, "Imported 1 memory; skipped 0 already present.\n", "")
    assert json.loads(run("show", ident, "--json")[1])["project"] == str(target.resolve())
    assert run("list") == (0, _empty(env), "")


def test_import_without_project_keeps_the_recorded_one(run, env, tmp_path):
    ident = saved(run)
    exported = run("export")[1]
    env["PACT_HOME"] = str(tmp_path / "second")
    env["PACT_PROJECT"] = str(tmp_path)

    assert run("import", stdin=exported)[0] == 0
    assert json.loads(run("show", ident, "--json")[1])["project"] == os.path.realpath(
        tmp_path / "project")


def test_list_all_projects_shows_each_rows_project(run, env, tmp_path):
    ident = saved(run)
    project = os.path.realpath(env["PACT_PROJECT"])

    code, out, _ = run("list", "--all-projects")
    searched = run("search", "orders", "--all-projects")[1]

    assert code == 0
    assert out.splitlines()[0] == f"{ident}  {out[14:24]}  pact-database-engineer  {project}"
    assert searched.splitlines()[0].endswith(f"  {project}")
    assert project not in run("list")[1]


def test_option_forms_and_dashed_query_words(run):
    ident = saved(run)

    by_equals = json.loads(run("search", "--limit=1", "--json", "orders")[1])
    dashed = run("search", "-orders", "--", "--limit")

    assert [r["id"] for r in by_equals["results"]] == [ident]
    assert dashed[0] == 0 and dashed[1].startswith(ident)


def test_text_search_and_list_load_neither_json_nor_re_nor_argparse(env, tmp_path):
    code = ("import io, sys; sys.stdin = io.StringIO(sys.argv[1]); "
            "from pact_runtime.memory.cli import main; env = dict(PACT_HOME=sys.argv[2], "
            "PACT_PROJECT=sys.argv[3]); main(['save'], env); sys.modules.pop('json', None); "
            "[sys.modules.pop(m) for m in list(sys.modules) if m.startswith(('json', 're', "
            "'argparse', 'sre_', 'enum'))]; "
            "main(['search', 'partial'], env); main(['list'], env); "
            "print(sorted(m for m in ('argparse', 're', 'json', 'enum') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-S", "-c", code, json.dumps(MEMORY),
                           env["PACT_HOME"], env["PACT_PROJECT"]], cwd=SCRIPTS,
                          capture_output=True, text=True, check=True)

    assert proc.stdout.strip().splitlines()[-1] == "[]"
    assert "A partial index on status" in proc.stdout


def test_save_loads_no_module_it_can_do_without(env):
    code = ("import io, sys; sys.stdin = io.StringIO(sys.argv[1]); "
            "from pact_runtime.memory.cli import main; "
            "main(['save'], dict(PACT_HOME=sys.argv[2], PACT_PROJECT=sys.argv[3])); "
            "print(sorted(m for m in ('argparse', 're', 'json', 'zlib', 'hashlib', 'contextlib') "
            "if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-S", "-c", code, json.dumps(MEMORY),
                           env["PACT_HOME"], env["PACT_PROJECT"]], cwd=SCRIPTS,
                          capture_output=True, text=True, check=True)

    ident, loaded = proc.stdout.splitlines()
    assert ident.startswith("m-") and loaded == "[]", proc.stdout


PYTHONS = [f"{PYENV}/{v}/bin/python3" for v in ("3.9.18", "3.10.13", "3.11.7", "3.12.1",
                                                   "3.13.0")]

SCRIPT = r"""
import io, json, os, sys
sys.path.insert(0, sys.argv[1])
from pact_runtime.memory import cli
from pact_runtime.memory.capture import on_subagent_stop
from pact_runtime.memory.recall import on_session_start
from pact_runtime.hook import Event

env = {"PACT_HOME": sys.argv[2], "PACT_PROJECT": sys.argv[3]}
def run(*argv, stdin=""):
    sys.stdin = io.StringIO(stdin)
    out = io.StringIO()
    sys.stdout = out
    try:
        code = cli.main(list(argv), env)
    finally:
        sys.stdout = sys.__stdout__
    return code, out.getvalue()

code, ident = run("save", stdin=json.dumps({"goal": "Back up before migrating",
                                            "lessons": ["数据库迁移之前先备份 in the café"]}))
assert code == 0, code
hits = json.loads(run("search", "cafe", "数据库", "--json")[1])["results"]
assert [h["id"] for h in hits] == [ident.strip()], hits
message = "### Key decisions\n- Keep the old column until the backfill ends\n"
event = Event("SubagentStop", {"agent_type": "PACT:pact-database-engineer",
                               "session_id": "s", "last_assistant_message": message,
                               "stop_hook_active": True, "cwd": sys.argv[3]}, env)
assert on_subagent_stop(event) is None
start = on_session_start(Event("SessionStart", {"cwd": sys.argv[3]}, env))
assert "Back up before migrating" in start.context or "数据库" in start.context, start.context
assert "Keep the old column" in start.context, start.context
print("ok", sys.version_info[:2])
"""


@pytest.mark.parametrize("python", PYTHONS, ids=lambda p: p.split("/")[-3])
def test_store_search_capture_and_recall_run_on_each_python(python, tmp_path):
    if not os.path.exists(python):
        pytest.skip(f"{python} is not installed")
    project = tmp_path / "project"
    project.mkdir()

    proc = subprocess.run([python, "-S", "-c", SCRIPT, SCRIPTS, str(tmp_path / "data"),
                           str(project)], capture_output=True, text=True, timeout=60)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok (3, ")


def _empty(env):
    return f"No memories yet for {os.path.realpath(env['PACT_PROJECT'])}.\n"


# ---- projects: export, import --project, PACT_PROJECT ------------------------------------

def test_export_takes_every_project_unless_one_is_named(run, env, tmp_path):
    here = saved(run)
    env["PACT_PROJECT"] = str(tmp_path)
    there = saved(run, {"goal": "elsewhere"})

    everything = [json.loads(line)["id"] for line in run("export")[1].splitlines()]
    only_here = run("export", "--project", str(tmp_path / "project"))[1]
    gone = run("export", "--project", str(tmp_path / "no-longer-there"))

    assert everything == [here, there]
    assert [json.loads(line)["id"] for line in only_here.splitlines()] == [here]
    assert gone == (0, "", "")
    assert "every project (a full backup)" in run("export", "--help")[1]
    assert "list and search stay in the current project" in run("export", "--help")[1]


def test_import_project_moves_ids_already_stored_in_another_project(run, env, tmp_path):
    old, new = tmp_path / "project", tmp_path / "renamed"
    new.mkdir()
    first = saved(run)
    second = saved(run, {"goal": "second"})
    exported = run("export", "--project", str(old))[1]

    moved = run("import", "--project", str(new), stdin=exported)
    again = run("import", "--project", str(new), stdin=exported)

    assert moved == (0, f"Imported 0 memories; moved 2 already stored to {new}; skipped 0 "
                        "already present.\n", "")
    assert again == (0, "Imported 0 memories; skipped 2 already present.\n", "")
    assert {json.loads(run("show", i, "--json")[1])["project"] for i in (first, second)} == {
        str(new)}
    assert run("list") == (0, _empty(env), "")
    env["PACT_PROJECT"] = str(new)
    assert "A partial index on status" in run("search", "orders")[1]
    assert "moving ids already stored elsewhere" in run("import", "--help")[1]


def test_a_move_onto_the_same_content_is_a_duplicate(run, env, tmp_path):
    ident = saved(run)
    exported = run("export")[1]
    env["PACT_PROJECT"] = str(tmp_path)
    twin = saved(run)  # the same content, in the target project, under its own id

    code, out, _ = run("import", "--project", str(tmp_path), stdin=exported)

    assert (code, out) == (0, "Imported 0 memories; skipped 0 already present and 1 duplicate "
                              f"of stored memories ({ident} repeats {twin}).\n")
    assert json.loads(run("show", ident, "--json")[1])["project"] == os.path.realpath(
        tmp_path / "project")


def test_a_new_id_with_the_content_of_a_stored_memory_is_called_a_duplicate(run):
    ident = saved(run)
    lines = "\n".join([json.dumps({**MEMORY, "id": "m-00000000aa"}),
                       json.dumps({"goal": "new"}), json.dumps(MEMORY)])

    code, out, _ = run("import", stdin=lines)

    assert (code, out) == (0, "Imported 1 memory; skipped 0 already present and 2 duplicates "
                              f"of stored memories (m-00000000aa repeats {ident}, line 3 "
                              f"repeats {ident}).\n")


@pytest.mark.parametrize("argv", [["list"], ["search", "x"], ["stats"], ["save"]])
def test_a_project_that_is_not_a_folder_is_an_error(run, env, argv):
    env["PACT_PROJECT"] = "/nonexistent/project"

    code, out, err = run(*argv, stdin=json.dumps(MEMORY))

    assert (code, out) == (1, "")
    assert err == ("Error: PACT_PROJECT is '/nonexistent/project', which is not a folder; set "
                   "it to the project's folder, or unset it to use the current one\n")


def test_commands_that_need_no_project_ignore_a_missing_one(run, env):
    ident = saved(run)
    env["PACT_PROJECT"] = "/nonexistent/project"

    assert run("show", ident)[0] == 0
    assert run("list", "--all-projects")[0] == 0
    assert run("import", stdin=run("export")[1])[0] == 0


def test_the_skill_says_the_project_is_the_starting_folder_not_the_git_root():
    with open(os.path.join(REPO, "skills", "pact-memory", "SKILL.md"), encoding="utf-8") as f:
        text = f.read()

    assert "the folder the session started in" in text and "not the git root" in text


# ---- pinning: what it guarantees ------------------------------------------------------------

def long_pins(run, count):
    """``count`` memories whose recall lines fill the line limit, pinned in order 0, 1, …"""
    idents = [saved(run, {"goal": f"pinned fact {n} " + "detail " * 30}) for n in range(count)]
    for ident in idents:
        assert run("pin", ident)[:2] == (0, f"Pinned {ident}.\n")
    return idents


def test_pin_names_the_pins_that_fall_out_of_the_recall(run, env):
    idents = long_pins(run, 7)
    older = saved(run, {"goal": "pinned fact 7 " + "detail " * 30})

    code, out, err = run("pin", older)  # the newest pin leads; the oldest shown one drops out

    project = os.path.realpath(env["PACT_PROJECT"])
    assert (code, out) == (0, f"Pinned {older}.\n")
    assert err == (f"Note: 8 memories are pinned in {project}; the session-start recall "
                   "(about 1,000 characters) has room for 3 of them, newest pin first, and "
                   f"leaves out {idents[4]} (shown until now), {idents[3]}, {idents[2]}, "
                   f"{idents[1]}, {idents[0]} (`pact-memory list --pinned` lists every pin). "
                   "Unpin the ones that matter less, or pin one again to bring it back.\n")


def test_pin_again_brings_a_left_out_pin_back_and_counts_past_five_names(run, env):
    idents = long_pins(run, 10)

    code, out, err = run("pin", idents[0])

    project = os.path.realpath(env["PACT_PROJECT"])
    assert (code, out) == (0, f"Pinned {idents[0]} again: it now leads the pins in the "
                              "session-start recall.\n")
    assert err == (f"Note: 10 memories are pinned in {project}; the session-start recall "
                   "(about 1,000 characters) has room for 3 of them, newest pin first, and "
                   f"leaves out {idents[7]} (shown until now), {idents[6]}, {idents[5]}, "
                   f"{idents[4]}, {idents[3]} and 2 more (`pact-memory list --pinned` lists "
                   "every pin). Unpin the ones that matter less, or pin one again to bring it "
                   "back.\n")
    listed = json.loads(run("list", "--pinned", "--json")[1])["results"]
    assert [m["id"] for m in listed] == [idents[0], *idents[:0:-1]]


def test_unpin_says_when_there_was_no_pin(run):
    ident = saved(run)

    assert run("unpin", ident) == (0, f"{ident} was not pinned; nothing changed.\n", "")
    assert json.loads(run("show", ident, "--json")[1])["pinned_at"] == ""


def test_list_pinned_shows_pins_newest_pin_first(run, env, tmp_path):
    first = saved(run, {"goal": "first saved"})
    second = saved(run, {"goal": "second saved"})
    third = saved(run, {"goal": "third saved"})
    saved(run, {"goal": "never pinned"})
    for ident in (second, third, first):
        run("pin", ident)
    run("unpin", third)

    code, out, err = run("list", "--pinned")

    assert (code, err) == (0, "")
    assert out == (f"{first}  {out[14:24]}  pinned\n  first saved\n"
                   f"{second}  {out[14:24]}  pinned\n  second saved\n")
    results = json.loads(run("list", "--pinned", "--json", "--limit", "1")[1])["results"]
    assert [m["id"] for m in results] == [first]
    assert results[0]["pinned_at"] > json.loads(run("show", second, "--json")[1])["pinned_at"]
    mine, env["PACT_PROJECT"] = env["PACT_PROJECT"], str(tmp_path)
    elsewhere = saved(run, {"goal": "pinned elsewhere", "pinned": True})
    assert [m["id"] for m in json.loads(run("list", "--pinned", "--json")[1])["results"]
            ] == [elsewhere]
    env["PACT_PROJECT"] = mine
    assert [m["id"] for m in json.loads(run("list", "--pinned", "--all-projects", "--json")[1]
                                        )["results"]] == [elsewhere, first, second]


def test_list_pinned_says_when_nothing_is_pinned(run, env):
    saved(run)

    project = os.path.realpath(env["PACT_PROJECT"])
    assert run("list", "--pinned") == (0, f"No pinned memories for {project}.\n", "")
    assert run("list", "--pinned", "--all-projects") == (0, "No pinned memories.\n", "")
    assert "--pinned" in run("list", "--help")[1]
    assert "only pinned memories, newest pin first" in run("list", "--help")[1]


def test_show_says_when_a_memory_was_pinned(run):
    ident = saved(run)
    run("pin", ident)
    pinned_at = json.loads(run("show", ident, "--json")[1])["pinned_at"]

    assert f"\npinned_at: {pinned_at}\n" in run("show", ident)[1]
    assert pinned_at.endswith("Z") and len(pinned_at) == 24


def test_export_and_import_keep_pin_times(run, env, tmp_path):
    pinned = saved(run, {"goal": "pinned"})
    saved(run, {"goal": "plain"})
    run("pin", pinned)
    exported = run("export")[1]
    env["PACT_HOME"] = str(tmp_path / "second")
    old = json.dumps({"id": "m-00000000c1", "goal": "pinned before pin times",
                      "pinned": True, "updated": "2026-01-02T03:04:05.678Z"})

    assert run("import", stdin=exported + old + "\n")[0] == 0

    assert [json.loads(line)["pinned_at"] for line in exported.splitlines()] == [
        json.loads(run("show", pinned, "--json")[1])["pinned_at"], ""]
    assert run("export")[1].startswith(exported)
    assert json.loads(run("show", "m-00000000c1", "--json")[1])["pinned_at"] == (
        "2026-01-02T03:04:05.678Z")
    assert run("import", stdin=json.dumps({"goal": "g", "pinned": True, "pinned_at": "soon"})
               ) == (1, "", "Error: line 1: pinned_at: invalid value 'soon'; nothing was "
                            "imported\n")


def test_pin_says_nothing_more_while_every_pin_fits(run):
    ident = saved(run)

    assert run("pin", ident) == (0, f"Pinned {ident}.\n", "")


def test_pin_help_says_what_pinning_guarantees(run):
    out = run("pin", "--help")[1]

    assert "put this memory first in the session-start recall" in out
    assert "about 1,000 characters" in out and "found only by search" in out
    assert "newest pin first; pinning a pinned memory again brings it to the front" in out


# ---- one clear line for odd starts and arguments ----------------------------------------

def test_a_closed_stdout_is_one_error_line(env):
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "from pact_runtime.memory.cli import main; "
            "sys.exit(main(['list'], {'PACT_HOME': sys.argv[2], 'PACT_PROJECT': sys.argv[3]}))")
    # Started as `pact-memory list >&-` is: file descriptor 1 closed before Python starts.
    proc = subprocess.run(["sh", "-c", '"$@" >&-', "sh", sys.executable, "-S", "-c", code,
                           SCRIPTS, env["PACT_HOME"], env["PACT_PROJECT"]],
                          capture_output=True, text=True, timeout=60)

    assert proc.returncode == 1
    assert proc.stderr == ("Error: standard output is closed, so nothing could be shown; "
                           "nothing was done\n")


def test_a_short_id_says_what_a_prefix_needs_and_which_ids_it_starts(run):
    lines = [json.dumps({"id": "m-156212a62b", "goal": "g"}),
             json.dumps({"id": "m-1563000000", "goal": "h"})]
    run("import", stdin="\n".join(lines))

    assert run("show", "m-156") == (1, "", "Error: 'm-156' is too short for an id: a shortened "
                                           "id needs at least 4 of its hex digits; m-156212a62b "
                                           "and others start with it\n")
    assert run("show", "m-1562")[0] == 0
    assert run("pin", "15")[2] == ("Error: '15' is too short for an id: a shortened id needs at "
                                   "least 4 of its hex digits; m-156212a62b and others start "
                                   "with it\n")


def test_one_id_with_two_contents_in_one_file_imports_nothing(run, env):
    first = {"id": "m-0123456789", "goal": "first"}
    lines = "\n".join(json.dumps(m) for m in (first, {"goal": "other"}, first,
                                              {**first, "goal": "second"})) + "\n"

    assert run("import", stdin=lines) == (1, "", (
        "Error: line 4: id m-0123456789 is on line 1 too, with other content; nothing was "
        "imported\n"))
    assert run("list") == (0, _empty(env), "")
    same_twice = "\n".join(json.dumps(m) for m in (first, first)) + "\n"
    assert run("import", stdin=same_twice)[:2] == (0, "Imported 1 memory; skipped 1 already "
                                                      "present.\n")


def test_an_id_that_cannot_be_written_says_the_memory_was_saved(env, capsys, monkeypatch):
    class FullDisk(io.StringIO):
        def flush(self):
            if self.getvalue():
                raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys, "stdin", io.StringIO('{"goal": "kept"}'))
    monkeypatch.setattr(sys, "stdout", FullDisk())

    assert cli.main(["save"], env) == 1

    err = capsys.readouterr().err
    assert err.startswith("Error: m-") and err.endswith(
        " was saved, but its id could not be written (No space left on device); "
        "`pact-memory list` shows it\n")
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert cli.main(["list"], env) == 0 and "kept" in sys.stdout.getvalue()
