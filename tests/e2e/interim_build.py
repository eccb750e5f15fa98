"""A stand-in for ``pact-plugin build`` used only while pact_build cannot build yet.

It lays out the built plugin as the build does (marketplace, plugin root,
hooks.json from the registry, runtime, entry scripts, bin shims) but copies
content files without rendering includes. The conftest uses it only when
``PACT_E2E_INTERIM=1`` is set or ``pact_build.cli`` cannot be imported.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

HOOK_ENTRY = '''\
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor"))
from pact_runtime.dispatch import main  # noqa: E402

sys.exit(main())
'''

CLI_ENTRY = '''\
import os
import sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor"))
from pact_runtime.registry import COMMANDS  # noqa: E402

module_name, _, function = COMMANDS[sys.argv[1]].partition(":")
module = __import__("pact_runtime." + module_name, fromlist=[function])
sys.exit(getattr(module, function)(sys.argv[2:]) or 0)
'''

SHIM = '#!/bin/sh\nexec python3 -S "${0%/*}/../runtime/pact_cli.py" NAME "$@"\n'


def _version() -> str:
    with open(os.path.join(REPO, "pyproject.toml"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("version"):
                return line.split("=", 1)[1].strip().strip('"')
    return "0.0.0"


def _hooks_json() -> tuple[dict, dict]:
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    from pact_runtime import registry

    hooks: dict = {}
    for event in registry.events():
        entry: dict = {}
        match = registry.matcher(event)
        if match is not None:
            entry["matcher"] = match
        command = f'python3 -S "${{CLAUDE_PLUGIN_ROOT}}/runtime/pact_hook.py" {event} || true'
        entry["hooks"] = [{"type": "command", "command": command, "timeout": 30}]
        hooks[event] = [entry]
    return {"hooks": hooks}, registry.COMMANDS


def build(out: str) -> str:
    """Write the plugin to ``out``; returns ``out``."""
    root = os.path.join(out, "PACT")
    os.makedirs(os.path.join(out, ".claude-plugin"), exist_ok=True)
    os.makedirs(os.path.join(root, ".claude-plugin"), exist_ok=True)

    with open(os.path.join(REPO, ".claude-plugin", "marketplace.json"), encoding="utf-8") as f:
        market = json.load(f)
    with open(os.path.join(REPO, ".claude-plugin", "plugin.json"), encoding="utf-8") as f:
        plugin = {"name": "PACT", "version": _version(), **json.load(f)}
    _write_json(os.path.join(out, ".claude-plugin", "marketplace.json"), market)
    _write_json(os.path.join(root, ".claude-plugin", "plugin.json"), plugin)

    for folder in ("agents", "commands", "skills", "protocols", "hooks"):
        src = os.path.join(REPO, folder)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(root, folder), dirs_exist_ok=True)
    hooks, commands = _hooks_json()
    os.makedirs(os.path.join(root, "hooks"), exist_ok=True)
    _write_json(os.path.join(root, "hooks", "hooks.json"), hooks)

    runtime = os.path.join(root, "runtime")
    shutil.copytree(os.path.join(REPO, "scripts", "pact_runtime"),
                    os.path.join(runtime, "pact_runtime"),
                    ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    import sqlglot

    shutil.copytree(os.path.dirname(sqlglot.__file__), os.path.join(runtime, "vendor", "sqlglot"),
                    ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    _write(os.path.join(runtime, "pact_hook.py"), HOOK_ENTRY)
    _write(os.path.join(runtime, "pact_cli.py"), CLI_ENTRY)
    for name in commands:
        path = os.path.join(root, "bin", name)
        _write(path, SHIM.replace("NAME", name))
        os.chmod(path, 0o755)
    return out


def _write_json(path: str, data: dict) -> None:
    _write(path, json.dumps(data, indent=2) + "\n")


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
