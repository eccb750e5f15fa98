"""fastjson reads and writes what the json module does, without importing it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pact_runtime import fastjson

from .test_memory_cli import MEMORY, SCRIPTS


@pytest.mark.parametrize("text", [
    '{"a": [1, 2.5, true, false, null, "x\\n\\u00e9\\"q"], "b": {"c": []}, "d": {}}',
    "[]", '"s"', "3", "-0.5", "1e3", '{"k": "数据", "a": {"b": [[1], [2, {"z": null}]]}}',
    json.dumps(MEMORY),
])
def test_loads_matches_json(text):
    assert fastjson.loads(text) == json.loads(text)


@pytest.mark.parametrize(("text", "line", "column"), [
    ('{"a": 1,}', 1, 9), ('{"a":\n [}', 2, 3), ("{'a': 1}", 1, 2), ("nope", 1, 1),
])
def test_invalid_json_raises_with_its_position(text, line, column):
    with pytest.raises(ValueError) as err:
        fastjson.loads(text)

    assert (err.value.lineno, err.value.colno) == (line, column)


@pytest.mark.parametrize("value", [
    {"goal": 'a"b\\c\n\t\x01é数据\u2028', "n": None, "t": True, "i": 3, "f": 1.5},
    [{"decision": "q", "alternatives": []}, [], {}], "", 0,
])
def test_dumps_matches_compact_json(value):
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    assert fastjson.dumps(value, compact=True, sort_keys=True) == expected
    assert fastjson.dumps(value) == json.dumps(value, ensure_ascii=False)
    assert json.loads(fastjson.dumps(value)) == value


def test_save_loads_neither_json_nor_re(tmp_path):
    code = ("import io, sys; sys.stdin = io.StringIO(sys.argv[1]); "
            "from pact_runtime.memory.cli import main; "
            "code = main(['save'], dict(PACT_HOME=sys.argv[2], PACT_PROJECT=sys.argv[2])); "
            "print(code, sorted(m for m in ('json', 're', 'argparse') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-S", "-c", code, json.dumps(MEMORY),
                           str(tmp_path)], cwd=SCRIPTS, capture_output=True, text=True,
                          check=True)

    assert proc.stdout.strip().splitlines()[-1] == "0 []"


def test_long_numbers_keeps_an_integer_too_long_to_read_as_its_digits() -> None:
    from pact_runtime.fastjson import MAX_DIGITS, NumberTooLong, loads

    long = "7" * (MAX_DIGITS + 1)
    text = f'{{"a": {long}, "b": -{long}, "c": 12}}'
    with pytest.raises(NumberTooLong):
        loads(text)
    assert loads(text, long_numbers=True) == {"a": long, "b": "-" + long, "c": 12}
