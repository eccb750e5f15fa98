"""``pact-signal``: raise, list, show and acknowledge algedonic signals.

Examples::

    pact-signal emit HALT DATA --reason "The migration drops customers" --evidence "0042.sql:3"
    pact-signal list --open
    pact-signal show S3
    pact-signal ack S4

Signals belong to the project (``PACT_PROJECT``, else the working folder) and
live in the data folder (``PACT_HOME``). There is no way to resolve a HALT
here: only the user can, with ``/PACT:resolve <id> <decision>``. Errors print
one ``Error: …`` line and exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import closing

from ..paths import NoDataFolder, project_root, require_data_home
from . import store
from .vocabulary import VocabularyError, levels


class CommandError(Exception):
    """A user-facing failure; the message becomes the ``Error:`` line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CommandError(message)


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
        return int(args.run(args) or 0)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except (CommandError, NoDataFolder, VocabularyError, store.StoreError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1


_EPILOG = ("Only the user resolves a HALT, with /PACT:resolve <id> <decision>; until then\n"
           "changes to the project are paused. An ALERT blocks nothing: once it is dealt\n"
           "with, `pact-signal ack ID` marks it acknowledged.")


def _parser() -> _Parser:
    parser = _Parser(prog="pact-signal", description="Raise and inspect PACT algedonic signals.",
                     epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    emit = commands.add_parser("emit", help="raise a signal and print its id")
    emit.add_argument("level", help="HALT or ALERT")
    emit.add_argument("category", help="HALT: SECURITY, DATA, ETHICS; ALERT: QUALITY, SCOPE, "
                                       "META-BLOCK")
    emit.add_argument("--reason", required=True, help="what is at risk and why")
    emit.add_argument("--evidence", default="", help="where it shows: path and line, a command")
    emit.add_argument("--agent", default="", help="who raises it")
    emit.set_defaults(run=emit_signal)

    listing = commands.add_parser("list", help="the project's signals with their status, "
                                               "oldest first")
    listing.add_argument("--open", action="store_true",
                         help="only signals still open: not acknowledged, not resolved")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(run=list_signals)

    show = commands.add_parser("show", help="every field of one signal")
    show.add_argument("id")
    show.set_defaults(run=show_signal)

    ack = commands.add_parser("ack", help="acknowledge an ALERT (a HALT needs the user)")
    ack.add_argument("id")
    ack.set_defaults(run=ack_signal)
    return parser


def emit_signal(args: argparse.Namespace) -> int:
    vocabulary = levels()
    level, category = args.level.upper(), args.category.upper()
    if level not in vocabulary:
        raise CommandError(f"unknown level {args.level!r}; valid levels: "
                           + ", ".join(vocabulary))
    if category not in vocabulary[level]:
        raise CommandError(f"unknown category {args.category!r} for {level}; valid: "
                           + ", ".join(vocabulary[level]))
    if not args.reason.strip():
        raise CommandError("--reason must say what is at risk and why")
    home = require_data_home()
    with closing(store.connect(home)) as conn:
        signal = store.record(
            conn, home, project=project_root(), level=level, category=category,
            reason=args.reason.strip(), evidence=args.evidence.strip(), agent=args.agent.strip(),
            session=os.environ.get("CLAUDE_CODE_SESSION_ID", ""), source="command")
    print(signal.ref)
    if level == "HALT":
        print(f"HALT {signal.ref} is open: changes to the project are paused until the user "
              f"resolves it with /PACT:resolve {signal.ref} <decision>.", file=sys.stderr)
    return 0


def list_signals(args: argparse.Namespace) -> int:
    project = project_root()
    with closing(store.connect(require_data_home())) as conn:
        signals = store.find(conn, project, open_only=args.open)
    if args.json:
        print(json.dumps([s.as_dict() for s in signals], indent=2, ensure_ascii=False))
    elif not signals:
        print(f"No open signals for {project}." if args.open else f"No signals for {project}.")
    for signal in signals if not args.json else []:
        print(f"{signal.ref:<6} {signal.status:<12} {signal.line()[len(signal.ref) + 1:]}")
    return 0


def show_signal(args: argparse.Namespace) -> int:
    with closing(store.connect(require_data_home())) as conn:
        signal = _find(conn, args.id)
    for key, value in signal.as_dict().items():
        if value not in ("", None) and key not in ("fingerprint", "project"):
            print(f"{key + ':':<13}{value}")
    return 0


def ack_signal(args: argparse.Namespace) -> int:
    home = require_data_home()
    with closing(store.connect(home)) as conn:
        signal = _find(conn, args.id)
        if signal.level == "HALT":
            raise CommandError(f"{signal.ref} is a HALT; only the user can resolve it, with "
                               f"/PACT:resolve {signal.ref} <decision>")
        if signal.status != "open":
            print(f"{signal.ref} is already {signal.status}.")
            return 0
        store.acknowledge(conn, home, signal)
    print(f"Acknowledged {signal.ref}.")
    return 0


def _find(conn: store.sqlite3.Connection, ident: str) -> store.Signal:
    number = store.parse_id(ident)
    signal = store.get(conn, number) if number is not None else None
    if signal is None or signal.project != project_root():
        raise CommandError(f"no signal {ident!r} in this project; `pact-signal list` shows them")
    return signal
