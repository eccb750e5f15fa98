"""Loading: byte variants read alike, frontmatter keeps the line of every key."""

from __future__ import annotations

import pytest
from pact_build import frontmatter, pipeline, sources

from .helpers import found

AGENT_LF = (
    "---\nname: pact-tester\ndescription: Writes and runs tests.\nskills:\n"
    "  - pact-task-tracking\n---\n# Tester\n\nBody line.\n"
)
VARIANTS = {
    "bom": b"\xef\xbb\xbf" + AGENT_LF.encode(),
    "crlf": AGENT_LF.replace("\n", "\r\n").encode(),
    "cr": AGENT_LF.replace("\n", "\r").encode(),
    "no final newline": AGENT_LF.rstrip("\n").encode(),
    "extra final newlines": (AGENT_LF + "\n\n").encode(),
}


def _load(root, rel):
    found_files, _ = sources.find(root, pact=True)
    item = next(f for f in found_files if f.rel == rel)
    source, problems = sources.load(root, item)
    assert problems == []
    return source


@pytest.mark.parametrize("variant", list(VARIANTS), ids=list(VARIANTS))
def test_byte_variants_load_like_their_lf_twin(source_tree, variant):
    rel = "agents/pact-tester.md"
    twin = _load(source_tree(files={rel: AGENT_LF}), rel)

    source = _load(source_tree(files={rel: VARIANTS[variant]}), rel)

    assert source.text == twin.text == AGENT_LF
    assert source.frontmatter == twin.frontmatter
    assert source.key_lines == twin.key_lines
    assert (source.body, source.body_line) == (twin.body, twin.body_line)


@pytest.mark.parametrize("variant", list(VARIANTS), ids=list(VARIANTS))
def test_byte_variants_render_to_the_same_lf_bytes(source_tree, tmp_path, variant):
    rel = "agents/pact-tester.md"
    twin_out, out = tmp_path / "twin", tmp_path / "variant"
    pipeline.build(source_tree(files={rel: AGENT_LF}), twin_out)

    result = pipeline.build(source_tree(files={rel: VARIANTS[variant]}), out)

    assert result.report.problems == []
    written = (out / "PACT" / rel).read_bytes()
    assert written == (twin_out / "PACT" / rel).read_bytes() == AGENT_LF.encode()


def test_byte_variants_report_the_same_lines(source_tree):
    bad = "---\ndescription: Check\nargument-hint: [x]\n---\nBody.\n"
    lf = found(source_tree(files={"commands/c.md": bad}))

    crlf = found(
        source_tree(files={"commands/c.md": b"\xef\xbb\xbf" + bad.replace("\n", "\r\n").encode()})
    )

    assert crlf == lf == [("commands/c.md", 3, "yaml-list", "error")]


def test_frontmatter_records_key_lines_and_body_start():
    split = frontmatter.split(AGENT_LF)
    parsed = frontmatter.parse(split.frontmatter, "agents/pact-tester.md")

    assert parsed.lines == {("name",): 2, ("description",): 3, ("skills",): 4, ("skills", 0): 5}
    assert split.body_line == 7
    assert split.body == "# Tester\n\nBody line.\n"


def test_source_records_are_immutable(source_tree):
    source = _load(source_tree(), "agents/pact-tester.md")

    assert (source.kind, source.id, source.body_line) == ("agent", "pact-tester", 10)
    with pytest.raises(AttributeError):
        source.kind = "command"


def test_every_kind_is_found_in_sorted_order(source_tree):
    found_files, problems = sources.find(source_tree(), pact=True)

    assert problems == []
    assert [(f.kind, f.rel) for f in found_files] == [
        ("marketplace", ".claude-plugin/marketplace.json"),
        ("plugin", ".claude-plugin/plugin.json"),
        ("agent", "agents/pact-tester.md"),
        ("command", "commands/orchestrate.md"),
        ("brief", "hooks/session-brief.md"),
        ("protocol", "protocols/pact-handoff.md"),
        ("skill", "skills/pact-task-tracking/SKILL.md"),
        ("reference", "skills/pact-task-tracking/references/detail.md"),
    ]


def test_json_manifest_keys_keep_their_lines(source_tree):
    source = _load(source_tree(), ".claude-plugin/marketplace.json")

    assert source.line("plugins", 0, "source") == 9
    assert source.line("owner", "name") == 4
