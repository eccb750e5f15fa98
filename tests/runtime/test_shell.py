"""The command reader against bash itself: every program bash runs is a command it sees.

Bash runs each case with programs that only log their names, so what the reader
returns (with the commands of its substitutions) can be compared with what bash
really ran. A missing program is a command hidden from the guard, from HALT
enforcement and from the approval of PACT's own commands.
"""

from __future__ import annotations

import random
import shutil
import subprocess

import pytest
from pact_runtime.signals import shell

PROGRAMS = ("alpha", "beta", "gamma", "delta", "cat")
_RESERVED = frozenset({"{", "}", "if", "then", "fi", "do", "done", "for", "case", "esac", "!",
                       "while", "else", "elif", "in"})
BASH = shutil.which("bash") or "bash"
needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")


@pytest.fixture(scope="module")
def bash_run(tmp_path_factory):
    """``run(command)``: the programs bash runs for ``command``, in the client's way
    (``shopt -u extglob`` then ``eval``), each as its list of words."""
    root = tmp_path_factory.mktemp("bash")
    folder = root / "bin"
    folder.mkdir()
    for name in PROGRAMS:
        path = folder / name
        path.write_text('#!/bin/sh\nr="${0##*/}"\nfor a in "$@"; do r="$r\037$a"; done\n'
                        'printf "%s\\036" "$r" >> "$LOG"\n')
        path.chmod(0o755)
    counter = iter(range(10**9))

    def run(command: str) -> list[list[str]]:
        log = root / f"log-{next(counter)}"
        subprocess.run([BASH, "-c", 'shopt -u extglob; eval "$1"', "bash", command],
                       env={"PATH": str(folder), "LOG": str(log)}, cwd=root,
                       capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
        if not log.exists():
            return []
        return [record.split("\x1f") for record in log.read_text().split("\x1e") if record]

    return run


def seen(command: str, depth: int = 0) -> list[list[str]]:
    """The commands the reader returns, with those of every substitution."""
    script = shell.parse(command)
    found = [cmd.words for cmd in script.commands]
    for inner in script.subs if depth < 5 else []:
        found.extend(seen(inner, depth + 1))
    return found


def program(words: list[str]) -> str:
    return next((w for w in words if w not in _RESERVED and "=" not in w), "")


def programs(found: list[list[str]]) -> list[str]:
    return sorted(name for name in map(program, found) if name in PROGRAMS)


# Each: bash runs exactly the programs the reader sees (names, with repeats).
CASES = [
    "alpha #<<X\nbeta",  # a `<<` in a comment is no heredoc
    "alpha a#b # c\nbeta",  # `#` inside a word is text
    "alpha ${x:- #} ; beta",  # nor inside ${…}
    "cat <<'EOF'\nx\\\nEOF\nbeta\nEOF",  # a quoted body keeps its backslash-newline
    "cat <<EOF\nx\\\nEOF\nbeta\nEOF",  # an unquoted body joins it: xEOF is no end line
    "cat <<EOF\nline \\\\\nEOF\nbeta",  # an even number of backslashes joins nothing
    "alpha # comment \\\nbeta",  # a comment ends at the newline, backslash or not
    "alpha `'`; beta; alpha `'`",  # a backtick ends at the next backtick, quotes or not
    "cat <<E\"O\"F\n$(beta)\nEOF\ngamma",  # partly quoted delimiter: EOF, literal body
    "cat <<$'E\\x4fF'\nbody\nEOF\nbeta",  # ANSI-C quoted delimiter: EOF
    "cat <<\\EOF\n$(beta)\nEOF", "cat << EOF\n$(beta)\nEOF",
    "cat <<-EOF\n\tbody\n\tEOF\nbeta",  # <<- strips tabs from the end line
    "cat <<EOF\nbody\nEOF \nbeta\nEOF",  # a trailing space is no end line
    "cat <<EOF\r\nbody\nEOF\r\nbeta\nEOF",  # a CR is part of the delimiter
    "cat <<A <<B\na\nA\nb\nB\nbeta",  # two heredocs on one line
    "cat <<'A' <<B\n$(beta)\nA\n$(gamma)\nB",
    "cat <<EOF ; beta\nbody\nEOF\ngamma", "cat <<EOF && beta\nbody\nEOF",
    "cat <<EOF\n`beta`\nEOF", "cat <<EOF\na $(beta\n) b\nEOF\ngamma",
    "alpha $(cat <<EOF\n)\nEOF\n)\nbeta",  # a `)` in the body does not end the substitution
    "alpha $'a\\'b' # c\nbeta", "alpha $\"a b\" #x\nbeta",
    "alpha \\\nbeta", "alpha \"a\\\nb\" ; beta", "alpha 'a\\\nb' ; beta",
    "echo $[1<<2]\nbeta", "echo $((1<<2)); beta", "(( x <<= 1 )) ; beta",
    "alpha `echo \\`beta\\``", "alpha \"`beta \"x\"`\"",
    "alpha $(beta # )\n)\ngamma", "alpha $(beta\n# )\n)",
    "alpha \"${x:-$(beta)}\"", "alpha ${x:-\"}\"} ; beta", "alpha \"${x:-'}'}\" ; beta",
    "alpha ${x:-$'\\''} ; beta", "alpha ${x:-a b} ; beta", "alpha ${x:-\n} ; beta",
    "alpha <(beta)#x ; gamma", "alpha $( (beta) )", "alpha $((beta) )",
    "alpha ; echo 'unclosed",  # a syntax error: bash runs nothing on that line
    "beta\nalpha \"oops\ngamma",  # but the lines before it run
    "alpha &&\nbeta", "alpha |\nbeta",
    "{ alpha; } # x ; beta", "case x in x) alpha ;; esac # ; beta",
    "if true; then alpha; fi #; beta", "for i in 1; do alpha; done # beta",
    "alpha=$(beta) gamma", "x=1 alpha # ; beta",
    "alpha ${#x} ; beta", "alpha \"$#\" ; beta", "alpha $# ; beta", "alpha ${x#y} ; beta",
    "alpha \\#x ; beta", "alpha '#'x ; beta", "alpha x#<<Y\nbeta",
    "alpha <<<\"x\" # y\nbeta", "alpha $(echo ')' ; beta)", "alpha \"$(echo \")\")\" ; beta",
    "alpha $(( $(beta) + 1 ))", "alpha 'x' # ' \nbeta", "alpha \" # \" ; beta",
    "alpha\t#x\nbeta", "alpha;#x\nbeta", "alpha|#x\ncat\nbeta",
    "alpha '<<X' \\'\nbeta",  # a quoted `<<` and an escaped quote
]


@needs_bash
@pytest.mark.parametrize("command", CASES)
def test_the_reader_sees_what_bash_runs(bash_run, command: str) -> None:
    assert programs(bash_run(command)) == programs(seen(command))


def _fuzzed(rng: random.Random, count: int) -> list[str]:
    """Command lines built from quoting, comments, heredocs, expansions and substitutions."""
    args = ["x", "'a b'", '"a b"', "$'a\\'b'", '$"q"', "a#b", "#c", "\\#", "'#'", '"#"',
            "${x:-y}", "${x:- #}", "${#x}", "$#", "'<<X'", '"<<X "', "x\\ y", "\\\n", "'", '"',
            "\\'", "${x:-'}'}", '"${x:-\'}\'}"', "$((1<<2))", "$[1<<2]", "\r", "a\\", "<<<w",
            "2>&1", ">/dev/null"]
    bodies = ["beta", "$(gamma)", "`delta`", "EOF ", "\tEOF", "xEOF", "EOF\\", "x\\", "#c", "'",
              '"', "EOF\r"]
    delimiters = ["EOF", "'EOF'", '"EOF"', 'E"O"F', "\\EOF", "-EOF", "-'EOF'", "$'EOF'"]

    def arg(depth: int) -> str:
        roll = rng.random()
        if depth < 2 and roll < 0.15:
            return "$(" + line(depth + 1) + ")"
        if depth < 2 and roll < 0.22:
            return "`" + line(depth + 1).replace("`", "\\`") + "`"
        if depth < 2 and roll < 0.26:
            return '"$(' + line(depth + 1) + ')"'
        return rng.choice(args)

    def simple(depth: int = 0) -> str:
        return " ".join([rng.choice(PROGRAMS[:4])] +
                        [arg(depth) for _ in range(rng.randint(0, 3))])

    def line(depth: int = 0) -> str:
        parts = [simple(depth) + rng.choice([" ; ", " && ", " | ", " || ", ";", "\n"])
                 for _ in range(rng.randint(1, 3))]
        return "".join(parts)[:-1]

    commands = []
    for _ in range(count):
        pieces = []
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.35:
                delimiter = rng.choice(delimiters)
                end = "\tEOF" if delimiter.startswith("-") and rng.random() < 0.5 else "EOF"
                body = [rng.choice(bodies) for _ in range(rng.randint(0, 3))] + [end]
                tail = rng.choice(["", " #c", " ; " + simple(), " | " + simple()])
                pieces.append("cat <<" + delimiter + tail + "\n" + "\n".join(body))
            else:
                pieces.append(line())
        commands.append("\n".join(pieces) + rng.choice(["", "\nalpha", "\n#x\nbeta"]))
    return commands


@needs_bash
def test_no_program_bash_runs_is_hidden_in_generated_command_lines(bash_run) -> None:
    hidden = []
    for command in _fuzzed(random.Random(4), 150):
        ran, found = programs(bash_run(command)), programs(seen(command))
        if any(ran.count(name) > found.count(name) for name in ran):
            hidden.append((command, ran, found))
    assert hidden == []


# ---- what the reader reports ------------------------------------------------------------

@pytest.mark.parametrize(("command", "unsure"), [
    ("ls -la", False), ("echo ${HOME} $HOME ${#x} ${1} $@", False), ("echo a#b # c", False),
    ("cat <<'EOF'\nbody\nEOF", False), ("echo $((1 << 2))", False),
    ("echo ${x:-y}", True), ("echo ${x#y}", True), ("echo $[1 + 2]", True),
    ("ls\r", True), ("cat <<", True), ("cat << $(x)\nbody", True), ("echo 'open", True),
    ("echo $(ls", True), ("echo `ls", True), ("echo ${x", True), ("ls \\", True),
])
def test_unsure_marks_what_the_reader_cannot_follow(command: str, unsure: bool) -> None:
    assert shell.parse(command).unsure is unsure


def test_an_unclosed_quote_keeps_the_lines_before_it() -> None:
    script = shell.parse('psql -c "DROP TABLE t"\necho "oops\nrm -rf x')

    assert [c.words for c in script.commands] == [["psql", "-c", "DROP TABLE t"]]
    assert script.unsure


@pytest.mark.parametrize(("command", "words", "stdin"), [
    ("cat <<E\"O\"F\n$(rm x)\nEOF\nls", [["cat"], ["ls"]], "$(rm x)"),
    ("cat <<-EOF\n\tbody\n\tEOF\nls", [["cat"], ["ls"]], "body"),
    ("cat <<EOF\na\\\nb\nEOF", [["cat"]], "ab"),
    ("cat <<'EOF'\na\\\nEOF\nls", [["cat"], ["ls"]], "a\\"),
    ("cat <<A <<B | wc\na\nA\nb\nB\nls", [["cat"], ["wc"], ["ls"]], "b"),
])
def test_heredoc_bodies(command: str, words: list[list[str]], stdin: str) -> None:
    script = shell.parse(command)

    assert [c.words for c in script.commands] == words
    assert script.commands[0].stdin == stdin


def test_a_literal_body_runs_no_substitution_and_an_expanding_one_does() -> None:
    assert shell.parse("cat <<E'OF'\n$(rm x)\nEOF").subs == []
    assert shell.parse("cat <<EOF\n$(rm x)\nEOF").subs == ["rm x"]


def test_a_default_value_is_read_in_place_of_the_expansion() -> None:
    """So the guard still reads ``psql -c "${Q:-DROP TABLE t}"``."""
    assert shell.parse('psql -c "${Q:-DROP TABLE t}"').commands[0].words == [
        "psql", "-c", "DROP TABLE t"]
    assert shell.parse("pact-memory ${X:-forget} m-1").commands[0].words == [
        "pact-memory", "forget", "m-1"]


def test_nesting_deeper_than_python_recurses_is_unsure_not_an_error() -> None:
    script = shell.parse("$(" * 5000 + "rm -rf x" + ")" * 5000)

    assert script.unsure and script.substitution


def test_random_text_never_raises() -> None:
    rng = random.Random(7)
    pieces = ["a", " ", "'", '"', "$(", ")", "`", "\\", "\n", "<<", "EOF", "#", "${", "}", "$[",
              "]", "$'", "(", "((", "))", "<(", "\r", "-", ";", "|", "&"]
    for _ in range(3000):
        shell.parse("".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))))


@pytest.mark.parametrize(("command", "found"), [
    ('ls #<<X\npsql -c "DROP TABLE users"', ["DROP TABLE: `DROP TABLE users`"]),
    ('ls # psql -c "DROP TABLE users"', []),  # a comment only mentions it
    ('psql -c "${Q:-DROP TABLE t}"', ["DROP TABLE: `DROP TABLE t`"]),
    ('psql -c "DROP TABLE t"\necho "oops', ["DROP TABLE: `DROP TABLE t`"]),  # runs before
    ("psql <<E\"O\"F\nDROP TABLE t;\nEOF", ["DROP TABLE: `DROP TABLE t`"]),
    ("cat <<A <<B | psql\nSELECT 1;\nA\nDROP TABLE t;\nB", ["DROP TABLE: `DROP TABLE t`"]),
    ('echo `\\`psql -c "DROP TABLE x"\\``', ["DROP TABLE: `DROP TABLE x`"]),
])
def test_the_guard_reads_what_bash_would_run(command: str, found: list[str]) -> None:
    from pact_runtime.signals import guard

    assert [f.describe() for f in guard._bash_findings(command, "/tmp")] == found


# ---- the words bash runs: brace expansion, quoted punctuation ----------------------------

WORD_CASES = [
    "alpha {a,b}", "alpha x{a,}y", "alpha {a,}", "alpha {,}", "alpha {a,b}{c,d}",
    "alpha {1..3}", "alpha {01..3}", "alpha {-01..2}", "alpha {1..-01}", "alpha {0..10}",
    "alpha {+01..3}", "alpha {1..10..3}", "alpha {1..5..-2}", "alpha {10..8}", "alpha {a..c}",
    "alpha {c..a}", "alpha {a..e..2}", "alpha {a..1}", "alpha {aa..c}", "alpha {1...3}",
    "alpha {1..3..}", "alpha {1..05..1}", "alpha {x}", "alpha {}", "alpha a{,}b",
    "alpha \"{a,b}\" \\{a,b} {a\\,b,c}", "alpha {'a,b'}", "alpha {'a,b'}{c,d}", "alpha {a,'}'}",
    "alpha {a,b\\}", "alpha {a,b\"}\"", "alpha {a,\"b c\"}", "alpha {a,\"\",b}", "alpha {a,''}x",
    "alpha {a,b{c,d}e}f", "alpha {{a,b},c}", "alpha {a,{b,c}d", "alpha {{a,b}", "alpha {a,b}}",
    "alpha a}b{c,d}", "alpha {a,b,{}}", "alpha {a..c}{", "alpha {a,b}{}", "alpha {x}{a,b}",
    "alpha {1..3}x{a,b}", "alpha a{b,c}{1..2}d{x,}",
    "alpha {a,b}=c", "alpha x={a,b}", "alpha {-i,f}", "alpha -{delete,print}",
    "{alpha,-rf,x}", "alpha {a..c}{1..2}", "alpha {1..2}\\ ", "alpha {\"a,\"b,c}",
    "alpha {$'\\x2c'a}", "alpha '{'a,b}", "alpha {a, b}", "alpha { a,b}", "alpha {,{a,b}}",
    "alpha {1,2}{3..1}", "alpha {a,b}#c", "alpha \"{\"{a,b}\"}\"", "alpha {a..Z}",
    "alpha ';' '|' '&&' '(' ')' '>' '<' \\; \\| \\>", "alpha '>'x \"<\"y", "alpha \\{ \\}",
]


@needs_bash
@pytest.mark.parametrize("command", WORD_CASES)
def test_the_reader_reads_the_words_bash_runs(bash_run, command: str) -> None:
    assert bash_run(command) == seen(command)


def _brace_words(rng: random.Random, count: int) -> list[str]:
    """Words built from braces, commas, sequences, quotes and escapes."""
    pieces = ["{", "}", ",", "a", "b", "1", "3", "..", "{a,b}", "{1..3}", "'", '"', "\\,",
              "\\{", "'{'", '","', "x", "-", "$'x'", "{}", "''"]
    words = []
    while len(words) < count:
        word = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        if word.count("'") % 2 == 0 and word.count('"') % 2 == 0:
            words.append(word)
    return words


@needs_bash
def test_generated_brace_words_read_as_bash_expands_them(bash_run) -> None:
    wrong = []
    for word in _brace_words(random.Random(11), 300):
        command = "alpha " + word
        ran, found = bash_run(command), seen(command)
        if ran and ran != found:
            wrong.append((word, ran, found))
    assert wrong == []


def test_an_assignment_before_the_program_is_not_brace_expanded() -> None:
    """Bash keeps ``x={a,b}`` whole when it is an assignment, and expands it as an argument."""
    assert [c.words for c in shell.parse("x={a,b} ls x={a,b}; {a,b}=c").commands] == [
        ["x={a,b}", "ls", "x=a", "x=b"], ["a=c", "b=c"]]


def test_a_parameter_expansion_is_no_brace_expansion() -> None:
    """Bash expands the braces around ``${HOME}``, not the ``${`` itself (then HOME)."""
    assert shell.parse("echo ${HOME}{a,b} {a,${HOME}x} ${x}").commands[0].words == [
        "echo", "${HOME}a", "${HOME}b", "a", "${HOME}x", "${x}"]


def test_a_brace_expansion_too_large_is_unsure_and_kept_as_it_is() -> None:
    assert shell.parse("echo {1..100}").unsure is False
    for command in ("echo {1..100000000}", "echo {a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}",
                    "echo " + "{1..20} " * 20):
        script = shell.parse(command)
        assert script.unsure, command
    assert shell.parse("echo {1..100000000}").commands[0].words == ["echo", "{1..100000000}"]


@pytest.mark.parametrize(("command", "words", "redirects"), [
    ("grep -n '>' a.txt", ["grep", "-n", ">", "a.txt"], []),
    ("grep -c '|' a.txt", ["grep", "-c", "|", "a.txt"], []),
    ("grep -n '&&' a.txt", ["grep", "-n", "&&", "a.txt"], []),
    ("rg -n '(' src", ["rg", "-n", "(", "src"], []),
    ("echo hi > ';'", ["echo", "hi"], [(">", ";")]),
    ("cat a.txt > '|'", ["cat", "a.txt"], [(">", "|")]),
    ("echo x >\\&", ["echo", "x"], [(">", "&")]),
    ("find . -exec cat {} \\;", ["find", ".", "-exec", "cat", "{}", ";"], []),
    ("echo x > ''", ["echo", "x"], [(">", "")]),
])
def test_quoted_punctuation_is_a_word(command: str, words: list[str],
                                      redirects: list[tuple[str, str]]) -> None:
    script = shell.parse(command)

    assert [(c.words, c.redirects) for c in script.commands] == [(words, redirects)]
    assert not script.grouping and not script.unsure


def test_a_redirection_to_a_quoted_punctuation_name_writes_it() -> None:
    (cmd,) = shell.parse("echo hi > ';'").commands
    assert any(shell.writes_file(op, target) for op, target in cmd.redirects)


@pytest.mark.parametrize(("command", "flags"), [
    ('cat "$F" a$G ~- ~+ ~/x ~ *.py src/* "-$X" "a$X" \'$X\' \\$X', [
        shell.EXPANDS | shell.LEADS, shell.EXPANDS | shell.SPLITS,
        shell.EXPANDS | shell.LEADS, shell.EXPANDS | shell.LEADS, 0, 0,
        shell.GLOB | shell.LEADS, shell.GLOB, shell.EXPANDS, shell.EXPANDS, 0, 0]),
    ("cat $_ ${x} \"\"$x \"\"\"$x\"", [shell.EXPANDS | shell.SPLITS | shell.LEADS] * 3 + [
        shell.EXPANDS | shell.LEADS]),
])
def test_each_word_says_whether_bash_computes_it(command: str, flags: list[int]) -> None:
    (cmd,) = [c for c in shell.parse(command).commands if c.words[0] == "cat"]
    assert cmd.flags[1:] == flags


def test_a_heredoc_or_here_string_that_expands_is_marked() -> None:
    for command, expands in (("cat <<EOF\n$X\nEOF", True), ("cat <<'EOF'\n$X\nEOF", False),
                             ("cat <<EOF\nplain\nEOF", False), ('cat <<< "$x"', True),
                             ("cat <<< '$x'", False)):
        assert shell.parse(command).commands[0].stdin_expands is expands, command
