"""Actor pages put in an actor's mouth only the words a report attributes to it, verbatim.

On the bundled corpus, built with MkDocs: every entry under "Words attributed to …" on
every actor page starts with a quote linked to its passage in a report, and that quote
is the report's own text (the archived characters, whitespace aside), a passage the
corpus attributes to that actor. What the site cites it for (the analysts' claim) is
inside the entry's "Cited for" line and left out of search, never the quote itself.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from generator.load import Corpus, load_corpus
from generator.models import Citation
from generator.project import Project
from generator.quotes import NormalisedText, find, quote_anchor
from generator.walk import citations
from tests.conftest import ROOT
from tests.htmlpage import Node, read_tree, resolve


def _section_list(node: Node, heading_id: str) -> Node | None:
    """The list that follows the heading with this id, among the heading's siblings."""
    blocks = node.elements()
    for at, block in enumerate(blocks):
        if block.tag == "h2" and block.attrs.get("id") == heading_id:
            return next((b for b in blocks[at + 1 :] if b.tag == "ul"), None)
    for block in blocks:
        found = _section_list(block, heading_id)
        if found is not None:
            return found
    return None


def _attributed(corpus: Corpus) -> dict[str, dict[tuple[str, str], Citation]]:
    """Actor id → (source id, quote anchor) → the citation the corpus attributes to it."""
    found: dict[str, dict[tuple[str, str], Citation]] = defaultdict(dict)
    for kind in ("actors", "incidents"):
        for loaded in corpus.of_kind(kind).values():
            for _, citation in citations(loaded.record):
                if citation.attributed_to:
                    found[citation.attributed_to][(citation.source, quote_anchor(citation.quote))] = citation
    return found


def test_every_attribution_is_the_verbatim_quote(bundled_site: Path) -> None:
    corpus = load_corpus(Project.at(ROOT))
    bodies = {source_id: loaded.body for source_id, loaded in corpus.sources.items()}
    attributed = _attributed(corpus)
    checked = 0
    for folder in sorted((bundled_site / "actors").iterdir()):
        if not (folder / "index.html").is_file():
            continue
        url = f"actors/{folder.name}"
        entries = _section_list(read_tree(bundled_site, url), "attributed")
        expected = attributed.get(folder.name, {})
        if entries is None:
            assert not expected, f"{url}: {len(expected)} attributed passages, but no 'Words attributed to' section"
            continue
        shown = set()
        for item in entries.elements():
            first = item.elements()[0]
            assert first.tag == "a", f"{url}: an entry does not start with its quote: {item.text[:80]!r}"
            assert item.children[0] is first, f"{url}: words before the quote: {item.text[:80]!r}"
            target, anchor = resolve(url, first.attrs["href"])
            source_id = target.removeprefix("sources/")
            assert (source_id, anchor) in expected, f"{url}: {first.text!r} is not attributed to {folder.name}"
            quote = first.text
            if quote.startswith("“") and quote.endswith("”"):
                quote = quote[1:-1]
            # Verbatim: the very characters of the archived text, whitespace aside.
            span = find(NormalisedText.of(bodies[source_id]), quote)
            assert span is not None, f"{url}: {quote!r} is not in {source_id}"
            assert " ".join(bodies[source_id][span[0] : span[1]].split()) == " ".join(quote.split())
            # The claim it supports is in the 'Cited for' line, left out of search.
            for line in item.find_all("span"):
                assert "data-pagefind-ignore" in line.attrs and line.text.startswith("Cited for: ")
            shown.add((source_id, anchor))
            checked += 1
        assert shown == set(expected), f"{url}: attributed passages missing from the page: {set(expected) - shown}"
    assert checked > 40, f"only {checked} attributions checked"
