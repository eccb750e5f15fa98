"""JSON for the save path without the ``json`` module.

``json`` imports ``re`` and together they cost ``pact-memory save`` about a
fifth of its start-up budget. SQLite, already loaded, parses JSON with its
``json_tree`` function, and the records written back are simple enough (strings,
booleans, numbers, lists, objects) for a small encoder. Invalid input is
handed to ``json`` after all, only to produce its line-and-column message.
"""

from __future__ import annotations

import sqlite3

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}
_SCALARS = {"true": True, "false": False, "null": None}


def loads(text: str) -> Any:
    """Parse strict JSON; raises ValueError (json's, with ``lineno``/``colno``) when invalid."""
    conn = sqlite3.connect(":memory:")
    try:
        valid = conn.execute("SELECT json_valid(?)", (text,)).fetchone()[0]
        rows = conn.execute("SELECT id, parent, key, type, atom FROM json_tree(?) ORDER BY id",
                            (text,)).fetchall() if valid else []
    except sqlite3.OperationalError:  # a SQLite without JSON functions
        valid = None
    finally:
        conn.close()
    if not valid:
        import json

        return json.loads(text)  # raises with the position when invalid
    return _build(rows)


def dumps(value: Any, sort_keys: bool = False) -> str:
    """Compact JSON with non-ASCII kept as is, like ``json.dumps(..., ensure_ascii=False)``."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(_ESCAPES.get(c) or (f"\\u{ord(c):04x}" if c < " " else c)
                             for c in value) + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v, sort_keys) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted(value.items()) if sort_keys else value.items()
        return "{" + ",".join(f"{dumps(str(k))}:{dumps(v, sort_keys)}" for k, v in items) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _build(rows: list[tuple[Any, ...]]) -> Any:
    """Rebuild the value from json_tree rows (parents come before their children)."""
    nodes: dict[int, Any] = {}
    for ident, parent, key, kind, atom in rows:
        node = {} if kind == "object" else [] if kind == "array" else _atom(kind, atom)
        nodes[ident] = node
        if parent is None:
            continue
        container = nodes[parent]
        if isinstance(container, list):
            container.append(node)
        else:
            container[key] = node
    return nodes[rows[0][0]] if rows else None


def _atom(kind: str, atom: Any) -> Any:
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "real":
        return float(atom)
    return atom
