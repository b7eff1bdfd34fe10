"""Fact files from strangers: every text field reaching a page is escaped, every id stays in its folder."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.findings.append(f"<{tag} {name}={value}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.findings.append("<img src=x>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(" in data:
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
