"""Bad content is reported at the right file and line with the right code."""

from __future__ import annotations

import json

import pytest
from pact_build import pipeline

from .conftest import FOLDER, Link
from .helpers import agent, found

A = "agents/pact-x.md"
C = "commands/check.md"
S = "skills/pact-x-skill/SKILL.md"
R = "skills/pact-task-tracking/references/detail.md"
NAME = "name: pact-x\n"


def command(front, body="Check $ARGUMENTS.\n"):
    return f"---\n{front}---\n{body}"


def skill(front, body="Body.\n"):
    return f"---\n{front}---\n{body}"


CASES = {
    "colon-laden description": (
        {A: agent(NAME + "description: Use when: the user asks\n")},
        [(A, 3, "yaml-syntax")],
    ),
    "unindented multi-line description": (
        {A: agent(NAME + "description: First line\ncontinued here\ntools: Read\n")},
        [(A, 4, "yaml-syntax")],
    ),
    "unclosed bracket in a description": (
        {A: agent(NAME + "description: [broken\ntools: Read\n")},
        [(A, 3, "yaml-syntax")],
    ),
    "retired tool name": (
        {A: agent(NAME + "description: Tests.\ntools: Read, Grep\n")},
        [(A, 4, "unknown-tool")],
    ),
    "list-typed argument-hint": (
        {C: command("description: Check a thing\nargument-hint: [task]\n")},
        [(C, 3, "yaml-list")],
    ),
    "tab in frontmatter": (
        {A: agent(NAME + "\tdescription: Tests.\n")},
        [(A, 3, "yaml-tab")],
    ),
    "yaml no as a string": (
        {C: command("description: no\n")},
        [(C, 2, "yaml-bool")],
    ),
    "yaml off as a boolean": (
        {C: command("description: Check\ndisable-model-invocation: off\n")},
        [(C, 3, "yaml-bool")],
    ),
    "yaml yes in a string field": (
        {A: agent(NAME + "description: Tests.\ncolor: yes\n")},
        [(A, 4, "yaml-bool")],
    ),
    "date": (
        {C: command("description: 2024-01-02\n")},
        [(C, 2, "yaml-date")],
    ),
    "1.10 float": (
        {S: "---\ndescription: A skill for tests.\nversion: 1.10\n---\nBody.\n"},
        [(S, 3, "yaml-float")],
    ),
    "missing skill": (
        {A: agent(NAME + "description: Tests.\nskills:\n  - pact-task-tracking\n  - pact-nope\n")},
        [(A, 6, "unknown-skill")],
    ),
    "missing qualified skill": (
        {
            A: agent(
                NAME + "description: Tests.\nskills: [PACT:pact-task-tracking, PACT:pact-nope]\n"
            )
        },
        [(A, 4, "unknown-skill")],
    ),
    "skill body over 500 lines": (
        {S: "---\ndescription: Long.\n---\n" + "line\n" * 501},
        [(S, 1, "skill-too-long")],
    ),
    "broken link": (
        {A: agent(NAME + "description: Tests.\n", "# X\n\nSee [it](../protocols/nope.md).\n")},
        [(A, 7, "broken-link")],
    ),
    "broken anchor": (
        {
            A: agent(
                NAME + "description: Tests.\n",
                "# X\n\nSee [it](../protocols/pact-handoff.md#the-six-parts).\n",
            )
        },
        [(A, 7, "broken-anchor")],
    ),
    "wrong-case command reference": (
        {C: command("description: Check\n", "Then run /pact:orchestrate.\n")},
        [(C, 4, "wrong-case")],
    ),
    "wrong-case agent reference": (
        {C: command("description: Check\n", "Dispatch\nPACT:Pact-Tester now.\n")},
        [(C, 5, "wrong-case")],
    ),
    "reference to nothing": (
        {C: command("description: Check\n", "Use PACT:pact-nobody.\n")},
        [(C, 4, "unknown-reference")],
    ),
    "command and skill clash": (
        {"commands/pact-task-tracking.md": command("description: Track\n")},
        [("skills/pact-task-tracking/SKILL.md", 1, "name-clash")],
    ),
    "clash with a built-in command": (
        {"commands/help.md": command("description: Help\n")},
        [("commands/help.md", 1, "builtin-clash")],
    ),
    "ignored agent field": (
        {A: agent(NAME + "description: Tests.\npermissionMode: plan\n")},
        [(A, 4, "ignored-field")],
    ),
    "unknown tool": (
        {A: agent(NAME + "description: Tests.\ntools: Read, Bashh, Bash(git:*), mcp__x__y\n")},
        [(A, 4, "unknown-tool")],
    ),
    "unknown model": (
        {A: agent(NAME + "description: Tests.\nmodel: gpt-5\n")},
        [(A, 4, "unknown-model")],
    ),
    "mojibake": (
        {A: agent(NAME + "description: Tests.\n", "# X\n\nUse this \u00e2\u20ac\u201d now.\n")},
        [(A, 7, "mojibake")],
    ),
    "file saved as Windows-1252": (
        {A: agent(NAME + "description: Tests.\n", "# X\n\nCaf\u00e9 \u2013 ok\n").encode("cp1252")},
        [(A, 7, "encoding")],
    ),
    "duplicate frontmatter key": (
        {A: agent(NAME + "description: Tests.\nname: pact-x\n")},
        [(A, 4, "duplicate-key")],
    ),
    "description over budget": (
        {C: command("description: " + "x" * 61 + "\n")},
        [(C, 2, "description-budget")],
    ),
    "unknown frontmatter key": (
        {A: agent(NAME + "description: Tests.\nflavour: mint\n")},
        [(A, 4, "unknown-key")],
    ),
    "skill two folders deep": (
        {"skills/group/pact-deep/SKILL.md": "---\ndescription: Deep.\n---\nBody.\n"},
        [("skills/group/pact-deep/SKILL.md", 1, "skill-depth")],
    ),
    "agent in a subfolder": (
        {"agents/db/pact-y.md": agent("name: pact-y\ndescription: Tests.\n")},
        [("agents/db/pact-y.md", 1, "left-out")],
    ),
    "protocol in a subfolder": (
        {"protocols/old/rules.md": "# Rules\n"},
        [("protocols/old/rules.md", 1, "left-out")],
    ),
    "script beside the brief": (
        {"hooks/check.py": "print('x')\n"},
        [("hooks/check.py", 1, "left-out")],
    ),
    "skill file directly in skills": (
        {"skills/loose.md": "# Loose\n"},
        [("skills/loose.md", 1, "skill-depth")],
    ),
    "include of a missing heading": (
        {
            A: agent(
                NAME + "description: Tests.\n",
                '# X\n\n## Handoff\n\n<!--{ include("pact-handoff", "The six parts") }-->\n',
            )
        },
        [(A, 9, "include-missing")],
    ),
    "include of a missing protocol": (
        {
            A: agent(
                NAME + "description: Tests.\n",
                '# X\n\nText.\n<!--{ include("pact-nope", "The five parts") }-->\n',
            )
        },
        [(A, 8, "include-missing")],
    ),
    "agent name differs from its file": (
        {A: agent("name: pact-y\ndescription: Tests.\n")},
        [(A, 2, "name-mismatch")],
    ),
    "plugin author as a string": (
        {".claude-plugin/plugin.json": '{\n  "name": "PACT",\n  "author": "me"\n}\n'},
        [(".claude-plugin/plugin.json", 3, "schema")],
    ),
    "plugin lists its agents": (
        {
            ".claude-plugin/plugin.json": '{\n  "name": "PACT",\n  "author": {"name": "t"},\n'
            '  "agents": ["./agents/a.md"]\n}\n'
        },
        [(".claude-plugin/plugin.json", 4, "component-list")],
    ),
    "missing brief": (
        {"hooks/session-brief.md": None, "protocols/extra.md": "# Extra\n"},
        [("hooks/session-brief.md", 1, "missing-brief")],
    ),
    "brief over budget": (
        {"hooks/session-brief.md": "word " * 250 + "\n"},
        [("hooks/session-brief.md", 1, "description-budget")],
    ),
    "hooks.json in the sources": (
        {"hooks/hooks.json": '{"hooks": {}}'},
        [("hooks/hooks.json", 1, "generated-file")],
    ),
    "unclosed frontmatter": (
        {C: "---\ndescription: Check\nBody.\n"},
        [(C, 1, "no-frontmatter")],
    ),
    "template syntax error": (
        {A: agent(NAME + "description: Tests.\n", "# X\n\n<!--{ include( }-->\n")},
        [(A, 7, "template")],
    ),
    "control character in frontmatter": (
        {A: agent(NAME + 'description: "x\x01y"\n')},
        [(A, 3, "control-character")],
    ),
    "NUL in frontmatter": (
        {A: agent(NAME + "description: Tests.\ncolor: gr\x00een\n")},
        [(A, 4, "control-character")],
    ),
    "terminal escape in a body": (
        {A: agent(NAME + "description: Tests.\n", "# X\n\nSay \x1b[2Jhi\x07 now.\n")},
        [(A, 7, "control-character")],
    ),
    "NUL in a reference": (
        {R: "# Detail\n\nMore.\x00\n"},
        [(R, 3, "control-character")],
    ),
    "three bad includes in one file": (
        {
            A: agent(
                NAME + "description: Tests.\n",
                '# X\n\n<!--{ include("pact-handoff", "Six") }-->\n\n'
                '<!--{ include("pact-handoff", "Seven") }-->\n\n'
                '<!--{ include("pact-nope", "The five parts") }-->\n',
            )
        },
        [(A, 7, "include-missing"), (A, 9, "include-missing"), (A, 11, "include-missing")],
    ),
    "include from a protocol without headings": (
        {
            "protocols/bare.md": "Only text.\n",
            A: agent(NAME + "description: Tests.\n", '# X\n\n<!--{ include("bare", "Part") }-->\n'),
        },
        [(A, 7, "include-missing")],
    ),
    "agent body over its budget": (
        {A: agent(NAME + "description: Tests.\n", "# X\n\n" + "word " * 8_000 + "\n")},
        [(A, 1, "body-budget")],
    ),
    "reference over its budget": (
        {R: "# Detail\n\n" + "word " * 10_001 + "\n"},
        [(R, 1, "body-budget")],
    ),
    "skill name differs from its folder": (
        {S: "---\nname: pact-other\ndescription: A skill for tests.\n---\nBody.\n"},
        [(S, 2, "name-mismatch")],
    ),
    "command name differs from its file": (
        {C: command("name: verify\ndescription: Check\n")},
        [(C, 2, "name-mismatch")],
    ),
    "argument placeholder in a skill body": (
        {S: skill("description: Tests.\n", "Run:\n\n    SELECT * FROM t WHERE id = $1\n")},
        [(S, 6, "argument-placeholder")],
    ),
    "$ARGUMENTS in a skill without arguments": (
        {S: "---\ndescription: A skill for tests.\n---\nDocument $ARGUMENTS in commands.\n"},
        [(S, 4, "argument-placeholder")],
    ),
    "argument placeholder in a section a skill includes": (
        {
            "protocols/sql.md": "# SQL\n\n## Lookup\n\nUse `WHERE id = $0`.\n",
            S: skill("description: Tests.\n", 'Intro.\n<!--{ include("sql", "Lookup") }-->\n'),
        },
        [(S, 5, "argument-placeholder")],
    ),
    "plugin variable in a reference": (
        {R: "# Detail\n\nRun ${CLAUDE_PLUGIN_ROOT}/bin/pact-memory list.\n"},
        [(R, 3, "unfilled-variable")],
    ),
    "skill folder variable in an agent": (
        {A: agent(NAME + "description: Tests.\n", "# X\n\nRead ${CLAUDE_SKILL_DIR}/a.md.\n")},
        [(A, 7, "unfilled-variable")],
    ),
    "skill folder variable in a command": (
        {C: command("description: Check\n", "Read ${CLAUDE_SKILL_DIR}/a.md.\n")},
        [(C, 4, "unfilled-variable")],
    ),
    "link out of the source tree": (
        {"skills/pact-task-tracking/references/pw.md": Link("/etc/passwd")},
        [("skills/pact-task-tracking/references/pw.md", 1, "symlink-outside")],
    ),
    "linked skill folder out of the source tree": (
        {"skills/pact-linked": Link("/etc")},
        [("skills/pact-linked", 1, "symlink-outside")],
    ),
    "dangling link": (
        {"agents/pact-gone.md": Link("pact-nowhere.md")},
        [("agents/pact-gone.md", 1, "broken-symlink")],
    ),
    "link that loops": (
        {"skills/pact-task-tracking/references/loop.md": Link("loop.md")},
        [("skills/pact-task-tracking/references/loop.md", 1, "broken-symlink")],
    ),
    "link to a folder inside a skill": (
        {"skills/pact-task-tracking/more": Link("references")},
        [("skills/pact-task-tracking/more", 1, "symlink-folder")],
    ),
    "folder named like an agent": (
        {"agents/pact-y.md": FOLDER},
        [("agents/pact-y.md", 1, "not-a-file")],
    ),
    "SKILL.md that is a folder": (
        {"skills/pact-y/SKILL.md": FOLDER},
        [("skills/pact-y/SKILL.md", 1, "not-a-file")],
    ),
}


@pytest.mark.parametrize("files, expected", list(CASES.values()), ids=list(CASES))
def test_bad_input_is_reported_at_path_line_and_code(source_tree, files, expected):
    root = source_tree(files=files)

    problems = [(path, line, code) for path, line, code, _ in found(root)]

    assert problems == expected


@pytest.mark.parametrize("files, expected", list(CASES.values()), ids=list(CASES))
def test_bad_input_fails_the_strict_build_and_writes_nothing(
    source_tree, tmp_path, files, expected
):
    root = source_tree(files=files)
    out = tmp_path / "out"

    result = pipeline.build(root, out, strict=True)

    assert result.report.failed(strict=True)
    assert result.out is None
    assert not out.exists()


def test_warnings_alone_pass_without_strict(source_tree):
    root = source_tree(files={A: agent(NAME + "description: Tests.\nflavour: mint\n")})

    result = pipeline.validate(root)

    assert not result.report.failed(strict=False)
    assert [p.severity for p in result.report.problems] == ["warning"]


def test_all_problems_of_a_run_are_reported_in_stable_order(source_tree):
    root = source_tree(
        files={
            "commands/zeta.md": command("description: no\n"),
            "commands/alpha.md": command(
                "description: Check\nargument-hint: [x]\n", "/pact:orchestrate\n"
            ),
        }
    )

    problems = [(path, line, code) for path, line, code, _ in found(root)]

    assert problems == [
        ("commands/alpha.md", 3, "yaml-list"),
        ("commands/alpha.md", 5, "wrong-case"),
        ("commands/zeta.md", 2, "yaml-bool"),
    ]


def test_the_base_tree_is_clean(source_tree):
    assert found(source_tree(), strict=True) == []


def test_always_on_total_over_budget_fails_strict(source_tree, tmp_path, capsys):
    from pact_build import cli

    description = "Reviews one part of the system in depth and reports. " * 2
    files = {
        f"agents/pact-a{n}.md": agent(f"name: pact-a{n}\ndescription: {description}\n")
        for n in range(40)
    }
    root = source_tree(files=files)
    out = tmp_path / "out"

    problems = found(root, strict=True)
    relaxed = cli.main(["build", "--src", str(root), "--out", str(tmp_path / "relaxed")])
    capsys.readouterr()
    code = cli.main(["build", "--src", str(root), "--out", str(out), "--strict"])
    stdout, stderr = capsys.readouterr()

    assert problems == [(".claude-plugin/plugin.json", 1, "always-on-budget", "warning")]
    assert relaxed == 0 and (tmp_path / "relaxed/PACT/agents/pact-a0.md").is_file()
    assert (code, stdout) == (1, "")
    assert stderr.splitlines()[0].startswith(
        ".claude-plugin/plugin.json:1: always-on-budget: warning: always-on context is "
    )
    assert stderr.splitlines()[-1] == (
        "0 error(s), 1 warning(s) (--strict: warnings fail); nothing written"
    )
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["relaxed", "src0"]


def test_builtin_command_list_covers_the_clients_commands():
    from pact_build import names

    assert {
        "help",
        "memory",
        "status",
        "config",
        "compact",
        "clear",
        "init",
        "review",
        "login",
        "logout",
        "model",
        "agents",
        "hooks",
        "mcp",
        "permissions",
        "plugin",
        "resume",
        "cost",
        "doctor",
        "exit",
        "bug",
        "vim",
        "add-dir",
        "context",
        "export",
        "ide",
        "install-github-app",
        "pr-comments",
        "release-notes",
        "security-review",
        "terminal-setup",
        "upgrade",
        "usage",
        "todos",
        "rewind",
        "statusline",
        "output-style",
    } <= names.builtin_commands()


def test_correct_unicode_is_not_mojibake(source_tree):
    body = "# X\n\nBudget ≤ 230 — “quoted” → café, naïve, Zürich, Ångström, 日本語 ✓\n"
    files = {A: agent(NAME + "description: Tests — in depth.\n", body)}

    assert found(source_tree(files=files), strict=True) == []


def test_undecodable_byte_is_reported_with_column_and_a_readable_hint(source_tree):
    data = b"---\r\nname: pact-x\r\ndescription: Tests \x96 more.\r\n---\r\nBody.\r\n"
    root = source_tree(files={A: b"\xef\xbb\xbf" + data})

    problems = pipeline.validate(root).report.problems

    assert [p.format() for p in problems] == [
        f"{A}:3: encoding: not valid UTF-8 (byte 0x96 at column 20)\n"
        "    fix: save the file as UTF-8; read as Windows-1252 the line is: "
        "description: Tests \u2013 more."
    ]


def test_left_out_markdown_is_an_error_and_other_files_a_warning(source_tree):
    root = source_tree(
        files={
            "commands/old/x.md": "# Old\n",
            "commands/notes.txt": "n\n",
            "agents/.DS_Store": "",
            "hooks/__pycache__/x.pyc": "",
        }
    )

    assert found(root) == [
        ("commands/notes.txt", 1, "left-out", "warning"),
        ("commands/old/x.md", 1, "left-out", "error"),
    ]


def test_unreadable_file_is_reported_not_a_crash(source_tree, monkeypatch):
    from pathlib import Path

    root = source_tree()
    real = Path.read_bytes

    def read_bytes(path):
        if path.name == "pact-tester.md":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)

    assert [p.format() for p in pipeline.validate(root).report.problems] == [
        "agents/pact-tester.md:1: unreadable: cannot read the file (Permission denied)\n"
        "    fix: check its permissions"
    ]


# Another plugin or marketplace, checked by `validate PATH` (no PACT sources around it).

M = ".claude-plugin/marketplace.json"
FOO = "skills/foo/SKILL.md"
MINI = {
    ".claude-plugin/plugin.json": '{"name": "mini", "author": {"name": "m"}}',
    "skills/foo/SKILL.md": "---\nname: foo\ndescription: Foo skill.\n---\nBody.\n",
}


def market(*entries):
    plugins = [{"name": name, "source": source} for name, source in entries]
    return json.dumps({"name": "mm", "owner": {"name": "o"}, "plugins": plugins}, indent=2)


GITHUB = {"source": "github", "repo": "a/b"}

FOREIGN_CASES = {
    "marketplace source that is a file": (
        {M: market(("p", "./p")), "p": "not a folder\n"},
        [(M, 9, "marketplace-source")],
    ),
    "two plugins with one name": (
        {M: market(("p", GITHUB), ("q", GITHUB), ("p", GITHUB))},
        [(M, 22, "duplicate-plugin")],
    ),
    "marketplace root as a plugin with nothing in it": (
        {M: market(("p", "./"))},
        [(M, 9, "marketplace-source")],
    ),
    "skill name differs from its folder": (
        {**MINI, "skills/foo/SKILL.md": "---\nname: bar\ndescription: Foo skill.\n---\nBody.\n"},
        [("skills/foo/SKILL.md", 2, "name-mismatch")],
    ),
    "argument placeholder in a skill body": (
        {**MINI, FOO: skill("name: foo\ndescription: Foo.\n", "awk '{print $1}'\n")},
        [("skills/foo/SKILL.md", 5, "argument-placeholder")],
    ),
    "control character in a skill body": (
        {**MINI, "skills/foo/SKILL.md": "---\nname: foo\ndescription: Foo.\n---\nBo\x08dy.\n"},
        [("skills/foo/SKILL.md", 5, "control-character")],
    ),
    "dangling link": (
        {**MINI, "agents/db.md": Link("../shared/db.md")},
        [("agents/db.md", 1, "broken-symlink")],
    ),
    "folder named like a command": (
        {**MINI, "commands/run.md": FOLDER},
        [("commands/run.md", 1, "not-a-file")],
    ),
    "link to a folder inside a skill": (
        {**MINI, "skills/foo/references": Link("../../docs"), "docs/a.md": "# A\n"},
        [("skills/foo/references", 1, "unchecked")],
    ),
}


@pytest.mark.parametrize(
    "files, expected", list(FOREIGN_CASES.values()), ids=list(FOREIGN_CASES)
)
def test_bad_input_of_another_plugin_is_reported_at_path_line_and_code(
    source_tree, files, expected
):
    root = source_tree(files=files, base=False)

    assert [(path, line, code) for path, line, code, _ in found(root)] == expected


def test_links_out_of_another_plugin_are_allowed(source_tree, tmp_path):
    (tmp_path / "shared.md").write_text("# Shared\n\nText.\n")
    files = {**MINI, "skills/foo/references/shared.md": Link(str(tmp_path / "shared.md"))}

    assert found(source_tree(files=files, base=False), strict=True) == []


def test_the_marketplace_root_may_be_its_own_plugin(source_tree):
    # Shown with the real client: it validates and installs such a marketplace.
    files = {**MINI, M: market(("mini", "./"))}

    assert found(source_tree(files=files, base=False), strict=True) == []


def test_an_include_from_a_protocol_without_headings_says_so(source_tree):
    files = {
        "protocols/bare.md": "Only text.\n",
        A: agent(NAME + "description: Tests.\n", '# X\n\n<!--{ include("bare", "Part") }-->\n'),
    }

    assert [p.format() for p in pipeline.validate(source_tree(files=files)).report.problems] == [
        f'{A}:7: include-missing: no heading "Part" in protocols/bare.md\n'
        "    fix: protocols/bare.md has no headings at all; add the section, or include another"
    ]


def test_a_placeholder_report_shows_what_the_model_would_read(source_tree):
    body = "Look it up:\n\n    SELECT name FROM users WHERE id = $1 AND org = $2\n"
    root = source_tree(files={S: skill("description: Tests.\n", body)})

    assert [p.format() for p in pipeline.validate(root).report.problems] == [
        f"{S}:6: argument-placeholder: warning: `$1` is replaced by the client with the second "
        "argument of the call, and with nothing when there is none; the model would read: "
        "SELECT name FROM users WHERE id =  AND org =\n"
        "    fix: write \\$1 for a literal $1; if the skill takes arguments, declare them with "
        "argument-hint"
    ]


def test_placeholders_in_skills_that_take_arguments_and_escaped_ones_pass(source_tree):
    files = {
        S: skill('description: Tests.\nargument-hint: "[id]"\n', "Find row $0 ($ARGUMENTS).\n"),
        "skills/pact-lit/SKILL.md": skill("description: Tests.\n", "Use \\$1 and $1abc, $x.\n"),
        C: command("description: Check\n", "WHERE id = $1; ${CLAUDE_SESSION_ID}\n"),
    }

    assert found(source_tree(files=files), strict=True) == []


@pytest.mark.parametrize("files, base", [(f, True) for f, _ in CASES.values()]
                         + [(f, False) for f, _ in FOREIGN_CASES.values()],
                         ids=[*CASES, *FOREIGN_CASES])
def test_every_problem_comes_with_a_fix_hint(source_tree, files, base):
    root = source_tree(files=files, base=base)

    problems = pipeline.validate(root, False).report.problems

    assert problems and all(p.hint.strip() for p in problems), [
        (p.path, p.code, p.hint) for p in problems]


@pytest.mark.parametrize("manifest, hint", [
    ('{"name": "mini", "version": 3}', 'quote it: "version": "3"'),
    ('{"name": "mini", "keywords": "sql"}', 'write a list: "keywords": ["…"]'),
    ('{"name": "mini", "description": ["a"]}', "give `description` a string"),
])
def test_a_schema_problem_without_its_own_hint_gets_one_from_the_failed_rule(
        source_tree, manifest, hint):
    root = source_tree(files={**MINI, ".claude-plugin/plugin.json": manifest}, base=False)

    [problem] = pipeline.validate(root, False).report.problems

    assert (problem.code, problem.hint) == ("schema", hint)


@pytest.mark.parametrize("name, hint", [
    ("bar", "rename the folder to bar, or set name: foo"),
    ("Bad Name", "set name: foo"),
])
def test_a_rename_is_offered_only_for_a_plain_name(source_tree, name, hint):
    files = {**MINI, FOO: skill(f"name: {name}\ndescription: Foo.\n")}
    root = source_tree(files=files, base=False)

    [problem] = pipeline.validate(root, False).report.problems

    assert (problem.code, problem.hint) == ("name-mismatch", hint)
