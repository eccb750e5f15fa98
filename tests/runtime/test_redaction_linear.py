"""The secret patterns cost time in proportion to the text, whatever the text holds.

Python's ``re`` backtracks, so a pattern whose unbounded repetition can be retried
from every start position costs time in the square of the text (``"a://:x" * 17000``
once took longer than the hook's 30 s timeout). Two checks keep that from coming
back: one on the patterns' structure, one that runs the inputs which were slow at
1 MB and asserts what they hold. Their timings are in ``bench/bench_guard.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pact_runtime import redaction

try:  # Python 3.11 moved the parser
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.9 and 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(redaction.__file__)))
REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)
UNBOUNDED = sre_constants.MAXREPEAT
# The most passes a repetition inside another repetition may make, all nesting counted.
NESTED_BUDGET = 4096

# Every pattern that finditer runs over the whole text.
TEXT_PATTERNS = {
    **{f"{kind} {i}": p for i, (kind, _t, p, _g) in enumerate(redaction._PATTERNS)},
    **{f"cli {i}": p for i, (_t, _o, p) in enumerate(redaction._CLI_PATTERNS)},
    "url-password": redaction._URL_PASSWORD,
    "bearer": redaction._BEARER,
    "basic-auth": redaction._AUTH_BASIC,
    "base64-key": redaction._BASE64_KEY,
    "assignment": redaction._ASSIGNMENT,
    **{f"named value {i}": p for i, (_t, p, _g) in enumerate(redaction._NAMED_VALUE_PATTERNS)},
    "pgpass": redaction._PGPASS,
    "netrc": redaction._NETRC,
}


def _never_fails(item) -> bool:
    """Whether ``item`` always matches (a repetition that may run zero times)."""
    op, av = item
    return op in REPEATS and av[0] == 0


def _problems(seq, tail: bool, passes: int) -> list[str]:
    """Unbounded repetitions that a failure after them can make the engine retry,
    and nested repetitions whose passes multiply past ``NESTED_BUDGET``."""
    found = []
    items = list(seq)
    for i, (op, av) in enumerate(items):
        at_tail = tail and all(_never_fails(x) for x in items[i + 1:])
        if op in REPEATS:
            low, high, body = av
            if high == UNBOUNDED and not at_tail:
                found.append(f"unbounded {sre_parse.SubPattern(body.state, body.data)!r} "
                             "with more to match after it")
            inner = passes * (high if high != UNBOUNDED else 1)
            if any(o in REPEATS for o, _ in _flatten(body)) and inner > NESTED_BUDGET:
                found.append(f"nested repetitions of {inner} passes")
            found += _problems(body, False, inner)
        elif op is sre_constants.SUBPATTERN:
            found += _problems(av[-1], at_tail, passes)
        elif op is sre_constants.BRANCH:
            for branch in av[1]:
                found += _problems(branch, at_tail, passes)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            found += _problems(av[1], False, passes)  # runs at every start position
    return found


def _flatten(seq):
    for op, av in seq:
        yield op, av
        if op in REPEATS:
            yield from _flatten(av[2])
        elif op is sre_constants.SUBPATTERN:
            yield from _flatten(av[-1])
        elif op is sre_constants.BRANCH:
            for branch in av[1]:
                yield from _flatten(branch)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            yield from _flatten(av[1])


@pytest.mark.parametrize("name", sorted(TEXT_PATTERNS))
def test_every_start_position_costs_a_bounded_amount(name):
    # An unbounded repetition is allowed only last (what follows can match nothing), where
    # reaching it means the match succeeds: its scan is paid for by the text it consumes,
    # and finditer goes on after it.
    assert _problems(sre_parse.parse(TEXT_PATTERNS[name]), True, 1) == []


def test_the_structure_check_sees_the_old_quadratic_patterns():
    old_url = r"(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@?#]*:([^\s?#/]+(?:/[^\s@?#/]*)*)@"
    old_name = r"(?i)(?<![\w.-])([\w.-]*?(?:pass|token)[\w.-]*)[ \t]*="

    assert len(_problems(sre_parse.parse(old_url), True, 1)) == 4
    assert len(_problems(sre_parse.parse(old_name), True, 1)) == 3


# The inputs that were slow, at about 1 MB each, built in the child process from these
# expressions, with what find_secrets(text, placeholders=False) must return for each.
LARGE = {
    "url colons": ('"a://:x" * 170_000', []),
    "url colons, one @": ('"a://:x" * 170_000 + "@"', ["url-password"]),
    "one-line JSON of URLs": (
        '"[" + ",".join(\'{"id":%d,"url":"http://localhost:8080/api/v1/items/%d"}\' % (i, i) '
        'for i in range(19_000)) + "]"', []),
    "one long name": ('"password" * 125_000 + "="', []),
    "names and colons": ('"a_password :" * 83_000', []),
    "program names": ('"mysql " * 166_000 + "-p"', []),
    "curl words": ('"curl " * 200_000 + " -u a:b"', []),
    "separators after a trigger": ('"secret " + "x= " * 333_000', []),
    "token words": ('"token " * 166_000', []),
    "key footers": ('"-----BEGIN RSA PRIVATE KEY-----\\nMIIEow" + "-----END RSA " * 76_000',
                    ["private-key"]),
    "a dotted value": ('"password=" + "a.b" * 333_000', []),
    "colon fields": ('"h:1:" * 250_000', []),
    "colon lines": (r'"h:1:d:u:\\:\n" * 111_000', []),
    "netrc words": ('"machine m login l " * 55_000', []),
    "escapes in a field": (r'"h:1:d:u:" + "\\" * 1_000_000', []),
    "base64 key headers": ('"LS0tLS1CRUdJTi" * 70_000', []),
    "bot ids": ('"bot1234567890:AA" * 62_000', []),
    "webhook prefixes": ('"https://discord.com/api/webhooks/1187364920175632458/" * 19_000', []),
    "names opening strings": ('\'"token: a \' * 100_000', []),
    "a path of many parts": ('"password=./" + "a/" * 500_000', ["assignment"]),
    "a long reference": ('"token: arn:aws:x:y:1:" + "a" * 1_000_000', []),
    "a long file name": ('"credentials: " + "a-" * 500_000 + ".json"', ["assignment"]),
    "fallback calls": ("'getenv(\"password\", ' * 55_000", []),
    "fallback operators": ('"env.password || " * 62_000', []),
    "references without defaults": ('"${password:" * 90_000', []),
    "subscripts without values": ('\'x["password"] \' * 70_000', []),
    "names without values": ('"- name: password\\n" * 55_000 + "value: Tr0ub4dor&3x!"',
                             ["assignment"]),
    "JSON of URLs, then a secret": (
        '"[" + ",".join(\'{"id":%d,"url":"http://localhost:8080/api/v1/items/%d"}\' % (i, i) '
        'for i in range(19_000)) + "]\\npassword = \\"Tr0ub4dor&3\\"\\n"', ["assignment"]),
}
CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from pact_runtime.redaction import find_secrets
print(json.dumps({name: [kind for kind, _s, _e in find_secrets(eval(expr), placeholders=False)]
                  for name, expr in json.loads(sys.argv[2]).items()}))
"""


def test_inputs_that_were_quadratic_are_read_correctly_at_one_megabyte():
    # A guard against regressions, not a timing: each input once took minutes at this size
    # (30 s at 100 KB); now all of them together take a few seconds. The 60 s timeout
    # only stops a run that has gone back to quadratic time.
    exprs = {name: expr for name, (expr, _kinds) in LARGE.items()}
    proc = subprocess.run([sys.executable, "-S", "-c", CHILD, SCRIPTS, json.dumps(exprs)],
                          capture_output=True, text=True, timeout=60)

    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {name: kinds for name, (_e, kinds) in LARGE.items()}
