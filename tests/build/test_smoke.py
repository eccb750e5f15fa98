"""The real sources build into a plugin that validates strictly."""

from __future__ import annotations

import json
from pathlib import Path

from pact_build import pipeline

REPO = Path(__file__).resolve().parents[2]


def test_real_sources_build(tmp_path):
    result = pipeline.build(REPO, tmp_path / "dist")

    assert result.report.errors == [], "\n".join(p.format() for p in result.report.errors)

    assert result.out == (tmp_path / "dist").absolute()
    manifest = json.loads((tmp_path / "dist/PACT/.claude-plugin/plugin.json").read_text())
    assert manifest["name"] == "PACT"
    built = {
        p.relative_to(tmp_path / "dist/PACT").as_posix()
        for p in (tmp_path / "dist/PACT").rglob("*.md")
    }
    expected = {s.rel for s in result.content.sources if s.rel.endswith(".md")}
    assert built == expected
    assert pipeline.validate(tmp_path / "dist", strict=True).report.problems == []
    assert "<!--{" not in "".join(
        (tmp_path / "dist/PACT" / rel).read_text(encoding="utf-8") for rel in built
    )
