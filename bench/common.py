"""What the benchmarks share: the repository, the built plugin, the results folder."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(REPO, "bench", "results")


def dist_parser(prog: str, doc: str | None, runs: int = 40) -> argparse.ArgumentParser:
    """An argument parser with ``--dist`` (the built plugin) and ``--runs``."""
    parser = argparse.ArgumentParser(prog=prog, description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", default=os.environ.get("PACT_DIST", os.path.join(REPO, "dist")),
                        help="the built plugin (default: $PACT_DIST, else dist/)")
    parser.add_argument("--runs", type=int, default=runs,
                        help=f"timed runs per case (default {runs}, at least 30)")
    return parser


def built_dist(dist: str) -> str | None:
    """The absolute path of a built plugin folder, or None (with a message) when it is missing."""
    dist = os.path.abspath(dist)  # the runs start in a temporary project folder
    if os.path.isfile(os.path.join(dist, "PACT", "runtime", "pact_hook.py")):
        return dist
    print(f"Error: no built plugin in {dist}; run `make plugin` first", file=sys.stderr)
    return None


def write_results(name: str, figures: dict[str, Any], table: str | None = None) -> None:
    """Save ``bench/results/<name>.json`` (and ``<name>.md`` when a table is given)."""
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, f"{name}.json"), "w", encoding="utf-8") as f:
        json.dump(figures, f, indent=2)
    if table is not None:
        with open(os.path.join(RESULTS, f"{name}.md"), "w", encoding="utf-8") as f:
            f.write(table + "\n")
