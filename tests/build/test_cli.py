"""The pact-plugin command line: exit codes, messages, summary."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys

import pytest
from pact_build import cli

from .helpers import agent

BAD = {"commands/orchestrate.md": "---\ndescription: Run\nargument-hint: [x]\n---\nx\n"}
WARN = {"agents/pact-tester.md": agent("name: pact-tester\ndescription: T.\nflavour: mint\n")}


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_build_prints_summary_and_install_lines(source_tree, tmp_path, capsys):
    out = tmp_path / "dist"

    code, stdout, stderr = run(capsys, "build", "--src", source_tree(), "--out", out)

    assert (code, stderr) == (0, "")
    lines = stdout.splitlines()
    assert (
        lines[0]
        == f"Built PACT into {out}: 1 agents, 1 commands, 1 skills, 1 protocols, 5 hook events."
    )
    assert lines[3:10] == [
        "kind     id                   chars tokens",
        "agent    pact-tester             92     23",
        "command  orchestrate             54     14",
        "skill    pact-task-tracking      83     21",
        "brief    session-brief           61     16",
        "recall   memory-recall (cap)  1,000    250",
        "total                         1,290    323   (budget 6,000 characters)",
    ]
    assert lines[-2:] == [
        f"  claude plugin marketplace add {out}",
        "  claude plugin install PACT@pact-marketplace",
    ]
    assert lines[-3].startswith("Done in ") and lines[-3].endswith(" s. Install with:")


def test_build_defaults_to_dist_in_the_current_folder(source_tree, monkeypatch, capsys):
    root = source_tree()
    monkeypatch.chdir(root)

    code, _, _ = run(capsys, "build")

    assert code == 0
    assert (root / "dist/PACT/.claude-plugin/plugin.json").is_file()


def test_content_errors_exit_1_and_print_compiler_style(source_tree, tmp_path, capsys):
    code, stdout, stderr = run(
        capsys, "build", "--src", source_tree(files=BAD), "--out", tmp_path / "d"
    )

    assert code == 1
    assert stdout == ""
    assert stderr.splitlines() == [
        "commands/orchestrate.md:3: yaml-list: `argument-hint` must be a string, "
        "but YAML reads [x] as a list",
        '    fix: quote it: argument-hint: "[x]"',
        "1 error(s), 0 warning(s); nothing written",
    ]
    assert not (tmp_path / "d").exists()


def test_warnings_pass_unless_strict(source_tree, tmp_path, capsys):
    root = source_tree(files=WARN)

    relaxed = run(capsys, "validate", root)
    strict = run(capsys, "validate", root, "--strict")

    assert relaxed[0] == 0 and "unknown-key: warning:" in relaxed[2]
    assert strict[0] == 1
    assert strict[2].splitlines()[-1] == "0 error(s), 1 warning(s) (--strict: warnings fail)"


def test_validate_defaults_to_the_current_folder(source_tree, monkeypatch, capsys):
    root = source_tree()
    monkeypatch.chdir(root)

    code, stdout, _ = run(capsys, "validate")

    assert code == 0
    assert stdout.startswith(". : PACT source tree is valid (".replace(" :", ":"))


def test_validate_on_a_folder_that_is_not_a_plugin_exits_2(tmp_path, capsys):
    (tmp_path / "README.md").write_text("# hi\n")

    code, stdout, stderr = run(capsys, "validate", tmp_path)

    assert (code, stdout) == (2, "")
    assert stderr == (
        f"Error: {tmp_path} is not a Claude Code plugin, marketplace or PACT source "
        "tree: found no .claude-plugin/plugin.json or .claude-plugin/marketplace.json\n"
    )


def test_missing_folder_is_a_usage_error(tmp_path, capsys):
    code, _, stderr = run(capsys, "validate", tmp_path / "nope")

    assert code == 2
    assert stderr == f"Error: {tmp_path / 'nope'} does not exist\n"


def test_a_file_given_as_the_folder_is_a_usage_error(source_tree, capsys):
    manifest = source_tree() / ".claude-plugin/plugin.json"

    code, stdout, stderr = run(capsys, "validate", manifest)

    assert (code, stdout) == (2, "")
    assert stderr == f"Error: {manifest} is a file, not a folder; give the folder that holds it\n"


def test_validate_from_inside_the_sources_checks_the_sources(source_tree, monkeypatch, capsys):
    root = source_tree()
    monkeypatch.chdir(root / "skills/pact-task-tracking/references")

    code, stdout, _ = run(capsys, "validate")

    assert code == 0
    assert stdout.startswith(f"{root}: PACT source tree is valid (1 agents, 1 commands, ")


def test_validate_with_no_plugin_around_says_so_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    code, stdout, stderr = run(capsys, "validate")

    assert (code, stdout) == (2, "")
    assert stderr == (
        f"Error: no PATH given, and neither the current folder ({tmp_path}) nor any folder "
        "above it holds .claude-plugin/plugin.json or .claude-plugin/marketplace.json; "
        "give the folder to check: pact-plugin validate PATH\n"
    )


def test_validate_help_states_the_default_it_uses(capsys):
    with pytest.raises(SystemExit):
        cli.main(["validate", "--help"])

    text = " ".join(capsys.readouterr().out.split())
    assert (
        "folder to check (default: the current folder or the nearest folder above it that "
        "holds .claude-plugin/plugin.json or marketplace.json, so inside this repository the "
        "PACT sources)"
    ) in text


def test_out_may_not_replace_the_sources(source_tree, capsys):
    root = source_tree()

    code, _, stderr = run(capsys, "build", "--src", root, "--out", root)

    assert code == 2
    assert stderr.startswith("Error: --out ")


def test_build_of_a_plain_plugin_folder_is_a_usage_error(tmp_path, capsys):
    (tmp_path / ".claude-plugin").mkdir()
    (tmp_path / ".claude-plugin/plugin.json").write_text('{"name": "x"}')

    code, _, stderr = run(capsys, "build", "--src", tmp_path, "--out", tmp_path / "d")

    assert code == 2
    assert "is not a PACT source tree" in stderr


def test_build_outside_the_sources_says_to_use_src(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)

    code, stdout, stderr = run(capsys, "build")

    assert (code, stdout) == (2, "")
    assert stderr == (
        f"Error: the current folder ({tmp_path}) is not a PACT source tree (it needs "
        ".claude-plugin/plugin.json, .claude-plugin/marketplace.json, protocols/ and a "
        "pyproject.toml for the pact-plugin project); run "
        "pact-plugin build in the PACT repository, or name it: pact-plugin build --src DIR\n"
    )
    assert not (tmp_path / "dist").exists()


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["build", "--bogus"])

    assert exc.value.code == 2


def test_every_subcommand_has_help(capsys):
    for command in ("build", "validate"):
        with pytest.raises(SystemExit) as exc:
            cli.main([command, "--help"])
        assert exc.value.code == 0
        assert "Example: pact-plugin" in " ".join(capsys.readouterr().out.split())


def test_verbose_logs_milestones_to_the_pact_build_logger(source_tree, tmp_path, capsys):
    root = source_tree()

    code, _, stderr = run(capsys, "-v", "validate", root)

    assert code == 0
    assert stderr == "INFO pact_build.pipeline: checked 8 files: 0 error(s), 0 warning(s)\n"


def test_pipeline_logs_the_outcome(source_tree, caplog):
    from pact_build import pipeline

    with caplog.at_level(logging.INFO, logger="pact_build"):
        pipeline.validate(source_tree(files=BAD))

    assert caplog.record_tuples == [
        ("pact_build.pipeline", logging.INFO, "checked 8 files: 1 error(s), 0 warning(s)")
    ]


def test_console_script_is_installed(source_tree, tmp_path):
    exe = shutil.which("pact-plugin", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert exe is not None

    proc = subprocess.run([exe, "validate", str(source_tree())], capture_output=True, text=True)

    assert proc.returncode == 0, proc.stderr


def test_json_summary_is_not_mixed_into_errors(source_tree, tmp_path, capsys):
    out = tmp_path / "dist"
    run(capsys, "build", "--src", source_tree(), "--out", out)

    assert (
        json.loads((out / ".claude-plugin/marketplace.json").read_text())["name"]
        == "pact-marketplace"
    )
