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

_HEREDOC = re.compile(r"(?<!<)<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([^\s;&|<>()]+))")
_PLACEHOLDER = "__pact_heredoc_%d__"
SUB_MARK = "__pact_sub_%d__"  # a substitution cut out of the command line
_PUNCTUATION = ";&|<>()\n"


class Command:
    """One simple command: its words, redirections and what it reads on stdin."""

    __slots__ = ("words", "redirects", "stdin", "piped_from", "subs")

    def __init__(self, subs: list[str] | None = None) -> None:
        self.words: list[str] = []
        self.redirects: list[tuple[str, str]] = []  # (operator, target)
        self.stdin = ""  # heredoc body or here-string
        self.piped_from: Command | None = None
        self.subs = subs if subs is not None else []  # the script's substitutions

    def substitution(self, word: str) -> str | None:
        """The command text of ``word`` when it is exactly one cut substitution."""
        if word.startswith("__pact_sub_") and word.endswith("__"):
            number = word[len("__pact_sub_"):-2]
            if number.isdigit() and int(number) < len(self.subs):
                return self.subs[int(number)]
        return None

    def __repr__(self) -> str:
        return f"Command({self.words!r}, redirects={self.redirects!r})"


class Script:
    """A parsed command line: its simple commands in order."""

    __slots__ = ("commands", "substitution", "grouping", "subs")

    def __init__(self, commands: list[Command], substitution: bool, grouping: bool,
                 subs: list[str] | None = None) -> None:
        self.commands = commands
        self.substitution = substitution  # $( ), backticks, <( ), >( )
        self.grouping = grouping  # ( ) subshells or { } groups
        self.subs = subs or []  # the text of each substitution, by placeholder number


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
    """Split ``text`` into simple commands; raises ValueError on unbalanced quotes.

    Recent results are kept: the guard, enforcement and the approval of PACT's own
    commands read the same command line (and the scripts inside it), and a long one
    costs real time. Callers never change a Script.
    """
    script = _PARSED.get(text)
    if script is None:
        script = _parse(text)
        if len(_PARSED) >= 8:
            _PARSED.clear()
        _PARSED[text] = script
    return script


_PARSED: dict[str, Script] = {}


def _parse(text: str) -> Script:
    flat, found = cut(text.replace("\\\n", ""))
    if "$'" in flat or '$"' in flat:
        flat = _decode_ansi_c(flat)
    tokens = tokenize(flat)
    substitution = bool(found.subs) or any(mark in text for mark in ("$(", "`", "<(", ">("))
    grouping = any(t in ("(", ")", "{", "}") for t in tokens)
    return Script(_assemble(tokens, found.bodies, found.subs), substitution, grouping,
                  found.subs)


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


def _assemble(tokens: list[str], bodies: list[str], subs: list[str]) -> list[Command]:
    commands: list[Command] = []
    current = Command(subs)
    pipe_next = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if not token or token.strip(_PUNCTUATION):  # a word (_is_operator, inlined: hot)
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
        current = Command(subs)
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
    return bool(token) and not token.strip(_PUNCTUATION)


_NEXT = re.compile(r"[\\'\"`\n()]|\$[('\"]|<<|[<>]\(")
_BODY_SUB = re.compile(r"\$\((?!\()|`")
_QUOTED_TO = {"'": re.compile(r"'"), "$'": re.compile(r"['\\]"),
              '"': re.compile(r'["\\`]|\$\(')}


class Cut:
    """What ``cut`` takes out of a command line: heredoc bodies and substitutions."""

    __slots__ = ("bodies", "subs")

    def __init__(self) -> None:
        self.bodies: list[str] = []  # heredoc bodies, in order
        self.subs: list[str] = []  # the text inside each $( ), backticks, <( ), >( )


def cut(text: str) -> tuple[str, Cut]:
    """``text`` with each heredoc and substitution replaced by a placeholder word.

    Quotes are followed as bash reads them: a ``<<`` or ``$(`` inside single
    quotes is text, a ``$(`` inside double quotes is still a substitution, and a
    ``<<`` inside ``(( ))`` is a shift. A heredoc body whose delimiter is unquoted
    stays text (it is the command's stdin), but the substitutions in it are
    collected, as bash runs them. Raises ValueError on an unclosed substitution.
    """
    found = Cut()
    flat, _ = _cut_from(text, 0, found, closer="")
    return flat, found


def _cut_from(text: str, i: int, found: Cut, closer: str,
              arithmetic: bool = False) -> tuple[str, int]:
    """Copy from ``i`` up to ``closer`` (``)``, a backtick, or "" for the end)."""
    out: list[str] = []
    pending: list[tuple[bool, str, bool]] = []  # heredocs: (strip tabs, delimiter, expands)
    depth = 0
    shifts: list[int] = []  # depths at which a (( … )) began
    while True:
        match = _NEXT.search(text, i)
        if match is None:
            if closer:
                raise ValueError("unclosed substitution")
            out.append(text[i:])
            break
        out.append(text[i:match.start()])
        token, i = match.group(0), match.end()
        if token == "\\":
            out.append(text[i - 1:i + 1])
            i += 1
        elif token in ("'", '"', "$'", '$"'):
            quoted, i = _quoted(text, i, token, found)
            out.append(quoted)
        elif token == "\n":
            out.append(token)
            i = _bodies(text, i, pending, found) if pending else i
            pending = []
        elif token == "(":
            if text.startswith("(", i):
                shifts.append(depth)
            depth += 1
            out.append(token)
        elif token == ")":
            if depth == 0 and closer == ")":
                break
            depth = max(depth - 1, 0)
            if shifts and shifts[-1] == depth:
                shifts.pop()
            out.append(token)
        elif token == "`" and closer == "`":
            break
        elif token == "<<" and (arithmetic or shifts):
            out.append(token)
        elif token == "<<":
            i = _heredoc(text, i, out, pending, found)
        else:  # $( ` <( >(
            i = _substitution(text, i, token, out, found)
    found.bodies.extend("" for _ in pending)  # no line after it: an empty body
    return "".join(out), i


def _quoted(text: str, i: int, opener: str, found: Cut) -> tuple[str, int]:
    """A quoted string from just after ``opener``; substitutions inside ``"…"`` are cut."""
    kind = opener if opener in ("'", "$'") else '"'
    out = [opener]
    while True:
        match = _QUOTED_TO[kind].search(text, i)
        if match is None:  # unclosed: the tokenizer reports it
            out.append(text[i:])
            return "".join(out), len(text)
        out.append(text[i:match.start()])
        token, i = match.group(0), match.end()
        if token == "\\":
            out.append(text[i - 1:i + 1])
            i += 1
        elif token in ("$(", "`"):
            i = _substitution(text, i, token, out, found)
        else:
            out.append(token)
            return "".join(out), i


def _substitution(text: str, i: int, opener: str, out: list[str], found: Cut) -> int:
    """Cut the ``$(…)``, backtick, ``<(…)`` or ``>(…)`` opened just before ``i``."""
    if opener == "$(" and text.startswith("(", i):  # $(( arithmetic ))
        inner, end = _cut_from(text, i + 1, found, closer=")", arithmetic=True)
        if not text.startswith(")", end):
            raise ValueError("unclosed arithmetic expansion")
        out.append("$((" + inner + "))")
        return end + 1
    _, end = _cut_from(text, i, Cut(), closer="`" if opener == "`" else ")")
    found.subs.append(text[i:end - 1])
    out.append(" " + SUB_MARK % (len(found.subs) - 1) + " " if opener in ("<(", ">(")
               else SUB_MARK % (len(found.subs) - 1))
    return end


def _heredoc(text: str, i: int, out: list[str], pending: list[tuple[bool, str, bool]],
             found: Cut) -> int:
    """Note the heredoc whose ``<<`` ends just before ``i``; ``<<<`` is a here-string."""
    match = _HEREDOC.match(text, i - 2)
    if text.startswith("<", i) or match is None:
        here_string = text.startswith("<", i)
        out.append("<<<" if here_string else "<<")
        return i + 1 if here_string else i
    word = next(g for g in match.groups()[1:] if g is not None)
    delimiter = word.replace("'", "").replace('"', "").replace("\\", "")
    # `<<EOF` expands the body; `<<'EOF'`, `<<"EOF"`, `<<\\EOF` and `<<E"OF"` do not.
    expands = match.group(4) is not None and delimiter == word and "\\" not in match.group(0)
    pending.append((match.group(1) == "-", delimiter, expands))
    out.append("<< " + _PLACEHOLDER % (len(found.bodies) + len(pending) - 1) + " ")
    return match.end()


def _bodies(text: str, i: int, pending: list[tuple[bool, str, bool]], found: Cut) -> int:
    """Read the body of each pending heredoc from ``i``; returns where the command goes on."""
    for strip_tabs, delimiter, expands in pending:
        body = []
        while i < len(text):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            line, i = text[i:end], end + 1
            if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                break
            body.append(line)
        joined = "\n".join(body)
        if expands:  # quotes are text in a body, but bash runs its substitutions
            _collect(joined, found)
        found.bodies.append(joined)
    return min(i, len(text))


def _collect(body: str, found: Cut) -> None:
    """Add the substitutions in a heredoc body to ``found`` (quotes there are text)."""
    at = 0
    while True:
        match = _BODY_SUB.search(body, at)
        if match is None:
            return
        try:
            at = _substitution(body, match.end(), match.group(0), [], found)
        except ValueError:  # unclosed: bash fails on it too
            return


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


def decode_escapes(text: str) -> str:
    """``text`` with backslash escapes (``\\n``, ``\\x44``, ``\\104``) decoded, as
    ``echo -e`` and ``printf`` decode them."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != "\\" or i + 1 >= len(text):
            out.append(text[i])
            i += 1
            continue
        if text[i + 1] == "0" and text[i + 2:i + 3].isdigit():  # echo's \0NNN
            i += 1
        char, i = _ansi_c_escape(text, i + 1)
        out.append(char)
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
