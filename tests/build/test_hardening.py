"""Hostile input: the build never destroys sources, runs content code or expands YAML bombs."""

from __future__ import annotations

import os
import time

import jinja2
import jinja2.sandbox
import pytest
from pact_build import cli, frontmatter, pipeline, render

from .helpers import agent

C = "commands/orchestrate.md"
A = "agents/pact-tester.md"
ONLY = 'template: only <!--{ include("protocol", "Heading") }--> is allowed here'
ORIGINAL = "Orchestrate $ARGUMENTS with PACT:pact-tester and the PACT:pact-task-tracking skill.\n"


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def command(body):
    return {C: "---\ndescription: Run a task\n---\n" + body}


def problems(root, strict=False):
    return [(p.path, p.line, p.code) for p in pipeline.validate(root, strict).report.problems]


# 1. The output folder can never replace or land inside the sources.


def test_out_through_a_symlink_to_the_sources_is_refused(source_tree, tmp_path, capsys):
    root = source_tree()
    link = tmp_path / "link"
    link.symlink_to(root)

    code, stdout, stderr = run(capsys, "build", "--src", link, "--out", root)

    assert (code, stdout) == (2, "")
    assert stderr == f"Error: --out {root} is the source folder; choose another, such as dist\n"
    assert (root / C).read_text().endswith(ORIGINAL)
    assert sorted(p.name for p in root.iterdir()) == [
        ".claude-plugin",
        "agents",
        "commands",
        "hooks",
        "protocols",
        "pyproject.toml",
        "skills",
    ]


def test_out_spelled_through_the_parent_is_refused(source_tree, monkeypatch, capsys):
    root = source_tree()
    monkeypatch.chdir(root)

    code, _, stderr = run(capsys, "build", "--out", f"../{root.name}")

    assert code == 2
    assert stderr == (
        f"Error: --out ../{root.name} is the source folder; choose another, such as dist\n"
    )
    assert (root / C).read_text().endswith(ORIGINAL)
    assert not [p for p in root.parent.iterdir() if ".new-" in p.name or ".old-" in p.name]


def test_out_that_contains_the_sources_is_refused(source_tree, capsys):
    root = source_tree()

    code, _, stderr = run(capsys, "build", "--src", root, "--out", root.parent)

    assert code == 2
    assert stderr == (
        f"Error: --out {root.parent} contains the source folder; choose another, such as dist\n"
    )


@pytest.mark.parametrize("folder", ["agents", "protocols", "skills/pact-task-tracking", "hooks"])
def test_out_inside_a_content_folder_is_refused(source_tree, capsys, folder):
    root = source_tree()
    first = folder.split("/")[0]

    code, _, stderr = run(capsys, "build", "--src", root, "--out", root / folder / "out")

    assert code == 2
    assert stderr == (
        f"Error: --out {root / folder / 'out'} is inside the source folder {first}/; "
        "choose a dedicated output folder, such as dist\n"
    )
    assert not (root / folder / "out").exists()


def test_out_in_a_dedicated_folder_inside_the_sources_is_fine(source_tree, capsys):
    root = source_tree()

    code, _, _ = run(capsys, "build", "--src", root, "--out", root / "dist")

    assert code == 0
    assert (root / "dist/PACT/commands/orchestrate.md").is_file()
    assert (root / C).read_text().endswith(ORIGINAL)


# 4. An empty argument is a usage error, not the current folder.


@pytest.mark.parametrize(
    "argv, message",
    [
        (["validate", ""], "PATH must not be empty"),
        (["build", "--src", ""], "--src must not be empty"),
        (["build", "--out", ""], "--out must not be empty"),
    ],
)
def test_empty_path_arguments_are_usage_errors(source_tree, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(source_tree())

    code, stdout, stderr = run(capsys, *argv)

    assert (code, stdout, stderr) == (2, "", f"Error: {message}\n")


# 2. Only include("protocol", "Heading") reaches the template engine.

HOSTILE = {
    "globals escape": '<!--{ cycler.__init__.__globals__.os.system("touch MARKER") }-->',
    "memory bomb": "<!--{ range(10**9)|list }-->",
    "lipsum": "<!--{ lipsum() }-->",
    "self": "<!--{ self }-->",
    "one argument": '<!--{ include("nope") }-->',
    "no argument": "<!--{ include() }-->",
    "four arguments": "<!--{ include(1,2,3,4) }-->",
    "numbers": '<!--{ include(1, "The five parts") }-->',
    "double braces": "<!--{{ x }}-->",
    "block tag": "<!--% set x = 1 %-->",
    "unclosed tag": '<!--{ include("pact-handoff", "The five parts")',
    "concatenation": '<!--{ include("pact-" ~ "handoff", "The five parts") }-->',
}


@pytest.mark.parametrize("tag", list(HOSTILE.values()), ids=list(HOSTILE))
def test_anything_but_include_is_refused_and_never_run(
    source_tree, tmp_path, monkeypatch, capsys, tag
):
    monkeypatch.chdir(tmp_path)
    root = source_tree(files=command(f"Intro.\n{tag}\nEnd.\n"))

    code, stdout, stderr = run(capsys, "validate", root)

    assert (code, stdout) == (1, "")
    assert stderr.splitlines()[0] == f"{C}:5: {ONLY}"
    assert stderr.splitlines()[1].startswith('    fix: write include("protocol-stem", "Heading")')
    assert stderr.splitlines()[-1] == "1 error(s), 0 warning(s)"
    assert "Traceback" not in stderr
    assert not (tmp_path / "MARKER").exists()


def test_every_bad_tag_is_reported_in_one_run(source_tree):
    body = (
        "<!--{ lipsum() }-->\n"
        "Text.\n"
        '<!--{ include("pact-handoff", "No such") }-->\n'
        "<!--{ self }-->\n"
    )
    files = {**command(body), A: agent("name: pact-tester\ndescription: T.\n", "<!--{{ x }}-->\n")}

    assert problems(source_tree(files=files)) == [
        (A, 5, "template"),
        (C, 4, "template"),
        (C, 6, "include-missing"),
        (C, 7, "template"),
    ]


def test_quoted_includes_with_spaces_and_comments_render(source_tree, tmp_path):
    body = "<!--# a note #-->\n<!--{  include( 'pact-handoff' ,\t'Before you hand back' )  }-->\n"
    out = tmp_path / "out"

    result = pipeline.build(source_tree(files=command(body)), out)

    assert result.report.problems == []
    assert (out / "PACT" / C).read_text() == "---\ndescription: Run a task\n---\nSave a memory.\n"


def test_a_bad_tag_in_an_included_section_is_never_rendered(source_tree):
    files = {
        "protocols/other.md": "# O\n\n## Part\n\n<!--{ lipsum() }-->\n",
        **command('<!--{ include("other", "Part") }-->\n'),
    }

    result = pipeline.validate(source_tree(files=files))

    assert [(p.path, p.line, p.code, p.message) for p in result.report.problems] == [
        (
            C,
            4,
            "include-missing",
            'section "Part" of protocols/other.md holds a template tag other than include()',
        ),
        ("protocols/other.md", 5, "template", ONLY.removeprefix("template: ")),
    ]


def test_the_environment_is_sandboxed_with_no_globals():
    env = render.environment()

    assert isinstance(env, jinja2.sandbox.ImmutableSandboxedEnvironment)
    assert env.globals == {}
    assert (env.variable_start_string, env.block_start_string) == ("<!--{", "<!--%")
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("<!--{ cycler }-->").render()
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.from_string('<!--{ "".__class__.__mro__ }-->').render()


# 3. YAML anchors, aliases and unusual tags are refused before anything is built.

BOMB = "bomb0: &b0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"bomb{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 9)}]\n" for i in range(1, 8)
)


def test_a_yaml_alias_bomb_is_refused_quickly(source_tree):
    root = source_tree(files={A: agent("name: pact-tester\ndescription: T.\n" + BOMB)})

    started = time.perf_counter()
    found = problems(root)
    elapsed = time.perf_counter() - started

    assert elapsed < 2
    assert found[0] == (A, 4, "yaml-feature")
    assert {code for _, _, code in found} == {"yaml-feature"}
    assert sorted({line for _, line, _ in found}) == list(range(4, 12))


@pytest.mark.parametrize(
    "line, message",
    [
        ("description: !!binary aGVsbG8=\n", "tag !!binary is not allowed in frontmatter"),
        ("description: !custom T.\n", "tag !custom is not allowed in frontmatter"),
        ("description: &d T.\n", "anchor &d is not allowed in frontmatter"),
        ("skills: !!python/tuple [a]\n", "tag !!python/tuple is not allowed in frontmatter"),
    ],
)
def test_unusual_yaml_features_are_errors(line, message):
    parsed = frontmatter.parse("name: pact-tester\n" + line, A)

    assert parsed.data is None
    assert [p.format() for p in parsed.problems] == [
        f"{A}:3: yaml-feature: {message}\n"
        "    fix: write each value out in full as a plain or quoted string, list or mapping"
    ]


def test_standard_explicit_tags_are_allowed():
    parsed = frontmatter.parse("name: !!str pact-tester\ncount: !!int '3'\n", A)

    assert (parsed.data, parsed.problems) == ({"name": "pact-tester", "count": 3}, [])


@pytest.mark.parametrize("kind_path", [A, C, "skills/pact-task-tracking/SKILL.md"])
def test_descriptions_over_1024_characters_are_errors(source_tree, kind_path):
    name = {
        A: "name: pact-tester\n",
        C: "",
        "skills/pact-task-tracking/SKILL.md": "name: pact-task-tracking\n",
    }[kind_path]
    text = "---\n" + name + "description: " + "d" * 200_000 + "\n---\n# T\n\nBody.\n"
    result = pipeline.validate(source_tree(files={kind_path: text}))
    line = 3 if name else 2

    errors = [(p.path, p.line, p.code, p.message) for p in result.report.errors]
    assert errors == [
        (kind_path, line, "description-length", "description is 200,000 characters (limit 1,024)")
    ]
    assert (kind_path, line, "description-budget") in [
        (p.path, p.line, p.code) for p in result.report.warnings
    ]


def test_a_description_of_exactly_1024_characters_is_no_error(source_tree):
    text = "---\ndescription: " + "d" * 1024 + "\n---\nBody.\n"

    result = pipeline.validate(source_tree(files={C: text}))

    assert result.report.errors == []
    assert [p.code for p in result.report.warnings] == ["description-budget"]


def test_no_temporary_folders_are_left_after_a_refusal(source_tree, tmp_path, capsys):
    root = source_tree()
    before = sorted(os.listdir(tmp_path))

    run(capsys, "build", "--src", root, "--out", root / "agents")

    assert sorted(os.listdir(tmp_path)) == before


# 5. Files that are not what they seem: links, pipes, huge or nested files, control bytes.


def test_a_link_out_of_the_sources_is_never_copied_into_dist(source_tree, tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n")
    root = source_tree()
    (root / "skills/pact-task-tracking/references/notes.md").symlink_to(secret)
    (root / "skills/pact-task-tracking/data.txt").symlink_to(secret)
    out = tmp_path / "dist"

    code, stdout, stderr = run(capsys, "build", "--src", root, "--out", out)

    assert (code, stdout) == (1, "")
    assert stderr.splitlines() == [
        f"skills/pact-task-tracking/data.txt:1: symlink-outside: skills/pact-task-tracking/"
        f"data.txt links to {secret}, outside the source tree, so it cannot ship in the plugin",
        "    fix: copy what it points at into the sources if it belongs in the plugin, "
        "or remove the link",
        f"skills/pact-task-tracking/references/notes.md:1: symlink-outside: skills/"
        f"pact-task-tracking/references/notes.md links to {secret}, outside the source tree, "
        "so it cannot ship in the plugin",
        "    fix: copy what it points at into the sources if it belongs in the plugin, "
        "or remove the link",
        "2 error(s), 0 warning(s); nothing written",
    ]
    assert not out.exists()


def test_a_link_inside_the_sources_ships_the_file_it_points_at(source_tree, tmp_path):
    root = source_tree(files={"protocols/extra.md": "# Extra\n\nShared text.\n"})
    link = root / "skills/pact-task-tracking/references/extra.md"
    link.symlink_to("../../../protocols/extra.md")
    out = tmp_path / "dist"

    result = pipeline.build(root, out)

    shipped = out / "PACT/skills/pact-task-tracking/references/extra.md"
    assert result.report.problems == []
    assert not shipped.is_symlink() and shipped.read_text() == "# Extra\n\nShared text.\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_reported_and_never_opened(source_tree):
    root = source_tree()
    os.mkfifo(root / "agents/pact-pipe.md")

    assert [p.format() for p in pipeline.validate(root).report.problems] == [
        "agents/pact-pipe.md:1: not-a-file: agents/pact-pipe.md is a named pipe, not a regular "
        "file\n    fix: replace it with a regular file, or remove it"
    ]


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="no /proc")
def test_a_link_to_an_unreadable_file_in_another_plugin_is_reported(source_tree):
    files = {".claude-plugin/plugin.json": '{"name": "mini"}'}
    root = source_tree(files=files, base=False)
    (root / "agents").mkdir()
    (root / "agents/mem.md").symlink_to("/proc/self/mem")

    problems = pipeline.validate(root).report.problems

    assert [(p.path, p.line, p.code) for p in problems] == [("agents/mem.md", 1, "unreadable")]


def test_a_huge_file_is_not_read(source_tree, monkeypatch):
    from pact_build import sources

    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 1000)
    root = source_tree(files={"protocols/huge.md": "# Huge\n\n" + "x" * 1000 + "\n"})

    assert [p.format() for p in pipeline.validate(root).report.problems] == [
        "protocols/huge.md:1: file-too-large: the file is 1,009 bytes; files over 1,000 bytes "
        "are not read\n"
        "    fix: this is not content the model should read; remove it or move it elsewhere"
    ]


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ufffe"])
def test_a_control_character_in_frontmatter_is_a_problem_not_a_traceback(
    source_tree, capsys, character
):
    root = source_tree(files={A: agent(f'name: pact-tester\ndescription: "T{character}."\n')})

    code, stdout, stderr = run(capsys, "validate", root)

    assert (code, stdout) == (1, "")
    assert stderr.splitlines()[0] == (
        f"{A}:3: control-character: control character U+{ord(character):04X} at column 16"
    )
    assert "Traceback" not in stderr


def test_yaml_refusing_a_character_is_reported_at_its_line():
    parsed = frontmatter.parse("name: pact-tester\ndescription: x\x01y\n", A)

    assert parsed.data is None
    assert [p.format() for p in parsed.problems] == [
        f"{A}:3: control-character: character U+0001 is not allowed in YAML\n"
        "    fix: delete it: it is invisible in most editors"
    ]


def test_deeply_nested_json_and_yaml_are_problems_not_tracebacks(source_tree):
    flow = "[" * 20_000 + "]" * 20_000  # PyYAML alone would scan this for hours
    block = "- " * 2_000
    files = {
        ".claude-plugin/plugin.json": "[" * 2_000 + "]" * 2_000,
        A: agent(f"name: pact-tester\ndescription: T.\nx: {flow}\n"),
        "agents/pact-deep.md": agent("name: pact-deep\ndescription: D.\nx:\n  " + block + "y\n"),
    }

    started = time.perf_counter()
    result = pipeline.validate(source_tree(files=files))
    elapsed = time.perf_counter() - started

    assert elapsed < 2
    messages = {(p.path, p.line, p.code): p.message for p in result.report.problems}
    assert messages[(".claude-plugin/plugin.json", 1, "json-syntax")] == (
        "the JSON is nested too deeply to read"
    )
    assert messages[(A, 2, "yaml-syntax")] == (
        "brackets nest 20000 levels deep (at most 50 are read)"
    )
    assert messages[("agents/pact-deep.md", 2, "yaml-syntax")] == (
        "the frontmatter is nested too deeply to read"
    )


def test_a_json_syntax_error_names_its_column(source_tree):
    files = {".claude-plugin/plugin.json": '{\n  "name": "PACT",\n  "author": "a\tb"\n}\n'}

    result = pipeline.validate(source_tree(files=files))

    assert [
        (p.path, p.line, p.message) for p in result.report.problems if p.code == "json-syntax"
    ] == [(".claude-plugin/plugin.json", 3, "Invalid control character at column 15")]


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="no /proc")
def test_an_anchor_into_an_unreadable_file_is_no_traceback(source_tree):
    files = {
        ".claude-plugin/plugin.json": '{"name": "mini"}',
        "skills/foo/SKILL.md": "---\nname: foo\ndescription: F.\n---\n[x](../../docs/n.md#x)\n",
    }
    root = source_tree(files=files, base=False)
    (root / "docs").mkdir()
    (root / "docs/n.md").symlink_to("/proc/self/mem")

    assert problems(root) == []
