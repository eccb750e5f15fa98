"""Where PACT keeps its data, and which project a record belongs to.

Plain ``os.path`` strings: pathlib and typing cost milliseconds at import, and
this module loads on every hook event.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations only
    from collections.abc import Mapping
    from typing import Any


DB_NAME = "pact.db"
SPOOL_DIR = "spool"


def db_path(home: str) -> str:
    """The runtime's one SQLite file in the data folder (shared by memory and signals)."""
    return os.path.join(home, DB_NAME)


def spool_dir(home: str) -> str:
    """Records waiting for a locked database (see ``db.spool``); absent while none wait."""
    return os.path.join(home, SPOOL_DIR)


class NoDataFolder(Exception):
    """Neither PACT_HOME nor CLAUDE_PLUGIN_DATA is set."""


def data_home(env: Mapping[str, str] = os.environ) -> str | None:
    """The data folder: ``PACT_HOME``, else ``CLAUDE_PLUGIN_DATA``, else None."""
    for name in ("PACT_HOME", "CLAUDE_PLUGIN_DATA"):
        value = env.get(name, "").strip()
        if value:
            return os.path.abspath(os.path.expanduser(value))
    return None


def require_data_home(env: Mapping[str, str] = os.environ) -> str:
    home = data_home(env)
    if home is None:
        raise NoDataFolder(
            "no data folder: set PACT_HOME to the plugin's data folder (usually "
            "~/.claude/plugins/data/PACT-pact-marketplace; inside a Claude Code session "
            "the PACT SessionStart hook sets it for you)"
        )
    return home


def ensure_private_dir(path: str) -> str:
    """Create ``path`` (and parents) readable by the user alone."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    # Not contextlib.suppress: contextlib is not loaded at interpreter start.
    try:  # noqa: SIM105
        os.chmod(path, 0o700)
    except OSError:
        pass
    return path


def project_root(event: Mapping[str, Any] | None = None,
                 env: Mapping[str, str] = os.environ) -> str:
    """The real path of the project root.

    Hooks get ``CLAUDE_PROJECT_DIR``; Bash calls get ``PACT_PROJECT`` from the
    SessionStart export; otherwise the event's ``cwd``, else the process's cwd.
    """
    candidates = [env.get("CLAUDE_PROJECT_DIR", ""), env.get("PACT_PROJECT", "")]
    if event is not None and isinstance(event.get("cwd"), str):
        candidates.append(event["cwd"])
    for candidate in candidates:
        if candidate:
            return os.path.realpath(candidate)
    return os.path.realpath(os.getcwd())


class NotAFolder(Exception):
    """``CLAUDE_PROJECT_DIR`` or ``PACT_PROJECT`` names something that is not a folder."""


def command_project(env: Mapping[str, str] = os.environ) -> str:
    """The project of a command run in a shell: ``project_root``, after refusing a project
    variable that names no folder (records filed under it could not be found again)."""
    for name in ("CLAUDE_PROJECT_DIR", "PACT_PROJECT"):
        value = env.get(name, "")
        if value:
            if not os.path.isdir(value):
                raise NotAFolder(f"{name} is {value!r}, which is not a folder; set it to the "
                                 "project's folder, or unset it to use the current one")
            break
    return project_root(None, env)


def plugin_root() -> str:
    """The plugin's root folder: two levels above this package.

    In the built plugin that is ``<root>/runtime/pact_runtime``; in the source
    tree, ``<repo>/scripts/pact_runtime``.
    """
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
