"""Signal hooks through the dispatcher: enforcement, resolution, surfacing, handoff blocks."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from contextlib import closing

import pytest
from pact_runtime import dispatch
from pact_runtime.signals import store
from pact_runtime.signals.enforce import is_read_only


class Hooks:
    """Runs events through ``dispatch.main`` for one data folder and project."""

    def __init__(self, home: str, project: str) -> None:
        self.home, self.project = home, os.path.realpath(project)
        self.env = {"PACT_HOME": home, "CLAUDE_PROJECT_DIR": project}

    def run(self, event: str, payload: dict | bytes) -> dict | None:
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        out = io.BytesIO()
        assert dispatch.main([event], raw, self.env, out) == 0
        text = out.getvalue().decode()
        return json.loads(text) if text else None

    def tool(self, name: str, tool_input: dict, **extra: object) -> dict | None:
        return self.run("PreToolUse", {"session_id": "s1", "tool_name": name,
                                       "tool_input": tool_input, **extra})

    def bash(self, command: str) -> dict | None:
        return self.tool("Bash", {"command": command})

    def prompt(self, text: str) -> dict | None:
        return self.run("UserPromptSubmit", {"session_id": "s1", "prompt": text})

    def halt(self, reason: str = "drops customers", level: str = "HALT",
             category: str = "DATA", **fields: str) -> store.Signal:
        with closing(store.connect(self.home)) as conn:
            return store.record(conn, self.home, project=self.project, level=level,
                                category=category, reason=reason, **fields)

    def signals(self) -> list[store.Signal]:
        with closing(store.connect(self.home)) as conn:
            return store.find(conn, self.project)


@pytest.fixture
def hooks(tmp_path) -> Hooks:
    (tmp_path / "project").mkdir()
    return Hooks(str(tmp_path / "data"), str(tmp_path / "project"))


def deny_reason(answer: dict | None) -> str:
    assert answer is not None, "expected a deny"
    specific = answer["hookSpecificOutput"]
    assert (specific["hookEventName"], specific["permissionDecision"]) == ("PreToolUse", "deny")
    return str(specific["permissionDecisionReason"])


def context(answer: dict | None, event: str) -> str:
    assert answer is not None
    assert answer["hookSpecificOutput"]["hookEventName"] == event
    return str(answer["hookSpecificOutput"]["additionalContext"])


# ---- read-only commands -----------------------------------------------------------------

@pytest.mark.parametrize(("command", "expected"), [
    ("ls -la", True), ("cat README.md", True), ("grep -rn foo src | head -5", True),
    ("git status", True), ("git log --oneline -5", True), ("git diff HEAD~1", True),
    ("git -C sub status", True), ("git branch", True), ("git branch -D main", False),
    ("git commit -m x", False), ("git -c core.pager=sh log", False),
    ("git diff --output=patch.txt", False),
    ("pact-signal list --open", True), ("pact-memory search cache", True),
    ("ls 2>/dev/null", True), ("grep x file 2>&1 | wc -l", True),
    ("ls > out.txt", False), ("cat a >> b", False), ("echo hi | tee f", False),
    ("ls && rm -rf build", False), ("ls; touch x", False), ("ls\nrm x", False),
    ("ls a#b; rm x", False), ("echo $(rm -rf x)", False), ("cat `which rm`", False),
    ("(ls)", False), ("FOO=1 ls", False), ("find . -name '*.py'", True),
    ("find . -delete", False), ("find . -exec rm {} ;", False), ("sort -o out in", False),
    ("./ls", False), ("python3 -c 'print(1)'", False), ("rm -rf /", False),
    ("sqlite3 pact.db .dump", False), ("ls 'unbalanced", False), ("", True),
    ("diff <(ls a) <(ls b)", False),
    # `>&WORD`, `&>WORD` and `&>>WORD` write the file WORD unless it is a descriptor or `-`
    ('echo -n >&"$PACT_HOME/pact.db"', False), ("echo hi >&out.txt", False),
    ("echo hi >& out.txt", False), ("ls &>out.txt", False), ("ls &>>log", False),
    ("ls &>1", False), ("ls >&2", True), ("ls 2>&-", True), ("ls 1>&2-", True),
    ("ls &>/dev/null", True), ("ls >&/dev/null", True),
    # git: only listing and showing
    ("git stash", False), ("git stash push -m x", False), ("git stash pop", False),
    ("git stash drop", False), ("git stash clear", False), ("git stash apply", False),
    ("git stash list", True), ("git stash show -p", True),
    ("git reflog", True), ("git reflog show main", True), ("git reflog expire --all", False),
    ("git reflog delete HEAD@{1}", False), ("git grep -Ovim foo", False),
    ("git grep -O foo", False), ("git grep --open-files-in-pager=vim foo", False),
    ("git grep -n foo", True), ("git -c core.pager=cat grep x", False),
    # tools with an option or operand that writes or runs something
    ("rg --pre ./x foo", False), ("rg --pre=./x foo", False), ("rg -n foo src", True),
    ("tree -o out.txt", False), ("tree -oout.txt", False), ("tree -R -H . -o x", False),
    ("tree -R", False), ("tree -L 2 src", True),
    ("file -C -m magic", False), ("file -bC", False), ("file -b README.md", True),
    ("sort -uo out in", False), ("sort -oout in", False), ("sort --output=x in", False),
    ("sort -u -k2 in", True), ("uniq in out", False), ("uniq - out", False),
    ("uniq -c in", True), ("uniq", True),
    ("date -s 2020-01-01", False), ("date --set=2020-01-01", False), ("date -s@0", False),
    ("date +%F", True), ("date -u", True),
    ("hostname evil", False), ("hostname", True), ("hostname -f", True),
    ("pact-memory forget 3", False), ("pact-memory import < dump.jsonl", False),
    ("pact-memory pin 3", False), ("pact-memory unpin 3", False),
    ("pact-memory save <<< '{}'", True), ("pact-memory list", True),
    ("pact-memory show 3", True), ("pact-memory stats", True), ("pact-memory export", True),
    ("pact-signal show S1", True),
    # bash runs the command in the subscript a builtin is given as a variable name
    ("test -v 'a[$''(rm -rf data)]'", False), ("[ -v 'a[$\"\"(rm x)]' ]", False),
    ("test -R 'a[$''(rm x)]'", False), ("printf -v 'a[$''(rm x)]' y", False),
    ("printf -vx y", False), ("test -f README.md", True), ("[ -d src ]", True),
    ("printf '%s\\n' -v", True),
    # GNU long options may be abbreviated to any unambiguous prefix
    ("sort --o=out in", False), ("sort --outp out in", False), ("sort --comp=sh in", False),
    ("sort --compress-program=gzip in", False), ("date --s=2020-01-01", False),
    ("date -us 2020-01-01", False), ("file --comp x", False), ("git diff --out=p.txt", False),
    ("git grep --open=vim x", False), ("git log --oneline", True), ("git grep --or -e a", True),
    # other tools with an option that writes a file or runs a program
    ("hostname --file=name", False), ("hostname -F name", False), ("hostname -s", True),
    ("less -o out log", False), ("less -Oout log", False), ("less --log-file=out log", False),
    ("less '+!rm x' log", False), ("less -N log", True), ("more README.md", True),
    ("rg --hostname-bin=./x --hyperlink-format={host} foo", False), ("rg -z foo", True),
    ("ag --pager=sh foo", False), ("ag --pa=sh foo", False), ("ag foo src", True),
    # a quoted `<<` is text, not a heredoc, so the next line is a command
    ('echo "<<X "\nrm -rf data', False), ("echo 'a <<X'\nrm -rf data", False),
    ("cat <<'EOF'\nrm -rf data\nEOF", True), ("echo $((1 << 2))", False),
    # comments, continuations and heredoc ends as bash reads them
    ("ls #<<X\nrm -rf data", False), ("ls # note\nrm -rf data", False),
    ("ls # note \\\nrm -rf data", False), ("cat <<'EOF'\nx\\\nEOF\nrm -rf data\nEOF", False),
    ("cat <<E\"O\"F\nrm -rf data\nEOF", True), ("cat <<E\"O\"F\nq\nEOF\nrm -rf data", False),
    ("cat <<-EOF\n\tx\n\tEOF\nrm -rf data", False), ("cat <<A <<B\nA\nB\nrm x", False),
    ("cat <<EOF\r\nx\nEOF\r\nrm -rf data\nEOF", False), ("echo $[1<<2]\nrm -rf data", False),
    ("ls a#b", True), ("ls # just a note", True),
    # what the reader is unsure of is not read-only, whatever it holds
    ("ls ${X:-forget}", False), ("pact-memory ${X:-forget} m-1234", False),
    ("ls\r", False), ("ls \\", False),
    # cd, env and printenv
    ("cd src && ls", True), ("cd .. && git status", True), ("pushd src && ls && popd", True),
    ("env", True), ("env | grep PACT", True), ("printenv PATH", True), ("env -i ls", True),
    ("env PAGER=sh git log", False), ("env X=1 ls", False), ("env -S 'rm x'", False),
    ("env rm x", False), ("env -u HOME ls", True),
    # sed: printing only
    ("sed -n 1,20p f", True), ("sed -n '/^def /p' a.py", True), ("sed 's/a/b/g' f", True),
    ("sed -e 's/a/b/' -e '/x/d' f", True), ("sed -E 's|[/]|x|2' f", True),
    ("sed -n '$p;1~2p' f", True), ("sed '/a/,/b/{s/x/y/;p}' f", True), ("sed 5q f", True),
    ("sed -i s/a/b/ f", False), ("sed -ni p f", False), ("sed --in-place s/a/b/ f", False),
    ("sed --in-pl s/a/b/ f", False), ("sed -i.bak s/a/b/ f", False), ("sed -f x.sed f", False),
    ("sed 's/a/b/w out' f", False), ("sed 's/a/b/gw out' f", False), ("sed 's/a/b/e' f", False),
    ("sed 'w out' f", False), ("sed '1w out' f", False), ("sed -n '/x/W out' f", False),
    ("sed e f", False), ("sed '1e date' f", False), ("sed 's/[w]/x/;w out' f", False),
    ("sed '1a w out' f", True), ("sed 'y/abc/xyz/' f", True), ("sed", False),
    # awk: no redirection, pipe, system() or @load
    ("awk '{print $1}' f", True), ("awk -F: '{print $1}' /etc/passwd", True),
    ("awk -v n=2 'NR<=n' f", True), ("awk '{print > \"out\"}' f", False),
    ("awk '{print | \"sh\"}' f", False), ("awk 'BEGIN{system(\"rm x\")}'", False),
    ("awk -f prog.awk f", False), ("gawk -i inplace '{print}' f", False),
    ("awk '@load \"x\"'", False), ("awk '$3 > 100' f", True),
    ("awk 'NR>=10 && NR<=30' f", True), ("awk '{ if ($3 > 1) print $1 }' f", True),
    ("awk '{print ($1 > 2)}' f", True), ("awk '{print \">\"}' f", True),
    ("awk '{print $1 >\"out\"}' f", False), ("awk '{printf(\"%s\", $1) >> \"o\"}' f", False),
    ("awk '{\"date\" | getline d}' f", False), ("awk '{print $1 > $2}' f", False),
    # find and xargs run readers only
    ("find . -name '*.py' | xargs grep TODO", True), ("find . -print0 | xargs -0 wc -l", True),
    ("find . -name '*.py' -exec grep -n TODO {} +", True), ("find . -exec cat {} ;", True),
    ("find . -exec rm {} ;", False), ("find . -delete", False), ("find . -fprint out", False),
    ("find . | xargs rm", False), ("ls | xargs sort", False), ("find . | xargs", True),
    ("find . | xargs -I{} grep x {}", True), ("find . | xargs -n1 -P4 grep x", True),
    ("find . | xargs --max-args=1 grep x", True), ("find . | xargs --bogus grep x", False),
    ("find . | xargs sh -c 'rm x'", False),
    # SQL clients: statements that provably read
    ("psql -c 'SELECT 1'", True), ("psql -d shop -U app -tAc 'SELECT count(*) FROM t'", True),
    ("psql -c 'SELECT 1' -c 'SELECT 2'", True), ("psql -c '\\dt'", True),
    ("psql -c '\\d+ users'", True), ("psql -l", True),
    ("psql <<'SQL'\nSELECT 1;\nSELECT 2;\nSQL", True),
    ("psql -c 'DELETE FROM t WHERE id = 1'", False), ("psql -c 'SELECT 1; DROP TABLE t'", False),
    ("psql -c 'SELECT * INTO t2 FROM t'", False), ("psql -c 'SELECT * FROM t FOR UPDATE'", False),
    ("psql -c \"SELECT nextval('s')\"", False), ("psql -c \"SELECT setval('s', 1)\"", False),
    ("psql -c 'SELECT pg_terminate_backend(1)'", False),
    ("psql -c 'WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d'", False),
    ("psql -c 'EXPLAIN ANALYZE DELETE FROM t'", False), ("psql -c 'VACUUM'", False),
    ("psql -f x.sql", False), ("psql -o out -c 'SELECT 1'", False),
    ("psql -P pager=sh -c 'SELECT 1'", False), ("psql -c '\\! rm x'", False),
    ("psql -c '\\o out'", False), ("psql -c '\\copy t to out'", False), ("psql", False),
    ("psql -c $'SELECT 1\\n\\\\! rm x'", False), ("cat q.sql | psql", False),
    ("psql -v x=1 <<'SQL'\nSELECT :x;\nSQL", False),
])
def test_read_only_commands(command: str, expected: bool) -> None:
    assert is_read_only(command) is expected


@pytest.mark.parametrize(("command", "expected"), [
    ("sqlite3 app.db 'SELECT count(*) FROM users'", True), ("sqlite3 app.db .tables", True),
    ("sqlite3 -header -csv app.db 'SELECT * FROM users'", True),
    ("sqlite3 app.db 'PRAGMA table_info(users)'", True), ("sqlite3 app.db '.schema users'", True),
    ("sqlite3 app.db <<'SQL'\n.headers on\nSELECT 1;\nSQL", True),
    ("sqlite3 missing.db 'SELECT 1'", False),  # sqlite3 would create the file
    ("sqlite3 -readonly missing.db 'SELECT 1'", True), ("sqlite3 :memory: 'SELECT 1'", True),
    ("sqlite3 app.db 'DELETE FROM users'", False), ("sqlite3 app.db 'PRAGMA journal_mode=DELETE'",
                                                      False),
    ("sqlite3 app.db \"SELECT writefile('x', 'y')\"", False),
    ("sqlite3 app.db \"SELECT load_extension('x')\"", False),
    ("sqlite3 app.db \"ATTACH 'other.db' AS o\"", False), ("sqlite3 app.db \"VACUUM INTO 'x.db'\"",
                                                           False),
    ("sqlite3 app.db .dump", True), ("sqlite3 app.db '.output x'", False),
    ("sqlite3 app.db '.shell rm x'", False), ("sqlite3 app.db '.once x'", False),
    ("sqlite3 -init x.sql app.db 'SELECT 1'", False), ("sqlite3 app.db -cmd '.output x' .tables",
                                                     False),
    ("sqlite3 app.db", False), ("sqlite3 'file:app.db?mode=rwc' 'SELECT 1'", False),
])
def test_sqlite3_reads_only_an_existing_database(tmp_path, command: str, expected: bool) -> None:
    import sqlite3

    with closing(sqlite3.connect(tmp_path / "app.db")) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
    assert is_read_only(command, str(tmp_path)) is expected
    assert not (tmp_path / "missing.db").exists()


def test_what_the_deny_message_says_still_works_is_read_only(tmp_path) -> None:
    import sqlite3

    from pact_runtime.signals.readonly import STILL_WORKS, STILL_WORKS_EXAMPLES

    with closing(sqlite3.connect(tmp_path / "app.db")) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
    for example in STILL_WORKS_EXAMPLES:
        assert is_read_only(example, str(tmp_path)), example
    for name in ("ls", "cat", "grep", "cd", "env", "git status/log/diff/show", "find", "xargs",
                 "sed -n 1,20p f", "awk", "psql -c", "sqlite3 DB", "pact-signal", "pact-memory"):
        assert name in STILL_WORKS


@pytest.mark.skipif(shutil.which("sed") is None, reason="no sed")
@pytest.mark.parametrize("script", ["s/a/b/w out", "w out", "1w out", "s/[w]/x/;w out",
                                    "s|a|b|w out"])
def test_sed_really_writes_what_is_refused(tmp_path, script: str) -> None:
    """Why a `w` command or flag is not read-only: sed writes the file."""
    (tmp_path / "f").write_text("abc\n")
    subprocess.run(["sed", script, "f"], cwd=tmp_path, capture_output=True, timeout=30)
    assert (tmp_path / "out").exists()
    assert is_read_only(f"sed '{script}' f") is False


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
@pytest.mark.parametrize("command", ["test -v 'a[$''(touch ran)]'",
                                     "printf -v 'a[$''(touch ran)]' y"])
def test_bash_really_runs_what_a_variable_subscript_holds(tmp_path, command: str) -> None:
    """Why ``test -v`` and ``printf -v`` are not read-only: bash runs the subscript."""
    subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, timeout=30)
    assert (tmp_path / "ran").exists()
    assert is_read_only(command) is False


def test_open_halt_denies_a_command_hidden_in_a_test_subscript(hooks: Hooks) -> None:
    signal = hooks.halt()
    marker = store.marker_path(hooks.home, hooks.project)
    reason = deny_reason(hooks.bash(f"test -v 'a[$''(rm -f {marker})]'"))
    assert signal.ref in reason or "PACT data folder" in reason
    assert os.path.exists(marker)


# ---- enforcement ------------------------------------------------------------------------

def test_no_halt_means_no_verdict_and_no_database(hooks: Hooks) -> None:
    assert hooks.bash("rm -rf build") is None
    assert hooks.tool("Write", {"file_path": "x.txt", "content": "hi"}) is None
    assert not os.path.exists(os.path.join(hooks.home, "pact.db"))


@pytest.mark.parametrize(("tool", "tool_input"), [
    ("Write", {"file_path": "a.txt", "content": "x"}),
    ("Edit", {"file_path": "a.txt", "old_string": "x", "new_string": "y"}),
    ("MultiEdit", {"file_path": "a.txt", "edits": []}),
    ("NotebookEdit", {"notebook_path": "n.ipynb", "new_source": "x"}),
    ("Agent", {"subagent_type": "PACT:pact-backend-coder", "prompt": "p", "description": "d"}),
    ("Bash", {"command": "touch x"}),
    ("Bash", {"command": "ls && npm install"}),
])
def test_open_halt_denies_changes(hooks: Hooks, tool: str, tool_input: dict) -> None:
    signal = hooks.halt(agent="PACT:pact-database-engineer")
    reason = deny_reason(hooks.tool(tool, tool_input))
    assert f"{signal.ref} HALT DATA (PACT:pact-database-engineer): drops customers" in reason
    assert f"`/PACT:resolve {signal.ref} <decision>`" in reason


def test_sql_too_long_to_judge_is_not_read_only_during_a_halt(hooks: Hooks) -> None:
    from pact_runtime.signals.readonly import MAX_READ_SQL

    hooks.halt()
    short = "SELECT 1; " * 10
    long = "SELECT 1; " * (MAX_READ_SQL // 10 + 1)
    assert hooks.bash(f'psql -c "{short}"') is None
    assert "Paused by PACT" in deny_reason(hooks.bash(f'psql -c "{long}"'))


def test_several_open_halts_are_named_and_resolved_in_one_decision(hooks: Hooks) -> None:
    first, second = hooks.halt("drops customers"), hooks.halt("grants all", category="SECURITY")
    reason = deny_reason(hooks.tool("Write", {"file_path": "a.txt", "content": "x"}))
    assert f"{first.ref} HALT DATA" in reason and f"{second.ref} HALT SECURITY" in reason
    assert f"`/PACT:resolve {first.ref} {second.ref} <decision>`" in reason
    hooks.prompt(f"/PACT:resolve {first.ref} {second.ref} keep both as they are")
    assert [s.status for s in hooks.signals()] == ["resolved", "resolved"]
    assert hooks.tool("Write", {"file_path": "a.txt", "content": "x"}) is None


@pytest.mark.parametrize("command", ["ls -la", "git status", "pact-signal list --open",
                                     "pact-memory search schema", "grep -rn x . | head"])
def test_open_halt_lets_read_only_commands_through(hooks: Hooks, command: str) -> None:
    hooks.halt()
    answer = hooks.bash(command) or {}
    assert answer.get("hookSpecificOutput", {}).get("permissionDecision") != "deny"


def test_halt_of_another_project_does_not_pause_this_one(hooks: Hooks) -> None:
    with closing(store.connect(hooks.home)) as conn:
        store.record(conn, hooks.home, project="/elsewhere", level="HALT", category="DATA",
                     reason="r")
    assert hooks.bash("touch x") is None


def test_stale_marker_is_checked_against_the_database(hooks: Hooks) -> None:
    hooks.halt()
    with closing(store.connect(hooks.home)) as conn:
        conn.execute("UPDATE signals SET status = 'resolved'")
    assert store.halt_marked(hooks.home, hooks.project)
    assert hooks.bash("touch x") is None


def test_unreadable_database_with_marker_fails_closed(hooks: Hooks) -> None:
    hooks.halt()
    with open(os.path.join(hooks.home, "pact.db"), "wb") as f:
        f.write(b"this is not a database" * 100)
    for name in ("pact.db-wal", "pact.db-shm"):
        path = os.path.join(hooks.home, name)
        if os.path.exists(path):
            os.remove(path)
    reason = deny_reason(hooks.bash("touch x"))
    assert "cannot be read" in reason and store.marker_path(hooks.home, hooks.project) in reason


@pytest.mark.parametrize("wipe", ["delete the file", "empty the table", "drop the table"])
def test_marker_with_no_halt_in_the_log_fails_closed(hooks: Hooks, wipe: str) -> None:
    hooks.halt()
    db = os.path.join(hooks.home, "pact.db")
    if wipe == "delete the file":
        for name in ("pact.db", "pact.db-wal", "pact.db-shm"):
            if os.path.exists(os.path.join(hooks.home, name)):
                os.remove(os.path.join(hooks.home, name))
    else:
        with closing(store.connect(hooks.home)) as conn:
            conn.execute("DELETE FROM signals" if wipe == "empty the table"
                         else "DROP TABLE signals")
            conn.commit()
    reason = deny_reason(hooks.bash("touch x"))
    assert "holds no HALT" in reason or "cannot be read" in reason
    assert store.marker_path(hooks.home, hooks.project) in reason
    assert hooks.bash("ls -la") is None  # reading still works
    assert os.path.exists(db) or wipe == "delete the file"


def test_descriptor_copy_to_a_file_cannot_wipe_the_log(hooks: Hooks) -> None:
    signal = hooks.halt()
    for command in ('echo -n >&"$PACT_HOME/pact.db"', f"echo -n >&{hooks.home}/pact.db",
                    f": &>{hooks.home}/pact.db"):
        assert "PACT data folder" in deny_reason(hooks.bash(command))
    assert signal.ref in deny_reason(hooks.bash("echo hi >&out.txt"))


def test_data_folder_is_protected_even_without_a_halt(hooks: Hooks) -> None:
    db = os.path.join(hooks.home, "pact.db")
    assert "PACT data folder" in deny_reason(hooks.tool("Write", {"file_path": db, "content": ""}))
    assert "PACT data folder" in deny_reason(hooks.bash(f"rm -rf {hooks.home}"))
    assert "PACT data folder" in deny_reason(hooks.bash('sqlite3 "$PACT_HOME/pact.db" .dump'))
    assert "PACT data folder" in deny_reason(hooks.bash("mv pact.db /tmp/"))
    assert hooks.bash(f"ls {hooks.home}") is None


def test_data_folder_named_from_home_with_a_tilde_is_protected(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    hooks = Hooks(str(tmp_path / ".claude" / "plugins" / "data" / "PACT-m"), str(tmp_path))
    assert "PACT data folder" in deny_reason(hooks.bash("rm -r ~/.claude/plugins/data/PACT-m"))


@pytest.fixture
def installed(tmp_path, monkeypatch) -> Hooks:
    """A data folder where the client puts it, ~/.claude/plugins/data/PACT-pact-marketplace."""
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "project").mkdir()
    home = tmp_path / ".claude" / "plugins" / "data" / "PACT-pact-marketplace"
    home.mkdir(parents=True)
    return Hooks(str(home), str(tmp_path / "project"))


@pytest.mark.parametrize("command", [
    "rm -rf ~/.claude/plugins/data", "rm -rf ~/.claude/plugins/data/PACT-*",
    "rm ~/.claude/plugins/data/*/pact.d?", "rm -rf ~/.claude/plugins/data/PACT-pact-market*/",
    "cd ~/.claude/plugins/data && rm -rf PACT-pact-marketplace",
    "cd ~/.claude/plugins && rm -rf data", "cd ~/.claude/plugins/data/PACT-pact-marketplace && "
    "rm -f halts/*", "cd ~ && rm -rf .claude", "rm -rf ~/.claude", "rm -rf ~", "rm -rf /",
    "rm -rf $HOME/.claude", "rm -rf ${HOME}/.claude/plugins",
    "rm -rf ~/.claude/plugins/{cache,data}",
    "rm -rf ~/.claude/plugins/data/PACT-pact-marketplace/../PACT-pact-marketplace",
    "mv ~/.claude/plugins/data /tmp/old", "mv ~/.claude ~/.claude.bak",
    "find ~/.claude -name '*.db' -delete", "chmod -R 000 ~/.claude/plugins",
    "sudo rm -rf ~/.claude", "git rm -r ~/.claude", "cd ~ && git clean -fdx",
    "sh -c 'rm -rf ~/.claude/plugins'", "echo $(rm -rf ~/.claude)",
    'cd "$WHERE" && rm -rf PACT-*',  # a cd that cannot be followed, then a glob that can reach
    'cd "$WHERE" && rm -rf data', "cd - && rm -rf .",
    "touch ~/.claude/plugins/data/PACT-pact-marketplace/halts/x",
    "cp fake.db ~/.claude/plugins/data/PACT-pact-marketplace/pact.db",
    "echo x > ~/.claude/plugins/data/PACT-*/pact.db",
])
def test_an_ancestor_or_a_glob_of_the_data_folder_is_protected(installed: Hooks,
                                                              command: str) -> None:
    assert "PACT data folder" in deny_reason(installed.bash(command))


@pytest.mark.parametrize("command", [
    "rm -rf build", "rm -rf ~/tmp/x", "cd ~ && rm -rf notes", "cp report.pdf ~/",
    "mv report.pdf ~/Documents/", "touch ~/.claude/settings.json", "ls ~/.claude/plugins/data",
    "find ~/.claude -name '*.json'", "cat ~/.claude/plugins/data/PACT-pact-marketplace/logs/x",
    'cd "$WHERE" && rm -rf build', 'rm -rf "$TMPDIR/build"', "git clean -fdx",
    "du -sh ~/.claude/plugins/data",
])
def test_other_paths_near_the_data_folder_are_not(installed: Hooks, command: str) -> None:
    assert installed.bash(command) is None


@pytest.mark.parametrize("command", ["ls -la", "rm -rf build", "cat src/*.py",
                                     "cd src && npm test", "git status"])
def test_ordinary_commands_are_judged_without_loading_the_command_reader(installed: Hooks,
                                                                        command: str) -> None:
    """Every Bash call runs this hook: the reader's ``re`` would cost it milliseconds."""
    scripts = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(store.__file__))))
    code = "import sys; from pact_runtime.dispatch import main; sys.exit(main())"
    raw = json.dumps({"session_id": "s1", "cwd": installed.project, "tool_name": "Bash",
                      "tool_input": {"command": command}}).encode()
    proc = subprocess.run([sys.executable, "-S", "-X", "importtime", "-c", code, "PreToolUse"],
                          input=raw, capture_output=True, cwd=scripts, timeout=60,
                          env={"PATH": os.environ["PATH"], "PYTHONPATH": scripts,
                               "HOME": os.environ["HOME"], **installed.env})
    assert proc.returncode == 0 and proc.stdout == b""
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.decode().splitlines()}
    assert not imported & {"pact_runtime.signals.shell", "pact_runtime.signals.readonly"}


def test_an_ancestor_delete_is_refused_during_a_halt_as_a_data_folder_change(
        installed: Hooks) -> None:
    installed.halt()
    assert "PACT data folder" in deny_reason(installed.bash("rm -rf ~/.claude/plugins/data"))
    assert os.path.isdir(installed.home)


def test_a_halt_deny_says_precisely_what_still_works(hooks: Hooks) -> None:
    from pact_runtime.signals.readonly import STILL_WORKS

    signal = hooks.halt()
    reason = deny_reason(hooks.bash("npm install"))
    assert STILL_WORKS in reason
    assert f"`/PACT:resolve {signal.ref} <decision>`" in reason
    for command in ("cd src && ls", "sed -n 1,20p f", "find . -name '*.py' | xargs grep TODO",
                    "env | grep PACT", "psql -c 'SELECT 1'"):
        assert hooks.bash(command) is None, command


@pytest.mark.parametrize("path", ["notes\x00.txt", "\x00", "a\x00/../../etc/passwd"])
def test_a_nul_in_the_path_is_denied_during_a_halt_not_a_crash(hooks: Hooks, path: str) -> None:
    signal = hooks.halt()
    for tool, key in (("Write", "file_path"), ("Edit", "file_path"),
                      ("NotebookEdit", "notebook_path")):
        assert signal.ref in deny_reason(hooks.tool(tool, {key: path, "content": "x"}))
    log = os.path.join(hooks.home, "logs", "pact.log")
    if os.path.exists(log):
        with open(log, encoding="utf-8") as f:
            assert "Traceback" not in f.read()


def test_a_nul_after_a_data_folder_path_is_still_the_data_folder(hooks: Hooks) -> None:
    path = os.path.join(hooks.home, "pact.db") + "\x00x"
    assert "PACT data folder" in deny_reason(hooks.tool("Write", {"file_path": path}))
    assert hooks.tool("Write", {"file_path": "notes\x00.txt"}) is None


@pytest.mark.parametrize("open_halt", [True, False])
def test_an_unreadable_marker_folder_leaves_the_database_to_decide(hooks: Hooks,
                                                                   open_halt: bool) -> None:
    if open_halt:
        hooks.halt()
    else:
        with closing(store.connect(hooks.home)):
            pass
    halts = os.path.join(hooks.home, "halts")
    shutil.rmtree(halts, ignore_errors=True)
    with open(halts, "w", encoding="utf-8") as f:  # not a folder: the marker cannot be read
        f.write("x")
    answer = hooks.tool("Write", {"file_path": "a.txt", "content": "x"})
    assert ("Paused by PACT" in deny_reason(answer)) if open_halt else answer is None


def test_a_locked_log_is_not_called_damaged(hooks: Hooks, monkeypatch) -> None:
    import sqlite3

    hooks.halt()

    def locked(home: str):
        try:
            raise sqlite3.OperationalError("database is locked")
        except sqlite3.OperationalError as exc:
            raise store.StoreError(f"the PACT database {home} is unreadable ({exc}); move it "
                                   "aside to start a new one") from exc

    monkeypatch.setattr(store, "connect", locked)
    reason = deny_reason(hooks.tool("Write", {"file_path": "a.txt", "content": "x"}))
    assert "(database is locked)" in reason and "aside" not in reason
    assert "Changes stay paused until it can be read again" in reason


def test_no_bash_command_can_resolve_a_halt(hooks: Hooks) -> None:
    signal = hooks.halt()
    for command in (f"pact-signal resolve {signal.ref} ok", f"pact-signal ack {signal.ref}"):
        hooks.bash(command)  # allowed to run: neither command can resolve
    from pact_runtime.signals.cli import main

    assert deny_reason(hooks.tool("Write", {"file_path": "a", "content": "x"}))
    assert main(["resolve", signal.ref, "ok"]) == 1
    assert [s.status for s in hooks.signals()] == ["open"]


# ---- resolution -------------------------------------------------------------------------

def test_user_prompt_resolves_with_the_users_words(hooks: Hooks) -> None:
    signal = hooks.halt()
    text = context(hooks.prompt(f"/PACT:resolve {signal.ref} approved after backup"),
                   "UserPromptSubmit")
    assert f'resolved {signal.ref} (HALT DATA: drops customers) with the decision: ' \
           '"approved after backup"' in text
    (after,) = hooks.signals()
    assert (after.status, after.resolution, after.resolved_by) == (
        "resolved", "approved after backup", "user")
    assert not store.halt_marked(hooks.home, hooks.project)
    assert hooks.bash("touch x") is None


def test_resolve_without_a_decision_resolves_nothing(hooks: Hooks) -> None:
    signal = hooks.halt()
    text = context(hooks.prompt(f"/PACT:resolve {signal.ref}"), "UserPromptSubmit")
    assert text.startswith(f"Signal {signal.ref} was not resolved: a decision is needed.")
    assert [s.status for s in hooks.signals()] == ["open"]


@pytest.mark.parametrize(("prompt", "start"), [
    ("/PACT:resolve", "Nothing was resolved"),
    ("/PACT:resolve banana ok", "Nothing was resolved"),
    ("/PACT:resolve S99 ok", "There is no signal S99 in this project"),
])
def test_resolve_with_a_bad_id(hooks: Hooks, prompt: str, start: str) -> None:
    hooks.halt()
    assert context(hooks.prompt(prompt), "UserPromptSubmit").startswith(start)
    assert [s.status for s in hooks.signals()] == ["open"]


def test_other_prompts_and_lookalikes_resolve_nothing(hooks: Hooks) -> None:
    signal = hooks.halt()
    for prompt in (f"please /PACT:resolve {signal.ref} ok", f"/pact:resolve {signal.ref} ok",
                   f"/PACT:resolved {signal.ref} ok"):
        hooks.prompt(prompt)
    assert [s.status for s in hooks.signals()] == ["open"]


def test_resolving_twice_says_when(hooks: Hooks) -> None:
    signal = hooks.halt()
    hooks.prompt(f"/PACT:resolve {signal.ref} go")
    text = context(hooks.prompt(f"/PACT:resolve {signal.ref} again"), "UserPromptSubmit")
    assert text.startswith(f"{signal.ref} was already resolved on ") and '"go"' in text


# ---- surfacing --------------------------------------------------------------------------

def test_open_signals_are_shown_at_session_start_and_every_prompt(hooks: Hooks) -> None:
    halt = hooks.halt(agent="PACT:pact-database-engineer", evidence="0042.sql:3")
    alert = hooks.halt("tests missing", level="ALERT", category="QUALITY")
    for answer, event in ((hooks.run("SessionStart", {"source": "startup"}), "SessionStart"),
                          (hooks.prompt("hello"), "UserPromptSubmit")):
        text = context(answer, event)
        assert (f"- {halt.ref} HALT DATA (PACT:pact-database-engineer): drops customers "
                "[evidence: 0042.sql:3]") in text
        assert f"- {alert.ref} ALERT QUALITY: tests missing" in text
        assert "`/PACT:resolve <id> <decision>`" in text
        assert answer is not None and answer["systemMessage"] == (
            f"PACT HALT {halt.ref} (DATA): drops customers - resolve with "
            f"/PACT:resolve {halt.ref} <decision>")


def test_nothing_is_shown_when_nothing_is_open(hooks: Hooks) -> None:
    assert hooks.prompt("hello") is None
    signal = hooks.halt()
    hooks.prompt(f"/PACT:resolve {signal.ref} fine")
    assert hooks.prompt("hello") is None


def test_acknowledged_alerts_are_not_shown_again(hooks: Hooks) -> None:
    alert = hooks.halt("tests missing", level="ALERT", category="QUALITY")
    assert alert.ref in context(hooks.prompt("hello"), "UserPromptSubmit")
    with closing(store.connect(hooks.home)) as conn:
        store.acknowledge(conn, hooks.home, alert)
    assert hooks.prompt("hello") is None
    start = hooks.run("SessionStart", {"source": "startup"})
    assert alert.ref not in json.dumps(start) and "waiting for the user" not in json.dumps(start)


def test_log_from_before_waiting_markers_is_still_shown(hooks: Hooks) -> None:
    alert = hooks.halt("tests missing", level="ALERT", category="QUALITY")
    shutil.rmtree(os.path.join(hooks.home, "waiting"))
    assert alert.ref in context(hooks.prompt("hello"), "UserPromptSubmit")
    assert store.waiting_marked(hooks.home, hooks.project) is True


def test_prompt_with_nothing_waiting_never_loads_sqlite(hooks: Hooks) -> None:
    """Every prompt runs this hook: with nothing waiting it must not pay for SQLite."""
    alert = hooks.halt("tests missing", level="ALERT", category="QUALITY")
    with closing(store.connect(hooks.home)) as conn:
        store.acknowledge(conn, hooks.home, alert)
    scripts = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(store.__file__))))
    code = "import sys; from pact_runtime.dispatch import main; sys.exit(main())"
    for prompt, loads_sqlite in (("hello", False), ("/PACT:resolve S1 fine", True)):
        raw = json.dumps({"session_id": "s1", "prompt": prompt}).encode()
        proc = subprocess.run([sys.executable, "-S", "-X", "importtime", "-c", code,
                               "UserPromptSubmit"], input=raw, capture_output=True, cwd=scripts,
                              timeout=60, env={"PATH": os.environ["PATH"],
                                               "PYTHONPATH": scripts, **hooks.env})
        assert proc.returncode == 0
        imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.decode().splitlines()}
        assert ("_sqlite3" in imported) is loads_sqlite, prompt


def test_post_agent_names_signals_raised_during_the_call_once(hooks: Hooks) -> None:
    signal = hooks.halt(agent="PACT:pact-database-engineer", agent_id="a1")
    payload = {"tool_name": "Agent", "tool_input": {}, "duration_ms": 4000,
               "tool_response": {"agentId": "a1", "status": "completed"}}
    answer = hooks.run("PostToolUse", payload)
    text = context(answer, "PostToolUse")
    assert text.startswith("PACT signals raised during this Agent call:\n- "
                           f"{signal.ref} HALT DATA (PACT:pact-database-engineer)")
    assert answer is not None and answer["systemMessage"] == (
        f"PACT HALT {signal.ref} (DATA): drops customers - resolve with "
        f"/PACT:resolve {signal.ref} <decision>")
    assert hooks.run("PostToolUse", payload) is None


# ---- handoff blocks ---------------------------------------------------------------------

HANDOFF = """Work done.

```pact-signal
level: HALT
category: DATA
reason: The migration drops the customers table,
  which holds production data.
evidence: migrations/0042_drop_customers.sql line 3
```

~~~pact-signal
level: alert
category: scope
reason: The task grew into a rewrite.
~~~

```pact-signal
level: ALERT
category: DATA
reason: wrong category for ALERT
```
"""


def test_signal_blocks_with_crlf_line_ends_are_read() -> None:
    from pact_runtime.signals.handoff import signal_blocks

    assert signal_blocks(HANDOFF.replace("\n", "\r\n")) == signal_blocks(HANDOFF)
    assert len(signal_blocks(HANDOFF.replace("\n", "\r"))) == 3


def test_signal_blocks_are_recorded_once_with_no_output(hooks: Hooks) -> None:
    payload = {"session_id": "s1", "agent_type": "PACT:pact-database-engineer",
               "agent_id": "a9", "last_assistant_message": HANDOFF, "stop_hook_active": True}
    assert hooks.run("SubagentStop", payload) is None
    assert hooks.run("SubagentStop", payload) is None  # sent back and repeated: not twice
    recorded = [(s.level, s.category, s.reason, s.evidence, s.agent, s.agent_id, s.source)
                for s in hooks.signals()]
    assert recorded == [
        ("HALT", "DATA", "The migration drops the customers table, which holds production data.",
         "migrations/0042_drop_customers.sql line 3", "PACT:pact-database-engineer", "a9",
         "handoff"),
        ("ALERT", "SCOPE", "The task grew into a rewrite.", "", "PACT:pact-database-engineer",
         "a9", "handoff")]
    assert store.halt_marked(hooks.home, hooks.project)


def test_a_lone_surrogate_in_one_block_loses_no_block(hooks: Hooks) -> None:
    # \ud800 is valid JSON but not UTF-8: it must not fail the insert and drop the HALTs.
    message = ("```pact-signal\nlevel: ALERT\ncategory: QUALITY\nreason: fine\n```\n"
               "```pact-signal\nlevel: HALT\ncategory: DATA\nreason: drops prod\n"
               "evidence: x \ud800\n```\n"
               "```pact-signal\nlevel: HALT\ncategory: SECURITY\nreason: leaks \udcff a key\n```\n")
    raw = json.dumps({"session_id": "s\ud800", "agent_type": "PACT:pact-backend-coder",
                      "agent_id": "a\udc80", "last_assistant_message": message,
                      "stop_hook_active": True}).encode()

    assert hooks.run("SubagentStop", raw) is None

    assert [(s.level, s.reason, s.evidence, s.session, s.agent_id) for s in hooks.signals()] == [
        ("ALERT", "fine", "", "s\ufffd", "a\ufffd"),
        ("HALT", "drops prod", "x \ufffd", "s\ufffd", "a\ufffd"),
        ("HALT", "leaks \ufffd a key", "", "s\ufffd", "a\ufffd")]
    assert store.halt_marked(hooks.home, hooks.project)
    assert deny_reason(hooks.tool("Write", {"file_path": "x.txt", "content": "x"}))


def test_the_guard_records_its_halt_when_the_call_holds_a_lone_surrogate(hooks: Hooks) -> None:
    raw = json.dumps({"session_id": "s\ud800", "tool_name": "Bash",
                      "tool_input": {"command": 'psql -c "DROP TABLE t" # \udcff'}}).encode()

    reason = deny_reason(hooks.run("PreToolUse", raw))

    assert reason.startswith("PACT guard raised HALT S1 (DATA): DROP TABLE")
    [signal] = hooks.signals()
    assert (signal.level, signal.session) == ("HALT", "s\ufffd")
    assert "\ufffd" in signal.evidence


# ---- bad input --------------------------------------------------------------------------

BAD_INPUTS = [b"", b"not json", b"\xef\xbb\xbf{}", b"\xff\xfe\x00garbage", b"[1, 2]", b"{}",
              b'{"tool_name": 5, "tool_input": "x", "prompt": null}',
              b'{"tool_name": "Bash", "tool_input": {"command": 7}}',
              b'{"tool_name": "Write", "tool_input": {"file_path": null, "content": ["x"]}}',
              b'{"tool_name": "MultiEdit", "tool_input": {"edits": [1, {"new_string": 2}]}}',
              b'{"tool_name": "Agent", "tool_response": "x", "duration_ms": "slow"}',
              b'{"agent_type": 3, "last_assistant_message": {"a": 1}, "stop_hook_active": "x"}']
EVENTS = ["SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "SubagentStop"]


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("raw", BAD_INPUTS)
def test_bad_input_neither_crashes_nor_blocks(hooks: Hooks, event: str, raw: bytes) -> None:
    answer = hooks.run(event, raw)
    assert answer is None or "deny" not in json.dumps(answer)
    log = os.path.join(hooks.home, "logs", "pact.log")
    if os.path.exists(log):
        with open(log, encoding="utf-8") as f:
            assert "Traceback" not in f.read()


@pytest.mark.parametrize("event", EVENTS)
def test_bad_input_by_subprocess_under_python_S(hooks: Hooks, event: str) -> None:
    scripts = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(store.__file__))))
    code = "import sys; from pact_runtime.dispatch import main; sys.exit(main())"
    hooks.halt()  # the worst case: a HALT is open
    for raw in (b"", b"{oops", b"\xef\xbb\xbf{}", b"\xff\xfe\x80", b'{"tool_name": "Bash"}'):
        proc = subprocess.run([sys.executable, "-S", "-c", code, event], input=raw,
                              capture_output=True, cwd=scripts, timeout=60,
                              env={"PATH": os.environ["PATH"], "PYTHONPATH": scripts,
                                   **hooks.env})
        assert (proc.returncode, proc.stderr) == (0, b"")
        assert b"deny" not in proc.stdout and b'"block"' not in proc.stdout


@pytest.mark.parametrize("event", EVENTS)
def test_ten_megabyte_payload(hooks: Hooks, event: str) -> None:
    big = "x" * (10 * 1024 * 1024)
    payload = {"tool_name": "Bash", "tool_input": {"command": "echo " + big}, "prompt": big,
               "last_assistant_message": big, "agent_type": "other"}
    answer = hooks.run(event, payload)
    assert answer is None or "deny" not in json.dumps(answer)


# ---- bad input, handler by handler ------------------------------------------------------

def _handler_cases():
    from pact_runtime.registry import HANDLERS

    for handler in HANDLERS:
        for tool in handler.tools or ("",):
            yield pytest.param(handler, tool, id=f"{handler.target}-{tool or handler.event}")


HANDOFF_PARTS = ("### Produced files\nNone\n### Key decisions\nNone\n### Areas of uncertainty\n"
                 "None\n### Integration points\nNone\n### Open questions\nNone\n")


def _payloads(event: str, tool: str) -> list[bytes]:
    """Empty, invalid, BOM, non-UTF-8, missing and mistyped fields, 10 MB: as the client
    might send them to ``event`` for ``tool``."""
    base = {"session_id": "s1", "hook_event_name": event, "tool_name": tool}
    big = "x" * (10 * 1024 * 1024)
    full = {**base, "tool_input": {"command": "ls " + big, "file_path": "a.txt",
                                   "content": big, "new_string": big,
                                   "edits": [{"new_string": big}], "prompt": big},
            "tool_response": {"agentId": "a1", "content": [{"type": "text", "text": big}]},
            "duration_ms": 10, "prompt": big, "last_assistant_message": big,
            "agent_type": "other", "source": "startup"}
    specialist = {**base, "agent_type": "PACT:pact-backend-coder",
                  "last_assistant_message": HANDOFF_PARTS + big}
    return [b"", b"not json", b"\xef\xbb\xbf", b"\xef\xbb\xbf" + json.dumps(base).encode(),
            b"\xff\xfe\x00garbage", b"\xef\xbb\xbf\xff{", json.dumps(base).encode()[:-1] +
            b', "prompt": "\xff\xfe", "last_assistant_message": "\xc3("}', b"{}",
            json.dumps({**base, "tool_input": None, "tool_response": 3, "prompt": []}).encode(),
            json.dumps({**base, "tool_input": {"command": None, "file_path": 1, "edits": "x",
                                               "content": {"a": 1}}}).encode(),
            json.dumps(full).encode(), json.dumps(specialist).encode()]


@pytest.mark.parametrize(("handler", "tool"), list(_handler_cases()))
def test_each_handler_survives_bad_input_without_blocking(hooks: Hooks, handler, tool) -> None:
    from pact_runtime.hook import Event, Outcome

    run = dispatch._load(handler.target)
    for raw in _payloads(handler.event, tool):
        data = dispatch.parse(raw)
        if data is None:  # the dispatcher runs no handler, writes nothing and exits 0
            out = io.BytesIO()
            assert dispatch.main([handler.event], raw, hooks.env, out) == 0
            assert out.getvalue() == b""
            continue
        outcome = run(Event(handler.event, data, hooks.env))
        assert outcome is None or isinstance(outcome, Outcome)
        assert outcome is None or not (outcome.deny or outcome.block), (raw[:80], outcome)


@pytest.mark.parametrize(("handler", "tool"), list(_handler_cases()))
def test_each_handler_says_whether_it_fails_open_or_closed(handler, tool) -> None:
    import inspect

    run = dispatch._load(handler.target)
    texts = [inspect.getdoc(run) or "", sys.modules[run.__module__].__doc__ or ""]
    assert any("fails open" in t.lower() or "fails closed" in t.lower() for t in texts)


@pytest.mark.parametrize("tool", ["CronCreate", "ScheduleWakeup"])
def test_a_scheduled_prompt_may_not_carry_the_resolve_command(hooks: Hooks, tool: str) -> None:
    """A scheduled prompt arrives as if typed: it must not resolve a HALT for the model."""
    from pact_runtime.hook import Event
    from pact_runtime.signals.enforce import on_pre_tool_use

    def call(prompt: str):
        data = {"tool_name": tool, "tool_input": {"cron": "* * * * *", "prompt": prompt}}
        return on_pre_tool_use(Event("PreToolUse", data, hooks.env))

    outcome = call("/PACT:resolve S1 approved")
    assert outcome is not None and outcome.deny.startswith("Only the user resolves a PACT signal")
    assert call("check the build") is None  # nothing open, nothing to resolve
    hooks.halt()
    paused = call("check the build")
    assert paused is not None and "Paused by PACT: HALT open (S1" in paused.deny


@pytest.mark.parametrize(("tool", "tool_input"), [
    ("Workflow", {"name": "review"}),
    ("SendMessage", {"to": "a1", "summary": "go on", "message": "carry on"}),
])
def test_open_halt_pauses_workflows_and_resumed_agents(hooks: Hooks, tool: str,
                                                      tool_input: dict) -> None:
    from pact_runtime.hook import Event
    from pact_runtime.signals.enforce import on_pre_tool_use

    hooks.halt()
    data = {"tool_name": tool, "tool_input": tool_input}
    outcome = on_pre_tool_use(Event("PreToolUse", data, hooks.env))
    assert outcome is not None and "Paused by PACT" in outcome.deny
