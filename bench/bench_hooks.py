"""Hook start-up cost: the dispatcher as hooks.json runs it, against a bare interpreter.

    python -m bench.bench_hooks [--dist DIR] [--runs N]

Each case is started exactly as the client starts it (``python3 -S
<plugin>/runtime/pact_hook.py <Event>`` with the event JSON on stdin, the data
folder in a temporary directory), interleaved with a bare ``python3 -S -c
pass`` so machine load hits every case alike. The data folder holds what a
working project has (``SEEDED`` memories, an acknowledged ALERT); one
SessionStart case runs with an empty data folder, as on a first install.
``PreToolUse Read, no-op`` runs no handler (none wants Read): the dispatcher's floor.
Prints medians, the ratio to bare (design target: within 2x) and the slowest
imports from ``-X importtime``;
writes the figures to ``bench/results/hooks.json``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from .common import built_dist, dist_parser, write_results

Case = tuple[list[str], bytes, dict[str, str]]

TARGET_RATIO = 2.0
SEEDED = 200


def _interpreter() -> str:
    """The binary behind ``python3`` on PATH; a pyenv shim would add a shell script's cost."""
    proc = subprocess.run(["python3", "-S", "-c", "import sys; print(sys.executable)"],
                          capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def _cases(root: str, project: str, python: str, scratch: str) -> dict[str, Case]:
    entry = os.path.join(root, "runtime", "pact_hook.py")
    hook = [python, "-S", entry]
    seeded, empty = _env(root, scratch, project, "data"), _env(root, scratch, project, "empty")
    base = {"session_id": "bench", "transcript_path": "", "cwd": project}
    start = {**base, "hook_event_name": "SessionStart", "source": "startup"}
    prompt = {**base, "hook_event_name": "UserPromptSubmit", "prompt": "add a total to the cart"}
    bash = {**base, "prompt_id": "p", "permission_mode": "default",
            "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": "ls", "description": "list"}, "tool_use_id": "t1"}
    read = {**bash, "tool_name": "Read", "tool_input": {"file_path": f"{project}/README.md"}}
    return {
        "bare python3 -S -c pass": ([python, "-S", "-c", "pass"], b"", seeded),
        "SessionStart, no data": ([*hook, "SessionStart"], _json(start), empty),
        f"SessionStart, {SEEDED} memories": ([*hook, "SessionStart"], _json(start), seeded),
        "UserPromptSubmit": ([*hook, "UserPromptSubmit"], _json(prompt), seeded),
        "PreToolUse Bash ls": ([*hook, "PreToolUse"], _json(bash), seeded),
        "PreToolUse Read, no-op": ([*hook, "PreToolUse"], _json(read), seeded),
    }


def _check_recall(case: Case, project: str) -> None:
    """The seeded SessionStart must really recall memories, or its time means nothing."""
    cmd, stdin, env = case
    out = subprocess.run(cmd, input=stdin, env=env, cwd=project, capture_output=True).stdout
    if f"of {SEEDED}; `pact-memory search".encode() not in out:
        raise SystemExit(f"Error: SessionStart recalled nothing from the seeded data: "
                         f"{out[:300]!r}")


def _json(data: dict) -> bytes:
    return json.dumps(data).encode()


def _env(root: str, scratch: str, project: str, data: str) -> dict[str, str]:
    # No PYTHONDONTWRITEBYTECODE: installed plugins keep their .pyc files after
    # the first run, and that steady state is what a user pays for.
    home = os.path.join(scratch, data)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": scratch,
            "CLAUDE_PLUGIN_ROOT": root, "CLAUDE_PLUGIN_DATA": home, "PACT_HOME": home,
            "CLAUDE_PROJECT_DIR": project, "PACT_PROJECT": project,
            "CLAUDE_ENV_FILE": os.path.join(scratch, "env.sh")}


def _seed(root: str, env: dict[str, str], project: str) -> None:
    """Fill the data folder through the plugin's own commands: memories and a dealt-with ALERT."""
    lines = []
    for i in range(SEEDED):
        lines.append(json.dumps({
            "agent": "PACT:pact-backend-coder", "phase": "code", "pinned": i % 50 == 0,
            "context": f"Order service change {i}: totals are computed per line",
            "goal": f"Ship the cart total rework, step {i}",
            "lessons": [f"Round per line before summing (case {i})"],
            "decisions": [{"decision": "Keep Decimal end to end", "rationale": "cents drift"}],
            "entities": [{"name": "OrderService", "kind": "service"}],
            "files": [f"src/orders/total_{i % 7}.py"], "tags": ["orders"]}))
    bin_dir = os.path.join(root, "bin")
    for cmd, stdin in (([os.path.join(bin_dir, "pact-memory"), "import"], "\n".join(lines)),
                       ([os.path.join(bin_dir, "pact-signal"), "emit", "ALERT", "QUALITY",
                         "--reason", "flaky checkout test"], ""),
                       ([os.path.join(bin_dir, "pact-signal"), "ack", "S1"], "")):
        subprocess.run(cmd, input=stdin, env=env, cwd=project, text=True, check=True,
                       capture_output=True)


def _once(cmd: list[str], stdin: bytes, env: dict[str, str], cwd: str) -> float:
    began = time.perf_counter()
    proc = subprocess.run(cmd, input=stdin, env=env, cwd=cwd, capture_output=True)
    elapsed = time.perf_counter() - began
    if proc.returncode != 0 or proc.stderr:
        raise SystemExit(f"Error: {' '.join(cmd)} exited {proc.returncode}: "
                         f"{proc.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def _slowest_imports(cmd: list[str], stdin: bytes, env: dict[str, str], cwd: str,
                     limit: int = 6) -> list[tuple[str, float]]:
    """Top-level imports by cumulative time (ms) from one ``-X importtime`` run."""
    traced = [cmd[0], "-X", "importtime", *cmd[1:]]
    err = subprocess.run(traced, input=stdin, env=env, cwd=cwd, capture_output=True).stderr
    found = []
    for line in err.decode(errors="replace").splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            if len(name) - len(name.lstrip()) == 1:  # one space: imported by the script itself
                found.append((name.strip(), int(parts[1]) / 1000))
    return sorted(found, key=lambda item: -item[1])[:limit]


def measure(dist: str, runs: int) -> dict:
    root = os.path.join(dist, "PACT")
    with tempfile.TemporaryDirectory(prefix="pact-bench-") as scratch:
        project = os.path.join(scratch, "project")
        os.makedirs(project)
        python = _interpreter()
        cases = _cases(root, project, python, scratch)
        _seed(root, cases["UserPromptSubmit"][2], project)
        for cmd, stdin, env in cases.values():  # warm-up: .pyc files, database, caches
            for _ in range(3):
                _once(cmd, stdin, env, project)
        _check_recall(cases[f"SessionStart, {SEEDED} memories"], project)

        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, (cmd, stdin, env) in cases.items():
                times[name].append(_once(cmd, stdin, env, project))
        imports = {name: _slowest_imports(cmd, stdin, env, project)
                   for name, (cmd, stdin, env) in cases.items() if "pact_hook.py" in cmd[2]}

    bare = statistics.median(times["bare python3 -S -c pass"])
    return {
        "python": python,
        "runs": runs,
        "seeded_memories": SEEDED,
        "median_ms": {name: round(statistics.median(t) * 1000, 2) for name, t in times.items()},
        "ratio_to_bare": {name: round(statistics.median(t) / bare, 2) for name, t in times.items()},
        "slowest_imports_ms": imports,
    }


def report(figures: dict) -> str:
    lines = [f"Hook start-up, {figures['python']}, median of {figures['runs']} runs"]
    for name, ms in figures["median_ms"].items():
        ratio = figures["ratio_to_bare"][name]
        mark = "" if ratio <= TARGET_RATIO else f"  (over the {TARGET_RATIO:g}x target)"
        lines.append(f"  {name:<28} {ms:7.2f} ms  {ratio:5.2f}x bare{mark}")
    for name, imports in figures["slowest_imports_ms"].items():
        top = ", ".join(f"{mod} {ms:.1f}" for mod, ms in imports)
        lines.append(f"  imports in {name} (ms): {top}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = dist_parser("python -m bench.bench_hooks", __doc__).parse_args(argv)
    dist = built_dist(args.dist)
    if dist is None:
        return 1

    figures = measure(dist, max(args.runs, 30))
    print(report(figures))
    write_results("hooks", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
