"""Packaging: layout, determinism, atomic replacement, generated hooks, entries and shims."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pact_build import emit, pipeline, schema, sources
from pact_runtime import registry

FAKE_RUNTIME = {
    "scripts/pact_runtime/__init__.py": "",
    "scripts/pact_runtime/registry.py": textwrap.dedent("""\
        class Handler:
            def __init__(self, event, target, tools=()):
                self.event, self.target, self.tools = event, target, tools

        HANDLERS = (
            Handler("SessionStart", "x:a"),
            Handler("PreToolUse", "x:b", ("Bash",)),
            Handler("PreToolUse", "x:c", ("Write", "Bash")),
        )
        COMMANDS = {"pact-echo": "echo:main"}

        def events():
            seen = []
            for h in HANDLERS:
                if h.event not in seen:
                    seen.append(h.event)
            return seen

        def matcher(event):
            tools = []
            for h in HANDLERS:
                if h.event == event:
                    if not h.tools:
                        return None
                    tools.extend(t for t in h.tools if t not in tools)
            return "|".join(tools) or None
        """),
    "scripts/pact_runtime/echo.py": textwrap.dedent("""\
        import sys

        def main(argv=None):
            print("echo", " ".join(argv), "site" in sys.modules)
            return 3
        """),
    "scripts/pact_runtime/dispatch.py": textwrap.dedent("""\
        import sys

        def main():
            print("dispatched", sys.argv[1:])
            return 0
        """),
    "scripts/pact_runtime/sub/__init__.py": "",
    "scripts/pact_runtime/sub/__pycache__/x.cpython-311.pyc": b"\x00",
    "scripts/pact_runtime/notes.txt": "not shipped\n",
}


def _tree(root):
    """Every file under root with its bytes and mode."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_built_layout(source_tree, tmp_path):
    out = tmp_path / "dist"

    pipeline.build(source_tree(files=FAKE_RUNTIME), out)

    files = set(_tree(out))
    assert {
        ".claude-plugin/marketplace.json",
        "PACT/.claude-plugin/plugin.json",
        "PACT/agents/pact-tester.md",
        "PACT/commands/orchestrate.md",
        "PACT/skills/pact-task-tracking/SKILL.md",
        "PACT/skills/pact-task-tracking/references/detail.md",
        "PACT/protocols/pact-handoff.md",
        "PACT/hooks/hooks.json",
        "PACT/hooks/session-brief.md",
        "PACT/runtime/pact_hook.py",
        "PACT/runtime/pact_cli.py",
        "PACT/bin/pact-echo",
        "PACT/runtime/pact_runtime/__init__.py",
        "PACT/runtime/pact_runtime/registry.py",
        "PACT/runtime/pact_runtime/echo.py",
        "PACT/runtime/pact_runtime/dispatch.py",
        "PACT/runtime/pact_runtime/sub/__init__.py",
        "PACT/runtime/vendor/sqlglot/__init__.py",
        "PACT/runtime/vendor/sqlglot.LICENSE",
        "PACT/runtime/vendor/sqlglot.json",
    } <= files
    assert not [f for f in files if "__pycache__" in f or f.endswith((".txt", ".pyc"))]
    vendored = [f for f in files if f.startswith("PACT/runtime/vendor/sqlglot/")]
    assert vendored and all(f.endswith(".py") for f in vendored)


def test_plugin_manifest_gets_the_pyproject_version_and_no_component_lists(source_tree, tmp_path):
    pyproject = '[project]\nname = "pact-plugin"\nversion = "9.8.7"\n'
    root = source_tree(files={"pyproject.toml": pyproject})
    out = tmp_path / "dist"

    pipeline.build(root, out)

    manifest = json.loads((out / "PACT/.claude-plugin/plugin.json").read_text())
    assert list(manifest)[:2] == ["name", "version"]
    assert manifest["version"] == "9.8.7"
    assert not {"agents", "commands", "skills", "hooks"} & set(manifest)
    market = json.loads((out / ".claude-plugin/marketplace.json").read_text())
    assert market["plugins"][0]["source"] == "./PACT"


def test_vendored_sqlglot_records_version_and_license(source_tree, tmp_path):
    import importlib.metadata

    out = tmp_path / "dist"
    pipeline.build(source_tree(), out)

    record = json.loads((out / "PACT/runtime/vendor/sqlglot.json").read_text())
    assert record == {
        "name": "sqlglot",
        "version": importlib.metadata.version("sqlglot"),
        "license": "sqlglot.LICENSE",
    }
    assert "MIT" in (out / "PACT/runtime/vendor/sqlglot.LICENSE").read_text()


def test_two_builds_are_byte_identical(source_tree, tmp_path):
    root = source_tree(files=FAKE_RUNTIME)

    pipeline.build(root, tmp_path / "one")
    pipeline.build(root, tmp_path / "two")

    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")


def test_file_modes_do_not_depend_on_the_umask(source_tree, tmp_path):
    old = os.umask(0o077)
    try:
        pipeline.build(source_tree(files=FAKE_RUNTIME), tmp_path / "dist")
    finally:
        os.umask(old)

    modes = {rel: mode for rel, (_, mode) in _tree(tmp_path / "dist").items()}
    assert modes["PACT/bin/pact-echo"] == 0o755
    assert {m for rel, m in modes.items() if not rel.startswith("PACT/bin/")} == {0o644}
    assert stat.S_IMODE((tmp_path / "dist/PACT/agents").stat().st_mode) == 0o755


def test_rebuild_replaces_the_old_tree(source_tree, tmp_path):
    out = tmp_path / "dist"
    pipeline.build(source_tree(files={"commands/old.md": "---\ndescription: Old\n---\nx\n"}), out)

    pipeline.build(source_tree(), out)

    assert not (out / "PACT/commands/old.md").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "src0", "src1"]


def test_failed_build_leaves_the_previous_dist_untouched(source_tree, tmp_path):
    out = tmp_path / "dist"
    pipeline.build(source_tree(), out)
    before = _tree(out)
    broken = source_tree(files={"commands/orchestrate.md": "---\ndescription: no\n---\nx\n"})

    result = pipeline.build(broken, out)

    assert result.report.errors and result.out is None
    assert _tree(out) == before


def test_crash_while_writing_leaves_the_previous_dist_untouched(source_tree, tmp_path, monkeypatch):
    out = tmp_path / "dist"
    pipeline.build(source_tree(), out)
    before = _tree(out)

    def explode(path, entry, mode):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(emit, "_write_file", explode)
    with pytest.raises(emit.UsageError) as caught:
        pipeline.build(source_tree(), out)

    assert str(caught.value) == (
        f"cannot write {out}: No space left on device; the previous build there is untouched"
    )
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "src0", "src1"]


def test_failed_swap_puts_the_previous_dist_back(source_tree, tmp_path, monkeypatch):
    out = tmp_path / "dist"
    pipeline.build(source_tree(), out)
    before = _tree(out)
    real_rename = emit.os.rename

    def rename(src, dst):
        if ".new-" in str(src):
            raise OSError(18, "Invalid cross-device link")
        real_rename(src, dst)

    monkeypatch.setattr(emit.os, "rename", rename)
    with pytest.raises(emit.UsageError):
        pipeline.build(source_tree(), out)

    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "src0", "src1"]


def test_write_error_is_one_error_line_and_exit_2(source_tree, tmp_path, monkeypatch, capsys):
    from pact_build import cli

    def explode(path, entry, mode):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(emit, "_write_file", explode)

    code = cli.main(["build", "--src", str(source_tree()), "--out", str(tmp_path / "dist")])

    assert code == 2
    assert (
        capsys.readouterr().err == f"Error: cannot write {tmp_path / 'dist'}: Permission denied\n"
    )


def test_refuses_to_replace_a_folder_that_is_not_a_build(source_tree, tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "keep.txt").write_text("mine")

    with pytest.raises(emit.UsageError):
        pipeline.build(source_tree(), out)

    assert (out / "keep.txt").read_text() == "mine"


def test_hooks_json_matches_the_real_registry(source_tree, tmp_path):
    out = tmp_path / "dist"
    pipeline.build(source_tree(), out)

    config = json.loads((out / "PACT/hooks/hooks.json").read_text())

    assert list(config["hooks"]) == registry.events()
    for event, groups in config["hooks"].items():
        assert len(groups) == 1
        assert groups[0].get("matcher") == registry.matcher(event)
        run = f'python3 -S "${{CLAUDE_PLUGIN_ROOT}}/runtime/pact_hook.py" {event}'
        if event == "SessionStart":
            run += f"; [ $? -lt 126 ] || echo '{emit.runtime_missing_json()}'"
        else:
            run += " || true"
        assert groups[0]["hooks"] == [{"type": "command", "command": run, "timeout": 30}]
    assert list(schema.validator("hooks").iter_errors(config)) == []


def test_the_built_pre_tool_use_matcher_reaches_mcp_tools_and_only_the_listed_names(
        source_tree, tmp_path):
    import re

    out = tmp_path / "dist"
    pipeline.build(source_tree(), out)
    config = json.loads((out / "PACT/hooks/hooks.json").read_text())

    (group,) = config["hooks"]["PreToolUse"]
    pattern = re.compile(group["matcher"])  # the client tests it unanchored, as search does
    assert pattern.search("mcp__testdb__execute_sql") and pattern.search("Bash")
    for other in ("Read", "BashOutput", "TaskOutput", "mcp_testdb", "ListMcpResourcesTool"):
        assert not pattern.search(other), other


def test_hooks_json_follows_the_source_tree_registry(source_tree, tmp_path):
    out = tmp_path / "dist"
    pipeline.build(source_tree(files=FAKE_RUNTIME), out)

    config = json.loads((out / "PACT/hooks/hooks.json").read_text())

    assert {e: [g.get("matcher") for g in gs] for e, gs in config["hooks"].items()} == {
        "SessionStart": [None],
        "PreToolUse": ["Bash|Write"],
    }


def test_bin_shims_are_executable_posix_sh(source_tree, tmp_path):
    out = tmp_path / "dist"
    pipeline.build(source_tree(files=FAKE_RUNTIME), out)
    shim = out / "PACT/bin/pact-echo"

    assert shim.read_text() == (
        '#!/bin/sh\nexec python3 -S "${0%/*}/../runtime/pact_cli.py" pact-echo "$@"\n'
    )
    assert os.access(shim, os.X_OK)
    assert subprocess.run(["sh", "-n", str(shim)]).returncode == 0
    dash = shutil.which("dash")
    if dash:
        assert subprocess.run([dash, "-n", str(shim)]).returncode == 0


def test_shim_runs_the_command_through_pact_cli_without_site(source_tree, tmp_path):
    out = tmp_path / "my dist"
    pipeline.build(source_tree(files=FAKE_RUNTIME), out)

    proc = subprocess.run(
        [str(out / "PACT/bin/pact-echo"), "a b", "c"],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"]},
    )

    assert (proc.returncode, proc.stdout, proc.stderr) == (3, "echo a b c False\n", "")


def test_pact_cli_rejects_an_unknown_command(source_tree, tmp_path):
    out = tmp_path / "dist"
    pipeline.build(source_tree(files=FAKE_RUNTIME), out)

    proc = subprocess.run(
        [sys.executable, "-S", str(out / "PACT/runtime/pact_cli.py"), "nope"],
        capture_output=True,
        text=True,
    )

    assert proc.returncode == 1
    assert proc.stderr == "Error: unknown command 'nope' (known: pact-echo)\n"


def test_pact_hook_runs_the_dispatcher(source_tree, tmp_path):
    out = tmp_path / "dist"
    pipeline.build(source_tree(files=FAKE_RUNTIME), out)

    proc = subprocess.run(
        [sys.executable, "-S", str(out / "PACT/runtime/pact_hook.py"), "Stop"],
        capture_output=True,
        text=True,
        input="{}",
    )

    assert (proc.returncode, proc.stdout) == (0, "dispatched ['Stop']\n")


def test_built_plugin_validates_as_a_marketplace(source_tree, tmp_path):
    out = tmp_path / "dist"
    pipeline.build(source_tree(), out)

    result = pipeline.validate(out, strict=True)

    assert result.layout == pipeline.MARKETPLACE
    assert result.report.problems == []


def test_runtime_comes_from_the_installed_package_when_the_tree_has_none(source_tree):
    root = source_tree()

    assert emit.runtime_dir(root) == Path(registry.__file__).parent
    assert sources.find(root, pact=True)[1] == []


# The output folder: only an earlier build (or an empty or new folder) is ever replaced.


def _snapshot(root):
    """Every path under root (folders too) with the bytes of each file."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


def _build(capsys, src, out, *more):
    from pact_build import cli

    code = cli.main(["build", "--src", str(src), "--out", str(out), *more])
    stdout, stderr = capsys.readouterr()
    return code, stdout, stderr


def test_a_users_marketplace_repository_is_never_replaced(source_tree, tmp_path, capsys):
    mine = tmp_path / "mymkt"
    for rel, text in {
        ".claude-plugin/marketplace.json": '{"name": "mine", "owner": {"name": "me"}}\n',
        ".git/HEAD": "ref: refs/heads/main\n",
        "other-plugin/.claude-plugin/plugin.json": '{"name": "other"}\n',
        "NOTES.md": "my notes\n",
    }.items():
        (mine / rel).parent.mkdir(parents=True, exist_ok=True)
        (mine / rel).write_text(text)
    before = _snapshot(mine)

    code, stdout, stderr = _build(capsys, source_tree(), mine)

    assert (code, stdout) == (2, "")
    assert stderr == (
        f"Error: refusing to replace {mine}: it holds .git, NOTES.md, other-plugin, which a "
        'build does not write; its .claude-plugin/marketplace.json names marketplace "mine", '
        'not "pact-marketplace"; build into a new or empty folder, or move what you keep out '
        f"of {mine} first\n"
    )
    assert _snapshot(mine) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mymkt", "src0"]


def test_a_file_added_to_an_earlier_build_stops_the_next_one(source_tree, tmp_path, capsys):
    out = tmp_path / "dist"
    root = source_tree()
    pipeline.build(root, out)
    (out / "PACT/notes.md").write_text("keep me\n")
    (out / "PACT/agents/.git").mkdir()
    (out / "PACT/agents/.git/HEAD").write_text("ref: refs/heads/main\n")
    before = _snapshot(out)

    code, _, stderr = _build(capsys, root, out)

    assert code == 2
    assert stderr == (
        f"Error: refusing to replace {out}: it holds PACT/agents/.git/HEAD, PACT/notes.md, "
        "which the build did not write; build into a new or empty folder, or move what you keep "
        f"out of {out} first\n"
    )
    assert _snapshot(out) == before


def test_the_stamp_lists_every_file_the_build_wrote(source_tree, tmp_path):
    out = tmp_path / "dist"

    pipeline.build(source_tree(), out)

    stamp = json.loads((out / emit.STAMP).read_text())
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert stamp["built-by"] == "pact-plugin build"
    assert stamp["files"] == [f for f in written if f != emit.STAMP]


def test_python_caches_in_an_earlier_build_do_not_stop_the_next(source_tree, tmp_path, capsys):
    out = tmp_path / "dist"
    root = source_tree()
    pipeline.build(root, out)
    cache = out / "PACT/runtime/pact_runtime/__pycache__"
    cache.mkdir()
    (cache / "dispatch.cpython-311.pyc").write_bytes(b"\0")

    code, _, stderr = _build(capsys, root, out)

    assert (code, stderr) == (0, "")
    assert not cache.exists()


def test_a_build_from_before_the_stamp_is_recognised_by_its_shape(source_tree, tmp_path, capsys):
    out = tmp_path / "dist"
    root = source_tree(files={"commands/old.md": "---\ndescription: Old\n---\nx\n"})
    pipeline.build(root, out)
    (out / emit.STAMP).unlink()

    code, _, stderr = _build(capsys, source_tree(), out)

    assert (code, stderr) == (0, "")
    assert not (out / "PACT/commands/old.md").exists()
    assert (out / emit.STAMP).is_file()


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda out: (out / "README.md").write_text("x"), "it holds README.md"),
        (lambda out: (out / "PACT/.git").mkdir(), "it holds PACT/.git"),
        (
            lambda out: (out / "PACT/runtime/pact_hook.py").unlink(),
            "PACT/ has no runtime/pact_hook.py",
        ),
        (
            lambda out: (out / emit.MARKETPLACE).write_text('{"name": "theirs"}'),
            'its .claude-plugin/marketplace.json names marketplace "theirs"',
        ),
    ],
    ids=["extra file", "repository inside", "not a PACT plugin", "other marketplace"],
)
def test_a_folder_without_a_stamp_that_differs_from_a_build_is_refused(
    source_tree, tmp_path, capsys, change, reason
):
    out = tmp_path / "dist"
    root = source_tree()
    pipeline.build(root, out)
    (out / emit.STAMP).unlink()
    change(out)
    before = _snapshot(out)

    code, _, stderr = _build(capsys, root, out)

    assert code == 2
    assert stderr.startswith(f"Error: refusing to replace {out}: {reason}")
    assert _snapshot(out) == before


def test_an_empty_folder_is_built_into(source_tree, tmp_path, capsys):
    out = tmp_path / "empty"
    out.mkdir()

    code, _, _ = _build(capsys, source_tree(), out)

    assert code == 0
    assert (out / "PACT/.claude-plugin/plugin.json").is_file()


@pytest.mark.parametrize("given", ["afile", "afile/sub", "afile/sub/deeper"])
def test_out_at_or_under_a_file_is_a_usage_error(source_tree, tmp_path, capsys, given):
    (tmp_path / "afile").write_text("mine\n")
    root = source_tree()
    out = tmp_path / given

    code, stdout, stderr = _build(capsys, root, out)

    assert (code, stdout) == (2, "")
    assert stderr == (
        f"Error: --out {out} is a file, not a folder; name a new or empty folder\n"
        if given == "afile"
        else f"Error: --out {out}: {tmp_path / 'afile'} is a file, so no folder can be made in it\n"
    )
    assert (tmp_path / "afile").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "src0"]


def test_a_linked_output_folder_is_rebuilt_where_it_points(source_tree, tmp_path, capsys):
    real = tmp_path / "real"
    link = tmp_path / "dist"
    link.symlink_to(real, target_is_directory=True)
    root = source_tree()
    pipeline.build(root, real)

    code, _, _ = _build(capsys, root, link)

    assert code == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert (real / "PACT/.claude-plugin/plugin.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "real", "src0"]


def test_nothing_is_checked_before_a_refused_folder_is_named(source_tree, tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    broken = source_tree(files={"commands/orchestrate.md": "---\ndescription: no\n---\nx\n"})

    code, _, stderr = _build(capsys, broken, mine)

    assert code == 2
    assert stderr.startswith(f"Error: refusing to replace {mine}: it holds keep.txt, ")
    assert (mine / "keep.txt").read_text() == "mine"


def test_session_start_says_pact_is_off_when_python3_cannot_be_found(source_tree, tmp_path):
    """sh exits 127 for a missing python3: the SessionStart command then answers for it, so
    the user and the model hear that PACT is off; the other events stay silent."""
    out = tmp_path / "dist"
    pipeline.build(source_tree(), out)
    config = json.loads((out / "PACT/hooks/hooks.json").read_text())
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {"PATH": str(empty), "CLAUDE_PLUGIN_ROOT": str(out / "PACT")}
    answers = {}
    for event, groups in config["hooks"].items():
        proc = subprocess.run(["/bin/sh", "-c", groups[0]["hooks"][0]["command"]], input=b"{}",
                              env=env, capture_output=True, timeout=60)
        assert proc.returncode == 0, event
        assert b"python3" in proc.stderr  # sh's own "not found", seen only in debug logs
        answers[event] = proc.stdout

    text = ("PACT is off in this session: its hooks need python3, version 3.9 or newer, on "
            "the PATH Claude Code was started with. Until then no HALT is enforced, the SQL "
            "and secrets guard does not run, and memories are neither recalled nor captured.")
    assert json.loads(answers.pop("SessionStart")) == {
        "systemMessage": text,
        "hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": text}}
    assert set(answers.values()) == {b""}


def test_the_license_of_the_sources_ships_in_the_plugin(source_tree, tmp_path):
    terms = "MIT License\n\nCopyright (c) 2026 Example\n"
    pipeline.build(source_tree({"LICENSE": terms}), tmp_path / "with")
    pipeline.build(source_tree(), tmp_path / "without")

    assert (tmp_path / "with/PACT/LICENSE").read_text() == terms
    assert not (tmp_path / "without/PACT/LICENSE").exists()
    assert (Path(__file__).parents[2] / "LICENSE").read_text().startswith("MIT License\n")
