from __future__ import annotations

import textwrap
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.load import split_source
from generator.schema import SCHEMA_NAMES, schema_comment, schema_for, schema_text
from generator.yamlload import parse

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schemas_are_generated_from_the_models() -> None:
    result = CliRunner().invoke(main, ["schema", "--check", "--project", str(ROOT)])
    assert result.output == ""
    assert result.exit_code == 0


def test_schema_check_names_a_stale_schema(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    runner = CliRunner()
    assert runner.invoke(main, ["schema", "--project", str(tmp_path)]).exit_code == 0
    (tmp_path / "schemas" / "place.json").write_text("{}\n")
    result = runner.invoke(main, ["schema", "--check", "--project", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        result.output
        == f"{tmp_path / 'schemas' / 'place.json'}: out of date; run `factsheet schema` and commit the result\n"
    )


def _front_matter(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        split = split_source(text)
        assert split is not None
        text = split[0]
    return parse(text).data  # the project's own YAML 1.2 reading: dates stay text, true is a boolean


@pytest.mark.parametrize("kind", sorted(SCHEMA_NAMES))
def test_every_bundled_fact_file_carries_and_passes_its_schema(kind: str) -> None:
    validator = jsonschema.Draft202012Validator(schema_for(kind))
    files = sorted((ROOT / "facts" / kind).iterdir())
    assert files
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert schema_comment(kind) in lines[:2], path
        data = _front_matter(path)
        errors = [error.message for error in validator.iter_errors(data)]
        assert errors == [], path


def test_schema_flags_what_the_models_reject() -> None:
    validator = jsonschema.Draft202012Validator(schema_for("actors"))
    bad = {
        "name": "X",
        "kind": "spy",
        "description": " ",
        "nickname": "x",
        "relations": [{"relation": "member-of", "actor": "Bad Id", "citations": []}],
    }
    messages = sorted(error.message for error in validator.iter_errors(bad))
    assert messages == [
        "' ' does not match '\\\\S'",
        "'Bad Id' does not match '^[a-z0-9]+(?:-[a-z0-9]+)*$'",
        "'spy' is not one of ['person', 'armed-group', 'state', 'government-body', 'military-force', 'coalition', "
        "'media-outlet', 'news-agency', 'political-party', 'organisation', 'other']",
        "Additional properties are not allowed ('nickname' was unexpected)",
        "[] should be non-empty",
    ]


def _project(tmp_path: Path) -> Path:
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    for kind in SCHEMA_NAMES:
        (tmp_path / "facts" / kind).mkdir(parents=True)
    return tmp_path


def test_validate_warns_about_a_wrong_schema_comment_and_check_about_a_missing_one(tmp_path: Path) -> None:
    root = _project(tmp_path)
    runner = CliRunner()
    runner.invoke(main, ["schema", "--project", str(root)])
    (root / "facts" / "places" / "iraq.yaml").write_text("name: Iraq\nkind: country\n")
    (root / "facts" / "places" / "baghdad.yaml").write_text(
        "# yaml-language-server: $schema=../../schemas/actor.json\nname: Baghdad\nkind: city\nparent: iraq\n"
    )
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.output == textwrap.dedent(
        """\
        facts/places/baghdad.yaml:1:1: warning: the schema comment should read '# yaml-language-server: $schema=../../schemas/place.json'
        facts/places/baghdad.yaml:2:1: warning: nothing refers to this place: link it from an incident or as a parent, or remove it
        0 errors, 2 warnings
        """
    )
    assert result.exit_code == 0
    result = runner.invoke(main, ["schema", "--check", "--project", str(root)])
    assert result.output == textwrap.dedent(
        """\
        facts/places/baghdad.yaml:1:1: warning: the schema comment should read '# yaml-language-server: $schema=../../schemas/place.json'
        facts/places/iraq.yaml:1:1: warning: no schema comment: add '# yaml-language-server: $schema=../../schemas/place.json' as the first line, so editors check the file as it is typed (`factsheet schema --add-comments` adds it)
        """
    )
    assert result.exit_code == 1


def test_add_comments_keeps_a_source_body_byte_exact(tmp_path: Path) -> None:
    root = _project(tmp_path)
    source = root / "facts" / "sources" / "report.md"
    source.write_bytes(b"---\r\ntitle: T\r\n---\r\nLine one.\r\nLine two.\r\n")
    place = root / "facts" / "places" / "iraq.yaml"
    place.write_text("# yaml-language-server: $schema=elsewhere.json\nname: Iraq\nkind: country\n")
    result = CliRunner().invoke(main, ["schema", "--add-comments", "--project", str(root)])
    assert result.exit_code == 0
    assert result.output.splitlines()[-2:] == [  # in the order of the record kinds (models.KINDS)
        "added the schema comment to facts/places/iraq.yaml",
        "added the schema comment to facts/sources/report.md",
    ]
    assert source.read_bytes() == (
        b"---\r\n# yaml-language-server: $schema=../../schemas/source.json\r\ntitle: T\r\n---\r\nLine one.\r\nLine two.\r\n"
    )
    assert place.read_text() == "# yaml-language-server: $schema=../../schemas/place.json\nname: Iraq\nkind: country\n"


def test_the_build_publishes_the_schemas(tmp_path: Path) -> None:
    from tests.conftest import make_project

    project = make_project(tmp_path / "project")
    result = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert result.exit_code == 0, result.output
    for kind, name in SCHEMA_NAMES.items():
        assert (project / "site" / "schemas" / name).read_text(encoding="utf-8") == schema_text(kind)
