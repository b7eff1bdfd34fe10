"""Every `factsheet …` command the project tells people to run exists, and `factsheet hash` agrees with the loader."""

from __future__ import annotations

import os
import re
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from generator.load import body_hash, load_corpus, split_source
from generator.project import GENERATED_DIRS, GENERATED_ROOT_PAGES, Project
from generator.scaffold import Details, create
from tests.conftest import ROOT

# A command is named in code: after a backtick, a path ('.venv/bin/'), or 'run: ', 'entry: ' or 'name: '
# in YAML; at the start of a line only in a code block or a script. 'a factsheet project' is prose.
INLINE = re.compile(r"(?:`|/|\b(?:run|entry|name): )factsheet ([a-z][a-z0-9-]*)")
LINE_START = re.compile(r"^[ \t>$]*factsheet ([a-z][a-z0-9-]*)", re.MULTILINE)
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
SCRIPTS = {".yml", ".yaml", ".sh", ""}


def mentions(text: str, suffix: str) -> list[str]:
    """The commands a file names."""
    found = [m.group(1) for m in INLINE.finditer(text)]
    blocks = [text] if suffix in SCRIPTS else FENCE.findall(text) if suffix == ".md" else []
    return found + [m.group(1) for block in blocks for m in LINE_START.finditer(block)]


SUFFIXES = {".py", ".md", ".j2", ".yml", ".yaml", ".toml", ".html", ".txt", ".cfg", ".sh", ""}
SKIPPED = {".git", ".venv", "node_modules", "site", "facts", "tests", "schemas", "__pycache__"}


def _texts() -> list[Path]:
    """The project's own text files: code, messages, templates, docs, workflows (not facts, not generated pages)."""
    files = []
    generated = {ROOT / "docs" / name for name in GENERATED_DIRS}
    for folder, dirs, names in os.walk(ROOT):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIPPED
            and (not d.startswith(".") or d in (".github", ".ci"))
            and not d.endswith(".egg-info")
            and here / d not in generated
        )
        files += [
            here / name
            for name in sorted(names)
            if Path(name).suffix in SUFFIXES and here / name not in {ROOT / "docs" / p for p in GENERATED_ROOT_PAGES}
        ]
    return files


def test_every_command_named_anywhere_exists() -> None:
    named: dict[str, set[str]] = {}
    for path in _texts():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for name in mentions(text, path.suffix):
            named.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    missing = {name: sorted(paths) for name, paths in named.items() if name not in main.commands}
    assert missing == {}, f"commands named but not defined: {missing}"
    # The messages, the README and the docs do name commands: the search finds them.
    assert {"validate", "build", "diff", "hash", "new", "schema"} <= named.keys()
    assert any(path.startswith("generator/") for path in named["hash"])


def test_the_mention_pattern_tells_commands_from_prose() -> None:
    prose = "A factsheet project\nfactsheet writes the pages\nrun `factsheet hash FILE`, .venv/bin/factsheet new\n"
    assert mentions(prose, ".py") == ["hash", "new"]
    assert mentions("steps:\n  - run: factsheet build --x\n  - run: |\n      factsheet validate\n", ".yml") == [
        "build",
        "validate",
    ]
    assert mentions("factsheet writes\n```sh\nfactsheet serve\n```\n", ".md") == ["serve"]


def _hash(path: str) -> str:
    result = CliRunner().invoke(main, ["hash", path])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_hash_of_every_bundled_source_is_its_recorded_sha256() -> None:
    corpus = load_corpus(Project.at(ROOT))
    assert corpus.sources
    for source_id, loaded in corpus.sources.items():
        assert _hash(str(ROOT / loaded.path)) == loaded.record.sha256, source_id


def test_hash_reads_crlf_as_the_loader_does(project: Path, tmp_path: Path) -> None:
    """A source saved with CRLF line ends: the hash printed is the one the loader accepts."""
    source = next((project / "facts/sources").glob("*.md"))
    text = source.read_text(encoding="utf-8")
    source.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    corpus = load_corpus(Project.at(project))
    loaded = corpus.sources[source.stem]
    assert _hash(str(source)) == body_hash(loaded.body) == loaded.record.sha256
    plain = tmp_path / "archived.txt"
    split = split_source(text)
    assert split is not None
    plain.write_bytes((split[1] + "\n").replace("\n", "\r\n").encode("utf-8"))
    assert _hash(str(plain)) == loaded.record.sha256


def test_hash_of_a_plain_text_is_what_new_source_records(project: Path, tmp_path: Path) -> None:
    text = "A statement.\n\nIts second paragraph.\n"
    archived = tmp_path / "statement.txt"
    archived.write_text(text, encoding="utf-8")
    path = create(Project.at(project), "source", "statement", Details(), text)
    recorded = re.search(r"^sha256: (\w+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert recorded is not None
    assert _hash(str(archived)) == recorded.group(1) == _hash(str(path))


def test_hash_from_standard_input_and_its_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["hash", "-"], input="text\n")
    assert result.output == body_hash("text") + "\n"
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"caf\xe9")
    result = CliRunner().invoke(main, ["hash", str(bad)])
    assert result.exit_code == 1
    assert result.output == f"Error: {bad}:1:4: the file is not UTF-8 text (byte 0xe9 at byte 3); save it as UTF-8\n"
