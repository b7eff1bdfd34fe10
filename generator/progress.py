"""What a long run is doing: rich progress bars in a terminal, plain periodic lines elsewhere (CI logs).

A run is a sequence of steps; a step may count items (pages rendered, pages written)
towards a known total or not. In a terminal, ``rich`` draws a bar per step on stderr.
Otherwise one line when a step starts, one every :data:`EVERY_SECONDS` while it runs,
and one when it ends, each with the count and the time, so a CI log shows where a long
build is without a line per page.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, TypeVar

EVERY_SECONDS = 10.0

T = TypeVar("T")


class Progress:
    """Report steps on ``stream`` (stderr by default): bars when it is a terminal, lines when not."""

    def __init__(self, stream: IO[str] | None = None, *, bars: bool | None = None, every: float = EVERY_SECONDS):
        self.stream = stream if stream is not None else sys.stderr
        self.bars = self.stream.isatty() if bars is None else bars
        self.every = every

    @contextmanager
    def step(self, description: str, total: int | None = None) -> Iterator[_Step]:
        """A step; call ``advance()`` on what it yields as items are done."""
        if self.bars:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
            if total is not None:
                columns += [BarColumn(), MofNCompleteColumn()]
            else:
                columns.append(TextColumn("{task.completed:,.0f}"))
            columns.append(TimeElapsedColumn())
            with RichProgress(*columns, console=Console(file=self.stream), transient=False) as bar:
                task = bar.add_task(description, total=total)
                yield _Step(lambda done: bar.update(task, completed=done))
            return
        started = last = time.monotonic()
        counted = f" 0/{total:,}" if total is not None else ""
        print(f"{description}{counted}…", file=self.stream, flush=True)
        state = _Step(lambda done: None)

        def report(done: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= self.every:
                last = now
                of = f"/{total:,}" if total is not None else ""
                print(f"{description}: {done:,}{of} ({now - started:.0f} s)", file=self.stream, flush=True)

        state.on_advance = report
        yield state
        of = f"{state.done:,}{f'/{total:,}' if total is not None else ''}, " if state.done else ""
        print(f"{description}: done ({of}{time.monotonic() - started:.1f} s)", file=self.stream, flush=True)

    def track(self, items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
        """Yield ``items``, counting them as one step."""
        with self.step(description, total) as step:
            for item in items:
                yield item
                step.advance()


class _Step:
    def __init__(self, on_advance: Any) -> None:
        self.on_advance = on_advance
        self.done = 0

    def advance(self, count: int = 1) -> None:
        self.done += count
        self.on_advance(self.done)


class Silent(Progress):
    """Reports nothing (the library's default: only the command line shows progress)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr, bars=False)

    @contextmanager
    def step(self, description: str, total: int | None = None) -> Iterator[_Step]:
        yield _Step(lambda done: None)
