"""Small helpers shared by the build tests."""

from __future__ import annotations

from pact_build import pipeline


def agent(front, body="# Agent\n\nYou check things.\n"):
    """An agent file with the given frontmatter lines (name and description first)."""
    return f"---\n{front}---\n{body}"


def found(root, strict=False):
    """Every problem of a validate run as (path, line, code, severity) tuples."""
    result = pipeline.validate(root, strict)
    return [(p.path, p.line, p.code, p.severity) for p in result.report.problems]


def codes(root):
    return [(path, line, code) for path, line, code, _ in found(root)]
