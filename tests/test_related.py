"""Related incidents, on the built pages of the bundled corpus: one entry per incident, in plain words.

An incident can be linked to another several ways at once: it is dated against it, it
``follows`` it, and the other ``precedes`` it. All of these say one thing, that one came
before the other, and the page says it once.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.htmlpage import Node, read_tree, resolve

EMBASSY = "incidents/us-embassy-baghdad-drone-attack-2021-07-06"
AIN_AL_ASAD = "incidents/ain-al-asad-rocket-attack-2021-07-05"
ORDER = re.compile(r"^(This (incident|series) came .*|It came .* this (incident|series)(; .*)?\.)$")


def _related(site: Path, url: str) -> list[tuple[str, list[Node]]]:
    """(incident linked to, its sentences) of each entry under 'Related incidents' on a page."""

    def find(node: Node) -> Node | None:
        blocks = node.elements()
        for at, block in enumerate(blocks):
            if block.tag == "h2" and block.attrs.get("id") == "related":
                return next((b for b in blocks[at + 1 :] if b.tag == "ul"), None)
        return next((found for block in blocks if (found := find(block)) is not None), None)

    listing = find(read_tree(site, url))
    if listing is None:
        return []
    entries = []
    for item in listing.elements():
        link = item.elements()[0]
        inner = next((e for e in item.elements() if e.tag == "ul"), None)
        sentences = [e for e in inner.elements() if e.tag == "li"] if inner is not None else []
        entries.append((resolve(url, link.attrs["href"])[0], sentences))
    return entries


def _first_line(sentence: Node) -> str:
    """A sentence's own words, without the citations listed under it."""
    return " ".join(
        "".join(
            c if isinstance(c, str) else c.text
            for c in sentence.children
            if not (isinstance(c, Node) and c.tag == "ul")
        ).split()
    )


def test_each_related_incident_is_one_entry_in_plain_words(bundled_site: Path) -> None:
    checked = 0
    for folder in sorted((bundled_site / "incidents").iterdir()):
        if not (folder / "index.html").is_file() or folder.name == "index":
            continue
        url = f"incidents/{folder.name}"
        entries = _related(bundled_site, url)
        others = [other for other, _ in entries]
        assert len(others) == len(set(others)), f"{url}: an incident is listed twice"
        for other, sentences in entries:
            lines = [_first_line(s) for s in sentences]
            assert lines, f"{url}: {other} is listed with nothing to say how it is related"
            assert len(lines) == len(set(lines)), f"{url}: {other}: a sentence is said twice: {lines}"
            order = [line for line in lines if ORDER.match(line)]
            # That one came before the other is said once (twice only if the records contradict each other).
            assert len(order) <= 1, f"{url}: {other}: {order}"
            for line in lines:
                assert not re.search(r"\bP(T?\d+[DHM])", line), f"{url}: an ISO duration: {line}"
                assert "dated against" not in line and "related to" not in line and "“”" not in line
            checked += 1
    assert checked > 30


def test_the_date_anchor_that_is_also_linked_appears_once(bundled_site: Path) -> None:
    """The embassy drone attack is dated after the Ain al-Asad rockets, and follows them, citing three reports."""
    when = next(e for e in read_tree(bundled_site, EMBASSY).find_all("dd"))
    assert "after Rocket attack on Ain al-Asad Air Base" in " ".join(when.text.split())
    entries = dict(_related(bundled_site, EMBASSY))
    sentences = entries[AIN_AL_ASAD]
    assert [_first_line(s) for s in sentences] == ["This incident came after it."]
    cited = [e for e in sentences[0].find_all("li")]
    assert len(cited) == 3
    # Seen from the other end: the same fact, in that page's words, once.
    back = dict(_related(bundled_site, AIN_AL_ASAD))[EMBASSY]
    assert [_first_line(s) for s in back] == ["It came after this incident."]
