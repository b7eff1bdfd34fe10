"""Stand-in page writer for benchmark corpora: Markdown pages shaped like the real ones.

The benchmark measures search, not rendering, so it only needs pages with the same
kind and amount of text as ``factsheet build`` writes: incident pages with a
When / Where / Type table and their claims, actor and place pages with aliases and
backlinks, source pages with the archived text. Each page carries the ``search``
front matter that ``overrides/main.html`` turns into Pagefind markup (see
``generator/search.py``). When the real renderer is available the benchmark uses it.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from generator.load import Corpus, load_corpus
from generator.project import Project
from generator.search import incident_terms, readable_date


def _front(meta: dict[str, object]) -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n"


def write_pages(project: Project) -> int:
    """Write Markdown pages for every record into the project's docs folder; return how many."""
    corpus = load_corpus(project)
    docs = project.docs_dir
    for kind in ("incidents", "actors", "places", "sources"):
        (docs / kind).mkdir(parents=True, exist_ok=True)
    by_actor: dict[str, list[str]] = defaultdict(list)
    by_place: dict[str, list[str]] = defaultdict(list)
    for incident_id, loaded in corpus.incidents.items():
        by_place[loaded.record.place].append(incident_id)
        for entry in loaded.record.actors:
            by_actor[entry.actor].append(incident_id)
    count = 0
    for incident_id in corpus.incidents:
        _write(docs / "incidents" / f"{incident_id}.md", _incident_page(corpus, incident_id))
        count += 1
    for actor_id, actor in corpus.actors.items():
        record = actor.record
        lines = [f"# {record.name}", "", record.description, ""]
        if record.aliases:
            lines += ["Also written: " + ", ".join(record.aliases) + ".", ""]
        lines += ["## Incidents", ""] + [_link(corpus, i) for i in by_actor[actor_id]]
        meta = {
            "title": record.name,
            "description": record.description,
            "search": {"kind": "actor", "terms": list(record.aliases)},
        }
        _write(docs / "actors" / f"{actor_id}.md", _front(meta) + "\n".join(lines) + "\n")
        count += 1
    for place_id, place in corpus.places.items():
        record = place.record
        lines = [f"# {record.name}", ""]
        if record.aliases:
            lines += ["Also written: " + ", ".join(record.aliases) + ".", ""]
        lines += ["## Incidents", ""] + [_link(corpus, i) for i in by_place[place_id]]
        meta = {
            "title": record.name,
            "description": f"Incidents at {record.name}.",
            "search": {"kind": "place", "terms": list(record.aliases)},
        }
        _write(docs / "places" / f"{place_id}.md", _front(meta) + "\n".join(lines) + "\n")
        count += 1
    for source_id, source in corpus.sources.items():
        record = source.record
        body = "\n\n".join(line for line in source.body.splitlines() if line.strip())
        meta = {
            "title": record.title,
            "description": f"Archived text of {record.title}.",
            "search": {"kind": "source", "date": readable_date(record.published)},
        }
        _write(docs / "sources" / f"{source_id}.md", _front(meta) + f"# {record.title}\n\n{body}\n")
        count += 1
    return count


def _incident_page(corpus: Corpus, incident_id: str) -> str:
    incident = corpus.incidents[incident_id].record
    place = corpus.places[incident.place].record
    date = incident.when.date or ""
    lines = [
        f"# {incident.title}",
        "",
        "| When | Where | Type |",
        "| --- | --- | --- |",
        f"| {readable_date(date)} | [{place.name}](../places/{incident.place}.md) | {incident.type} |",
        "",
    ]
    if incident.summary:
        lines += [incident.summary, ""]
    for entry in incident.actors:
        lines.append(f"- [{corpus.actors[entry.actor].record.name}](../actors/{entry.actor}.md): {entry.role}")
    lines.append("")
    for question in incident.questions:
        lines += [f"## {question.label}", ""]
        for claim in question.claims:
            lines.append(f"- {claim.text}")
            for citation in claim.citations:
                title = corpus.sources[citation.source].record.title
                lines.append(f"    - [{title}](../sources/{citation.source}.md): “{citation.quote}”")
        lines.append("")
    meta = {
        "title": incident.title,
        "description": incident.summary or incident.title,
        "search": {
            "kind": "incident",
            "date": readable_date(date),
            "place": place.name,
            "terms": incident_terms(corpus, incident_id),
        },
    }
    return _front(meta) + "\n".join(lines) + "\n"


def _link(corpus: Corpus, incident_id: str) -> str:
    incident = corpus.incidents[incident_id].record
    return f"- [{incident.title}](../incidents/{incident_id}.md), {readable_date(incident.when.date or '')}"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
