"""A session whose PATH has no python3: PACT says it is off instead of failing silently."""

from __future__ import annotations

import os
import shutil

import pytest

from .harness import Client

OFF = ("PACT is off in this session: its hooks need python3, version 3.9 or newer, on the "
       "PATH Claude Code was started with.")


def test_a_session_without_python3_hears_that_pact_is_off(pact: Client, tmp_path,
                                                           monkeypatch: pytest.MonkeyPatch):
    node = shutil.which("node")
    assert node, "the client needs node"
    only_node = tmp_path / "only-node"
    only_node.mkdir()
    os.symlink(node, only_node / "node")
    scrubbed = dict(pact.env, PATH=str(only_node))
    monkeypatch.setattr(Client, "env", property(lambda self: scrubbed))

    r = pact.run("hello")

    context = r.context_text(r.main_requests[0])
    assert "SessionStart hook additional context: " + OFF in context
    assert "Until then no HALT is enforced" in context
    assert "python3: not found" in r.debug_log  # sh's words, in the debug log only
