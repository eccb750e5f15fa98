"""Problems found in the content, reported like a compiler: ``path:line: code: message``."""

from __future__ import annotations

import logging
from typing import NamedTuple

log = logging.getLogger(__name__)

ERROR = "error"
WARNING = "warning"


class Problem(NamedTuple):
    """One finding; ``path`` is relative to the checked root, ``line`` is 1-based."""

    path: str
    line: int
    code: str
    message: str
    hint: str = ""
    severity: str = ERROR

    def format(self) -> str:
        """The report lines: location and message, then an indented fix hint."""
        label = f"{self.code}: warning" if self.severity == WARNING else self.code
        text = f"{self.path}:{self.line}: {label}: {self.message}"
        return f"{text}\n    fix: {self.hint}" if self.hint else text


class Report:
    """Collects every problem of a run, so all of them are printed at once."""

    def __init__(self) -> None:
        self._problems: list[Problem] = []

    def error(self, path: str, line: int, code: str, message: str, hint: str = "") -> None:
        self._problems.append(Problem(path, line, code, message, hint, ERROR))

    def warn(self, path: str, line: int, code: str, message: str, hint: str = "") -> None:
        self._problems.append(Problem(path, line, code, message, hint, WARNING))

    def extend(self, problems: list[Problem]) -> None:
        self._problems.extend(problems)

    @property
    def problems(self) -> list[Problem]:
        """Every problem once, in a stable order: path, line, code, message."""
        return sorted(set(self._problems), key=lambda p: (p.path, p.line, p.code, p.message))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def failed(self, strict: bool) -> bool:
        """True when the run must exit 1: any error, or any warning under ``--strict``."""
        return bool(self.errors) or (strict and bool(self.warnings))


class BuildFailed(Exception):
    """Raised by the pipeline when the content has problems; carries the report."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
        self.report = report


class UsageError(Exception):
    """A problem with how the command was called (exit 2), not with the content."""
