"""PreToolUse approval of PACT's own commands, so they run without a permission prompt.

Event: PreToolUse for Bash (``tool_input.command``).
Output: ``Outcome(allow=…)`` when the whole command only runs ``pact-memory``
or ``pact-signal`` (the plugin's ``bin/`` commands), possibly several joined
by ``&&``, ``||`` or ``;``, each optionally fed by one quoted heredoc
(``<<'JSON'``), a here-string, or a pipe from ``printf``/``echo``. Specialists
save memories and raise signals as part of every task; without this the
client would ask the user each time (a heredoc holding braces and quotes is
asked about even when a rule allows the command).

The grammar is deliberately narrow and read here on its own, so no reading
of shell syntax elsewhere can widen it: words are plain characters
(letters, digits, ``_ . / : = , @ % + -``), single-quoted text, or
double-quoted text without ``$``, a backtick or a backslash; outside quotes
there is no ``$``, backtick, backslash, glob, brace, tilde, comment,
parenthesis or control character; the only redirections are the one quoted
heredoc, here-strings, ``>/dev/null`` and ``>&1``/``>&2``; one line, apart
from the heredoc's body and its closing line, which must end the command.
The shared command reader must then see exactly the same commands and words.
``pact-memory forget`` is never approved: it cannot be undone.

Anything else gets no answer, so the client's own permission rules apply. A
deny from the guard or from HALT enforcement always wins over this approval
(the dispatcher merges them). Fails closed for the approval: on any doubt, or
on its own error, it approves nothing and the client asks as it always would;
it never denies a call, so its failure cannot block work.
"""

from __future__ import annotations

from .hook import Event, Outcome
from .registry import COMMANDS

REASON = "PACT's own command (pact-memory or pact-signal)"
_FEEDERS = frozenset({"printf", "echo"})
# Subcommands approved: each reads, or adds what can be taken back. `forget` deletes a
# memory for good, so the client's permission rules decide it.
SUBCOMMANDS: dict[str, frozenset[str]] = {
    "pact-memory": frozenset({"save", "search", "list", "show", "pin", "unpin", "stats",
                              "export", "import", "help", "-h", "--help"}),
    "pact-signal": frozenset({"emit", "list", "show", "ack", "-h", "--help"}),
}
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=,@%+-")
_SEPARATORS = ("&&", "||", ";", "|")
# Patterns, compiled on first use: most Bash calls never reach them (re costs milliseconds).
_DELIMITER = r"[ \t]*(?:'([A-Za-z_][A-Za-z0-9_]*)'|\"([A-Za-z_][A-Za-z0-9_]*)\")"
_HARMLESS = r"(?:>>?[ \t]*/dev/null|>&[12])(?=[ \t\n;&|]|$)"
_WORD, _OP, _HEREDOC, _HERESTRING, _REDIRECT = "word", "op", "heredoc", "herestring", "redirect"


def on_pre_tool_use(event: Event) -> Outcome | None:
    """Approve a Bash call that only runs PACT's commands; say nothing otherwise.

    Fails closed for the approval: on any doubt or on its own error it approves
    nothing and the client's own permission rules decide; it never denies a call.
    """
    command = event.tool_input.get("command")
    if not isinstance(command, str) or not any(name in command for name in COMMANDS):
        return None
    return Outcome(allow=REASON) if is_own_command(command) else None


def is_own_command(command: str) -> bool:
    """True when ``command`` is in the narrow grammar above and runs a PACT command."""
    read = _read(command)
    if read is None:
        return False
    tokens, body = read
    commands = _commands(tokens)
    if not commands:
        return False
    return _reader_agrees(command, commands, body)


def _read(text: str) -> tuple[list[tuple[str, str]], str | None] | None:
    """The tokens of ``text`` and the heredoc body, or None outside the grammar."""
    import re

    harmless_at, delimiter_at = re.compile(_HARMLESS).match, re.compile(_DELIMITER).match
    if any(ord(c) < 32 and c not in "\n\t" or c == "\x7f" for c in text):
        return None  # NUL, CR, escape and the other control characters
    tokens: list[tuple[str, str]] = []
    word: list[str] | None = None
    delimiter: str | None = None
    i = 0
    while i < len(text):
        c = text[i]
        if c in _PLAIN:
            if word is None and c == "=":
                return None  # zsh expands a word that starts with `=`
            word = [*(word or []), c]
            i += 1
            continue
        if c in "'\"":
            end = text.find(c, i + 1)
            if end < 0 or (c == '"' and any(ch in text[i + 1:end] for ch in "$`\\")):
                return None
            word = [*(word or []), text[i + 1:end]]
            i = end + 1
            continue
        harmless = harmless_at(text, i)
        if word is not None and not (harmless and "".join(word) in ("1", "2")):
            tokens.append((_WORD, "".join(word)))
        word = None  # a glued 1 or 2 before `>&2` is the descriptor, not a word
        if c in " \t":
            i += 1
        elif c == "\n":
            if delimiter is None:
                return (tokens, None) if i == len(text) - 1 else None
            body = _body(text, i + 1, delimiter)
            return None if body is None else (tokens, body)
        elif harmless:
            tokens.append((_REDIRECT, harmless.group(0)))
            i = harmless.end()
        elif text.startswith("<<<", i):
            tokens.append((_HERESTRING, "<<<"))
            i += 3
        elif text.startswith("<<", i):
            match = delimiter_at(text, i + 2)
            if match is None or delimiter is not None:
                return None  # unquoted (its body would expand), `<<-`, or a second one
            delimiter = match.group(1) or match.group(2)
            tokens.append((_HEREDOC, delimiter))
            i = match.end()
        else:
            op = next((s for s in _SEPARATORS if text.startswith(s, i)), None)
            if op is None or text.startswith(("|&", ";;", "&|"), i):
                return None
            tokens.append((_OP, op))
            i += len(op)
    if word is not None:
        tokens.append((_WORD, "".join(word)))
    return None if delimiter is not None else (tokens, None)


def _body(text: str, start: int, delimiter: str) -> str | None:
    """The heredoc body from ``start`` up to its closing line, which must end ``text``."""
    lines = text[start:].split("\n")
    if delimiter not in lines:
        return None
    end = lines.index(delimiter)
    if any(line for line in lines[end + 1:]):
        return None  # more after the closing line: outside the grammar
    return "\n".join(lines[:end])


def _commands(tokens: list[tuple[str, str]]) -> list[list[str]] | None:
    """The words of each simple command, checked against the grammar; None outside it."""
    commands: list[list[str]] = []
    segment: list[list[tuple[str, str]]] = [[]]
    for token in [*tokens, (_OP, ";")]:
        if token[0] != _OP:
            segment[-1].append(token)
        elif token[1] == "|":
            segment.append([])
        else:
            if len(segment) > 2 or not all(segment):
                return None
            for k, part in enumerate(segment):
                words = _words(part, own=k == len(segment) - 1)
                if words is None:
                    return None
                commands.append(words)
            segment = [[]]
    return commands


def _words(part: list[tuple[str, str]], own: bool) -> list[str] | None:
    """The words of one simple command: a PACT command, or (not ``own``) a feeder."""
    words: list[str] = []
    k = 0
    while k < len(part):
        kind, value = part[k]
        k += 1
        if kind == _WORD:
            words.append(value)
        elif kind in (_HEREDOC, _HERESTRING) and not own:
            return None
        elif kind == _HERESTRING:
            if k >= len(part) or part[k][0] != _WORD:
                return None
            k += 1  # the here-string's word is stdin, not an argument
    if not words:
        return None
    if own:
        allowed = SUBCOMMANDS.get(words[0])
        return words if allowed is not None and words[1:2] and words[1] in allowed else None
    return words if words[0] in _FEEDERS else None


def _reader_agrees(command: str, commands: list[list[str]], body: str | None) -> bool:
    """True when the shared command reader sees the same commands, words and heredoc."""
    from .signals import shell

    script = shell.parse(command)
    if script.unsure or script.substitution or script.grouping:
        return False
    if [cmd.words for cmd in script.commands] != commands:
        return False
    bodies = [cmd.stdin for cmd in script.commands if any(op in ("<<", "<<-")
                                                           for op, _ in cmd.redirects)]
    return bodies == ([] if body is None else [body])
