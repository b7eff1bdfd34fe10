from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_bundled_facts_are_valid() -> None:
    result = CliRunner().invoke(main, ["validate", "--project", str(ROOT)])
    assert result.exit_code == 0, result.output
