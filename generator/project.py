"""Where a factsheet project keeps its facts, pages and site, read from ``mkdocs.yml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.models import KINDS

CONFIG_FILE = "mkdocs.yml"
FACTS_DIR = "facts"
# The folders inside the docs folder that belong to the generator: it writes only there.
GENERATED_DIRS = (*KINDS, "tags", "timeline", "map", "downloads")


class ProjectError(Exception):
    """The project folder is not usable (no mkdocs.yml, docs folder outside the project, …)."""


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without constructing its !!python/name and !ENV tags."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class Project:
    """A factsheet project: a folder with ``mkdocs.yml`` and ``facts/``."""

    root: Path
    docs_dir: Path
    site_dir: Path
    repo_url: str | None
    edit_uri: str | None
    site_name: str = "factsheet"
    site_url: str | None = None  # where the site is published, ending in "/"
    site_description: str | None = None
    site_author: str | None = None

    @classmethod
    def at(cls, root: Path | str) -> Project:
        root = Path(root).resolve()
        config_path = root / CONFIG_FILE
        if not config_path.is_file():
            raise ProjectError(f"no {CONFIG_FILE} in {root}: run factsheet from the project folder or pass --project")
        try:
            config: dict[str, Any] = yaml.load(config_path.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
        except yaml.YAMLError as error:
            raise ProjectError(f"{CONFIG_FILE} is not valid YAML: {error}") from None
        docs_dir = (root / str(config.get("docs_dir", "docs"))).resolve()
        site_dir = (root / str(config.get("site_dir", "site"))).resolve()
        for name, folder in (("docs_dir", docs_dir), ("site_dir", site_dir)):
            if root not in folder.parents:
                raise ProjectError(f"{CONFIG_FILE}: {name} must be a folder inside the project, not {folder}")
        repo_url = config.get("repo_url")
        edit_uri = config.get("edit_uri")
        site_url = config.get("site_url")
        return cls(
            root=root,
            docs_dir=docs_dir,
            site_dir=site_dir,
            repo_url=str(repo_url).rstrip("/") if repo_url else None,
            edit_uri=str(edit_uri).strip("/") if edit_uri else None,
            site_name=str(config.get("site_name") or "factsheet"),
            site_url=str(site_url).rstrip("/") + "/" if site_url else None,
            site_description=str(config["site_description"]) if config.get("site_description") else None,
            site_author=str(config["site_author"]) if config.get("site_author") else None,
        )

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def facts_dir(self) -> Path:
        return self.root / FACTS_DIR

    def relative(self, path: Path) -> str:
        """A path relative to the project root, with forward slashes, as messages show it."""
        return path.resolve().relative_to(self.root).as_posix()

    def page_url(self, path: str) -> str:
        """The address of a page by its path from the site root ('incidents/x/'): absolute when
        mkdocs.yml gives ``site_url``, else relative to the site root."""
        return f"{self.site_url}{path}" if self.site_url else path

    def edit_url(self, fact_path: str) -> str | None:
        """Where to edit a fact file in the hosted repository, when mkdocs.yml names one."""
        if not self.repo_url or not self.edit_uri:
            return None
        # edit_uri is relative to docs_dir in MkDocs; fact files live beside it, at the root.
        edit_root = self.edit_uri
        docs_rel = self.docs_dir.relative_to(self.root).as_posix()
        if edit_root.endswith("/" + docs_rel):
            edit_root = edit_root[: -len(docs_rel) - 1]
        return f"{self.repo_url}/{edit_root}/{fact_path}"
