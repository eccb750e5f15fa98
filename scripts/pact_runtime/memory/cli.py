"""``pact-memory``: save, search and manage PACT memories from the shell.

Examples::

    echo '{"goal": "…", "lessons": ["…"]}' | pact-memory save
    pact-memory search "index backfill" --limit 5 --json
    pact-memory pin m-3f9a1c2b7d

The data folder is ``PACT_HOME`` (exported into every Bash call by the PACT
SessionStart hook), else ``CLAUDE_PLUGIN_DATA``. The project is
``CLAUDE_PROJECT_DIR``, else ``PACT_PROJECT``, else the current folder; one
that is not a folder is an error. Errors are one ``Error: …`` line on stderr
and exit code 1; memories a damaged database cannot give back are named one
per line before it, while the rest are still printed.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Mapping
    from typing import Any



def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run one subcommand; returns the exit code (0 ok, 1 error)."""
    from . import args as cli_args

    env = os.environ if env is None else env
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show CJK gets escapes
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if sys.stderr is None:  # started with stderr closed: no error could be read
        return 1
    try:
        words = sys.argv[1:] if argv is None else list(argv)
        _check_words(words)
        command, options = cli_args.parse(words)
        if sys.stdout is None:  # started with stdout closed (`>&-`)
            raise _usage("standard output is closed, so nothing could be shown; nothing was "
                         "done")
        return _RUN[command](options, env)
    except cli_args.Help as shown:
        sys.stdout.write(f"{shown}\n")
        return 0
    except BrokenPipeError:
        return 0
    except Exception as exc:
        return _fail(exc, env)


def _fail(exc: Exception, env: Mapping[str, str]) -> int:
    from ..db import sqlite3
    from ..paths import NoDataFolder
    from .args import UsageError
    from .record import InvalidMemory
    from .store import StoreError

    if isinstance(exc, (UsageError, NoDataFolder, StoreError, InvalidMemory)):
        message = str(exc)
    elif isinstance(exc, sqlite3.Error):
        from ..db import explain

        message = str(explain(exc, _db_file(env)))
    elif isinstance(exc, UnicodeEncodeError):
        bad = exc.object[exc.start] if isinstance(exc.object, str) else "?"
        message = f"text contains an unpaired surrogate (\\u{ord(bad):04x})"
    elif isinstance(exc, OSError):
        message = f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    else:
        message = f"unexpected {type(exc).__name__}: {exc}"
    sys.stderr.write(f"Error: {_terminal(' '.join(message.split()))}\n")
    return 1


def _check_words(words: list[str]) -> None:
    """Refuse an argument holding bytes that are not UTF-8 (the OS hands them over as
    lone surrogates)."""
    for number, word in enumerate(words, 1):
        try:
            word.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = ord(word[exc.start])
            byte = f"byte 0x{bad - 0xDC00:02x}" if 0xDC80 <= bad <= 0xDCFF else f"\\u{bad:04x}"
            raise _usage(f"argument {number} is not UTF-8 text ({byte}); pass it as "
                         "UTF-8") from None


# ---------------------------------------------------------------- subcommands


def _save(opts: dict[str, Any], env: Mapping[str, str]) -> int:
    from . import store

    record = store.normalize(_read_json(_stdin()))
    record["session_id"] = record["session_id"] or env.get("CLAUDE_CODE_SESSION_ID", "")
    with _open(env) as conn:
        ident, new = store.save(conn, record, project=_project(env), source="explicit")
    if not new:
        sys.stderr.write(f"Already stored as {ident} (same content); nothing added.\n")
    try:
        print(ident)
        sys.stdout.flush()
    except OSError as exc:  # stored already: say so, so it is not saved again elsewhere
        raise _usage(f"{ident} was saved, but its id could not be written "
                     f"({exc.strerror or exc}); `pact-memory list` shows it") from None
    return 0


def _search(opts: dict[str, Any], env: Mapping[str, str]) -> int:
    from . import search, store

    query = opts["query"]
    project = None if opts["all_projects"] else _project(env)
    damaged: list[tuple[str, str]] = []
    with _open(env) as conn:
        hits = search.rank(conn, query, project=project, limit=opts["limit"],
                           agent=opts["agent"], files=opts["file"], entities=opts["entity"])
        if not hits:
            _check_intact(conn, query)
        if opts["json"]:
            found = store.by_rowids(conn, [rowid for rowid, _ in hits], damaged)
            results = [{**found[r], "score": round(s, 6)} for r, s in hits if r in found]
            _print_json({"query": query, "engine": search.engine(conn), "results": results})
        else:
            lines = store.summaries(conn, [rowid for rowid, _ in hits], damaged)
            empty = f"No memories match {query!r}." if not damaged else ""
            _print_lines(lines, empty, project is None)
        return _unreadable(conn, damaged)


def _list(opts: dict[str, Any], env: Mapping[str, str]) -> int:
    from . import store

    project = None if opts["all_projects"] else _project(env)
    damaged: list[tuple[str, str]] = []
    with _open(env) as conn:
        rowids = (store.pinned_rowids(conn, project, opts["limit"]) if opts["pinned"] else
                  store.recent_rowids(conn, project, opts["limit"]))
        found = store.by_rowids(conn, rowids, damaged) if opts["json"] else {}
        lines = [] if opts["json"] else store.summaries(conn, rowids, damaged)
        if not rowids:
            _check_intact(conn)
        elif len(found or lines) + len(damaged) < len(rowids):  # the index names rows the
            _check_intact(conn)                                  # table lacks
            raise _damaged(conn, "the project index names memories the table lacks")
        if opts["json"]:
            _print_json({"results": [found[r] for r in rowids if r in found]})
        else:
            what = "pinned memories" if opts["pinned"] else "memories yet"
            empty = f"No {what}." if project is None else f"No {what} for {project}."
            _print_lines(lines, empty if not damaged else "", project is None)
        return _unreadable(conn, damaged)


def _unreadable(conn: sqlite3.Connection, damaged: list[tuple[str, str]],
                shown: int | None = None) -> int:
    """Name each memory that could not be read (one line each), then the one ``Error:`` line.

    0 when there are none. ``shown``: how many were written (export says so).
    """
    if not damaged:
        return 0
    for label, reason in damaged:
        sys.stderr.write(_terminal(f"pact-memory: {label} cannot be read ({reason})") + "\n")
    what = f"{_count(len(damaged))} could not be read"
    if shown is None:
        raise _damaged(conn, what)
    from ..db import DatabaseDamaged

    path = conn.execute("PRAGMA database_list").fetchone()[2]
    raise DatabaseDamaged(
        f"{what} and {'was' if len(damaged) == 1 else 'were'} left out, the other {shown} "
        f"were exported; the PACT database {path} is damaged: keep this export, move the file "
        "aside (a new one is made) and `pact-memory import` the export")


def _print_lines(memories: list[dict[str, Any]], empty: str, with_project: bool) -> None:
    from .render import headline

    out = [headline(m, with_project) for m in memories] or ([empty] if empty else [])
    if out:
        sys.stdout.write(_terminal("\n".join(out)) + "\n")


def _terminal(text: str) -> str:
    """Stored text as printed for people (``--json`` keeps the exact text)."""
    from ..terminal import for_terminal

    return for_terminal(text)


def _show(opts: dict[str, Any], env: Mapping[str, str]) -> int:
    from .. import db
    from ..db import sqlite3
    from . import store
    from .render import full

    with _open(env) as conn:
        ident = _resolve(conn, opts["id"])
        try:
            memory = store.get(conn, ident)
        except sqlite3.DatabaseError as exc:
            if db.cause(exc) != "damaged":
                raise
            raise _damaged(conn, f"memory {ident} cannot be read: {db.detail_of(exc)}") from exc
    if memory is None:
        raise _usage(f"no memory with id {opts['id']!r}")
    if opts['json']:
        return _print_json(memory)
    print(_terminal(full(memory)))
    return 0


def _forget(opts: dict[str, Any], env: Mapping[str, str]) -> int:
    from . import store

    with _open(env) as conn:
        ident = _resolve(conn, opts["id"])
        if not store.forget(conn, ident):
            raise _usage(f"no memory with id {opts['id']!r}")
    print(f"Forgot {ident}.")
    return 0


def _pin(opts: dict[str, Any], env: Mapping[str, str], pinned: bool = True) -> int:
    from . import store
    from .recall import pinned_room

    with _open(env) as conn:
        ident = _resolve(conn, opts["id"])
        project = store.project_of(conn, ident)
        before = pinned_room(conn, project)[0] if pinned and project is not None else []
        was = store.set_pinned(conn, ident, pinned)
        if was is None:
            raise _usage(f"no memory with id {opts['id']!r}")
        if not pinned:
            print(f"Unpinned {ident}." if was else f"{ident} was not pinned; nothing changed.")
        elif was:
            print(f"Pinned {ident} again: it now leads the pins in the session-start recall.")
        else:
            print(f"Pinned {ident}.")
        note = _room_note(conn, ident, project, before) if pinned and project else ""
    if note:
        sys.stdout.flush()  # the id first, then the note, where both streams meet
        sys.stderr.write(_terminal(note) + "\n")
    return 0


NAMED = 5  # pins a note names before it counts the rest


def _room_note(conn: sqlite3.Connection, ident: str, project: str, before: list[str]) -> str:
    """What to know when the project's pins no longer all fit the session-start block.

    ``before``: the pins the block showed before this one was pinned; those it
    no longer shows are named first.
    """
    from .recall import BUDGET, pinned_room

    shown, left, pinned = pinned_room(conn, project)
    if pinned <= len(shown):
        return ""
    fell = [i for i in left if i in before]
    names = [f"{i} (shown until now)" for i in fell] + [i for i in left if i not in fell]
    more = pinned - len(shown) - min(len(names), NAMED)
    listed = ", ".join(names[:NAMED]) + (f" and {more} more" if more else "")
    place = "" if ident in shown else " This one does not fit either, so only search finds it."
    return (f"Note: {pinned} memories are pinned in {project}; the session-start recall "
            f"(about {BUDGET:,} characters) has room for {len(shown)} of them, newest pin "
            f"first, and leaves out {listed} (`pact-memory list --pinned` lists every pin)."
            f"{place} Unpin the ones that matter less, or pin one again to bring it back.")


def _unpin(opts: dict[str, Any], env: Mapping[str, str]) -> int:
    return _pin(opts, env, pinned=False)


def _stats(opts: dict[str, Any], env: Mapping[str, str]) -> int:
    from .. import db
    from ..db import sqlite3
    from ..paths import require_data_home
    from . import search, store

    path = db.db_path(require_data_home(env))
    with _open(env) as conn:
        info = store.stats(conn, _project(env))
        info["engine"] = search.engine(conn)
    info.update(database=path, bytes=_size(path), sqlite=sqlite3.sqlite_version)
    if opts['json']:
        return _print_json(info)
    engine = info["engine"]
    if engine == "like":
        engine += " (FTS5 is not available in this SQLite; search is slower and exact)"
    print(f"memories: {info['memories']} in {info['projects']} project(s), "
          f"{info['project_memories']} in this one, {info['pinned']} pinned")
    print("by source: " + ", ".join(f"{k} {v}" for k, v in info["by_source"].items()))
    print(f"search: {engine}")
    print(f"database: {path} ({info['bytes']:,} bytes, SQLite {info['sqlite']})")
    return 0


def _export(opts: dict[str, Any], env: Mapping[str, str]) -> int:
    import json

    from . import store

    project = os.path.realpath(opts["project"]) if opts["project"] else None
    damaged: list[tuple[str, str]] = []
    written = 0
    with _open(env, index=False) as conn:
        for memory in store.iter_all(conn, damaged, project):
            sys.stdout.write(json.dumps(memory, ensure_ascii=False) + "\n")
            written += 1
        sys.stdout.flush()
        return _unreadable(conn, damaged, shown=written)


def _import(opts: dict[str, Any], env: Mapping[str, str]) -> int:
    from . import store
    from .record import InvalidMemory

    project = _import_project(opts["project"])
    # Check every line before storing any, so a bad file imports nothing.
    records, lines = [], []
    seen: dict[str, int] = {}  # id -> index of its first record
    # Lines end at "\n" only: U+2028 and friends are text inside a JSON string.
    for number, line in enumerate(_stdin().split("\n"), 1):
        if not line.strip():
            continue
        try:
            records.append(store.prepare_import(_read_json(line, number)))
        except InvalidMemory as exc:
            raise _usage(f"line {number}: {exc}; nothing was imported") from exc
        lines.append(number)
        ident = records[-1][1]
        if ident and seen.setdefault(ident, len(records) - 1) != len(records) - 1:
            first = seen[ident]
            if records[first] != records[-1]:
                raise _usage(f"line {number}: id {ident} is on line {lines[first]} too, with "
                             "other content; nothing was imported")
    with _open(env) as conn:
        done = store.import_records(conn, records, _project(env) if project is None
                                    and any(r[4] is None for r in records) else "", project)
    parts = [f"Imported {_count(done.imported)}"]
    if done.moved:
        parts.append(f"moved {done.moved} already stored to {project}")
    skipped = f"skipped {done.present} already present"
    if done.duplicates:
        twins = [f"{ident or f'line {lines[at]}'} repeats {twin}"
                 for at, ident, twin in done.duplicates[:3]]
        more = ", …" if len(done.duplicates) > 3 else ""
        number = len(done.duplicates)
        skipped += (f" and {number} {'duplicate' if number == 1 else 'duplicates'} of stored "
                    f"memories ({', '.join(twins)}{more})")
    parts.append(skipped)
    print("; ".join(parts) + ".")
    return 0


def _import_project(folder: str) -> str | None:
    """The real path of ``import --project DIR``; None when not given."""
    if not folder:
        return None
    if not os.path.isdir(folder):
        raise _usage(f"--project: {folder!r} is not a folder")
    return os.path.realpath(folder)


def _count(number: int) -> str:
    return f"{number} memory" if number == 1 else f"{number} memories"


# ---------------------------------------------------------------- helpers

def _db_file(env: Mapping[str, str]) -> str:
    from .. import db
    from ..paths import data_home

    return db.db_path(data_home(env) or ".")


# Up to this size (16 MiB at SQLite's default page) an empty answer is checked by reading
# every page (about 20 ms); past it, by the cheap checks below alone.
FULL_CHECK_PAGES = 4096


def _count_mismatch(conn: sqlite3.Connection, index: str, with_table: bool) -> str:
    """The memories, the index an answer came through and the search index must agree.

    quick_check reads every page but does not compare tables with their indexes,
    so a page overwritten with a valid but empty one passes it. Counting the
    table itself reads all of it, so a large store compares its indexes only;
    ``count(*)`` alone reads the smallest index (the one on ids).
    """
    from . import schema

    counts = {"memories": "SELECT count(*) FROM memories"}
    if index:  # a range makes the named index count for itself
        counts[index] = f"SELECT count(*) FROM memories INDEXED BY {index} WHERE project >= ''"
    if with_table:
        counts["table"] = "SELECT count(*) FROM memories NOT INDEXED"
    if schema.index_exists(conn) and not schema.index_stale(conn):
        counts["search index"] = f"SELECT count(*) FROM {schema.FTS_TABLE}_docsize"
    found = {name: conn.execute(sql).fetchone()[0] for name, sql in counts.items()}
    if len(set(found.values())) > 1:
        return "memory counts differ: " + ", ".join(f"{k} {v}" for k, v in found.items())
    return ""


def _check_intact(conn: sqlite3.Connection, query: str | None = None) -> None:
    """Raise StoreError when an empty answer may come from damaged pages, not a real absence.

    ``query``: the search that found nothing; memories the search index holds for
    it but the table lacks are damage too.
    """
    from .search import engine, orphans

    small = conn.execute("PRAGMA page_count").fetchone()[0] <= FULL_CHECK_PAGES
    problem = ""
    if small:
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
        problem = "" if rows == [("ok",)] else str(rows[0][0]) if rows else "no answer"
    fts = engine(conn) == "fts5"
    if not problem:
        # A listing reads the project index; a search reads the search index (or the table).
        index = "memories_by_project" if query is None else ""
        problem = _count_mismatch(conn, index, with_table=small or not fts)
    if not problem and query is not None and fts:
        lost = orphans(conn, query)
        problem = f"the search index names {lost} memories the table lacks" if lost else ""
    if problem:
        raise _damaged(conn, problem)


def _damaged(conn: sqlite3.Connection, problem: str) -> Exception:
    from ..db import DatabaseDamaged, damaged_message

    path = conn.execute("PRAGMA database_list").fetchone()[2]
    return DatabaseDamaged(damaged_message(path, problem))


def _usage(message: str) -> Exception:
    from .args import UsageError

    return UsageError(message)


def _resolve(conn: sqlite3.Connection, text: str) -> str:
    """The full id ``text`` stands for (see ``store.matching_ids``)."""
    from .store import matching_ids

    found = matching_ids(conn, text)
    if len(found) == 1:
        return found[0]
    if found:
        raise _usage(f"{text!r} matches more than one memory ({found[0]}, {found[1]}, …); "
                     "give more of the id")
    digits = text.lower()[2:] if text.lower().startswith("m-") else text.lower()
    if digits and all(c in "0123456789abcdef" for c in digits):
        if len(digits) < 4:
            near = [r for (r,) in conn.execute(
                "SELECT id FROM memories WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
                (f"m-{digits}", f"m-{digits}g"))]
            which = (f"; {near[0]}{' and others' if len(near) > 1 else ''} "
                     f"{'start' if len(near) > 1 else 'starts'} with it" if near else "")
            raise _usage(f"{text!r} is too short for an id: a shortened id needs at least 4 "
                         f"of its hex digits{which}")
        raise _usage(f"no memory with id {text!r}")
    raise _usage(f"no memory with id {text!r} (ids look like m-3f9a1c2b7d)")


def _stdin() -> str:
    """All of stdin as UTF-8 text (a leading BOM dropped); bad bytes are a usage error."""
    if sys.stdin is None:
        raise _usage("no input: stdin is closed; pipe a JSON object into the command")
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream put in place by the caller
        text: str = sys.stdin.read()
    else:
        data = stream.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise _usage(f"input is not UTF-8: byte 0x{data[exc.start]:02x} "
                         f"on line {line}") from None
    return text[1:] if text.startswith("\ufeff") else text


def _read_json(text: str, line: int | None = None) -> Any:
    from ..fastjson import DuplicateKey, loads

    if not text.strip():
        raise _usage("no input: pipe a JSON object into the command")
    try:
        return loads(text, unique_keys=True)
    except RecursionError:
        raise _usage("JSON nested too deeply") from None
    except DuplicateKey as exc:
        where = f" on line {line}" if line is not None else ""
        raise _usage(f"invalid JSON{where}: {exc}; give each field once") from None
    except ValueError as exc:
        lineno = line if line is not None else getattr(exc, "lineno", 1)
        column = getattr(exc, "colno", 1)
        reason = _json_reason(str(getattr(exc, "msg", exc)), text, getattr(exc, "pos", None))
        raise _usage(f"invalid JSON at line {lineno}, column {column}: {reason}") from None


def _json_reason(reason: str, text: str, pos: int | None) -> str:
    """json's words for an error, finished where they end in "at" (the place comes first)."""
    if reason.startswith("Invalid control character") and pos is not None and pos < len(text):
        char = text[pos]
        escape = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(char, f"\\u{ord(char):04x}")
        return (f"a control character (U+{ord(char):04X}) inside a string; write it as "
                f"{escape}")
    if reason.startswith("Unterminated string starting at"):
        return "a string starts here and never ends (a closing quote is missing)"
    return reason[:-3] if reason.endswith(" at") else reason


class _open:
    """The store as a context manager that closes the connection (sqlite3's own does not)."""

    def __init__(self, env: Mapping[str, str], index: bool = True) -> None:
        from ..paths import require_data_home

        if index:
            from .store import open_store

            self.conn = open_store(require_data_home(env))
        else:  # the records alone: export must work even when the search index is damaged
            from ..db import connect

            self.conn = connect(require_data_home(env))

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def _project(env: Mapping[str, str]) -> str:
    """The current project (see the module docstring); one that is not a folder is refused."""
    from ..paths import NotAFolder, command_project

    try:
        return command_project(env)
    except NotAFolder as exc:
        raise _usage(str(exc)) from None


def _print_json(value: Any) -> int:
    import json

    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
    return 0


def _size(path: str) -> int:
    total = 0
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            total += os.path.getsize(path + suffix)
    return total


_RUN = {"save": _save, "search": _search, "list": _list, "show": _show, "forget": _forget,
        "pin": _pin, "unpin": _unpin, "stats": _stats, "export": _export, "import": _import}
