"""Run every benchmark: the ``main()`` of each ``bench/bench_*.py`` module, in sorted order.

    python -m bench        (``make bench``)

Each module prints a Markdown table and writes its figures to ``bench/results/``.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    if str(HERE.parent) not in sys.path:
        sys.path.insert(0, str(HERE.parent))
    code = 0
    for path in sorted(HERE.glob("bench_*.py")):
        print(f"## {path.stem}\n", flush=True)
        module = importlib.import_module(f"bench.{path.stem}")
        run = module.main
        result = run([]) if inspect.signature(run).parameters else run()
        print(flush=True)
        code = code or int(result or 0)
    return code


if __name__ == "__main__":
    sys.exit(main())
