"""A real session with PACT installed: agents, preloaded skills, commands, hooks.

Expected text is read from the built files in ``dist``, so these tests follow
the content as it changes.
"""

from __future__ import annotations

import os
import re

from .harness import Client, read_markdown, squash, text, tool_use

AGENT = "pact-database-engineer"
INCLUDE = re.compile(r'<!--\{\s*include\("([^"]+)",\s*"([^"]+)"\)\s*\}-->')


def _substituted(body: str, client: Client, plugin_root: str) -> str:
    """The body as the client sends it: the plugin variables replaced."""
    return (body.replace("${CLAUDE_PLUGIN_ROOT}", plugin_root)
            .replace("${CLAUDE_PLUGIN_DATA}", client.data_dir)
            .replace("${CLAUDE_PROJECT_DIR}", client.project))


def _unlinked(text: str) -> str:
    """Link targets dropped: the build rewrites them for the file a section is included in."""
    return re.sub(r"\]\([^)\s]*\)", "]()", text)


def _section(path: str, heading: str) -> str:
    """The lines under ``heading`` up to the next heading of the same or higher level."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"(#+) (.*)", line)
        if match and match.group(2).strip() == heading:
            level = len(match.group(1))
            body = []
            for following in lines[i + 1:]:
                deeper = re.match(r"(#+) ", following)
                if deeper and len(deeper.group(1)) <= level:
                    break
                body.append(following)
            return "\n".join(body)
    raise AssertionError(f"{path}: no heading {heading!r}")


def test_agent_list_offers_the_database_engineer_with_its_description(pact: Client,
                                                                       plugin_root: str):
    meta, _ = read_markdown(os.path.join(plugin_root, "agents", f"{AGENT}.md"))

    r = pact.run("hello")

    assert r.returncode == 0, r
    context = r.context_text(r.main_requests[0])
    assert "Available agent types for the Agent tool:" in context
    assert f"- PACT:{AGENT}: {meta['description']}" in context


def _includes() -> list[tuple[str, str]]:
    """The (protocol, heading) pairs the agent's source includes."""
    from .harness import REPO

    with open(os.path.join(REPO, "agents", f"{AGENT}.md"), encoding="utf-8") as f:
        return INCLUDE.findall(f.read())


def test_agent_call_starts_the_rendered_agent_with_its_preloaded_skill(pact: Client,
                                                                       plugin_root: str):
    _, body = read_markdown(os.path.join(plugin_root, "agents", f"{AGENT}.md"))
    _, skill = read_markdown(os.path.join(plugin_root, "skills", "pact-task-tracking",
                                          "SKILL.md"))
    pact.model.script(
        main=[tool_use("Agent", {"subagent_type": f"PACT:{AGENT}",
                                 "description": "schema", "prompt": "Design the orders table."}),
              text("done")],
        sub=[text("sub final")],
    )

    r = pact.run("add an orders table")

    assert r.returncode == 0, r
    assert r.sub_requests, f"no subagent request: {r.stdout} {r.debug_log[-2000:]}"
    first = r.sub_requests[0]
    # system[2] is the agent's own prompt: the rendered body, then the client's notes.
    system = first["system"][2]["text"]
    assert system.startswith(_substituted(body, pact, plugin_root).strip() + "\n"), system[:500]
    assert "${CLAUDE_PLUGIN_ROOT}" not in system and "<!--{" not in system
    for protocol, heading in _includes():
        section = _section(os.path.join(plugin_root, "protocols", f"{protocol}.md"), heading)
        assert section.strip() and _unlinked(section.strip()) in _unlinked(system), heading

    # The first user message: the Agent prompt, then the preloaded skill, whole.
    blocks = [b.get("text", "") for b in first["messages"][0]["content"]]
    assert "Design the orders table.\n" in blocks
    skill_dir = os.path.join(plugin_root, "skills", "pact-task-tracking")
    skill_text = _substituted(skill, pact, plugin_root).replace("${CLAUDE_SKILL_DIR}", skill_dir)
    preloaded = f"Base directory for this skill: {skill_dir}\n\n{skill_text.lstrip()}"
    assert preloaded in blocks, [b[:200] for b in blocks]
    marker = blocks.index(preloaded) - 1
    assert "<command-name>pact-task-tracking</command-name>" in blocks[marker]


def test_agent_body_carries_the_protocol_sections_it_includes(plugin_root: str):
    includes = _includes()
    _, body = read_markdown(os.path.join(plugin_root, "agents", f"{AGENT}.md"))

    assert includes, "the agent source includes no protocol section"
    assert "<!--{" not in body
    for protocol, heading in includes:
        section = _section(os.path.join(plugin_root, "protocols", f"{protocol}.md"), heading)
        assert _unlinked(section.strip()) in _unlinked(body), (protocol, heading)


def test_slash_command_expands_with_its_arguments(pact: Client, plugin_root: str):
    _, body = read_markdown(os.path.join(plugin_root, "commands", "imPACT.md"))
    args = "the migration tool hangs on step 3"

    r = pact.run(f"/PACT:imPACT {args}")

    assert r.returncode == 0, r
    assert r.main_requests, f"command not expanded: {r.stdout!r}"
    user = r.context_text({"messages": r.main_requests[0]["messages"][:1]})
    assert "<command-name>/PACT:imPACT</command-name>" in user
    assert f"<command-args>{args}</command-args>" in user
    expected = body.replace("$ARGUMENTS", args) if "$ARGUMENTS" in body else body
    assert squash(expected) in squash(user)


def test_bash_sees_pact_home_exported_at_session_start(pact: Client):
    call = tool_use("Bash", {"command": "echo \"$PACT_HOME|$PACT_PROJECT\"",
                             "description": "show env"})
    pact.model.script(main=[call, text("done")])

    r = pact.run("where is the data", allowed_tools=["Bash"])

    assert r.returncode == 0, r
    shown = r.result_text(r.tool_result_for(call.blocks[0]["id"])).strip()
    assert shown == f"{pact.data_dir}|{os.path.realpath(pact.project)}"
    assert os.path.isdir(pact.data_dir)
    assert oct(os.stat(pact.data_dir).st_mode & 0o777) == "0o700"


def test_session_start_brief_reaches_the_model(pact: Client, plugin_root: str):
    with open(os.path.join(plugin_root, "hooks", "session-brief.md"), encoding="utf-8") as f:
        brief = f.read().strip()

    r = pact.run("hello")

    assert brief, "the built session brief is empty"
    context = r.context_text(r.main_requests[0])
    assert "SessionStart hook additional context: " + brief in context
