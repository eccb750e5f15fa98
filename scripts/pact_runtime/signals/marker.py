"""The per-project HALT marker: ``<data folder>/halts/halt-<crc32 of project>``.

It exists while the project may have an open HALT, so enforcement can answer
"nothing open" with one ``os.path.exists`` and no SQLite on every tool call.
Standard modules only, nothing heavy: this is on the path of every Bash call.
"""

from __future__ import annotations

import os
import zlib


def marker_path(home: str, project: str) -> str:
    return os.path.join(home, "halts", f"halt-{zlib.crc32(project.encode('utf-8')):08x}")


def halt_marked(home: str, project: str) -> bool:
    """Cheap test: may a HALT be open for ``project``?"""
    return os.path.exists(marker_path(home, project))


def write_marker(home: str, project: str) -> None:
    path = marker_path(home, project)
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(project + "\n")


def remove_marker(home: str, project: str) -> None:
    from contextlib import suppress

    with suppress(FileNotFoundError):
        os.remove(marker_path(home, project))
