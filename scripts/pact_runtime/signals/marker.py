"""Per-project marker files, so hot hooks can skip SQLite when nothing is open.

- ``<data folder>/halts/halt-<crc32 of project>`` exists while the project may
  have an open HALT: enforcement answers "nothing open" on every tool call
  with two ``os.stat`` (the marker and its folder; a marker folder it may not
  read, or one gone beside an existing log, is "cannot tell": the database
  decides, and enforcement writes the markers of every open HALT again).
- ``<data folder>/waiting/waiting-<crc32 of project>`` exists while the project
  may have a signal waiting for the user (an unresolved HALT or an
  unacknowledged ALERT): the SessionStart and UserPromptSubmit hooks show
  nothing, without opening the database, when it is absent.

A marker is written after the row it stands for commits and removed only after
the log shows nothing left for it, so a reader never misses a signal; when a
marker exists the database is the truth. Projects whose crc32 collide share a
marker, which only costs them a database read.

Standard modules only, nothing heavy: this is on the path of every Bash call.
"""

from __future__ import annotations

import os
import zlib

HALT = "halt"
WAITING = "waiting"
_FOLDERS = {HALT: "halts", WAITING: "waiting"}


def marker_path(home: str, project: str, kind: str = HALT) -> str:
    name = f"{kind}-{zlib.crc32(project.encode('utf-8')):08x}"
    return os.path.join(home, _FOLDERS[kind], name)


def halt_marked(home: str, project: str) -> bool:
    """Cheap test: may a HALT be open for ``project``? (True too when it cannot tell.)"""
    return halt_state(home, project) is not False


def halt_state(home: str, project: str) -> bool | None:
    """True when the HALT marker exists, False when it does not, None when its folder
    cannot be read (a permission changed) or is gone while the log is there (deleted
    by hand): then only the database can tell."""
    path = marker_path(home, project)
    try:
        os.stat(path)
    except FileNotFoundError:
        return None if _markers_lost(home, os.path.dirname(path)) else False
    except (OSError, ValueError):
        return None
    return True


def _markers_lost(home: str, folder: str) -> bool:
    """True when ``halts/`` is missing beside an existing log: one more ``stat`` on the
    path of every call, and a second only when the folder is missing."""
    try:
        os.stat(folder)
    except FileNotFoundError:
        return os.path.exists(os.path.join(home, "pact.db"))
    except (OSError, ValueError):
        return True
    return False


def waiting_marked(home: str, project: str) -> bool | None:
    """Cheap test: may a signal wait for the user in ``project``?

    None when the data folder has no ``waiting/`` folder yet (a log written
    before these markers existed): only the database can tell.
    """
    path = marker_path(home, project, WAITING)
    if os.path.exists(path):
        return True
    return False if os.path.isdir(os.path.dirname(path)) else None


def write_marker(home: str, project: str, kind: str = HALT) -> None:
    path = marker_path(home, project, kind)
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(project + "\n")


def remove_marker(home: str, project: str, kind: str = HALT) -> None:
    path = marker_path(home, project, kind)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    try:  # noqa: SIM105 - contextlib costs hooks milliseconds to import
        os.remove(path)
    except FileNotFoundError:
        pass
