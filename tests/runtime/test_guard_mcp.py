"""The guard on MCP server tools: SQL sent to a database server's tool is judged like psql's."""

from __future__ import annotations

import json

import pytest
from pact_runtime.signals.mcp import sql_in_tool_input

from .test_signals_hooks import Hooks, context, deny_reason

SQL_TOOL = "mcp__testdb__execute_sql"
DROP = {"query": "DROP TABLE customers"}


@pytest.fixture
def hooks(tmp_path) -> Hooks:
    (tmp_path / "project").mkdir()
    return Hooks(str(tmp_path / "data"), str(tmp_path / "project"))


def _reason(hooks: Hooks, tool: str, tool_input: dict) -> str:
    """The deny reason for the call, or "" after checking it ran and opened no signal."""
    answer = hooks.tool(tool, tool_input)
    if answer is None:
        assert hooks.signals() == []
        return ""
    return deny_reason(answer)


# (tool, tool_input, what the deny names after "HALT S1 (…): ", or None when the call runs)
CASES = [
    # Database servers' tools, as their servers name them.
    (SQL_TOOL, DROP, "(DATA): DROP TABLE: `DROP TABLE customers`"),
    ("mcp__supabase__execute_sql", {"project_id": "abc", "query": "delete from orders"},
     "(DATA): DELETE without WHERE: `delete from orders`"),
    ("mcp__postgres__query", {"sql": "TRUNCATE users"}, "(DATA): TRUNCATE: `TRUNCATE users`"),
    ("mcp__sqlite__write_query", {"query": "UPDATE users SET admin = 1"},
     "(DATA): UPDATE without WHERE: `UPDATE users SET admin = 1`"),
    ("mcp__neon__run_sql_transaction", {"sqlStatements": ["BEGIN", "DROP TABLE a", "COMMIT"]},
     "(DATA): DROP TABLE: `DROP TABLE a`"),
    ("mcp__mydb__run", {"statements": [{"text": "ALTER TABLE t DROP COLUMN email"}]},
     "(DATA): ALTER TABLE … DROP COLUMN: `ALTER TABLE t DROP COLUMN email`"),
    ("mcp__mysql__execute", {"query": "GRANT ALL PRIVILEGES ON shop.* TO 'app'@'%'"},
     "(SECURITY): GRANT ALL: `GRANT ALL PRIVILEGES ON shop.* TO 'app'@'%'`"),
    ("mcp__cloudflare__d1_database_query", {"databaseId": "d", "sql": "DELETE FROM kv"},
     "(DATA): DELETE without WHERE: `DELETE FROM kv`"),
    ("mcp__plugin_shop_pg__queryDatabase", {"query": "drop schema public cascade"},
     "(DATA): DROP SCHEMA: `drop schema public cascade`"),
    # A field named for SQL is SQL whatever the server.
    ("mcp__notes__run", {"sql": "DROP TABLE notes"}, "(DATA): DROP TABLE: `DROP TABLE notes`"),
    # Safe SQL, SQL only mentioned, and decoys.
    (SQL_TOOL, {"query": "SELECT * FROM deleted_items"}, None),
    (SQL_TOOL, {"query": "DELETE FROM sessions WHERE expires_at < now()"}, None),
    (SQL_TOOL, {"query": "UPDATE users SET name = 'x' WHERE id = 7"}, None),
    (SQL_TOOL, {"query": "-- DROP TABLE customers\nSELECT 1"}, None),
    (SQL_TOOL, {"query": "SELECT 'DROP TABLE customers' AS note"}, None),
    (SQL_TOOL, {"query": "CREATE TEMP TABLE s (x int); DROP TABLE s"}, None),
    (SQL_TOOL, {"query": ""}, None),
    (SQL_TOOL, {"query": 5}, None),
    (SQL_TOOL, {}, None),
    # Tools that are not a database's: their query or text is words, not SQL.
    ("mcp__github__search_issues", {"query": "drop table bug"}, None),
    ("mcp__slack__post_message", {"channel": "c", "text": "DROP TABLE customers"}, None),
    ("mcp__linear__create_issue", {"description": "we should TRUNCATE logs", "command": "x"},
     None),
    ("mcp__brave__web_search", {"query": "delete from table sql"}, None),
    # Tools that only read SQL run none of it; EXPLAIN ANALYZE does run it.
    ("mcp__postgres__explain_query", {"sql": "DELETE FROM sessions", "analyze": False}, None),
    ("mcp__postgres__explain_query", {"sql": "DELETE FROM sessions", "analyze": True},
     "(DATA): DELETE without WHERE: `DELETE FROM sessions`"),
    ("mcp__postgres__analyze_query_indexes", {"queries": ["UPDATE t SET a = 1"]}, None),
    ("mcp__sqlfluff__lint", {"sql": "DROP TABLE x"}, None),
    ("mcp__sqlfluff__format_sql", {"sql": "drop table x"}, None),
    # Shell servers run their command line as Bash would.
    ("mcp__desktop-commander__execute_command", {"command": "psql -c 'DROP TABLE users'"},
     "(DATA): DROP TABLE: `DROP TABLE users`"),
    ("mcp__shell__run_command", {"command": "psql -c 'TRUNCATE users'"},
     "(DATA): TRUNCATE: `TRUNCATE users`"),
    ("mcp__terminal__exec", {"cmd": "npx prisma migrate reset --force"},
     "(DATA): database reset: `prisma migrate reset --force`"),
    ("mcp__desktop-commander__execute_command", {"command": "ls -la"}, None),
    # A tool whose own name drops or empties a database.
    ("mcp__prisma__migrate-reset", {"projectCWD": "/srv/app"},
     "(DATA): database reset: `mcp__prisma__migrate-reset`"),
    ("mcp__mongodb__drop-database", {"database": "app"},
     "(DATA): database reset: `mcp__mongodb__drop-database`"),
    ("mcp__mongodb__drop-collection", {"database": "app", "collection": "users"},
     "(DATA): database reset: `mcp__mongodb__drop-collection`"),
    ("mcp__redis__flushall", {}, "(DATA): database reset: `mcp__redis__flushall`"),
    ("mcp__mongodb__find", {"database": "app", "collection": "users"}, None),
    ("mcp__linear__delete_issue", {"id": "x"}, None),
    ("mcp__github__create_issue", {"title": "drop database", "body": "reset the db"}, None),
]


@pytest.mark.parametrize(("tool", "tool_input", "verdict"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_mcp_sql_verdicts(hooks: Hooks, tool: str, tool_input: dict,
                          verdict: str | None) -> None:
    reason = _reason(hooks, tool, tool_input)
    if verdict is None:
        assert reason == ""
        return
    assert reason.startswith(f"PACT guard raised HALT S1 {verdict}. This call was not run"), \
        reason
    (signal,) = hooks.signals()
    assert (signal.level, signal.source) == ("HALT", "guard")
    assert signal.reason.startswith(f"The guard stopped a call to the MCP tool {tool}: ")


def test_the_halt_names_the_tool_and_the_sql_redacted(hooks: Hooks) -> None:
    key = "AKIA" + "UJZDEGXDNCF32EPF"
    sql = f"DELETE FROM creds; -- was {key}"
    hooks.tool(SQL_TOOL, {"query": sql}, agent_type="PACT:pact-database-engineer")
    (signal,) = hooks.signals()
    assert signal.agent == "PACT:pact-database-engineer"
    assert signal.evidence.startswith(f"{SQL_TOOL} DELETE FROM creds; -- was ")
    assert key not in signal.evidence


def test_a_retry_reuses_the_open_halt_and_an_approval_lets_it_run_once(hooks: Hooks) -> None:
    hooks.tool(SQL_TOOL, DROP)
    again = deny_reason(hooks.tool(SQL_TOOL, DROP))
    assert again.startswith("Paused by PACT: HALT open (S1 HALT DATA")
    assert "PACT guard: this call would again do what HALT S1 stopped" in again
    assert len(hooks.signals()) == 1

    hooks.prompt("/PACT:resolve S1 approved, the backup is done")
    answer = hooks.tool(SQL_TOOL, DROP)
    assert "deny" not in json.dumps(answer)
    assert context(answer, "PreToolUse").startswith("PACT guard: the user's approval in S1")
    # Another statement is not covered, and the used approval does not cover a repeat.
    assert "HALT S2" in deny_reason(hooks.tool(SQL_TOOL, {"query": "DROP TABLE orders"}))


@pytest.mark.parametrize(("tool", "tool_input", "expected"), [
    ("mcp__supabase__execute_sql", {"query": "x"}, [("x", "postgres")]),
    ("mcp__planetscale__run", {"statement": "x"}, [("x", "mysql")]),
    ("mcp__turso__query", {"sql": "x"}, [("x", "sqlite")]),
    ("mcp__warehouse__bigquery_run", {"query": "x"}, [("x", "bigquery")]),
    ("mcp__testdb__execute_sql", {"query": "x"}, [("x", None)]),
    ("mcp__testdb__execute_sql", {"query": "  "}, []),
    ("mcp__db__batch", {"queries": ["a", {"sql": "b"}, 3, None]}, [("a", None), ("b", None)]),
    ("mcp__search__find", {"query": "x", "filter": {"sql": "y"}}, [("y", None)]),
    ("mcp__search__find", {"query": "x"}, []),
    ("Bash", {"sql": "x"}, []),
    ("mcp__db__deep", {"a": {"b": {"c": {"d": {"sql": "x"}}}}}, []),
    ("mcp__db__deep", {"a": {"b": {"c": {"sql": "x"}}}}, [("x", None)]),
])
def test_which_arguments_are_sql(tool: str, tool_input: dict, expected: list) -> None:
    assert sql_in_tool_input(tool, tool_input) == expected


def test_at_most_max_texts_are_read_from_one_call() -> None:
    from pact_runtime.signals.mcp import MAX_TEXTS

    found = sql_in_tool_input(SQL_TOOL, {"statements": [f"SELECT {i}" for i in range(500)]})
    assert len(found) == MAX_TEXTS


AWS = "AKIA" + "UJZDEGXDNCF32EPF"
GITHUB = "ghp_" + "R3xq8ZkV2mW9pLs4TnY7bC1dF6hJ0aE5uQiO"

# (tool, tool_input, what the deny names, or None when the call runs)
WRITES = [
    ("mcp__filesystem__write_file", {"path": "/srv/app/.env", "content": f"AWS_KEY={AWS}\n"},
     "(SECURITY): plain-text secret (aws-access-key) written to /srv/app/.env"),
    ("mcp__filesystem__edit_file",
     {"path": "config.py", "edits": [{"oldText": "TOKEN = ''", "newText": f"TOKEN = '{GITHUB}'"}],
      "dryRun": False},
     "(SECURITY): plain-text secret (github-token) written to config.py"),
    ("mcp__github__create_or_update_file",
     {"owner": "o", "repo": "r", "path": "deploy/settings.yml", "content": f"key: {AWS}\n",
      "message": "settings", "branch": "main"},
     "(SECURITY): plain-text secret (aws-access-key) written to deploy/settings.yml"),
    ("mcp__github__push_files",
     {"owner": "o", "repo": "r", "branch": "main", "message": "m",
      "files": [{"path": "README.md", "content": "# Shop\n"},
                {"path": "db/migrations/002_drop.sql", "content": "DROP TABLE customers;\n"}]},
     "(DATA): DROP TABLE in db/migrations/002_drop.sql"),
    # Placeholders, test data and ordinary text are written freely.
    ("mcp__filesystem__write_file",
     {"path": ".env.example",
      "content": "API_KEY=changeme\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"},
     None),
    ("mcp__filesystem__write_file",
     {"path": "tests/conftest.py",
      "content": "DATABASE_URL = 'postgres://app:testpass@localhost/t'\n"},
     None),
    ("mcp__filesystem__write_file", {"path": "notes.md", "content": "Drop table customers later."},
     None),
    ("mcp__editor__str_replace_based_edit_tool",
     {"command": "create", "path": "/srv/app/.env", "file_text": f"AWS_KEY={AWS}\n"},
     "(SECURITY): plain-text secret (aws-access-key) written to /srv/app/.env"),
    ("mcp__editor__str_replace_based_edit_tool",
     {"command": "str_replace", "path": "app.py", "old_str": "X", "new_str": f"K = '{AWS}'"},
     "(SECURITY): plain-text secret (aws-access-key) written to app.py"),
    ("mcp__serena__replace_regex", {"relative_path": "app.py", "regex": "X",
                                    "repl": f"API_KEY = '{AWS}'"},
     "(SECURITY): plain-text secret (aws-access-key) written to app.py"),
    ("mcp__jetbrains__replace_file_text_by_path", {"pathInProject": "src/.env",
                                                    "text": f"AWS_KEY={AWS}"},
     "(SECURITY): plain-text secret (aws-access-key) written to src/.env"),
    ("mcp__github__create_gist", {"files": {"config.env": {"content": f"AWS_KEY={AWS}"}}},
     "(SECURITY): plain-text secret (aws-access-key) written to config.env"),
    ("mcp__github__create_gist", {"files": {"notes.md": "# Notes\n"}}, None),
    ("mcp__fs__write", {"uri": "file:///srv/app/.env", "text": f"AWS_KEY={AWS}"},
     "(SECURITY): plain-text secret (aws-access-key) written to /srv/app/.env"),
    # A secret in an issue's text is not a file being written.
    ("mcp__github__create_issue", {"title": "leak", "body": f"found {AWS}"}, None),
]


@pytest.mark.parametrize(("tool", "tool_input", "verdict"), WRITES,
                         ids=[f"{w[0]}-{i}" for i, w in enumerate(WRITES)])
def test_files_written_by_mcp_tools_are_judged_as_writes(hooks: Hooks, tool: str,
                                                          tool_input: dict,
                                                          verdict: str | None) -> None:
    reason = _reason(hooks, tool, tool_input)
    if verdict is None:
        assert reason == ""
        return
    assert f"PACT guard raised HALT S1 {verdict}" in reason
    (signal,) = hooks.signals()
    assert signal.evidence.startswith(f"{tool} ")
    for secret in (AWS, GITHUB):
        assert secret not in signal.evidence + signal.reason


def test_which_arguments_are_files() -> None:
    from pact_runtime.signals.mcp import files_written

    assert files_written("mcp__fs__write", {"path": "a", "content": "x"}) == [("a", ["x"])]
    assert files_written("mcp__fs__write", {"path": "a"}) == []
    assert files_written("mcp__fs__write", {"path": 3, "content": "x"}) == []
    assert files_written("mcp__fs__write", {"path": "a", "content": ""}) == []
    assert files_written("Write", {"path": "a", "content": "x"}) == []
    assert files_written("mcp__gh__push", {"files": [{"filePath": "a", "contents": "x"},
                                                     {"path": "b", "text": "y"}, "c"]}) == [
        ("a", ["x"]), ("b", ["y"])]
