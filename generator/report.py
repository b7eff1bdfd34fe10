"""Problems as machine-readable reports: factsheet's own JSON, and SARIF 2.1.0 for code scanning.

The JSON shape (``factsheet validate --format json``) is documented in the README and
stable: ``format`` names its version, and within a version fields are only ever added.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from typing import Any
from urllib.parse import quote

from generator.problems import Problem

JSON_FORMAT = "factsheet-problems/1"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_URI = "https://github.com/factsheet-org/factsheet"
FORMAT_HELP = f"{TOOL_URI}/blob/main/docs/reference/format.md"

# One rule per severity: problems carry no finer identity that stays the same across runs.
RULES: dict[str, dict[str, Any]] = {
    "error": {
        "id": "fact-error",
        "name": "FactError",
        "shortDescription": {"text": "A fact file breaks the format or fails a check"},
        "fullDescription": {
            "text": "A fact file does not follow the fact format, or a check failed (a quote not found in its "
            "source, a reference to a record that does not exist…). Nothing is published until it is fixed."
        },
        "helpUri": FORMAT_HELP,
        "defaultConfiguration": {"level": "error"},
    },
    "warning": {
        "id": "fact-warning",
        "name": "FactWarning",
        "shortDescription": {"text": "A fact file passes but asks for attention"},
        "fullDescription": {
            "text": "A fact file is valid and is published, but something in it deserves a second look "
            "(a claim that rests on a single source…). `factsheet validate --strict` fails on it."
        },
        "helpUri": FORMAT_HELP,
        "defaultConfiguration": {"level": "warning"},
    },
}


def _version() -> str:
    try:
        return metadata.version("factsheet")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "0+unknown"


def _counts(problems: list[Problem]) -> dict[str, int]:
    errors = sum(1 for p in problems if p.severity == "error")
    return {"errors": errors, "warnings": len(problems) - errors}


def to_json(problems: list[Problem], *, strict: bool = False) -> str:
    """The problems as factsheet's JSON report (see README, "Machine-readable problems")."""
    counts = _counts(problems)
    report = {
        "format": JSON_FORMAT,
        "tool": {"name": "factsheet", "version": _version()},
        "valid": counts["errors"] == 0 and not (strict and counts["warnings"]),
        "summary": counts,
        "problems": [
            {
                "path": p.path,
                "line": p.line,
                "column": p.col,
                "severity": p.severity,
                "message": p.message,
            }
            for p in problems
        ],
    }
    return json.dumps(report, indent=2) + "\n"


def _fingerprint(problem: Problem) -> str:
    """Stable across runs while the problem stays (a line moving does not change it)."""
    return hashlib.sha256(f"{problem.path}\0{problem.message}".encode()).hexdigest()[:32]


def to_sarif(problems: list[Problem]) -> str:
    """The problems as a SARIF 2.1.0 log, paths relative to the project folder (%SRCROOT%)."""
    rule_index = {severity: index for index, severity in enumerate(RULES)}
    results = [
        {
            "ruleId": RULES[p.severity]["id"],
            "ruleIndex": rule_index[p.severity],
            "level": p.severity,
            "message": {"text": p.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": quote(p.path), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": p.line, "startColumn": p.col},
                    }
                }
            ],
            "partialFingerprints": {"factsheetProblem/v1": _fingerprint(p)},
        }
        for p in problems
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "factsheet",
                        "version": _version(),
                        "informationUri": TOOL_URI,
                        "rules": list(RULES.values()),
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
