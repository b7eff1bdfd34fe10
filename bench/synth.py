"""Write a synthetic but valid factsheet project of N incidents, for benchmarks.

The corpus is deterministic for a given seed and size. Per 100 incidents it has about
8 actors, 5 places and 8 sources, so 10,000 incidents make about 12,000 pages, the
size at which the built-in search index is measured in the search issue. Every quote
is a sentence of its source's archived text and every source's ``sha256`` matches, so
``factsheet validate --project DIR`` accepts it.

    python3 -m bench.synth --incidents 1000 DIR
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

from bench.build import copy_project
from generator.load import body_hash

_ONSETS = ["b", "d", "f", "h", "j", "k", "kh", "m", "n", "q", "r", "s", "sh", "t", "w", "z", "gh", "dh"]
_VOWELS = ["a", "i", "u", "aa", "ee", "ou"]
_CODAS = ["", "", "d", "m", "n", "r", "s", "l", "b"]
# The same sound, spelled the way different reports spell it.
_VARIANTS = {"aa": ["a", "aa"], "ee": ["i", "ee"], "ou": ["u", "ou"], "q": ["q", "k"], "dh": ["dh", "z"]}

INCIDENT_TYPES = ["rocket-attack", "drone-attack", "missile-attack", "air-strike", "bombing", "interception"]
TYPE_WORDS = {
    "rocket-attack": ("Rocket attack", "rockets"),
    "drone-attack": ("Drone attack", "drones"),
    "missile-attack": ("Missile attack", "missiles"),
    "air-strike": ("Air strike", "bombs"),
    "bombing": ("Roadside bombing", "bombs"),
    "interception": ("Interception", "projectiles"),
}
PLACE_KINDS = ["military-base", "city", "district", "airport", "compound", "border-area"]
PLACE_WORDS = {
    "military-base": "air base",
    "city": "city",
    "district": "district",
    "airport": "airport",
    "compound": "compound",
    "border-area": "border crossing",
}
DEFENCES = ["the C-RAM system", "air defences", "a Patriot battery", "electronic jamming", "sirens and warning lights"]
OUTCOMES = [
    "No one was injured and damage is being assessed",
    "Two contractors were lightly wounded",
    "A hangar and a vehicle were damaged",
    "The projectiles landed outside the perimeter",
    "There were no reports of casualties",
]
FILLER = [
    "Residents said they heard several loud explosions before dawn.",
    "Security officials declined to give further details.",
    "The area has seen repeated attacks over the past year.",
    "Footage shared on social media showed smoke rising over the site.",
    "Officials said an investigation had been opened.",
    "Traffic on the main road was halted for several hours.",
]


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables))


def _variant(word: str, rng: random.Random) -> str:
    for sound, spellings in _VARIANTS.items():
        if sound in word:
            word = word.replace(sound, rng.choice([s for s in spellings if s != sound] or spellings), 1)
    return word


def _slug(text: str) -> str:
    keep = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in keep.split("-") if part)[:70]


@dataclass
class SynthSource:
    id: str
    title: str
    outlet: str
    published: date
    sentences: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        # One paragraph per three sentences, like a wire report.
        paragraphs = [" ".join(self.sentences[i : i + 3]) for i in range(0, len(self.sentences), 3)]
        return "\n".join(paragraphs)


@dataclass
class Names:
    """Unique invented names with a house spelling and a few variants."""

    rng: random.Random
    seen: set[str] = field(default_factory=set)

    def fresh(self, syllables: int) -> str:
        while True:
            word = _word(self.rng, syllables)
            if word not in self.seen:
                self.seen.add(word)
                return word.capitalize()


def write_corpus(out: Path, incidents: int, seed: int = 1) -> None:
    """Write a project folder with ``facts/`` for ``incidents`` incidents into ``out``."""
    rng = random.Random(f"{seed}-{incidents}")
    names = Names(rng)
    out.mkdir(parents=True, exist_ok=True)
    copy_project(out)
    facts = out / "facts"
    if facts.exists():
        shutil.rmtree(facts)
    for kind in ("sources", "actors", "places", "incidents"):
        (facts / kind).mkdir(parents=True)

    n_places = max(5, incidents * 5 // 100)
    n_actors = max(8, incidents * 8 // 100)
    n_sources = max(4, incidents * 8 // 100)

    # Places: one country, provinces, then sites inside the provinces.
    country = names.fresh(2)
    places: dict[str, dict[str, object]] = {_slug(country): {"name": country, "kind": "country", "aliases": []}}
    provinces = []
    for _ in range(max(2, n_places // 10)):
        name = names.fresh(2)
        provinces.append(_slug(name + "-province"))
        places[provinces[-1]] = {
            "name": f"{name} province",
            "kind": "province",
            "aliases": [name],
            "parent": _slug(country),
        }
    sites = []
    while len(places) < n_places:
        base = names.fresh(rng.choice([2, 3]))
        kind = rng.choice(PLACE_KINDS) if sites else "military-base"  # the benchmark searches for a base
        label = f"{'Ain' if kind == 'military-base' else 'Al'}-{base}"
        name = f"{label} {PLACE_WORDS[kind]}"
        aliases = sorted(
            {f"{label.replace('-', ' ')}", f"{label.split('-')[0]} {_variant(base.lower(), rng).capitalize()}", label}
        )
        slug = _slug(name)
        sites.append(slug)
        places[slug] = {
            "name": name,
            "kind": kind,
            "aliases": aliases,
            "parent": provinces[len(sites) % len(provinces)],
        }

    # Actors: outlets (sources' publishers), armed groups with abbreviations, and people.
    actors: dict[str, dict[str, object]] = {}
    outlets, groups, people = [], [], []
    while len(actors) < n_actors:
        roll = len(actors) % 4
        if roll == 0:
            name = f"{names.fresh(2)} News"
            slug = _slug(name)
            outlets.append(slug)
            actors[slug] = {
                "name": name,
                "kind": "media-outlet",
                "aliases": [f"{name} website"],
                "description": "A news website.",
            }
        elif roll == 1:
            words = [names.fresh(2) for _ in range(3)]
            name = f"Kataib {words[0]} al-{words[1]}"
            abbreviation = "".join(w[0] for w in ["K", *words[:2]]).upper() + words[2][0].upper()
            slug = _slug(name)
            groups.append(slug)
            actors[slug] = {
                "name": name,
                "kind": "armed-group",
                "aliases": [abbreviation, f"Kata'ib {words[0]} al-{_variant(words[1].lower(), rng).capitalize()}"],
                "description": "An armed group.",
            }
        else:
            first, last = names.fresh(2), names.fresh(3)
            name = f"{first} {last}"
            slug = _slug(name)
            people.append(slug)
            actors[slug] = {
                "name": name,
                "kind": "person",
                "aliases": [
                    f"{_variant(first.lower(), rng).capitalize()} {last}",
                    f"{first} {_variant(last.lower(), rng).capitalize()}",
                ],
                "description": "A spokesperson quoted in reports.",
            }

    sources = []
    start = date(2019, 1, 1)
    for index in range(n_sources):
        outlet = outlets[index % len(outlets)]
        sources.append(
            SynthSource(
                id=f"report-{index + 1:05d}",
                title=f"{actors[outlet]['name']} report {index + 1}",
                outlet=outlet,
                published=start + timedelta(days=index * 2000 // n_sources),
            )
        )

    for number in range(incidents):
        _write_incident(facts, rng, number, incidents, places, sites, actors, groups, people, sources, start)

    for slug, place in places.items():
        _dump(facts / "places" / f"{slug}.yaml", {k: v for k, v in place.items() if v != []})
    for slug, actor in actors.items():
        _dump(facts / "actors" / f"{slug}.yaml", actor)
    for source in sources:
        if not source.sentences:
            source.sentences.append(rng.choice(FILLER))
        front = {
            "title": source.title,
            "outlet": source.outlet,
            "author": "unknown",
            "published": source.published.isoformat(),
            "url": f"https://example.org/{source.id}",
            "language": "en",
            "kind": "news-report",
            "retrieved": "2026-01-15",
            "sha256": body_hash(source.body),
        }
        text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + source.body + "\n"
        (facts / "sources" / f"{source.id}.md").write_text(text, encoding="utf-8")


def _write_incident(
    facts: Path,
    rng: random.Random,
    number: int,
    total: int,
    places: dict[str, dict[str, object]],
    sites: list[str],
    actors: dict[str, dict[str, object]],
    groups: list[str],
    people: list[str],
    sources: list[SynthSource],
    start: date,
) -> None:
    kind = rng.choice(INCIDENT_TYPES)
    noun, plural = TYPE_WORDS[kind]
    site = rng.choice(sites)
    place = places[site]
    day = start + timedelta(days=number * 2000 // total)
    group, speaker = rng.choice(groups), rng.choice(people)
    title = f"{noun} on {place['name']}"
    slug = f"{_slug(title)}-{day.isoformat()}-{number + 1}"
    count = rng.randint(2, 9)
    alias = rng.choice(place["aliases"])  # type: ignore[arg-type]
    defence = rng.choice(DEFENCES)
    outcome = rng.choice(OUTCOMES)
    first, second = rng.sample(sources, 2)
    lines = {
        "count": f"On {day.strftime('%d %B %Y')}, {count} {plural} were fired at {alias}, "
        f"according to {actors[speaker]['name']}.",
        "count2": f"{count + rng.randint(0, 2)} {plural} targeted {place['name']}, a statement said.",
        "defence": f"At {alias}, {defence} engaged the incoming {plural}.",
        "outcome": f"{outcome}, {actors[speaker]['name']} said of the attack on {alias}.",
        "claim": f"{actors[group]['name']} claimed the attack on {alias} in a statement.",
    }
    first.sentences += [lines["count"], rng.choice(FILLER), lines["defence"], lines["claim"]]
    second.sentences += [lines["count2"], lines["outcome"]]

    def cite(source: SynthSource, key: str) -> dict[str, str]:
        return {"source": source.id, "quote": lines[key]}

    claims_count = [
        {"id": "reported-count", "text": f"{count} {plural} were fired.", "citations": [cite(first, "count")]}
    ]
    if lines["count2"].split()[0] != str(count):
        claims_count.append(
            {
                "id": "other-count",
                "text": f"{lines['count2'].split()[0]} {plural} were fired.",
                "citations": [cite(second, "count2")],
            }
        )
    else:
        claims_count[0]["citations"].append(cite(second, "count2"))
    incident = {
        "title": title,
        "summary": f"{noun} reported at {place['name']} on {day.strftime('%d %B %Y')}.",
        "when": {"date": day.isoformat()},
        "place": site,
        "type": kind,
        "actors": [
            {"actor": group, "role": "claimed-responsibility", "citations": [cite(first, "claim")]},
            {"actor": speaker, "role": "spokesperson"},
        ],
        "tags": [plural],
        "questions": [
            {"id": "count", "label": f"How many {plural} were fired?", "claims": claims_count},
            {
                "id": "defence",
                "label": "How was the attack met?",
                "claims": [
                    {
                        "id": "engaged",
                        "text": f"{defence[0].upper()}{defence[1:]} engaged the incoming {plural}.",
                        "citations": [cite(first, "defence")],
                    },
                ],
            },
            {
                "id": "casualties",
                "label": "Were there casualties?",
                "claims": [
                    {"id": "outcome", "text": f"{outcome}.", "citations": [cite(second, "outcome")]},
                ],
            },
        ],
    }
    _dump(facts / "incidents" / f"{slug}.yaml", incident)


def _dump(path: Path, data: dict[str, object]) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="project folder to write (its facts/ is replaced)")
    parser.add_argument("--incidents", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_corpus(args.out, args.incidents, args.seed)


if __name__ == "__main__":
    main()
