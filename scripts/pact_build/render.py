"""Render Markdown content with Jinja2, sharing protocol sections by include.

The delimiters are HTML comments (``<!--{ … }-->``, ``<!--% … %-->``,
``<!--# … #-->``), so ordinary braces in content (``${#a[@]}``,
``${{ matrix.os }}``, ``{{ $json.id }}``, ``{#anchor}``, ``{% raw %}``) are
plain text to Jinja and come through byte-identical.
"""

from __future__ import annotations

import logging
import posixpath
import re
import traceback
from typing import Any

import jinja2
import jinja2.sandbox

from . import markdown
from .errors import Problem
from .names import closest
from .sources import Content, Source

log = logging.getLogger(__name__)

_EXTERNAL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:|//)")
RENDERED_KINDS = ("agent", "command", "skill", "reference", "protocol", "brief")
_MARK = "<!--"
# Every opening delimiter; each must start an allowed tag or a comment.
_OPENER = re.compile(r"<!--[{%#]")
_STRING = r"""(?:"[^"\\\n]*"|'[^'\\\n]*')"""
INCLUDE = re.compile(rf"<!--\{{\s*include\(\s*({_STRING})\s*,\s*({_STRING})\s*\)\s*\}}-->")
_COMMENT = re.compile(r"<!--#.*?#-->", re.DOTALL)
ALLOWED_TAG = '<!--{ include("protocol", "Heading") }-->'


class IncludeError(Exception):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def environment() -> jinja2.Environment:
    """The build's only Jinja2 environment; a missing variable is an error, never ''.

    Sources are scanned first (see ``scan``), so only include() calls reach Jinja;
    the sandbox and the empty globals are a second line should the scan miss one.
    """
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        variable_start_string="<!--{",
        variable_end_string="}-->",
        block_start_string="<!--%",
        block_end_string="%-->",
        comment_start_string="<!--#",
        comment_end_string="#-->",
        line_statement_prefix=None,
        line_comment_prefix=None,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    env.globals.clear()
    return env


def scan(source: Source) -> list[Problem]:
    """A problem for every template tag in ``source`` other than include() and comments."""
    return [
        Problem(
            source.rel,
            source.body_line + source.body.count("\n", 0, start),
            "template",
            f"only {ALLOWED_TAG} is allowed here",
            'write include("protocol-stem", "Heading") with two quoted strings, '
            "or remove the <!--{ / <!--% tag; <!--# … #--> comments are also allowed",
        )
        for start in _forbidden(source.body)
    ]


def _forbidden(text: str) -> list[int]:
    """Offsets of the template tags in ``text`` that are neither include() nor a comment."""
    found: list[int] = []
    index = 0
    while (match := _OPENER.search(text, index)) is not None:
        allowed = INCLUDE.match(text, match.start()) or _COMMENT.match(text, match.start())
        if allowed is None:
            found.append(match.start())
        index = allowed.end() if allowed is not None else match.end()
    return found


class Renderer:
    """Renders every Markdown source; ``include(protocol, heading)`` inserts a section."""

    def __init__(self, content: Content) -> None:
        self.protocols = {s.id: s for s in content.of("protocol")}
        self._bodies = {s.rel: s.body for s in content.of(*RENDERED_KINDS)}
        self._stack: list[str] = []
        self.env = environment()
        self.env.loader = jinja2.FunctionLoader(self._load)
        self.env.globals.update(include=self._include)

    @jinja2.pass_context
    def _include(self, context: jinja2.runtime.Context, protocol: Any, heading: Any) -> str:
        # The template's name is the including file; nested includes have none.
        return self.include(protocol, heading, context.name)

    def render(self, source: Source) -> tuple[str | None, list[Problem]]:
        """The file's output text (frontmatter kept as written), or None with problems."""
        head = "\n".join(source.text.split("\n")[: source.body_line - 1])
        head = head + "\n" if head else ""
        if _MARK not in source.body:
            return _finish(head + source.body), []
        problems = scan(source)
        if problems:
            return None, problems + self._check_includes(source)
        try:
            body = self.env.get_template(source.rel).render()
        except jinja2.TemplateError as exc:
            return None, [_problem(exc, source)]
        except IncludeError as exc:
            # Rendering stops at the first bad include; find every other one too.
            return None, self._check_includes(source) or [_problem(exc, source)]
        return _finish(head + body), []

    def include(self, protocol: Any, heading: Any, into: str | None = None) -> str:
        """Section ``heading`` of ``protocols/<protocol>.md``, links made relative to ``into``."""
        source = self.protocols.get(str(protocol))
        if source is None:
            guess = closest(str(protocol), sorted(self.protocols))
            raise IncludeError(
                f'protocol "{protocol}" does not exist (protocols/{protocol}.md)',
                f'did you mean "{guess}"?' if guess else "add the protocol file",
            )
        text = markdown.section(source.body, str(heading))
        if text is None:
            titles = [h.title for h in markdown.headings(source.body)]
            guess = closest(str(heading), titles)
            listed = ", ".join(f'"{t}"' for t in titles[:8])
            if not titles:
                hint = f"{source.rel} has no headings at all; add the section, or include another"
            else:
                hint = f'did you mean "{guess}"?' if guess else f"headings there: {listed}"
            raise IncludeError(f'no heading "{heading}" in {source.rel}', hint)
        if _forbidden(text):
            raise IncludeError(
                f'section "{heading}" of {source.rel} holds a template tag other than include()',
                f"fix the tag in {source.rel} first",
            )
        if _MARK in text and source.rel not in self._stack:
            self._stack.append(source.rel)
            try:
                text = self.env.from_string(text).render()
            finally:
                self._stack.pop()
        return _relink(text, source.rel, into or source.rel)

    def _check_includes(self, source: Source) -> list[Problem]:
        """Missing protocols and headings of a file that cannot be rendered, found statically."""
        problems = []
        for match in INCLUDE.finditer(source.body):
            try:
                self.include(match.group(1)[1:-1], match.group(2)[1:-1], source.rel)
            except IncludeError as exc:
                line = source.body_line + source.body.count("\n", 0, match.start())
                problems.append(Problem(source.rel, line, "include-missing", str(exc), exc.hint))
        return problems

    def _load(self, name: str) -> tuple[str, str, Any]:
        return self._bodies[name], name, lambda: True


def render_all(content: Content) -> tuple[dict[str, str], list[Problem]]:
    """Rendered text of every Markdown source, keyed by its path, and every problem."""
    renderer = Renderer(content)
    rendered: dict[str, str] = {}
    problems: list[Problem] = []
    for source in content.of(*RENDERED_KINDS):
        text, found = renderer.render(source)
        problems += found
        if text is not None:
            rendered[source.rel] = text
            log.debug("rendered %s", source.rel)
    return rendered, problems


def _problem(exc: Exception, source: Source) -> Problem:
    if isinstance(exc, IncludeError):
        return Problem(
            source.rel, _template_line(exc, source), "include-missing", str(exc), exc.hint
        )
    if isinstance(exc, jinja2.TemplateSyntaxError):
        line = source.body_line + (exc.lineno or 1) - 1
        return Problem(
            source.rel,
            line,
            "template-syntax",
            exc.message or "syntax error",
            'tags are <!--{ include("protocol", "Heading") }-->',
        )
    return Problem(
        source.rel,
        _template_line(exc, source),
        "template-error",
        str(exc),
        f"only {ALLOWED_TAG} is defined",
    )


# Bodies the client sends without a folder to read relative links from: their links name
# the file under the plugin root, which the client substitutes in agent and command bodies.
_ROOTED = ("agents/", "commands/")


def _relink(text: str, origin: str, into: str) -> str:
    """Rewrite relative links of text taken from ``origin`` so they work inside ``into``."""
    if origin == into:
        return text
    rooted = into.startswith(_ROOTED)

    def change(target: str) -> str:
        if _EXTERNAL.match(target) or "${" in target:
            return target
        path, sep, anchor = target.partition("#")
        resolved = posixpath.normpath(
            posixpath.join(posixpath.dirname(origin), path or posixpath.basename(origin))
        )
        if rooted:
            return "${CLAUDE_PLUGIN_ROOT}/" + resolved + sep + anchor
        moved = posixpath.relpath(resolved, posixpath.dirname(into) or ".")
        return moved + sep + anchor

    return markdown.rewrite_links(text, change)


def _template_line(exc: BaseException, source: Source) -> int:
    """The file line of the innermost frame of ``source``'s template in the traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == source.rel]
    lineno = frames[-1].lineno if frames and frames[-1].lineno else 1
    return source.body_line + lineno - 1


def _finish(text: str) -> str:
    return text.rstrip("\n") + "\n" if text.strip("\n") else ""
