"""PACT's own commands run in a session without a permission prompt; other commands still ask."""

from __future__ import annotations

from .harness import Client, result_text, text, tool_use

SAVE = ("pact-memory save <<'JSON'\n"
        '{"context": "Billing service", "goal": "Keep invoices exact", '
        '"lessons": ["The export\'s rounding is per line"]}\nJSON')


def test_pact_commands_need_no_permission_rule_while_others_still_do(pact: Client):
    pact.model.script(
        main=[tool_use("Bash", {"command": SAVE, "description": "save"}, id="toolu_save"),
              tool_use("Bash", {"command": "pact-signal list --open",
                                "description": "signals"}, id="toolu_list"),
              tool_use("Bash", {"command": "touch outside-rule.txt",
                                "description": "touch"}, id="toolu_touch"),
              text("done")],
        sub=[])

    result = pact.run("save what we learned")  # no --allowedTools: the client would ask

    saved = result.tool_result_for("toolu_save")
    assert not saved.get("is_error") and result_text(saved).startswith("m-")
    listed = result.tool_result_for("toolu_list")
    assert not listed.get("is_error") and result_text(listed).startswith("No open signals for ")
    touched = result.tool_result_for("toolu_touch")
    assert touched.get("is_error")
