"""The ``factsheet`` command: a thin click layer over the generator library."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from generator.pipeline import Generation, generate, validate
from generator.problems import FactsInvalid, Problem
from generator.project import Project, ProjectError
from generator.site import SiteBuildError, build_site
from generator.write import WriteError


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
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 if there are any).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="'github' prints GitHub Actions annotations (::error file=…,line=…,col=…::).",
)
def validate_command(project_path: str, strict: bool, output_format: str) -> None:
    """Check every fact file; print each problem as path:line:col: severity: message.

    Exits 0 when the facts are valid, 1 when any is invalid, 2 on bad usage.
    """
    project = _project(project_path)
    problems = validate(project).problems
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


def _run_generation(project: Project, step: str) -> Generation:
    """Generate the pages, turning every library failure into a clear error and exit 1."""
    started = time.perf_counter()
    try:
        generation = generate(project)
    except FactsInvalid as invalid:
        _print_problems(invalid.problems, github=False)
        raise click.ClickException(f"{_summary(invalid.problems)}: fix the facts above; nothing was {step}") from None
    except WriteError as error:
        raise click.ClickException(str(error)) from None
    _report_generation(generation, time.perf_counter() - started)
    return generation


@main.command("build")
@project_option
def build_command(project_path: str) -> None:
    """Validate the facts, generate the pages and build the site into site/.

    Stops before writing anything when a fact is invalid; the previous site stays as it was.
    """
    project = _project(project_path)
    _run_generation(project, "built")
    started = time.perf_counter()
    try:
        build_site(project, strict=True)
    except SiteBuildError as error:
        raise click.ClickException(f"the site engine failed; the previous site is kept:\n{error}") from None
    click.echo(f"site built in {time.perf_counter() - started:.2f} s: {project.relative(project.site_dir)}/", err=True)


@main.command("generate")
@project_option
def generate_command(project_path: str) -> None:
    """Validate the facts and write the Markdown pages into the docs folder (no site build)."""
    _run_generation(_project(project_path), "generated")


@main.command("serve")
@project_option
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on (IP:PORT).")
def serve_command(project_path: str, dev_addr: str) -> None:
    """Preview the site, regenerating pages whenever a file under facts/ changes.

    An invalid edit prints its problems and keeps the last good pages on screen.
    """
    from generator.serve import serve

    project = _project(project_path)
    _run_generation(project, "served")
    serve(project, dev_addr, on_change=lambda: _regenerate_quietly(project))


def _regenerate_quietly(project: Project) -> None:
    try:
        _run_generation(project, "regenerated")
    except click.ClickException as error:
        click.echo(f"Error: {error.message}", err=True)
