"""How the site engine is run: told where to build by configuration, not by a flag of its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from click.testing import Result

from generator.project import Project
from generator.site import _build_config
from tests.conftest import make_project


def test_the_build_configuration_inherits_the_projects_and_sets_only_the_site_folder(tmp_path: Path) -> None:
    project = Project.at(make_project(tmp_path / "project"))
    staging = project.root / ".site.building-a 'b': c"
    config = _build_config(project, staging)
    try:
        assert config.parent == project.root, "beside mkdocs.yml, so that relative paths mean the same"
        assert yaml.safe_load(config.read_text(encoding="utf-8")) == {
            "INHERIT": "mkdocs.yml",
            "site_dir": ".site.building-a 'b': c",
        }
    finally:
        config.unlink()


def test_the_site_is_built_where_mkdocs_yml_says(tmp_path: Path, run: Callable[..., Result]) -> None:
    root = make_project(tmp_path / "project")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_dir: site\n", "site_dir: public\n"))
    result = run("build", "--project", str(root))
    assert result.exit_code == 0, result.output
    assert (root / "public" / "index.html").is_file()
    assert (root / "public" / "pagefind" / "pagefind.js").is_file()
    assert not (root / "site").exists()
    assert sorted(p.name for p in root.iterdir()) == [
        ".factsheet-cache",
        "docs",
        "facts",
        "mkdocs.yml",
        "overrides",
        "public",
    ]
