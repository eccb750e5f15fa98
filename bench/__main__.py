"""Run the benchmarks: the ``main()`` of each ``bench/bench_*.py`` module, in sorted order.

    python -m bench                 every benchmark (``make bench``)
    python -m bench build hooks     only bench_build and bench_hooks

Each module prints a Markdown table and writes its figures to ``bench/results/``.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    if str(HERE.parent) not in sys.path:
        sys.path.insert(0, str(HERE.parent))
    known = {path.stem[len("bench_"):]: path for path in sorted(HERE.glob("bench_*.py"))}
    wanted = sys.argv[1:] if argv is None else argv
    unknown = [name for name in wanted if name not in known]
    if unknown:
        print(f"Error: unknown benchmark {', '.join(unknown)} (known: {', '.join(known)})",
              file=sys.stderr)
        return 2
    code = 0
    for name, path in known.items():
        if wanted and name not in wanted:
            continue
        print(f"## {path.stem}\n", flush=True)
        module = importlib.import_module(f"bench.{path.stem}")
        run = module.main
        result = run([]) if inspect.signature(run).parameters else run()
        print(flush=True)
        code = code or int(result or 0)
    return code


if __name__ == "__main__":
    sys.exit(main())
