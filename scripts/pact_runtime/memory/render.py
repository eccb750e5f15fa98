"""How memories read on a terminal (the ``--json`` forms are the records themselves)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_WIDTH = 100


def headline(memory: dict[str, Any], with_project: bool = False) -> str:
    """``m-… 2026-12-03 agent [pinned]`` then the memory's first line of substance.

    ``with_project`` adds the project's path, for listings across projects.
    """
    marks = [memory["id"], memory["created"][:10]]
    if memory["agent"]:
        marks.append(memory["agent"])
    if memory["pinned"]:
        marks.append("pinned")
    if memory["source"] != "explicit":
        marks.append(memory["source"])
    if with_project:
        marks.append(memory["project"])
    lines = ["  ".join(marks)]
    summary = summary_line(memory)
    if summary:
        lines.append("  " + clip(summary, _WIDTH))
    return "\n".join(lines)


def summary_line(memory: dict[str, Any]) -> str:
    """The one line that best says what a memory holds."""
    for text in (memory["lessons"][:1], [d["decision"] for d in memory["decisions"][:1]],
                 [memory["goal"]], [memory["context"]], memory["uncertainties"][:1]):
        if text and text[0]:
            return " ".join(text[0].split())
    return ""


def full(memory: dict[str, Any]) -> str:
    """Every field, for ``show``."""
    out = [headline(memory).split("\n")[0]]
    for key in ("project", "session_id", "phase", "updated", "pinned_at"):
        if memory[key]:
            out.append(f"{key}: {memory[key]}")
    for key in ("goal", "context"):
        if memory[key]:
            out.append(f"{key}: {memory[key]}")
    _items(out, "lessons", memory["lessons"])
    _items(out, "decisions", [_decision(d) for d in memory["decisions"]])
    _items(out, "uncertainties", memory["uncertainties"])
    _items(out, "entities", [_entity(e) for e in memory["entities"]])
    _items(out, "files", memory["files"])
    if memory["tags"]:
        out.append("tags: " + ", ".join(memory["tags"]))
    return "\n".join(out)


def clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _items(out: list[str], title: str, items: list[str]) -> None:
    if items:
        out.append(f"{title}:")
        out.extend(f"  - {item}" for item in items)


def _decision(d: dict[str, Any]) -> str:
    text = d["decision"]
    if d["rationale"]:
        text += f" (because {d['rationale']})"
    if d["alternatives"]:
        text += "; rejected: " + ", ".join(d["alternatives"])
    return text


def _entity(e: dict[str, str]) -> str:
    return f"{e['name']} ({e['kind']})" if e["kind"] else e["name"]
