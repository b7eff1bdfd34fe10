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
* ``mentions``: every spelling of the actors and places the page names (by a link, or in
  its text under any spelling), so that "Ain al-Assad" and "Ain al-Asad" find the same
  pages; indexed with a low weight, hidden from view;
* ``summary``: the page's description, shown under its title in the results;
* ``exclude: true``: leave the page out (long listings that mention everything).
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from collections import defaultdict
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


# ----- spellings: a page that names a record under one spelling is found under every other -----

_WORD = re.compile(r"\w+")
_COMBINING = re.compile(r"[\u0300-\u036f]+")  # accents, once a text is decomposed (NFKD)
_ADDRESSES = re.compile(r"\]\([^)\n]*\)|<[^>\n]*>")  # link targets and HTML tags name nothing


def _words(text: str) -> list[str]:
    """Words as the search compares them: without accents."""
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _WORD.findall(text)


# Texts name a base without its generic noun: "the Ain al-Asad rockets" for Ain al-Asad Air Base.
_GENERIC_ENDS = re.compile(r"\s+(?:air\s*base|airbase|base)$", re.IGNORECASE)


def _short_forms(spellings: set[str]) -> set[str]:
    """The spellings, and each without a generic ending ('Ain al-Asad' of 'Ain al-Asad Air Base')."""
    shortened = {_GENERIC_ENDS.sub("", spelling) for spelling in spellings}
    return spellings | {short for short in shortened if len(_words(short)) >= 2}


class NameFinder:
    """Finds the actors and places a text names, under any of their spellings.

    A spelling written in capitals only (US, PMF, KH) must match as written, so that
    the pronoun "us" does not name the United States; any other matches in any case.
    One pass over the words of a text, so the cost grows with the text, not with the
    number of spellings.
    """

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        # Each spelling is filed under its longest word (rarer in texts than "the" or "al"),
        # with that word's place in the spelling: (words, offset, record).
        Entry = tuple[tuple[str, ...], int, tuple[str, str]]
        self._exact: dict[str, list[Entry]] = defaultdict(list)  # spellings in capitals, as written
        self._folded: dict[str, list[Entry]] = defaultdict(list)  # any other, in lower case
        for kind in ("actors", "places"):
            for record_id, loaded in corpus.of_kind(kind).items():
                record = loaded.record
                for spelling in sorted(_short_forms({record.name, *record.aliases})):
                    words = _words(spelling)
                    if not words:
                        continue
                    table = self._exact if spelling.isupper() else self._folded
                    key = tuple(words) if spelling.isupper() else tuple(w.casefold() for w in words)
                    offset = max(range(len(key)), key=lambda n: (len(key[n]), -n))
                    table[key[offset]].append((key, offset, (kind, record_id)))

    @property
    def spellable(self) -> set[tuple[str, str]]:
        """The records that have spellings: every actor and place."""
        return {(kind, record_id) for kind in ("actors", "places") for record_id in self.corpus.of_kind(kind)}

    def named(self, text: str) -> set[tuple[str, str]]:
        """The actors and places the text (Markdown) names."""
        words = _words(_ADDRESSES.sub(" ", text))
        folded = [word.casefold() for word in words]
        found: set[tuple[str, str]] = set()
        for table, source in ((self._exact, words), (self._folded, folded)):
            # Only the positions where a spelling may start are looked at closely.
            for at in [at for at, word in enumerate(source) if word in table]:
                for spelling, offset, record in table[source[at]]:
                    start = at - offset
                    if record not in found and start >= 0 and tuple(source[start : start + len(spelling)]) == spelling:
                        found.add(record)
        return found

    def spellings(self, records: set[tuple[str, str]], own: list[str]) -> list[str]:
        """Every spelling of the records, less those the page has already, in a stable order."""
        have = {term.casefold() for term in own}
        terms: list[str] = []
        for kind, record_id in sorted(records):
            loaded = self.corpus.of_kind(kind).get(record_id)
            if loaded is None:
                continue
            for spelling in [loaded.record.name, *loaded.record.aliases]:
                if spelling.casefold() not in have:
                    have.add(spelling.casefold())
                    terms.append(spelling)
        return terms
