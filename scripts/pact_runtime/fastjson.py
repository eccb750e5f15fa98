"""JSON through CPython's C accelerator ``_json``, without importing ``json``.

The json package imports ``re`` (with enum and functools): about 6 ms, half a
bare interpreter start, paid on every hook event and command. The scanner and
string encoder that do json's real work live in ``_json``, which loads in well
under a millisecond; this module calls them with json's default settings. The
json module itself is imported only to word an error (with line and column)
for invalid input, or where ``_json`` is missing.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class DuplicateKey(ValueError):
    """An object names the same key twice (raised only with ``unique_keys``)."""


# Longest integer read, in digits: the limit CPython 3.11+ puts on int(str), kept on
# every version (older ones take time that grows with the square of the length).
MAX_DIGITS = 4300


class NumberTooLong(ValueError):
    """An integer has more than ``MAX_DIGITS`` digits; ``lineno``, ``colno`` and ``pos``
    say where it starts, as json's own errors do."""

    def __init__(self, text: str, digits: int) -> None:
        self.pos = _long_number_at(text)
        self.lineno = text.count("\n", 0, self.pos) + 1
        self.colno = self.pos - text.rfind("\n", 0, self.pos)
        self.msg = f"a number with {digits:,} digits (at most {MAX_DIGITS:,} are read)"
        super().__init__(f"{self.msg}: line {self.lineno} column {self.colno}")


def _int(digits: str) -> int:
    if len(digits) - digits.startswith("-") > MAX_DIGITS:
        raise _TooLong(len(digits.lstrip("-")))
    return int(digits)


def _int_or_text(digits: str) -> int | str:
    return digits if len(digits) - digits.startswith("-") > MAX_DIGITS else int(digits)


class _TooLong(Exception):
    # Not a ValueError: the scanner must not mistake it for a syntax error.
    def __init__(self, digits: int) -> None:
        self.digits = digits


def _long_number_at(text: str) -> int:
    run = start = 0
    for index, char in enumerate(text):
        if "0" <= char <= "9":
            if run == 0:
                start = index
            run += 1
            if run > MAX_DIGITS:
                return start - (start > 0 and text[start - 1] == "-")
        else:
            run = 0
    return 0


class _Context:
    """The settings json.loads passes to the scanner by default."""

    strict = True
    object_hook = None
    parse_float = float
    parse_int = staticmethod(_int)

    def __init__(self, unique_keys: bool, long_numbers: bool = False) -> None:
        self.object_pairs_hook = _unique if unique_keys else None
        if long_numbers:
            self.parse_int = _int_or_text  # type: ignore[assignment]

    @staticmethod
    def parse_constant(name: str) -> float:
        return float(name.replace("Infinity", "inf"))


def loads(text: str, unique_keys: bool = False, long_numbers: bool = False) -> Any:
    """Parse JSON like ``json.loads``; invalid input raises json's ValueError with its position.

    ``unique_keys`` refuses an object that repeats a key (``DuplicateKey``)
    instead of keeping the last value, as json does. An integer longer than
    ``MAX_DIGITS`` raises ``NumberTooLong``, or with ``long_numbers`` is kept as
    its digits (a string), so the rest of the text is still read.
    """
    try:
        from _json import make_scanner
    except ImportError:  # pragma: no cover (CPython always has _json)
        pass
    else:
        start = len(text) - len(text.lstrip(" \t\n\r"))
        try:
            # typeshed types the context as json's decoder class; any object with its fields works.
            scan = make_scanner(_Context(unique_keys, long_numbers))  # type: ignore[arg-type]
            value, end = scan(text, start)
        except DuplicateKey:
            raise
        except _TooLong as exc:
            raise NumberTooLong(text, exc.digits) from None
        except (StopIteration, ValueError, RecursionError, SystemError):
            # Let json word the error below (some CPython builds' scanner fails on
            # truncated input with a SystemError instead of a position).
            pass
        else:
            if not text[end:].strip(" \t\n\r"):
                return value
    import json

    try:
        return json.loads(text, object_pairs_hook=_unique if unique_keys else None,
                          parse_int=_int_or_text if long_numbers else _int)
    except _TooLong as exc:
        raise NumberTooLong(text, exc.digits) from None


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(f"duplicate key {key!r}")
            seen.add(key)
    return obj


def dumps(value: Any, compact: bool = False, sort_keys: bool = False) -> str:
    """JSON text with non-ASCII kept as is, like ``json.dumps(value, ensure_ascii=False)``.

    ``compact`` uses the separators ``,`` and ``:`` instead of ``, `` and ``: ``.
    """
    try:
        from _json import encode_basestring as quote
    except ImportError:  # pragma: no cover (CPython always has _json)
        import json

        separators = (",", ":") if compact else (", ", ": ")
        return json.dumps(value, ensure_ascii=False, separators=separators, sort_keys=sort_keys)
    comma, colon = (",", ":") if compact else (", ", ": ")

    def encode(item: Any) -> str:
        if isinstance(item, str):
            return str(quote(item))
        if item is None or isinstance(item, bool):
            return {None: "null", True: "true", False: "false"}[item]
        if isinstance(item, int) or (isinstance(item, float) and item - item == 0):
            return repr(item)
        if isinstance(item, (list, tuple)):
            return "[" + comma.join(encode(v) for v in item) + "]"
        if isinstance(item, dict):
            pairs = sorted(item.items()) if sort_keys else item.items()
            return "{" + comma.join(encode(str(k)) + colon + encode(v) for k, v in pairs) + "}"
        raise ValueError(f"cannot write {type(item).__name__} {item!r} as JSON")

    return encode(value)
