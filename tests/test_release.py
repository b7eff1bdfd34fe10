"""Release habits: one version everywhere, a changelog, a licence, citation files, shell completion."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sysconfig
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import Result

from tests.conftest import ROOT

CFF_SCHEMA = Path(__file__).resolve().parent / "cff" / "schema-1.2.0.json"
RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", re.MULTILINE)


def _version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def test_the_version_is_the_same_everywhere() -> None:
    version = _version()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"    rev: v{version}  #" in readme, "the pre-commit example names the current release tag"
    assert f'factsheet@v{version}"' in readme, "the pipx example installs the current release"
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == version
    [(latest, day), *_] = RELEASE.findall((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert latest == version
    assert citation["date-released"] == day


def test_the_changelog_keeps_a_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.index("## [Unreleased]") < text.index("## [", text.index("## [Unreleased]") + 1)
    releases = RELEASE.findall(text)
    versions = [tuple(int(n) for n in version.split(".")) for version, _ in releases]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert [day for _, day in releases] == sorted((day for _, day in releases), reverse=True)
    for version, _ in releases:
        assert re.search(rf"^\[{re.escape(version)}\]: https://", text, re.MULTILINE), f"no link for {version}"
    headings = set(re.findall(r"^### (.+)$", text, re.MULTILINE))
    assert headings <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_the_licence_is_the_one_pyproject_names() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n") and "Permission is hereby granted, free of charge" in licence


def _cff_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _cff_errors(citation: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _cff_validator().iter_errors(citation)]


def test_the_software_citation_is_valid_cff() -> None:
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert _cff_errors(citation) == []
    assert (citation["type"], citation["title"], citation["license"]) == ("software", "factsheet", "MIT")
    assert _cff_errors({**citation, "type": "program"}), "the schema is really checked"


def test_the_data_set_citation_published_in_the_site_is_valid_cff(project: Path, run: Callable[..., Result]) -> None:
    assert run("generate", "--project", str(project)).exit_code == 0
    citation = yaml.safe_load((project / "docs" / "downloads" / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["type"] == "dataset"
    assert _cff_errors(citation) == []


def _factsheet(env: dict[str, str]) -> str:
    command = Path(sysconfig.get_path("scripts")) / "factsheet"
    if not command.is_file():
        message = "the factsheet command is not installed beside this Python (pip install -e .)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run([str(command)], env={**os.environ, **env}, capture_output=True, text=True, check=True)
    return result.stdout


def test_shell_completion_as_the_readme_documents_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'eval "$(_FACTSHEET_COMPLETE=bash_source factsheet)"' in readme
    script = _factsheet({"_FACTSHEET_COMPLETE": "bash_source"})
    assert "_factsheet_completion" in script and "complete -o nosort -F _factsheet_completion factsheet" in script
    # What bash asks the script for when one types `factsheet val<TAB>`:
    answer = _factsheet({"_FACTSHEET_COMPLETE": "bash_complete", "COMP_WORDS": "factsheet val", "COMP_CWORD": "1"})
    assert answer.split() == ["plain,validate"]
    options = _factsheet(
        {"_FACTSHEET_COMPLETE": "bash_complete", "COMP_WORDS": "factsheet validate --format ", "COMP_CWORD": "3"}
    )
    assert options.split() == ["plain,text", "plain,github", "plain,json", "plain,sarif"]
