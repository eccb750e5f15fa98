"""The session-wide guard in tests/conftest.py keeps tests out of the real ~/.claude."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TARGET = Path(os.path.expanduser("~")) / ".claude" / "pact-guard-probe" / "x.txt"


def _open_for_writing():
    with open(TARGET, "w") as f:
        f.write("x")


@pytest.mark.parametrize(
    "write",
    [
        _open_for_writing,
        lambda: TARGET.write_text("x"),
        lambda: os.makedirs(TARGET.parent),
        lambda: os.open(TARGET, os.O_CREAT | os.O_WRONLY),
    ],
    ids=["open", "pathlib", "makedirs", "os.open"],
)
def test_writing_under_the_real_claude_home_fails(write):
    with pytest.raises(PermissionError, match="real"):
        write()

    assert not TARGET.parent.exists()


def test_reading_elsewhere_is_untouched(tmp_path):
    (tmp_path / "a.txt").write_text("ok")

    with open(tmp_path / "a.txt") as f:
        assert f.read() == "ok"
