"""One fixture per validation rule: an overlay on the valid corpus and the exact output it must produce."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, make_project

CASES = sorted(p.name for p in (FIXTURES / "invalid").iterdir() if p.is_dir())


def _overlay(project: Path, case: str) -> str:
    case_dir = FIXTURES / "invalid" / case
    for path in case_dir.rglob("*"):
        if path.is_file() and path.name != "expected.txt":
            target = project / path.relative_to(case_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    return (case_dir / "expected.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_rule_reports_exact_problems(case: str, tmp_path: Path, run, request: pytest.FixtureRequest) -> None:
    project = make_project(tmp_path / "project")
    expected = _overlay(project, case) if (FIXTURES / "invalid" / case / "expected.txt").exists() else ""
    result = run("validate", "--project", str(project))
    if request.config.getoption("--update-goldens"):
        (FIXTURES / "invalid" / case / "expected.txt").write_text(result.stdout, encoding="utf-8")
        expected = result.stdout
    assert result.stdout == expected
    has_errors = any(": error: " in line for line in expected.splitlines())
    assert result.exit_code == (1 if has_errors else 0)


def test_every_case_has_expected_output() -> None:
    missing = [case for case in CASES if not (FIXTURES / "invalid" / case / "expected.txt").is_file()]
    assert not missing


def test_warnings_fail_only_with_strict(tmp_path: Path, run) -> None:
    project = make_project(tmp_path / "project")
    _overlay(project, "warnings")
    assert run("validate", "--project", str(project)).exit_code == 0
    assert run("validate", "--project", str(project), "--strict").exit_code == 1
