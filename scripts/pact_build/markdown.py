"""The little Markdown the build needs: headings, GitHub anchors, sections and links."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_LINK_TEXT = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>]+>")
_NOT_SLUG = re.compile(r"[^\w\- ]", re.UNICODE)


class Heading(NamedTuple):
    level: int
    title: str
    offset: int  # 0-based line index


class Link(NamedTuple):
    target: str
    offset: int  # 0-based line index


def code_lines(lines: list[str]) -> list[bool]:
    """True for every line inside a fenced code block, fences included."""
    mask: list[bool] = []
    fence = ""
    for line in lines:
        match = _FENCE.match(line)
        if fence:
            mask.append(True)
            if (
                match
                and match.group(1)[0] == fence[0]
                and len(match.group(1)) >= len(fence)
                and not line.strip()[len(match.group(1)) :].strip()
            ):
                fence = ""
        elif match:
            fence = match.group(1)
            mask.append(True)
        else:
            mask.append(False)
    return mask


def headings(text: str) -> list[Heading]:
    lines = text.split("\n")
    found = []
    for index, (line, in_code) in enumerate(zip(lines, code_lines(lines))):
        match = None if in_code else _HEADING.match(line)
        if match:
            found.append(Heading(len(match.group(1)), (match.group(2) or "").strip(), index))
    return found


def slug(title: str) -> str:
    """GitHub's anchor for a heading: plain text, lower case, punctuation dropped, spaces to -."""
    text = _LINK_TEXT.sub(r"\1", title)
    text = _HTML_TAG.sub("", text).replace("`", "")
    return _NOT_SLUG.sub("", text.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading anchor of ``text``, numbering repeats as GitHub does (-1, -2…)."""
    seen: dict[str, int] = {}
    result: set[str] = set()
    for heading in headings(text):
        base = slug(heading.title)
        count = seen.get(base, 0)
        result.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return result


def section(text: str, title: str) -> str | None:
    """The lines under heading ``title`` up to the next heading of the same or higher level.

    Leading and trailing blank lines are dropped; None when no heading has that title.
    """
    lines = text.split("\n")
    found = headings(text)
    for position, heading in enumerate(found):
        if heading.title != title:
            continue
        end = len(lines)
        for later in found[position + 1 :]:
            if later.level <= heading.level:
                end = later.offset
                break
        return "\n".join(lines[heading.offset + 1 : end]).strip("\n")
    return None


def links(text: str) -> list[Link]:
    """Inline links, images and reference definitions outside code."""
    lines = text.split("\n")
    found = []
    for index, (line, in_code) in enumerate(zip(lines, code_lines(lines))):
        if in_code:
            continue
        plain = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        targets = [m.group(1) for m in _INLINE_LINK.finditer(plain)]
        ref = _REF_DEF.match(plain)
        if ref:
            targets.append(ref.group(1))
        found += [Link(t[1:-1] if t.startswith("<") else t, index) for t in targets]
    return found


def rewrite_links(text: str, change: Callable[[str], str]) -> str:
    """``text`` with every link target outside code replaced by ``change(target)``."""
    lines = text.split("\n")
    for index, (line, in_code) in enumerate(zip(lines, code_lines(lines))):
        if in_code or "](" not in line and "]:" not in line:
            continue
        spans = [m.span() for m in _CODE_SPAN.finditer(line)]

        def swap(match: re.Match[str], spans: list[tuple[int, int]] = spans) -> str:
            if any(a <= match.start() < b for a, b in spans):
                return match.group(0)
            start, end = match.span(1)
            target = match.group(1)
            bracketed = target.startswith("<")
            new = change(target[1:-1] if bracketed else target)
            new = f"<{new}>" if bracketed else new
            offset = match.start()
            return match.group(0)[: start - offset] + new + match.group(0)[end - offset :]

        line = _INLINE_LINK.sub(swap, line)
        lines[index] = _REF_DEF.sub(swap, line)
    return "\n".join(lines)
