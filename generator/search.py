"""Site search: what each page gives the index, and the Pagefind step after MkDocs.

Search runs in the reader's browser on a Pagefind index (``site/pagefind/``): the
index is split into chunks, so a query downloads only the chunks for its words and
the fragments of the results it shows, whatever the size of the corpus. The header
search box (``overrides/partials/pagefind-search.html``, ``docs/assets/search.js``) queries it.

Pages tell the index about themselves in their front matter, under ``search``;
``overrides/main.html`` turns that into Pagefind markup:

* ``kind``: incident, actor, place or source; results are labelled with it;
* ``date`` and ``place``: shown under an incident's title in the results, so that
  incidents with similar titles can be told apart;
* ``terms``: other words that must find the page though it does not show them, e.g.
  every spelling of an incident's place and actors; indexed, hidden from view;
* ``exclude: true``: leave the page out (long listings that mention everything).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from generator.load import Corpus
from generator.models import Citation, Place
from generator.walk import references

PAGEFIND_DIR = "pagefind"


class SearchIndexError(Exception):
    """Pagefind could not index the built site; the message says why and what to do."""


def date_terms(day: date) -> list[str]:
    """Ways a reader may type an incident's day: '2021-07-05', '5 July 2021', 'July 2021'."""
    return [day.isoformat(), f"{day.day} {day:%B %Y}", f"{day:%B %Y}"]


def incident_terms(corpus: Corpus, incident_id: str) -> list[str]:
    """Every name a reader may search an incident by that its page need not show.

    Every record the incident refers to (its place, the other places it touches, its
    actors, …; whatever reference fields the models declare) under all its spellings,
    and for a place the places it lies in; the page itself names each once, under one
    spelling. Records named only as the author of a cited statement are left out.
    """
    incident = corpus.incidents[incident_id].record
    terms: list[str] = []
    for ref in references(incident):
        if isinstance(ref.owner, Citation):
            continue
        target: str | None = ref.target
        seen: set[str] = set()
        while target is not None and target in corpus.of_kind(ref.kind) and target not in seen:
            seen.add(target)
            record = corpus.of_kind(ref.kind)[target].record
            terms += [str(name) for name in (getattr(record, "name", None), *getattr(record, "aliases", ())) if name]
            target = record.parent if isinstance(record, Place) else None  # places lie in their parents
    return list(dict.fromkeys(terms))


def uses_material_search(config_file: Path) -> bool:
    """Whether mkdocs.yml switches Material's own search plugin on (then Pagefind is not needed)."""
    import yaml

    class _Loader(yaml.SafeLoader):
        """Reads mkdocs.yml without constructing its !ENV and !!python tags."""

    _Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Loader) or {}
    plugins = config.get("plugins", ["search"])  # MkDocs' default is its search plugin
    names = [next(iter(p)) if isinstance(p, dict) else p for p in plugins or []]
    return any(name in ("search", "material/search") for name in names)


def pagefind_command(site_dir: Path) -> list[str]:
    """The command that indexes a built site (the binary from the ``pagefind[bin]`` package)."""
    # Heading anchors (the pilcrow after each heading) are not words of the page.
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--silent", "--exclude-selectors", ".headerlink"]


def index_site(site_dir: Path) -> None:
    """Index the built site for search: writes ``site_dir/pagefind/``. Run after MkDocs."""
    if not (site_dir / "index.html").is_file():
        raise SearchIndexError(f"no built site in {site_dir}: build it with MkDocs before indexing it for search")
    try:
        result = subprocess.run(pagefind_command(site_dir), capture_output=True, text=True, check=False)
    except OSError as error:
        raise SearchIndexError(
            f"could not run Pagefind ({error}): install it with pip install 'pagefind[bin]'"
        ) from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        hint = " (install it with pip install 'pagefind[bin]')" if "binary" in " ".join(detail) else ""
        raise SearchIndexError(f"Pagefind failed to index {site_dir}{hint}: {detail[-1] if detail else 'no output'}")
    if not (site_dir / PAGEFIND_DIR / "pagefind.js").is_file():
        raise SearchIndexError(
            f"Pagefind wrote no index into {site_dir / PAGEFIND_DIR}: check that pages carry data-pagefind-body "
            "(overrides/main.html adds it)"
        )
