"""Fixtures for every test: no test may write under the real ``~/.claude``."""

from __future__ import annotations

import builtins
import io
import os

import pytest

_REAL_CLAUDE = os.path.realpath(os.path.join(os.path.expanduser("~"), ".claude"))


def _inside_real_claude(path: object) -> bool:
    if not isinstance(path, (str, bytes, os.PathLike)):
        return False
    raw = os.fsdecode(os.fspath(path))
    real = os.path.realpath(raw)
    return real == _REAL_CLAUDE or real.startswith(_REAL_CLAUDE + os.sep)


@pytest.fixture(autouse=True, scope="session")
def _guard_real_claude_home():
    """Make opening, creating or removing anything under the real ~/.claude raise."""
    real_open = builtins.open
    real_os_open = os.open
    real_mkdir, real_makedirs = os.mkdir, os.makedirs
    real_remove, real_unlink = os.remove, os.unlink
    real_rename, real_replace = os.rename, os.replace

    def refuse(path: object) -> None:
        if _inside_real_claude(path):
            raise PermissionError(f"test tried to write under the real {_REAL_CLAUDE}: {path}")

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(flag in str(mode) for flag in "wax+"):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC):
            refuse(path)
        return real_os_open(path, flags, *args, **kwargs)

    def wrap(real):
        def guarded(path, *args, **kwargs):
            refuse(path)
            if args and isinstance(args[0], (str, os.PathLike)):
                refuse(args[0])
            return real(path, *args, **kwargs)

        return guarded

    patches = {
        (builtins, "open"): guarded_open,
        (io, "open"): guarded_open,
        (os, "open"): guarded_os_open,
        (os, "mkdir"): wrap(real_mkdir),
        (os, "makedirs"): wrap(real_makedirs),
        (os, "remove"): wrap(real_remove),
        (os, "unlink"): wrap(real_unlink),
        (os, "rename"): wrap(real_rename),
        (os, "replace"): wrap(real_replace),
    }
    saved = {key: getattr(*key) for key in patches}
    for (module, name), value in patches.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for (module, name), value in saved.items():
            setattr(module, name, value)
