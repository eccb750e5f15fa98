"""``pact-signal``: raise, list, show and acknowledge algedonic signals.

Examples::

    pact-signal emit HALT DATA --reason "The migration drops customers" --evidence "0042.sql:3"
    pact-signal list --open
    pact-signal list --limit 5 --json
    pact-signal show S3 --json
    pact-signal ack S4 --agent PACT:pact-test-engineer

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

from ..db import sqlite3  # the one sqlite3 the runtime loads (see db)
from ..paths import NoDataFolder, NotAFolder, command_project, db_path, require_data_home
from ..terminal import for_terminal
from . import store
from .vocabulary import VocabularyError, approval_words, approves, levels

MAX_REASON = store.MAX_REASON
MAX_EVIDENCE = store.MAX_EVIDENCE
MAX_AGENT = 200
_ID_HELP = "the signal's id as `pact-signal list` shows it, e.g. S7 (7, s7 and #7 also work)"


class CommandError(Exception):
    """A user-facing failure; the message becomes the ``Error:`` line."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("allow_abbrev", False)  # `--reas` is not `--reason`
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> None:  # type: ignore[override]
        if message.startswith("unrecognized arguments: "):
            words = message.partition(": ")[2]
            kind = "option" if words.startswith("-") else "argument"
            message = f"unknown {kind} {words} (see `{self.prog} --help`)"
        raise CommandError(message)


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; 0 on success, 1 with one ``Error:`` line on any failure."""
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show a character
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = sys.argv[1:] if argv is None else argv
    try:
        return _run(args)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except BrokenPipeError:  # `pact-signal list | head -1`
        _drop_stdout()
        return _error("the output was closed before all of it was written")
    except (CommandError, NoDataFolder, NotAFolder, VocabularyError) as exc:
        return _error(str(exc))
    except (store.StoreError, sqlite3.Error) as exc:
        return _error(_database_message(exc))
    except UnicodeEncodeError as exc:  # bytes that are not UTF-8 in the environment
        bad = ord(exc.object[exc.start]) if isinstance(exc.object, str) else 0
        byte = f"byte 0x{bad - 0xDC00:02x}" if 0xDC80 <= bad <= 0xDCFF else f"\\u{bad:04x}"
        return _error(f"text that is not UTF-8 ({byte}) cannot be stored: check PACT_PROJECT, "
                      "PACT_HOME and CLAUDE_CODE_SESSION_ID")
    except OSError as exc:
        return _error(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    except Exception as exc:  # a bug must still end in one line, never a traceback
        return _error(f"unexpected {type(exc).__name__}: {exc}")


def _run(argv: list[str]) -> int:
    if argv[:1] and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        raise CommandError(f"unknown option {argv[0]} (see `pact-signal --help`)")
    # Unknown words are reported before a missing --reason: `--reas x` is a typo, not an omission.
    args, unknown = _parser().parse_known_args(argv)
    if unknown:
        kind = "option" if unknown[0].startswith("-") else "argument"
        raise CommandError(f"unknown {kind} {unknown[0]} (see `pact-signal "
                           f"{args.command} --help`)")
    if args.command == "emit" and args.reason is None:
        raise CommandError("the following arguments are required: --reason")
    for name in ("level", "category", "reason", "evidence", "agent", "id"):
        _check_text(name, getattr(args, name, None))
    if sys.stdout is None:  # started with stdout closed (`>&-`): an id would be lost
        raise CommandError("standard output is closed, so nothing could be shown; "
                           "nothing was done")
    code = int(args.run(args) or 0)
    sys.stdout.flush()
    return code


def _check_text(name: str, value: object) -> None:
    """Refuse an argument holding bytes that are not UTF-8 (the OS hands them as surrogates)."""
    if not isinstance(value, str):
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = ord(value[exc.start])
        byte = f"byte 0x{bad - 0xDC00:02x}" if 0xDC80 <= bad <= 0xDCFF else f"\\u{bad:04x}"
        label = name if name in ("level", "category", "id") else f"--{name}"
        raise CommandError(f"{label} is not UTF-8 text ({byte}); pass it as UTF-8") from None


def _error(message: str) -> int:
    sys.stderr.write(f"Error: {for_terminal(message, one_line=True)}\n")
    return 1


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush meets no broken pipe."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, AttributeError, ValueError):
        pass


def _database_message(exc: Exception) -> str:
    """What went wrong with the database, and what the user can do, on one line."""
    if isinstance(exc, store.StoreError):  # worded by db: locked, read-only, damaged, newer
        return str(exc)
    from ..db import explain

    home = _home_or_none()
    return str(explain(exc, db_path(home) if home else "the PACT database"))


def _home_or_none() -> str | None:
    try:
        return require_data_home()
    except NoDataFolder:
        return None


_EPILOG = ("ID is a signal's id as `pact-signal list` shows it, e.g. S7 (7, s7 and #7 also\n"
           "work). Only the user resolves a HALT, with /PACT:resolve <id> <decision>; until\n"
           "then changes to the project are paused. An ALERT blocks nothing: once it is dealt\n"
           "with, `pact-signal ack ID` marks it acknowledged.")
_JSON_KEYS = ("With --json, one object with the keys id, created, project, session, level,\n"
              "category, agent, agent_id, source, reason, evidence, fingerprint, status,\n"
              "surfaced, resolved_by, resolution, resolved_at, resolved_session, used_at,\n"
              "acknowledged_by, acknowledged_at, approval, replaced_by. approval is null but\n"
              "for a resolved guard HALT: waiting (to run once, in resolved_session), used\n"
              "(the guard let the call through at used_at; your permission rules still\n"
              "decided whether it ran), replaced (a later decision on the same call, the id\n"
              "in replaced_by, counts instead), not approved, or lapsed. Times are UTC ISO\n"
              "8601 or null; new keys are only ever added at the end.")


def _limit(text: str) -> int:
    """``--limit N``: a whole number of 1 or more (a huge one means all)."""
    digits = text.strip()
    if not digits or not all("0" <= c <= "9" for c in digits) or not digits.strip("0"):
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text!r}")
    return int(digits) if len(digits) < 19 else 2 ** 62


def _parser() -> _Parser:
    parser = _Parser(prog="pact-signal", description="Raise and inspect PACT algedonic signals.",
                     epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    emit = commands.add_parser(
        "emit", help="raise a signal and print its id",
        usage="pact-signal emit LEVEL CATEGORY --reason TEXT [--evidence TEXT] [--agent NAME]")
    emit.add_argument("level", metavar="LEVEL", help="HALT or ALERT")
    emit.add_argument("category", metavar="CATEGORY",
                      help="HALT: SECURITY, DATA, ETHICS; ALERT: QUALITY, SCOPE, META-BLOCK")
    emit.add_argument("--reason", metavar="TEXT",  # required: checked after unknown options
                      help=f"what is at risk and why, in a sentence (at most {MAX_REASON:,} "
                           "characters)")
    emit.add_argument("--evidence", default="", metavar="TEXT",
                      help=f"where it shows: path and line, a command (at most "
                           f"{MAX_EVIDENCE:,} characters)")
    emit.add_argument("--agent", default="", metavar="NAME", help="who raises it")
    emit.set_defaults(run=emit_signal)

    listing = commands.add_parser("list", help="the project's signals with their status, "
                                               "oldest first")
    listing.add_argument("--open", action="store_true",
                         help="only signals still open: not acknowledged, not resolved")
    listing.add_argument("--limit", type=_limit, metavar="N",
                         help="only the newest N, still listed oldest first")
    listing.add_argument("--json", action="store_true", help="print a JSON array of the "
                         "objects `show ID --json` prints (see `pact-signal show -h`)")
    listing.set_defaults(run=list_signals)

    show = commands.add_parser("show", help="every field of one signal",
                               formatter_class=argparse.RawDescriptionHelpFormatter,
                               epilog=_JSON_KEYS)
    show.add_argument("id", metavar="ID", help=_ID_HELP)
    show.add_argument("--json", action="store_true", help="print it as one JSON object")
    show.set_defaults(run=show_signal)

    ack = commands.add_parser("ack", help="acknowledge an ALERT (a HALT needs the user)")
    ack.add_argument("id", metavar="ID", help=_ID_HELP)
    ack.add_argument("--agent", default="orchestrator", metavar="NAME",
                     help="who acknowledges it (default: orchestrator)")
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
    reason, evidence, agent = args.reason.strip(), args.evidence.strip(), args.agent.strip()
    if not reason:
        raise CommandError("--reason must say what is at risk and why")
    for name, value, limit, hint in (
            ("--reason", reason, MAX_REASON, "; say what is at risk in a sentence and put the "
             "detail in --evidence"),
            ("--evidence", evidence, MAX_EVIDENCE, "; point at where it shows (a path and "
             "line, a command) instead of pasting it"),
            ("--agent", agent, MAX_AGENT, "")):
        if len(value) > limit:
            raise CommandError(f"{name} is too long ({len(value):,} > {limit:,} characters)"
                               + hint)
    home = require_data_home()
    with closing(store.connect(home)) as conn:
        signal = store.record(
            conn, home, project=command_project(), level=level, category=category,
            reason=reason, evidence=evidence, agent=agent,
            session=os.environ.get("CLAUDE_CODE_SESSION_ID", ""), source="command")
    try:
        print(signal.ref)
        sys.stdout.flush()
    except OSError as exc:  # stored already: say so, or a retry would raise it twice
        raise CommandError(f"{signal.ref} was recorded, but its id could not be written "
                           f"({exc.strerror or exc}); `pact-signal list` shows it") from None
    if level == "HALT":
        print(f"HALT {signal.ref} is open: changes to the project are paused until the user "
              f"resolves it with /PACT:resolve {signal.ref} <decision>.", file=sys.stderr)
    return 0


def list_signals(args: argparse.Namespace) -> int:
    project = command_project()
    rule = _rule()
    with closing(store.connect(require_data_home())) as conn:
        signals = store.find(conn, project, open_only=args.open, limit=args.limit)
        later = {s.id: store.replacement(conn, s) for s in signals}
    if args.json:
        print(json.dumps([_as_dict(s, rule, later[s.id]) for s in signals], indent=2,
                         ensure_ascii=False))
        return 0
    if not signals:
        print(for_terminal(f"No open signals for {project}." if args.open
                           else f"No signals for {project}."))
    for signal in signals:
        line = f"{signal.ref:<6} {signal.status:<12} {signal.line()[len(signal.ref) + 1:]}"
        state = _approval_text(signal, rule, later[signal.id], short=True)
        print(for_terminal(line + (f" [approval: {state}]" if state else ""), one_line=True))
    return 0


# Fields `show` prints in words of its own, or not at all (the JSON has them all).
_SHOWN_APART = frozenset({"fingerprint", "project", "surfaced", "resolved_session", "used_at",
                          "acknowledged_by", "acknowledged_at", "approval"})
_WIDTH = 14


def show_signal(args: argparse.Namespace) -> int:
    rule = _rule()
    with closing(store.connect(require_data_home())) as conn:
        signal = _find(conn, args.id)
        later = store.replacement(conn, signal)
    data = _as_dict(signal, rule, later)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    lines = [(key, str(value)) for key, value in data.items()
             if value not in ("", None) and key not in _SHOWN_APART]
    state = _approval_text(signal, rule, later)
    if state:
        lines.append(("approval", state))
    if data["acknowledged_at"]:
        lines.append(("acknowledged", f"{data['acknowledged_at']} by "
                                      f"{signal.acknowledged_by or 'someone unnamed'}"))
    lines.append(("surfaced", "yes, shown to the orchestrator after the Agent call it was "
                              "raised in" if signal.surfaced else
                              "no Agent call has reported it; while open, every prompt shows it"))
    for key, value in lines:
        # Continuation lines are indented, so a stored newline cannot fake another field.
        text = for_terminal(value).replace("\n", "\n" + " " * _WIDTH)
        print(f"{key + ':':<{_WIDTH}}{text}")
    return 0


def ack_signal(args: argparse.Namespace) -> int:
    home = require_data_home()
    by = args.agent.strip()
    if not by:
        raise CommandError("--agent must name who acknowledges the signal")
    if len(by) > MAX_AGENT:
        raise CommandError(f"--agent is too long ({len(by):,} > {MAX_AGENT:,} characters)")
    with closing(store.connect(home)) as conn:
        signal = _find(conn, args.id)
        if signal.level == "HALT":
            raise CommandError(f"{signal.ref} is a HALT; only the user can resolve it, with "
                               f"/PACT:resolve {signal.ref} <decision>")
        if signal.status == "open" and store.acknowledge(conn, home, signal, by=by):
            print(f"Acknowledged {signal.ref} as {for_terminal(by, one_line=True)}.")
            return 0
        signal = _find(conn, args.id)
    print(for_terminal(f"{signal.ref} is already {signal.status}{_by_whom(signal)}.",
                       one_line=True))
    return 0


def _by_whom(signal: store.Signal) -> str:
    if signal.status == "acknowledged" and signal.acknowledged_at:
        return f" (by {signal.acknowledged_by or 'someone unnamed'}, " \
               f"{store.iso(signal.acknowledged_at)})"
    if signal.status == "resolved" and signal.resolved_at:
        return f" (by the {signal.resolved_by or 'user'}, {store.iso(signal.resolved_at)})"
    return ""


def _rule() -> tuple[frozenset[str], frozenset[str]] | None:
    """The protocol's approval rule, read once per command; None when it cannot be read."""
    try:
        return approval_words()
    except VocabularyError:
        return None


def _approves(signal: store.Signal, rule: tuple[frozenset[str], frozenset[str]] | None) -> bool:
    return rule is not None and approves(signal.resolution, rule=rule)


def _as_dict(signal: store.Signal, rule: tuple[frozenset[str], frozenset[str]] | None,
             later: store.Signal | None) -> dict:
    return signal.as_dict(approves=_approves(signal, rule), replaced_by=later)


def _approval_text(signal: store.Signal, rule: tuple[frozenset[str], frozenset[str]] | None,
                   later: store.Signal | None, short: bool = False) -> str:
    """Where the approval in a resolved guard HALT stands, in words; "" for other signals."""
    state = signal.approval(_approves(signal, rule), later)
    if state == "waiting":
        here = os.environ.get("CLAUDE_CODE_SESSION_ID", "")
        where = " (this session)" if here == signal.resolved_session else (
            " (not this one)" if here else "")
        if short:
            return f"waiting, session {signal.resolved_session[:8]}{where}"
        return (f"approved, waiting to run once; holds only in session "
                f"{signal.resolved_session}{where}")
    if state == "used":
        when = f" on {store.iso(signal.used_at)}" if signal.used_at else ""
        return f"let through{when}" if short else (
            f"let through{when}{'' if when else ' (when was not recorded)'}: the guard let the "
            "approved call run once; your permission rules still decided whether it ran")
    if state == "replaced" and later is not None:
        if short:
            return f"replaced by {later.ref}"
        return (f"replaced by {later.ref}: the later decision on the same call, in "
                f"{later.ref}, counts instead in that session; resolving {signal.ref} again "
                "makes this one count")
    if state == "not approved":
        return state if short else ("not approved: the decision approves nothing (or "
                                    "withdrew an approval), so a retry opens a new HALT; "
                                    f"/PACT:resolve {signal.ref} approved lets the call run "
                                    "once in the session it is typed in")
    if state == "lapsed":
        return "lapsed" if short else ("lapsed: approved before approvals held in one session, "
                                       "so it lets nothing run")
    return ""


def _find(conn: sqlite3.Connection, ident: str) -> store.Signal:
    number = store.parse_id(ident)
    signal = store.get(conn, number) if number is not None else None
    if signal is None or signal.project != command_project():
        raise CommandError(f"no signal {ident!r} in this project; `pact-signal list` shows them")
    return signal
