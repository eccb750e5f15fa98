"""Token accounting: what every session pays before any work starts.

Each listed agent, command and skill costs its line in the client's lists
(``- PACT:<id>: <description>``, agents followed by ``(Tools: …)``), the
session brief is injected whole at SessionStart, and the memory recall that
the same hook adds is counted at its cap. Tokens are estimated as characters
/ 4, rounded up.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from pact_runtime.memory.recall import BUDGET as RECALL_BUDGET

from .errors import WARNING, Problem
from .sources import Content, Source

BUDGETS = {"agent": 160, "command": 60, "skill": 80, "brief": 700}
TOTAL_BUDGET = 6000
# Characters of a whole file as shipped (includes expanded), paid each time it is
# loaded: an agent's body is its system prompt on every dispatch, a skill or
# command body is read on every use, a reference or protocol on every read.
# Our largest agent renders to about 24,000; beyond these a file has outgrown its job.
BODY_BUDGETS = {
    "agent": 40_000,
    "command": 20_000,
    "skill": 20_000,
    "reference": 50_000,
    "protocol": 50_000,
}
_PAID = {
    "agent": "every dispatch of the agent loads all of it as its system prompt",
    "command": "every run of the command loads all of it",
    "skill": "every use of the skill loads all of it",
    "reference": "every read of the file loads all of it",
    "protocol": "every read of the file loads all of it",
}
_KIND_ORDER = ("agent", "command", "skill", "brief", "recall")


class Row(NamedTuple):
    kind: str
    id: str
    rel: str
    line: int
    chars: int  # characters loaded into every session
    measured: int  # characters counted against the per-item budget

    @property
    def tokens(self) -> int:
        return math.ceil(self.chars / 4)


def listed_description(source: Source) -> str | None:
    """The description as the client lists it (skills and commands append ``when_to_use``)."""
    description = source.field("description")
    if not isinstance(description, str) or source.field("disable-model-invocation") is True:
        return None
    extra = source.field("when_to_use")
    return (
        f"{description} - {extra}"
        if isinstance(extra, str) and source.kind != "agent"
        else description
    )


def account(content: Content, brief: str | None) -> list[Row]:
    """One row per always-on item, sorted by kind then id."""
    rows = []
    for source in content.of("agent", "command", "skill"):
        text = listed_description(source)
        if text is not None:
            line = f"- {content.plugin}:{source.id}: {text}{_tools_suffix(source)}"
            rows.append(
                Row(
                    source.kind,
                    source.id,
                    source.rel,
                    source.line("description"),
                    len(line),
                    len(text),
                )
            )
    if brief is not None:
        size = len(brief.strip())
        rows.append(Row("brief", "session-brief", "hooks/session-brief.md", 1, size, size))
    rows.append(Row("recall", "memory-recall (cap)", "scripts/pact_runtime/memory/recall.py",
                    1, RECALL_BUDGET, RECALL_BUDGET))
    return sorted(rows, key=lambda r: (_KIND_ORDER.index(r.kind), r.id))


def _tools_suffix(source: Source) -> str:
    """The ``(Tools: …)`` note the client appends to each agent in its list."""
    if source.kind != "agent":
        return ""
    tools = source.field("tools")
    if isinstance(tools, list):
        tools = ", ".join(str(t) for t in tools)
    return f" (Tools: {tools})" if isinstance(tools, str) and tools.strip() else " (Tools: *)"


def check(rows: list[Row], manifest: str) -> list[Problem]:
    """Warnings (failures under --strict) for items and a total over budget."""
    problems = [
        Problem(
            r.rel,
            r.line,
            "description-budget",
            f"{_label(r.kind)} is {r.measured:,} characters (budget {BUDGETS[r.kind]:,})",
            "shorten it; it is loaded into every session",
            WARNING,
        )
        for r in rows
        if r.kind in BUDGETS and r.measured > BUDGETS[r.kind]
    ]
    total = sum(r.chars for r in rows)
    if total > TOTAL_BUDGET:
        problems.append(
            Problem(
                manifest,
                1,
                "always-on-budget",
                f"always-on context is {total:,} characters (budget {TOTAL_BUDGET:,})",
                "shorten the longest descriptions or the brief",
                WARNING,
            )
        )
    return problems


def check_bodies(content: Content, rendered: dict[str, str] | None) -> list[Problem]:
    """Warnings for files over their body budget, measured as shipped.

    ``rendered`` holds the output text of the PACT sources; another plugin is
    measured as written.
    """
    problems = []
    for source in content.of(*BODY_BUDGETS):
        text = rendered.get(source.rel) if rendered is not None else source.text
        size = len(text) if text is not None else 0
        limit = BODY_BUDGETS[source.kind]
        if size > limit:
            problems.append(
                Problem(
                    source.rel,
                    1,
                    "body-budget",
                    f"{source.rel} is {size:,} characters (about {math.ceil(size / 4):,} "
                    f"tokens; budget {limit:,} for {_article(source.kind)}): {_PAID[source.kind]}",
                    "split it: move detail the file does not always need into references/"
                    if source.kind in ("skill", "reference")
                    else "shorten it, or move detail into a skill's references/",
                    WARNING,
                )
            )
    return problems


def table(rows: list[Row]) -> str:
    """The accounting as an aligned text table with a total line."""
    width = max([len(r.id) for r in rows] + [len("total")])
    lines = [f"{'kind':<8} {'id':<{width}} {'chars':>6} {'tokens':>6}"]
    lines += [f"{r.kind:<8} {r.id:<{width}} {r.chars:>6,} {r.tokens:>6,}" for r in rows]
    total = sum(r.chars for r in rows)
    lines.append(
        f"{'total':<8} {'':<{width}} {total:>6,} {math.ceil(total / 4):>6,}"
        f"   (budget {TOTAL_BUDGET:,} characters)"
    )
    return "\n".join(lines)


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _label(kind: str) -> str:
    return "the session brief" if kind == "brief" else f"{kind} description"
