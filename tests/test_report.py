"""`factsheet validate --format json|sarif`, on a broken fact; SARIF checked against the official 2.1.0 schema."""

from __future__ import annotations

import copy
import json
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from generator.cli import main

SARIF_SCHEMA = Path(__file__).resolve().parent / "sarif" / "sarif-schema-2.1.0.json"
KIND_MESSAGE = (
    "kind must be one of 'country', 'province', 'city', 'district', 'neighbourhood', 'compound', 'facility', "
    "'military-base', 'airport', 'border-area', 'region' or 'other'"
)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A project with one place that breaks the format twice."""
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    places = tmp_path / "facts" / "places"
    places.mkdir(parents=True)
    (places / "iraq.yaml").write_text(
        textwrap.dedent(
            """\
            # yaml-language-server: $schema=../../schemas/place.json
            name: Iraq
            kind: kingdom
            coordinates: {lat: 33.0, lon: 44.0, precision_m: 100%}
            """
        )
    )
    return tmp_path


def _validate(project: Path, *options: str) -> tuple[int, Any]:
    result = CliRunner().invoke(main, ["validate", "--project", str(project), *options])
    return result.exit_code, json.loads(result.stdout)


def test_json_report_of_a_broken_fact(broken: Path) -> None:
    code, report = _validate(broken, "--format", "json")
    assert code == 1
    assert report == {
        "format": "factsheet-problems/1",
        "tool": {"name": "factsheet", "version": metadata.version("factsheet")},
        "valid": False,
        "summary": {"errors": 2, "warnings": 0},
        "problems": [
            {"path": "facts/places/iraq.yaml", "line": 3, "column": 7, "severity": "error", "message": KIND_MESSAGE},
            {
                "path": "facts/places/iraq.yaml",
                "line": 4,
                "column": 50,
                "severity": "error",
                "message": "coordinates.precision_m must be a whole number",
            },
        ],
    }


def test_json_report_of_valid_facts(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    (tmp_path / "facts").mkdir()
    code, report = _validate(tmp_path, "--format", "json")
    assert code == 0
    assert (report["valid"], report["summary"], report["problems"]) == (True, {"errors": 0, "warnings": 0}, [])


def _sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def test_sarif_log_of_a_broken_fact_is_valid_sarif_2_1_0(broken: Path) -> None:
    code, log = _validate(broken, "--format", "sarif")
    assert code == 1
    validator = _sarif_validator()
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
    assert not errors, errors
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [(r["id"], r["defaultConfiguration"]["level"]) for r in rules] == [
        ("fact-error", "error"),
        ("fact-warning", "warning"),
    ]
    located = [
        (
            result["ruleId"],
            rules[result["ruleIndex"]]["id"],
            result["level"],
            result["locations"][0]["physicalLocation"]["artifactLocation"],
            result["locations"][0]["physicalLocation"]["region"],
            result["message"]["text"],
        )
        for result in run["results"]
    ]
    where = {"uri": "facts/places/iraq.yaml", "uriBaseId": "%SRCROOT%"}
    assert located == [
        ("fact-error", "fact-error", "error", where, {"startLine": 3, "startColumn": 7}, KIND_MESSAGE),
        (
            "fact-error",
            "fact-error",
            "error",
            where,
            {"startLine": 4, "startColumn": 50},
            "coordinates.precision_m must be a whole number",
        ),
    ]
    fingerprints = [result["partialFingerprints"]["factsheetProblem/v1"] for result in run["results"]]
    assert len(set(fingerprints)) == 2


def test_the_schema_rejects_what_is_not_sarif(broken: Path) -> None:
    """The validator is the real thing: a log without its version, or with a bad level, fails it."""
    _, log = _validate(broken, "--format", "sarif")
    validator = _sarif_validator()
    without_version = copy.deepcopy(log)
    del without_version["version"]
    bad_level = copy.deepcopy(log)
    bad_level["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(without_version)
    assert not validator.is_valid(bad_level)


def test_a_path_with_spaces_is_a_uri(tmp_path: Path) -> None:
    from generator.problems import Problem
    from generator.report import to_sarif

    log = json.loads(to_sarif([Problem("facts/places/al anbar.yaml", 1, 1, "warning", "w")]))
    assert _sarif_validator().is_valid(log)
    result = log["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "facts/places/al%20anbar.yaml"
    assert (result["ruleId"], result["level"]) == ("fact-warning", "warning")
