"""Signal levels and categories, and the handoff parts, read from the protocols.

The protocols in ``<plugin root>/protocols/`` are the single source: the
``## Levels and categories`` and ``## Letting a stopped action run`` tables of
``algedonic.md`` and the numbered list under ``## The five parts`` of
``pact-handoff.md``. They are read at run time, so editing the protocol changes
what the runtime accepts.
"""

from __future__ import annotations

import os
import re

from ..paths import plugin_root

ALGEDONIC = "algedonic.md"
HANDOFF = "pact-handoff.md"
LEVELS_HEADING = "Levels and categories"
APPROVAL_HEADING = "Letting a stopped action run"
PARTS_HEADING = "The five parts"

_ROW = re.compile(r"^\|\s*([A-Z]+)\s*\|\s*([A-Z][A-Z-]*)\s*\|")
_APPROVAL_ROW = re.compile(r"^\|\s*(begins with|holds none of)\s*\|(.*)\|\s*$")
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


def approval_words(root: str | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """The words a decision must begin with, and those it must not hold, to approve.

    Read from the ``begins with`` and ``holds none of`` rows of the protocol's
    table; each word is kept as its lower-case letters (``don't`` -> ``dont``).
    """
    path = _protocol(root, ALGEDONIC)
    rows: dict[str, frozenset[str]] = {}
    for line in section(path, APPROVAL_HEADING):
        match = _APPROVAL_ROW.match(line.strip())
        if match:
            rows[match.group(1)] = frozenset(
                letters(w) for w in re.findall(r"`([^`]+)`", match.group(2)) if letters(w))
    if not rows.get("begins with") or "holds none of" not in rows:
        raise VocabularyError(f"{path}: '## {APPROVAL_HEADING}' needs the 'begins with' and "
                              "'holds none of' rows")
    return rows["begins with"], rows["holds none of"]


def approves(decision: str, root: str | None = None,
             rule: tuple[frozenset[str], frozenset[str]] | None = None) -> bool:
    """Whether the user's decision lets the action the guard stopped run (see the protocol).

    ``rule`` is what ``approval_words`` returned, for a caller judging many
    decisions. Raises VocabularyError when the protocol's rule cannot be read;
    callers treat that as "not approved".
    """
    return refusal(decision, root, rule) is None


def refusal(decision: str, root: str | None = None,
            rule: tuple[frozenset[str], frozenset[str]] | None = None) -> str | None:
    """What keeps the decision from approving: None when it approves.

    Otherwise the first word of the ``holds none of`` row found in the decision,
    as the user typed it (``Don't``), or "" when it holds none of them but does
    not begin with a word of the ``begins with`` row. Raises VocabularyError
    like ``approves``.
    """
    first, refusing = rule or approval_words(root)
    # Every mark people type for an apostrophe is one ("don`t", "donʼt"), and "do n't" is
    # "don't", so no spelling of a refusing word slips through.
    text = re.sub(r"\s+(?=n't\b)", "", decision.translate(_APOSTROPHES), flags=re.IGNORECASE)
    # Words are runs of letters, an apostrophe inside one (don't) kept with it.
    typed = list(re.finditer(r"[^\W\d_]+(?:'[^\W\d_]+)*", text))
    blocked = next((w.group() for w in typed if letters(w.group()) in refusing), None)
    if blocked is not None:
        return blocked
    # The decision begins with the word: nothing but white space before it ("100 yes" no).
    begins = bool(typed) and not text[:typed[0].start()].strip()
    return None if begins and letters(typed[0].group()) in first else ""


_APOSTROPHES = str.maketrans({c: "'" for c in "’‘ʼ`´′＇"})


def letters(word: str) -> str:
    return "".join(c for c in word.lower() if c.isalpha())


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
