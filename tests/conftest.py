from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from generator.project import GENERATED_DIRS, GENERATED_ROOT_PAGES

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_FACTS = FIXTURES / "facts"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="Rewrite tests/golden/ from the current output.")


def make_project(folder: Path, facts: Path = FIXTURE_FACTS) -> Path:
    """A project in ``folder`` with the real mkdocs.yml and hand-written docs, and the given facts."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    generated = {ROOT / "docs" / name for name in (*GENERATED_DIRS, *GENERATED_ROOT_PAGES, ".factsheet-manifest")}

    def ignored(where: str, names: list[str]) -> set[str]:  # what a build of the checkout wrote into docs/
        return {name for name in names if Path(where) / name in generated}

    shutil.copytree(ROOT / "docs", folder / "docs", ignore=ignored)
    shutil.copytree(ROOT / "overrides", folder / "overrides")
    shutil.copytree(facts, folder / "facts")
    return folder


@pytest.fixture(autouse=True, scope="session")
def _cache_key_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The validation cache keeps its key in the user's cache folder: in tests, a temporary one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache-home"))
        yield


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus (`facts/` of the repository), built with the real pipeline and MkDocs."""
    project = make_project(tmp_path_factory.mktemp("bundled") / "project", ROOT / "facts")
    result = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert result.exit_code == 0, result.output
    return project / "site"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def run() -> Callable[..., Result]:
    """Invoke the real ``factsheet`` entry point."""

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus (facts/), built into a site with its search index, once per run."""
    project = make_project(tmp_path_factory.mktemp("corpus-site") / "project", ROOT / "facts")
    result = CliRunner().invoke(main, ["build", "--project", str(project)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return project / "site"
