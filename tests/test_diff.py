from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.diff import code, escape
from generator.load import body_hash
from generator.schema import schema_comment

COALITION_TEXT = (
    "On Monday afternoon, three rockets hit Ain al-Asad air base in Anbar province, "
    "the coalition said, adding that there were no casualties."
)
LOCAL_TEXT = (
    "Fourteen rockets were fired at Ain al-Asad air base on Monday, security sources told the agency. "
    "On Wednesday a drone was shot down near the base."
)

INCIDENT = """\
title: Rockets hit Ain al-Asad air base
when:
  date: 2021-07-05
  part_of_day: afternoon
place: ain-al-asad-air-base
type: rocket-attack
actors:
  - actor: us-coalition
    role: defender
questions:
  - id: rocket-count
    label: How many rockets hit the base?
    claims:
      - id: three-rockets
        text: Three rockets hit the base.
        citations:
          - source: coalition-statement
            quote: three rockets hit Ain al-Asad air base
  - id: casualties
    label: Was anyone hurt?
    claims:
      - id: no-casualties
        text: No one was hurt.
        citations:
          - source: coalition-statement
            quote: there were no casualties
          - source: local-report
            quote: security sources told the agency
"""


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Analyst", "-c", "user.email=analyst@example.org", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def _write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    kind = rel.split("/")[1]
    if kind == "sources":
        front, body = text.split("---\n", 1)
        path.write_text(f"---\n{schema_comment(kind)}\n{front}sha256: {body_hash(body)}\n---\n{body}\n")
    else:
        path.write_text(f"{schema_comment(kind)}\n{text}")


def _source(title: str, outlet: str, body: str) -> str:
    return (
        f"title: {title}\noutlet: {outlet}\nauthor: unknown\npublished: 2021-07-05\nurl: unknown\n"
        f"language: en\nkind: news-report\nretrieved: 2021-07-08\n---\n{body}"
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fact repository with one commit on main and one on the branch 'change', checked out."""
    root = tmp_path / "facts-repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (root / "mkdocs.yml").write_text("site_name: test\n")
    _write(root, "facts/places/iraq.yaml", "name: Iraq\nkind: country\ntimezone: Asia/Baghdad\n")
    _write(root, "facts/places/anbar.yaml", "name: Anbar\nkind: province\nparent: iraq\n")
    _write(
        root,
        "facts/places/ain-al-asad-air-base.yaml",
        "name: Ain al-Asad air base\nkind: military-base\nparent: anbar\n",
    )
    _write(root, "facts/places/erbil.yaml", "name: Erbil\nkind: city\nparent: iraq\n")
    _write(
        root,
        "facts/actors/us-coalition.yaml",
        "name: US-led coalition\nkind: coalition\ndescription: The US-led military coalition in Iraq.\n",
    )
    _write(
        root,
        "facts/actors/local-agency.yaml",
        "name: Local agency\nkind: news-agency\ndescription: A news agency in Baghdad.\n",
    )
    _write(root, "facts/sources/coalition-statement.md", _source("Coalition statement", "us-coalition", COALITION_TEXT))
    _write(root, "facts/sources/local-report.md", _source("Rockets fired at base", "local-agency", LOCAL_TEXT))
    _write(root, "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml", INCIDENT)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Rocket attack on Ain al-Asad")

    _git(root, "checkout", "-q", "-b", "change")
    _git(root, "mv", "facts/actors/us-coalition.yaml", "facts/actors/us-led-coalition.yaml")
    _git(root, "rm", "-q", "facts/places/erbil.yaml")
    _write(
        root, "facts/sources/coalition-statement.md", _source("Coalition statement", "us-led-coalition", COALITION_TEXT)
    )
    incident = (
        INCIDENT.replace("actor: us-coalition", "actor: us-led-coalition")
        .replace("text: Three rockets hit the base.", "text: Three rockets struck the base.")
        .replace(
            "  - id: casualties\n",
            "      - id: fourteen-rockets\n"
            "        text: Fourteen rockets were fired at the base.\n"
            "        citations:\n"
            "          - source: local-report\n"
            "            quote: Fourteen rockets were fired at Ain al-Asad air base\n"
            "  - id: casualties\n",
        )
    )
    _write(root, "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml", incident)
    _write(
        root,
        "facts/incidents/ain-al-asad-drone-2021-07-07.yaml",
        textwrap.dedent(
            """\
            title: Drone shot down near Ain al-Asad air base
            when:
              date: 2021-07-07
            place: ain-al-asad-air-base
            type: interception
            related:
              - incident: ain-al-asad-rockets-2021-07-05
                relation: follows
            questions:
              - id: outcome
                label: What happened to the drone?
                claims:
                  - id: shot-down
                    text: A drone was shot down near the base.
                    citations:
                      - source: local-report
                        quote: a drone was shot down near the base
            """
        ),
    )
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Drone near Ain al-Asad; rocket count contested")
    return root


def expected(base: str, head: str) -> str:
    return textwrap.dedent(
        f"""\
        ## Changes to the facts

        Comparing {base} with {head}.

        ### Incidents

        - **Added** `ain-al-asad-drone-2021-07-07`: "Drone shot down near Ain al-Asad air base"
          - 7 July 2021, at `ain-al-asad-air-base` ("Ain al-Asad air base"); interception
          - Question "What happened to the drone?" (`outcome`): 1 claim, single source
        - **Changed** `ain-al-asad-rockets-2021-07-05`: "Rockets hit Ain al-Asad air base"
          - Claim `three-rockets` reworded: "Three rockets hit the base." → "Three rockets struck the base."
          - Claim `fourteen-rockets` added to "How many rockets hit the base?": "Fourteen rockets were fired at the base." (cites `local-report`)
          - Question "How many rockets hit the base?" (`rocket-count`) is now **contested** (was single source)

        ### Actors

        - **Renamed** `us-coalition` → `us-led-coalition`: "US-led coalition"
          - References updated in `facts/incidents/ain-al-asad-rockets-2021-07-05.yaml`, `facts/sources/coalition-statement.md`

        ### Places

        - **Removed** `erbil`: "Erbil"

        ### Checks

        0 errors and 1 warning in the changed files or caused by the change:

        - **warning** `facts/incidents/ain-al-asad-drone-2021-07-07.yaml:2:1`: the incident rests on a single source ('local-report'): look for a second one
        """
    )


def test_diff_between_two_commits_in_words(repo: Path) -> None:
    base = _git(repo, "rev-parse", "--short=7", "HEAD~1")
    head = _git(repo, "rev-parse", "--short=7", "HEAD")
    result = CliRunner().invoke(main, ["diff", "HEAD~1", "HEAD", "--project", str(repo)])
    assert result.exit_code == 0, result.output
    assert result.output == expected(f"`{base}` (HEAD~1)", f"`{head}` (HEAD)")


def test_diff_defaults_to_the_merge_base_with_main_and_the_working_tree(repo: Path) -> None:
    base = _git(repo, "rev-parse", "--short=7", "main")
    result = CliRunner().invoke(main, ["diff", "--project", str(repo)])
    assert result.exit_code == 0, result.output
    assert result.output == expected(f"`{base}` (merge base with `main`)", "the working tree")


def test_diff_works_in_a_shallow_clone_that_has_both_commits(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    _git(tmp_path, "clone", "-q", "--depth=2", "--branch=change", f"file://{repo}", str(clone))
    result = CliRunner().invoke(main, ["diff", "HEAD^1", "--project", str(clone)])
    assert result.exit_code == 0, result.output
    assert "- **Renamed** `us-coalition` → `us-led-coalition`" in result.output


def test_diff_says_how_to_fetch_a_missing_commit(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    _git(tmp_path, "clone", "-q", "--depth=1", "--branch=change", f"file://{repo}", str(clone))
    result = CliRunner().invoke(main, ["diff", "HEAD^1", "--project", str(clone)])
    assert result.exit_code == 1
    assert result.output == (
        "Error: 'HEAD^1' is not a commit in this repository; in a shallow clone, fetch it first "
        "(git fetch --depth=1 origin COMMIT, or check out with fetch-depth: 0)\n"
    )


def test_diff_of_the_working_tree_shows_an_unreadable_file_and_its_error(repo: Path) -> None:
    incident = repo / "facts/incidents/ain-al-asad-drone-2021-07-07.yaml"
    incident.write_text(incident.read_text().replace("type: interception", "type: [interception"))
    result = CliRunner().invoke(main, ["diff", "HEAD", "--project", str(repo)])
    head = _git(repo, "rev-parse", "--short=7", "HEAD")
    assert result.output == textwrap.dedent(
        f"""\
        ## Changes to the facts

        Comparing `{head}` (HEAD) with the working tree.

        ### Incidents

        - **Cannot be read** `ain-al-asad-drone-2021-07-07`: "Drone shot down near Ain al-Asad air base": the file has errors (see the checks below)

        ### Checks

        1 error and 0 warnings in the changed files or caused by the change:

        - **error** `facts/incidents/ain-al-asad-drone-2021-07-07.yaml:7:8`: YAML is not well formed: did not find expected ',' or '\\]'
        """
    )


def test_diff_with_no_changes(repo: Path) -> None:
    result = CliRunner().invoke(main, ["diff", "HEAD", "HEAD", "--project", str(repo)])
    head = _git(repo, "rev-parse", "--short=7", "HEAD")
    assert result.output == textwrap.dedent(
        f"""\
        ## Changes to the facts

        Comparing `{head}` (HEAD) with `{head}` (HEAD).

        No record was added, removed or changed.

        ### Checks

        No problems in the changed files, and none caused by the change.

        1 other problem in unchanged files was there before this change.
        """
    )


def test_diff_names_date_place_actor_and_citation_changes(repo: Path) -> None:
    path = repo / "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml"
    path.write_text(
        path.read_text()
        .replace("date: 2021-07-05\n  part_of_day: afternoon", "date: 2021-07-05T14:45+03:00")
        .replace("place: ain-al-asad-air-base", "place: anbar")
        .replace("role: defender", "role: target\n  - actor: local-agency\n    role: witness")
        .replace(
            "          - source: local-report\n            quote: security sources told the agency\n",
            "          - source: local-report\n            quote: security sources told the agency\n            attributed_to: local-agency\n",
        )
    )
    result = CliRunner().invoke(main, ["diff", "HEAD", "--project", str(repo)])
    head = _git(repo, "rev-parse", "--short=7", "HEAD")
    assert result.output == textwrap.dedent(
        f"""\
        ## Changes to the facts

        Comparing `{head}` (HEAD) with the working tree.

        ### Incidents

        - **Changed** `ain-al-asad-rockets-2021-07-05`: "Rockets hit Ain al-Asad air base"
          - Date changed: 5 July 2021, afternoon → 5 July 2021, 14:45 (UTC+03:00)
          - Place changed: `ain-al-asad-air-base` ("Ain al-Asad air base") → `anbar` ("Anbar")
          - Role of `us-led-coalition` changed: defender → target
          - Actor added: `local-agency` ("Local agency") as witness
          - Citation added to claim `no-casualties`: `local-report`, "security sources told the agency", attributed to `local-agency` ("Local agency")
          - Citation dropped from claim `no-casualties`: `local-report`, "security sources told the agency"

        ### Checks

        No problems in the changed files, and none caused by the change.

        1 other problem in unchanged files was there before this change.
        """
    )


# The three changes the diff used to miss


def _working_diff(repo: Path) -> str:
    result = CliRunner().invoke(main, ["diff", "HEAD", "--project", str(repo)])
    assert result.exit_code == 0, result.output
    return result.output


def _details(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("  - ")]


def test_other_places_added_removed_and_changed_are_reported(repo: Path) -> None:
    path = repo / "facts/incidents/ain-al-asad-drone-2021-07-07.yaml"
    path.write_text(
        path.read_text().replace(
            "type: interception\n",
            "type: interception\nother_places:\n  - place: anbar\n    role: heard-in\n  - place: iraq\n    role: other\n",
        )
    )
    _git(repo, "commit", "-qam", "other places")
    path.write_text(
        path.read_text()
        .replace("role: heard-in", "role: alarm-sounded")
        .replace("  - place: iraq\n    role: other\n", "  - place: ain-al-asad-air-base\n    role: nearby\n")
    )
    assert _details(_working_diff(repo)) == [
        "  - Role of other place `anbar` changed: heard in → alarm sounded",
        '  - Other place added: `ain-al-asad-air-base` ("Ain al-Asad air base") as nearby',
        '  - Other place removed: `iraq` ("Iraq") (was other)',
    ]


def test_a_dropped_citation_of_a_related_link_is_reported(repo: Path) -> None:
    path = repo / "facts/incidents/ain-al-asad-drone-2021-07-07.yaml"
    cited = (
        "    relation: follows\n    citations:\n      - source: local-report\n"
        "        quote: On Wednesday a drone was shot down near the base\n"
    )
    path.write_text(path.read_text().replace("    relation: follows\n", cited))
    _git(repo, "commit", "-qam", "cite the link")
    path.write_text(path.read_text().replace(cited, "    relation: follows\n"))
    assert _details(_working_diff(repo)) == [
        "  - Citation dropped from the link to `ain-al-asad-rockets-2021-07-05`: `local-report`, "
        '"On Wednesday a drone was shot down near the base"'
    ]


def test_a_citation_change_on_an_actor_relation_says_what_changed(repo: Path) -> None:
    path = repo / "facts/actors/local-agency.yaml"
    relation = (
        "relations:\n  - relation: affiliated-with\n    actor: us-led-coalition\n    citations:\n"
        "      - source: local-report\n        quote: security sources told the agency\n"
    )
    path.write_text(path.read_text() + relation)
    _git(repo, "commit", "-qam", "relation")
    path.write_text(path.read_text().replace("security sources told the agency", "Fourteen rockets were fired"))
    assert _details(_working_diff(repo)) == [
        '  - Citation added to the relation to `us-led-coalition`: `local-report`, "Fourteen rockets were fired"',
        "  - Citation dropped from the relation to `us-led-coalition`: `local-report`, "
        '"security sources told the agency"',
    ]


def test_answers_marked_as_agreeing_are_worded_with_the_status_they_give(repo: Path) -> None:
    path = repo / "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml"
    fourteen = (
        "      - id: fourteen-rockets\n"
        "        text: Fourteen rockets were fired at the base.\n"
        "        citations:\n"
        "          - source: local-report\n"
        "            quote: Fourteen rockets were fired at Ain al-Asad air base\n"
    )
    several = (
        "      - id: several-rockets\n"
        "        text: Rockets were fired at the base; no number is given.\n"
        "        citations:\n"
        "          - source: local-report\n"
        "            quote: rockets were fired at Ain al-Asad air base\n"
    )
    path.write_text(path.read_text().replace(fourteen, several))
    _git(repo, "commit", "-qam", "a count without a number")
    marked = (
        path.read_text()
        .replace(
            "    label: How many rockets hit the base?\n",
            "    label: How many rockets hit the base?\n    note: The answers differ only in precision.\n",
        )
        .replace(
            "        text: Three rockets struck the base.\n",
            "        text: Three rockets struck the base.\n        refines: several-rockets\n",
        )
    )
    path.write_text(marked)
    assert _details(_working_diff(repo)) == [
        "  - Claim `three-rockets` marked as a more precise form of claim `several-rockets`",
        '  - `note` of question `rocket-count` set to "The answers differ only in precision."',
        '  - Question "How many rockets hit the base?" (`rocket-count`) is now **consistent** (was contested)',
    ]
    _git(repo, "commit", "-qam", "three refines several")
    path.write_text(
        marked.replace("        refines: several-rockets\n", "        consistent_with: [several-rockets]\n")
    )
    assert _details(_working_diff(repo)) == [
        "  - Claim `three-rockets` no longer marked as a more precise form of claim `several-rockets`",
        "  - Claim `three-rockets` marked as consistent with claim `several-rockets`",
    ]


# Hostile trees: read in memory, refused as problems, nothing written anywhere


class _Trees:
    """Builds commits from hand-made git trees (``git mktree`` accepts entries a checkout would refuse)."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo

    def git(self, *args: str, stdin: bytes | None = None) -> bytes:
        return subprocess.run(["git", *args], cwd=self.repo, input=stdin, capture_output=True, check=True).stdout

    def blob(self, data: bytes) -> str:
        return self.git("hash-object", "-w", "--stdin", stdin=data).decode().strip()

    def entries(self, tree: str) -> list[tuple[str, str, str, bytes]]:
        found = []
        for line in self.git("ls-tree", "-z", tree).split(b"\0"):
            if line:
                meta, name = line.split(b"\t", 1)
                mode, kind, sha = meta.decode().split()
                found.append((mode, kind, sha, name))
        return found

    def tree(self, entries: list[tuple[str, str, str, bytes]]) -> str:
        text = b"".join(f"{mode} {kind} {sha}\t".encode() + name + b"\0" for mode, kind, sha, name in entries)
        return self.git("mktree", "-z", stdin=text).decode().strip()

    def commit_with(self, folder: bytes, added: list[tuple[str, str, str, bytes]]) -> str:
        """HEAD with entries added to one folder under facts/ (b'' for facts/ itself)."""
        top = self.entries("HEAD^{tree}")
        facts = next(sha for _, _, sha, name in top if name == b"facts")
        inner = self.entries(facts)
        if folder:
            sub = next(sha for _, _, sha, name in inner if name == folder)
            inner = [e for e in inner if e[3] != folder] + [
                ("040000", "tree", self.tree(self.entries(sub) + added), folder)
            ]
        else:
            inner = inner + added
        top = [e for e in top if e[3] != b"facts"] + [("040000", "tree", self.tree(inner), b"facts")]
        return (
            self.git(
                "-c",
                "user.name=Analyst",
                "-c",
                "user.email=analyst@example.org",
                "commit-tree",
                self.tree(top),
                "-p",
                "HEAD",
                "-m",
                "hostile",
            )
            .decode()
            .strip()
        )


def _checks(repo: Path, commit: str) -> list[str]:
    result = CliRunner().invoke(main, ["diff", "HEAD", commit, "--project", str(repo)])
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if line.startswith("- **")]


def _everything(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*")}


def test_a_tree_with_dot_dot_is_refused_and_nothing_is_written(repo: Path, tmp_path: Path) -> None:
    trees = _Trees(repo)
    escape = trees.tree([("100644", "blob", trees.blob(b"pwned\n"), b"pwned.txt")])
    commit = trees.commit_with(b"", [("040000", "tree", escape, b".."), ("100644", "blob", trees.blob(b"x"), b".")])
    before = _everything(tmp_path)
    assert _checks(repo, commit) == [
        "- **error** `facts/.:1:1`: the path has an empty, '.' or '..' part: git trees made by hand can hold one; it is not read",
        "- **error** `facts/../pwned.txt:1:1`: the path has an empty, '.' or '..' part: git trees made by hand can hold one; it is not read",
    ]
    assert _everything(tmp_path) == before
    assert not (repo / "pwned.txt").exists() and not (repo.parent / "pwned.txt").exists()


def test_a_symbolic_link_in_a_tree_is_refused_and_never_followed(repo: Path, tmp_path: Path) -> None:
    trees = _Trees(repo)
    target = tmp_path / "target"
    target.mkdir()
    commit = trees.commit_with(
        b"sources", [("120000", "blob", trees.blob(str(tmp_path / "secret.md").encode()), b"leak.md")]
    )
    (tmp_path / "secret.md").write_text("---\ntitle: secret\n---\nsecret\n")
    assert _checks(repo, commit) == [
        "- **error** `facts/sources/leak.md:1:1`: fact files must be regular files, not symbolic links",
    ]


def test_a_path_that_differs_only_in_case_cannot_write_through_a_link(repo: Path, tmp_path: Path) -> None:
    """On a case-insensitive file system `facts/Sources` and `facts/sources` are one folder: nothing is written at all."""
    trees = _Trees(repo)
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = ("120000", "blob", trees.blob(str(target).encode()), b"Sources")
    commit = trees.commit_with(b"", [link])
    assert _checks(repo, commit) == [
        "- **error** `facts/Sources:1:1`: fact files must be regular files, not symbolic links",
    ]
    assert list(target.iterdir()) == []


def test_file_names_cannot_carry_markdown_or_control_characters_into_the_summary(repo: Path) -> None:
    trees = _Trees(repo)
    commit = trees.commit_with(
        b"incidents",
        [
            ("100644", "blob", trees.blob(b"title: x\n"), b"<!-- `x` @everyone.yaml"),
            ("100644", "blob", trees.blob(b"title: x\n"), b"red\x1b[31m.yaml"),
            ("100644", "blob", trees.blob(b"x"), b"\xff.yaml"),
        ],
    )
    assert _checks(repo, commit) == [
        "- **error** ``facts/incidents/<!-- `x` @everyone.yaml:1:1``: the file name '\\<!-- \\`x\\` @\u200beveryone.yaml' is not a valid id: it contains '\\<'; rename it with lowercase letters a-z, digits and single hyphens",
        "- **error** `facts/incidents/\\xff.yaml:1:1`: the file name is not UTF-8: rename it",
        "- **error** `facts/incidents/red⟨U+001B⟩[31m.yaml:1:1`: the path holds control characters: rename the file",
    ]


def test_fact_text_is_escaped_in_the_summary(repo: Path) -> None:
    path = repo / "facts/incidents/ain-al-asad-rockets-2021-07-05.yaml"
    path.write_text(
        path.read_text().replace("title: Rockets hit Ain al-Asad air base", 'title: "<!-- *x* [a](b) &amp; | @all"')
    )
    output = _working_diff(repo)
    assert (
        '  - Title changed: "Rockets hit Ain al-Asad air base" → "\\<!-- \\*x\\* \\[a\\](b) \\&amp; \\| @\u200ball"'
        in output
    )


def test_control_and_invisible_characters_are_shown_as_code_points() -> None:
    assert escape("red\x1b[31m \u202eevil\u200b") == "red⟨U+001B⟩\\[31m ⟨U+202E⟩evil⟨U+200B⟩"
    assert code("a ``b`` \x07") == "```a ``b`` ⟨U+0007⟩```"
    assert code("`x`") == "`` `x` ``"
