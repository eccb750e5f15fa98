"""pact-plugin: build and validate the PACT plugin for Claude Code.

Examples:

    pact-plugin build --out dist          # check the sources, then write dist/
    pact-plugin validate --strict         # check only; warnings fail too
    pact-plugin validate ~/src/some-plugin
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from pathlib import Path

from . import budget, emit, pipeline
from .errors import UsageError
from .sources import MARKETPLACE_MANIFEST, PLUGIN_MANIFEST

log = logging.getLogger("pact_build")

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3
# Folders of a source tree that the build reads; the output may never land in one.
SOURCE_FOLDERS = frozenset(
    {
        ".claude-plugin",
        "agents",
        "commands",
        "skills",
        "protocols",
        "hooks",
        "scripts",
        "tests",
        "bench",
        ".git",
    }
)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 clean, 1 content, 2 usage)."""
    args = _parser().parse_args(argv)
    _configure_logging(args.verbose)
    try:
        if args.command == "build":
            return build(args)
        return validate(args)
    except UsageError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception:  # pragma: no cover (a bug in the build itself)
        print("unexpected error (a bug in pact-plugin, not in your content):", file=sys.stderr)
        traceback.print_exc()
        return EXIT_CRASH


def build(args: argparse.Namespace) -> int:
    """``build``: check every source, then write the plugin and marketplace to ``--out``."""
    src = _source(args.src)
    out = Path(_given(args.out, "--out"))
    _check_out(src, out)
    result = pipeline.build(src, out, args.strict)
    code = _report(result, args.strict, "; nothing written")
    if code == EXIT_OK:
        print(_summary(result))
    return code


def validate(args: argparse.Namespace) -> int:
    """``validate``: check a PACT source tree, a plugin folder or a marketplace; write nothing."""
    path = _enclosing() if args.path is None else _folder(args.path, "PATH")
    result = pipeline.validate(path, args.strict)
    code = _report(result, args.strict, "")
    if code == EXIT_OK:
        counts = _counts(result)
        print(f"{path}: {result.layout} is valid ({counts}) in {result.seconds:.2f} s")
    return code


def _report(result: pipeline.Result, strict: bool, outcome: str) -> int:
    for problem in result.report.problems:
        print(problem.format(), file=sys.stderr)
    errors, warnings = len(result.report.errors), len(result.report.warnings)
    if result.report.failed(strict):
        why = " (--strict: warnings fail)" if strict and not errors else ""
        print(f"{errors} error(s), {warnings} warning(s){why}{outcome}", file=sys.stderr)
        log.error("failed with %d error(s) and %d warning(s)", errors, warnings)
        return EXIT_CONTENT
    if warnings:
        print(f"{warnings} warning(s)", file=sys.stderr)
    return EXIT_OK


def _summary(result: pipeline.Result) -> str:
    content = result.content
    assert content is not None and result.out is not None
    market = next(iter(content.of("marketplace")))
    market_name = (market.frontmatter or {}).get("name", "marketplace")
    return "\n".join(
        [
            f"Built {content.plugin} into {result.out}: {_counts(result)}.",
            "",
            "Always-on context (loaded into every session):",
            budget.table(result.rows),
            "",
            f"Done in {result.seconds:.2f} s. Install with:",
            f"  claude plugin marketplace add {result.out}",
            f"  claude plugin install {content.plugin}@{market_name}",
        ]
    )


def _counts(result: pipeline.Result) -> str:
    content = result.content
    if content is None:
        return "marketplace and its local plugins"
    hooks = sum(1 for s in content.of("hooks")) if not content.pact else len(_events(content.root))
    parts = [
        f"{len(content.of(kind))} {label}"
        for kind, label in (("agent", "agents"), ("command", "commands"), ("skill", "skills"))
    ]
    if content.pact:
        parts.append(f"{len(content.of('protocol'))} protocols")
    parts.append(f"{hooks} hook events" if content.pact else f"{hooks} hooks file(s)")
    return ", ".join(parts)


def _events(root: Path) -> list[str]:
    events: list[str] = emit.load_registry(emit.runtime_dir(root)).events()
    return events


def _check_out(src: Path, out: Path) -> None:
    """Refuse an output folder that would replace or write into the sources.

    Compared as real paths, so a symlink or a ``../src`` spelling cannot slip through.
    """
    real_src, real_out = os.path.realpath(src), os.path.realpath(out)
    if real_out == real_src:
        raise UsageError(f"--out {out} is the source folder; choose another, such as dist")
    if os.path.commonpath([real_src, real_out]) == real_out:
        raise UsageError(f"--out {out} contains the source folder; choose another, such as dist")
    if os.path.commonpath([real_src, real_out]) == real_src:
        first = Path(os.path.relpath(real_out, real_src)).parts[0]
        if first in SOURCE_FOLDERS:
            raise UsageError(
                f"--out {out} is inside the source folder {first}/; "
                "choose a dedicated output folder, such as dist"
            )


def _given(value: str, name: str) -> str:
    # Path("") means ".", so an empty argument would silently pick the current folder.
    if not value:
        raise UsageError(f"{name} must not be empty")
    return value


def _folder(value: str, name: str = "--src") -> Path:
    path = Path(_given(value, name))
    if not path.exists():
        raise UsageError(f"{value} does not exist")
    if not path.is_dir():
        raise UsageError(f"{value} is a file, not a folder; give the folder that holds it")
    return path


def _source(value: str) -> Path:
    """The ``--src`` folder, when it is a PACT source tree; else a usage error that says
    where to run the build."""
    src = _folder(value)
    try:
        layout = pipeline.detect(src)
    except (UsageError, pipeline.Unreadable):
        layout = ""
    if layout != pipeline.SOURCE:
        where = f"the current folder ({Path.cwd()})" if value == "." else value
        raise UsageError(
            f"{where} is not a PACT source tree (it needs {PLUGIN_MANIFEST}, "
            f"{MARKETPLACE_MANIFEST}, protocols/ and a pyproject.toml for the "
            f"{pipeline.PACT_PROJECT} project); run pact-plugin build in the PACT "
            "repository, or name it: pact-plugin build --src DIR"
        )
    return src


def _enclosing() -> Path:
    """The folder ``validate`` checks when given none: the nearest one, from the current
    folder up, that holds a plugin or marketplace manifest (the sources, inside the repo)."""
    here = Path.cwd()
    for folder in (here, *here.parents):
        if any(os.path.isfile(folder / m) for m in (PLUGIN_MANIFEST, MARKETPLACE_MANIFEST)):
            return folder if folder != here else Path(".")
    raise UsageError(
        f"no PATH given, and neither the current folder ({here}) nor any folder above it "
        f"holds {PLUGIN_MANIFEST} or {MARKETPLACE_MANIFEST}; "
        "give the folder to check: pact-plugin validate PATH"
    )


def _configure_logging(verbose: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.CRITICAL)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pact-plugin",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log progress (-v) or every file (-vv) to stderr",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser(
        "build",
        help="check the sources and write the plugin",
        description="Check every source, then write the plugin and its marketplace.\n\n"
        "Example: pact-plugin build --out dist",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("--src", default=".", help="the PACT source tree (default: .)")
    build.add_argument("--out", default="dist", help="output folder (default: dist)")
    build.add_argument("--strict", action="store_true", help="fail on warnings too")
    check = commands.add_parser(
        "validate",
        help="check without writing anything",
        description="Check a PACT source tree, a plugin folder or a marketplace; "
        "write nothing.\n\nExample: pact-plugin validate --strict",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "path",
        nargs="?",
        help="folder to check (default: the current folder or the nearest folder above it "
        "that holds .claude-plugin/plugin.json or marketplace.json, so inside this repository "
        "the PACT sources)",
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
