"""Validate frontmatter and manifests against the JSON Schemas in ``schemas/``.

Each jsonschema error is mapped back to the line of its YAML or JSON key. A
key the schema does not know is a warning (new client fields must not break
the build); a known key of the wrong type is an error.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

from .errors import Problem
from .frontmatter import NodePath, Surprise
from .sources import Source

SCHEMA_DIR = Path(__file__).parent / "schemas"
KINDS = ("agent", "command", "skill", "plugin", "marketplace", "hooks", "mcp")

_MISPLACED = {
    key: "this field belongs in the plugin's entry in marketplace.json"
    for key in ("category", "strict", "source", "tags", "id")
}
_TYPE_NAMES = {
    "string": "a string",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "array": "a list",
    "object": "a mapping",
}


@functools.cache
def _registry() -> Registry:
    resources = []
    for kind in KINDS:
        contents = json.loads((SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@functools.cache
def validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = _registry().contents(f"https://pact.invalid/schemas/{kind}.json")
    return jsonschema.Draft202012Validator(schema, registry=_registry())


def expected_types(kind: str, key: str) -> set[str]:
    """The JSON types the schema allows for top-level ``key`` (empty when unknown)."""
    root = validator(kind).schema
    prop = root.get("properties", {}).get(key) if isinstance(root, dict) else None
    if not isinstance(prop, dict):
        return set()
    if "$ref" in prop:
        resolver = _registry().resolver(base_uri=f"https://pact.invalid/schemas/{kind}.json")
        prop = resolver.lookup(prop["$ref"]).contents
    options = prop.get("anyOf", [prop])
    return {t for option in options for t in _as_list(option.get("type"))}


def check(kind: str, source: Source, pact: bool = True) -> list[Problem]:
    """Every schema problem of ``source`` (frontmatter or JSON), surprises first.

    ``pact``: the PACT sources. In another plugin a YAML reading the client takes as
    the author meant it (a string) is a warning.
    """
    instance = source.frontmatter
    if instance is None:
        return []
    problems, claimed = _surprise_problems(kind, source, pact)
    errors = sorted(validator(kind).iter_errors(instance), key=lambda e: list(map(str, e.path)))
    for error in errors:
        path = tuple(error.absolute_path)
        if path[:1] in claimed:
            continue
        problems += list(_problems_for(error, path, source))
    return problems


# Keys whose list the client accepts, though the schema wants a string (facts sheet,
# section 3: `argument-hint` is accepted and never reaches the model).
_LIST_ACCEPTED = frozenset({"argument-hint"})


def _surprise_problems(
    kind: str, source: Source, pact: bool = True
) -> tuple[list[Problem], set[NodePath]]:
    """YAML 1.1 readings the client (a YAML 1.2 reader) would not share."""
    problems: list[Problem] = []
    claimed: set[NodePath] = set()
    for surprise in source.surprises:
        types = expected_types(kind, surprise.path[0]) if len(surprise.path) == 1 else set()
        problem = _surprise(surprise, types, source.rel)
        if problem is not None:
            if not pact and _client_reads_text(surprise, types):
                message = problem.message
                if surprise.kind == "date":
                    message = f"`{_dotted(surprise.path)}: {surprise.text}` is read as a date "
                    message += "by YAML 1.1 and as text by the client"
                problem = problem._replace(severity="warning", message=message)
            problems.append(problem)
            claimed.add(surprise.path[:1])
    if source.rel.endswith(".json"):  # JSON says what it means: the schema reports a list
        return problems, claimed
    for key, value in (source.frontmatter or {}).items():
        types = expected_types(kind, key)
        if isinstance(value, list) and types == {"string"}:
            raw = source.raw_values.get((key,), "").strip()
            accepted = not pact and key in _LIST_ACCEPTED
            problems.append(
                Problem(
                    source.rel,
                    source.line(key),
                    "yaml-list",
                    f"`{key}` must be a string, but YAML reads {raw} as a list"
                    + ("; the client accepts it, but quoted it reads the same everywhere"
                       if accepted else ""),
                    f'quote it: {key}: "{raw}"',
                    "warning" if accepted else "error",
                )
            )
            claimed.add((key,))
    return problems, claimed


def _client_reads_text(surprise: Surprise, types: set[str]) -> bool:
    """The client's YAML 1.2 reader keeps ``no``/``on`` and dates as text, which is what a
    key that takes a string wants: the plugin works as written."""
    text_ok = "string" in types or not types
    return text_ok and ((surprise.kind == "bool" and surprise.bool_word) or surprise.kind == "date")


def _surprise(surprise: Surprise, types: set[str], rel: str) -> Problem | None:
    key = _dotted(surprise.path)
    quoted = f'quote it: {key}: "{surprise.text}"'
    if surprise.kind == "bool" and surprise.bool_word:
        hint = "write true or false" if "boolean" in types and "string" not in types else quoted
        return Problem(
            rel,
            surprise.line,
            "yaml-bool",
            f"`{key}: {surprise.text}` is read as a boolean by YAML 1.1 "
            "and as a string by the client",
            hint,
        )
    if surprise.kind == "date":
        return Problem(
            rel,
            surprise.line,
            "yaml-date",
            f"`{key}: {surprise.text}` is read as a date, not as text",
            quoted,
        )
    if "string" in types and surprise.kind in ("int", "float", "bool"):
        reading = (
            f"the number {float(surprise.text.replace('_', ''))!r}"
            if surprise.kind == "float"
            else f"a {'number' if surprise.kind == 'int' else 'boolean'}"
        )
        return Problem(
            rel,
            surprise.line,
            f"yaml-{surprise.kind}",
            f"`{key}: {surprise.text}` is read as {reading}, not as text",
            quoted,
        )
    return None


def _problems_for(
    error: jsonschema.ValidationError, path: NodePath, source: Source
) -> Iterator[Problem]:
    key = _dotted(path) or "(top level)"
    if (
        error.validator == "additionalProperties"
        and _schema(error).get("additionalProperties") is False
    ):
        for extra in _extra_keys(error):
            hint = _MISPLACED.get(
                extra, "check the spelling; the client ignores keys it does not know"
            )
            yield Problem(
                source.rel,
                source.line(*path, extra),
                "unknown-key",
                f"unknown key `{_dotted((*path, extra))}`",
                hint,
                "warning",
            )
        return
    if error.validator == "required":
        missing = str(error.message).split("'")[1]
        yield Problem(
            source.rel,
            source.line(*path),
            "missing-key",
            f"`{_dotted((*path, missing))}` is required",
            f"add `{missing}`",
        )
        return
    if "propertyNames" in error.relative_schema_path:
        # The failing key name itself (jsonschema reports it at the mapping's path).
        name = str(error.instance)
        yield Problem(
            source.rel,
            source.line(*path, name),
            "schema",
            f"`{name}` {_message(error, key)}",
            str(_schema(error).get("x-hint") or f"rename `{name}`"),
        )
        return
    yield Problem(
        source.rel, source.line(*path), "schema", f"`{key}` {_message(error, key)}",
        _hint(error, key, source.rel.endswith(".json")),
    )


def _message(error: jsonschema.ValidationError, key: str) -> str:
    custom = _schema(error).get("x-message")
    if custom:
        return str(custom)
    if error.instance is None:
        return "has no value"
    if error.validator == "type":
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in _as_list(error.validator_value))
        return f"must be {wanted}, not {_describe(error.instance)}"
    if error.validator == "enum":
        return "must be one of " + ", ".join(json.dumps(v) for v in _as_list(error.validator_value))
    wanted = _any_of_types(error)
    if wanted:
        return f"must be {wanted}, not {_describe(error.instance)}"
    return str(error.message)


def _any_of_types(error: jsonschema.ValidationError) -> str:
    """For an ``anyOf`` of plain types: the types it allows, in words (else empty)."""
    if error.validator != "anyOf" or not isinstance(error.validator_value, list):
        return ""
    types = [t for option in error.validator_value if isinstance(option, dict)
             for t in _as_list(option.get("type"))]
    names = list(dict.fromkeys(_TYPE_NAMES.get(t, t) for t in types))
    return " or ".join(names)


def _hint(error: jsonschema.ValidationError, key: str, json_file: bool) -> str:
    """The schema's ``x-hint``, else a fix read from the failed keyword."""
    custom = _schema(error).get("x-hint")
    if custom:
        return str(custom)
    value = error.validator_value
    name = key.rsplit(".", 1)[-1]
    if error.validator == "type":
        wanted = _as_list(value)
        if "string" in wanted and isinstance(error.instance, (bool, int, float)):
            text = json.dumps(error.instance)
            return f'quote it: "{name}": "{text}"' if json_file else f'quote it: {name}: "{text}"'
        if wanted == ["array"]:
            return (f'write a list: "{name}": ["…"]' if json_file
                    else f"write a list: {name}: [a, b]")
        return f"give `{key}` {' or '.join(_TYPE_NAMES.get(t, t) for t in wanted)}"
    if error.validator in ("enum", "const"):
        return "use one of the values the message lists" if error.validator == "enum" \
            else f"use {json.dumps(value)}"
    if error.validator == "minLength":
        return f"give `{key}` a value, or remove the key"
    if error.validator == "maxLength":
        return f"shorten `{key}` to at most {value} characters"
    if error.validator == "minimum":
        return f"use a number of at least {value}"
    if _any_of_types(error):
        return f"give `{key}` {_any_of_types(error)}"
    return f"change `{key}` to a form the message names"


def _extra_keys(error: jsonschema.ValidationError) -> list[str]:
    known = set(_schema(error).get("properties", {}))
    instance = error.instance if isinstance(error.instance, dict) else {}
    return sorted(k for k in instance if k not in known)


def _schema(error: jsonschema.ValidationError) -> dict[str, Any]:
    """The (sub)schema that failed, as a dict (a boolean schema has no keywords)."""
    return dict(error.schema) if isinstance(error.schema, dict) else {}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return json.dumps(value, default=str)


def _dotted(path: NodePath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
