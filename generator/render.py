"""Render the indexed corpus as Markdown pages with front matter.

Python decides what each page says; the templates in ``templates/`` decide how it
reads, and hold every word of it. Every value a template prints is escaped for
Markdown and HTML unless it is :class:`markupsafe.Markup` built here (links, marked
source text) or by a macro, so text from fact files, however hostile, cannot inject
markup into a page.
"""

from __future__ import annotations

import functools
import html
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote

import jinja2
import yaml
from markupsafe import Markup

from generator.dates import DatePart, EDTFDate, parse_date
from generator.history import History, read_history
from generator.index import ActorPart, CitationUse, Index
from generator.load import Loaded
from generator.models import KINDS, SLUG, UNKNOWN, Citation, Incident, IncidentActor
from generator.project import Project
from generator.quotes import quote_anchor
from generator.search import NameFinder, date_terms, incident_terms
from generator.walk import citations

TEMPLATES = Path(__file__).parent / "templates"
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|])")
_LINE_START = re.compile(r"^(?:-(?=[\s-]|$)|\+(?=\s|$)|\d+\.(?=\s|$))")


def md(value: Any) -> str:
    """Escape text for one line of Markdown: HTML-escaped, Markdown punctuation backslashed.

    Applied by the template environment to every printed value that is not Markup.
    """
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    return _escape_text(str(value))


@functools.lru_cache(maxsize=1 << 16)
def _escape_text(value: str) -> str:
    # Names, labels and titles recur on many pages: each is escaped once.
    text = " ".join(value.split())
    text = _HTML_SPECIAL.sub(_html_escape, text)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # '[…]:' at the start of a line is a link reference definition, even inside link text.
    text = text.replace("]:", "]&#58;")
    # ': …' at the start of a line after a paragraph is a definition (def_list): keep the colon text.
    if text.startswith(":"):
        text = "&#58;" + text[1:]
    # A value printed at the start of a line must not become a list item or a rule ('---').
    return _LINE_START.sub(_line_start, text)


def _line_start(match: re.Match[str]) -> str:
    start = match.group()
    return "\\" + start if start in ("-", "+") else start[:-1] + "\\."


# '<', '&' and '>' are escaped only where Markdown or HTML could read them as markup: '<'
# before anything that may start a tag, a comment or an automatic link, '&' before
# anything that may start an entity, '>' at the start (a block quote). Python-Markdown
# handles each entity or escape with a pass over the rest of the line, so a run of
# thousands of '&lt;' costs the square of its length; a run of '<' left as it is costs one.
_HTML_SPECIAL = re.compile(r"<(?![<\s>]|$)|&(?=[#A-Za-z0-9])|^>")


# In archived text: tabs and other control characters as character references, so that
# Python-Markdown (which expands tabs and drops some control characters) keeps them verbatim.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def _char_ref(match: re.Match[str]) -> str:
    return f"&#{ord(match.group())};"


def _html_escape(match: re.Match[str]) -> str:
    return {"<": "&lt;", "&": "&amp;", ">": "&gt;"}[match.group()]


def _finalize(value: Any) -> Markup:
    """Every printed value: Markup as it is, anything else escaped by md()."""
    return value if isinstance(value, Markup) else Markup(md(value))


_parse_date = functools.lru_cache(maxsize=1 << 12)(parse_date)  # EDTFDate is frozen: share it


def with_front_matter(meta: dict[str, Any], body: str) -> str:
    """The page as python-frontmatter's ``dumps`` writes it (keys sorted), with libyaml's emitter when present."""
    metadata = yaml.dump(meta, Dumper=_DUMPER, default_flow_style=False, allow_unicode=True, sort_keys=True).strip()
    return f"---\n{metadata}\n---\n\n{body}\n".strip() + "\n"


def _humanise(slug: str) -> str:
    # Only ids and enum values read better without hyphens; wording with names keeps its own.
    return slug.replace("-", " ") if SLUG.match(slug) else slug


def page_meta(title: str, description: str | None = None, **extra: str) -> dict[str, Any]:
    """Front matter for a page. Title and description are HTML-escaped: MkDocs themes
    (Material, and the engines that reuse its templates) print them into the page as HTML."""
    meta: dict[str, Any] = {"title": html.escape(" ".join(title.split()), quote=True), **extra}
    if description:
        meta["description"] = html.escape(" ".join(description.split()), quote=True)
    return meta


# Listings name every record they list: left out of search, they cannot crowd out the records.
UNSEARCHED: dict[str, Any] = {"search": {"exclude": True}}


@dataclass(frozen=True)
class Page:
    """One generated Markdown page, by its path inside the docs folder."""

    path: str
    text: str


class Renderer:
    """Turns an :class:`Index` into pages.

    Python decides what each page shows; every word of it is in the templates, most in
    the macros of ``macros.md.j2`` (dates, statuses, citations, relations, counts).
    """

    def __init__(self, index: Index, project: Project, history: History | None = None) -> None:
        self.index = index
        self.corpus = index.corpus
        self.project = project
        self.history = history if history is not None else read_history(project)
        self.linked: set[tuple[str, str]] = set()  # the records the page being rendered links to
        self.names = NameFinder(self.corpus)
        # Autoescape makes macro results Markup, so a macro's output is not escaped twice;
        # every other printed value goes through md() (Markdown and HTML escaping).
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            autoescape=True,
            auto_reload=False,  # templates do not change during a run: no stat of each file for each page
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.do"],
        )
        self.env.filters.update(humanise=_humanise, capitalize_first=_capitalize_first)
        self.env.globals.update(r=self, index=index, corpus=self.corpus)
        self.refs: dict[str, int] = {}  # the reports the page being rendered cites, numbered
        self.macros: Any = self.env.get_template("macros.md.j2").module  # the wording, callable from here
        self._date_texts: dict[str, Markup] = {}
        self._anchors: dict[str, str] = {}
        self._cited: dict[tuple[str, str, str | None, str | None, tuple[str, ...]], Markup] = {}

    # ----- links and other Markup (the source text aside) -----

    def link(self, kind: str, record_id: str, anchor: str = "", text: Any = None, root: str = "../") -> Markup:
        """A relative Markdown link to a record's page, labelled with its name, from a page
        ``root`` away from the site root ('../' from a page in a folder, '' from the home page)."""
        label = text if text is not None else self.label(kind, record_id)
        self.linked.add((kind, record_id))
        target = f"{root}{kind}/{record_id}.md" + (f"#{anchor}" if anchor else "")
        return Markup(f"[{md(label)}]({target})")

    def label(self, kind: str, record_id: str) -> str:
        loaded = self.corpus.of_kind(kind).get(record_id)
        if loaded is None:
            return record_id
        record = loaded.record
        return str(getattr(record, "title", None) or getattr(record, "name", record_id))

    def tag_link(self, tag: str) -> Markup:
        return Markup(f"[{md(self.index.tag_names[tag])}](../tags/{tag}.md)")

    def external(self, url: str, text: Any) -> Markup:
        safe = url_quote(url, safe=":/?#@!$&'*+,;=%~-._")
        return Markup(f"[{md(text)}](<{safe}>)")

    def code(self, path: str) -> Markup:
        """A fact file's path as code (ids are slugs: safe inside a code span)."""
        return Markup(f"`{path}`")

    def file_link(self, name: str) -> Markup:
        """A link to a file beside the page (a download), by its name."""
        return Markup(f"[`{name}`]({url_quote(name)})")

    def day(self, value: date) -> str:
        """'6 July 2021', in the words of the date macros."""
        return str(self.macros.day(DatePart(value.year, value.month, value.day)))

    def citation_text(self, path: str = "", title: str | None = None, changed: date | None = None) -> Markup:
        """'Author. “Title”. *Site name*, version of 6 July 2021. <address>' in Markdown, for the
        data set or a page; ``changed`` is the day of the page's last change (else the record's)."""
        project = self.project
        version = changed or self.history.latest
        parts = [md(f"{project.site_author or project.site_name + ' contributors'}.")]
        if title:
            parts.append(md(f"“{title}”."))
        parts.append(
            Markup(f"*{md(project.site_name)}*") + md(f", version of {self.day(version)}." if version else ".")
        )
        if project.site_url:
            parts.append(Markup(f"<{url_quote(project.page_url(path), safe=':/?#@!$&*+,;=%~-._')}>"))
        return Markup(" ".join(parts))

    def json_ld(self, incident_id: str) -> Markup:
        """schema.org data about an incident page (an Event, its place and its sources), as a
        script block; every '<', '>', '&', '[' and ']' in a string is written as a JSON escape, so no text ends it."""
        corpus, project = self.corpus, self.project
        loaded = corpus.incidents[incident_id]
        incident = loaded.record
        place = corpus.places.get(incident.place)
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": incident.title,
            "url": project.page_url(f"incidents/{incident_id}/"),
        }
        if incident.summary:
            data["description"] = incident.summary
        written = incident.when.date or ""
        if (
            written
            and not incident.when.relative_to
            and re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)?", written)
        ):
            data["startDate"] = written  # only a date known to the day: schema.org has no uncertain dates
        if place is not None:
            location: dict[str, Any] = {"@type": "Place", "name": place.record.name}
            if place.record.coordinates is not None:
                c = place.record.coordinates
                location["geo"] = {"@type": "GeoCoordinates", "latitude": c.lat, "longitude": c.lon}
            data["location"] = location
        sources = []
        for source_id in sorted({citation.source for _, citation in citations(incident)}):
            source = corpus.sources.get(source_id)
            if source is None:
                continue
            work: dict[str, Any] = {"@type": "CreativeWork", "name": source.record.title}
            if source.record.url != UNKNOWN:
                work["url"] = source.record.url
            if source.record.outlet != UNKNOWN:
                work["publisher"] = {"@type": "Organization", "name": self.label("actors", source.record.outlet)}
            if source.record.published != UNKNOWN:
                work["datePublished"] = source.record.published
            sources.append(work)
        if sources:
            data["citation"] = sources
        changed = self.history.last_change(loaded.path)
        if changed:
            data["dateModified"] = changed.isoformat()
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        # Inside strings, '[' and ']' too: the page's link check reads raw HTML lines as Markdown.
        text = _JSON_STRING.sub(lambda m: re.sub(r"[<>&\[\]]", lambda c: f"\\u{ord(c.group()):04x}", m.group()), text)
        return Markup(f'<script type="application/ld+json">{text}</script>')

    def edit_url(self, loaded: Loaded[Any]) -> str | None:
        return self.project.edit_url(loaded.path)

    def parse_date(self, text: str) -> EDTFDate:
        return _parse_date(text)

    # ----- wording used on many pages, worded once (by the macros) -----

    def date_text(self, incident_id: str) -> Markup:
        """What lists say of an incident's date (macro ``list_date``), worded once per incident."""
        text = self._date_texts.get(incident_id)
        if text is None:
            text = self._date_texts[incident_id] = self.macros.list_date(incident_id)
        return text

    def ref(self, source_id: str) -> Markup:
        """A report's number in the page's list of sources, linked to its entry there: "[2]"."""
        return Markup(f"[\\[{self.refs[source_id]}\\]](#source-{source_id})")

    def cited(self, citation: Citation) -> Markup:
        """A citation's quote and who said it (macro ``cited_words``), worded once per citation."""
        key = (citation.source, citation.quote, citation.attributed_to, citation.attribution, tuple(citation.via))
        text = self._cited.get(key)
        if text is None:
            text = self._cited[key] = self.macros.cited_words(citation)
        return text

    # ----- quotes -----

    def anchor(self, citation: Citation) -> str:
        """The id of a quoted passage on its source's page."""
        anchor = self._anchors.get(citation.quote)
        if anchor is None:
            anchor = self._anchors[citation.quote] = quote_anchor(citation.quote)
        return anchor

    def quote_text(self, citation: Citation) -> str:
        """The quote as the source gives it: the archived text of its passage, whitespace collapsed.

        The quote in the fact file may differ from it in whitespace, quotation marks and
        dashes only (the checker allows no more); pages show the source's own characters.
        """
        span = self.index.span(citation.source, citation.quote)
        if span is None:  # only for a quote the checks did not find, which stops the build first
            return " ".join(citation.quote.split())
        return " ".join(self.corpus.sources[citation.source].body[span[0] : span[1]].split())

    def passages(self, uses: list[CitationUse]) -> list[tuple[Citation, list[CitationUse]]]:
        """Uses grouped by the passage they cite (source and quote), in order of first use."""
        groups: dict[tuple[str, str], tuple[Citation, list[CitationUse]]] = {}
        for use in uses:
            key = (use.citation.source, quote_anchor(use.citation.quote))
            groups.setdefault(key, (use.citation, []))[1].append(use)
        return list(groups.values())

    def passages_in_text_order(self, uses: list[CitationUse]) -> list[tuple[Citation, list[CitationUse]]]:
        """As :meth:`passages`, in the order the passages appear in their source."""

        def position(item: tuple[Citation, list[CitationUse]]) -> tuple[int, int]:
            return self.index.span(item[0].source, item[0].quote) or (0, 0)

        return sorted(self.passages(uses), key=position)

    # ----- what a page cites, and what it lists -----

    def source_numbers(self, citations: Iterable[Citation]) -> dict[str, int]:
        """The reports a page cites, numbered for its list of sources: earliest published first."""
        cited = {citation.source for citation in citations if citation.source in self.corpus.sources}
        return {source_id: n for n, source_id in enumerate(sorted(cited, key=self._publication_order), start=1)}

    @functools.cache  # noqa: B019 - one renderer renders one corpus
    def _publication_order(self, source_id: str) -> tuple[bool, datetime, str]:
        text = self.corpus.sources[source_id].record.published
        if text == UNKNOWN:
            return (True, datetime.max.replace(tzinfo=UTC), source_id)
        return (False, parse_date(text).interval.earliest, source_id)

    def incident_citations(self, incident_id: str) -> list[Citation]:
        return [citation for _, citation in citations(self.corpus.incidents[incident_id].record)]

    def actor_citations(self, actor_id: str) -> list[Citation]:
        own = [citation for _, citation in citations(self.corpus.actors[actor_id].record)]
        attributed = [use.citation for use in self.index.actor_attributions.get(actor_id, [])]
        relayed = [use.citation for use in self.index.actor_relays.get(actor_id, [])]
        return own + attributed + relayed

    def actor_parts(self, actor_id: str) -> list[tuple[str, list[ActorPart]]]:
        """An actor's parts in incidents, one entry per incident, in date order."""
        grouped: dict[str, list[ActorPart]] = {}
        for part in self.index.actor_incidents.get(actor_id, []):
            grouped.setdefault(part.incident, []).append(part)
        return sorted(grouped.items(), key=lambda item: self.index.position(item[0]))

    def incident_actors(self, incident: Incident) -> list[tuple[str, list[IncidentActor]]]:
        """The actors of an incident, one entry per actor with all its roles, in first-named order."""
        grouped: dict[str, list[IncidentActor]] = {}
        for entry in incident.actors:
            grouped.setdefault(entry.actor, []).append(entry)
        return list(grouped.items())

    def related(self, incident_id: str) -> list[tuple[str, list[Link]]]:
        """Every incident related to this one, once, with what links them, in date order.

        Links made on this incident's page and on the other's, and dates worked out from
        one another, in either direction. Whatever says that one came before the other
        (``follows``, ``precedes``, a date worked out from the other's) is one link, in
        this incident's words ("this incident came after it"), with all their citations.
        """
        incident = self.corpus.incidents[incident_id].record
        found: dict[str, list[Link]] = defaultdict(list)
        anchor = incident.when.relative_to
        if anchor in self.corpus.incidents:
            found[anchor].append(Link("order", False, "", (), incident.when.relation == "after", "this"))
        for entry in incident.related:
            if entry.relation in _ORDER:
                found[entry.incident].append(Link("order", False, "", tuple(entry.citations), _ORDER[entry.relation]))
            else:
                found[entry.incident].append(Link("related", False, entry.relation, tuple(entry.citations)))
        for other, relation in self.index.related_in.get(incident_id, []):
            if relation in _ORDER:
                found[other].append(Link("order", True, "", (), not _ORDER[relation]))
            else:
                found[other].append(Link("related", True, relation))
        for other in self.index.dated_against.get(incident_id, []):
            before = self.corpus.incidents[other].record.when.relation == "before"
            found[other].append(Link("order", True, "", (), before, "other"))
        known = [other for other in found if other in self.corpus.incidents]
        return [(other, _merge_order(found[other])) for other in sorted(known, key=self.index.position)]

    def listed_on_place(self, place_id: str) -> int:
        """How many incidents a place's page lists: those within it and those that reached it."""
        touched = {incident for incident, _ in self.index.place_touched_by.get(place_id, [])}
        return len(set(self.index.incidents_within(place_id)) | touched)

    def actor_counts(self, actor_id: str) -> dict[str, int]:
        """What an actor's page lists, counted: incidents, attributed and relayed passages, reports, relations."""
        index = self.index
        return {
            "incidents": len({part.incident for part in index.actor_incidents.get(actor_id, [])}),
            "statements": len(self.passages(index.actor_attributions.get(actor_id, []))),
            "relayed": len(self.passages(index.actor_relays.get(actor_id, []))),
            "published": len(index.actor_publications.get(actor_id, [])),
            "relations": len(self.corpus.actors[actor_id].record.relations)
            + len(index.actor_relations_in.get(actor_id, [])),
        }

    # ----- the source text with its cited passages marked -----

    def cited_passages(self, source_id: str) -> list[tuple[str, tuple[int, int]]]:
        """(anchor, span) of every distinct cited passage of a source, in text order."""
        spans: dict[str, tuple[int, int]] = {}
        for quote, span in self.index.source_spans(source_id):
            spans.setdefault(quote_anchor(quote), span)
        return sorted(spans.items(), key=lambda item: (item[1], item[0]))

    def marked_text(self, source_id: str) -> Markup:
        """The archived text as HTML paragraphs, every cited passage marked however passages overlap.

        Quotes overlap and nest, so a quote cannot always be one element. The text is cut
        at every passage boundary; each piece carries the class of every passage that
        covers it, and an empty element with the passage's id marks where it starts. The
        page's style then lights up exactly the pieces of the passage whose id is the
        URL's target (see source.md.j2).

        Links carry no URL text fragment (``#q-…:~:text=…``): with one, Chromium scrolls
        to the text it matches but no element is ``:target``, so the exact highlight is
        lost; a text directive lights up only the first match of its words; and MkDocs'
        strict anchor check rejects the fragment as an unknown anchor.
        """
        body = self.corpus.sources[source_id].body
        passages = self.cited_passages(source_id)
        starting: dict[int, list[str]] = defaultdict(list)
        events: dict[int, list[tuple[str, bool]]] = defaultdict(list)
        for anchor, (start, end) in passages:
            starting[start].append(anchor)
            events[start].append((anchor, True))
            events[end].append((anchor, False))
        newlines = [m.start() for m in re.finditer(r"\n", body)]
        cuts = sorted({0, len(body), *events, *newlines, *(n + 1 for n in newlines)})
        paragraphs: list[str] = []
        current: list[str] = []
        covering: set[str] = set()
        for start, end in itertools.pairwise(cuts):
            for anchor, opens in events.get(start, ()):
                (covering.add if opens else covering.discard)(anchor)
            piece = body[start:end]
            if piece == "\n":
                if current:
                    paragraphs.append("".join(current))
                current = []
                continue
            current.extend(f'<span class="fs-anchor" id="{a}"></span>' for a in starting.get(start, ()))
            text = _CONTROL.sub(_char_ref, html.escape(piece, quote=True)).replace("[", "&#91;").replace("]", "&#93;")
            if covering:
                current.append(f'<span class="fs-cited {" ".join(sorted(covering))}">{text}</span>')
            else:
                current.append(text)
        if current:
            paragraphs.append("".join(current))
        inner = "\n".join(f"<p>{p}</p>" for p in paragraphs if p.strip())
        return Markup(f'<div class="fs-source-text">\n{inner}\n</div>')

    # ----- pages -----

    def page(
        self, path: str, template: str, meta: dict[str, Any], refs: dict[str, int] | None = None, **context: Any
    ) -> Page:
        """Render one template into a page with front matter; ``refs`` numbers the reports it cites."""
        self.refs = refs or {}
        self.linked = set()
        body = self.env.get_template(template).render(**context)
        search = meta.get("search")
        if isinstance(search, dict) and not search.get("exclude"):
            # Every spelling of what the page names, so that any spelling finds it (generator/search.py).
            named = (self.linked & self.names.spellable) | self.names.named(body)
            mentions = self.names.spellings(named, [*search.get("terms", []), str(meta.get("title", ""))])
            if mentions:
                search["mentions"] = mentions
        return Page(path, with_front_matter(meta, body))

    def pages(self) -> Iterator[Page]:
        """Every page of the site, in a stable order."""
        corpus, index = self.corpus, self.index
        for kind, name in ((k.folder, k.singular) for k in KINDS.values()):
            record_ids = index.incident_order if kind == "incidents" else sorted(corpus.of_kind(kind))
            for record_id in record_ids:
                loaded = corpus.of_kind(kind)[record_id]
                record = loaded.record
                description = getattr(record, "summary", None) or getattr(record, "description", None)
                meta = {**self._meta(loaded, self.label(kind, record_id), description)}
                meta["search"] = self.search_meta(kind, record_id)
                cited = {"incidents": self.incident_citations, "actors": self.actor_citations}.get(kind)
                yield self.page(
                    f"{kind}/{record_id}.md",
                    f"{name}.md.j2",
                    meta,
                    **{"id": record_id, "loaded": loaded, name: record},
                    refs=self.source_numbers(cited(record_id)) if cited else {},
                )
        for tag in sorted(index.tag_incidents):
            title = str(self.macros.tag_title(index.tag_names[tag]))
            yield self.page(f"tags/{tag}.md", "tag.md.j2", {**page_meta(title), **UNSEARCHED}, tag=tag)
        yield self.page(
            "actors/index.md",
            "actors_index.md.j2",
            {**page_meta("Actors"), **UNSEARCHED},
            by_kind=self._actors_by_kind(),
        )
        yield self.page(
            "places/index.md", "places_index.md.j2", {**page_meta("Places"), **UNSEARCHED}, tree=self._place_tree()
        )
        yield self.page(
            "sources/index.md",
            "sources_index.md.j2",
            {**page_meta("Sources"), **UNSEARCHED},
            by_outlet=self._sources_by_outlet(),
        )
        yield self.page("tags/index.md", "tags_index.md.j2", {**page_meta("Tags"), **UNSEARCHED})
        from generator.sitepages import reader_pages  # it builds on this module

        yield from reader_pages(self)

    def _meta(self, loaded: Loaded[Any], title: str, description: str | None) -> dict[str, Any]:
        return page_meta(title, description, fact=loaded.path)

    def search_meta(self, kind: str, record_id: str) -> dict[str, Any]:
        """What the search index needs about a record's page (see generator/search.py)."""
        corpus = self.corpus
        if kind == "incidents":
            incident: Incident = corpus.incidents[record_id].record
            # The day as written (no time zone arithmetic): '2021-07-05T14:45+03:00' is 5 July.
            written = re.match(r"\d{4}-\d{2}-\d{2}", incident.when.date or "")
            days = date_terms(date.fromisoformat(written.group())) if written else []
            return {
                "kind": "incident",
                "date": str(self.date_text(record_id)),
                "place": self.label("places", incident.place),
                "terms": incident_terms(corpus, record_id) + days,
            }
        if kind == "sources":
            source = corpus.sources[record_id].record
            published = str(self.macros.published(source)) if source.published != UNKNOWN else None
            return {"kind": "source", **({"date": published} if published else {})}
        record = corpus.of_kind(kind)[record_id].record
        return {"kind": KINDS[kind].singular, "terms": list(record.aliases)}

    def _timeline(self) -> list[tuple[str, list[str]]]:
        """Incidents by year, in date order; an incident whose date is not given goes by when it was reported."""
        years: dict[str, list[str]] = {}
        for incident_id in self.index.incident_order:
            years.setdefault(f"{self.index.local_earliest(incident_id):%Y}", []).append(incident_id)
        return list(years.items())

    def _actors_by_kind(self) -> list[tuple[str, list[str]]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for actor_id in sorted(self.corpus.actors, key=lambda a: (self.corpus.actors[a].record.name.casefold(), a)):
            groups[self.corpus.actors[actor_id].record.kind].append(actor_id)
        return sorted(groups.items())

    def _place_tree(self) -> list[tuple[int, str]]:
        """Every place with its depth, parents before children, siblings by name."""
        places = self.corpus.places
        roots = sorted(
            (p for p, loaded in places.items() if loaded.record.parent not in places),
            key=lambda p: places[p].record.name.casefold(),
        )
        tree: list[tuple[int, str]] = []
        stack = [(0, root) for root in reversed(roots)]
        while stack:
            depth, place_id = stack.pop()
            tree.append((depth, place_id))
            stack.extend((depth + 1, child) for child in reversed(self.children(place_id)))
        return tree

    def indent(self, depth: int) -> Markup:
        return Markup("    " * depth)

    def coordinates(self, lat: float, lon: float) -> str:
        """'33.3152° N, 44.3661° E'."""
        return f"{abs(lat):g}° {'N' if lat >= 0 else 'S'}, {abs(lon):g}° {'E' if lon >= 0 else 'W'}"

    def _sources_by_outlet(self) -> list[tuple[str, list[str]]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for source_id in sorted(self.corpus.sources):
            groups[self.corpus.sources[source_id].record.outlet].append(source_id)
        known = sorted((o for o in groups if o != UNKNOWN), key=lambda o: self.label("actors", o).casefold())
        return [(o, groups[o]) for o in known] + ([(UNKNOWN, groups[UNKNOWN])] if UNKNOWN in groups else [])

    def children(self, place_id: str) -> list[str]:
        places = self.corpus.places
        return sorted(self.index.place_children.get(place_id, []), key=lambda p: places[p].record.name.casefold())


@dataclass(frozen=True)
class Link:
    """One link between two incidents, as seen from one of them (see :meth:`Renderer.related`).

    ``what`` is "order" (one came before the other: ``after`` is true when this incident
    came after the other; ``dated`` names whose date is worked out from the other's, "this"
    or "other", if either is) or "related" (a ``related`` entry with another ``relation``);
    ``inbound`` when the other incident makes the link.
    """

    what: str
    inbound: bool
    relation: str = ""
    citations: tuple[Citation, ...] = ()
    after: bool = False
    dated: str | None = None


_ORDER = {"follows": True, "precedes": False}
"""The relations that say only which incident came first: whether the incident that makes them came after."""


def _merge_order(links: list[Link]) -> list[Link]:
    """The links between two incidents, with all that say one came after the other as one link each way.

    The merged link keeps whose date is worked out from whose, and every citation, once;
    it comes where the first of them came.
    """
    merged: list[Link] = []
    for link in links:
        same = next((m for m in merged if m.what == "order" and link.what == "order" and m.after == link.after), None)
        if same is None:
            merged.append(link)
            continue
        cited = same.citations + tuple(c for c in link.citations if c not in same.citations)
        combined = Link("order", same.inbound and link.inbound, "", cited, same.after, same.dated or link.dated)
        merged[merged.index(same)] = combined
    return merged


def _capitalize_first(text: Any) -> Any:
    """Upper-case the first letter only (Jinja's ``capitalize`` lower-cases the rest)."""
    return text[:1].upper() + text[1:]


def render(index: Index, project: Project) -> list[Page]:
    """Every page of the site."""
    return list(Renderer(index, project).pages())
