"""Problems found in fact files, reported as ``path:line:col: severity: message``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from generator.limits import INVISIBLE

Severity = Literal["error", "warning"]


# Characters a terminal or a log viewer would act on or hide: control characters (a
# carriage return and ANSI escapes can redraw an error as "all good"), format characters
# such as U+202E, line and paragraph separators.
_UNSHOWABLE = re.compile(f"[\\t\\n\\u200c\\u200d]|{INVISIBLE.pattern}")


def shown(text: str) -> str:
    """``text`` with every control or invisible character written as an escape (``\\x1b``, ``\\u202e``)."""
    return _UNSHOWABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a fact file, at a 1-based line and column."""

    path: str
    line: int
    col: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return shown(f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}")

    def github_annotation(self) -> str:
        """The same problem as a GitHub Actions workflow command (shown on the line in a pull request)."""
        command = "error" if self.severity == "error" else "warning"
        message = shown(self.message).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = shown(self.path).replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
        return f"::{command} file={path},line={self.line},col={self.col}::{message}"


class FactsInvalid(Exception):
    """Raised by the pipeline when any fact file has an error; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = sum(1 for p in problems if p.severity == "error")
        super().__init__(f"{errors} error{'s' if errors != 1 else ''} in fact files")
