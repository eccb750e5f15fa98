"""Memory store benchmark: save and search at 1,000, 10,000 and 100,000 memories.

    python -m bench.bench_memory [--dist DIR] [--runs N] [--sizes 1000,10000]
    python -m bench memory        (``make bench`` runs it with the others)

Prints a Markdown table and writes ``bench/results/memory.json`` and ``.md``.
One database grows through the sizes; at each size it measures, on the same
data:

- in-process ``store.save`` and ``search.search`` medians (and p95),
- a plain ``LIKE`` scan for the same queries, reported as a ratio,
- the built plugin's ``bin/pact-memory`` (save, and search with and without
  a match), its whole run from the shell shim to exit, next to a bare
  ``python3 -S -c pass`` run in turn with it; ``python3`` is the real
  interpreter, not a version manager's shim,
- database bytes per memory.

Text is generated from a seeded vocabulary with a skewed word frequency, a
few accented and Chinese/Japanese records, and queries drawn from stored
records, so queries hit as they would in use. Targets: in-process search
median under ``SEARCH_TARGET_MS`` at 100,000 memories; the command within
``COMMAND_TARGET`` times a bare interpreter.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "scripts"))

from pact_runtime.memory import search, store  # noqa: E402

from .common import built_dist, dist_parser, write_results  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
PROJECT = "/home/dev/src/shop"  # replaced by a real folder in run(): the command checks it
OTHER_PROJECTS = ("/home/dev/src/blog", "/home/dev/src/infra", "/home/dev/src/mobile")
SAVES = 200
QUERIES = 300
LIKE_QUERIES = 40
COMMAND_RUNS = 30
SEARCH_TARGET_MS = 5.0
COMMAND_TARGET = 3.0

_NOUNS_TEXT = """orders invoices customers payments refunds carts sessions tokens webhooks queues
workers migrations indexes partitions replicas backups snapshots schemas tables columns views
triggers constraints transactions locks deadlocks retries timeouts caches layouts components
routes forms validators serializers endpoints handlers middleware pipelines deployments
containers images volumes secrets certificates domains dashboards alerts metrics traces logs
builds releases branches reviews tests fixtures mocks benchmarks profiles reports exports
imports uploads thumbnails notifications emails templates translations currencies taxes
discounts coupons inventory warehouses shipments carriers addresses users roles permissions
audits quotas limits budgets schedules cron jobs batches streams events topics consumers
producers offsets checkpoints"""
_VERBS_TEXT = """added removed renamed split merged cached indexed batched retried throttled
partitioned replicated validated normalized denormalized archived compressed encrypted
rotated migrated backfilled paginated debounced memoized vacuumed reindexed sharded
upgraded pinned"""
_ADJ_TEXT = """slow fast stale flaky nullable unique partial composite idempotent concurrent
nightly hourly legacy new optional required shared private public internal external
regional global cold hot large small"""
_TECH_TEXT = """postgres sqlite redis kafka rabbitmq nginx docker kubernetes terraform react
vue django flask fastapi celery graphql grpc s3 cloudfront lambda stripe sentry grafana
prometheus jest pytest playwright webpack vite n8n"""
_NOUNS, _VERBS = _NOUNS_TEXT.split(), _VERBS_TEXT.split()
_ADJ, _TECH = _ADJ_TEXT.split(), _TECH_TEXT.split()
_ACCENTED = ["café", "résumé", "naïve", "Zürich", "São Paulo", "Ångström", "façade", "München"]
_CJK = ["数据库迁移之前先备份", "订单表需要分区", "缓存失效导致延迟",
        "データベースの移行は夜間に行う", "キャッシュの有効期限を短くする", "支付回调必须幂等"]


def _word(rng: random.Random, words: list[str]) -> str:
    # Zipf-like: the word at rank r is picked in proportion to 1/r, as in real text.
    cum = _CUMULATIVE.get(len(words))
    if cum is None:
        cum = list(itertools.accumulate(1 / (r + 1) for r in range(len(words))))
        _CUMULATIVE[len(words)] = cum
    return rng.choices(words, cum_weights=cum)[0]


_CUMULATIVE: dict[int, list[float]] = {}


_SYLLABLES = ("ka", "lo", "ver", "mi", "tor", "zen", "pra", "dul", "quin", "sa", "bex", "ron",
              "fi", "gal", "mot", "nu", "ris", "tek", "vo", "wyn")
_SUFFIXES = ("Service", "Worker", "Client", "Store", "Job", "Handler", "View", "Schema", "Api",
             "Queue", "Report", "Gateway", "Cache", "Model", "Controller")


def _identifiers(rng: random.Random, count: int) -> list[str]:
    """Code names such as ``KaverService``: a project's own, many and varied, vocabulary."""
    names: list[str] = []
    while len(names) < count:
        stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        name = stem.capitalize() + rng.choice(_SUFFIXES)
        if name not in names:
            names.append(name)
    return names


_IDENTIFIERS = _identifiers(random.Random(7), 3000)

_TEMPLATES = (
    "{N} were {v} because {n2} got {a}",
    "Use {t} for {n} and keep {n2} {a}",
    "The {a} {n} lookup in {I} needs an index on {n2}_id",
    "{T} {n} time out when {n2} are {v}",
    "Keep {n} {v} before {n2} run in {t}",
    "{I} retries {n} three times, then parks them in {I2}",
    "Never call {I} from {I2} inside a transaction; it deadlocks on {n}",
    "{I} reads {n} from {t}, so a schema change there breaks {I2}",
    "Moving {n} to {t} halved the p95 latency of {I}",
    "Tests for {I} need a frozen clock; {n} expire after {d} minutes",
    "The {a} flag in {I} hides {n} from {I2} until the backfill ends",
    "{I2} owns {n}; ask before changing its {n2} contract",
    "Batch {n} in groups of {d} or {t} rejects the payload",
    "{N} in {I} are {v} nightly by a cron job at {d}:00 UTC",
    "Rolling back {I} also needs {n2} {v} by hand",
    "A {a} {n} cache in {I} served stale {n2} after deploys",
)


def _sentence(rng: random.Random) -> str:
    noun, other = _word(rng, _NOUNS), _word(rng, _NOUNS)
    text = rng.choice(_TEMPLATES).format(
        N=noun.capitalize(), n=noun, n2=other, v=_word(rng, _VERBS), a=_word(rng, _ADJ),
        t=_word(rng, _TECH), T=_word(rng, _TECH).capitalize(), I=_word(rng, _IDENTIFIERS),
        I2=_word(rng, _IDENTIFIERS), d=rng.choice((5, 10, 15, 30, 50, 100, 500, 2, 3)))
    if rng.random() < 0.04:
        text += " near " + rng.choice(_ACCENTED)
    if rng.random() < 0.03:
        text = rng.choice(_CJK) + " " + text
    if rng.random() < 0.3:
        text += f" (ticket {rng.choice(['SHOP', 'OPS', 'WEB'])}-{rng.randrange(10**4)})"
    return text


def make_memory(rng: random.Random) -> dict[str, Any]:
    nouns = [_word(rng, _NOUNS) for _ in range(3)]
    return store.normalize({
        "context": f"{nouns[0].capitalize()} service, {_word(rng, _TECH)} {nouns[1]}",
        "goal": _sentence(rng),
        "lessons": [_sentence(rng) for _ in range(rng.randint(1, 3))],
        "decisions": [{"decision": _sentence(rng), "rationale": _sentence(rng),
                       "alternatives": [f"{_word(rng, _TECH)} {nouns[2]}"]}
                      for _ in range(rng.randint(0, 2))],
        "entities": [{"name": n, "kind": "table"} for n in set(nouns)]
        + [{"name": _word(rng, _IDENTIFIERS), "kind": "component"}],
        "files": [f"src/{nouns[0]}/{nouns[1]}_{rng.randrange(50)}.py"],
        "agent": rng.choice(["pact-database-engineer", "pact-backend-coder", "pact-architect",
                             "pact-frontend-coder", "pact-devops-engineer"]),
        "pinned": rng.random() < 0.002,
    })


def query_from(rng: random.Random, memory: dict[str, Any]) -> str:
    """One to three words taken from a stored memory, as a user would remember them."""
    words = [w.strip("(),.") for w in (memory["goal"] + " " + memory["lessons"][0]).split()]
    words = [w for w in words if len(w) > 3 and not w.isdigit() and "-" not in w] or ["orders"]
    return " ".join(rng.sample(words, min(len(words), rng.choice((1, 1, 2, 2, 3)))))


def _project(rng: random.Random) -> str:
    return PROJECT if rng.random() < 0.7 else rng.choice(OTHER_PROJECTS)


def _fill(conn: Any, rng: random.Random, count: int, sample: list[dict[str, Any]]) -> None:
    for _ in range(count):
        memory = make_memory(rng)
        store.save(conn, memory, project=_project(rng), source="explicit")
        if len(sample) < 5000 or rng.random() < 0.01:
            sample.append(memory)


def _median_ms(times: list[float]) -> float:
    return round(statistics.median(times) * 1000, 3)


def _p95_ms(times: list[float]) -> float:
    return round(sorted(times)[int(len(times) * 0.95) - 1] * 1000, 3)


def _ratio(times: list[float], bare: list[float]) -> float:
    return round(statistics.median(times) / statistics.median(bare), 2)


def _time_saves(conn: Any, rng: random.Random) -> list[float]:
    times = []
    for _ in range(SAVES):
        memory = make_memory(rng)
        start = time.perf_counter()
        store.save(conn, memory, project=PROJECT, source="explicit")
        times.append(time.perf_counter() - start)
    return times


def _time_searches(conn: Any, queries: list[str]) -> tuple[list[float], float]:
    times, hits = [], 0
    for query in queries:
        start = time.perf_counter()
        found = search.search(conn, query, project=PROJECT, limit=10)
        times.append(time.perf_counter() - start)
        hits += bool(found)
    return times, hits / len(queries)


def _time_like(conn: Any, queries: list[str]) -> list[float]:
    """The plain scan a store without an index runs: every row, ranked by fields matched."""
    times = []
    fields = ("context", "goal", "lessons", "decisions")
    for query in queries:
        clauses, hits, args, hit_args = [], [], [], []
        for word in query.split():
            clauses.append("(" + " OR ".join(f"{f} LIKE ?" for f in fields) + ")")
            hits += [f"({f} LIKE ?)" for f in fields]
            args += [f"%{word}%"] * 4
            hit_args += [f"%{word}%"] * 4
        sql = (f"SELECT id, {' + '.join(hits)} AS hits FROM memories WHERE project = ? AND "
               + " AND ".join(clauses) + " ORDER BY hits DESC, updated DESC LIMIT 10")
        start = time.perf_counter()
        conn.execute(sql, [*hit_args, PROJECT, *args]).fetchall()
        times.append(time.perf_counter() - start)
    return times


def _interpreter() -> str:
    """The binary behind ``python3`` on PATH; a pyenv shim would add a shell script's cost."""
    proc = subprocess.run(["python3", "-S", "-c", "import sys; print(sys.executable)"],
                          capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def _run(argv: list[str], env: dict[str, str], stdin: str = "") -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, input=stdin, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or proc.stderr:
        raise SystemExit(f"Error: {' '.join(argv[:2])} exited {proc.returncode}: "
                         f"{proc.stderr[-500:]}")
    return elapsed


def _time_commands(command: str, env: dict[str, str], queries: list[str], rng: random.Random,
                   size: int, runs: int) -> dict[str, list[float]]:
    """The command's search (with and without a match) and save, in turn with a bare interpreter.

    Every save stores new content (a repeated one would only find its duplicate).
    """
    times: dict[str, list[float]] = {"bare": [], "search": [], "miss": [], "save": []}
    for n in range(runs):
        times["bare"].append(_run(BARE, env))
        times["search"].append(_run([command, "search", queries[n % len(queries)]], env))
        # Nothing matches: the command then also checks that the store is intact.
        times["miss"].append(_run([command, "search", f"zq{n}xv"], env))
        new = json.dumps({"goal": f"bench {size} run {n}", "lessons": [_sentence(rng)]})
        times["save"].append(_run([command, "save"], env, stdin=new))
    return times


BARE = ["python3", "-S", "-c", "pass"]


def _measure(conn: Any, home: str, size: int, rng: random.Random, sample: list[dict[str, Any]],
             command: str, runs: int) -> dict[str, Any]:
    searched = conn.execute("SELECT count(*) FROM memories").fetchone()[0]
    queries = [query_from(rng, rng.choice(sample)) for _ in range(QUERIES)]
    search_times, hit_rate = _time_searches(conn, queries)
    like_times = _time_like(conn, queries[:LIKE_QUERIES])
    fts_same = search_times[:LIKE_QUERIES]
    # Each command run opens and closes its own connection, so in use the write-ahead log
    # is folded back into the file whenever the last one closes; do the same here.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    python_dir = os.path.dirname(_interpreter())
    env = {"PATH": python_dir + os.pathsep + os.environ.get("PATH", ""), "PACT_HOME": home,
           "PACT_PROJECT": PROJECT}
    for _ in range(3):  # warm-up: .pyc files, page cache
        _run([command, "search", queries[0]], env)
    cmd = _time_commands(command, env, queries, rng, size, runs)
    save_times = _time_saves(conn, rng)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    count = conn.execute("SELECT count(*) FROM memories").fetchone()[0]
    return {
        "memories": searched, "after_saves": count,
        "save_ms": _median_ms(save_times), "save_p95_ms": _p95_ms(save_times),
        "search_ms": _median_ms(search_times), "search_p95_ms": _p95_ms(search_times),
        "search_hit_rate": round(hit_rate, 3), "like_ms": _median_ms(like_times),
        "like_over_search": round(statistics.median(like_times) / statistics.median(fts_same), 1),
        "cmd_search_ms": _median_ms(cmd["search"]), "cmd_miss_ms": _median_ms(cmd["miss"]),
        "cmd_save_ms": _median_ms(cmd["save"]), "bare_ms": _median_ms(cmd["bare"]),
        "cmd_search_x_bare": _ratio(cmd["search"], cmd["bare"]),
        "cmd_miss_x_bare": _ratio(cmd["miss"], cmd["bare"]),
        "cmd_save_x_bare": _ratio(cmd["save"], cmd["bare"]),
        "bytes_per_memory": round(os.path.getsize(os.path.join(home, "pact.db")) / count),
    }


def run(command: str, sizes: tuple[int, ...] = SIZES, runs: int = COMMAND_RUNS) -> dict[str, Any]:
    global PROJECT
    rng = random.Random(20261203)
    results: dict[str, Any] = {"python": sys.version.split()[0], "runs": runs, "sizes": []}
    with tempfile.TemporaryDirectory(prefix="pact-bench-") as home, \
            tempfile.TemporaryDirectory(prefix="pact-bench-shop-") as project:
        PROJECT = os.path.realpath(project)  # pact-memory refuses a project that is no folder
        conn = store.open_store(home)
        try:
            results["engine"] = search.engine(conn)
            sample: list[dict[str, Any]] = []
            have = 0
            for size in sizes:
                _fill(conn, rng, size - have, sample)
                row = _measure(conn, home, size, rng, sample, command, runs)
                have = row["after_saves"]
                results["sizes"].append(row)
        finally:
            conn.close()
    first, last = results["sizes"][0], results["sizes"][-1]
    results["growth"] = f"{first['memories']:,} to {last['memories']:,}"
    results["search_growth"] = round(last["search_ms"] / first["search_ms"], 2)
    results["save_growth"] = round(last["save_ms"] / first["save_ms"], 2)
    results["targets"] = {
        f"in-process search median under {SEARCH_TARGET_MS:g} ms at {last['memories']:,}":
            last["search_ms"] < SEARCH_TARGET_MS,
        f"command search within {COMMAND_TARGET:g}x bare":
            all(r["cmd_search_x_bare"] <= COMMAND_TARGET for r in results["sizes"]),
        f"command search finding nothing within {COMMAND_TARGET:g}x bare":
            all(r["cmd_miss_x_bare"] <= COMMAND_TARGET for r in results["sizes"]),
        f"command save within {COMMAND_TARGET:g}x bare":
            all(r["cmd_save_x_bare"] <= COMMAND_TARGET for r in results["sizes"]),
    }
    return results


def table(results: dict[str, Any]) -> str:
    lines = [
        f"Memory store (Python {results['python']}, engine {results['engine']}; the command "
        f"columns give the median of {results['runs']} runs of the built `bin/pact-memory` and "
        "its ratio to a bare `python3 -S -c pass` run in turn with it)",
        "",
        "| memories | save ms (p95) | search ms (p95) | hit rate | LIKE scan ms | LIKE / search "
        "| bare ms | command search ms (x bare) | no match ms (x bare) "
        "| command save ms (x bare) | bytes / memory |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["sizes"]:
        lines.append(
            f"| {r['memories']:,} | {r['save_ms']} ({r['save_p95_ms']}) "
            f"| {r['search_ms']} ({r['search_p95_ms']}) | {r['search_hit_rate']} "
            f"| {r['like_ms']} | {r['like_over_search']}x | {r['bare_ms']} "
            f"| {r['cmd_search_ms']} ({r['cmd_search_x_bare']}x) "
            f"| {r['cmd_miss_ms']} ({r['cmd_miss_x_bare']}x) "
            f"| {r['cmd_save_ms']} ({r['cmd_save_x_bare']}x) | {r['bytes_per_memory']:,} |")
    lines += ["", f"From {results['growth']} memories the search median grows "
              f"{results['search_growth']}x and the save median {results['save_growth']}x.", ""]
    lines += [f"- {name}: {'met' if met else 'missed'}"
              for name, met in results["targets"].items()]
    return "\n".join(lines)


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted(int(part.replace("_", "")) for part in text.split(",")))
    except ValueError:
        raise SystemExit(f"Error: --sizes: expected whole numbers separated by commas, "
                         f"got {text!r}") from None
    if not sizes or sizes[0] < 100:
        raise SystemExit("Error: --sizes: each size must be at least 100")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = dist_parser("python -m bench.bench_memory", __doc__, runs=COMMAND_RUNS)
    parser.add_argument("--sizes", default=",".join(str(n) for n in SIZES),
                        help="database sizes to measure (default 1000,10000,100000)")
    args = parser.parse_args(argv)
    dist = built_dist(args.dist)
    if dist is None:
        return 1

    results = run(os.path.join(dist, "PACT", "bin", "pact-memory"), _sizes(args.sizes),
                  max(args.runs, 30))
    text = table(results)
    print(text)
    write_results("memory", results, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
