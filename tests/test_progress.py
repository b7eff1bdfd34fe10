"""Progress: bars in a terminal, plain periodic lines elsewhere (CI logs)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from generator.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = Progress(out, every=0)  # a line at every item, to see them all
    assert not progress.bars
    assert list(progress.track(["a", "b", "c"], "Rendering pages", total=3)) == ["a", "b", "c"]
    lines = out.getvalue().splitlines()
    assert lines[0] == "Rendering pages 0/3…"
    assert lines[1:4] == [f"Rendering pages: {n}/3 (0 s)" for n in (1, 2, 3)]
    assert lines[4].startswith("Rendering pages: done (3/3, ")


def test_plain_lines_are_periodic_not_one_per_item() -> None:
    out = io.StringIO()
    list(Progress(out, every=3600).track(range(10_000), "Rendering pages"))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("Rendering pages: done (10,000, ")


def test_bars_in_a_terminal() -> None:
    out = _Terminal()
    progress = Progress(out)
    assert progress.bars
    list(progress.track(range(5), "Rendering pages", total=5))
    shown = out.getvalue()
    assert "Rendering pages" in shown
    assert "5/5" in shown
    assert "\x1b[" in shown  # drawn with terminal control sequences, not printed as lines


def test_generate_reports_its_steps_in_a_log(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "generate", "--project", str(project)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TERM": "dumb"},
    )
    assert result.returncode == 0, result.stderr
    for step in ("Loading and checking the facts", "Indexing the facts", "Rendering pages", "Checking links"):
        assert f"{step}: done (" in result.stderr
    assert "\x1b[" not in result.stderr
