"""A small reader of Bash command lines: simple commands, pipes, redirections, heredocs.

Not a shell: enough structure for the guard (which command runs which SQL,
what is written where) and for enforcement (is this command read-only?).
Quoting follows ``shlex`` in POSIX mode. A token made only of punctuation is
taken as an operator even when it was quoted (``echo ";"``), which errs
towards splitting, never towards hiding a command.
"""

from __future__ import annotations

import re
import shlex
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


def parse(text: str) -> Script:
    """Split ``text`` into simple commands; raises ValueError on unbalanced quotes."""
    flat, bodies = _cut_heredocs(text.replace("\\\n", ""))
    lexer = shlex.shlex(flat, posix=True, punctuation_chars=_PUNCTUATION)
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = ""
    tokens = list(lexer)
    substitution = any(mark in text for mark in ("$(", "`", "<(", ">("))
    grouping = any(t in ("(", ")", "{", "}") for t in tokens)
    return Script(_assemble(tokens, bodies), substitution, grouping)


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
