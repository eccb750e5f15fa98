"""Names the client knows: tools, built-in slash commands, models (from ``data/client.json``)."""

from __future__ import annotations

import difflib
import functools
import json
import re
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "client.json"
_PATTERN_TOOL = re.compile(r"^([A-Za-z]+)\((.*)\)$")


@functools.cache
def client() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def tools() -> list[str]:
    return list(client()["tools"])


def retired_tool(name: str) -> str | None:
    """What replaces a tool that older clients offered and this one does not, if any."""
    replacement: str | None = client()["retired_tools"].get(name)
    return replacement


def builtin_commands() -> set[str]:
    return set(client()["builtin_commands"])


def agent_ignored_fields() -> list[str]:
    return list(client()["agent_ignored_fields"])


def known_tool(name: str) -> bool:
    """A real tool name, a permission pattern on one (``Bash(git:*)``), or an MCP tool."""
    if any(name.startswith(prefix) for prefix in client()["tool_prefixes"]):
        return True
    match = _PATTERN_TOOL.match(name)
    return (match.group(1) if match else name) in client()["tools"]


def known_model(value: str) -> bool:
    return value in client()["model_aliases"] or (
        value.startswith(client()["model_id_prefix"])
        and len(value) > len(client()["model_id_prefix"])
    )


def split_list(value: Any) -> list[str]:
    """A frontmatter list given either as a YAML list or as a comma-separated string.

    Commas inside parentheses belong to a pattern (``Bash(git add:*, git commit:*)``).
    """
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if not isinstance(value, str):
        return []
    parts, depth, current = [], 0, ""
    for char in value:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def closest(name: str, choices: list[str]) -> str | None:
    """The most similar choice, compared without case, or None."""
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None
