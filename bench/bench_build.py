"""Build time: the PACT sources and a generated tree of 300 components.

    python -m bench.bench_build [--runs N]

Times ``pact_build.pipeline.build`` (every check, rendering and the write of
the plugin, sqlglot vendoring included) and the check alone (``validate``)
in this process, median of N runs (default 5) into a temporary folder, plus
the whole ``pact-plugin build`` command as a new process, as a maintainer runs
it (interpreter start and the imports of PyYAML, Jinja2, jsonschema and ftfy
included). The generated tree has 100 agents, 100 skills and 100 commands,
each with protocol includes, links with anchors and ``PACT:x`` mentions.
Writes ``bench/results/build.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pact_build import pipeline

REPO = Path(__file__).resolve().parents[1]
COUNT = 100
PROTOCOL = """# Shared rules {n}

## Part one

Keep each change small and say why. Shell example: `${{#arr[@]}}` and `${{{{ matrix.os }}}}`.

### Detail

Details for part one.

## Part two

Report what you changed, what you decided, and what is still open.
"""


def generate(root: Path, count: int = COUNT) -> Path:
    """Write a valid PACT source tree with ``count`` agents, skills and commands."""
    files = {
        ".claude-plugin/plugin.json": json.dumps({"name": "PACT", "author": {"name": "bench"}}),
        ".claude-plugin/marketplace.json": json.dumps(
            {
                "name": "pact-marketplace",
                "owner": {"name": "bench"},
                "plugins": [{"name": "PACT", "source": "./PACT"}],
            }
        ),
        "hooks/session-brief.md": "You lead the team. Start with /PACT:cmd-0.\n",
        "pyproject.toml": '[project]\nname = "pact-plugin"\nversion = "0.0.0"\n',
    }
    for n in range(5):
        files[f"protocols/proto-{n}.md"] = PROTOCOL.format(n=n)
    for n in range(count):
        p = n % 5
        files[f"agents/agent-{n}.md"] = (
            f"---\nname: agent-{n}\ndescription: Specialist {n}. Use for task {n}.\n"
            f"model: inherit\ntools: Read, Grep, Bash\nskills:\n  - skill-{n}\n---\n"
            f"# Agent {n}\n\nYou do task {n}. Read [rules](../protocols/proto-{p}.md#part-one) "
            f"and hand over to PACT:agent-{(n + 1) % count}.\n\n## Rules\n\n"
            f'<!--{{ include("proto-{p}", "Part one") }}-->\n\n## Handoff\n\n'
            f'<!--{{ include("proto-{p}", "Part two") }}-->\n'
        )
        files[f"skills/skill-{n}/SKILL.md"] = (
            f"---\nname: skill-{n}\ndescription: Skill {n} for task {n}.\n---\n# Skill {n}\n\n"
            f"Read [the reference](references/ref.md#notes) when needed.\n\n"
            f'<!--{{ include("proto-{p}", "Part two") }}-->\n'
        )
        files[f"skills/skill-{n}/references/ref.md"] = f"# Ref {n}\n\n## Notes\n\nNotes.\n"
        files[f"commands/cmd-{n}.md"] = (
            f'---\ndescription: Run task {n}\nargument-hint: "[goal]"\n---\n'
            f"Dispatch PACT:agent-{n} for $ARGUMENTS, then run /PACT:cmd-{(n + 1) % count}.\n"
        )
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _median(step: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def _run(command: list[str]) -> None:
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"Error: {' '.join(command)} exited {proc.returncode}:\n{proc.stderr}")


def _case(name: str, src: Path, runs: int, work: Path) -> list[dict[str, object]]:
    checked = pipeline.validate(src)
    files = len(checked.content.sources) if checked.content else 0
    status = "ok" if not checked.report.errors else f"{len(checked.report.errors)} content errors"
    rows = []
    command = [sys.executable, "-m", "pact_build", "build", "--src", str(src), "--out"]
    for mode, step in (
        ("validate", lambda: pipeline.validate(src)),
        ("build", lambda: pipeline.build(src, work / "dist")),
        ("pact-plugin build", lambda: _run([*command, str(work / "cli-dist")])),
    ):
        median, best = _median(step, runs)
        rows.append(
            {
                "tree": name,
                "mode": mode,
                "files": files,
                "runs": runs,
                "median_s": round(median, 4),
                "min_s": round(best, 4),
                "status": status,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_build", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pact-bench-build-") as tmp:
        work = Path(tmp)
        rows = _case("PACT sources", REPO, args.runs, work)
        rows += _case(f"generated {3 * COUNT}", generate(work / "generated"), args.runs, work)
    print("| tree | mode | files | median (s) | min (s) | status |")
    print("|---|---|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['tree']} | {r['mode']} | {r['files']} | {r['median_s']:.3f} "
            f"| {r['min_s']:.3f} | {r['status']} |"
        )
    results = REPO / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "build.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
