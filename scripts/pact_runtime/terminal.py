"""Text for a terminal: stored text shown so that it cannot drive the screen.

Reasons, evidence and memories are written by agents and tools; a stored
escape sequence (``ESC [2J``, an OSC title, a bell) must not clear, recolour or
rewrite the user's terminal, and a bidirectional override must not reorder
what the user reads. JSON output keeps the exact text; only what is printed
for people passes through here.
"""

from __future__ import annotations

# C0 controls but tab and newline, DEL, the C1 controls, and the bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(32), *range(127, 160)) if c not in (9, 10)}
_ESCAPES.update({c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
_ONE_LINE = {**_ESCAPES, 9: "\\t", 10: "\\n"}


def for_terminal(text: str, one_line: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``).

    Tab and newline are kept, unless ``one_line`` asks for them escaped too.
    """
    return text.translate(_ONE_LINE if one_line else _ESCAPES)
