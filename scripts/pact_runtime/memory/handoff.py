"""Reading a specialist's handoff: the five parts named in the handoff protocol.

The part names come from ``protocols/pact-handoff.md``, section "The five
parts" (a numbered list, each item starting with the name in bold), read at
run time from the plugin root so the protocol stays the single source. In a
final message a part is a Markdown heading or a bold label with that name,
matched case-insensitively; its body runs to the next part, the next other
heading, or the end.
"""

from __future__ import annotations

import os
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

PROTOCOL = os.path.join("protocols", "pact-handoff.md")
SECTION = "The five parts"
# The roles of the five parts, in the protocol's order.
ROLES = ("files", "decisions", "uncertainties", "integration", "questions")
MAX_ITEMS = 20
MAX_ITEM_CHARS = 600

_ITEM_NAME = re.compile(r"^\s*\d+\.\s+\*\*(.+?)\*\*")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_LABEL = re.compile(r"^\s*(?:[-*]\s+|\d+\.\s+)?\*\*(.+?)\*\*\s*:?\s*(.*)$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_EMPTY = frozenset({"none", "none.", "n/a", "na", "-", "nothing", "no", "nothing to report"})


def part_names(root: str) -> list[str]:
    """The five part names from the protocol under ``root``, or [] if unreadable."""
    try:
        with open(os.path.join(root, PROTOCOL), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    names, inside = [], False
    for line in lines:
        heading = re.match(r"^(#+)\s+(.*?)\s*$", line)
        if heading:
            if inside:
                break
            inside = heading.group(2) == SECTION
            continue
        match = _ITEM_NAME.match(line) if inside else None
        if match:
            names.append(match.group(1).strip().rstrip(":"))
    return names if len(names) == len(ROLES) else []


def parts(message: str, names: list[str]) -> dict[str, list[str]]:
    """The items of each part found in ``message``, keyed by role (see ROLES)."""
    roles = {name.lower(): role for name, role in zip(names, ROLES)}
    found: dict[str, list[str]] = {}
    role: str | None = None
    body: list[str] = []
    for line in _outside_fences(message):
        label = _part_label(line, roles)
        if label is not None or _HEADING.match(line):
            if role:
                found[role] = found.get(role, []) + items(body)
            role, body = (label[0], [label[1]]) if label else (None, [])
            continue
        body.append(line)
    if role:
        found[role] = found.get(role, []) + items(body)
    return found


def items(lines: list[str]) -> list[str]:
    """List items (bullets or numbered), or paragraphs when there are none."""
    result: list[str] = []
    current: list[str] = []
    for line in lines + [""]:
        bullet = _BULLET.match(line)
        if bullet or not line.strip():
            if current:
                result.append(" ".join(current))
            current = [bullet.group(1).strip()] if bullet else []
        else:
            current.append(line.strip())
    cleaned = [_clip(i) for i in result if i.strip() and i.strip().lower() not in _EMPTY]
    return cleaned[:MAX_ITEMS]


def _part_label(line: str, roles: dict[str, str]) -> tuple[str, str] | None:
    heading = _HEADING.match(line)
    if heading:
        name = heading.group(1).strip("*_ ").rstrip(":").strip().lower()
        return (roles[name], "") if name in roles else None
    label = _LABEL.match(line)
    if label:
        name = label.group(1).strip().rstrip(":").strip().lower()
        if name in roles:
            return roles[name], label.group(2).strip()
    return None


def _outside_fences(message: str) -> Iterator[str]:
    fence = ""
    for line in message.splitlines():
        marker = re.match(r"^\s*(`{3,}|~{3,})", line)
        if marker and (not fence or marker.group(1).startswith(fence)):
            fence = "" if fence else marker.group(1)
            continue
        if not fence:
            yield line


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ITEM_CHARS else text[: MAX_ITEM_CHARS - 1] + "…"


# ---------------------------------------------------------------- fields of one item

_BACKTICKED = re.compile(r"`([^`\n]{1,200})`")
_PATHLIKE = re.compile(r"^[\w./~@+-]*[\w-]\.[A-Za-z0-9]{1,8}$|^[\w.~@+-]+/[\w./@+-]*$")
_RATIONALE = re.compile(r"\s+(?:because|since|so that)\s+|\s+[—–]\s+|\s+--\s+", re.IGNORECASE)
_ALTERNATIVE = re.compile(r"\b(?:instead of|rather than|over|not)\s+([^,;.]+)", re.IGNORECASE)


def file_path(item: str) -> str:
    """The path an item of "Produced files" names, or ""."""
    for span in _BACKTICKED.findall(item):
        if _PATHLIKE.match(span.strip()):
            return span.strip()
    first = re.split(r"\s+[-—–:(]\s*|:\s+|\s+\(", item.strip(), maxsplit=1)[0]
    first = first.strip().strip("*_`'\"").rstrip(".,;:")
    return first if _PATHLIKE.match(first) else ""


def decision(item: str) -> dict[str, Any]:
    """An item of "Key decisions" as {decision, rationale, alternatives}."""
    head, _, rationale = _split_once(_RATIONALE, item)
    head = head.strip().rstrip(",;:").rstrip()  # "Round per line, because …"
    alternatives = [m.strip() for m in _ALTERNATIVE.findall(head)]
    return {"decision": head, "rationale": rationale.strip(),
            "alternatives": alternatives[:3]}


def entities_in(items_: list[str]) -> list[dict[str, str]]:
    """Backticked names in "Integration points" that are not file paths."""
    found: list[dict[str, str]] = []
    for item in items_:
        for span in _BACKTICKED.findall(item):
            name = span.strip()
            entity = {"name": name, "kind": "integration"}
            if name and not _PATHLIKE.match(name) and entity not in found:
                found.append(entity)
    return found[:MAX_ITEMS]


def _split_once(pattern: re.Pattern[str], text: str) -> tuple[str, str, str]:
    match = pattern.search(text)
    if not match:
        return text, "", ""
    return text[: match.start()], match.group(), text[match.end():]
