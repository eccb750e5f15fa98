"""Guard cost per Bash call: the dispatcher as hooks.json runs it, ordinary and SQL commands.

    python -m bench.bench_guard [--dist DIR] [--runs N]

Every case runs ``python3 -S <plugin>/runtime/pact_hook.py <Event>`` with
the event on stdin, interleaved so machine load hits each alike. The baseline
is a Read event, which no PreToolUse handler matches (the dispatcher's no-op
cost). Ordinary Bash commands should stay within 1.2x of it; SQL-bearing
commands pay for sqlglot only when the keyword pre-check fires. The
destructive cases run in a project of their own, so the HALT they open does
not pause the other cases. Two 1 MB commands show the guard's time on long
input, a 10 MB SQL file being written shows it on a large file, and a
SubagentStop whose final message is 10 MB of unclosed
``pact-signal`` fences shows the signal-block reader's (it once took 30 s on
210 KB, the hook's timeout). Writes of 100 KB and 1 MB that once made the secret
patterns take quadratic time (35 s at 100 KB) show their time now. A ``for`` loop
and a ``find -exec`` over a large project show the cost of reading the SQL files
a command names, up to the guard's caps. MCP server tool calls show what the
guard costs on a tool with no SQL field and on a database tool's query. Prints a
Markdown table; writes ``bench/results/guard.json`` and ``bench/results/guard.md``.
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

TARGET_RATIO = 1.2
BASELINE = "Read (no-op)"
ORDINARY = ["ls -la", "git status", "npm test 2>&1 | tail -20", "pytest -q tests/runtime"]
# Commands that write a file or mention an SQL word: parsed, but never reach sqlglot.
PARSED = ["echo done > build.log", 'git commit -m "update the docs"']
SQL = ['psql -c "SELECT * FROM orders WHERE id = 1"',
       'psql -c "DELETE FROM sessions WHERE expires_at < now()"',
       "psql shop <<'SQL'\nBEGIN;\nUPDATE accounts SET flag = 1 WHERE id = 3;\nCOMMIT;\nSQL",
       'psql -c "DROP TABLE customers"']
# Long commands, by label: the guard must finish well inside the hook's 30 s timeout.
LARGE = {'psql -c "SELECT 1; …" (1 MB, ends in DROP TABLE)':
         'psql -c "' + "SELECT 1; " * 100_000 + 'DROP TABLE customers"',
         "git commit -m '…' (1 MB of SQL words)":
         "git commit -m '" + "update the table; " * 58_000 + "'"}
# SQL files a command names without writing them out: the guard reads up to its caps
# (sqlscan.MAX_LISTED_FILES, MAX_WALKED). Run in a project holding 300 migrations that
# update with a WHERE, beside 20,000 other files.
FILE_LOOPS = {"for f in migrations/*.sql; do psql -f \"$f\"; done (300 files, reads 200)":
              'for f in migrations/*.sql; do psql -f "$f"; done',
              "find . -name '*.pgsql' -exec psql -f {} \\; (no match, walk capped)":
              "find . -name '*.pgsql' -exec psql -f {} \\;"}
# MCP server tools: every one reaches the guard; only a database tool's SQL fields are read.
MCP_ORDINARY = {"mcp__github__create_issue (no SQL field)":
                ("mcp__github__create_issue", {"title": "Fix the update", "body": "drop it"})}
MCP_SQL = {"mcp__testdb__execute_sql SELECT": ("mcp__testdb__execute_sql",
                                              {"query": "SELECT * FROM orders WHERE id = 1"}),
           "mcp__testdb__execute_sql DROP TABLE": ("mcp__testdb__execute_sql",
                                                  {"query": "DROP TABLE customers"})}
FENCES = "SubagentStop: 10 MB of unclosed ```pact-signal fences"
BIG_SQL = "Write db/big.sql (10 MB of INSERTs, ends in DROP TABLE)"
# Files that once made the secret patterns take quadratic time (35 s at 100 KB, past the
# hook's timeout), each at about 100 KB and 1 MB: (label, text for one repeat, repeats at 100 KB).
SECRET_SCANS = [("a://:x", "a://:x", 16_667),
                ("one-line JSON of URLs", '{"id":1,"url":"http://localhost:8080/api/v1/items/1"},',
                 1_887),
                ("password…=", "password", 12_500)]


def _interpreter() -> str:
    proc = subprocess.run(["python3", "-S", "-c", "import sys; print(sys.executable)"],
                          capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def _stop_event(project: str, message: str) -> bytes:
    return json.dumps({"session_id": "bench", "transcript_path": "", "cwd": project,
                       "prompt_id": "p", "hook_event_name": "SubagentStop",
                       "agent_id": "a1", "agent_type": "PACT:pact-backend-coder",
                       "stop_hook_active": True, "last_assistant_message": message}).encode()


def _event(project: str, tool: str, tool_input: dict) -> bytes:
    return json.dumps({"session_id": "bench", "transcript_path": "", "cwd": project,
                       "prompt_id": "p", "permission_mode": "default",
                       "hook_event_name": "PreToolUse", "tool_name": tool,
                       "tool_input": tool_input, "tool_use_id": "t1"}).encode()


def _env(root: str, home: str, project: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
            "CLAUDE_PLUGIN_ROOT": root, "CLAUDE_PLUGIN_DATA": home, "CLAUDE_PROJECT_DIR": project}


def _once(cmd: list[str], stdin: bytes, env: dict[str, str]) -> tuple[float, bytes]:
    began = time.perf_counter()
    proc = subprocess.run(cmd, input=stdin, env=env, cwd=env["CLAUDE_PROJECT_DIR"],
                          capture_output=True)
    elapsed = time.perf_counter() - began
    if proc.returncode != 0 or proc.stderr:
        raise SystemExit(f"Error: the dispatcher exited {proc.returncode}: "
                         f"{proc.stderr.decode(errors='replace')[-500:]}")
    return elapsed, proc.stdout


def measure(dist: str, runs: int) -> dict:
    root = os.path.join(dist, "PACT")
    hook = [_interpreter(), "-S", os.path.join(root, "runtime", "pact_hook.py")]
    with tempfile.TemporaryDirectory(prefix="pact-bench-guard-") as scratch:
        home = os.path.join(scratch, "data")
        calm, halted = os.path.join(scratch, "project"), os.path.join(scratch, "halted")
        os.makedirs(calm)
        os.makedirs(halted)
        cases: dict[str, tuple[list[str], bytes, dict[str, str]]] = {
            BASELINE: ([*hook, "PreToolUse"],
                       _event(calm, "Read", {"file_path": f"{calm}/README.md"}),
                       _env(root, home, calm))}
        commands = {c: c for c in ORDINARY + PARSED + SQL} | LARGE
        for name, command in commands.items():
            project = halted if "DROP" in command else calm
            cases[name] = ([*hook, "PreToolUse"], _event(project, "Bash", {"command": command}),
                           _env(root, home, project))
        for name, (tool, tool_input) in (MCP_ORDINARY | MCP_SQL).items():
            project = halted if "DROP" in name else calm
            cases[name] = ([*hook, "PreToolUse"], _event(project, tool, tool_input),
                           _env(root, home, project))
        _file_tree(calm)
        for name, command in FILE_LOOPS.items():
            cases[name] = ([*hook, "PreToolUse"], _event(calm, "Bash", {"command": command}),
                           _env(root, home, calm))
        cases[BIG_SQL] = ([*hook, "PreToolUse"], _event(halted, "Write", {
            "file_path": f"{halted}/db/big.sql",
            "content": "INSERT INTO t VALUES (1, 'update me');\n" * 250_000 + "DROP TABLE t;\n"}),
            _env(root, home, halted))
        for label, unit, repeats in SECRET_SCANS:
            for size, times in (("100 KB", repeats), ("1 MB", repeats * 10)):
                cases[f"Write notes.txt ({size}: {label})"] = ([*hook, "PreToolUse"], _event(
                    calm, "Write", {"file_path": f"{calm}/notes.txt",
                                    "content": unit * times + "=" * (unit == "password")}),
                    _env(root, home, calm))
        cases[FENCES] = ([*hook, "SubagentStop"],
                         _stop_event(calm, "```pact-signal\n" * 700_000), _env(root, home, calm))
        verdicts = {}
        for name, (cmd, stdin, env) in cases.items():  # warm-up: .pyc files, database
            for _ in range(3):
                out = _once(cmd, stdin, env)[1]
                verdicts[name] = ("deny" if b'"deny"' in out else "block" if b'"block"' in out
                                  else "allow")
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, (cmd, stdin, env) in cases.items():
                times[name].append(_once(cmd, stdin, env)[0])
    base = statistics.median(times[BASELINE])
    return {"python": hook[0], "runs": runs, "verdicts": verdicts,
            "median_ms": {n: round(statistics.median(t) * 1000, 2) for n, t in times.items()},
            "ratio_to_noop": {n: round(statistics.median(t) / base, 2) for n, t in times.items()},
            "ordinary": [*ORDINARY, *MCP_ORDINARY], "parsed": PARSED, "sql": [*SQL, *MCP_SQL],
            "large": [*LARGE, BIG_SQL, FENCES, *FILE_LOOPS,
                      *(n for n in cases if "Write notes" in n)]}


def _file_tree(project: str) -> None:
    """300 migrations (each an UPDATE with a WHERE) and 20,000 other files in 200 folders."""
    os.makedirs(os.path.join(project, "migrations"))
    for k in range(300):
        with open(os.path.join(project, "migrations", f"{k:04}.sql"), "w") as f:
            f.write(f"UPDATE accounts SET flag = 1 WHERE id = {k};\n")
    for d in range(200):
        folder = os.path.join(project, "node_modules", f"pkg{d}")
        os.makedirs(folder)
        for k in range(100):
            with open(os.path.join(folder, f"m{k}.js"), "w") as f:
                f.write("x\n")


def report(figures: dict) -> str:
    lines = [f"Guard per hook call, {figures['python']}, median of {figures['runs']} runs",
             "", "| Case | Kind | Verdict | Median ms | x no-op |", "|---|---|---|---:|---:|"]
    for name, ms in figures["median_ms"].items():
        kind = ("baseline" if name == BASELINE else "ordinary" if name in figures["ordinary"]
                else "parsed" if name in figures["parsed"]
                else "large" if name in figures.get("large", ()) else "SQL")
        ratio = figures["ratio_to_noop"][name]
        over = " (over 1.2x)" if kind == "ordinary" and ratio > TARGET_RATIO else ""
        label = name.replace("\n", " ⏎ ").replace("|", "\\|")
        lines.append(f"| `{label}` | {kind} | {figures['verdicts'][name]} | {ms:.2f} | "
                     f"{ratio:.2f}{over} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = dist_parser("python -m bench.bench_guard", __doc__).parse_args(argv)
    dist = built_dist(args.dist)
    if dist is None:
        return 1
    figures = measure(dist, max(args.runs, 30))
    table = report(figures)
    print(table)
    write_results("guard", figures, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
