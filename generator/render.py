"""Render the indexed corpus as Markdown pages with front matter.

Python decides what each page says; the templates in ``templates/`` decide how it
reads. Every value a template prints is escaped for Markdown and HTML unless it is
:class:`markupsafe.Markup` built here (links, marked source text), so text from fact
files, however hostile, cannot inject markup into a page.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote

import frontmatter
import jinja2
from markupsafe import Markup

from generator.dates import describe_duration, parse_date
from generator.history import History, read_history
from generator.index import STATUS_LABELS, CitationUse, Index
from generator.load import Loaded
from generator.models import ACCUSED_ROLES, KINDS, SLUG, UNKNOWN, Citation, Incident, IncidentActor, When
from generator.project import Project
from generator.quotes import quote_anchor
from generator.search import date_terms, incident_terms

TEMPLATES = Path(__file__).parent / "templates"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|])")
_LIST_START = re.compile(r"^([-+]|\d+\.)(?=\s|$)")


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
    text = html.escape(text, quote=False)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # A value printed at the start of a line must not turn into a list item.
    return _LIST_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], text)


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
    """Turns an :class:`Index` into pages."""

    def __init__(self, index: Index, project: Project, history: History | None = None) -> None:
        self.index = index
        self.corpus = index.corpus
        self.project = project
        self.history = history if history is not None else read_history(project)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            undefined=jinja2.StrictUndefined,
            finalize=md,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            humanise=_humanise,
            status_label=lambda value: STATUS_LABELS[value],
        )
        self.env.globals.update(
            r=self,
            index=index,
            corpus=self.corpus,
        )

    # ----- links (the only Markup besides the source text) -----

    def link(self, kind: str, record_id: str, anchor: str = "", text: Any = None) -> Markup:
        """A relative Markdown link to a record's page, labelled with its name."""
        label = text if text is not None else self.label(kind, record_id)
        target = f"../{kind}/{record_id}.md" + (f"#{anchor}" if anchor else "")
        return Markup(f"[{md(label)}]({target})")

    def label(self, kind: str, record_id: str) -> str:
        loaded = self.corpus.of_kind(kind).get(record_id)
        if loaded is None:
            return record_id
        record = loaded.record
        return str(getattr(record, "title", None) or getattr(record, "name", record_id))

    def tag_link(self, tag: str) -> Markup:
        return Markup(f"[{md(tag)}](../tags/{tag}.md)")

    def external(self, url: str, text: Any) -> Markup:
        safe = url_quote(url, safe=":/?#@!$&'*+,;=%~-._")
        return Markup(f"[{md(text)}](<{safe}>)")

    def file_link(self, name: str) -> Markup:
        """A link to a file beside the page (a download), by its name."""
        return Markup(f"[`{name}`]({url_quote(name)})")

    def day(self, value: date) -> str:
        """'6 July 2021'."""
        return f"{value.day} {value:%B %Y}"

    def edit_link(self, loaded: Loaded[Any]) -> Markup:
        url = self.project.edit_url(loaded.path)
        file = Markup(f"`{loaded.path}`")  # ids are slugs: safe inside a code span
        if url is None:
            return Markup(f"Fact file: {file}")
        return Markup(f"Fact file: {file} · {self.external(url, 'Edit this fact')}")

    # ----- wording -----

    def when(self, incident_id: str) -> str:
        incident = self.corpus.incidents[incident_id].record
        when: When = incident.when
        parts = []
        parsed = self.index.dates[incident_id]
        if parsed is not None:
            text = parsed.describe()
            if when.part_of_day:
                text = f"{when.part_of_day} on {text}" if when.part_of_day == "early" else f"{text}, {when.part_of_day}"
            parts.append(text)
        if when.relative_to:
            parts.append(f"{self.relative_gap(when)} {self.label('incidents', when.relative_to)}")
        return "; ".join(parts)

    def relative_gap(self, when: When) -> str:
        """'within 12 hours after', 'between 2 days and 10 days before', 'after'."""
        most, least = when.within_delta, when.at_least_delta
        if most is not None and least is not None:
            return f"between {describe_duration(least)} and {describe_duration(most)} {when.relation}"
        if most is not None:
            return f"within {describe_duration(most)} {when.relation}"
        if least is not None:
            return f"at least {describe_duration(least)} {when.relation}"
        return str(when.relation)

    def short_date(self, incident_id: str) -> str:
        """The date as a sortable, compact text for tables (the earliest day it allows, in local time)."""
        parsed = self.index.dates[incident_id]
        if parsed is not None:
            return parsed.describe()
        return f"after {self.index.local_earliest(incident_id):%d %B %Y}".replace(" 0", " ")

    def accusers(self, entry: IncidentActor, say_unstated: bool = False) -> Markup:
        """' by United States' after 'blamed' or 'suspected perpetrator'; whether the sources say by whom."""
        if entry.by:
            return Markup(" by " + ", ".join(self.link("actors", accuser) for accuser in entry.by))
        if say_unstated and entry.role in ACCUSED_ROLES:
            return Markup(" (the sources do not say by whom)")
        return Markup("")

    def place_trail(self, place_id: str) -> Markup:
        links = [self.link("places", p) for p in reversed(self.index.place_path(place_id))]
        return Markup(", ".join(links))

    def source_label(self, source_id: str) -> Markup:
        """'Outlet, date' (or the title when the outlet is unknown), linked to the source."""
        source = self.corpus.sources[source_id].record
        outlet = self.label("actors", source.outlet) if source.outlet != UNKNOWN else source.title
        date = "" if source.published == UNKNOWN else f" ({md(source.published)})"
        return Markup(f"{md(outlet)}{date}")

    def citation(self, citation: Any) -> Markup:
        """A citation: the quote linked to its marked place in the source, and whom it is attributed to."""
        anchor = quote_anchor(citation.quote)
        quote = self.link("sources", citation.source, anchor, "“" + " ".join(citation.quote.split()) + "”")
        parts = [f"{self.source_label(citation.source)}: {quote}"]
        if citation.attributed_to or citation.attribution:
            who = []
            if citation.attributed_to:
                who.append(str(self.link("actors", citation.attributed_to)))
            if citation.attribution:
                who.append(md(f"“{citation.attribution}”"))
            parts.append(" — attributed to " + ", ".join(who))
        return Markup("".join(parts))

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
            text = html.escape(piece, quote=True)
            if covering:
                current.append(f'<span class="fs-cited {" ".join(sorted(covering))}">{text}</span>')
            else:
                current.append(text)
        if current:
            paragraphs.append("".join(current))
        inner = "\n".join(f"<p>{p}</p>" for p in paragraphs if p.strip())
        return Markup(f'<div class="fs-source-text">\n{inner}\n</div>')

    # ----- pages -----

    def page(self, path: str, template: str, meta: dict[str, Any], **context: Any) -> Page:
        """Render one template into a page with front matter."""
        body = self.env.get_template(template).render(**context)
        post = frontmatter.Post(body, **meta)
        return Page(path, frontmatter.dumps(post, sort_keys=True) + "\n")

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
                yield self.page(
                    f"{kind}/{record_id}.md",
                    f"{name}.md.j2",
                    meta,
                    **{"id": record_id, "loaded": loaded, name: record},
                )
        for tag in sorted(index.tag_incidents):
            yield self.page(f"tags/{tag}.md", "tag.md.j2", {**page_meta(f"Tag: {tag}"), **UNSEARCHED}, tag=tag)
        yield self.page("incidents/index.md", "incidents_index.md.j2", {**page_meta("Incidents"), **UNSEARCHED})
        yield self.page(
            "timeline/index.md", "timeline.md.j2", {**page_meta("Timeline"), **UNSEARCHED}, years=self._timeline()
        )
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
                "date": self.short_date(record_id),
                "place": self.label("places", incident.place),
                "terms": incident_terms(corpus, record_id) + days,
            }
        if kind == "sources":
            source = corpus.sources[record_id].record
            published = parse_date(source.published).describe() if source.published != UNKNOWN else None
            return {"kind": "source", **({"date": published} if published else {})}
        record = corpus.of_kind(kind)[record_id].record
        return {"kind": KINDS[kind].singular, "terms": list(record.aliases)}

    def _timeline(self) -> list[tuple[str, list[tuple[str, list[str]]]]]:
        years: dict[str, dict[str, list[str]]] = {}
        for incident_id in self.index.incident_order:
            local = self.index.local_earliest(incident_id)
            years.setdefault(f"{local:%Y}", {}).setdefault(f"{local:%B %Y}", []).append(incident_id)
        return [(year, list(months.items())) for year, months in years.items()]

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

    def count(self, number: int, noun: str) -> str:
        return f"{number} {noun}{'' if number == 1 else 's'}"

    def distance(self, metres: int) -> str:
        return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres} m"

    def grouped(self, uses: list[CitationUse]) -> list[tuple[CitationUse, list[Citation]]]:
        """Uses of citations grouped by the statement they support, in first-seen order."""
        groups: dict[tuple[str, str, str], tuple[CitationUse, list[Citation]]] = {}
        for use in uses:
            key = (use.kind, use.record_id, use.anchor)
            groups.setdefault(key, (use, []))[1].append(use.citation)
        return list(groups.values())

    def _sources_by_outlet(self) -> list[tuple[str, list[str]]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for source_id in sorted(self.corpus.sources):
            groups[self.corpus.sources[source_id].record.outlet].append(source_id)
        known = sorted((o for o in groups if o != UNKNOWN), key=lambda o: self.label("actors", o).casefold())
        return [(o, groups[o]) for o in known] + ([(UNKNOWN, groups[UNKNOWN])] if UNKNOWN in groups else [])

    def children(self, place_id: str) -> list[str]:
        places = self.corpus.places
        return sorted(self.index.place_children.get(place_id, []), key=lambda p: places[p].record.name.casefold())


def render(index: Index, project: Project) -> list[Page]:
    """Every page of the site."""
    return list(Renderer(index, project).pages())
