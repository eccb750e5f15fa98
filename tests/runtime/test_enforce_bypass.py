"""Enforcement that cannot be crashed or walked around: odd text in paths, cds the reader
cannot follow, symlinks to the data folder, ~+ and ~-, and a deleted marker folder."""

from __future__ import annotations

import os
import shutil

import pytest
from pact_runtime.signals import enforce, store

from .test_signals_hooks import Hooks, deny_reason

DATA = "~/.claude/plugins/data"
GLOB = f"{DATA}/PACT-*"
FOLDER_DENY = "The PACT data folder ("
PAUSED = "Paused by PACT: HALT open (S1 HALT DATA"


@pytest.fixture
def installed(tmp_path, monkeypatch) -> Hooks:
    """The data folder where the client puts it, with a log, markers and logs in it,
    and the HALT of another project open."""
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "project").mkdir()
    home = tmp_path / ".claude" / "plugins" / "data" / "PACT-pact-marketplace"
    home.mkdir(parents=True)
    (home / "logs").mkdir()
    other = Hooks(str(home), str(tmp_path / "other"))
    os.makedirs(other.project)
    other.halt("the other project's HALT")
    return Hooks(str(home), str(tmp_path / "project"))


@pytest.fixture
def hooks(tmp_path) -> Hooks:
    (tmp_path / "project").mkdir()
    return Hooks(str(tmp_path / "data"), str(tmp_path / "project"))


def folder_deny(hooks: Hooks, command: str) -> str:
    reason = deny_reason(hooks.tool("Bash", {"command": command}, cwd=hooks.project))
    assert reason.startswith(FOLDER_DENY + hooks.home + ")"), reason
    return reason


def passes(hooks: Hooks, command: str) -> bool:
    return hooks.tool("Bash", {"command": command}, cwd=hooks.project) is None


# ---- odd text never crashes a path helper ------------------------------------------------

SURROGATE_COMMANDS = ["rm -f ~\ud800/x victim.txt", "cd ~\ud800; rm -f victim.txt",
                      "rm -f victim\udfff.txt", "rm -rf ~\ud800", "touch \ud83d/x"]


@pytest.mark.parametrize("command", SURROGATE_COMMANDS)
def test_a_lone_surrogate_is_judged_during_a_halt(hooks: Hooks, command: str) -> None:
    hooks.halt()
    assert deny_reason(hooks.bash(command)).startswith(PAUSED)
    assert "Traceback" not in _log(hooks)


@pytest.mark.parametrize("command", SURROGATE_COMMANDS)
def test_a_lone_surrogate_outside_a_halt_is_judged_like_any_other_name(hooks: Hooks,
                                                                      command: str) -> None:
    assert passes(hooks, command)
    assert _log(hooks) == ""


def test_a_surrogate_next_to_the_data_folder_is_still_the_data_folder(hooks: Hooks) -> None:
    folder_deny(hooks, f"rm -rf ~\ud800/x {hooks.home}")
    folder_deny(hooks, f"rm -rf {hooks.home}/\udc00")
    assert deny_reason(hooks.tool("Write", {"file_path": f"{hooks.home}/\ud800",
                                            "content": "x"})).startswith(FOLDER_DENY)
    assert hooks.tool("Write", {"file_path": "a\ud800.txt", "content": "x"}) is None


@pytest.mark.parametrize("text", ["~\x00/x", "a\x00b", "~" + "a" * 5000, "/" + "a/" * 40000,
                                  "~\udcff\x01\x7f\u202e/x", "~root\x00/x", "\ufeff~/x"])
def test_odd_words_and_paths_neither_crash_nor_pass_during_a_halt(hooks: Hooks,
                                                                   text: str) -> None:
    assert passes(hooks, f"rm -rf {text}")
    assert passes(hooks, f"cd {text} && rm -rf build")
    hooks.halt()
    assert deny_reason(hooks.bash(f"rm -rf {text}")).startswith(PAUSED)
    for tool, key in (("Write", "file_path"), ("Edit", "file_path"),
                      ("NotebookEdit", "notebook_path")):
        assert deny_reason(hooks.tool(tool, {key: text, "content": "x"})).startswith(PAUSED)
    assert "Traceback" not in _log(hooks)


def _log(hooks: Hooks) -> str:
    path = os.path.join(hooks.home, "logs", "pact.log")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---- enforcement that fails, fails closed ------------------------------------------------

def _broken(*args: object, **kwargs: object) -> bool:
    raise RuntimeError("judge broke")


def test_a_failing_folder_check_denies_a_command_that_may_reach_it(hooks: Hooks,
                                                                  monkeypatch) -> None:
    monkeypatch.setattr(enforce, "_reaches", _broken)
    reason = deny_reason(hooks.bash("rm -rf \"build\""))  # quoted: the reader judges
    assert reason == (f"PACT could not judge whether this call changes its data folder "
                      f"({hooks.home}), so it is refused (RuntimeError). Write it more "
                      "plainly, or change the folder only through `pact-signal` and "
                      "`pact-memory`.")
    assert "RuntimeError: judge broke" in _log(hooks)
    assert hooks.bash("npm test") is None  # never reaches the failing part: no HALT, runs


def test_a_failing_judge_during_a_halt_denies(hooks: Hooks, monkeypatch) -> None:
    hooks.halt()
    monkeypatch.setattr(enforce, "is_read_only", _broken)
    reason = deny_reason(hooks.bash("ls"))
    assert reason == ("A PACT HALT may be open for this project, and this call could not be "
                      "judged (RuntimeError), so it is refused as a change. Tell the user and "
                      "wait for them to resolve the HALT with `/PACT:resolve <id> <decision>`.")
    assert "signals.enforce could not judge Bash on PreToolUse, refused" in _log(hooks)


def test_a_failing_judge_with_only_a_stale_marker_lets_the_call_run(hooks: Hooks,
                                                                   monkeypatch) -> None:
    from contextlib import closing

    hooks.halt()
    with closing(store.connect(hooks.home)) as conn:
        conn.execute("UPDATE signals SET status = 'resolved'")
        conn.commit()
    monkeypatch.setattr(enforce, "is_read_only", _broken)
    assert hooks.bash("ls") is None


# ---- a deleted marker folder -------------------------------------------------------------

def test_deleting_the_marker_folder_does_not_lift_a_halt(hooks: Hooks) -> None:
    signal = hooks.halt()
    marker = store.marker_path(hooks.home, hooks.project)
    shutil.rmtree(os.path.dirname(marker))
    assert signal.ref in deny_reason(hooks.tool("Write", {"file_path": "a", "content": "x"}))
    assert os.path.exists(marker)  # written again from the log
    shutil.rmtree(os.path.dirname(marker))
    assert hooks.bash("ls") is None  # reading still works, and the marker is back
    assert os.path.exists(marker)
    assert deny_reason(hooks.bash("touch x")).startswith(PAUSED)


def test_a_log_without_a_marker_folder_gets_one(hooks: Hooks) -> None:
    from contextlib import closing

    with closing(store.connect(hooks.home)):
        pass
    shutil.rmtree(os.path.join(hooks.home, "halts"), ignore_errors=True)
    assert hooks.bash("touch x") is None
    assert os.path.isdir(os.path.join(hooks.home, "halts"))


def test_a_damaged_log_without_a_marker_folder_stops_nothing(hooks: Hooks) -> None:
    """As before the markers: with no marker and a log that cannot be read, nothing is
    known to be open (a damaged log must never stop a session)."""
    os.makedirs(hooks.home)
    with open(os.path.join(hooks.home, "pact.db"), "wb") as f:
        f.write(b"this is not a database\n" * 500)
    assert hooks.tool("Agent", {"subagent_type": "x", "prompt": "p"}) is None
    assert hooks.bash("touch x") is None
    assert not os.path.exists(os.path.join(hooks.home, "halts"))


def test_a_missing_marker_folder_without_a_log_is_nothing_open(hooks: Hooks) -> None:
    assert hooks.bash("touch x") is None
    assert not os.path.exists(os.path.join(hooks.home, "halts"))


# ---- cd to a place the reader cannot follow ----------------------------------------------

@pytest.mark.parametrize("command", [
    f"cd {GLOB} && rm -rf halts", f"cd {GLOB} && rm -f p*.db", f"cd {GLOB} && gzip -r halts",
    f"cd {DATA} && cd \"$(ls | head -1)\" && gzip -r halts",
    f"cd {DATA} && cd `ls` && tar xf /tmp/x.tar", f"cd {GLOB} && tar xf /tmp/x.tar",
    f"cd {GLOB} && ln -s \"$PWD\" ../pd", f"cd {GLOB} && cd halts && rm -f *",
    f"cd {GLOB}/ && git init", f"cd {DATA}/P* && unzip -o /tmp/x.zip",
    f"cd {DATA} && cd PACT-pact-marketplace && tar xf /tmp/x.tar",
    f"cd {GLOB}; cd ..; rm -rf PACT-pact-marketplace",
    f"pushd {GLOB} && gzip -r halts", f"pushd {GLOB}; pushd /tmp; pushd; tar xf x.tar",
    f"echo $(cd {GLOB}; tar xf /tmp/x.tar)",
    f"cd {DATA}; pushd /tmp; popd; cd \"$X\"; gzip -r halts",
    f"cd {DATA}/PACT-pact-marketplace; cd /tmp; cd -; tar xf /tmp/x.tar",
    'cd "$WHERE" && gzip -r halts', 'cd "$WHERE" && rm -f pact.db-wal',
    'cd "$WHERE" && cp /dev/null halts/halt-1', "cd - && echo x > halts/zz",
    f"cd {GLOB} && sh -c 'rm -rf halts'", f"cd {GLOB} && echo $(rm -rf halts)",
    # ~+ and ~- are $PWD and $OLDPWD
    f"cd {GLOB}; cd /tmp; rm -rf ~-/halts", f"cd {GLOB} && rm -rf ~+/halts",
    f"cd {GLOB}; cd /tmp; rm -rf $OLDPWD/halts", f"cd {GLOB} && rm -rf \"$PWD\"/halts",
    f"cd {DATA}; cd /tmp; rm -rf ~-/PACT-pact-marketplace", f"cd {DATA}; rm -rf ~+",
    f"cd {DATA} && rm -rf ${{PWD}}/PACT-pact-marketplace", "rm -rf ~-/halts",
    # bash looks for a relative cd target in every CDPATH folder first
    f"CDPATH={DATA} cd PACT-pact-marketplace && tar xf /tmp/x.tar",
    f"export CDPATH={DATA}; cd PACT-pact-marketplace && gzip -r halts",
    "export CDPATH=~/.claude/plugins; cd data && cd \"$(ls | head -1)\" && gzip -r halts",
    # braces, as bash expands them before ~ (the reader and enforcement alike)
    f"rm -rf {{{GLOB},}}", f"rm {{-rf,{GLOB}}}", f"{{rm,-rf,{GLOB}}}",
    "rm -rf ~/.claude/plugins/data/{PACT-*,}", f"cd {{{GLOB},}} && rm -rf halts",
    f"rm -rf {{{DATA},x}}/{{a,PACT-*}}", "rm -rf ~/.claude/plugins/{data,x}/PACT-{p,q}*",
    # past the reader's limit of braces in a word it says unsure; enforcement expands them
    "rm -rf " + "{a,b}" * 70 + f" {{{GLOB},}}", "{a,b}" * 70 + f" {{rm,-rf,{GLOB}}}",
])
def test_a_cd_the_reader_cannot_follow_cannot_reach_the_folder(installed: Hooks,
                                                               command: str) -> None:
    folder_deny(installed, command)
    assert os.path.isdir(os.path.join(installed.home, "halts"))


@pytest.mark.parametrize("command", [
    "cd src && rm -rf build", "rm -rf node_modules", 'cd "$WHERE" && rm -rf build',
    'cd "$(git rev-parse --show-toplevel)" && rm -rf dist', 'cd ~ && cd "$X" && rm -rf build',
    "cd ~/src && make clean", "cd - && rm -rf build", "rm -rf ~+/build", "rm -rf $PWD/build",
    "cd /tmp; rm -rf ~-/build", f"cd {GLOB} && ls halts", f"cd {GLOB} && cat logs/pact.log",
    f"cd {DATA} && du -sh *", "cd data && npm test", "pushd src && rm -rf build && popd",
    f"cd {GLOB}; cd /tmp/work && rm -rf build", f"cd {GLOB} && pact-signal list --open",
    f"pushd {GLOB}; popd; tar xf /tmp/x.tar", f"cd {GLOB}; cd /tmp; cd -; cd /tmp; tar xf x.tar",
    f"echo $(cd {GLOB}); tar xf /tmp/x.tar",
    "rm -rf {build,dist}", "cd {src,lib} && rm -rf build",
    f"rm -rf '{{build,{GLOB}}}'", f"rm -rf \\{{build,{GLOB}\\}}",  # quoted: one odd name
])
def test_ordinary_cds_still_run(installed: Hooks, command: str) -> None:
    assert passes(installed, command)


def test_a_cdpath_from_the_environment_is_taken_into_account(installed: Hooks,
                                                            monkeypatch) -> None:
    command = "cd PACT-pact-marketplace && tar xf /tmp/x.tar"
    assert passes(installed, command)
    monkeypatch.setenv("CDPATH", os.path.dirname(installed.home))
    folder_deny(installed, command)
    assert passes(installed, "cd src && tar xf /tmp/x.tar")


def test_the_other_projects_halt_holds_after_every_attempt(installed: Hooks) -> None:
    other = Hooks(installed.home, os.path.join(os.path.dirname(installed.project), "other"))
    folder_deny(installed, f"cd {GLOB} && rm -rf halts")
    assert "the other project's HALT" in deny_reason(other.bash("rm -f a.txt"))


# ---- symlinks to the data folder ---------------------------------------------------------

@pytest.fixture
def linked(installed: Hooks) -> Hooks:
    """The project holds pd -> the data folder, pl -> ~/.claude/plugins, db -> pact.db."""
    os.symlink(installed.home, os.path.join(installed.project, "pd"))
    os.symlink(os.path.dirname(os.path.dirname(installed.home)),
               os.path.join(installed.project, "pl"))
    os.symlink(os.path.join(installed.home, "pact.db"), os.path.join(installed.project, "db"))
    return installed


@pytest.mark.parametrize("command", [
    "rm -rf pd/halts", "find pd/ -name 'halt-*' -delete", "echo x > pd/halts/zz",
    "cp /dev/null pd/p.db", "gzip -r pd/halts", "cd pd && rm -rf halts",
    "cd pd && tar xf /tmp/x.tar", "rm -rf pl/data", "mv pl/data /tmp/old", "echo x > db",
    "cp /dev/null db", "rm -rf pd/", "sqlite3 db 'DELETE FROM signals'", "truncate -s0 db",
    "rm -rf ./pd/halts", "cd sub/.. && rm -rf pd/halts", "rm -rf $PWD/pd/halts",
])
def test_a_symlink_to_the_folder_is_followed(linked: Hooks, command: str) -> None:
    os.makedirs(os.path.join(linked.project, "sub"))
    folder_deny(linked, command)


@pytest.mark.parametrize("command", ["rm pd", "unlink pd", "rm -f db", "ls pd/halts",
                                     "cat pd/logs/x", "rm -rf build"])
def test_a_symlink_itself_may_go_and_be_read_through(linked: Hooks, command: str) -> None:
    assert passes(linked, command)


@pytest.mark.parametrize(("tool", "key"), [("Write", "file_path"), ("Edit", "file_path"),
                                           ("NotebookEdit", "notebook_path")])
def test_an_edit_through_a_symlink_is_the_data_folder(linked: Hooks, tool: str,
                                                       key: str) -> None:
    for path in ("pd/halts/x", "db", "pl/data/PACT-pact-marketplace/pact.db"):
        full = os.path.join(linked.project, path)
        assert deny_reason(linked.tool(tool, {key: full, "content": "x"})).startswith(
            FOLDER_DENY), path


def test_a_symlink_from_home_is_followed(linked: Hooks) -> None:
    os.symlink(linked.home, os.path.join(os.environ["HOME"], "pd"))
    folder_deny(linked, "rm -rf ~/pd/halts")
    folder_deny(linked, "rm -rf $HOME/pd/halts")


def test_a_symlinked_project_folder_works_as_usual(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    real = tmp_path / "real"
    (real / "node_modules").mkdir(parents=True)
    (tmp_path / "store").mkdir()
    os.symlink(tmp_path / "store", real / "node_modules" / "dep")
    os.symlink(real, tmp_path / "project")
    home = tmp_path / ".claude" / "plugins" / "data" / "PACT-pact-marketplace"
    home.mkdir(parents=True)
    hooks = Hooks(str(home), str(tmp_path / "project"))
    for command in ("rm -rf build", "rm -rf node_modules", "rm -rf node_modules/dep/x",
                    "cd ../project && rm -rf build", "echo x > node_modules/dep/y"):
        assert passes(hooks, command), command


def test_ordinary_commands_stay_off_the_reader_even_with_symlinks(linked: Hooks) -> None:
    """A symlink elsewhere costs an lstat, not the reader (one into the folder sends
    the command to the reader, which lets ``cat pd/logs/x`` run)."""
    from . import test_signals_hooks

    check = test_signals_hooks.test_ordinary_commands_are_judged_without_loading_the_command_reader
    elsewhere = os.path.join(os.path.dirname(linked.project), "elsewhere")
    os.makedirs(elsewhere)
    os.symlink(elsewhere, os.path.join(linked.project, "t"))
    for command in ("ls t", "rm -rf t/build", "cd src && npm test", "cat t/x"):
        check(linked, command)


# ---- a path inside a script or an argument -----------------------------------------------

FOLDER_MESSAGE = ("The PACT data folder ({home}) holds the signal log and memory; a command "
                  "that can change, move or delete it, or a folder holding it, is refused. "
                  "Change it only through `pact-signal` and `pact-memory`.")


def _in_home(command: str) -> str:
    return command.replace("<HOME>", os.environ["HOME"])


@pytest.mark.parametrize("command", [
    f"git grep -iO'rm -f {GLOB}/halts/*;true' hello",
    f"sed -n '1e rm -rf {GLOB}/halts' a.txt",
    f"awk 'BEGIN{{system(\"rm -rf {GLOB}/halts\")}}'",
    "python3 -c 'import shutil,glob;[shutil.rmtree(p) for p in "
    "glob.glob(\"<HOME>/.claude/plugins/data/PACT-*/halts\")]'",
    f"perl -e 'system(\"rm -rf {GLOB}/halts\")'",
    f"node -e 'require(\"child_process\").execSync(\"rm -rf {GLOB}/halts\")'",
    f"ruby -e 'system(\"rm -rf {GLOB}/halts\")'",
    f"find . -maxdepth 0 -exec sh -c 'rm -rf {GLOB}/halts' \\;",
    f"echo x | xargs sh -c 'rm -rf {GLOB}/halts'",
    "python3 - <<'PY'\nimport glob, shutil\n"
    "for p in glob.glob('<HOME>/.claude/plugins/data/PACT-*/halts'):\n    shutil.rmtree(p)\nPY",
    "python3 <<< 'import shutil; shutil.rmtree(\"<HOME>/.claude/plugins/data\")'",
    f"sh <<'SH'\nrm -rf {GLOB}/halts\nSH", f"make -f - <<'MK'\nall:\n\trm -rf {GLOB}/halts\nMK",
    f"git -c core.pager='rm -rf {GLOB}/halts' log",
    f"PAGER='rm -rf {GLOB}/halts' git log",
    f"GIT_SSH_COMMAND='sh -c \"rm -rf {GLOB}/halts\"' git fetch",
    f"echo {GLOB}/halts | xargs rm -rf", "xargs rm -rf <<< \"$HOME/.claude/plugins/data/P*\"",
    f"cp -t{GLOB}/halts /tmp/x", f"tar -C /tmp --to-command='rm -rf {GLOB}/halts' -xf x.tar",
    # an ancestor, in a script that deletes or moves folders
    "python3 -c 'import shutil; shutil.rmtree(\"<HOME>/.claude/plugins/data\")'",
    "python3 -c 'import shutil; shutil.rmtree(\"${HOME}/.claude\")'",
    "python3 -c 'import os; os.rename(\"<HOME>/.claude/plugins/data\", \"/tmp/old\")'",
    "node -e 'require(\"fs\").rmSync(\"<HOME>/.claude/plugins\", {recursive: true})'",
    f"awk 'BEGIN{{system(\"rm -rf {DATA}\")}}'",
    f"find {DATA} -name 'halt-*' | xargs rm -f",
])
def test_a_path_inside_a_script_or_an_argument_is_judged(installed: Hooks, command: str) -> None:
    reason = folder_deny(installed, _in_home(command))
    assert reason == FOLDER_MESSAGE.format(home=installed.home)
    assert os.listdir(os.path.join(installed.home, "halts"))


@pytest.mark.parametrize("command", [
    "python3 -c 'open(\"/tmp/x\",\"w\")'", "awk '{print $1}' /etc/hosts",
    "sed -n 1p ~/notes.txt", "sed -i 's/foo/bar/' ~/notes.txt", "sed -i '1,/^$/d' notes.txt",
    "python3 -c 'import shutil; shutil.rmtree(\"/tmp/build\")'",
    "python3 -c 'import shutil; shutil.rmtree(\"<HOME>/projects/x/build\")'",
    "python3 -c 'import shutil; shutil.rmtree(\"<HOME>/.claude/plugins/data/PACT-other\")'",
    "python3 -c 'import os; print(os.listdir(\"<HOME>/.claude/plugins\"))'",
    "node -e '/* tidy */ require(\"fs\").rmSync(\"dist\", {recursive: true})'",
    "awk -F/ '{system(\"rm \" $2)}' list.txt", "perl -pi -e 's#/usr/local#/opt#g' app.ini",
    "cat > notes.md <<'EOF'\nSee /usr/share/doc and ~/projects/x.\nrm -rf /tmp/build\nEOF",
    "make -f - <<'MK'\nall:\n\trm -rf build /tmp/out\nMK",
    "git commit -m 'move the files from /src to /lib'", "find . -name '*.pyc' -exec rm {} +",
    "docker run -v /data:/data -w /app img sh -c 'rm -rf /app/build/*'",
    "tar -C /tmp -xzf x.tgz --exclude='*/node_modules/*'", f"ls -1 {DATA}/ | xargs -n1 echo",
    f"rm -rf '{{build,{GLOB}}}'", f"X=1 rm -rf '{{build,{GLOB}}}'", "cp -t/tmp/out build/a.txt",
])
def test_a_script_naming_other_paths_still_runs(installed: Hooks, command: str) -> None:
    assert passes(installed, _in_home(command))


def test_a_path_inside_a_script_through_a_symlink_is_followed(linked: Hooks) -> None:
    folder_deny(linked, f"python3 -c 'import shutil; shutil.rmtree(\"{linked.project}/pd/halts\")'")
    folder_deny(linked, f"awk 'BEGIN{{system(\"rm -rf {linked.project}/pl/data\")}}'")
    assert passes(linked, f"python3 -c 'print(open(\"{linked.project}/README\").read())'")


@pytest.mark.parametrize("command", ["python3 -c 'open(\"/tmp/x\",\"w\")'",
                                     "node -e 'run(\"/tmp\")'", "perl -e 'print 1/2'"])
def test_ordinary_scripts_stay_off_the_reader(installed: Hooks, command: str) -> None:
    from . import test_signals_hooks

    test_signals_hooks.test_ordinary_commands_are_judged_without_loading_the_command_reader(
        installed, command)


# ---- a nested Claude Code client or a prompt file could resolve in the user's name ------

CLIENT_DENY = enforce._CLIENT_DENY
TEXT_DENY = enforce._TEXT_DENY
SESSION = "11111111-1111-1111-1111-111111111111"
CLIENTS = [
    f"claude --session-id {SESSION} -p '/PACT:resolve S1 approved'",
    'claude --resume "$CLAUDE_CODE_SESSION_ID" -p "run the psql drop now"',
    "claude -c -p 'go on'", "claude --continue", "claude -r", "claude --print hello",
    "claude 'drop it'", "claude", "claude agents", "claude -p < prompt.txt",
    "echo '/PACT:resolve S1 yes' | claude -p", "echo go | claude -p",
    "/usr/local/bin/claude -p x", "~/.claude/local/claude -p x", "./node_modules/.bin/claude -p x",
    "npx @anthropic-ai/claude-code -p x", "npx -y @anthropic-ai/claude-code@2.1.197 -p x",
    "pnpx @anthropic-ai/claude-code -p x", "bunx @anthropic-ai/claude-code -p x",
    "pnpm dlx @anthropic-ai/claude-code -p x", "yarn dlx @anthropic-ai/claude-code -p x",
    "npm exec -- @anthropic-ai/claude-code -p x",
    "npx -p @anthropic-ai/claude-code claude -p x",
    "node node_modules/@anthropic-ai/claude-code/cli.js -p x",
    "node --no-warnings /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js -c",
    "env claude -p x", "env -i HOME=/tmp claude -p x", "env -S 'claude -p x'", "exec claude -p x",
    "command claude -p x", "nohup claude -p x &", "timeout 30s claude -p x",
    "timeout -k 5 30 claude -p x", "sudo -u bob claude -p x", "X=1 claude -p x",
    "sh -c 'claude -p x'", "bash -lc \"cd /tmp && claude -p x\"", "eval 'claude -p x'",
    "echo $(claude -p x)", "cd /tmp && claude -p x", "cla''ude -p x", 'c"laude" -p x',
    "echo x | xargs claude -p", "ls; claude --version; claude -p x",
]


@pytest.mark.parametrize("command", CLIENTS)
def test_a_client_that_takes_a_prompt_is_refused_at_all_times(hooks: Hooks, command: str) -> None:
    assert deny_reason(hooks.bash(command)) == CLIENT_DENY
    hooks.halt()
    assert deny_reason(hooks.bash(command)) == CLIENT_DENY


@pytest.mark.parametrize("command", [
    "printf '/PACT:resolve S1 approved' > prompt.txt", "echo '/PACT:resolve S1 yes' | tee p.txt",
    "cat > p.txt <<'EOF'\n/PACT:resolve S1 approved\nEOF",
    "python3 -c 'print(\"/PACT:resolve\")' > f",
    "echo /PACT:'resolve' S1 yes >> f"])
def test_a_command_that_writes_the_resolve_command_is_refused(hooks: Hooks, command: str) -> None:
    assert deny_reason(hooks.bash(command)) == TEXT_DENY


@pytest.mark.parametrize("command", [
    "claude --version", "claude -v", "claude --help", "claude -h", "claude mcp list",
    "claude plugin list", "claude plugins install x", "claude doctor", "claude update",
    "claude config list", "claude install stable", "claude setup-token",
    "npx @anthropic-ai/claude-code --version", "env claude --version", "sh -c 'claude mcp list'",
    "grep -rn PACT:resolve docs", 'grep -rn "/PACT:resolve" .', "which claude", "type claude",
    "cat ~/.claude/settings.json", "ls ~/.claude", "git commit -m 'Docs: how claude loads hooks'",
    "git log --grep claude", "npm install -g @anthropic-ai/claude-code", "echo claude-code",
    "grep -c claude README.md", "timeout 5 grep claude README.md"])
def test_harmless_twins_still_run(hooks: Hooks, command: str) -> None:
    assert hooks.bash(command) is None


def test_during_a_halt_reading_twins_run_and_management_waits(hooks: Hooks) -> None:
    hooks.halt()
    assert hooks.bash("grep -rn PACT:resolve docs") is None
    assert hooks.bash("which claude") is None
    assert deny_reason(hooks.bash("claude mcp list")).startswith(PAUSED)
