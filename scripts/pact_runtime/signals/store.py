"""The signal log: records in the shared SQLite file, plus marker files per project.

Ids are small integers shown as ``S<n>`` (``S7``), short enough for the user
to type in ``/PACT:resolve S7 <decision>``; ``7``, ``s7`` and ``#7`` read the
same. Every change of a signal's status keeps the project's markers (see
``marker``) in step with the log: a HALT marker while a HALT is open, a
waiting marker while anything waits for the user. Markers are written after
the commit and removed only when the log shows nothing left, so a reader that
trusts their absence never misses a signal.
"""

from __future__ import annotations

import time

from ..db import StoreError, connect, write
from .marker import (
    HALT,
    WAITING,
    halt_marked,
    marker_path,
    remove_marker,
    waiting_marked,
    write_marker,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3

__all__ = ["Signal", "StoreError", "connect", "halt_marked", "marker_path", "waiting_marked"]

# Longest reason and evidence kept; `pact-signal emit` refuses longer ones, other
# sources (the guard, a handoff block) are cut to fit.
MAX_REASON = 1_000
MAX_EVIDENCE = 4_000

_COLUMNS = ("id", "created", "project", "session", "level", "category", "agent", "agent_id",
            "source", "reason", "evidence", "fingerprint", "status", "surfaced",
            "resolved_by", "resolution", "resolved_at", "resolved_session", "used_at",
            "acknowledged_by", "acknowledged_at")
_SELECT = "SELECT " + ", ".join(_COLUMNS) + " FROM signals"
_TYPES = {"id": int, "surfaced": int, "created": float, "resolved_at": float, "used_at": float,
          "acknowledged_at": float}
_LAST_TIME = 253402300799.0  # 9999-12-31T23:59:59Z, the last time strftime can show


def _coerce(name: str, value: object) -> object:
    """A value of the column's type from a row another program wrote oddly (text as bytes,
    a time that is text or out of range), so reading the log never fails on one row."""
    wanted = _TYPES.get(name, str)
    if wanted is float:
        if value is None and name != "created":
            return None
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else -1
        if 0 <= number <= _LAST_TIME:
            return float(number)
        return 0.0 if name == "created" else None
    if wanted is int:
        return value if isinstance(value, int) else 0
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)
_OPEN_HALT = "level = 'HALT' AND status != 'resolved'"
_WAITING = f"(status = 'open' OR ({_OPEN_HALT}))"  # what still needs the user


class Signal:
    """One row of the log."""

    __slots__ = _COLUMNS
    id: int
    created: float
    project: str
    session: str
    level: str
    category: str
    agent: str
    agent_id: str
    source: str
    reason: str
    evidence: str
    fingerprint: str
    status: str
    surfaced: int
    resolved_by: str
    resolution: str
    resolved_at: float | None
    resolved_session: str
    used_at: float | None
    acknowledged_by: str
    acknowledged_at: float | None

    def __init__(self, row: tuple) -> None:
        for name, value in zip(_COLUMNS, row):
            if type(value) is not str or name in _TYPES:
                value = _coerce(name, value)
            setattr(self, name, value)

    @property
    def ref(self) -> str:
        return format_id(self.id)

    @property
    def used(self) -> bool:
        """Whether the guard let through the call this signal approved (``spent:`` in old logs).

        Letting it through uses the approval: the user's permission rules then
        decide whether the call runs.
        """
        return self.used_at is not None or self.fingerprint.startswith(SPENT)

    @property
    def call(self) -> str:
        """The digest of the exact call a guard HALT stopped; "" for other signals."""
        if self.source != "guard":
            return ""
        fingerprint = self.fingerprint
        if fingerprint.startswith(SPENT):
            fingerprint = fingerprint[len(SPENT):]
        return fingerprint.partition(":")[0]

    def approval(self, approves: bool, replaced_by: Signal | None = None) -> str | None:
        """The state of the approval in a resolved guard HALT, None for any other signal.

        ``approves`` is whether the decision approves by the protocol's rule, and
        ``replaced_by`` the later decision on the same call in the same session
        (see ``replacement``): ``waiting`` (it may run once, in ``resolved_session``
        only), ``used`` (the guard let the call through, once; the user's
        permission rules still decided whether it ran), ``replaced`` (a later
        decision on the same call counts instead), ``not approved`` (never
        approved, or withdrawn), ``lapsed`` (approved before approvals were tied
        to a session: it lets nothing run).
        """
        if self.source != "guard" or self.level != "HALT" or self.status != "resolved":
            return None
        if self.used:
            return "used"
        if not approves:
            return "not approved"
        if not self.resolved_session:
            return "lapsed"
        return "waiting" if replaced_by is None else "replaced"

    def as_dict(self, approves: bool = False, replaced_by: Signal | None = None) -> dict:
        """The row as JSON-ready values; new keys are only ever added at the end."""
        data = {name: getattr(self, name) for name in _COLUMNS}
        data["id"] = self.ref
        data["created"] = iso(self.created)
        data["surfaced"] = bool(self.surfaced)
        for name in ("resolved_at", "used_at", "acknowledged_at"):
            stamp = data[name]
            data[name] = iso(stamp) if stamp else None
        state = self.approval(approves, replaced_by)
        data["approval"] = state
        data["replaced_by"] = replaced_by.ref if state == "replaced" and replaced_by else None
        return data

    def line(self) -> str:
        """``S3 HALT DATA (agent): reason [evidence]`` on one line."""
        who = f" ({self.agent})" if self.agent else ""
        text = f"{self.ref} {self.level} {self.category}{who}: {_one_line(self.reason)}"
        if self.evidence:
            text += f" [evidence: {_one_line(self.evidence, 160)}]"
        return text


def format_id(number: int) -> str:
    return f"S{number}"


def parse_id(text: str) -> int | None:
    """The number in ``S7``, ``s7``, ``#7`` or ``7``; None when it is none of these."""
    digits = text.strip().lstrip("#")
    if digits[:1] in ("S", "s"):
        digits = digits[1:]
    # ASCII digits only: "²" and "٣" pass isdigit() but are no id anyone typed.
    ascii_digits = digits.isascii() and digits.isdigit()
    return int(digits) if ascii_digits and len(digits) < 12 else None


def iso(stamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))


def record(conn: sqlite3.Connection, home: str, *, project: str, level: str, category: str,
           reason: str, evidence: str = "", agent: str = "", agent_id: str = "",
           session: str = "", source: str = "command", fingerprint: str = "",
           created: float | None = None) -> Signal:
    """Insert an open signal; write the project's markers after the commit.

    Reason and evidence are redacted first: agents quote what they saw, and a
    signal must not keep a secret the memory store would refuse.
    """
    from ..hook import clean_text

    # A lone surrogate (valid in JSON, not in UTF-8) would fail the insert and lose the signal.
    reason, evidence, agent, agent_id, session, fingerprint = (
        clean_text(t) for t in (reason, evidence, agent, agent_id, session, fingerprint))
    reason, evidence = _cut(_redacted(reason), MAX_REASON), _cut(_redacted(evidence), MAX_EVIDENCE)
    with write(conn):
        cursor = conn.execute(
            "INSERT INTO signals (created, project, session, level, category, agent, agent_id,"
            " source, reason, evidence, fingerprint) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (created or time.time(), project, session, level, category, agent, agent_id, source,
             reason, evidence, fingerprint))
        number = cursor.lastrowid
    write_marker(home, project, WAITING)
    if level == "HALT":
        write_marker(home, project, HALT)
    signal = get(conn, int(number or 0))
    assert signal is not None
    return signal


def get(conn: sqlite3.Connection, number: int) -> Signal | None:
    row = conn.execute(_SELECT + " WHERE id = ?", (number,)).fetchone()
    return Signal(row) if row else None


def find(conn: sqlite3.Connection, project: str, open_only: bool = False,
         limit: int | None = None) -> list[Signal]:
    """The project's signals, oldest first; ``open_only`` keeps those still open.

    Open means neither acknowledged nor resolved, as in ``pending``, so the
    command lists what the hooks tell the user is waiting. ``limit`` keeps the
    newest that many, still oldest first.
    """
    if open_only:
        return pending(conn, project, limit)
    return _newest(conn, "project = ?", (project,), limit)


def _newest(conn: sqlite3.Connection, where: str, params: tuple,
            limit: int | None) -> list[Signal]:
    if limit is None:
        rows = conn.execute(_SELECT + f" WHERE {where} ORDER BY id", params).fetchall()
    else:
        rows = conn.execute(_SELECT + f" WHERE {where} ORDER BY id DESC LIMIT ?",
                            (*params, min(limit, 2 ** 62))).fetchall()[::-1]
    return [Signal(r) for r in rows]


def open_halts(conn: sqlite3.Connection, project: str) -> list[Signal]:
    query = _SELECT + f" WHERE project = ? AND {_OPEN_HALT} ORDER BY id"
    return [Signal(r) for r in conn.execute(query, (project,))]


def pending(conn: sqlite3.Connection, project: str, limit: int | None = None) -> list[Signal]:
    """What still needs the user: unresolved HALTs and unacknowledged ALERTs."""
    return _newest(conn, f"project = ? AND {_WAITING}", (project,), limit)


# The guard's fingerprint is "<call>:<action>": two hex digests, of the exact call (an
# approval lets only that run) and of what it was judged to do (a repeat of an open
# HALT's action, however written, opens no new one). A log written before ``used_at``
# marked a used approval by putting SPENT before the fingerprint.
SPENT = "spent:"


def last_decision(conn: sqlite3.Connection, project: str, call: str,
                  session: str | None = None) -> Signal | None:
    """The user's latest decision on a guard HALT that stopped ``call`` (a hex digest).

    With ``session``, only decisions typed in that session count (an approval
    holds there alone); an empty session matches none. Used approvals count
    too: the latest decision being used means the call is judged again.
    """
    where = "project = ? AND fingerprint GLOB ? AND status = 'resolved'"
    params: tuple = (project, call + ":*")
    if session is not None:
        if not session:
            return None
        where += " AND resolved_session = ?"
        params += (session,)
    row = conn.execute(_SELECT + f" WHERE {where} ORDER BY resolved_at DESC, id DESC LIMIT 1",
                       params).fetchone()
    return Signal(row) if row else None


def replacement(conn: sqlite3.Connection, signal: Signal) -> Signal | None:
    """The later decision that counts instead of ``signal``'s, for the guard.

    The guard goes by the latest decision on a call typed in the session (see
    ``last_decision``), so the decision in a resolved guard HALT whose call was
    not let through is replaced when another HALT of the same call was decided
    after it in its session. None when ``signal``'s decision is the one that
    counts, or when the question does not arise.
    """
    if not signal.call or signal.status != "resolved" or signal.used \
            or not signal.resolved_session:
        return None
    latest = last_decision(conn, signal.project, signal.call, signal.resolved_session)
    return latest if latest is not None and latest.id != signal.id else None


def same_call(conn: sqlite3.Connection, signal: Signal) -> list[Signal]:
    """The other HALTs the guard raised on the call ``signal`` stopped, oldest first."""
    if not signal.call:
        return []
    rows = conn.execute(_SELECT + " WHERE project = ? AND fingerprint GLOB ? AND id != ?"
                        " ORDER BY id", (signal.project, signal.call + ":*", signal.id))
    return [Signal(r) for r in rows.fetchall()]


def spend(conn: sqlite3.Connection, signal: Signal) -> bool:
    """Record that the guard lets the call ``signal`` approved through now (``used_at``).

    False when the approval changed since ``signal`` was read: another call used
    it, or the user withdrew it or moved it to another session.
    """
    with write(conn):
        cursor = conn.execute(
            "UPDATE signals SET used_at = ? WHERE id = ? AND used_at IS NULL AND fingerprint = ?"
            " AND resolution = ? AND resolved_session = ? AND status = 'resolved'",
            (time.time(), signal.id, signal.fingerprint, signal.resolution,
             signal.resolved_session))
    return cursor.rowcount == 1


def acknowledge(conn: sqlite3.Connection, home: str, signal: Signal,
                by: str = "orchestrator") -> bool:
    """Mark an open ALERT acknowledged by ``by``, now; drop the waiting marker if nothing is left.

    False when it was no longer open (someone acknowledged or resolved it first).
    """
    with write(conn):
        cursor = conn.execute(
            "UPDATE signals SET status = 'acknowledged', acknowledged_by = ?, acknowledged_at = ?"
            " WHERE id = ? AND status = 'open'", (by, time.time(), signal.id))
    sync_markers(conn, home, signal.project)
    return cursor.rowcount == 1


def resolve(conn: sqlite3.Connection, home: str, signal: Signal, words: str,
            by: str = "user", session: str = "") -> Signal:
    """Mark ``signal`` resolved with the user's words, typed in ``session``; drop markers
    that no longer hold."""
    with write(conn):
        conn.execute(
            "UPDATE signals SET status = 'resolved', resolved_by = ?, resolution = ?,"
            " resolved_at = ?, resolved_session = ? WHERE id = ?",
            (by, words, time.time(), session, signal.id))
    sync_markers(conn, home, signal.project)
    updated = get(conn, signal.id)
    assert updated is not None
    return updated


def decide_again(conn: sqlite3.Connection, signal: Signal, words: str,
                 session: str) -> Signal | None:
    """Replace the decision on a resolved guard HALT whose call was not let through.

    The new words and session replace the old ones, so the user's latest
    decision counts: a refusal withdraws an approval, an approval replaces a
    refusal or a condition, and an approval typed in another session moves
    there. None when the call was let through or the decision changed since
    ``signal`` was read.
    """
    with write(conn):
        cursor = conn.execute(
            "UPDATE signals SET resolution = ?, resolved_at = ?, resolved_session = ?"
            " WHERE id = ? AND status = 'resolved' AND used_at IS NULL AND fingerprint = ?"
            " AND resolution = ? AND resolved_session = ?",
            (words, time.time(), session, signal.id, signal.fingerprint, signal.resolution,
             signal.resolved_session))
    return get(conn, signal.id) if cursor.rowcount == 1 else None


def sync_markers(conn: sqlite3.Connection, home: str, project: str) -> None:
    """Make the markers match the log for ``project`` (and projects sharing its crc)."""
    for kind, condition in ((HALT, _OPEN_HALT), (WAITING, _WAITING)):
        path = marker_path(home, project, kind)
        rows = conn.execute(f"SELECT DISTINCT project FROM signals WHERE {condition}").fetchall()
        if any(marker_path(home, row[0], kind) == path for row in rows):
            write_marker(home, project, kind)
        else:
            remove_marker(home, project, kind)


def mark_all_waiting(conn: sqlite3.Connection, home: str) -> None:
    """Write the waiting marker of every project with a signal waiting for the user.

    For a log written before waiting markers existed: afterwards the
    ``waiting/`` folder exists and the markers are trusted.
    """
    rows = conn.execute(f"SELECT DISTINCT project FROM signals WHERE {_WAITING}").fetchall()
    for (project,) in rows:
        write_marker(home, project, WAITING)
    if not rows:
        remove_marker(home, "", WAITING)  # creates the folder; there is nothing to remove


def surface_for_call(conn: sqlite3.Connection, project: str, agent_id: str,
                     since: float) -> list[Signal]:
    """Signals not yet surfaced that were raised by ``agent_id`` or since ``since``.

    Marks them surfaced, so each reaches the orchestrator after one Agent call.
    """
    with write(conn):
        rows = conn.execute(
            _SELECT + " WHERE project = ? AND surfaced = 0 AND (created >= ? OR"
            " (agent_id != '' AND agent_id = ?)) ORDER BY id",
            (project, since, agent_id)).fetchall()
        conn.executemany("UPDATE signals SET surfaced = 1 WHERE id = ?", [(r[0],) for r in rows])
    return [Signal(r) for r in rows]


def _redacted(text: str) -> str:
    # Imported here: hooks that only read signals never pay for the patterns.
    from ..redaction import redact

    return redact(text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
