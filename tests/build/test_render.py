"""Rendering: includes by heading, literal braces untouched."""

from __future__ import annotations

import textwrap

from pact_build import markdown, pipeline

from .helpers import agent

BRACES = textwrap.dedent("""\
    Shell: echo ${#arr[@]} and ${HOME}
    Actions: ${{ matrix.os }} and {{ secrets.TOKEN }}
    n8n: {{ $json.id }} and {{$node["x"].json}}
    Anchor: ## Title {#anchor}
    Liquid: {% raw %}{{ x }}{% endraw %} {%- if a -%}
    Comment-like: {# not a comment #}
    ```bash
    for i in "${!arr[@]}"; do echo "${arr[$i]}"; done
    ```
    """)


def test_literal_braces_come_through_byte_identical(source_tree, tmp_path):
    rel = "agents/pact-tester.md"
    text = agent(
        "name: pact-tester\ndescription: Tests.\n",
        '# T\n\n<!--{ include("pact-handoff", "Before you hand back") }-->\n\n' + BRACES,
    )
    out = tmp_path / "out"

    result = pipeline.build(source_tree(files={rel: text}), out)

    assert result.report.problems == []
    rendered = (out / "PACT" / rel).read_text(encoding="utf-8")
    assert rendered.endswith("# T\n\nSave a memory.\n\n" + BRACES)


def test_file_without_tags_is_copied_unchanged(source_tree, tmp_path):
    rel = "protocols/braces.md"
    out = tmp_path / "out"

    pipeline.build(source_tree(files={rel: "# B\n\n" + BRACES}), out)

    assert (out / "PACT" / rel).read_text(encoding="utf-8") == "# B\n\n" + BRACES


def test_include_inserts_the_section_body_with_subheadings(source_tree, tmp_path):
    out = tmp_path / "out"

    pipeline.build(source_tree(), out)

    text = (out / "PACT" / "agents" / "pact-tester.md").read_text(encoding="utf-8")
    assert text.endswith(
        "## Handoff\n\n1. **Produced files**: what changed.\n2. **Key decisions**: what you "
        "chose.\n\n### Format detail\n\nKeep it short.\n"
    )


def test_includes_inside_included_sections_are_rendered(source_tree, tmp_path):
    files = {
        "protocols/outer.md": "# O\n\n## Part\n\nBefore.\n"
        '<!--{ include("pact-handoff", "Before you hand back") }-->\n\n## End\n'
    }
    files["commands/orchestrate.md"] = (
        '---\ndescription: Run\n---\n<!--{ include("outer", "Part") }-->\n'
    )
    out = tmp_path / "out"

    pipeline.build(source_tree(files=files), out)

    assert (
        out / "PACT/commands/orchestrate.md"
    ).read_text() == "---\ndescription: Run\n---\nBefore.\nSave a memory.\n"


def test_comments_render_to_nothing_and_blocks_are_refused(source_tree, tmp_path):
    body = "<!--# maintainers only #-->\nFor PACT.\n<!--% if true %-->\nDone.\n<!--% endif %-->\n"
    files = {"commands/orchestrate.md": "---\ndescription: Run\n---\n" + body}

    result = pipeline.validate(source_tree(files=files))

    assert [(p.path, p.line, p.code) for p in result.report.problems] == [
        ("commands/orchestrate.md", 6, "template"),
        ("commands/orchestrate.md", 8, "template"),
    ]


def test_comments_use_html_comment_delimiters(source_tree, tmp_path):
    body = "<!--# maintainers only #-->\nFor PACT.\nDone.\n"
    files = {"commands/orchestrate.md": "---\ndescription: Run\n---\n" + body}
    out = tmp_path / "out"

    pipeline.build(source_tree(files=files), out)

    assert (
        out / "PACT/commands/orchestrate.md"
    ).read_text() == "---\ndescription: Run\n---\nFor PACT.\nDone.\n"


def test_a_variable_is_refused_with_line(source_tree):
    files = {"commands/orchestrate.md": "---\ndescription: Run\n---\nA\n<!--{ nothing }-->\n"}

    result = pipeline.validate(source_tree(files=files))

    assert [(p.path, p.line, p.code) for p in result.report.problems] == [
        ("commands/orchestrate.md", 5, "template")
    ]


def test_github_slugs():
    assert markdown.slug("The five parts") == "the-five-parts"
    assert markdown.slug("S2: `Boundaries` & [links](x.md)!") == "s2-boundaries--links"
    assert markdown.slug("Über Größe") == "über-größe"
    assert markdown.anchors("# A\n## A\n```\n# not\n```\n## A\n") == {"a", "a-1", "a-2"}


def test_section_stops_at_same_or_higher_heading():
    text = "# T\n## One\n\nx\n### Sub\ny\n## Two\nz\n"

    assert markdown.section(text, "One") == "x\n### Sub\ny"
    assert markdown.section(text, "Sub") == "y"
    assert markdown.section(text, "Nope") is None


def test_links_in_included_sections_are_rewritten_for_the_including_file(source_tree, tmp_path):
    protocol = (
        "# Rules\n\n## Shared\n\nSee [signals](algedonic.md#when-to-signal), [here](#shared), "
        "[site](https://example.com/x.md) and `[code](x.md)`.\n"
    )
    include = '<!--{ include("rules", "Shared") }-->\n'
    files = {
        "protocols/rules.md": protocol,
        "protocols/algedonic.md": "# Algedonic\n\n## When to signal\n\nNow.\n",
        "agents/pact-tester.md": agent("name: pact-tester\ndescription: Tests.\n", include),
        "skills/pact-task-tracking/SKILL.md": "---\ndescription: Track.\n---\n" + include,
    }
    out = tmp_path / "out"

    result = pipeline.build(source_tree(files=files), out)

    assert result.report.problems == []
    tail = " [site](https://example.com/x.md) and `[code](x.md)`.\n"
    assert (
        (out / "PACT/agents/pact-tester.md")
        .read_text()
        .endswith(
            # An agent body reaches the model with no folder, so links name the plugin root.
            "See [signals](${CLAUDE_PLUGIN_ROOT}/protocols/algedonic.md#when-to-signal), "
            "[here](${CLAUDE_PLUGIN_ROOT}/protocols/rules.md#shared)," + tail
        )
    )
    assert (
        (out / "PACT/skills/pact-task-tracking/SKILL.md")
        .read_text()
        .endswith(
            "See [signals](../../protocols/algedonic.md#when-to-signal), "
            "[here](../../protocols/rules.md#shared)," + tail
        )
    )
    assert (out / "PACT/protocols/rules.md").read_text() == protocol
