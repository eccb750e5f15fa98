"""The guard as a PreToolUse handler: deny shape, the HALT it records, secrets, approval."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

import pytest
from pact_runtime.signals import store

from .test_signals_hooks import Hooks, context, deny_reason

AWS = "AKIA" + "UJZDEGXDNCF32EPF"
DROP = 'psql -c "DROP TABLE customers"'


@pytest.fixture
def hooks(tmp_path) -> Hooks:
    (tmp_path / "project").mkdir()
    return Hooks(str(tmp_path / "data"), str(tmp_path / "project"))


def test_destructive_sql_is_denied_and_opens_a_halt(hooks: Hooks) -> None:
    answer = hooks.tool("Bash", {"command": DROP}, agent_type="PACT:pact-database-engineer",
                        agent_id="a1")
    reason = deny_reason(answer)
    assert reason.startswith("PACT guard raised HALT S1 (DATA): DROP TABLE: "
                             "`DROP TABLE customers`.")
    assert "`/PACT:resolve S1 <decision>`" in reason
    assert answer is not None and answer["systemMessage"] == (
        "PACT HALT S1 (DATA): DROP TABLE: `DROP TABLE customers` - resolve with "
        "/PACT:resolve S1 <decision>; /PACT:resolve S1 approved lets exactly this call run once")
    assert reason.endswith("To let exactly this call run once, the user types "
                           "`/PACT:resolve S1 approved`.")
    (signal,) = hooks.signals()
    assert (signal.level, signal.category, signal.status, signal.source, signal.agent,
            signal.agent_id, signal.evidence) == (
        "HALT", "DATA", "open", "guard", "PACT:pact-database-engineer", "a1", DROP)
    assert store.halt_marked(hooks.home, hooks.project)


def test_script_file_run_by_a_client_is_read_from_the_bash_cwd(hooks: Hooks) -> None:
    with open(os.path.join(hooks.project, "cleanup.sql"), "w") as f:
        f.write("DELETE FROM sessions;\n")

    answer = hooks.tool("Bash", {"command": "psql shop -f cleanup.sql"}, cwd=hooks.project)

    assert deny_reason(answer).startswith(
        "PACT guard raised HALT S1 (DATA): DELETE without WHERE in cleanup.sql: ")


def test_retrying_reuses_the_open_halt(hooks: Hooks) -> None:
    hooks.bash(DROP)
    reason = deny_reason(hooks.bash(DROP))
    assert "HALT S1" in reason and len(hooks.signals()) == 1


def test_an_approved_call_runs_once_then_is_judged_again(hooks: Hooks) -> None:
    hooks.bash(DROP)
    text = context(hooks.prompt("/PACT:resolve S1 approved, the backup is done"),
                   "UserPromptSubmit")
    assert ("By the protocol's rule this approves the call S1 stopped: it may be retried once, "
            "unchanged") in text
    answer = hooks.bash(DROP)
    assert "deny" not in json.dumps(answer)
    assert context(answer, "PreToolUse") == (
        'PACT guard: the user\'s approval in S1 ("approved, the backup is done") lets this call '
        "through once; the user's permission rules still decide whether it runs. The approval is "
        "now used, so a later repeat is judged again.")
    # Used: the same command again opens a new HALT.
    assert deny_reason(hooks.bash(DROP)).startswith("PACT guard raised HALT S2")
    (used, again) = hooks.signals()
    assert used.used_at is not None and used.fingerprint == again.fingerprint


def test_an_approval_covers_that_exact_call_only(hooks: Hooks) -> None:
    hooks.bash(DROP)
    hooks.prompt("/PACT:resolve S1 yes")
    reason = deny_reason(hooks.bash('psql -h prod -c "DROP TABLE customers"'))
    assert reason.startswith("PACT guard raised HALT S2")
    hooks.prompt("/PACT:resolve S2 no")
    assert "deny" not in json.dumps(hooks.bash(DROP))  # S1's approval was still unused


@pytest.mark.parametrize("decision", ["Yes.", "yes, drop it", "APPROVED: the dump is in s3",
                                      "approved, the backup is done", "Yes\u2014go ahead"])
def test_approving_decisions_let_the_same_command_through(hooks: Hooks, decision: str) -> None:
    hooks.bash(DROP)
    hooks.prompt(f"/PACT:resolve S1 {decision}")
    assert "deny" not in json.dumps(hooks.bash(DROP))


@pytest.mark.parametrize("decision", [
    "no", "No, keep the table", "keep the table and archive", "reject", "don't do it", "No.",
    "Nope", "no!", "Absolutely not!", "ok, but not now", "yes... no, don't", "approved? no",
    "wait", "later", "hmm", "OK, go ahead", "lgtm", "Proceed - backup done", "sure",
    "Go back and keep the table, use a soft delete instead", "Confirm with the DBA first",
    "Allow me to check the backups first", "OK so instead archive the rows",
    "Sure... after I am back next week", "ok, but only after the backup finishes",
    "yes, but only after the backup finishes", "approved after backup",
    "yes once the backup is done", "yes if the table is empty", "Yes, but don\u2019t",
])
def test_other_decisions_keep_denying(hooks: Hooks, decision: str) -> None:
    hooks.bash(DROP)
    text = context(hooks.prompt(f"/PACT:resolve S1 {decision}"), "UserPromptSubmit")
    assert "This decision does not approve the call S1 stopped" in text
    assert deny_reason(hooks.bash(DROP)).startswith("PACT guard raised HALT S2")


def test_an_approved_call_waits_while_another_halt_is_open(hooks: Hooks) -> None:
    hooks.bash(DROP)
    hooks.prompt("/PACT:resolve S1 yes")
    other = hooks.halt("the migration drops orders")
    reason = deny_reason(hooks.bash(DROP))
    assert (f"PACT guard: the user approved this call in S1, but HALT {other.ref} (DATA) is "
            "open, so it waits; the approval is kept") in reason
    hooks.prompt(f"/PACT:resolve {other.ref} keep orders")
    assert "deny" not in json.dumps(hooks.bash(DROP))


def test_without_the_protocols_rule_nothing_is_approved(hooks: Hooks, monkeypatch) -> None:
    from pact_runtime.signals import vocabulary

    def unreadable(root=None):
        raise vocabulary.VocabularyError("algedonic.md has no '## Letting a stopped action run'")

    hooks.bash(DROP)
    monkeypatch.setattr(vocabulary, "approval_words", unreadable)
    hooks.prompt("/PACT:resolve S1 yes")
    assert deny_reason(hooks.bash(DROP)).startswith("PACT guard raised HALT S2")


def test_the_approval_rule_is_read_from_the_protocol() -> None:
    from pact_runtime.signals.vocabulary import approval_words

    first, refusing = approval_words()
    assert first == {"approved", "yes"}
    assert {"no", "not", "dont", "but", "only", "after", "once", "until", "unless", "if",
            "first", "wait", "instead"} <= refusing


# ---- one HALT per action ----------------------------------------------------------------

@pytest.mark.parametrize("again", [
    DROP, "psql -d prod -c 'DROP TABLE customers;'", 'psql prod -c "drop   table customers"',
    "echo 'DROP TABLE customers' | psql shop", "psql <<EOF\nDROP TABLE customers;\nEOF",
])
def test_retrying_an_open_halts_action_opens_no_new_halt(hooks: Hooks, again: str) -> None:
    hooks.bash(DROP)
    # Enforcement refuses it too (the project is paused); the guard's part follows.
    reason = deny_reason(hooks.bash(again))
    assert reason.startswith("Paused by PACT: HALT open (S1 ")
    assert ("\n\nPACT guard: this call would again do what HALT S1 stopped (DROP TABLE: `"
            in reason)
    assert ("It was not run and no new HALT was opened. Open HALTs: S1 (DATA). Tell the user "
            "and wait for their decision: `/PACT:resolve S1 <decision>`.") in reason
    assert [s.ref for s in hooks.signals()] == ["S1"]


def test_another_action_while_a_halt_is_open_gets_its_own_halt_naming_the_others(
        hooks: Hooks) -> None:
    hooks.bash(DROP)
    hooks.halt("a secret in the repo", category="SECURITY")
    reason = deny_reason(hooks.bash('psql -c "TRUNCATE orders"'))
    assert "\n\nPACT guard raised HALT S3 (DATA): TRUNCATE: `TRUNCATE orders`." in reason
    assert reason.endswith(" Also open: S1 (DATA), S2 (SECURITY); "
                           "`/PACT:resolve S1 S2 S3 <decision>`.")
    reason = deny_reason(hooks.bash("psql -c 'truncate orders'"))
    assert "Open HALTs: S1 (DATA), S2 (SECURITY), S3 (DATA)" in reason
    assert "`/PACT:resolve S1 S2 S3 <decision>`" in reason
    assert len(hooks.signals()) == 3


def test_the_same_secret_to_the_same_file_is_one_halt(hooks: Hooks) -> None:
    hooks.tool("Write", {"file_path": ".env", "content": f"KEY={AWS}\n"})
    again = hooks.tool("Write", {"file_path": ".env", "content": f"# keys\nKEY={AWS}\nX=1\n"})
    assert "PACT guard: this call would again do what HALT S1" in deny_reason(again)
    other = hooks.tool("Write", {"file_path": "other.env", "content": f"KEY={AWS}\n"})
    assert "PACT guard raised HALT S2 (SECURITY)" in deny_reason(other)


# ---- resolving several at once ----------------------------------------------------------

@pytest.mark.parametrize(("ids", "decision"), [
    ("S1 S2", "no, keep them"), ("S1,S2", "no, keep them"), ("S1, S2", "no, keep them"),
    ("#1 S2", "no, keep them"), ("1 s2", "no, keep them"), ("S1 S2 S1", "no, keep them"),
])
def test_one_decision_resolves_several_signals(hooks: Hooks, ids: str, decision: str) -> None:
    one, two = hooks.halt("drops customers"), hooks.halt("drops orders")
    text = context(hooks.prompt(f"/PACT:resolve {ids} {decision}"), "UserPromptSubmit")
    assert text.startswith(f"The user resolved {one.ref} (HALT DATA: drops customers) and "
                           f"{two.ref} (HALT DATA: drops orders) with the decision: "
                           f"\"{decision}\".")
    assert [(s.status, s.resolution) for s in hooks.signals()] == [("resolved", decision)] * 2
    assert not store.halt_marked(hooks.home, hooks.project)


def test_a_decision_may_begin_with_a_number(hooks: Hooks) -> None:
    hooks.halt("drops customers")
    hooks.halt("drops orders")
    hooks.prompt("/PACT:resolve S1 2 backups first, then drop")
    assert [(s.ref, s.status, s.resolution) for s in hooks.signals()] == [
        ("S1", "resolved", "2 backups first, then drop"), ("S2", "open", "")]


def test_an_unknown_id_among_several_resolves_nothing(hooks: Hooks) -> None:
    hooks.halt("drops customers")
    text = context(hooks.prompt("/PACT:resolve S1 S9 no"), "UserPromptSubmit")
    assert text.startswith("There is no signal S9 in this project; nothing was resolved.")
    assert [s.status for s in hooks.signals()] == ["open"]
    text = context(hooks.prompt("/PACT:resolve S1 S2"), "UserPromptSubmit")
    assert text.startswith("Signal S1 S2 was not resolved: a decision is needed.")


@pytest.mark.parametrize(("tool", "tool_input"), [
    ("Write", {"file_path": "config/.env", "content": f"AWS_ACCESS_KEY_ID={AWS}\n"}),
    ("Edit", {"file_path": "settings.py", "old_string": "KEY = ''",
              "new_string": f"KEY = '{AWS}'"}),
    ("MultiEdit", {"file_path": "settings.py", "edits": [
        {"old_string": "a", "new_string": "b"}, {"old_string": "c", "new_string": AWS}]}),
    ("Bash", {"command": f'echo "{AWS}" > .env'}),
    ("Bash", {"command": f"cat >> config <<EOF\naws_key = {AWS}\nEOF"}),
    ("Bash", {"command": f"printf '%s' {AWS} | tee creds.txt"}),
    ("Bash", {"command": f"echo {AWS} >&creds.txt"}),
    ("Bash", {"command": f"echo {AWS} &>>creds.txt"}),
    ("Bash", {"command": f"echo {AWS} >&2.env"}),
    ("Bash", {"command": f"echo {AWS} 2>&1>/dev/null>&creds"}),
    ("Bash", {"command": f"{{ echo {AWS}; }} > creds"}),
    ("Bash", {"command": f"(echo {AWS}) > creds"}),
    ("Bash", {"command": f"for k in 1; do echo {AWS}; done > creds"}),
    ("Bash", {"command": f'echo "$(echo {AWS})" > creds'}),
    ("Bash", {"command": f"sh -c 'echo {AWS} > creds'"}),
    ("Bash", {"command": f'bash -c "printf %s {AWS} >> creds"'}),
    ("Bash", {"command": f"echo {AWS} | sudo tee /etc/creds"}),
    ("Bash", {"command": "printf 'AKIA\\x55JZDEGXDNCF32EPF' > creds"}),
    ("Bash", {"command": f"echo {AWS[:4]}'{AWS[4:]}' > creds"}),  # bash joins the quotes
    ("Bash", {"command": f"echo \"{AWS[:10]}\"{AWS[10:]} | tee creds"}),
    # writes other than a redirection or tee
    ("Bash", {"command": f"echo {AWS} | dd of=creds status=none"}),
    ("Bash", {"command": f"dd of=creds <<EOF\n{AWS}\nEOF"}),
    ("Bash", {"command": f"sed -i 's/^KEY=.*/KEY={AWS}/' .env"}),
    ("Bash", {"command": f"sed -i.bak -e 's|KEY=.*|KEY={AWS}|' .env"}),
    ("Bash", {"command": f"sed -ni '/keys/a aws_key = {AWS}' config"}),
    ("Bash", {"command": f"cp /dev/stdin creds <<EOF\n{AWS}\nEOF"}),
    ("Bash", {"command": f"install -m 600 /dev/stdin creds <<< 'aws_key = {AWS}'"}),
    ("Bash", {"command": f"cp <(echo {AWS}) creds"}),
    # interpreter one-liners and env tools that write the key into a file
    ("Bash", {"command": f"python3 -c \"open('.env','a').write('AWS_ACCESS_KEY_ID={AWS}\\n')\""}),
    ("Bash", {"command": f"python3 -c \"from pathlib import Path; Path('.env').write_text("
                         f"'KEY={AWS}')\""}),
    ("Bash", {"command": f"python3 - <<'EOF'\nwith open('config.ini', 'w') as f:\n"
                         f"    f.write('key = {AWS}')\nEOF"}),
    ("Bash", {"command": f"node -e \"require('fs').appendFileSync('.env', 'KEY={AWS}')\""}),
    ("Bash", {"command": f"node -e 'fs.writeFileSync(\".env\", \"KEY={AWS}\")'"}),
    ("Bash", {"command": f"ruby -e \"File.write('.env', 'KEY={AWS}')\""}),
    ("Bash", {"command": f"perl -pi -e 's/KEY=.*/KEY={AWS}/' .env"}),
    ("Bash", {"command": f"perl -i.bak -pe 's/^KEY=.*/KEY={AWS}/' .env"}),
    ("Bash", {"command": f"ruby -pi -e 'sub(/KEY=.*/, \"KEY={AWS}\")' .env"}),
    ("Bash", {"command": f"dotenv set AWS_ACCESS_KEY_ID {AWS}"}),
    ("Bash", {"command": f"dotenv -f config/.env set AWS_ACCESS_KEY_ID {AWS}"}),
    ("Write", {"file_path": "config/app.yml", "content": "password: Xk9fQ2mLp7Zr4Tb8\n"}),
    # an invisible character inside the key does not hide it
    ("Write", {"file_path": ".env", "content": f"KEY={AWS[:4]}\u00ad{AWS[4:]}\n"}),
    ("Write", {"file_path": ".env", "content": f"KEY={AWS[:8]}\u2063{AWS[8:]}\n"}),
    ("Write", {"file_path": ".env", "content": f"KEY={AWS[:2]}\u200b{AWS[2:9]}\ufeff{AWS[9:]}\n"}),
])
def test_plain_text_secret_written_to_a_file_is_a_security_halt(hooks: Hooks, tool: str,
                                                                 tool_input: dict) -> None:
    reason = deny_reason(hooks.tool(tool, tool_input))
    assert reason.startswith("PACT guard raised HALT S1 (SECURITY): plain-text secret (")
    (signal,) = hooks.signals()
    assert (signal.level, signal.category) == ("HALT", "SECURITY")
    assert AWS not in signal.evidence and AWS not in signal.reason


@pytest.mark.parametrize(("tool", "tool_input"), [
    ("Bash", {"command": f"echo {AWS}"}),  # printed, not written to a file
    ("Bash", {"command": f"echo {AWS} >&2"}),
    ("Bash", {"command": "echo 'export KEY=$AWS_KEY' > env.sh"}),
    ("Bash", {"command": f"{{ echo {AWS}; }} > /dev/null"}),
    ("Bash", {"command": f"sh -c 'echo {AWS}'"}),
    ("Write", {"file_path": "README.md", "content": "Set AWS_ACCESS_KEY_ID in your env."}),
    ("Write", {"file_path": "db/schema.sql", "content": "CREATE TABLE t (id int);"}),
    ("Edit", {"file_path": "q.sql", "old_string": "x", "new_string": "SELECT 1"}),
    ("Bash", {"command": f"sed 's/x/{AWS}/' .env"}),  # prints, writes nothing
    ("Bash", {"command": "sed -i 's/password = pw/password = pwd/' app.py"}),
    ("Bash", {"command": "dd if=disk.img of=copy.img bs=1M"}),
    ("Bash", {"command": "cp .env.example .env"}),
    ("Bash", {"command": f"python3 -c \"print('KEY={AWS}')\""}),  # printed only
    ("Bash", {"command": f"python3 -c \"open('.env').read(); print('{AWS}')\""}),
    ("Bash", {"command": f"node -e \"console.log('KEY={AWS}')\""}),
    ("Bash", {"command": f"perl -pe 's/KEY=.*/KEY={AWS}/' .env"}),  # prints, writes nothing
    ("Bash", {"command": "perl -pi -e 's/KEY=.*/KEY=$ENV{AWS_KEY}/' .env"}),
    ("Bash", {"command": "dotenv set AWS_ACCESS_KEY_ID changeme"}),
    ("Bash", {"command": "dotenv get AWS_ACCESS_KEY_ID"}),
    ("Bash", {"command": "python3 -c \"open('out.txt','w').write('done')\""}),
    # one word under a secret's name in a translation file is the word, not a password
    ("Write", {"file_path": "locales/de.yml", "content": "de:\n  password: Passwort\n"}),
    # values that are code, not literals
    ("Write", {"file_path": "app/models.py", "content": (
        "class User:\n    def __init__(self, password):\n        self.password = password\n"
        "        self.api_key = api_key\n\nuser.password = form.password.data\n")}),
    ("Write", {"file_path": "settings.py", "content": (
        "SECRET_KEY = settings.SECRET_KEY\napi_key = config.api_key\n")}),
    ("Write", {"file_path": "src/main.rs", "content": "let secret = &args.secret;\n"}),
    ("Write", {"file_path": "group_vars/all.yml", "content": (
        "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  663864396532363364\n")}),
    # placeholders and documented examples
    ("Write", {"file_path": ".env.example", "content": (
        "API_KEY=changeme\nOPENAI_API_KEY=your-api-key-here\nSECRET_KEY=xxxxxxxxxxxx\n"
        "DATABASE_URL=postgres://user:password@localhost/db\nTOKEN=replace-me\n"
        "SECRET_KEY=dummy\nAWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX\n")}),
    ("Write", {"file_path": "README.md", "content": (
        "Set `api_key = \"YOUR_API_KEY\"`, e.g. AKIAIOSFODNN7EXAMPLE with\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")}),
    ("Write", {"file_path": "docker-compose.yml", "content": (
        "services:\n  db:\n    environment:\n      POSTGRES_USER: postgres\n"
        "      POSTGRES_PASSWORD: postgres\n      MYSQL_ROOT_PASSWORD: root\n"
        "  app:\n    environment:\n      DATABASE_URL: postgres://postgres:postgres@db/app\n")}),
])
def test_harmless_writes_pass(hooks: Hooks, tool: str, tool_input: dict) -> None:
    assert hooks.tool(tool, tool_input) is None
    assert hooks.signals() == [] if os.path.exists(os.path.join(hooks.home, "pact.db")) else True


def test_sql_file_written_with_every_multiedit_edit_checked(hooks: Hooks) -> None:
    edits = [{"old_string": "a", "new_string": "SELECT 1;"},
             {"old_string": "b", "new_string": "DELETE FROM customers;"}]
    reason = deny_reason(hooks.tool("MultiEdit", {"file_path": "db/fix.sql", "edits": edits}))
    assert "DELETE without WHERE: `DELETE FROM customers`" in reason


def test_without_a_data_folder_the_finding_is_still_denied() -> None:
    import io

    from pact_runtime import dispatch

    out = io.BytesIO()
    raw = json.dumps({"tool_name": "Bash", "tool_input": {"command": DROP}}).encode()
    dispatch.main(["PreToolUse"], raw, {}, out)
    assert "No PACT data folder is set" in deny_reason(json.loads(out.getvalue()))


def _pythons() -> list[str]:
    """The pyenv interpreters of the supported range, 3.9 to 3.13."""
    found = []
    for path in sorted(glob.glob("/root/.pyenv/versions/3.*/bin/python3")):
        minor = path.split("/versions/3.")[1].split(".")[0]
        if minor.isdigit() and 9 <= int(minor) <= 13:
            found.append(path)
    return found or [sys.executable]


@pytest.mark.parametrize("python", _pythons())
def test_guard_under_python_S_on_each_interpreter(hooks: Hooks, python: str) -> None:
    """Source tree under -S: no sqlglot, so the token check judges; still exact."""
    scripts = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(store.__file__))))
    code = "import sys; from pact_runtime.dispatch import main; sys.exit(main())"
    for command, expected in ((DROP, "deny"), ("ls -la", ""), ("", "")):
        payload = json.dumps({"tool_name": "Bash", "tool_input": {"command": command}})
        proc = subprocess.run([python, "-S", "-c", code, "PreToolUse"], input=payload,
                              capture_output=True, text=True, cwd=scripts, timeout=60,
                              env={"PATH": os.environ["PATH"], "PYTHONPATH": scripts,
                                   **hooks.env})
        assert (proc.returncode, proc.stderr) == (0, "")
        assert (expected in proc.stdout) if expected else proc.stdout == ""


def _built_plugin() -> str | None:
    given = os.environ.get("PACT_DIST")
    root = os.path.join(given or os.path.join(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))), "dist"), "PACT")
    return root if os.path.isdir(os.path.join(root, "runtime", "vendor", "sqlglot")) else None


@pytest.mark.skipif(_built_plugin() is None, reason="no built plugin with vendored sqlglot")
def test_guard_in_the_built_plugin_uses_the_vendored_sqlglot(hooks: Hooks) -> None:
    root = _built_plugin()
    assert root is not None
    entry = os.path.join(root, "runtime", "pact_hook.py")
    probe = ("import runpy, sys; sys.argv = [sys.argv[0], 'PreToolUse'];"
             f"sys.path.insert(0, {os.path.dirname(entry)!r});"
             "\ntry: runpy.run_path(%r, run_name='__main__')\nexcept SystemExit: pass"
             "\nimport sqlglot; sys.stderr.write(sqlglot.__file__)") % entry
    payload = json.dumps({"tool_name": "Bash", "tool_input": {
        "command": 'psql -c "UPDATE t SET a = (SELECT b FROM u WHERE u.id = 1)"'}})
    proc = subprocess.run([sys.executable, "-S", "-c", probe], input=payload,
                          capture_output=True, text=True, timeout=120,
                          env={"PATH": os.environ["PATH"], **hooks.env})
    assert proc.stderr.startswith(os.path.join(root, "runtime", "vendor", "sqlglot"))
    assert "UPDATE without WHERE" in deny_reason(json.loads(proc.stdout))


def test_a_notebook_cell_with_a_secret_is_a_security_halt(hooks: Hooks) -> None:
    """NotebookEdit carries the cell in ``new_source`` (judged once the registry routes it)."""
    from pact_runtime.hook import Event
    from pact_runtime.signals.guard import on_pre_tool_use

    data = {"session_id": "s1", "tool_name": "NotebookEdit", "tool_input": {
        "notebook_path": "analysis.ipynb", "cell_id": "c1", "new_source": f"key = '{AWS}'"}}
    outcome = on_pre_tool_use(Event("PreToolUse", data, hooks.env))
    assert outcome is not None and outcome.deny.startswith(
        "PACT guard raised HALT S1 (SECURITY): plain-text secret (aws-access-key) written to "
        "analysis.ipynb")
    data["tool_input"]["new_source"] = "key = os.environ['AWS_KEY']"
    assert on_pre_tool_use(Event("PreToolUse", data, hooks.env)) is None


@pytest.mark.parametrize("command", ['psql -f "$MIGRATION"', "cat list.txt | xargs -n1 psql -f",
                                     "find db -newer x -name '*.sql' -exec psql -f {} \\;"])
def test_sql_files_the_line_cannot_name_get_a_note_not_a_halt(hooks: Hooks, command: str) -> None:
    answer = hooks.bash(command)
    assert context(answer, "PreToolUse").startswith(
        "PACT guard: this command runs SQL files the guard could not read (`")
    assert "so their statements were not checked" in context(answer, "PreToolUse")
    assert "deny" not in json.dumps(answer) and hooks.signals() == []


def test_sql_files_a_loop_runs_are_read(hooks: Hooks) -> None:
    os.mkdir(os.path.join(hooks.project, "migrations"))
    for name, text in (("0001.sql", "CREATE TABLE orders (id int);\n"),
                       ("0003.sql", "TRUNCATE orders;\n")):
        with open(os.path.join(hooks.project, "migrations", name), "w") as f:
            f.write(text)

    answer = hooks.tool("Bash", {"command": 'for f in migrations/*.sql; do psql -f "$f"; done'},
                        cwd=hooks.project)

    assert deny_reason(answer).startswith(
        "PACT guard raised HALT S1 (DATA): TRUNCATE in migrations/0003.sql: `TRUNCATE orders`.")


def test_the_reason_names_each_finding_once_and_reads_as_english(hooks: Hooks) -> None:
    path = os.path.join(hooks.project, "db", "migrations", "0051_drop.sql")
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as f:
        f.write("SELECT 1;\n")

    reason = deny_reason(hooks.bash(f'echo "DROP TABLE customers;" > {path}'))
    edit = deny_reason(hooks.tool("Edit", {"file_path": path, "old_string": "SELECT 1;",
                                           "new_string": "DROP TABLE orders;"}))

    assert reason.count("DROP TABLE: `DROP TABLE customers`") == 1
    first, second = hooks.signals()
    assert first.reason == "The guard stopped a Bash call: DROP TABLE: `DROP TABLE customers`"
    assert "PACT guard raised HALT S2 (DATA)" in edit  # after the pause S1 already set
    assert second.reason.startswith("The guard stopped an Edit call: DROP TABLE")


@pytest.mark.parametrize("rel", ["tests/conftest.py", "conftest.py", "spec/fixtures/users.yml",
                                 "app/tests/test_login.py", "src/login.test.ts",
                                 "spec/models/user_spec.rb", "pkg/auth/login_test.go"])
def test_a_password_in_a_test_or_fixture_is_test_data(hooks: Hooks, rel: str) -> None:
    path = os.path.join(hooks.project, rel)
    content = ("user = create_user(username='alice', password='s3cret-pass')\n"
               "DATABASE_URL = 'postgres://app:Tr0ub4dor3@localhost:5432/app_test'\n")

    assert hooks.tool("Write", {"file_path": path, "content": content}) is None
    assert hooks.signals() == []


def test_outside_tests_the_same_password_and_in_tests_a_real_key_still_halt(
        hooks: Hooks) -> None:
    content = "user = create_user(username='alice', password='s3cret-pass')\n"
    settings = os.path.join(hooks.project, "app", "settings.py")
    fixture = os.path.join(hooks.project, "tests", "fixtures", "aws.json")

    assert "plain-text secret (assignment)" in deny_reason(
        hooks.tool("Write", {"file_path": settings, "content": content}))
    assert "plain-text secret (aws-access-key" in deny_reason(
        hooks.tool("Write", {"file_path": fixture, "content": f'{{"key": "{AWS}"}}'}))


def test_an_escape_written_after_a_name_ends_the_value(hooks: Hooks) -> None:
    empty = "printf 'API_KEY=\\nDEBUG=true\\n' > .env.example"
    real = f"printf 'AWS_ACCESS_KEY_ID={AWS}\\nDEBUG=true\\n' > .env"

    assert hooks.bash(empty) is None
    assert "plain-text secret" in deny_reason(hooks.bash(real))


@pytest.mark.parametrize("command", [
    'echo "SECRET_KEY=$(openssl rand -hex 32)" >> .env',
    "echo \"NEXTAUTH_SECRET=$(openssl rand -base64 32)\" >> .env.local",
    'echo "GITHUB_TOKEN=`gh auth token`" > .env',
    "printf 'API_KEY=%s\\n' \"$(openssl rand -hex 16)\" >> .env",
])
def test_a_value_a_substitution_computes_is_not_a_written_secret(hooks: Hooks,
                                                                 command: str) -> None:
    assert hooks.bash(command) is None
    assert hooks.signals() == []


def test_a_literal_beside_a_substitution_still_counts(hooks: Hooks) -> None:
    command = f'echo "AWS_ACCESS_KEY_ID={AWS} RUN=$(date)" >> .env'
    assert "plain-text secret (aws-access-key" in deny_reason(hooks.bash(command))


STRIPE = "sk_live_" + "51Hx9aQ2mLp7Zr4Tb8Xk9fQ2mLp7"


@pytest.mark.parametrize(("command", "halts"), [
    (f"jq '.aws.accessKeyId = \"{AWS}\"' config.json > config.tmp && mv config.tmp "
     "config.json", True),
    (f"awk 'BEGIN{{print \"AWS_ACCESS_KEY_ID={AWS}\"}}' > .env", True),
    (f"yq -i '.stripe.secretKey = \"{STRIPE}\"' values.yaml", True),
    (f"echo 'STRIPE_KEY={STRIPE}' | sponge .env", True),
    ("kubectl create secret generic db --from-literal=password='Xk9fQ2mLp7Zr4Tb8' "
     "--dry-run=client -o yaml > k8s/secret.yaml", True),
    ("jq '.version = \"1.2.3\"' package.json > package.tmp", False),
    ("yq -i '.image.tag = \"v2\"' values.yaml", False),
    ("awk '{print $1}' access.log > ips.txt", False),
    ("kubectl create secret generic db --from-literal=password=\"$DB_PASSWORD\" "
     "--dry-run=client -o yaml > k8s/secret.yaml", False),
    ("jq '.token' response.json > token.txt", False),
    # a terminal or a stream is not a file
    ("echo 'password=Yk2pLm9Qz7wQ' | tee /dev/stderr | wc -c", False),
    ("echo 'password=Yk2pLm9Qz7wQ' | tee /dev/null", False),
    ("echo 'password=Yk2pLm9Qz7wQ' > /dev/tty", False),
    ("echo 'password=Yk2pLm9Qz7wQ' | tee /dev/stderr settings.ini", True),
])
def test_a_secret_in_a_generators_program_is_written_with_its_output(
        hooks: Hooks, command: str, halts: bool) -> None:
    answer = hooks.bash(command)
    if halts:
        assert "plain-text secret" in deny_reason(answer)
    else:
        assert answer is None


def test_sed_that_deletes_sql_lines_writes_no_sql(hooks: Hooks) -> None:
    path = os.path.join(hooks.project, "dump.sql")
    with open(path, "w") as f:
        f.write("DROP TABLE users;\nCREATE TABLE users (id int);\n")

    assert hooks.bash("sed -i '/^DROP TABLE/d' dump.sql") is None
    assert "DROP TABLE" in deny_reason(
        hooks.bash("sed -i 's/^CREATE TABLE users (id int)/DROP TABLE orders/' dump.sql"))


@pytest.mark.parametrize("script", ["1i DROP TABLE orders;", "$a\\ TRUNCATE payments;",
                                    "/^-- end/c DROP TABLE orders;"])
def test_sed_that_adds_destructive_sql_to_a_sql_file_halts(hooks: Hooks, script: str) -> None:
    with open(os.path.join(hooks.project, "dump.sql"), "w") as f:
        f.write("CREATE TABLE users (id int);\n-- end\n")

    assert "PACT guard raised HALT S1 (DATA)" in deny_reason(
        hooks.bash(f"sed -i '{script}' dump.sql"))


@pytest.mark.parametrize("depth", [900, 5000])
def test_a_sql_write_with_a_deeply_nested_extra_field_still_halts(hooks: Hooks,
                                                                  depth: int) -> None:
    deep = '{"a": ' * depth + "1" + "}" * depth
    raw = ('{"session_id": "s1", "tool_name": "Write", "tool_input": {"file_path": '
           + json.dumps(os.path.join(hooks.project, "db", "drop.sql"))
           + ', "content": "DROP TABLE customers;\\n", "extra": ' + deep + "}}").encode()

    answer = hooks.run("PreToolUse", raw)

    assert deny_reason(answer).startswith("PACT guard raised HALT S1 (DATA): DROP TABLE")
    assert [s.level for s in hooks.signals()] == ["HALT"]
