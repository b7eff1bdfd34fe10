from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.load import body_hash
from generator.pipeline import validate
from generator.project import Project

TEXT = "Rockets hit the base\n\nThree rockets hit the base on Monday, the coalition said.\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "mkdocs.yml").write_text("site_name: test\n")
    (tmp_path / "facts").mkdir()
    return tmp_path


def new(project: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["new", *args, "--project", str(project)], input=stdin)
    return result.exit_code, result.output


def test_new_source_from_standard_input_has_its_hash(project: Path) -> None:
    code, output = new(project, "source", "coalition-statement", "--from", "-", "--retrieved", "2021-07-08", stdin=TEXT)
    assert code == 0
    assert output == (
        "created facts/sources/coalition-statement.md\n"
        "left to do:\n"
        "  facts/sources/coalition-statement.md:3:1: warning: nothing cites this source: cite it from a claim, or remove it\n"
    )
    digest = body_hash(TEXT[:-1])
    assert (project / "facts/sources/coalition-statement.md").read_text() == textwrap.dedent(
        f"""\
        ---
        # yaml-language-server: $schema=../../schemas/source.json
        title: "Rockets hit the base"
        outlet: unknown
        author: unknown
        published: unknown
        url: unknown
        language: en
        kind: other
        retrieved: 2021-07-08
        sha256: {digest}
        ---
        Rockets hit the base

        Three rockets hit the base on Monday, the coalition said.
        """
    )


def test_new_source_from_a_file_records_its_name(project: Path, tmp_path: Path) -> None:
    archived = tmp_path / "003_statement.txt"
    archived.write_bytes(b"No final newline \xe2\x80\x94 kept exactly")
    code, _ = new(project, "source", "statement", "--from", str(archived), "--kind", "official-statement")
    assert code == 0
    validation = validate(Project.at(project))
    source = validation.corpus.sources["statement"]
    assert source.body == "No final newline — kept exactly"
    assert source.record.provenance == "003_statement.txt"
    assert source.record.kind == "official-statement"
    assert validation.errors == []


def test_new_never_overwrites(project: Path) -> None:
    assert new(project, "actor", "us-led-coalition")[0] == 0
    code, output = new(project, "actor", "us-led-coalition", "--name", "Other")
    assert code == 1
    assert output == "Error: facts/actors/us-led-coalition.yaml already exists: edit it, or choose another id\n"


def test_new_rejects_a_bad_id_and_a_source_without_text(project: Path) -> None:
    code, output = new(project, "place", "Green Zone")
    assert code == 1
    assert output == (
        "Error: 'Green Zone' is not a valid id: it contains the capital letter 'G'; use lowercase letters a-z, digits and single hyphens "
        "(at most 80 characters), e.g. 'ain-al-asad-air-base'\n"
    )
    code, output = new(project, "source", "empty", "--from", "-", stdin="\n")
    assert (code, output) == (
        1,
        "Error: the source text is empty: give the archived text as a file or on standard input\n",
    )


def test_new_incident_lists_what_is_left_to_fill_in(project: Path) -> None:
    new(project, "source", "coalition-statement", "--from", "-", "--retrieved", "2021-07-08", stdin=TEXT)
    new(project, "place", "ain-al-asad-air-base", "--name", "Ain al-Asad air base", "--kind", "military-base")
    code, output = new(
        project,
        "incident",
        "ain-al-asad-rockets-2021-07-05",
        "--place",
        "ain-al-asad-air-base",
        "--date",
        "2021-07-05",
        "--source",
        "coalition-statement",
        "--quote",
        "Three rockets hit the base",
        "--kind",
        "rocket-attack",
    )
    assert code == 0
    assert output == textwrap.dedent(
        """\
        created facts/incidents/ain-al-asad-rockets-2021-07-05.yaml
        left to do:
          facts/incidents/ain-al-asad-rockets-2021-07-05.yaml:2:1: warning: the incident rests on a single source ('coalition-statement'): look for a second one
        """
    )
    assert (project / "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml").read_text() == textwrap.dedent(
        """\
        # yaml-language-server: $schema=../../schemas/incident.json
        title: "Fill in: a neutral title"
        when:
          date: 2021-07-05  # EDTF: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM+03:00
        place: ain-al-asad-air-base
        type: rocket-attack
        actors: []
        questions:
          - id: what-happened
            label: What happened?
            claims:
              - id: first-account
                text: "Fill in: the statement, in neutral words."
                citations:
                  - source: coalition-statement
                    quote: "Three rockets hit the base"
        """
    )


@pytest.mark.parametrize("kind", ["incident", "actor", "place"])
def test_every_scaffold_passes_the_fact_format(project: Path, kind: str) -> None:
    assert new(project, kind, "new-record")[0] == 0
    validation = validate(Project.at(project))
    assert [p.message for p in validation.corpus.problems] == []
