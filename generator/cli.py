"""The ``factsheet`` command: a thin click layer over the generator library."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.problems import FactsInvalid, Problem
from generator.project import Project, ProjectError

if TYPE_CHECKING:
    from generator.pipeline import Generation

# The pipeline (pydantic, Jinja) is imported by the commands that need it: a validation
# answered from the cache never loads it.


class _KindChoice(click.Choice):  # type: ignore[type-arg]
    """The record kinds, read from the models when a command needs them (not on every start)."""

    def __init__(self) -> None:
        super().__init__([])

    @property
    def choices(self) -> tuple[str, ...]:
        from generator.models import KINDS

        return tuple(kind.singular for kind in KINDS.values())

    @choices.setter
    def choices(self, value: object) -> None:
        pass


def _project(path: str) -> Project:
    try:
        return Project.at(Path(path))
    except ProjectError as error:
        raise click.UsageError(str(error)) from None


project_option = click.option(
    "--project",
    "project_path",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The project folder (with mkdocs.yml and facts/).",
)


cache_option = click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Read and check every file again, ignoring .factsheet-cache/ (the result is the same).",
)


def _print_problems(problems: list[Problem], github: bool) -> None:
    for problem in problems:
        click.echo(problem.github_annotation() if github else str(problem))


def _summary(problems: list[Problem]) -> str:
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="factsheet")
def main() -> None:
    """Keep a cited record of incidents as YAML facts and publish it as a static site."""


@main.command("validate")
@project_option
@cache_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 if there are any).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github", "json", "sarif"]),
    default="text",
    show_default=True,
    help="'github' prints GitHub Actions annotations (::error file=…,line=…,col=…::); 'json' a report for "
    "editors and bots (its shape is in the README); 'sarif' a SARIF 2.1.0 log for code scanning.",
)
def validate_command(project_path: str, no_cache: bool, strict: bool, output_format: str) -> None:
    """Check every fact file; print each problem as path:line:col: severity: message.

    Exits 0 when the facts are valid, 1 when any is invalid, 2 on bad usage.
    """
    from generator.cache import validation_problems

    project = _project(project_path)
    problems = validation_problems(project, cache=not no_cache)
    if output_format in ("json", "sarif"):
        from generator.report import to_json, to_sarif

        click.echo(to_json(problems, strict=strict) if output_format == "json" else to_sarif(problems), nl=False)
    else:
        _print_problems(problems, output_format == "github")
    failing = [p for p in problems if p.severity == "error" or strict]
    click.echo(_summary(problems), err=True)
    sys.exit(1 if failing else 0)


def _report_generation(generation: Generation, seconds: float) -> None:
    report = generation.report
    corpus = generation.validation.corpus
    warnings = [p for p in generation.validation.problems if p.severity == "warning"]
    _print_problems(warnings, github=False)
    click.echo(
        f"{len(corpus.incidents)} incidents, {len(corpus.actors)} actors, {len(corpus.places)} places, "
        f"{len(corpus.sources)} sources ({len(warnings)} warnings); pages: {len(report.written)} written, "
        f"{report.unchanged} unchanged, {len(report.deleted)} deleted in {seconds:.2f} s",
        err=True,
    )


def _run_generation(project: Project, step: str, *, cache: bool = True, progress: bool = True) -> Generation:
    """Generate the pages, turning every library failure into a clear error and exit 1.

    With ``progress``, each step is shown on stderr: bars in a terminal, plain lines otherwise.
    """
    from generator.links import BrokenLinks
    from generator.pipeline import generate
    from generator.progress import Progress, Silent
    from generator.write import WriteError

    started = time.perf_counter()
    try:
        generation = generate(project, cache=cache, progress=Progress() if progress else Silent())
    except FactsInvalid as invalid:
        _print_problems(invalid.problems, github=False)
        raise click.ClickException(f"{_summary(invalid.problems)}: fix the facts above; nothing was {step}") from None
    except BrokenLinks as broken:
        _print_problems(broken.problems, github=False)
        raise click.ClickException(f"{broken}: fix the links above; nothing was {step}") from None
    except WriteError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # a full disk, a folder that cannot be written
        where = f" ({error.filename})" if error.filename else ""
        raise click.ClickException(
            f"could not write the pages: {error.strerror or error}{where}; every page is written whole or not at "
            "all, and the site was not touched"
        ) from None
    _report_generation(generation, time.perf_counter() - started)
    return generation


@main.command("build")
@project_option
@cache_option
def build_command(project_path: str, no_cache: bool) -> None:
    """Validate the facts, generate the pages and build the site into site/.

    Stops before writing anything when a fact is invalid; the previous site stays as it was.
    """
    from generator.site import SiteBuildError, SiteRefused, build_site

    project = _project(project_path)
    from generator.progress import Progress

    _run_generation(project, "built", cache=not no_cache)
    started = time.perf_counter()
    try:
        with Progress().step("Building the site (MkDocs, then the Pagefind search index)"):
            build_site(project, strict=True)
    except SiteRefused as error:
        raise click.ClickException(str(error)) from None
    except SiteBuildError as error:
        raise click.ClickException(f"the site engine failed; the previous site is kept:\n{error}") from None
    click.echo(f"site built in {time.perf_counter() - started:.2f} s: {project.relative(project.site_dir)}/", err=True)


@main.command("generate")
@project_option
@cache_option
def generate_command(project_path: str, no_cache: bool) -> None:
    """Validate the facts and write the Markdown pages into the docs folder (no site build)."""
    _run_generation(_project(project_path), "generated", cache=not no_cache)


@main.command("serve")
@project_option
@click.option(
    "--dev-addr",
    default="127.0.0.1:8000",
    show_default=True,
    help="Address to serve on (IP:PORT; port 0 picks a free one).",
)
def serve_command(project_path: str, dev_addr: str) -> None:
    """Preview the site, regenerating pages whenever a file under facts/ changes.

    Only changed fact files are read again, only pages whose text changed are rewritten, and
    MkDocs rebuilds only those. Search works too: the index follows edits a few seconds
    after they settle. An invalid edit prints its problems and keeps the last good pages
    on screen.
    """
    from generator.serve import serve

    project = _project(project_path)
    _run_generation(project, "served")
    try:
        serve(project, dev_addr, regenerate=lambda: _regenerate_quietly(project))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"could not serve on {dev_addr}: {error.strerror or error}") from None


def _regenerate_quietly(project: Project) -> None:
    try:
        _run_generation(project, "regenerated", progress=False)
    except click.ClickException as error:
        click.echo(f"Error: {error.message}", err=True)


@main.command("schema")
@project_option
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Where to write the schemas  [default: schemas/ in the project].",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 if the schemas differ from the models or a fact file lacks its schema comment.",
)
@click.option("--add-comments", is_flag=True, help="Also put the schema comment into every fact file that lacks it.")
def schema_command(project_path: str, out_dir: str | None, check: bool, add_comments: bool) -> None:
    """Write the JSON Schema of each record kind (incident.json, actor.json, place.json, source.json).

    Editors read them through the comment on the first line of each fact file.
    """
    from generator import schema
    from generator.load import load_corpus

    project = _project(project_path)
    folder = Path(out_dir) if out_dir else project.root / schema.SCHEMA_DIR
    if check:
        stale = schema.stale_schemas(folder)
        for name in stale:
            click.echo(f"{folder / name}: out of date; run `factsheet schema` and commit the result")
        uncommented = schema.comment_problems(project, load_corpus(project))
        for problem in uncommented:
            click.echo(str(problem))
        sys.exit(1 if stale or uncommented else 0)
    for path in schema.write_schemas(folder):
        click.echo(f"wrote {path}")
    if add_comments:
        for rel in schema.add_schema_comments(project):
            click.echo(f"added the schema comment to {rel}")


@main.command("diff")
@project_option
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option(
    "--main-branch",
    default="main",
    show_default=True,
    help="The branch whose merge base with HEAD is the default BASE (origin/<branch> when fetched).",
)
def diff_command(project_path: str, base: str | None, head: str | None, main_branch: str) -> None:
    """Summarise in Markdown what changed in the facts from BASE to HEAD.

    BASE defaults to the merge base of HEAD with the main branch; HEAD defaults to the
    working tree. Both are read from git, so this works on any clone that has the commits.
    """
    from generator.diff import DiffError, summarise

    project = _project(project_path)
    try:
        click.echo(summarise(project, base, head, main_branch), nl=False)
    except DiffError as error:
        raise click.ClickException(str(error)) from None


@main.command("hash")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def hash_command(file: str) -> None:
    """Print the SHA-256 of a source's archived text, as its sha256 field records it.

    FILE is a source file (the text after its front matter is hashed) or a plain text
    file to be archived ('-' for standard input). The text is read as the loader reads
    it: UTF-8 (without a byte-order mark), CRLF line ends as LF, without one final newline.
    """
    from generator.load import TextProblem, archived_text, body_hash, decode

    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        text = decode(raw)
    except OSError as error:
        raise click.ClickException(f"cannot read {file}: {error.strerror}") from None
    except TextProblem as problem:
        raise click.ClickException(
            f"{file}:{problem.position.line}:{problem.position.col}: {problem.message}"
        ) from None
    click.echo(body_hash(archived_text(text)))


@main.command("new")
@project_option
@click.argument("kind", type=_KindChoice())
@click.argument("record_id", metavar="ID")
@click.option(
    "--from",
    "text_path",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Sources: the archived text, from a file or '-' for standard input.",
)
@click.option("--title", "--name", "name", help="Title (incident, source) or name (actor, place).")
@click.option("--kind", "record_kind", help="The kind of actor, place or source, or the type of incident.")
@click.option("--place", help="Incidents: id of the place.")
@click.option("--parent", help="Places: id of the place it lies in.")
@click.option("--date", "when", help="Incidents: the EDTF date.")
@click.option("--source", help="Incidents: id of the source of the first claim.")
@click.option("--quote", help="Incidents: the passage of that source, verbatim.")
@click.option("--url", help="Sources: where it was published.")
@click.option("--language", default="en", show_default=True, help="Sources: BCP 47 language tag.")
@click.option("--retrieved", help="Sources: when the text was archived  [default: today].")
def new_command(
    project_path: str,
    kind: str,
    record_id: str,
    text_path: str | None,
    name: str | None,
    record_kind: str | None,
    place: str | None,
    parent: str | None,
    when: str | None,
    source: str | None,
    quote: str | None,
    url: str | None,
    language: str,
    retrieved: str | None,
) -> None:
    """Create facts/<kind>s/ID with placeholders that pass the format, then list what is left to fill in.

    A source needs its archived text (--from FILE, or --from - for standard input): the
    SHA-256 is computed from it. An existing file is never overwritten.
    """
    from generator.pipeline import validate
    from generator.scaffold import Details, ScaffoldError, create

    project = _project(project_path)
    text = None
    if kind == "source":
        if text_path is None:
            raise click.UsageError("a source needs its archived text: --from FILE, or --from - for standard input")
        try:
            raw = sys.stdin.buffer.read() if text_path == "-" else Path(text_path).read_bytes()
            text = raw.decode("utf-8")
        except OSError as error:
            raise click.ClickException(f"cannot read {text_path}: {error.strerror}") from None
        except UnicodeDecodeError as error:
            raise click.ClickException(f"the text is not UTF-8 (byte {error.start}); save it as UTF-8") from None
    elif text_path is not None:
        raise click.UsageError("--from is for sources only")
    provenance = Path(text_path).name if text_path not in (None, "-") else None
    details = Details(
        name=name,
        kind=record_kind,
        place=place,
        parent=parent,
        date=when,
        source=source,
        quote=quote,
        url=url,
        language=language,
        retrieved=retrieved,
        provenance=provenance,
    )
    try:
        path = create(project, kind, record_id, details, text)
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from None
    rel = project.relative(path)
    click.echo(f"created {rel}")
    left = [p for p in validate(project).problems if p.path == rel]
    if left:
        click.echo("left to do:")
        for problem in left:
            click.echo(f"  {problem}")
