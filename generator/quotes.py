"""Find verbatim quotes in archived source text.

Only whitespace, curly versus straight quotes and dash variants are normalised:
anything else that differs is a different quote, and the analyst is shown the
closest passage of the source so that a typo is a quick fix.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class NormalisedText:
    """Text with whitespace runs collapsed and quotes and dashes folded, mappable to the original.

    Folding quotes and dashes keeps every character in place; only whitespace runs
    shrink. So a position maps back through the list of collapsed runs alone.
    """

    text: str
    # (position in the normalised text just after a collapsed run, how many characters were dropped before it)
    _shifts: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, original: str) -> NormalisedText:
        folded = original.translate(_FOLD)
        pieces: list[str] = []
        shifts: list[tuple[int, int]] = []
        dropped = 0
        last = 0
        for run in _SPACE.finditer(folded):
            pieces.append(folded[last : run.start()])
            pieces.append(" ")
            dropped += len(run.group()) - 1
            shifts.append((run.start() - dropped + len(run.group()), dropped))
            last = run.end()
        pieces.append(folded[last:])
        return cls("".join(pieces), tuple(shifts))

    def original_index(self, position: int) -> int:
        """Where the normalised character at ``position`` sits in the original text."""
        at = bisect.bisect_right(self._shifts, (position, float("inf"))) - 1
        return position + (self._shifts[at][1] if at >= 0 else 0)


def normalise(text: str) -> str:
    """The quote as it is matched: stripped, whitespace collapsed, quotes and dashes folded."""
    return _SPACE.sub(" ", text.translate(_FOLD)).strip()


@functools.lru_cache(maxsize=1 << 16)
def quote_anchor(quote: str) -> str:
    """A stable HTML id for a quoted passage: the same words always get the same anchor."""
    return "q-" + hashlib.sha256(normalise(quote).encode("utf-8")).hexdigest()[:10]


def find(source: NormalisedText, quote: str) -> tuple[int, int] | None:
    """The (start, end) span of ``quote`` in the original source text, or None."""
    needle = normalise(quote)
    at = source.text.find(needle)
    if at < 0 or not needle:
        return None
    return source.original_index(at), source.original_index(at + len(needle) - 1) + 1


def closest_passage(source_text: str, quote: str, *, width: int = 160) -> str:
    """The passage of the source most like ``quote``, shortened to about ``width`` characters."""
    needle = normalise(quote)
    haystack = normalise(source_text)
    if not needle or not haystack:
        return ""
    alignment = fuzz.partial_ratio_alignment(needle, haystack)
    if alignment is None:  # pragma: no cover - only for empty inputs, excluded above
        return ""
    start, end = alignment.dest_start, alignment.dest_end
    while start > 0 and haystack[start - 1] != " ":  # widen to whole words
        start -= 1
    while end < len(haystack) and haystack[end] != " ":
        end += 1
    passage = haystack[start:end].strip()
    if len(passage) > width:
        passage = passage[: width - 1] + "…"
    return passage
