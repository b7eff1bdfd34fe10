"""Fact files from strangers: every text field reaching a page is escaped, every id stays in its folder."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import make_project

PAYLOAD = (
    "</title><script>alert('t')</script><img src=x onerror=alert('i')>"
    " [link](javascript:alert('j')) {: onclick=alert('c') } <!-- x --> &amp; *bold* `code`"
)


class _Dangerous(HTMLParser):
    """Collects script text, event-handler attributes and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.findings: list[str] = []
        self._in_script = False
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        # Data for machines (schema.org), never run: it must stay one JSON document.
        self._in_data = self._in_script and dict(attrs).get("type") == "application/ld+json"
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.findings.append(f"<{tag} {name}={value}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.findings.append("<img src=x>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_data = False

    def handle_data(self, data: str) -> None:
        if self._in_data:
            try:
                json.loads(data)
            except ValueError:
                self.findings.append(f"not JSON in a data script: {data[:60]}")
        elif self._in_script and "alert(" in data:
            self.findings.append(f"script: {data[:60]}")


def _hostile_project(folder: Path) -> Path:
    project = make_project(folder)
    quoted = PAYLOAD.replace('"', '\\"')
    incident = project / "facts/incidents/baghdad-embassy-drones-2021-07-06.yaml"
    text = incident.read_text()
    text = text.replace("title: Drone attack on the US embassy in Baghdad", f'title: "{quoted}"')
    text = text.replace("summary: Drones were", f'summary: "{quoted}"\n# was: Drones were')
    text = text.replace("label: Were the drones shot down?", f'label: "{quoted}"')
    text = text.replace("text: Three drones targeted the embassy and all were downed.", f'text: "{quoted}"')
    text = text.replace("attribution: Some sources based near the site of the embassy", f'attribution: "{quoted}"')
    incident.write_text(text)
    actor = project / "facts/actors/shafaq-news.yaml"
    actor.write_text(
        actor.read_text()
        .replace("name: Shafaq News", f'name: "{quoted}"')
        .replace("aliases: [Shafaq news website]", f'aliases: ["{quoted}"]')
    )
    return project


def test_no_text_field_can_inject_markup(tmp_path: Path, run) -> None:
    project = _hostile_project(tmp_path / "project")
    result = run("build", "--project", str(project))
    assert result.exit_code == 0, result.output
    findings = []
    pages = list((project / "site").rglob("*.html"))
    for page in pages:
        parser = _Dangerous()
        parser.feed(page.read_text(encoding="utf-8"))
        findings += [f"{page.relative_to(project)}: {f}" for f in parser.findings]
    assert findings == []
    # The text is shown as written, not dropped.
    incident = (project / "site/incidents/baghdad-embassy-drones-2021-07-06/index.html").read_text()
    assert (
        "&lt;/title&gt;&lt;script&gt;alert(&#39;t&#39;)" in incident
        or "&lt;/title&gt;&lt;script&gt;alert('t')" in incident
    )


def test_ids_cannot_leave_their_folder(project: Path, run) -> None:
    incident = project / "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml"
    incident.write_text(incident.read_text().replace("place: ain-al-asad-air-base", "place: ../../../etc/passwd"))
    result = run("validate", "--project", str(project))
    assert result.exit_code == 1
    assert (
        "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml:5:8: error: place: '../../../etc/passwd' is not a valid id"
        in result.stdout
    )


def test_symlinked_fact_file_is_refused(project: Path, run, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: Outside\nkind: city\nparent: iraq\n")
    (project / "facts/places/outside.yaml").symlink_to(outside)
    result = run("validate", "--project", str(project))
    assert result.exit_code == 1
    assert "facts/places/outside.yaml:1:1: error: fact files must be regular files, not symbolic links" in result.stdout


def test_yaml_tags_are_never_constructed(project: Path, run) -> None:
    place = project / "facts/places/iraq.yaml"
    place.write_text("name: !!python/object/apply:os.system ['touch pwned']\nkind: country\n")
    result = run("validate", "--project", str(project))
    assert result.exit_code == 1
    assert "facts/places/iraq.yaml:1:7: error: the tag" in result.stdout
    assert not (project / "pwned").exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(project: Path, run) -> None:
    from generator.limits import YAML_FILE_BYTES

    actor = project / "facts/actors/huge.yaml"
    actor.write_text("name: Huge\nkind: other\ndescription: " + "x " * YAML_FILE_BYTES.value + "\n")
    result = run("validate", "--project", str(project))
    assert result.exit_code == 1
    size = actor.stat().st_size
    assert (
        f"facts/actors/huge.yaml:1:1: error: the file has {size} bytes; a fact file may have at most "
        f"{YAML_FILE_BYTES.value} (see the limits in the fact format reference)"
    ) in result.stdout.splitlines()


def test_a_long_chain_of_relative_dates_is_refused_without_recursion(project: Path, run) -> None:
    from generator.limits import RELATIVE_CHAIN

    template = (project / "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml").read_text()
    count = RELATIVE_CHAIN.value + 5
    for number in range(1, count + 1):
        text = template.replace(
            "  date: 2021-07-05T14:45+03:00\n",
            f"  relative_to: {'ain-al-asad-rockets-2021-07-05' if number == 1 else f'chain-{number - 1}'}\n"
            "  relation: after\n  within: PT1H\n",
        )
        (project / f"facts/incidents/chain-{number}.yaml").write_text(text)
    result = run("validate", "--project", str(project))
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    # chain-51 is the first whose chain has more than 50 links (chain-1 has one).
    assert errors == [
        f"facts/incidents/chain-{number}.yaml:3:16: error: when.relative_to: the date depends on a chain of more "
        f"than {RELATIVE_CHAIN.value} incidents each dated against the next; date one of them directly (see the "
        "limits in the fact format reference)"
        for number in sorted(range(RELATIVE_CHAIN.value + 1, count + 1), key=lambda n: f"chain-{n}.yaml")
    ]


# Every construct that could become markup, in one line of at most 300 characters.
PAYLOADS = [
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "[click](javascript:alert(3)) [data](data:text/html,<b>x</b>) ![img](x.png) <x@y.z> <http://x.y>",
    "{: onclick=alert(4) } {{ secret }} {% include 'x' %} | a | b | &amp; &#60; *em* _em_ `code`",
    "# not a heading",
    "---",
    "> not a quote",
    "1. not a list",
]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _everywhere(project: Path, payload: str, body_line: str) -> None:
    """The payload in every text field of one record of each kind, and in an archived text."""
    from generator.load import body_hash

    q = _quoted(payload)
    body = f"Archived\ttext with a tab.\n{body_line}\nThe end of the report."
    (project / "facts/sources/hostile-report.md").write_text(
        f"---\ntitle: {q}\noutlet: hostile-outlet\nauthor: {q}\npublished: 2021-07-06\nurl: unknown\nlanguage: en\n"
        f"kind: other\nretrieved: 2026-11-20\nsha256: {body_hash(body)}\nprovenance: {q}\nnotes:\n  title: {q}\n---\n{body}\n"
    )
    (project / "facts/actors/hostile-outlet.yaml").write_text(
        f"name: {q}\nkind: media-outlet\naliases: [{q}]\ndescription: {q}\n"
    )
    (project / "facts/places/hostile-place.yaml").write_text(
        f"name: {q}\nkind: city\nparent: iraq\naliases: [{q}]\ndescription: {q}\n"
    )
    (project / "facts/incidents/hostile-incident-2021.yaml").write_text(
        f"title: {q}\nsummary: {q}\nwhen:\n  date: 2021-07-07\n  note: {q}\nplace: hostile-place\ntype: other\n"
        "actors:\n  - actor: hostile-outlet\n    role: witness\ntags: [hostile]\nquestions:\n"
        f"  - id: hostile\n    label: {q}\n    status: contested\n    status_reason: {q}\n    claims:\n"
        f"      - id: hostile\n        text: {q}\n        citations:\n          - source: hostile-report\n"
        f"            quote: {_quoted(body_line)}\n            attribution: {q}\n"
        "          - source: airborne-threat-report\n            quote: The attack was intercepted\n"
    )


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path]]:
    from click.testing import CliRunner

    from generator.cli import main

    built = []
    for number, payload in enumerate(PAYLOADS):
        project = make_project(tmp_path_factory.mktemp(f"payload{number}") / "project")
        _everywhere(project, payload, f"The outlet wrote {payload} in its report.")
        result = CliRunner().invoke(main, ["build", "--project", str(project)])
        assert result.exit_code == 0, result.output
        built.append((payload, project))
    return built


def _visible_text(html_text: str) -> str:
    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("script", "style") and self.skip > 0

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(html_text)
    return " ".join(" ".join(parser.parts).split())


def _tag_counts(html_text: str) -> dict[str, int]:
    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.counts: dict[str, int] = {}

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.counts[tag] = self.counts.get(tag, 0) + 1

    parser = Tags()
    parser.feed(html_text)
    return parser.counts


def test_every_text_field_shows_hostile_text_literally(hostile_site: list[tuple[str, Path]]) -> None:
    for payload, project in hostile_site:
        site = project / "site"
        findings = []
        for page in site.rglob("*.html"):
            parser = _Dangerous()
            parser.feed(page.read_text(encoding="utf-8"))
            findings += [f"{page.relative_to(site)}: {f}" for f in parser.findings]
        assert findings == [], payload
        shown = " ".join(payload.split())
        pages = {
            "incidents/hostile-incident-2021": 7,  # title, summary, note, label, reason, claim, attribution
            "actors/hostile-outlet": 3,  # name, alias, description
            "places/hostile-place": 3,
            "sources/hostile-report": 5,  # title, author, provenance, note, archived text
        }
        for url, at_least in pages.items():
            text = _visible_text((site / url / "index.html").read_text(encoding="utf-8"))
            assert text.count(shown) >= at_least, (payload, url, text[:2000])
        incident = (site / "incidents/hostile-incident-2021/index.html").read_text(encoding="utf-8")
        baseline = (hostile_site[0][1] / "site/incidents/hostile-incident-2021/index.html").read_text(encoding="utf-8")
        # The same elements as with any other text: '---' is no rule, '#' no heading, '>' no quote…
        assert _tag_counts(incident) == _tag_counts(baseline), payload


def test_tabs_in_archived_text_are_kept_verbatim(hostile_site: list[tuple[str, Path]]) -> None:
    _, project = hostile_site[0]
    page = (project / "site/sources/hostile-report/index.html").read_text(encoding="utf-8")
    assert "Archived\ttext with a tab." in page or "Archived&#9;text with a tab." in page


def test_a_field_at_its_limit_of_markup_characters_builds(tmp_path: Path, run) -> None:
    """Runs of '<', '&' and '>' are left as text, not thousands of entities (quadratic in Python-Markdown)."""
    from generator.limits import LONG_TEXT_CHARS
    from generator.render import md

    run_of = {char: md(char * LONG_TEXT_CHARS.value) for char in "<&>"}
    assert [value.count("&") for value in run_of.values()] == [0, LONG_TEXT_CHARS.value, 1]
    assert run_of["<"] == "<" * LONG_TEXT_CHARS.value and run_of[">"] == "&gt;" + ">" * (LONG_TEXT_CHARS.value - 1)
    project = make_project(tmp_path / "project")
    hostile = ("<" * 1000 + "&" * 1000 + ">" * 1000 + "*" * 500 + "_" * 500)[: LONG_TEXT_CHARS.value]
    incident = project / "facts/incidents/baghdad-embassy-drones-2021-07-06.yaml"
    incident.write_text(
        incident.read_text().replace("summary: Drones were", f"summary: {_quoted(hostile)}\n# was: Drones were")
    )
    result = run("build", "--project", str(project))
    assert result.exit_code == 0, result.output
    page = (project / "site/incidents/baghdad-embassy-drones-2021-07-06/index.html").read_text(encoding="utf-8")
    assert hostile in _visible_text(page)


def test_control_characters_in_messages_are_printed_escaped(project: Path, run) -> None:
    (project / "facts/places/\x1b[2K\rall-good.yaml").write_text("name: x\nkind: city\n")
    incident = project / "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml"
    incident.write_text(incident.read_text().replace("place: ain-al-asad-air-base", 'place: "\\e[32mok"'))
    result = run("validate", "--project", str(project))
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    lines = result.stdout.splitlines()
    assert (
        "facts/places/\\x1b[2K\\x0dall-good.yaml:1:1: error: the file name '\\x1b[2K\\x0dall-good.yaml' is not a valid "
        "id: it contains U+001B ESCAPE; rename it with lowercase letters a-z, digits and single hyphens"
    ) in lines
    assert (
        "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml:5:8: error: place: contains U+001B ESCAPE at character 1, "
        "an invisible or control character that changes how the text reads: remove it"
    ) in lines


def test_new_quotes_every_option_value(project: Path, run) -> None:
    import yaml

    result = run(
        "new",
        "place",
        "green-zone",
        "--project",
        str(project),
        "--name",
        "Green Zone",
        "--parent",
        "x\nevil: 1",
        "--kind",
        "a: b",
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((project / "facts/places/green-zone.yaml").read_text())
    assert data["parent"] == "x\nevil: 1" and data["kind"] == "a: b" and "evil" not in data


def test_new_source_from_a_crlf_file_records_the_hash_the_loader_accepts(project: Path, run, tmp_path: Path) -> None:
    text = tmp_path / "report.txt"
    text.write_bytes(b"First line of the report.\r\nSecond line, with three drones.\r\n")
    result = run("new", "source", "crlf-report", "--project", str(project), "--from", str(text))
    assert result.exit_code == 0, result.output
    problems = run("validate", "--project", str(project)).stdout
    assert "crlf-report.md" in problems  # nothing cites it yet…
    assert [line for line in problems.splitlines() if "crlf-report.md" in line and "sha256" in line] == []


def test_a_leading_colon_stays_text_not_a_definition() -> None:
    """A note or description printed on the line after a paragraph, beginning ': ', must
    not turn that paragraph into a definition term (the site uses Markdown's def_list)."""
    import markdown

    from generator.render import md

    html = markdown.markdown("Status line\n" + md(": a note that begins with a colon"), extensions=["def_list"])
    assert "<dl>" not in html and "<dt>" not in html
    assert ": a note that begins with a colon" in html.replace("&#58;", ":")
    unescaped = markdown.markdown("Status line\n: a note that begins with a colon", extensions=["def_list"])
    assert "<dl>" in unescaped  # the shape the escape prevents
