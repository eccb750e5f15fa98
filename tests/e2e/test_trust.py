"""PACT's own commands run in a session without a permission prompt; other commands still ask."""

from __future__ import annotations

import os

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


def test_a_line_hidden_behind_a_comment_or_an_expansion_is_not_approved(pact: Client):
    """`#<<X` is a comment, so the next line runs; `${X:-forget}` can become `forget`."""
    pwned = os.path.join(pact.project, "pwned")
    pact.model.script(main=[tool_use("Bash", {"command": SAVE, "description": "save"},
                                     id="toolu_save"), text("saved")])
    saved = pact.run("save what we learned")
    memory_id = result_text(saved.tool_result_for("toolu_save")).strip()
    assert memory_id.startswith("m-")

    attempts = {
        "toolu_comment": f"pact-memory list #<<X\ntouch {pwned}",
        "toolu_expansion": f"pact-memory ${{X:-forget}} {memory_id}",
        "toolu_forget": f"pact-memory forget {memory_id}",  # cannot be undone: the user decides
    }
    pact.model.script(main=[*(tool_use("Bash", {"command": c, "description": "try"}, id=i)
                              for i, c in attempts.items()), text("done")])
    result = pact.run("tidy up")  # no --allowedTools: only PACT's approval would let them run

    for id in attempts:  # the client's own rules decided ("requires approval", "Contains
        refused = result.tool_result_for(id)  # expansion"), and in -p nobody can approve
        assert refused.get("is_error") and "PACT" not in result_text(refused), id
    assert not os.path.exists(pwned)
    pact.model.script(main=[tool_use("Bash", {"command": f"pact-memory show {memory_id}",
                                              "description": "show"}, id="toolu_show"),
                            text("shown")])
    shown = pact.run("show it")
    assert "Billing service" in result_text(shown.tool_result_for("toolu_show"))
