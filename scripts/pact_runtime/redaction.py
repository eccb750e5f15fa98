"""Secret patterns: find credentials in free text and mask them.

One source for every part of the runtime that must not store or write a
secret: the memory store redacts before saving, the SQL/secret guard raises a
HALT when a file being written holds one. ``find_secrets`` returns
``(kind, start, end)`` spans, sorted and non-overlapping; ``redact`` replaces
each span with ``[REDACTED:<kind>]``.

Where a secret sits inside a larger form (a password in a URL, the value of a
``password=`` assignment, the token after ``Bearer``), only the secret part is
reported, so the surrounding text stays readable.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Iterator

# (kind, triggers, pattern, group): the pattern runs only when the text holds one of
# the triggers (compared in lower case), so ordinary text costs a few substring
# checks and no regular expression is compiled until a trigger appears.
# Group 0 is the whole match, otherwise the secret part.
_PATTERNS: tuple[tuple[str, tuple[str, ...], str, int], ...] = (
    ("private-key", ("private key",),
     r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
     r"(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[\s\S]*)", 0),
    ("aws-access-key", ("akia", "asia", "abia", "acca", "aida", "aroa"),
     r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[A-Z0-9]{16}(?![A-Z0-9])", 0),
    ("aws-secret-key", ("aws",),
     r"(?i)aws[\w.-]{0,24}secret[\w.-]{0,24}[\"']?\s*[:=]\s*[\"']?"
     r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])", 1),
    ("github-token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
     r"(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})", 0),
    ("gitlab-token", ("glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-"),
     r"(?<![\w-])gl(?:pat|dt|rt|ptt|cbt|oas)-[A-Za-z0-9_-]{20,}", 0),
    ("slack-token", ("xox",), r"(?<![\w-])xox[abposre]-(?:[0-9]+-)*[A-Za-z0-9-]{10,}", 0),
    ("slack-webhook", ("hooks.slack.com",),
     r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,}", 0),
    ("stripe-key", ("_live_", "_test_"),
     r"(?<![\w-])(?:sk|rk|whsec)_(?:live|test)_[A-Za-z0-9]{16,}", 0),
    ("anthropic-key", ("sk-ant-",), r"(?<![\w-])sk-ant-[A-Za-z0-9_-]{20,}", 0),
    ("openai-key", ("sk-",),
     r"(?<![\w-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?"
     r"(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,}", 0),
    ("google-api-key", ("aiza",), r"(?<![\w-])AIza[0-9A-Za-z_-]{35}", 0),
    ("jwt", ("eyj",),
     r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}", 0),
    ("url-password", ("://",), r"(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@?#]*:([^\s@/?#]+)@", 1),
)
_BEARER_TRIGGERS = ("bearer", "token")
_BEARER = r"(?i)\b(?:bearer|token)\s+([A-Za-z0-9._~+/-]{20,}=*)"
_AUTH_BASIC = r"(?i)\bauthorization\s*[:=]\s*[\"']?basic\s+([A-Za-z0-9+/]{12,}=*)"

# `name = value` / `name: value` where the name says it holds a secret.
_ASSIGNMENT_TRIGGERS = ("pass", "pwd", "secret", "token", "key", "credential")
_ASSIGNMENT = (
    r"(?i)(?<![\w.-])([\w.-]*?(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key"
    r"|access[_-]?key|private[_-]?key|credentials?)[\w.-]*)"
    r"[\"']?[ \t]*(?::=|=>|[:=])[ \t]*"
    r"(?:\"([^\"\n]{1,200})\"|'([^'\n]{1,200})'|([^\s\"'`,;)\]}]+))"
)
# Names that hold facts about a secret, not the secret itself.
_NAME_EXCEPTIONS = (
    r"(?i)(?:name|names|path|file|dir|id|ids|count|type|len|length|limit|size|url|uri|ttl"
    r"|expiry|expires|expires_in|expiration|header|field|env|var|policy|manager|store"
    r"|rotation|hash|_hashed|hint|prompt|label|usage|max|min|kind|format|endpoint)$"
)
_PLACEHOLDER_VALUES = frozenset({
    "none", "null", "nil", "undefined", "true", "false", "str", "string", "int", "number",
    "bool", "boolean", "bytes", "any", "optional", "secretstr", "required", "redacted",
    "your_password", "example", "xxx", "xxxx", "****", "...", "<redacted>",
})
def find_secrets(text: str) -> list[tuple[str, int, int]]:
    """Every secret span in ``text`` as ``(kind, start, end)``, sorted, non-overlapping."""
    if not text:
        return []
    lower = text.lower()
    spans = (list(_token_spans(text, lower)) + list(_bearer_spans(text, lower))
             + list(_assignment_spans(text, lower)))
    return _merge(spans)


def redact(text: str) -> str:
    """``text`` with every secret replaced by ``[REDACTED:<kind>]``."""
    spans = find_secrets(text)
    if not spans:
        return text
    parts = []
    last = 0
    for kind, start, end in spans:
        parts.append(text[last:start])
        parts.append(f"[REDACTED:{kind}]")
        last = end
    parts.append(text[last:])
    return "".join(parts)


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _regex(pattern: str) -> re.Pattern[str]:
    compiled = _CACHE.get(pattern)
    if compiled is None:
        import re  # only once a trigger appears: most text has none

        compiled = _CACHE[pattern] = re.compile(pattern)
    return compiled


_CACHE: dict[str, re.Pattern[str]] = {}


def _triggered(lower: str, triggers: tuple[str, ...]) -> bool:
    return any(t in lower for t in triggers)


def _token_spans(text: str, lower: str) -> Iterator[tuple[str, int, int]]:
    for kind, triggers, pattern, group in _PATTERNS:
        if _triggered(lower, triggers):
            for match in _regex(pattern).finditer(text):
                yield kind, match.start(group), match.end(group)


def _word_after(lower: str, words: tuple[str, ...], min_length: int) -> bool:
    """Whether one of ``words`` is followed by a run of at least ``min_length`` non-spaces."""
    for word in words:
        start = lower.find(word)
        while start >= 0:
            rest = lower[start + len(word):start + len(word) + 2 * min_length].split()
            if rest and len(rest[0]) >= min_length:
                return True
            start = lower.find(word, start + 1)
    return False


def _name_before_separator(lower: str) -> bool:
    """Whether a secret-sounding name stands just before some ``=`` or ``:``."""
    for separator in ("=", ":"):
        end = lower.find(separator)
        while end >= 0:
            name = lower[max(0, end - 48):end].rstrip(" \t\"':=>").split()
            if name and _triggered(name[-1], _ASSIGNMENT_TRIGGERS):
                return True
            end = lower.find(separator, end + 1)
    return False


def _bearer_spans(text: str, lower: str) -> Iterator[tuple[str, int, int]]:
    if _word_after(lower, _BEARER_TRIGGERS, 20):
        for match in _regex(_BEARER).finditer(text):
            if _looks_random(match.group(1)):
                yield "bearer-token", match.start(1), match.end(1)
    if "authorization" in lower:
        for match in _regex(_AUTH_BASIC).finditer(text):
            yield "basic-auth", match.start(1), match.end(1)


def _assignment_spans(text: str, lower: str) -> Iterator[tuple[str, int, int]]:
    if not _triggered(lower, _ASSIGNMENT_TRIGGERS) or not _name_before_separator(lower):
        return
    for match in _regex(_ASSIGNMENT).finditer(text):
        group = next(g for g in (2, 3, 4) if match.group(g) is not None)
        name, value = match.group(1), match.group(group)
        if _regex(_NAME_EXCEPTIONS).search(name.rstrip("\"'")) or not _is_secret_value(value):
            continue
        yield "assignment", match.start(group), match.end(group)


def _is_secret_value(value: str) -> bool:
    low = value.lower()
    if len(value) < 4 or low in _PLACEHOLDER_VALUES or value.isdigit():
        return False
    # References to where the secret lives, not the secret: $VAR, ${VAR}, <...>, {{...}}, %s.
    if value[0] in "$<{%[(*" or "(" in value or value.startswith(("os.", "process.env", "env.")):
        return False
    return not value.startswith("[REDACTED")


def _looks_random(value: str) -> bool:
    classes = (any(c.islower() for c in value) + any(c.isupper() for c in value)
               + any(c.isdigit() for c in value))
    return classes >= 2 and entropy(value) >= 3.5


def _merge(spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Keep the earliest, then longest, span where spans overlap."""
    result: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(spans, key=lambda s: (s[1], -s[2])):
        if result and start < result[-1][2]:
            prev_kind, prev_start, prev_end = result[-1]
            result[-1] = (prev_kind, prev_start, max(prev_end, end))
            continue
        result.append((kind, start, end))
    return result
