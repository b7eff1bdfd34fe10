"""Checks across records: references resolve, quotes are in their sources, hashes match.

Runs after loading, on the whole corpus, and collects every problem (never stops at
the first). Quote positions found here are kept for the source pages.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from generator import quotes
from generator.limits import RELATIVE_CHAIN
from generator.load import Corpus, Loaded, body_hash
from generator.models import KINDS, UNKNOWN, Citation, Question
from generator.problems import Problem
from generator.walk import citations, references
from generator.yamlload import Loc, loc_text

Span = tuple[int, int]


@dataclass
class CheckResult:
    """Problems found, and where each checked quote sits in its source's text."""

    problems: list[Problem] = field(default_factory=list)
    spans: dict[tuple[str, str], Span] = field(default_factory=dict)  # (source id, quote) -> span

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class _Checker:
    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.result = CheckResult()
        self.normalised = {sid: quotes.NormalisedText.of(s.body) for sid, s in corpus.sources.items()}
        self.used: set[tuple[str, str]] = set()  # (kind, id) of every record something refers to
        self._citations: dict[int, list[tuple[Loc, Citation]]] = {}

    def citations(self, loaded: Loaded[Any]) -> list[tuple[Loc, Citation]]:
        """Every citation of a record, walked once."""
        key = id(loaded)
        if key not in self._citations:
            self._citations[key] = citations(loaded.record)
        return self._citations[key]

    def problem(self, loaded: Loaded[Any], loc: Loc, message: str, severity: str = "error") -> None:
        at = loaded.at(loc)
        self.result.problems.append(Problem(loaded.path, at.line, at.col, severity, message))  # type: ignore[arg-type]

    def references(self, kind_name: str, loaded: Loaded[Any]) -> None:
        """Every reference of a record points at a record that exists, and not at itself where it must not."""
        for ref in references(loaded.record):
            self.used.add((ref.kind, ref.target))
            if ref.itself is not None and ref.kind == kind_name and ref.target == loaded.id:
                self.problem(loaded, ref.loc, ref.itself)
            if ref.target in self.corpus.of_kind(ref.kind) or (ref.kind, ref.target) in self.corpus.unloadable:
                continue
            kind = KINDS[ref.kind]
            self.problem(
                loaded,
                ref.loc,
                f"{loc_text(ref.loc)}: no {kind.singular} '{ref.target}' (expected facts/{kind.folder}/{ref.target}"
                f"{kind.extension}); fix the id or add the {kind.singular}",
            )

    def run(self) -> CheckResult:
        for kind in KINDS:
            for loaded in self.corpus.of_kind(kind).values():
                check = getattr(self, f"check_{kind}", None)
                if check is not None:
                    check(loaded)
                self.references(kind, loaded)
                for loc, citation in self.citations(loaded):
                    self.check_citation(loaded, loc, citation)
        self.check_place_cycles()
        self.check_date_cycles()
        self.check_copies()
        if not self.corpus.unloadable:  # a file that did not load may hold the missing references
            self.warn_unreferenced()
        self.result.problems.sort()
        return self.result

    def check_sources(self, loaded: Loaded[Any]) -> None:
        source = loaded.record
        actual = body_hash(loaded.body)
        if actual != source.sha256:
            self.problem(
                loaded,
                ("sha256",),
                f"the archived text does not match its sha256 (it is {actual}): an archived source must not be "
                "edited; if the change is a deliberate correction, record the new hash",
            )
        for key in source.notes:
            if key not in type(source).model_fields:
                self.problem(
                    loaded,
                    ("notes", key),
                    f"notes.{key}: a note is keyed by the field it explains; '{key}' is not a field of a source",
                )

    def check_actors(self, loaded: Loaded[Any]) -> None:
        if loaded.id == UNKNOWN:
            self.problem(loaded, (), "'unknown' is reserved for an unknown outlet: give the actor another id")

    def check_incidents(self, loaded: Loaded[Any]) -> None:
        incident = loaded.record
        if incident.near is not None and incident.near.place == incident.place:
            self.problem(
                loaded,
                ("near", "place"),
                "near.place: an incident cannot be near the place it is at; set 'place' to the place "
                "that contains it (e.g. the city)",
            )
        for index, entry in enumerate(incident.related):
            whole = self.corpus.incidents.get(entry.incident)
            if entry.relation == "part-of" and whole is not None and not whole.record.series:
                self.problem(
                    loaded,
                    ("related", index, "relation"),
                    f"related[{index}]: part-of '{entry.incident}', which is not a series: "
                    "mark it 'series: true' if it stands for several events, or use another relation",
                    "warning",
                )
        self.unique(loaded, [(("questions", qi, "id"), q.id) for qi, q in enumerate(incident.questions)], "question")
        self.unique(
            loaded,
            [
                (("questions", qi, "claims", ci, "id"), claim.id)
                for qi, question in enumerate(incident.questions)
                for ci, claim in enumerate(question.claims)
            ],
            "claim",
        )
        for qi, question in enumerate(incident.questions):
            self.agreeing_answers(loaded, qi, question)
        sources = {citation.source for _, citation in self.citations(loaded)}
        if len(sources) == 1:
            self.problem(
                loaded,
                (),
                f"the incident rests on a single source ('{next(iter(sources))}'): look for a second one",
                "warning",
            )

    def agreeing_answers(self, loaded: Loaded[Any], qi: int, question: Question) -> None:
        """'refines' and 'consistent_with' name other answers to the same question; refinements never go round."""
        answers = [claim.id for claim in question.claims]
        for ci, claim in enumerate(question.claims):
            at: Loc = ("questions", qi, "claims", ci)
            named: list[tuple[Loc, str, str]] = [(("refines",), claim.refines, "refine")] if claim.refines else []
            named += [
                (("consistent_with", n), other, "be consistent with") for n, other in enumerate(claim.consistent_with)
            ]
            for field_loc, other, verb in named:
                loc = (*at, *field_loc)
                if other == claim.id:
                    self.problem(loaded, loc, f"{loc_text(loc)}: an answer cannot {verb} itself")
                elif other not in answers:
                    self.problem(
                        loaded,
                        loc,
                        f"{loc_text(loc)}: '{other}' is not another answer to question '{question.id}' "
                        f"(its answers are {', '.join(repr(a) for a in answers)}); name one of them",
                    )
        parent = {c.id: c.refines for c in question.claims if c.refines in answers and c.refines != c.id}
        circles: set[frozenset[str]] = set()
        for ci, claim in enumerate(question.claims):
            seen = [claim.id]
            current = parent.get(claim.id)
            while current is not None and current not in seen:
                seen.append(current)
                current = parent.get(current)
            if current == claim.id and frozenset(seen) not in circles:  # reported once, at its first claim
                circles.add(frozenset(seen))
                loc = ("questions", qi, "claims", ci, "refines")
                self.problem(
                    loaded,
                    loc,
                    f"{loc_text(loc)}: the answers refine each other in a circle ({' → '.join([*seen, claim.id])}); "
                    "one of them must be the least precise",
                )

    def unique(self, loaded: Loaded[Any], ids: list[tuple[Loc, str]], what: str) -> None:
        seen: dict[str, Loc] = {}
        for loc, value in ids:
            if value in seen:
                first = loaded.at(seen[value])
                self.problem(
                    loaded,
                    loc,
                    f"duplicate {what} id '{value}' (first used on line {first.line}): ids must be unique within the incident",
                )
            else:
                seen[value] = loc

    def check_citation(self, loaded: Loaded[Any], loc: Loc, citation: Citation) -> None:
        source = self.corpus.sources.get(citation.source)
        if source is None:
            return  # reported with the record's references
        key = (citation.source, citation.quote)
        if key in self.result.spans:
            return
        span = quotes.find(self.normalised[citation.source], citation.quote)
        if span is None:
            normalised = self.normalised[citation.source]
            inside = quotes.inside_words(normalised, citation.quote)
            if inside is not None:
                message = (
                    f"the quote is in source '{citation.source}' only as part of longer words: \"{inside}\"; "
                    "a quote starts and ends on whole words (quote the whole words)"
                )
            else:
                closest = quotes.closest_passage(normalised, citation.quote)
                message = (
                    f"the quote is not in source '{citation.source}'; "
                    f'the closest passage is: "{closest}" (copy it exactly)'
                )
            self.problem(loaded, (*loc, "quote"), f"{loc_text((*loc, 'quote'))}: {message}")
        else:
            self.result.spans[key] = span

    def check_copies(self) -> None:
        """Two files that are one record would count as two: two origins, two incidents."""
        by_text: dict[str, list[Loaded[Any]]] = defaultdict(list)
        for source_id, loaded in sorted(self.corpus.sources.items()):
            text = self.normalised[source_id].text.strip()
            if text:  # an empty text cannot be cited, and is reported where it is quoted
                by_text[text].append(loaded)
        for copies in by_text.values():
            self._copies(
                copies,
                ("sha256",),
                "the archived text is the same as that of {others}: one document is one source, however many copies "
                "there are (two would count as two origins); keep one and cite it",
            )
        by_content: dict[str, list[Loaded[Any]]] = defaultdict(list)
        for _, incident in sorted(self.corpus.incidents.items()):
            by_content[same_incident_key(incident.record.model_dump(mode="json"))].append(incident)
        for copies in by_content.values():
            self._copies(
                copies,
                (),
                "this incident is the same as {others} once ids are set aside: one incident is one record (two would "
                "count it twice); keep one",
            )

    def _copies(self, copies: list[Loaded[Any]], loc: Loc, message: str) -> None:
        if len(copies) < 2:
            return
        for loaded in copies:
            others = ", ".join(other.path for other in copies if other is not loaded)
            self.problem(loaded, loc, message.format(others=others))

    def check_place_cycles(self) -> None:
        places = self.corpus.places
        for place_id, loaded in places.items():
            seen = {place_id}
            parent = loaded.record.parent
            while parent is not None and parent in places:
                if parent in seen:
                    self.problem(
                        loaded,
                        ("parent",),
                        f"parent: '{place_id}' ends up inside itself ({parent} is among its parents); fix one parent",
                    )
                    break
                seen.add(parent)
                parent = places[parent].record.parent

    def check_date_cycles(self) -> None:
        incidents = self.corpus.incidents
        longest = RELATIVE_CHAIN.value
        for incident_id, loaded in incidents.items():
            seen = {incident_id}
            anchor = loaded.record.when.relative_to
            if anchor == incident_id:
                continue  # reported as dated relative to itself
            while anchor is not None and anchor in incidents:
                if anchor in seen:
                    self.problem(
                        loaded,
                        ("when", "relative_to"),
                        "when.relative_to: the dates form a circle; give one of these incidents a 'date'",
                    )
                    break
                if len(seen) > longest:
                    self.problem(
                        loaded,
                        ("when", "relative_to"),
                        f"when.relative_to: the date depends on a chain of more than {longest} incidents each "
                        "dated against the next; date one of them directly (see the limits in the fact format "
                        "reference)",
                    )
                    break
                seen.add(anchor)
                anchor = incidents[anchor].record.when.relative_to

    def warn_unreferenced(self) -> None:
        for kind in KINDS.values():
            if kind.unreferenced is None:
                continue
            for record_id, loaded in self.corpus.of_kind(kind.folder).items():
                if (kind.folder, record_id) not in self.used:
                    self.problem(loaded, (), kind.unreferenced, "warning")


def check_corpus(corpus: Corpus) -> CheckResult:
    """Every cross-record check; problems sorted by file and line."""
    return _Checker(corpus).run()


_LABELS = ("id",)  # ids name a record, a question or a claim; they are not what it says


def same_incident_key(data: Any) -> str:
    """What an incident file says, without its ids: two files with the same key are one incident.

    ``data`` is the validated record as JSON values (so a field left out and one written
    with its default read the same). Ids (of the record, its questions and its claims)
    are dropped and text is compared with its whitespace collapsed; everything else
    must be equal. Conservative on
    purpose: any difference in what is claimed, cited or dated makes two incidents.
    """

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: strip(item) for key, item in value.items() if key not in _LABELS}
        if isinstance(value, list):
            return [strip(item) for item in value]
        if isinstance(value, str):
            return " ".join(value.split())
        return value

    return json.dumps(strip(data), sort_keys=True, ensure_ascii=False)
