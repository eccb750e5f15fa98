"""A small reader of Bash command lines: simple commands, pipes, redirections, heredocs.

Not a shell: enough structure for the guard (which command runs which SQL,
what is written where) and for enforcement (is this command read-only?).
Lexing follows bash with ``extglob`` off (the client turns it off before it
runs a command): single quotes keep everything, double quotes let a backslash
escape ``$``, a backtick, ``"``, ``\\`` and a newline, and a backslash outside
quotes escapes the next character; a backslash-newline joins lines except in
single quotes, comments and quoted heredoc bodies; a ``#`` that starts a word
starts a comment (not inside ``${…}``, arithmetic or a backtick's search for
its end); heredoc delimiters are read as words (``<<E"O"F`` is ``EOF``, quoted,
so the body is literal), several may wait on one line, ``<<-`` strips tabs,
and an unquoted body joins continued lines before its end line is looked for.
Punctuation that was quoted or escaped is a word (``grep -n '>' f``,
``echo hi > ';'``). Brace expansion is done as bash does it, before the
words are returned: an unquoted ``{a,b}`` or ``{x..y[..n]}`` (nested, with
text around it; not ``${…}``, not a ``{}`` alone) becomes its words, so
``sort f {-o,out}`` is read as ``sort f -o out``; a word that would expand
to more than ``MAX_BRACE_WORDS`` words is kept as it is and the script is
unsure. Each word also carries flags (``Command.flags``): whether bash
computes part of its value (``$NAME``, ``${…}``, a substitution, ``~-``,
``~+``, ``~user``), whether that happens outside double quotes (so the
value may split into several words), whether the value begins with it, and
whether it holds an unquoted glob.

Where the reader cannot follow bash exactly it says so with ``Script.unsure``
instead of guessing quietly: a ``${…}`` beyond a plain name, ``$[…]``, a CR
(a word character to bash), a heredoc operator with no delimiter, and a quote,
substitution or expansion left open (bash runs the complete lines before such
a syntax error, so those are still returned). Callers that approve or allow
treat an unsure script as "no"; the guard still reads what was returned.

The reader is regular expressions over the text, so its time grows in step
with the command's length (``shlex`` grows with the square of a long token's,
and a megabyte of quoted SQL would outlast the hook's timeout).
"""

from __future__ import annotations

import re

_PLACEHOLDER = "__pact_heredoc_%d__"
SUB_MARK = "__pact_sub_%d__"  # a substitution cut out of the command line
SUB_MARKS = re.compile(r"__pact_sub_(\d+)__")  # each mark, its number as group 1
_PUNCTUATION = ";&|<>()\n"
_WORD_BREAKS = frozenset(" \t;&|<>")  # after one of these (unescaped), a word starts

# Word flags (``Command.flags``), one int per word.
EXPANDS = 1  # bash computes part of the value: $NAME, ${…}, $((…)), a substitution, ~-, ~+
SPLITS = 2  # an expansion outside double quotes: the value may become several words
LEADS = 4  # the value begins with computed text or a glob: it may begin with `-`
GLOB = 8  # an unquoted `*`, `?` or `[`: bash may replace the word with file names
_OPERATOR = 16  # a token: an operator run (not quoted, not escaped)
_BARE_BRACE = 32  # a token: an unquoted `{` or `}` word (a group, when it is a command)
MAX_BRACE_WORDS = 256  # a command line expanding to more words is unsure


class Command:
    """One simple command: its words, redirections and what it reads on stdin."""

    __slots__ = ("words", "flags", "redirects", "stdin", "stdin_expands", "piped_from",
                 "subs")

    def __init__(self, subs: list[str] | None = None) -> None:
        self.words: list[str] = []
        self.flags: list[int] = []  # for each word: EXPANDS, SPLITS, LEADS, GLOB
        self.redirects: list[tuple[str, str]] = []  # (operator, target)
        self.stdin = ""  # heredoc body or here-string
        self.stdin_expands = False  # bash computes part of it ($NAME, a substitution)
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

    __slots__ = ("commands", "substitution", "grouping", "subs", "unsure")

    def __init__(self, commands: list[Command], substitution: bool, grouping: bool,
                 subs: list[str] | None = None, unsure: bool = False) -> None:
        self.commands = commands
        self.substitution = substitution  # $( ), backticks, <( ), >( ), $[ ]
        self.grouping = grouping  # ( ) subshells or { } groups
        self.subs = subs or []  # the text of each substitution, by placeholder number
        self.unsure = unsure  # the reader could not follow bash exactly (see the module)


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
    """Split ``text`` into simple commands, as far as bash would run them.

    Never raises on odd input: an unclosed quote or substitution ends the
    script at the last complete line before it, and ``unsure`` is set.
    Recent results are kept: the guard, enforcement and the approval of PACT's own
    commands read the same command line (and the scripts inside it), and a long one
    costs real time. Callers never change a Script.
    """
    script = _PARSED.get(text)
    if script is None:
        try:
            script = _parse(text)
        except RecursionError:  # substitutions nested deeper than Python recurses: words only
            tokens, flags, _, _ = _tokens(text)
            script = Script(_assemble(tokens, flags, [], []), True, True, [], unsure=True)
        if len(_PARSED) >= 8:
            _PARSED.clear()
        _PARSED[text] = script
    return script


_PARSED: dict[str, Script] = {}


def _parse(text: str) -> Script:
    flat, found = cut(text)
    unsure = found.unsure or "\r" in text
    if "$'" in flat or '$"' in flat:
        try:
            flat = _decode_ansi_c(flat)
        except ValueError:
            unsure = True
    tokens, flags, complete, too_many = _tokens(flat)
    substitution = bool(found.subs) or any(m in text for m in ("$(", "`", "<(", ">(", "$["))
    grouping = any(f & _BARE_BRACE or (f & _OPERATOR and ("(" in t or ")" in t))
                   for t, f in zip(tokens, flags))
    return Script(_assemble(tokens, flags, found.bodies, found.subs, found.expanding),
                  substitution, grouping,
                  found.subs, unsure or not complete or too_many)


_PIECE = re.compile(
    r"(?P<space>[ \t\r]+)|(?P<op>[;&|<>()\n]+)|'(?P<single>[^']*)'"
    r'|"(?P<double>[^"\\]*(?:\\[\s\S][^"\\]*)*)"|\\(?P<escaped>[\s\S])'
    r"|(?P<plain>[^ \t\r;&|<>()\n'\"\\]+)|(?P<bad>['\"\\])")
_DOUBLE_ESCAPE = re.compile(r'\\([$`"\\\n])')


def tokenize(text: str) -> list[str]:
    """Words (brace-expanded) and operator runs, quotes removed; raises ValueError on an
    unclosed quote."""
    tokens, _, complete, _ = _tokens(text)
    if not complete:
        raise ValueError("unclosed quotation")
    return tokens


def _tokens(text: str) -> tuple[list[str], list[int], bool, bool]:
    """Words and operator runs, a flag int for each, whether every quote closed, and
    whether a brace expansion was too large to make.

    On an unclosed quote the tokens end at the last newline before it: bash
    runs the lines before a syntax error and none after. A backslash at the
    very end is kept as a literal backslash, as bash reads it.
    """
    tokens: list[str] = []
    flags: list[int] = []
    # (kind, text): plain, single, escaped, double (holding an expansion) or quoted
    pieces: list[tuple[str, str]] = []
    budget = [MAX_BRACE_WORDS]
    command_start = True  # where an assignment word is not brace-expanded
    for match in _PIECE.finditer(text):
        kind = match.lastgroup
        if kind == "space" or kind == "op":
            if pieces:
                command_start = _end_word(pieces, tokens, flags, budget, command_start)
                pieces = []
            if kind == "op":
                op = match.group(0)
                tokens.append(op)
                flags.append(_OPERATOR)
                if not ("<" in op or ">" in op):
                    command_start = True
            continue
        if kind == "bad":
            if match.group(0) == "\\" and match.end() == len(text):
                pieces.append(("single", "\\"))  # kept, yet reported as incomplete
                _end_word(pieces, tokens, flags, budget, command_start)
                return tokens, flags, False, budget[0] < 0
            line_end = max((k for k, t in enumerate(tokens)
                            if flags[k] & _OPERATOR and "\n" in t), default=-1)
            return tokens[:line_end + 1], flags[:line_end + 1], False, budget[0] < 0
        piece = match.group(kind or "plain")
        if kind == "double":
            if "\\" in piece:  # `\$x` is text: flags come from what bash expands
                expands = _EXPANSION.search(_ESCAPED.sub("", piece)) is not None
                piece = _DOUBLE_ESCAPE.sub(r"\1", piece)
            else:
                expands = _EXPANSION.search(piece) is not None
            pieces.append(("double" if expands else "quoted", piece))
            continue
        pieces.append((kind or "plain", piece))
    if pieces:
        _end_word(pieces, tokens, flags, budget, command_start)
    return tokens, flags, True, budget[0] < 0


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
_RESERVED_START = frozenset({"!", "{", "(", "if", "then", "else", "elif", "do", "while",
                             "until", "time"})


def _end_word(pieces: list[tuple[str, str]], tokens: list[str], flags: list[int],
              budget: list[int], command_start: bool) -> bool:
    """Add the word made of ``pieces`` (brace-expanded) to ``tokens``; returns whether
    the next word is still where a command begins."""
    if len(pieces) == 1 and pieces[0][0] == "plain" and not command_start:
        text = pieces[0][1]
        if _SPECIAL.search(text) is None:  # the usual word: nothing to expand or flag
            tokens.append(text)
            flags.append(0)
            return False
    plain = "".join(t for k, t in pieces if k == "plain")
    single = len(pieces) == 1 and pieces[0][0] == "plain"
    assignment = command_start and pieces[0][0] == "plain" and bool(
        _ASSIGNMENT.match(pieces[0][1]))
    after_redirect = bool(flags) and flags[-1] & _OPERATOR and (
        "<" in tokens[-1] or ">" in tokens[-1])
    if ("{" in plain and "}" in plain and ("," in plain or ".." in plain)
            and not assignment):
        words = _expanded(pieces, budget)
        if words is not None and (not after_redirect or len(words) == 1):
            for word in words:
                tokens.append("".join(t for _, t in word))
                flags.append(_word_flags(word))
            return False
    tokens.append(plain if single else "".join(t for _, t in pieces))
    flags.append(_word_flags(pieces) | (_BARE_BRACE if single and plain in ("{", "}") else 0))
    if after_redirect:
        return command_start
    return assignment or (single and plain in _RESERVED_START)


_ESCAPED = re.compile(r"\\[\s\S]")
_SPECIAL = re.compile(r"[{}$~*?\[]|__pact_sub_")
_EXPANSION = re.compile(r"\$[A-Za-z_0-9{(@*#?$!-]|__pact_sub_\d+__")


def _word_flags(pieces: list[tuple[str, str]]) -> int:
    flags = 0
    first = True
    for kind, text in pieces:
        if not text:
            continue
        if kind == "plain" or kind == "double":
            found = _EXPANSION.search(text)
            if found is not None:
                flags |= EXPANDS | (SPLITS if kind == "plain" else 0)
                flags |= LEADS if first and found.start() == 0 else 0
            if kind == "plain":
                if first and text[0] == "~" and text[1:2] not in ("", "/"):
                    flags |= EXPANDS | LEADS  # ~-, ~+, ~user: OLDPWD, PWD, a home folder
                if "*" in text or "?" in text or "[" in text:
                    flags |= GLOB | (LEADS if first and text[0] in "*?[" else 0)
        first = False
    return flags


# ---- brace expansion --------------------------------------------------------------------

_INT_SEQUENCE = re.compile(r"([+-]?[0-9]+)\.\.([+-]?[0-9]+)(?:\.\.([+-]?[0-9]+))?")
_CHAR_SEQUENCE = re.compile(r"([A-Za-z])\.\.([A-Za-z])(?:\.\.([+-]?[0-9]+))?")


_MAX_BRACES_IN_WORD = 64


class _TooMany(Exception):
    pass


def _expanded(pieces: list[tuple[str, str]],
              budget: list[int]) -> list[list[tuple[str, str]]] | None:
    """The words bash makes of one word by brace expansion (empty unquoted ones dropped);
    None, with ``budget`` below zero, when there would be too many."""
    if sum(t.count("{") for k, t in pieces if k == "plain") > _MAX_BRACES_IN_WORD:
        budget[0] = -1  # the search for each brace's end would cost too much
        return None
    atoms: list[tuple[str, str]] = []
    for kind, text in pieces:
        if kind == "plain":
            atoms.extend(("plain", c) for c in text)
        else:
            atoms.append((kind, text))
    try:
        words = _brace(atoms, budget[0])
    except (_TooMany, RecursionError):
        budget[0] = -1
        return None
    words = [w for w in words if any(k != "plain" or t for k, t in w)]
    budget[0] -= len(words)
    if budget[0] < 0:
        return None
    return [_merge(w) for w in words]


def _merge(atoms: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join neighbouring plain atoms back into pieces."""
    out: list[tuple[str, str]] = []
    for kind, text in atoms:
        if kind == "plain" and out and out[-1][0] == "plain":
            out[-1] = ("plain", out[-1][1] + text)
        else:
            out.append((kind, text))
    return out


def _gobble(atoms: list[tuple[str, str]], i: int, satisfy: str) -> int:
    """The index of the next unquoted ``satisfy`` at brace level 0 from ``i``, or -1.

    As bash's brace_gobbler: a ``${`` opens a level its ``}`` closes, a quoted or
    escaped character is text, and a ``{`` that starts the text and is followed by
    ``}`` opens nothing.
    """
    level = 0
    n = len(atoms)
    while i < n:
        kind, c = atoms[i]
        if kind != "plain":
            i += 1
            continue
        if c == "$" and i + 1 < n and atoms[i + 1] == ("plain", "{"):
            level += 1
            i += 2
            continue
        if c == satisfy and level == 0:
            if c == "{" and i == 0 and i + 1 < n and atoms[i + 1] == ("plain", "}"):
                i += 1
                continue
            return i
        if c == "{":
            level += 1
        elif c == "}" and level:
            level -= 1
        i += 1
    return -1


def _brace(atoms: list[tuple[str, str]], limit: int) -> list[list[tuple[str, str]]]:
    """Bash's brace expansion of one word, as atoms (see ``_expanded``).

    The first ``{`` that opens an expression is taken, with the first ``}``
    after it (at its level) such that between them lies a comma or a ``..``
    with text after it, both at the top level and unquoted. Then, as bash does,
    the text is split at its top-level commas when it holds any comma at all
    (each part expanded again), else it is a sequence, or kept as it is when it
    is not a valid one.
    """
    start = 0
    while True:
        i = _gobble(atoms, start, "{")
        if i < 0:
            return [atoms]
        j = _gobble(atoms, i + 1, "}")
        while j >= 0:
            amble = atoms[i + 1:j]
            if _gobble(amble, 0, ",") >= 0 or _top_dots(amble):
                break
            j = _gobble(atoms, j + 1, "}")
        if j >= 0:
            break
        start = i + 1
    pre, post = atoms[:i], atoms[j + 1:]
    parts: list[list[tuple[str, str]]] = []
    k = 0
    while True:
        comma = _gobble(amble, k, ",")
        if comma < 0:
            parts.append(amble[k:])
            break
        parts.append(amble[k:comma])
        k = comma + 1
    tack: list[list[tuple[str, str]]]
    if len(parts) > 1 or any("," in t for kind, t in amble if kind != "escaped"):
        tack = []
        for part in parts:
            tack.extend(_brace(part, limit))
            if len(tack) > limit:
                raise _TooMany
    else:
        sequence = _sequence(amble, limit)
        tack = [atoms[i:j + 1]] if sequence is None else [[("single", t)] for t in sequence]
    rest = _brace(post, limit) if post else [[]]
    if len(tack) * len(rest) > limit:
        raise _TooMany
    return [pre + t + r for t in tack for r in rest]


def _top_dots(amble: list[tuple[str, str]]) -> bool:
    """True when ``amble`` holds an unquoted ``..`` at the top level with text after it."""
    k = 0
    while True:
        dot = _gobble(amble, k, ".")
        if dot < 0 or dot + 2 >= len(amble):
            return False
        if amble[dot + 1] == ("plain", "."):
            return True
        k = dot + 1


def _sequence(amble: list[tuple[str, str]], limit: int) -> list[str] | None:
    """The words of ``x..y[..step]`` (integers or letters), or None when it is not one."""
    if any(kind != "plain" for kind, _ in amble):
        return None
    text = "".join(c for _, c in amble)
    numbers = _INT_SEQUENCE.fullmatch(text)
    letters = None if numbers else _CHAR_SEQUENCE.fullmatch(text)
    found = numbers or letters
    if found is None:
        return None
    step = abs(int(found.group(3) or 1)) or 1
    if letters:
        first, last = ord(found.group(1)), ord(found.group(2))
    else:
        first, last = int(found.group(1)), int(found.group(2))
    if abs(last - first) // step + 1 > limit:
        raise _TooMany
    values = range(first, last + 1, step) if last >= first else range(first, last - 1, -step)
    if letters:
        return ["" if v == 92 else chr(v) for v in values]  # a lone `\\` is removed
    width = 0
    for term in (found.group(1), found.group(2)):
        digits = term.lstrip("-")
        if digits.startswith("0") and len(digits) > 1 and not term.startswith("+"):
            width = max(width, len(term))
    return [f"{v:0{width}d}" if width else str(v) for v in values]


def _assemble(tokens: list[str], flags: list[int], bodies: list[str], subs: list[str],
              expanding: frozenset[int] | set[int] = frozenset()) -> list[Command]:
    commands: list[Command] = []
    current = Command(subs)
    pipe_next = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        flag = flags[i]
        i += 1
        if not flag & _OPERATOR:
            current.words.append(token)
            current.flags.append(flag & (EXPANDS | SPLITS | LEADS | GLOB))
            continue
        if "<" in token or ">" in token:
            target = ""
            if i < len(tokens) and not flags[i] & _OPERATOR:
                target = tokens[i]
                current.stdin_expands |= token == "<<<" and bool(flags[i] & EXPANDS)
                i += 1
            if current.words and current.words[-1] in ("0", "1", "2"):
                current.words.pop()  # a file descriptor, as in 2>&1
                current.flags.pop()
            _redirect(current, token, target, bodies, expanding)
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


def _redirect(command: Command, operator: str, target: str, bodies: list[str],
              expanding: frozenset[int] | set[int]) -> None:
    if operator == "<<<":
        command.stdin = target
    elif operator in ("<<", "<<-") and target.startswith("__pact_heredoc_"):
        index = int(target[len("__pact_heredoc_"):-2])
        command.stdin = bodies[index] if index < len(bodies) else ""
        command.stdin_expands |= index in expanding
    command.redirects.append((operator, target))


def _is_operator(token: str) -> bool:
    return bool(token) and not token.strip(_PUNCTUATION)


# ---- cutting heredocs, substitutions and comments out of the line -----------------------

_NEXT = re.compile(r"[\\'\"`\n()#]|\$[('\"{\[]|<<|[<>]\(")
_IN_DOUBLE = re.compile(r'["\\`]|\$[({\[]')
_IN_SINGLE = {"'": re.compile(r"'"), "$'": re.compile(r"['\\]")}
_IN_PARAM = re.compile(r"[\\'\"`}]|\$[('\"{\[]")
_IN_BRACKET = re.compile(r"[\\'\"`\[\]]|\$[('\"{\[]")
_BACKQUOTE_END = re.compile(r"[\\`]")
_BODY_SUB = re.compile(r"\$\((?!\()|`")
_SIMPLE_PARAM = re.compile(r"#?(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+)|[@*#?$!-]")
_PARAM_DEFAULT = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-]):?[-=+]")
_PARAM_NAME = re.compile(r"[!#]?([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])")
_DELIMITER_END = frozenset(" \t\n;&|()<>")


class Cut:
    """What ``cut`` takes out of a command line: heredoc bodies and substitutions."""

    __slots__ = ("bodies", "expanding", "subs", "unsure")

    def __init__(self) -> None:
        self.bodies: list[str] = []  # heredoc bodies, in order
        self.expanding: set[int] = set()  # the bodies bash expands that hold `$` or "`"
        self.subs: list[str] = []  # the text inside each $( ), backticks, <( ), >( )
        self.unsure = False  # something the reader cannot follow exactly (see the module)


def cut(text: str) -> tuple[str, Cut]:
    """``text`` with heredocs, substitutions and comments replaced or removed.

    Each heredoc and substitution becomes a placeholder word; comments and
    line continuations go. Quotes are followed as bash reads them: a ``<<``,
    ``#`` or ``$(`` inside single quotes is text, a ``$(`` inside double quotes
    is still a substitution, and a ``<<`` inside ``(( ))`` is a shift. A heredoc
    body whose delimiter is unquoted stays text (it is the command's stdin), but
    the substitutions in it are collected, as bash runs them. Never raises:
    what it cannot follow sets ``Cut.unsure``.
    """
    found = Cut()
    flat, _, _ = _cut_from(text, 0, found, closer="")
    return flat, found


def _cut_from(text: str, i: int, found: Cut, closer: str,
              arithmetic: bool = False) -> tuple[str, int, bool]:
    """Copy from ``i`` up to ``closer`` (``)``, or "" for the end).

    Returns the copy, the index after the closer, and whether the closer was found.
    """
    out: list[str] = []
    pending: list[tuple[bool, str, bool]] = []  # heredocs: (strip tabs, delimiter, expands)
    depth = 0
    shifts: list[int] = []  # depths at which a (( … )) began
    at_word_start = True
    closed = False
    while True:
        match = _NEXT.search(text, i)
        if match is None:
            out.append(text[i:])
            i = len(text)
            break
        if match.start() > i:
            out.append(text[i:match.start()])
            at_word_start = text[match.start() - 1] in _WORD_BREAKS
        token, i = match.group(0), match.end()
        if token == "\\":
            if text.startswith("\n", i):  # a line continuation: bash removes both
                i += 1
                continue
            out.append(text[i - 1:i + 1])
            i += 1
        elif token == "#":
            if at_word_start and not (arithmetic or shifts):
                end = text.find("\n", i)  # a comment, up to the newline
                i = len(text) if end < 0 else end
                continue
            out.append(token)
        elif token in ("'", '"', "$'", '$"'):
            i = _quoted(text, i, token, out, found)
        elif token == "\n":
            out.append(token)
            i = _bodies(text, i, pending, found) if pending else i
            pending = []
            at_word_start = True
            continue
        elif token == "(":
            if text.startswith("(", i):
                shifts.append(depth)
            depth += 1
            out.append(token)
            at_word_start = True
            continue
        elif token == ")":
            if depth == 0 and closer == ")":
                closed = True
                break
            depth = max(depth - 1, 0)
            if shifts and shifts[-1] == depth:
                shifts.pop()
            out.append(token)
            at_word_start = True
            continue
        elif token == "`":
            i = _backquote(text, i, out, found, in_double=False)
        elif token == "<<" and (arithmetic or shifts):
            out.append(token)
            at_word_start = True
            continue
        elif token == "<<":
            i = _heredoc(text, i, out, pending, found)
        elif token == "${":
            i = _param(text, i, out, found, in_double=False)
        elif token == "$[":
            i = _bracket(text, i, out, found)
        else:  # $( <( >(
            i = _substitution(text, i, token, out, found)
        at_word_start = False
    if pending:
        found.unsure |= closer == ")"  # bash would read their bodies after the `)`
        found.bodies.extend("" for _ in pending)  # no line after it: an empty body
    if closer and not closed:
        found.unsure = True  # unclosed: bash refuses the command
    return "".join(out), i, closed


def _quoted(text: str, i: int, opener: str, out: list[str], found: Cut) -> int:
    """Copy a quoted string from just after ``opener``; returns the index after it.

    Substitutions and expansions inside ``"…"`` are cut as outside; an unclosed
    string is copied to the end (the tokenizer then stops before its line).
    """
    out.append(opener)
    if opener in ("'", "$'"):
        pattern = _IN_SINGLE[opener]
        while True:
            match = pattern.search(text, i)
            if match is None:
                out.append(text[i:])
                return len(text)
            out.append(text[i:match.end()])
            if match.group(0) == "'":
                return match.end()
            out.append(text[match.end():match.end() + 1])  # the escaped character
            i = match.end() + 1
    while True:
        match = _IN_DOUBLE.search(text, i)
        if match is None:
            out.append(text[i:])
            return len(text)
        out.append(text[i:match.start()])
        token, i = match.group(0), match.end()
        if token == '"':
            out.append(token)
            return i
        if token == "\\":
            if not text.startswith("\n", i):  # a backslash-newline is removed
                out.append(text[i - 1:i + 1])
            i += 1
        elif token == "`":
            i = _backquote(text, i, out, found, in_double=True)
        elif token == "${":
            i = _param(text, i, out, found, in_double=True)
        elif token == "$[":
            i = _bracket(text, i, out, found)
        else:
            i = _substitution(text, i, token, out, found)


def _substitution(text: str, i: int, opener: str, out: list[str], found: Cut) -> int:
    """Cut the ``$(…)``, ``<(…)`` or ``>(…)`` opened just before ``i``; ``$((…))`` stays."""
    if opener == "$(" and text.startswith("(", i):  # $(( arithmetic ))
        attempt = Cut()
        inner, end, closed = _cut_from(text, i + 1, attempt, closer=")", arithmetic=True)
        if closed and text.startswith(")", end):
            found.subs.extend(attempt.subs)
            found.unsure |= attempt.unsure
            out.append("$((" + inner + "))")
            return end + 1
        # not arithmetic after all: bash reads `$((ls) )` as a substitution of a subshell
    inner_cut = Cut()
    _, end, closed = _cut_from(text, i, inner_cut, closer=")")
    found.unsure |= inner_cut.unsure
    found.subs.append(text[i:end - 1] if closed else text[i:])
    mark = SUB_MARK % (len(found.subs) - 1)
    out.append(mark if opener == "$(" else " " + mark + " ")
    return end


def _backquote(text: str, i: int, out: list[str], found: Cut, in_double: bool) -> int:
    """Cut the backtick substitution opened just before ``i``.

    Its end is the first unescaped backtick, whatever quotes lie between (bash
    finds it that way); inside, ``\\$``, ``\\```, ``\\\\`` (and ``\\"`` within
    double quotes) lose their backslash before the text is run.
    """
    j = i
    while True:
        match = _BACKQUOTE_END.search(text, j)
        if match is None:
            found.unsure = True
            inner, end = text[i:], len(text)
            break
        if match.group(0) == "\\":
            j = match.end() + 1
            continue
        inner, end = text[i:match.start()], match.end()
        break
    escaped = r'\\([$`\\"])' if in_double else r"\\([$`\\])"
    found.subs.append(re.sub(escaped, r"\1", inner) if "\\" in inner else inner)
    out.append(SUB_MARK % (len(found.subs) - 1))
    return end


def _param(text: str, i: int, out: list[str], found: Cut, in_double: bool) -> int:
    """Copy the ``${…}`` opened just before ``i``; returns the index after its ``}``.

    ``${NAME}``, ``${#NAME}`` and special parameters are copied as they are.
    Anything else is unsure; the word a ``${NAME:-word}``, ``:=`` or ``:+`` may
    become is put in its place (so ``psql -c "${Q:-DROP TABLE t}"`` is still
    read), and other operators leave ``${NAME}``.
    """
    pieces: list[str] = []
    j = i
    while True:
        match = _IN_PARAM.search(text, j)
        if match is None:
            found.unsure = True
            pieces.append(text[j:])
            j = len(text)
            break
        pieces.append(text[j:match.start()])
        token, j = match.group(0), match.end()
        if token == "}":
            break
        if token == "\\":
            pieces.append(text[j - 1:j + 1])
            j += 1
        elif token in ("'", '"', "$'", '$"'):
            j = _quoted(text, j, token, pieces, found)
        elif token == "`":
            j = _backquote(text, j, pieces, found, in_double)
        elif token == "${":
            j = _param(text, j, pieces, found, in_double)
        elif token == "$[":
            j = _bracket(text, j, pieces, found)
        else:
            j = _substitution(text, j, token, pieces, found)
    inner = "".join(pieces)
    if _SIMPLE_PARAM.fullmatch(inner):
        out.append("${" + inner + "}")
        return j
    found.unsure = True
    default = _PARAM_DEFAULT.match(inner)
    word = inner[default.end():] if default else ""
    if default and not (in_double and any(q in word for q in "'\"")):
        out.append(word)
    else:
        name = _PARAM_NAME.match(inner)
        out.append("${" + (name.group(1) if name else "_") + "}")
    return j


def _bracket(text: str, i: int, out: list[str], found: Cut) -> int:
    """Copy the old arithmetic ``$[…]`` opened just before ``i`` (its ``<<`` is a shift)."""
    found.unsure = True
    out.append("$[")
    depth = 0
    while True:
        match = _IN_BRACKET.search(text, i)
        if match is None:
            out.append(text[i:])
            return len(text)
        out.append(text[i:match.start()])
        token, i = match.group(0), match.end()
        if token == "]" and depth == 0:
            out.append(token)
            return i
        if token in ("[", "]"):
            depth += 1 if token == "[" else -1
            out.append(token)
        elif token == "\\":
            out.append(text[i - 1:i + 1])
            i += 1
        elif token in ("'", '"', "$'", '$"'):
            i = _quoted(text, i, token, out, found)
        elif token == "`":
            i = _backquote(text, i, out, found, in_double=False)
        elif token == "${":
            i = _param(text, i, out, found, in_double=False)
        elif token == "$[":
            i = _bracket(text, i, out, found)
        else:
            i = _substitution(text, i, token, out, found)


def _heredoc(text: str, i: int, out: list[str], pending: list[tuple[bool, str, bool]],
             found: Cut) -> int:
    """Note the heredoc whose ``<<`` ends just before ``i``; ``<<<`` is a here-string."""
    if text.startswith("<", i):
        out.append("<<<")
        return i + 1
    strip_tabs = text.startswith("-", i)
    read = _delimiter(text, i + 1 if strip_tabs else i)
    if read is None:  # bash: a syntax error, or a delimiter this reader does not follow
        found.unsure = True
        out.append("<<")
        return i
    delimiter, quoted, end = read
    pending.append((strip_tabs, delimiter, not quoted))
    out.append("<< " + _PLACEHOLDER % (len(found.bodies) + len(pending) - 1) + " ")
    return end


def _delimiter(text: str, i: int) -> tuple[str, bool, int] | None:
    """The heredoc delimiter word from ``i``: (its text after quote removal, quoted, end).

    Any quoting in the word (``'EOF'``, ``"EOF"``, ``\\EOF``, ``E"O"F``, ``$'EOF'``)
    makes the body literal. None when there is no word, or it holds an expansion.
    """
    while text.startswith((" ", "\t"), i):
        i += 1
    parts: list[str] = []
    quoted = False
    start = i
    while i < len(text) and text[i] not in _DELIMITER_END:
        c = text[i]
        if c == "\\":
            quoted = True
            parts.append(text[i + 1:i + 2])
            i += 2
        elif c == "'":
            end = text.find("'", i + 1)
            if end < 0:
                return None
            parts.append(text[i + 1:end])
            quoted, i = True, end + 1
        elif c == '"' or text.startswith('$"', i):
            i += 1 if c == '"' else 2
            body: list[str] = []
            while i < len(text) and text[i] != '"':
                if text[i] == "\\" and text[i + 1:i + 2] in ('"', "\\", "$", "`"):
                    i += 1
                body.append(text[i])
                i += 1
            if i >= len(text):
                return None
            parts.append("".join(body))
            quoted, i = True, i + 1
        elif text.startswith("$'", i):
            try:
                decoded, i = _ansi_c_body(text, i + 2)
            except ValueError:
                return None
            parts.append(decoded)
            quoted = True
        elif c == "`" or text.startswith(("$(", "${", "$["), i):
            return None
        else:
            parts.append(c)
            i += 1
    if i == start:
        return None
    return "".join(parts), quoted, i


def _bodies(text: str, i: int, pending: list[tuple[bool, str, bool]], found: Cut) -> int:
    """Read the body of each pending heredoc from ``i``; returns where the command goes on."""
    for strip_tabs, delimiter, expands in pending:
        body = []
        while i < len(text):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            line, i = text[i:end], end + 1
            while expands and _continues(line) and i < len(text):
                end = text.find("\n", i)  # an unquoted body joins a backslash-newline
                end = len(text) if end < 0 else end
                line, i = line[:-1] + text[i:end], end + 1
            if strip_tabs:
                line = line.lstrip("\t")
            if line == delimiter:
                break
            body.append(line)
        joined = "\n".join(body)
        if expands:  # quotes are text in a body, but bash runs its substitutions
            _collect(joined, found)
            if "$" in joined or "`" in joined:
                found.expanding.add(len(found.bodies))
        found.bodies.append(joined)
    return min(i, len(text))


def _continues(line: str) -> bool:
    """True when ``line`` ends in an odd number of backslashes (a line continuation)."""
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def _collect(body: str, found: Cut) -> None:
    """Add the substitutions in a heredoc body to ``found`` (quotes there are text)."""
    at = 0
    while True:
        match = _BODY_SUB.search(body, at)
        if match is None:
            return
        if match.group(0) == "`":
            at = _backquote(body, match.end(), [], found, in_double=False)
        else:
            at = _substitution(body, match.end(), "$(", [], found)


# ---- ANSI-C quoting and echo/printf escapes ---------------------------------------------

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
