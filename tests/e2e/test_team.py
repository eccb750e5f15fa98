"""The whole team in real sessions: every agent listed and dispatchable, every command
expanding, every skill delivered whole, the installed inventory matching the sources, and
a session leaving no trace outside the client's own files, the plugin's data folder and
the project.

Expected text is read from the built files in ``dist`` and the include directives
from the repository sources, so these tests follow the content as it changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
from collections.abc import Iterable

import pytest

from .harness import REPO, Client, Reply, Result, read_markdown, squash, text, tool_use
from .test_install import _inventory
from .test_session import INCLUDE, _section, _substituted

# ``!`cmd` `` at a line start or after whitespace runs at expansion time, so its
# output (not the source text) lands in the prompt.
INLINE_SHELL = re.compile(r"(?:^|(?<=\s))!`[^`\n]*`", re.M)


def _stems(folder: str) -> list[str]:
    return sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".md"))


def _agents(plugin_root: str) -> list[str]:
    return _stems(os.path.join(plugin_root, "agents"))


def _commands(plugin_root: str) -> list[str]:
    return _stems(os.path.join(plugin_root, "commands"))


def _skill_text(client: Client, plugin_root: str, skill: str) -> str:
    """A preloaded skill's body as the client delivers it, variables substituted."""
    folder = os.path.join(plugin_root, "skills", skill)
    _, body = read_markdown(os.path.join(folder, "SKILL.md"))
    return _substituted(body, client, plugin_root).replace("${CLAUDE_SKILL_DIR}", folder)


def _first_message(request: dict) -> str:
    return Result.context_text({"messages": request["messages"][:1]})


def _dispatch_all(agents: list[str]) -> Reply:
    """One assistant reply calling the Agent tool once per agent, in parallel."""
    calls = [tool_use("Agent", {"subagent_type": f"PACT:{name}", "description": name,
                                "prompt": f"Team dispatch check for {name}."})
             for name in agents]
    reply = calls[0]
    for call in calls[1:]:
        reply = reply + call
    return reply


def _first_requests(r: Result, agents: list[str]) -> dict[str, dict]:
    """Each agent's first subagent request, found by the prompt it was given."""
    found: dict[str, dict] = {}
    for request in r.sub_requests:
        first = _first_message(request)
        for name in agents:
            if f"Team dispatch check for {name}." in first:
                found.setdefault(name, request)
    return found


# ---------------------------------------------------------------- agents


def test_every_agent_is_listed_and_starts_with_its_body_includes_and_skills(
        pact: Client, plugin_root: str):
    agents = _agents(plugin_root)
    pact.model.script(main=[_dispatch_all(agents), text("team done")])

    r = pact.run("check the whole team")

    assert r.returncode == 0, r
    context = r.context_text(r.main_requests[0])
    assert "Available agent types for the Agent tool:" in context
    listing = context.split("Available agent types for the Agent tool:", 1)[1].split("\n\n")[0]
    assert sorted(re.findall(r"^- PACT:([\w-]+): ", listing, re.M)) == agents
    for name in agents:
        meta, _ = read_markdown(os.path.join(plugin_root, "agents", f"{name}.md"))
        assert meta["name"] == name
        assert f"- PACT:{name}: {meta['description']}" in listing, name
    started = _first_requests(r, agents)
    assert sorted(started) == agents, f"not started: {set(agents) - set(started)}; {r}"
    for name in agents:
        _check_subagent(pact, plugin_root, name, started[name])


def _check_subagent(client: Client, plugin_root: str, name: str, request: dict) -> None:
    meta, body = read_markdown(os.path.join(plugin_root, "agents", f"{name}.md"))
    system = squash(Result.system_text(request))
    assert "${CLAUDE_PLUGIN_ROOT}" not in system, name
    assert squash(_substituted(body, client, plugin_root)) in system, name
    with open(os.path.join(REPO, "agents", f"{name}.md"), encoding="utf-8") as f:
        includes = INCLUDE.findall(f.read())
    assert includes, f"{name}: the source includes no protocol section"
    for protocol, heading in includes:
        section = _section(os.path.join(plugin_root, "protocols", f"{protocol}.md"), heading)
        assert squash(_substituted(section, client, plugin_root)) in system, (name, heading)
    first = squash(_first_message(request))
    skills = [s.split(":", 1)[-1] for s in meta.get("skills") or []]
    assert "pact-task-tracking" in skills, name
    for skill in skills:
        folder = os.path.join(plugin_root, "skills", skill)
        assert f"Base directory for this skill: {folder}" in first, (name, skill)
        assert squash(_skill_text(client, plugin_root, skill)) in first, (name, skill)


# ---------------------------------------------------------------- commands


ARGS = "release-42 the checkout flow times out under load"


def _expected_pieces(body: str, client: Client, plugin_root: str) -> list[str]:
    """The parts of a command body that reach the model verbatim, arguments substituted.

    Inline shell is cut out (its output replaces it); a body without ``$ARGUMENTS``
    gets the arguments appended instead.
    """
    expanded = _substituted(body, client, plugin_root).replace("$ARGUMENTS", ARGS)
    return [squash(piece) for piece in INLINE_SHELL.split(expanded) if piece.strip()]


def test_every_command_expands_with_its_arguments(pact: Client, plugin_root: str):
    commands = _commands(plugin_root)
    assert commands

    for name in commands:
        _, body = read_markdown(os.path.join(plugin_root, "commands", f"{name}.md"))

        r = pact.run(f"/PACT:{name} {ARGS}")

        assert r.returncode == 0, (name, r)
        assert r.main_requests, f"/PACT:{name} was not expanded: {r.stdout!r}"
        user = squash(_first_message(r.main_requests[0]))
        assert f"<command-name>/PACT:{name}</command-name>" in user, name
        assert f"<command-args>{ARGS}</command-args>" in user, name
        for piece in _expected_pieces(body, pact, plugin_root):
            assert piece in user, (name, piece[:120])
        if "$ARGUMENTS" not in body:
            assert f"ARGUMENTS: {ARGS}" in user, name


# ---------------------------------------------------------------- skills


def _skills(plugin_root: str) -> list[str]:
    folder = os.path.join(plugin_root, "skills")
    return sorted(d for d in os.listdir(folder)
                  if os.path.isfile(os.path.join(folder, d, "SKILL.md")))


def test_every_skill_arrives_whole_through_the_skill_tool(pact: Client, plugin_root: str):
    skills = _skills(plugin_root)
    calls = [tool_use("Skill", {"skill": f"PACT:{name}"}, id=f"toolu_skill_{n}")
             for n, name in enumerate(skills)]
    reply = calls[0]
    for call in calls[1:]:
        reply = reply + call
    pact.model.script(main=[reply, text("skills read")])

    r = pact.run("read every skill")

    assert r.returncode == 0, r
    context = squash(r.context_text(r.main_requests[-1]))
    for n, name in enumerate(skills):
        result = r.tool_result_for(f"toolu_skill_{n}")
        assert result.get("is_error") is not True, (name, result)
        assert r.result_text(result).strip() == f"Launching skill: PACT:{name}", name
        folder = os.path.join(plugin_root, "skills", name)
        assert f"Base directory for this skill: {folder}" in context, name
        # Whole, as built: a placeholder the client substituted would break the match.
        assert squash(_skill_text(pact, plugin_root, name)) in context, name


# ---------------------------------------------------------------- inventory


def _source_components() -> dict[str, list[str]]:
    """Agents, skills (commands and skill folders) and hook events named by the sources."""
    from pact_runtime import registry

    skills_dir = os.path.join(REPO, "skills")
    skills = [d for d in os.listdir(skills_dir)
              if os.path.isfile(os.path.join(skills_dir, d, "SKILL.md"))]
    return {"Agents": _stems(os.path.join(REPO, "agents")),
            "Skills": sorted(_stems(os.path.join(REPO, "commands")) + skills),
            "Hooks": sorted(registry.events())}


def test_installed_details_count_what_the_sources_define(pact: Client):
    details = pact.claude("plugin", "details", "PACT@pact-marketplace").stdout
    inventory = _inventory(details)

    for kind, names in _source_components().items():
        count, shown = inventory[kind]
        assert names, kind
        assert (count, sorted(shown)) == (len(names), names), f"{kind}: {details}"


# ---------------------------------------------------------------- footprint

# What the client itself changes in HOME during a ``-p`` session, as patterns relative
# to HOME (``*`` stays within one path segment, ``**`` spans several). Anything else
# that changes in HOME, except the plugin's data folder, was written by the plugin.
CLIENT_FILES = (
    ".claude.json",  # client state: project entry, startup counters, tips
    ".claude/projects",  # per project: session and subagent transcripts (.jsonl,
    ".claude/projects/**",  # .meta.json) and the empty auto-memory folder
    ".claude/session-env",  # per session: the file SessionStart hooks get as
    ".claude/session-env/**",  # CLAUDE_ENV_FILE (sessionstart-hook-0.sh)
    ".claude/sessions",  # running-session records (<pid>.json, removed at exit)
    ".claude/sessions/*",
    ".claude/shell-snapshots",  # the Bash tool's snapshot of the login shell
    ".claude/shell-snapshots/*",
    ".claude/plugins/data",  # the client creates the plugin's data folder (CLAUDE_PLUGIN_DATA)
)
# Files a plugin must never write, whatever the allow-list says.
PROTECTED = (".claude/CLAUDE.md", ".claude/settings.json", ".claude/settings.local.json")
# Writes outside HOME the client makes on its own: its temp folder for tool output and
# the Bash tool's working-directory files (both in the system temp folder), and devices.
CLIENT_TEMP = ("/tmp/claude-*", "/tmp/claude-*/**", "/dev/*")
# The only change a session may make to the plugin folder: Python's bytecode caches.
BYTECODE = ("runtime/**/__pycache__", "runtime/**/__pycache__/*.pyc")
SMALL = 1 << 20  # hash files up to this size; larger ones compare by size and mtime


def _snapshot(root: str) -> dict[str, tuple]:
    """Every file and folder under ``root``: kind, size, mtime and (small files) a hash."""
    seen: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(root):
        for entry in dirs:
            seen[os.path.relpath(os.path.join(folder, entry), root)] = ("dir",)
        for entry in files:
            path = os.path.join(folder, entry)
            st = os.lstat(path)
            digest = ""
            if stat.S_ISREG(st.st_mode) and st.st_size <= SMALL:
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            seen[os.path.relpath(path, root)] = ("file", st.st_size, st.st_mtime_ns, digest)
    return seen


def _changed(before: dict[str, tuple], after: dict[str, tuple]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def _pattern(glob: str) -> re.Pattern[str]:
    parts = re.split(r"(\*\*|\*)", glob)
    return re.compile("".join(".*" if p == "**" else "[^/]*" if p == "*" else re.escape(p)
                              for p in parts))


def _outside(changes: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """The changed paths no allowed pattern matches."""
    patterns = [_pattern(glob) for glob in allowed]
    return sorted(p for p in changes if not any(pat.fullmatch(p) for pat in patterns))


SAVED = {"agent": "pact-backend-coder", "phase": "Code",
         "goal": "Check the session footprint",
         "lessons": ["A session writes only to the data folder and the project"]}


def _footprint_session(client: Client) -> Result:
    """A specialist saves a memory, the main thread lists signals and writes a file."""
    save = "pact-memory save <<'JSON'\n" + json.dumps(SAVED) + "\nJSON"
    client.model.script(
        main=[tool_use("Agent", {"subagent_type": "PACT:pact-backend-coder",
                                 "description": "footprint", "prompt": "Save a lesson."}),
              tool_use("Bash", {"command": "pact-signal list", "description": "signals"},
                       id="toolu_list"),
              tool_use("Write", {"file_path": os.path.join(client.project, "notes.md"),
                                 "content": "# Notes\n"}, id="toolu_write"),
              text("done")],
        sub=[tool_use("Bash", {"command": save, "description": "save"}, id="toolu_save"),
             text("Saved.")],
    )
    r = client.run("save a lesson", allowed_tools=["Bash", "Write"])
    assert r.returncode == 0, r
    saved = r.result_text(r.tool_result_for("toolu_save")).strip()
    assert re.fullmatch(r"m-[0-9a-f]{10}", saved), saved
    for call in ("toolu_list", "toolu_write"):
        assert r.tool_result_for(call).get("is_error") is not True, r.tool_result_for(call)
    return r


def test_a_session_changes_in_home_only_client_files_and_the_data_folder(
        pact: Client, plugin_root: str):
    data = os.path.relpath(pact.data_dir, pact.home)
    roots = {"home": pact.home, "plugin": plugin_root, "project": pact.project}
    before = {name: _snapshot(path) for name, path in roots.items()}

    _footprint_session(pact)

    after = {name: _snapshot(path) for name, path in roots.items()}
    home = _changed(before["home"], after["home"])
    assert not home & set(PROTECTED), sorted(home & set(PROTECTED))
    by_plugin = _outside(home, CLIENT_FILES)
    assert _outside(by_plugin, (data, data + "/**")) == []
    assert data + "/pact.db" in by_plugin  # the saved memory, where it belongs
    assert _changed(before["project"], after["project"]) == {"notes.md"}
    assert _outside(_changed(before["plugin"], after["plugin"]), BYTECODE) == []


WRITE_CALLS = ("creat", "mkdir", "mkdirat", "rename", "renameat", "renameat2", "unlink",
               "unlinkat", "rmdir", "link", "linkat", "symlink", "symlinkat", "truncate",
               "utimensat", "chmod", "fchmodat")
WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND")
CALL = re.compile(r"^(\w+)\((.*)\)\s+=\s+(-?\d+)")
PATH = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _traced_writes(folder: str) -> set[str]:
    """Every path a traced process tree wrote, created, renamed, removed or touched."""
    written: set[str] = set()
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
            for line in f:
                match = CALL.match(line)
                if not match or int(match.group(3)) < 0:
                    continue
                call, args = match.group(1), match.group(2)
                if call in ("open", "openat") and not WRITE_FLAGS.search(args):
                    continue
                if call in ("open", "openat") or call in WRITE_CALLS:
                    written.update(PATH.findall(args))
    return written


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace to see every write")
def test_a_session_writes_nothing_outside_home_but_the_project(pact: Client, plugin_root: str,
                                                              tmp_path):
    traces = tmp_path / "trace"
    traces.mkdir()
    wrapper = tmp_path / "claude-traced"
    wrapper.write_text(
        "#!/bin/sh\nexec strace -f -ff -qq -o '{}/t' -e trace=open,openat,{} '{}' \"$@\"\n"
        .format(traces, ",".join(WRITE_CALLS), pact.claude_path))
    wrapper.chmod(0o755)
    pact.claude_path = str(wrapper)

    _footprint_session(pact)

    written = _traced_writes(str(traces))
    home = pact.home + os.sep
    outside = {p for p in written if not (p + os.sep).startswith(home)}
    allowed = (*CLIENT_TEMP, pact.project, pact.project + "/**", pact.debug_dir + "/**",
               *(os.path.join(plugin_root, glob) for glob in BYTECODE))
    assert written, "the trace recorded no writes"
    assert os.path.join(pact.project, "notes.md") in written
    assert _outside(outside, allowed) == []
