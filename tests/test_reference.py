"""The fact format reference stays true: every field, its requiredness, every allowed value, valid examples."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest

from generator import models
from tests.conftest import ROOT, make_project

REFERENCE = ROOT / "docs/reference/format.md"
SECTIONS: dict[str, type[models.Record]] = {
    "Source": models.Source,
    "Actor": models.Actor,
    "Actor relation": models.ActorRelation,
    "Place": models.Place,
    "Coordinates": models.Coordinates,
    "Incident": models.Incident,
    "When": models.When,
    "Incident actor": models.IncidentActor,
    "Near place": models.NearPlace,
    "Other place": models.IncidentPlace,
    "Related incident": models.RelatedIncident,
    "Question": models.Question,
    "Claim": models.Claim,
    "Citation": models.Citation,
}


def _tables() -> dict[str, dict[str, tuple[str, str]]]:
    """Heading → {field: (required, meaning)} for every field table in the reference."""
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    heading = ""
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^#{2,3} (.+)$", line):
            heading = match.group(1)
        elif match := re.match(r"^\| `(\w+)` \| (yes|no) \| (.+) \|$", line):
            tables.setdefault(heading, {})[match.group(1)] = (match.group(2), match.group(3))
    return tables


def _allowed_values(annotation: Any) -> list[str]:
    if get_origin(annotation) is Literal:
        return [str(v) for v in get_args(annotation)]
    return [v for arg in get_args(annotation) for v in _allowed_values(arg)]


@pytest.mark.parametrize("section", SECTIONS)
def test_every_field_is_documented_with_its_requiredness(section: str) -> None:
    model = SECTIONS[section]
    table = _tables().get(section, {})
    assert set(table) == set(model.model_fields), f"'{section}' table differs from the {model.__name__} model"
    for name, field in model.model_fields.items():
        assert table[name][0] == ("yes" if field.is_required() else "no"), f"{section}.{name}"
        for value in _allowed_values(field.annotation):
            assert f"`{value}`" in table[name][1], f"{section}.{name}: allowed value `{value}` is not documented"


def test_examples_validate(tmp_path: Path, run) -> None:
    project = make_project(tmp_path / "project")
    text = REFERENCE.read_text(encoding="utf-8")
    examples = re.findall(r"```yaml\n# (facts/\S+)[^\n]*\n(.*?)```", text, flags=re.S)
    assert len(examples) == 4
    for path, body in examples:
        target = project / path
        if path.startswith("facts/sources/"):
            original = (project / "facts/sources/airborne-threat-report.md").read_text(encoding="utf-8")
            archived = original.split("\n---\n", 1)[1]
            target.write_text(f"---\n{body}---\n{archived}", encoding="utf-8")
            # The example is that document under another id: one document is one source.
            (project / "facts/sources/airborne-threat-report.md").unlink()
            for fact in (project / "facts").rglob("*.yaml"):
                cited = fact.read_text(encoding="utf-8")
                fact.write_text(cited.replace("source: airborne-threat-report\n", f"source: {target.stem}\n"))
        else:
            target.write_text(body, encoding="utf-8")
    result = run("validate", "--project", str(project))
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == []
    shutil.rmtree(project)


def test_fragment_examples_validate_in_an_incident(tmp_path: Path, run) -> None:
    """Examples of single fields ('# within facts/incidents/<id>.yaml') validate inside an incident of the corpus."""
    import yaml

    project = make_project(tmp_path / "project", facts=ROOT / "facts")
    text = REFERENCE.read_text(encoding="utf-8")
    fragments = re.findall(r"```yaml\n# within facts/incidents/\S+[^\n]*\n(.*?)```", text, flags=re.S)
    assert len(fragments) >= 3
    base = {
        "title": "Example",
        "when": {"date": "2021"},
        "place": "iraq",
        "type": "other",
        "questions": [
            {
                "id": "what",
                "label": "What happened?",
                "claims": [
                    {
                        "id": "rockets",
                        "text": "Rockets.",
                        "citations": [
                            {
                                "source": "rockets-targeting-us-embassy-rain-on-baghdads-green-zone",
                                "quote": "Multiple rockets have targeted",
                            }
                        ],
                    }
                ],
            }
        ],
    }
    for number, fragment in enumerate(fragments):
        incident = {**base, **yaml.safe_load(fragment)}
        path = project / "facts" / "incidents" / f"reference-fragment-{number}.yaml"
        path.write_text(yaml.safe_dump(incident, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run("validate", "--project", str(project))
    errors = [line for line in result.stdout.splitlines() if ": error: " in line and "reference-fragment" in line]
    assert errors == []
    assert result.exit_code == 0
    shutil.rmtree(project)
