"""A small reader of Bash command lines: simple commands, pipes, redirections, heredocs.

Not a shell: enough structure for the guard (which command runs which SQL,
what is written where) and for enforcement (is this command read-only?).
Quoting follows bash: single quotes keep everything, double quotes let a
backslash escape ``$``, a backtick, ``"``, ``\\`` and a newline, and a backslash
outside quotes escapes the next character. A token made only of punctuation
is taken as an operator even when it was quoted (``echo ";"``), which errs
towards splitting, never towards hiding a command.

The reader is one regular expression over the text, so its time grows in
step with the command's length (``shlex`` grows with the square of a long
token's, and a megabyte of quoted SQL would outlast the hook's timeout).
"""

from __future__ import annotations

import re
from functools import partial

_HEREDOC = re.compile(r"(?<!<)<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([^\s;&|<>()]+))")
_PLACEHOLDER = "__pact_heredoc_%d__"
_PUNCTUATION = ";&|<>()\n"


class Command:
    """One simple command: its words, redirections and what it reads on stdin."""

    __slots__ = ("words", "redirects", "stdin", "piped_from")

    def __init__(self) -> None:
        self.words: list[str] = []
        self.redirects: list[tuple[str, str]] = []  # (operator, target)
        self.stdin = ""  # heredoc body or here-string
        self.piped_from: Command | None = None

    def __repr__(self) -> str:
        return f"Command({self.words!r}, redirects={self.redirects!r})"


class Script:
    """A parsed command line: its simple commands in order."""

    __slots__ = ("commands", "substitution", "grouping")

    def __init__(self, commands: list[Command], substitution: bool, grouping: bool) -> None:
        self.commands = commands
        self.substitution = substitution  # $( ), backticks, <( ), >( )
        self.grouping = grouping  # ( ) subshells or { } groups


def writes_file(operator: str, target: str) -> bool:
    """True when a redirection writes a file.

    ``>&WORD``, ``&>WORD`` and ``&>>WORD`` write the file WORD unless WORD is a
    descriptor (all digits, optionally moved with a trailing ``-``) or ``-``
    (close); bash treats them that way, so ``echo x >&out.txt`` is a write.
    """
    if ">" not in operator or not target or target == "/dev/null":
        return False
    if operator.endswith("&"):
        return not (target == "-" or target.rstrip("-").isdigit())
    return True


def parse(text: str) -> Script:
    """Split ``text`` into simple commands; raises ValueError on unbalanced quotes."""
    flat, bodies = _cut_heredocs(text.replace("\\\n", ""))
    if "$'" in flat or '$"' in flat:
        flat = _decode_ansi_c(flat)
    tokens = tokenize(flat)
    substitution = any(mark in text for mark in ("$(", "`", "<(", ">("))
    grouping = any(t in ("(", ")", "{", "}") for t in tokens)
    return Script(_assemble(tokens, bodies), substitution, grouping)


_PIECE = re.compile(
    r"(?P<space>[ \t\r]+)|(?P<op>[;&|<>()\n]+)|'(?P<single>[^']*)'"
    r'|"(?P<double>[^"\\]*(?:\\[\s\S][^"\\]*)*)"|\\(?P<escaped>[\s\S])'
    r"|(?P<plain>[^ \t\r;&|<>()\n'\"\\]+)|(?P<bad>['\"\\])")
_DOUBLE_ESCAPE = re.compile(r'\\([$`"\\\n])')


def tokenize(text: str) -> list[str]:
    """Words and operator runs, quotes removed; raises ValueError on an unclosed quote."""
    tokens: list[str] = []
    word: list[str] = []
    in_word = False
    for match in _PIECE.finditer(text):
        kind = match.lastgroup
        if kind == "space" or kind == "op":
            if in_word:
                tokens.append("".join(word))
                word, in_word = [], False
            if kind == "op":
                tokens.append(match.group(0))
            continue
        if kind == "bad":
            raise ValueError(f"unclosed quotation or trailing backslash at {match.start()}")
        piece = match.group(kind or "plain")
        word.append(_DOUBLE_ESCAPE.sub(r"\1", piece) if kind == "double" else piece)
        in_word = True
    if in_word:
        tokens.append("".join(word))
    return tokens


def _assemble(tokens: list[str], bodies: list[str]) -> list[Command]:
    commands: list[Command] = []
    current = Command()
    pipe_next = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if not _is_operator(token):
            current.words.append(token)
            continue
        if "<" in token or ">" in token:
            target = tokens[i] if i < len(tokens) and not _is_operator(tokens[i]) else ""
            i += 1 if target else 0
            if current.words and current.words[-1] in ("0", "1", "2"):
                current.words.pop()  # a file descriptor, as in 2>&1
            _redirect(current, token, target, bodies)
            continue
        pipe = token.strip("\n") in ("|", "|&")
        if current.words or current.redirects:
            if pipe_next and commands:
                current.piped_from = commands[-1]
            commands.append(current)
        current = Command()
        pipe_next = pipe
    if current.words or current.redirects:
        if pipe_next and commands:
            current.piped_from = commands[-1]
        commands.append(current)
    return commands


def _redirect(command: Command, operator: str, target: str, bodies: list[str]) -> None:
    if operator == "<<<":
        command.stdin = target
    elif operator in ("<<", "<<-") and target.startswith("__pact_heredoc_"):
        index = int(target[len("__pact_heredoc_"):-2])
        command.stdin = bodies[index] if index < len(bodies) else ""
    command.redirects.append((operator, target))


def _is_operator(token: str) -> bool:
    return bool(token) and all(c in _PUNCTUATION for c in token)


def _mark(match: re.Match[str], pending: list[tuple[bool, str]], done: int) -> str:
    delimiter = next(g for g in match.groups()[1:] if g is not None)
    pending.append((match.group(1) == "-", delimiter))
    return "<< " + _PLACEHOLDER % (done + len(pending) - 1) + " "


def _cut_heredocs(text: str) -> tuple[str, list[str]]:
    """Replace each heredoc by a placeholder word and return the bodies in order."""
    lines = text.split("\n")
    out: list[str] = []
    bodies: list[str] = []
    i = 0
    while i < len(lines):
        pending: list[tuple[bool, str]] = []
        out.append(_HEREDOC.sub(partial(_mark, pending=pending, done=len(bodies)), lines[i]))
        i += 1
        for strip_tabs, delimiter in pending:
            body = []
            while i < len(lines):
                line = lines[i]
                i += 1
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
                body.append(line)
            bodies.append("\n".join(body))
    return "\n".join(out), bodies


_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
            "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def _decode_ansi_c(text: str) -> str:
    """Rewrite each ``$'…'`` as the plain single-quoted string bash would make of it.

    ``$"…"`` (a translatable string) becomes ``"…"``. Quotes and backslashes are
    followed so a ``$'`` inside another quoted string is left alone.
    """
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        c = text[i]
        if quote == "'":
            quote = "" if c == "'" else quote
        elif c == "\\":
            out.append(text[i:i + 2])
            i += 2
            continue
        elif quote == '"':
            quote = "" if c == '"' else quote
        elif c == "$" and text[i + 1:i + 2] == "'":
            decoded, i = _ansi_c_body(text, i + 2)
            out.append("'" + decoded.replace("'", "'\"'\"'") + "'")
            continue
        elif c == "$" and text[i + 1:i + 2] == '"':
            i += 1
            continue
        elif c in "'\"":
            quote = c
        out.append(c)
        i += 1
    return "".join(out)


def _ansi_c_body(text: str, i: int) -> tuple[str, int]:
    """Decode from ``i`` up to the closing quote; returns the text and the index after it."""
    out: list[str] = []
    while i < len(text) and text[i] != "'":
        if text[i] != "\\" or i + 1 >= len(text):
            out.append(text[i])
            i += 1
            continue
        char, i = _ansi_c_escape(text, i + 1)
        out.append(char)
    if i >= len(text):
        raise ValueError("unterminated $'…' string")
    return "".join(out), i + 1


def _ansi_c_escape(text: str, i: int) -> tuple[str, int]:
    c = text[i]
    if c in _ESCAPES:
        return _ESCAPES[c], i + 1
    for lead, width, base in (("x", 2, 16), ("u", 4, 16), ("U", 8, 16)):
        if c == lead:
            digits = _take(text, i + 1, width, "0123456789abcdefABCDEF")
            return (chr(int(digits, base)) if digits else "\\" + c), i + 1 + len(digits)
    if c in "01234567":
        digits = _take(text, i, 3, "01234567")
        return chr(int(digits, 8) & 0xFF), i + len(digits)
    if c == "c" and i + 1 < len(text):
        return chr(ord(text[i + 1]) & 0x1F), i + 2
    return "\\" + c, i + 1


def _take(text: str, i: int, width: int, allowed: str) -> str:
    end = i
    while end < len(text) and end - i < width and text[end] in allowed:
        end += 1
    return text[i:end]
