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


class SiteRefused(SiteBuildError):
    """The build would harm something (replace a folder it did not make, publish a linked file); nothing was done."""


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


# Written into every folder the build makes: the only kind of folder a build replaces or deletes.
MARKER = ".factsheet-site"
_MARKER_TEXT = "Built by factsheet: the next build replaces this folder whole.\n"


def _ours(folder: Path) -> bool:
    """A real folder (not a link) that a build made: it holds the marker, as a regular file."""
    marker = folder / MARKER
    return folder.is_dir() and not folder.is_symlink() and marker.is_file() and not marker.is_symlink()


def _check_replaceable(project: Project) -> None:
    site = project.site_dir
    if site.is_symlink() or (site.exists() and not site.is_dir()):
        raise SiteRefused(
            f"{project.relative(site.parent)}/{site.name} is not a folder factsheet built (it is a link or a file): "
            "factsheet replaces only a folder it made; move it away, then build again"
        )
    if site.is_dir() and not _ours(site) and any(site.iterdir()):
        raise SiteRefused(
            f"{project.relative(site)}/ was not built by factsheet (it has no {MARKER} file), so the build will not "
            "replace it: move it away (or delete it, if it is an old build), then build again"
        )


def _clear_leftovers(site: Path) -> None:
    """Remove the staging and retired folders of builds that were killed half way."""
    for prefix in (f".{site.name}.building-", f".{site.name}.old-"):
        for leftover in site.parent.glob(prefix + "*"):
            if _ours(leftover) or _ours(leftover / site.name):
                shutil.rmtree(leftover, ignore_errors=True)


def published_links(project: Project) -> list[str]:
    """Symbolic links under the folders MkDocs copies from (docs_dir, the theme's custom_dir).

    MkDocs copies what a link points to, so a committed link to ``~/.ssh`` or ``/etc``
    would publish local files.
    """
    folders = [project.docs_dir]
    custom = _custom_dir(project)
    if custom is not None:
        folders.append(custom)
    found = []
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            for name in [*dirnames, *filenames]:
                path = Path(dirpath) / name
                if path.is_symlink():
                    found.append(path.relative_to(project.root).as_posix())
    return sorted(found)


def _custom_dir(project: Project) -> Path | None:
    import yaml

    from generator.project import _ConfigLoader

    try:
        config = yaml.load(project.config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    except (OSError, yaml.YAMLError):
        return None
    theme = config.get("theme") if isinstance(config, dict) else None
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if not isinstance(custom, str):
        return None
    folder = project.root / custom
    return folder if folder.is_dir() else None


def _engine_failure(output: str) -> str:
    """What the engine printed, with a Python traceback cut down to its last line (the error itself)."""
    lines = output.strip().splitlines()
    if "Traceback (most recent call last):" not in lines:
        return "\n".join(lines)
    start = lines.index("Traceback (most recent call last):")
    return "\n".join([*lines[:start], lines[-1]])


def build_site(project: Project, *, strict: bool = True) -> str:
    """Build the site into ``site_dir``; return MkDocs' output. Raise SiteBuildError on failure.

    The previous site is replaced only when the new one is complete, and only if it is
    a folder a build made (it holds :data:`MARKER`); a link or any other folder in its
    place stops the build before anything is written.
    """
    site = project.site_dir
    _check_replaceable(project)
    links = published_links(project)
    if links:
        raise SiteRefused(
            "symbolic links would publish the files they point to: " + ", ".join(links) + "; replace each with a "
            "copy of the file, or remove it"
        )
    site.parent.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(site)
    staging: Path | None = None
    config: Path | None = None
    try:
        staging = Path(tempfile.mkdtemp(dir=site.parent, prefix=f".{site.name}.building-"))
        (staging / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        # mkdtemp makes the folder private (0700); the site is for any reader, web server or
        # link checker running as another user: give it the mode of any new folder.
        staging.chmod(0o777 & ~_umask())
        config = _build_config(project, staging)
        command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(config)]
        command += ["--strict"] if strict else []
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        result = subprocess.run(command, cwd=project.root, capture_output=True, text=True, check=False, env=env)
        output = result.stdout + result.stderr
        if result.returncode != 0:
            raise SiteBuildError(_engine_failure(output) or f"mkdocs exited with {result.returncode}")
        write_schemas(staging / "schemas")  # published, so editors outside a checkout can fetch them
        if not _material_search(project):
            # Index before the swap, so that the published site always has its search index.
            try:
                index_site(staging)
            except SearchIndexError as error:
                raise SiteBuildError(str(error)) from None
        if not (staging / MARKER).is_file():  # MkDocs cleans its site folder of dotfiles it did not write
            (staging / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        _check_replaceable(project)  # again: the folder may have changed while MkDocs ran
        if site.exists():
            retired = Path(tempfile.mkdtemp(dir=site.parent, prefix=f".{site.name}.old-"))
            (retired / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
            site.rename(retired / site.name)
            staging.rename(site)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(site)
        return output
    except OSError as error:  # a full disk, a folder that cannot be written
        where = f" ({error.filename})" if error.filename else ""
        raise SiteBuildError(f"could not write the site: {error.strerror or error}{where}") from None
    finally:
        if config is not None:
            config.unlink(missing_ok=True)
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
