"""Checking and cleaning a memory given by a user, an agent or an export file."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

TEXTS = ("session_id", "agent", "phase", "context", "goal")
LISTS = ("lessons", "uncertainties", "files", "tags")
PHASES = ("Prepare", "Architect", "Code", "Test")
FIELDS = ("context", "goal", "lessons", "decisions", "uncertainties", "entities", "files",
          "tags", "agent", "phase", "pinned", "session_id")
MAX_TEXT = 20_000  # characters in one text
MAX_ITEMS = 200  # items in one list
MAX_RECORD = 100_000  # characters in all the texts of one memory
SOURCES = ("explicit", "handoff", "import")


class InvalidMemory(ValueError):
    """The record cannot be stored; the message says which field and why."""


def normalize(data: Any, *, allow: Iterable[str] = ()) -> dict[str, Any]:
    """Check and clean a record given by a user or agent; raises InvalidMemory."""
    if not isinstance(data, dict):
        raise InvalidMemory("expected a JSON object with the memory's fields")
    known = set(TEXTS) | set(LISTS) | {"decisions", "entities", "pinned"} | set(allow)
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidMemory(f"unknown field {unknown[0]!r} (known: {', '.join(sorted(known))})")
    record: dict[str, Any] = {key: _text(data, key) for key in TEXTS}
    for key in LISTS:
        record[key] = _strings(data, key)
    record["decisions"] = _decisions(data.get("decisions"))
    record["entities"] = _entities(data.get("entities"))
    record["phase"] = _phase(record["phase"])
    record["pinned"] = _pinned(data.get("pinned", False))
    if not any(record[k] for k in ("context", "goal", "lessons", "decisions", "uncertainties")):
        raise InvalidMemory("nothing to save: give at least one of context, goal, lessons, "
                            "decisions or uncertainties")
    size = _size(record)
    if size > MAX_RECORD:
        raise InvalidMemory(f"memory too large ({size:,} > {MAX_RECORD:,} characters in all); "
                            "keep what a later specialist needs and save the rest in a file")
    return record


def _size(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_size(v) for v in value.values())
    if isinstance(value, list):
        return sum(_size(v) for v in value)
    return 0


EXPORT_ONLY = ("id", "created", "updated", "project", "source", "pinned_at")
_ID = r"m-[0-9a-f]{10}"
_STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z"


def import_keys(data: dict[str, Any]) -> tuple[str | None, ...]:
    """The id, creation, update time, project, source and pin time an exported record carries.

    Each is checked: ids look like ``m-3f9a1c2b7d``, times are real UTC times
    not in the future, the project is an absolute path, the source one of
    ``SOURCES``. A missing one is None. The pin time is given milliseconds
    (``…:21Z`` reads ``…:21.000Z``), so pins compare as text in time order.
    """
    import re

    values: list[str | None] = []
    for key, pattern in (("id", _ID), ("created", _STAMP), ("updated", _STAMP),
                         ("project", None), ("source", None), ("pinned_at", _STAMP)):
        value = data.get(key)
        if value in (None, ""):
            values.append(None)
            continue
        if not isinstance(value, str) or (pattern and not re.fullmatch(pattern, value)):
            hint = " (ids look like m-3f9a1c2b7d)" if key == "id" else ""
            raise InvalidMemory(f"{key}: invalid value {value!r}{hint}")
        _encodable(key, value)
        if pattern == _STAMP:
            _real_time(key, value)
        elif key == "project" and not value.startswith("/"):
            raise InvalidMemory(f"project: expected the absolute path of a folder, got {value!r}")
        elif key == "source" and value not in SOURCES:
            raise InvalidMemory(f"source: expected one of {', '.join(SOURCES)}, got {value!r}")
        if key == "pinned_at":
            value = f"{value[:19]}.{(value[20:-1] + '000')[:3]}Z"
        values.append(value)
    return tuple(values)


def check_stamp(key: str, value: Any) -> None:
    """Refuse a time that is neither None nor a real UTC ISO-8601 time (InvalidMemory)."""
    import re

    if value is None:
        return
    if not isinstance(value, str) or not re.fullmatch(_STAMP, value):
        raise InvalidMemory(f"{key}: invalid value {value!r}")
    _real_time(key, value)


def _real_time(key: str, value: str) -> None:
    import calendar
    import time

    try:
        moment = calendar.timegm(time.strptime(value[:19], "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        raise InvalidMemory(f"{key}: {value!r} is not a real date and time") from None
    if moment > time.time() + 86_400:
        raise InvalidMemory(f"{key}: {value!r} is in the future")


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidMemory(f"{key}: expected a string, got {type(value).__name__}")
    return _cap(key, value.strip())


def _cap(key: str, value: str) -> str:
    if len(value) > MAX_TEXT:
        raise InvalidMemory(f"{key}: too long ({len(value):,} > {MAX_TEXT:,} characters)")
    _encodable(key, value)
    return value


def _encodable(key: str, value: str) -> None:
    """Reject a lone UTF-16 surrogate (valid in JSON, not storable as UTF-8)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = value[exc.start]
        raise InvalidMemory(f"{key}: text contains an unpaired surrogate "
                            f"(\\u{ord(bad):04x})") from None


def _phase(value: str) -> str:
    for phase in PHASES:
        if value.lower() == phase.lower():
            return phase
    if value:
        raise InvalidMemory(f"phase: expected one of {', '.join(PHASES)}, got {value!r}")
    return ""


def _pinned(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidMemory(f"pinned: expected true or false, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    """A JSON value's type in JSON's words (a str is "a string", not "str")."""
    names = {str: "a string", bool: "a boolean", int: "a number", float: "a number",
             list: "a list", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _strings(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        got = _kind(value) if not isinstance(value, list) else "a list with other values"
        raise InvalidMemory(f"{key}: expected a list of strings, got {got}")
    _count(key, value)
    return unique([_cap(key, v.strip()) for v in value if v.strip()])


def _count(key: str, items: list[Any]) -> None:
    if len(items) > MAX_ITEMS:
        raise InvalidMemory(f"{key}: too many items ({len(items):,} > {MAX_ITEMS})")


def _decisions(value: Any) -> list[dict[str, Any]]:
    items = [value] if isinstance(value, (str, dict)) else ([] if value is None else value)
    if not isinstance(items, list):
        raise InvalidMemory(f"decisions: expected a list, got {_kind(value)}")
    _count("decisions", items)
    result = []
    for item in items:
        if isinstance(item, str):
            item = {"decision": item}
        if not isinstance(item, dict) or not isinstance(item.get("decision"), str):
            raise InvalidMemory('decisions: each item needs a "decision" string')
        extra = set(item) - {"decision", "rationale", "alternatives"}
        if extra:
            raise InvalidMemory(f"decisions: unknown field {sorted(extra)[0]!r}")
        decision = {
            "decision": _cap("decision", item["decision"].strip()),
            "rationale": _text(item, "rationale"),
            "alternatives": _strings(item, "alternatives"),
        }
        if decision["decision"]:
            result.append(decision)
    return result


def _entities(value: Any) -> list[dict[str, str]]:
    items = [value] if isinstance(value, (str, dict)) else ([] if value is None else value)
    if not isinstance(items, list):
        raise InvalidMemory(f"entities: expected a list, got {_kind(value)}")
    _count("entities", items)
    result: list[dict[str, str]] = []
    for number, item in enumerate(items):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise InvalidMemory('entities: each item needs a "name" string')
        extra = sorted(set(item) - {"name", "kind"})
        if extra:
            raise InvalidMemory(f"entities[{number}]: unknown field {extra[0]!r} "
                                "(known: name, kind)")
        entity = {"name": _cap("entity", item["name"].strip()), "kind": _text(item, "kind")}
        if entity["name"] and entity not in result:
            result.append(entity)
    return result


def unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def agent_forms(agent: str) -> list[str]:
    """Every lower-case spelling a stored ``agent`` may use for the same specialist.

    ``database-engineer``, ``pact-database-engineer`` and
    ``PACT:pact-database-engineer`` name one specialist; a name of another
    kind (``general-purpose``) stands for itself, with or without ``PACT:``.
    """
    core = agent.strip().lower()
    core = core[5:] if core.startswith("pact:") else core
    core = core[5:] if core.startswith("pact-") else core
    names = [core, f"pact-{core}"]
    return unique(names + [f"pact:{n}" for n in names])
