"""Plain-text secrets in real sessions: a placeholder in the docs runs, a real key HALTs."""

from __future__ import annotations

import os

from .harness import Client, text, tool_use
from .test_signals import signals

README = "# Shop\n\nSet your key before the first run:\n\n    OPENAI_API_KEY=sk-...\n"
KEY = "sk-proj-Xq7RbL2mN9vK4tY8wZ3cF6hJ1pS5dG0aE"


def test_a_placeholder_in_the_readme_runs_and_a_real_key_in_env_halts(pact: Client,
                                                                      plugin_root: str):
    readme, env = os.path.join(pact.project, "README.md"), os.path.join(pact.project, ".env")
    pact.model.script(main=[
        tool_use("Write", {"file_path": readme, "content": README}, id="toolu_readme"),
        tool_use("Write", {"file_path": env, "content": f"OPENAI_API_KEY={KEY}\n"},
                 id="toolu_env"),
        text("done")])
    r = pact.run("document the key and set it up", allowed_tools=["Write"])
    assert r.returncode == 0, r

    # The README's `sk-...` is a placeholder: the Write ran and opened no signal before
    # the .env Write opened the first one.
    assert r.tool_result_for("toolu_readme").get("is_error") is not True
    with open(readme, encoding="utf-8") as f:
        assert f.read() == README

    # The random key is a secret: the Write was denied with a HALT and the file not written.
    denied = r.tool_result_for("toolu_env")
    assert denied.get("is_error") is True
    assert (f"PACT guard raised HALT S1 (SECURITY): plain-text secret (openai-key) written to "
            f"{env}") in r.result_text(denied)
    assert KEY not in r.result_text(denied)
    assert not os.path.exists(env)
    (halt,) = signals(pact, plugin_root)
    assert (halt["id"], halt["level"], halt["category"], halt["status"]) == (
        "S1", "HALT", "SECURITY", "open")
