"""The stages in order: load → check → index → render → write → build the site."""

from __future__ import annotations

from dataclasses import dataclass

from generator.check import CheckResult, check_corpus
from generator.load import Corpus, load_corpus
from generator.problems import Problem
from generator.project import Project
from generator.schema import comment_problems


@dataclass
class Validation:
    """A loaded corpus with everything the checks found."""

    corpus: Corpus
    checks: CheckResult

    @property
    def problems(self) -> list[Problem]:
        return sorted(self.corpus.problems + self.checks.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def validate(project: Project) -> Validation:
    """Load and check every fact file of the project."""
    corpus = load_corpus(project)
    corpus.problems.extend(comment_problems(project, corpus))
    return Validation(corpus, check_corpus(corpus))
