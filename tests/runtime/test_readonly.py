"""Read-only judgement of Bash commands: the forms that write or run code hidden in
option clusters, sed labels, brace expansion, computed words, PRAGMA calls, lesskey
input and quoted punctuation, and the harmless forms that must still pass.

Where the program is installed, the refused form is also run for real in a throwaway
folder to show it writes or runs what the verdict says.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from pact_runtime.signals.readonly import is_read_only


@pytest.mark.parametrize(("command", "expected"), [
    # option clusters carry a writing or running letter (#1, #2 and siblings)
    ("git grep -iO'touch pwn' hello", False), ("git grep -nO'sh' x", False),
    ("git grep -lOvi x", False), ("git grep -O'touch x' hello", False),
    ("git grep --open-files-in-pager=sh x", False), ("git grep --open x", False),
    ("git grep -n foo", True), ("git grep -in foo -- src", True), ("git grep -c TODO", True),
    ("tree -ao out.txt", False), ("tree -do tree.txt", False), ("tree -Jo out.json", False),
    ("tree -aR -H . x", False), ("tree --output=x", False), ("tree --out x", False),
    ("tree -L 2", True), ("tree -a -L 2 src", True), ("tree -J", True),
    ("sort -uo out f", False), ("sort -o out f", False), ("sort --outp=x f", False),
    ("sort -to f", True), ("sort -k2 -t, f", True), ("sort -rn f", True),
    ("date -us 2020-01-01", False), ("date -s 2020-01-01", False), ("date -Iseconds", True),
    ("date -u +%s", True), ("date -d yesterday +%F", True),
    ("file -zC -m x", False), ("file -b f", True),
    ("less -So out f", False), ("less -NO out f", False), ("less -k keys f", False),
    ("less -Nk keys f", False), ("less --lesskey-src=/dev/stdin f", False),
    ("less --lesskey-src /dev/stdin f", False), ("less --lesskey-file=k f", False),
    ("less --lesskey-content=x f", False), ("less --lessk=k f", False),
    ("less --lesskey-src=/dev/stdin a.txt <<'EOF'\n#env\nLESSOPEN=|touch pwn; cat %s\nEOF",
     False),
    ("LESSOPEN='|touch pwn; cat %s' less a.txt", False),
    ("env LESSOPEN='|touch pwn; cat %s' less a.txt", False),
    ("less -N f", True), ("more f", True),
    # sed: a label ends at whitespace, the next command follows (#3)
    ("sed ':x e touch f' a.txt", False), ("sed -n ':a w out' a.txt", False),
    ("sed -n 'b end w /tmp/x' a.txt", False), ("sed 't x e ls' a.txt", False),
    ("sed 'T x\te ls' a.txt", False), ("sed 'v 4.2 e ls' a.txt", False),
    ("sed ':x\tw out' a.txt", False), ("sed -n ': x w out' a.txt", False),
    ("sed -n ':a;N;$!ba;p' f", True), ("sed ':x s/a/b/;tx' f", True),
    ("sed -n '/x/p' f", True), ("sed -e :a -e '$!N;ba' f", True),
    ("sed -n 'b end;p;:end' f", True), ("sed 'bend' f", True),
    # brace expansion: the words bash runs (#4)
    ("sed -e s/a/b/ {-i,f}", False), ("find . -{delete,print}", False),
    ("find . -name 'zz*' -{delete,print}", False), ("sort f {-o,out}", False),
    ("sort a.txt {-o,pwn}", False), ("git log {--output=x,-1}", False),
    ("git grep {-O'touch x',bye}", False), ("date {-s,2020-01-01}", False),
    ("{rm,-rf,DIR}", False), ("{cat,-}", True), ("tree {-a,-o,x}", False),
    ("sed -n {1,2}p f", True), ("cat {a,b}.txt", True), ("ls src/{a,b}", True),
    ("find . -name '*.py' -exec grep -n TODO {} +", True), ("echo {1..3}", True),
    ("echo {1..100000000}", False),  # too many words to judge
    # computed words as options or code (#6)
    ("true -i; sed -e s/hello/bye/ $_ a.txt", False),
    ("echo '-Otouch x' >/dev/null; git grep \"$_\" hello", False),
    ("sed -e s/x/y/ $X a.txt", False), ("sed -n \"${N}p\" f", False),
    ("sed -n 1p \"src/$F\"", False),  # a sed operand could be the script
    ("sort \"$X\" f", False), ("sort f $X", False), ("sort -\"$X\" f", False),
    ("sort f \"a$X\"", True), ("git log -- \"src/$F\"", True), ("git log $REF", False),
    ("find . -name \"$N\"", False), ("find $D -print", False), ("env $X", False),
    ("xargs $X < f", False), ("awk \"$P\" f", False), ("pact-memory \"$X\"", False),
    ("pact-memory \"f$X\" m-1", False), ("test -n \"$X\"", False), ("[ \"$A\" \"$B\" ]", False),
    ("psql -c \"SELECT $X\"", False), ("sqlite3 app.db \"SELECT $X\"", False),
    # a connection quoted whole from the session's environment is the user's setting
    ('psql "$DATABASE_URL" -c "SELECT 1"', True), ('psql -d "${DATABASE_URL}" -c "SELECT 1"', True),
    ('X=-o/tmp/x; psql "$X" -c "SELECT 1"', False), ('psql $DATABASE_URL -c "SELECT 1"', False),
    ('export D=-o/x; psql "$D" -c "SELECT 1"', False), ('psql "$A$B" -c "SELECT 1"', False),
    ('psql "$DATABASE_URL" -c "DELETE FROM t"', False),
    ("rg $X src", False), ("rg \"$X\" src", False), ("rg -n TODO ~-", False),
    ("sort f ~+", False), ("sort f ~/x", True),
    ("cat \"$FILE\"", True), ("cat $_", True), ("grep -n \"$X\" f", True),
    ("head -n 5 \"$HOME/x\"", True), ("ls ~-", True),
    ("awk \"{print \\$1}\" f", True), ("awk \"{print $1}\" f", False),
    ("sed -n \"\\$p\" f", True), ("sed -n '$p' f", True),
    # globs that can begin with `-` (a file named `-o.txt` makes `sort -o.txt`)
    ("sort *.txt", False), ("sed -n p -*", False), ("git diff -- *.py", False),
    ("sort src/*.txt", True), ("ls *.py", True), ("grep -n TODO *.py", True),
    ("sed -n 1p src/*.py", True),
    # quoted punctuation is a word (N1)
    ("grep -n '>' a.txt", True), ("grep -c '|' a.txt", True), ("grep -n '&&' a.txt", True),
    ("rg -n '(' src", True), ("grep -n \\; f", True), ("grep -n '{' f", True),
    ("echo hi > ';'", False), ("cat a.txt > '|'", False), ("echo x >\\&", False),
    # pact-memory: only the commands that read or save
    ("pact-memory --json forget m-1", False), ("pact-memory forget m-1", False),
    ("pact-memory pin m-1", False), ("pact-memory list --json", True),
    ("pact-memory search cache", True), ("pact-memory", True),
    # uniq writes its second operand, `--` or not
    ("uniq -- -x out", False), ("uniq a b", False), ("uniq -c a", True),
])
def test_read_only_verdicts(command: str, expected: bool) -> None:
    assert is_read_only(command) is expected


@pytest.fixture
def app_db(tmp_path: Path) -> str:
    with closing(sqlite3.connect(tmp_path / "app.db")) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
        conn.execute("CREATE INDEX users_id ON users (id)")
    return str(tmp_path)


@pytest.mark.parametrize(("sql", "expected"), [
    # the call form sets the value for status pragmas (#11)
    ("PRAGMA user_version(7)", False), ("PRAGMA journal_mode(WAL)", False),
    ("PRAGMA schema_version(1)", False), ("PRAGMA main.application_id(42)", False),
    ("PRAGMA page_size(1024)", False), ("PRAGMA encoding('UTF-16')", False),
    ("PRAGMA main.user_version (7)", False), ("PRAGMA user_version = 7", False),
    ("PRAGMA journal_mode=WAL", False), ("PRAGMA wal_checkpoint(TRUNCATE)", False),
    ("PRAGMA optimize", False),
    # bare status pragmas and the call form of those that name what to read
    ("PRAGMA user_version", True), ("PRAGMA main.journal_mode", True),
    ("PRAGMA schema_version", True), ("PRAGMA application_id", True),
    ("PRAGMA table_info(users)", True), ("PRAGMA main.table_info(users)", True),
    ("PRAGMA table_info('users')", True), ("PRAGMA table_xinfo(users)", True),
    ("PRAGMA index_list(users)", True), ("PRAGMA index_info(users_id)", True),
    ("PRAGMA index_xinfo(users_id)", True), ("PRAGMA foreign_key_list(users)", True),
    ("PRAGMA foreign_key_check(users)", True), ("PRAGMA integrity_check(10)", True),
    ("PRAGMA quick_check", True), ("PRAGMA table_list(users)", True),
])
def test_sqlite_pragmas(app_db: str, sql: str, expected: bool) -> None:
    assert is_read_only(f"sqlite3 app.db '{sql}'", app_db) is expected


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="no sqlite3")
@pytest.mark.parametrize(("sql", "pragma", "value"), [
    ("PRAGMA user_version(7)", "user_version", 7),
    ("PRAGMA main.application_id(42)", "application_id", 42),
    ("PRAGMA journal_mode(WAL)", "journal_mode", "wal"),
])
def test_sqlite_really_sets_what_the_call_form_names(app_db: str, sql: str, pragma: str,
                                                     value: object) -> None:
    subprocess.run(["sqlite3", "app.db", sql], cwd=app_db, capture_output=True, timeout=30)
    with closing(sqlite3.connect(os.path.join(app_db, "app.db"))) as conn:
        assert conn.execute(f"PRAGMA {pragma}").fetchone()[0] == value
    assert is_read_only(f"sqlite3 app.db '{sql}'", app_db) is False


def _bash(command: str, cwd: str) -> None:
    subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, timeout=30,
                   stdin=subprocess.DEVNULL, env={"PATH": os.environ["PATH"], "HOME": cwd})


@pytest.fixture
def repo(tmp_path: Path) -> str:
    (tmp_path / "a.txt").write_text("hello TODO\n")
    if shutil.which("git"):
        _bash("git init -q . && git add a.txt", str(tmp_path))
    return str(tmp_path)


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
@pytest.mark.parametrize(("command", "program"), [
    ("git grep -iO'touch pwn;true' hello", "git"),
    ("tree -ao pwn", "tree"),
    ("sed -n ':x e touch pwn' a.txt", "sed"),
    ("sed -n 'b end w pwn' a.txt", "sed"),
    ("sort a.txt {-o,pwn}", "sort"),
    ("find . -name a.txt -{print,fprint} pwn", "find"),
    ("true -o; sort a.txt $_ pwn", "sort"),
    ("less --lesskey-src=/dev/stdin a.txt <<'EOF'\n#env\nLESSOPEN=|touch pwn; cat %s\nEOF",
     "less"),
])
def test_what_is_refused_really_writes_or_runs(repo: str, command: str, program: str) -> None:
    if shutil.which(program) is None:
        pytest.skip(f"no {program}")
    _bash(command, repo)
    assert os.path.exists(os.path.join(repo, "pwn"))
    assert is_read_only(command, repo) is False


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("sed") is None,
                    reason="no bash or sed")
@pytest.mark.parametrize("command", ["sed -e s/hello/bye/ {-i,a.txt}",
                                     "true -i; sed -e s/hello/bye/ $_ a.txt"])
def test_sed_really_edits_in_place_through_braces_and_dollar_underscore(
        repo: str, command: str) -> None:
    _bash(command, repo)
    with open(os.path.join(repo, "a.txt"), encoding="utf-8") as f:
        assert f.read() == "bye TODO\n"
    assert is_read_only(command, repo) is False


def test_the_reader_gives_every_consumer_the_expanded_words() -> None:
    """The guard and enforcement read the same words: `{rm,-rf,x}` is rm."""
    from pact_runtime.signals import shell

    (cmd,) = shell.parse("{rm,-rf,DIR}").commands
    assert cmd.words == ["rm", "-rf", "DIR"]
