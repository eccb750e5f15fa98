"""Per-project marker files, so hot hooks can skip SQLite when nothing is open.

- ``<data folder>/halts/halt-<crc32 of project>`` exists while the project may
  have an open HALT: enforcement answers "nothing open" on every tool call
  with one ``os.stat`` (a marker folder it may not read is "cannot tell", and
  the database decides).
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
    cannot be read (a permission changed): then only the database can tell."""
    try:
        os.stat(marker_path(home, project))
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return None
    return True


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
