"""Fixtures for the build tests: content trees built in tmp_path."""

from __future__ import annotations

import json
import textwrap
from typing import NamedTuple

import pytest

PLUGIN_JSON = {"name": "PACT", "description": "Test plugin.", "author": {"name": "Tests"}}
MARKETPLACE_JSON = {
    "name": "pact-marketplace",
    "owner": {"name": "Tests"},
    "plugins": [{"name": "PACT", "source": "./PACT", "description": "Test plugin."}],
}

BASE = {
    "pyproject.toml": '[project]\nname = "pact-plugin"\nversion = "0.1.0"\n',
    ".claude-plugin/plugin.json": json.dumps(PLUGIN_JSON, indent=2) + "\n",
    ".claude-plugin/marketplace.json": json.dumps(MARKETPLACE_JSON, indent=2) + "\n",
    "hooks/session-brief.md": "You orchestrate a PACT team. Delegate with /PACT:orchestrate.\n",
    "protocols/pact-handoff.md": textwrap.dedent("""\
        # Handoff

        ## The five parts

        1. **Produced files**: what changed.
        2. **Key decisions**: what you chose.

        ### Format detail

        Keep it short.

        ## Before you hand back

        Save a memory.
        """),
    "agents/pact-tester.md": textwrap.dedent("""\
        ---
        name: pact-tester
        description: Writes and runs tests. Use after code changes.
        color: green
        model: inherit
        tools: Read, Bash, Edit
        skills:
          - pact-task-tracking
        ---
        # Tester

        You test code. See [the handoff](../protocols/pact-handoff.md#the-five-parts).

        ## Handoff

        <!--{ include("pact-handoff", "The five parts") }-->
        """),
    "commands/orchestrate.md": textwrap.dedent("""\
        ---
        description: Run a task through the PACT phases
        argument-hint: "[task]"
        ---
        Orchestrate $ARGUMENTS with PACT:pact-tester and the PACT:pact-task-tracking skill.
        """),
    "skills/pact-task-tracking/SKILL.md": textwrap.dedent("""\
        ---
        name: pact-task-tracking
        description: Track tasks for a PACT specialist. Use when work starts.
        ---
        # Task tracking

        Read [the details](references/detail.md) when needed.
        """),
    "skills/pact-task-tracking/references/detail.md": "# Detail\n\nMore.\n",
}


class Link(NamedTuple):
    """A symbolic link to ``target``, written as given (relative to the link's folder)."""

    target: str


FOLDER = object()  # an empty folder at that path


@pytest.fixture
def source_tree(tmp_path):
    """Factory: ``source_tree(files={rel: text or bytes or None})`` -> root Path.

    Starts from a small valid PACT tree; ``None`` removes a base file, ``base=False``
    starts empty. Strings are written as UTF-8 bytes exactly as given; a ``Link``
    becomes a symbolic link and ``FOLDER`` an empty folder.
    """
    counter = iter(range(1000))

    def make(files=None, base=True):
        root = tmp_path / f"src{next(counter)}"
        merged = dict(BASE) if base else {}
        merged.update(files or {})
        for rel, data in merged.items():
            if data is None:
                continue
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if data is FOLDER:
                path.mkdir()
            elif isinstance(data, Link):
                path.symlink_to(data.target)
            else:
                path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        root.mkdir(parents=True, exist_ok=True)
        return root

    return make
