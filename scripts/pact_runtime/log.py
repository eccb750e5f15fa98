"""The runtime's diagnostics file: ``<data folder>/logs/pact.log``.

Append-only, mode 0600 in a 0700 folder, rotated once to ``pact.log.1`` when
it passes ``MAX_BYTES``; one entry holds at most ``MAX_ENTRY`` characters, so
the two files stay under ``2 * (MAX_BYTES + MAX_ENTRY)``. Hooks never print
diagnostics: stdout and stderr belong to Claude Code. Logging never raises.
"""

from __future__ import annotations

import os
import time

from .paths import data_home, ensure_private_dir

MAX_BYTES = 512 * 1024
# One entry may not fill the log by itself (a traceback quoting a huge tool input).
MAX_ENTRY = 16 * 1024


def log_path(home: str | None = None) -> str | None:
    home = home if home is not None else data_home()
    return os.path.join(home, "logs", "pact.log") if home else None


def log(message: str, home: str | None = None) -> None:
    """Append one timestamped line (or block) to the log; swallow every error."""
    try:
        path = log_path(home)
        if path is None:
            return
        # Both levels private: makedirs applies its mode to the leaf folder only.
        ensure_private_dir(os.path.dirname(os.path.dirname(path)))
        ensure_private_dir(os.path.dirname(path))
        try:
            if os.path.getsize(path) > MAX_BYTES:
                os.replace(path, path + ".1")
        except OSError:
            pass
        text = message.rstrip()
        if len(text) > MAX_ENTRY:
            text = f"{text[:MAX_ENTRY]}… [{len(text) - MAX_ENTRY} more characters cut]"
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8", errors="replace") as f:
            f.write(f"{stamp} [{os.getpid()}] {text}\n")
    except Exception:  # pragma: no cover (logging must never break a hook)
        pass
