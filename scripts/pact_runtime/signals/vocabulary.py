"""Signal levels and categories, and the handoff parts, read from the protocols.

The protocols in ``<plugin root>/protocols/`` are the single source: the
``## Levels and categories`` table of ``algedonic.md`` and the numbered list
under ``## The five parts`` of ``pact-handoff.md``. Both are read at run time,
so editing the protocol changes what the runtime accepts.
"""

from __future__ import annotations

import os
import re

from ..paths import plugin_root

ALGEDONIC = "algedonic.md"
HANDOFF = "pact-handoff.md"
LEVELS_HEADING = "Levels and categories"
PARTS_HEADING = "The five parts"

_ROW = re.compile(r"^\|\s*([A-Z]+)\s*\|\s*([A-Z][A-Z-]*)\s*\|")
_PART = re.compile(r"^\s*\d+\.\s+\*\*([^*]+)\*\*\s*:")


class VocabularyError(Exception):
    """A protocol file or section the runtime reads is missing or malformed."""


def section(path: str, heading: str) -> list[str]:
    """The lines under ``## heading`` up to the next heading of level 1 or 2."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            lines = f.read().splitlines()
    except OSError as exc:
        raise VocabularyError(f"cannot read {path}: {exc.strerror or exc}") from exc
    body: list[str] | None = None
    for line in lines:
        if re.match(r"^#{1,2}\s", line):
            if body is not None:
                break
            if line.lstrip("#").strip() == heading:
                body = []
            continue
        if body is not None:
            body.append(line)
    if body is None:
        raise VocabularyError(f"{path} has no '## {heading}' section")
    return body


def levels(root: str | None = None) -> dict[str, tuple[str, ...]]:
    """``{"HALT": ("SECURITY", …), "ALERT": (…)}`` in the protocol's order."""
    path = _protocol(root, ALGEDONIC)
    found: dict[str, list[str]] = {}
    for line in section(path, LEVELS_HEADING):
        match = _ROW.match(line.strip())
        if match and match.group(1) != "LEVEL":
            found.setdefault(match.group(1), []).append(match.group(2))
    if not found:
        raise VocabularyError(f"{path}: '## {LEVELS_HEADING}' holds no level table rows")
    return {level: tuple(cats) for level, cats in found.items()}


def handoff_parts(root: str | None = None) -> list[str]:
    """The names of the handoff parts, e.g. ``["Produced files", …]``."""
    path = _protocol(root, HANDOFF)
    parts = []
    for line in section(path, PARTS_HEADING):
        match = _PART.match(line)
        if match:
            parts.append(match.group(1).strip())
    if not parts:
        raise VocabularyError(f"{path}: '## {PARTS_HEADING}' lists no '1. **Name**:' items")
    return parts


def _protocol(root: str | None, name: str) -> str:
    return os.path.join(root or plugin_root(), "protocols", name)
