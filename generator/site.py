"""Build the static site from the docs folder with MkDocs, never leaving a half-written site.

MkDocs is run as its own command (the site engine is swappable: the generator's
output is plain Markdown with front matter). It builds into a fresh folder beside
``site/``; only a complete build replaces the old site. The engine is told where
to build by a configuration file, not by a flag of its own: a file beside
``mkdocs.yml`` that inherits it (``INHERIT``) and sets ``site_dir``, which MkDocs
and Zensical both read. Strictness about links comes from factsheet's own check
(generator/links.py), run before the engine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from generator.project import Project
from generator.schema import write_schemas
from generator.search import SearchIndexError, index_site, uses_material_search


def _material_search(project: Project) -> bool:
    return uses_material_search(project.config_file)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class SiteBuildError(Exception):
    """MkDocs failed; carries what it printed."""


def mkdocs_command(project: Project, *args: str) -> list[str]:
    return [sys.executable, "-m", "mkdocs", *args, "--config-file", str(project.config_file)]


BUILD_CONFIG_PREFIX = ".factsheet-build-"


def _build_config(project: Project, site_dir: Path) -> Path:
    """The project's configuration with the site folder set to ``site_dir``.

    It lies beside ``mkdocs.yml``, so that the relative paths it inherits (docs_dir,
    the theme's custom_dir…) mean the same; it is deleted after the build.
    """
    fd, name = tempfile.mkstemp(dir=project.root, prefix=BUILD_CONFIG_PREFIX, suffix=".yml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        # JSON strings are YAML strings: any folder name is read back as it is.
        handle.write(f"INHERIT: {json.dumps(project.config_file.name)}\n")
        handle.write(f"site_dir: {json.dumps(site_dir.relative_to(project.root).as_posix())}\n")
    return Path(name)


def build_site(project: Project, *, strict: bool = True) -> str:
    """Build the site into ``site_dir``; return MkDocs' output. Raise SiteBuildError on failure."""
    site = project.site_dir
    site.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=site.parent, prefix=f".{site.name}.building-"))
    # mkdtemp makes the folder private (0700); the site is for any reader, web server or
    # link checker running as another user: give it the mode of any new folder.
    staging.chmod(0o777 & ~_umask())
    config: Path | None = None
    try:
        config = _build_config(project, staging)
        command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(config)]
        command += ["--strict"] if strict else []
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        result = subprocess.run(command, cwd=project.root, capture_output=True, text=True, check=False, env=env)
        output = result.stdout + result.stderr
        if result.returncode != 0:
            raise SiteBuildError(output.strip() or f"mkdocs exited with {result.returncode}")
        write_schemas(staging / "schemas")  # published, so editors outside a checkout can fetch them
        if not _material_search(project):
            # Index before the swap, so that the published site always has its search index.
            try:
                index_site(staging)
            except SearchIndexError as error:
                raise SiteBuildError(str(error)) from None
        if site.exists():
            retired = Path(tempfile.mkdtemp(dir=site.parent, prefix=f".{site.name}.old-"))
            site.rename(retired / site.name)
            staging.rename(site)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(site)
        return output
    finally:
        if config is not None:
            config.unlink(missing_ok=True)
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
