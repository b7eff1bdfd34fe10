"""Where a factsheet project keeps its facts, pages and site, read from ``mkdocs.yml``."""

from __future__ import annotations

import os
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


# Folders of a project that no output may be, contain or lie in.
_PROTECTED = (".git", FACTS_DIR)


def _output_folder(root: Path, name: str, value: Any) -> Path:
    """The docs or site folder named in mkdocs.yml, refused when writing there could harm anything.

    It must lie inside the project, be neither a symbolic link nor inside one (a
    committed link ``site -> .git`` would have the build replace the repository), and
    be neither ``.git`` nor ``facts`` nor hold or lie in either.
    """
    written = str(value)
    relative = Path(os.path.normpath(written)) if written and "\x00" not in written else None
    if relative is None or relative.is_absolute() or relative.parts[:1] in ((), ("..",), (".",)):
        raise ProjectError(f"{CONFIG_FILE}: {name} must be a folder inside the project, not {written!r}")
    if ".git" in relative.parts:
        raise ProjectError(
            f"{CONFIG_FILE}: {name} {relative.as_posix()!r} lies in a .git folder: choose another folder"
        )
    folder = root / relative
    for depth in range(1, len(relative.parts) + 1):
        step = root.joinpath(*relative.parts[:depth])
        if step.is_symlink():
            raise ProjectError(
                f"{CONFIG_FILE}: {name} {relative.as_posix()!r} is or lies in a symbolic link "
                f"({step.relative_to(root).as_posix()} -> {os.readlink(step)}): factsheet writes only into real "
                "folders; remove the link"
            )
    resolved = folder.resolve()
    if root not in resolved.parents:
        raise ProjectError(f"{CONFIG_FILE}: {name} must be a folder inside the project, not {resolved}")
    for protected in _PROTECTED:
        other = root / protected
        if resolved == other or other in resolved.parents or resolved in other.parents:
            raise ProjectError(
                f"{CONFIG_FILE}: {name} {relative.as_posix()!r} would overlap {protected}/; factsheet never writes "
                "there: choose another folder"
            )
    return resolved


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
        docs_dir = _output_folder(root, "docs_dir", config.get("docs_dir", "docs"))
        site_dir = _output_folder(root, "site_dir", config.get("site_dir", "site"))
        if docs_dir == site_dir or docs_dir in site_dir.parents or site_dir in docs_dir.parents:
            raise ProjectError(f"{CONFIG_FILE}: docs_dir and site_dir must be two separate folders")
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
