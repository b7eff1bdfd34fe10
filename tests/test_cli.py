"""The command-line contract: exit codes and message formats."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

LINE = re.compile(r"^[^:\s]+:\d+:\d+: (error|warning): .+$")


def test_validate_exit_0_on_valid_facts(project: Path, run) -> None:
    result = run("validate", "--project", str(project))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "0 errors, 0 warnings\n"


def test_validate_exit_1_with_one_line_per_problem(project: Path, run) -> None:
    (project / "facts/places/bad.yaml").write_text("name: Bad\nkind: town\nparent: nowhere\n")
    result = run("validate", "--project", str(project))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "facts/places/bad.yaml:2:7: error: kind must be one of 'country', 'province', 'city', 'district', 'neighbourhood', 'compound', 'facility', 'military-base', 'airport', 'border-area', 'region' or 'other'"
    ]
    assert all(LINE.match(line) for line in lines)


def test_validate_exit_2_on_bad_usage(tmp_path: Path, run) -> None:
    assert run("validate", "--no-such-option").exit_code == 2
    result = run("validate", "--project", str(tmp_path))
    assert result.exit_code == 2
    assert "no mkdocs.yml in" in result.output


def test_github_annotations_point_at_the_line(project: Path, run) -> None:
    (project / "facts/places/bad.yaml").write_text("name: Bad\nkind: city\nparnet: iraq\n")
    result = run("validate", "--project", str(project), "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=facts/places/bad.yaml,line=3,col=1::unknown field 'parnet'; did you mean 'parent'?"
    ]


def test_console_script_is_installed_and_runs_from_the_project_folder(project: Path) -> None:
    factsheet = Path(sys.executable).parent / "factsheet"
    command = [str(factsheet)] if factsheet.exists() else [sys.executable, "-m", "generator"]
    result = subprocess.run([*command, "validate"], cwd=project, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_every_command_is_documented_in_the_readme(run) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    from generator.cli import main

    for name in main.commands:
        assert f"factsheet {name}" in readme, f"README does not mention `factsheet {name}`"
