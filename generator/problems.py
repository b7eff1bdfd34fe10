"""Problems found in fact files, reported as ``path:line:col: severity: message``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a fact file, at a 1-based line and column."""

    path: str
    line: int
    col: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def github_annotation(self) -> str:
        """The same problem as a GitHub Actions workflow command (shown on the line in a pull request)."""
        command = "error" if self.severity == "error" else "warning"
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = self.path.replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
        return f"::{command} file={path},line={self.line},col={self.col}::{message}"


class FactsInvalid(Exception):
    """Raised by the pipeline when any fact file has an error; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = sum(1 for p in problems if p.severity == "error")
        super().__init__(f"{errors} error{'s' if errors != 1 else ''} in fact files")
