"""Find verbatim quotes in archived source text.

Only whitespace, invisible characters, curly versus straight quotes and dash variants
are normalised, and a quote starts and ends on whole words:
anything else that differs is a different quote, and the analyst is shown the
closest passage of the source so that a typo is a quick fix.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz

from generator.limits import INVISIBLE

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
# Whitespace and the invisible characters an archived web page may carry (zero-width
# spaces, soft hyphens, direction marks): a run of them reads as one space when it holds
# whitespace, else as nothing, so that a quote typed without them still matches.
_GAP = re.compile(f"(?:\\s|{INVISIBLE.pattern})+")
# A quote must start and end on a word boundary; after this many occurrences that do not,
# the search stops (a real quote of three words or more never comes near it), so that
# a quote costs at most this many times its own length beyond one pass over the source.
MAX_CANDIDATES = 1000
# The fuzzy search for the closest passage compares pieces of the quote this long
# (rapidfuzz's bit-parallel alignment is linear in the source up to 64 characters).
_PROBE = 64


@dataclass(frozen=True)
class NormalisedText:
    """Text with whitespace runs collapsed, invisible characters dropped, quotes and dashes
    folded, mappable to the original.

    Folding quotes and dashes keeps every character in place; only whitespace runs
    shrink and invisible characters vanish. So a position maps back through the list of
    shrunk runs alone.
    """

    text: str
    # (position in the normalised text just after a shrunk run, how many characters were dropped before it)
    _shifts: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, original: str) -> NormalisedText:
        folded = original.translate(_FOLD)
        pieces: list[str] = []
        shifts: list[tuple[int, int]] = []
        dropped = 0
        last = 0
        for run in _GAP.finditer(folded):
            gap = run.group()
            kept = " " if _SPACE.search(gap) else ""
            if gap == kept:
                continue
            pieces.append(folded[last : run.start()])
            pieces.append(kept)
            shifts.append((run.start() - dropped + len(kept), dropped + len(gap) - len(kept)))
            dropped += len(gap) - len(kept)
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


def _word(char: str) -> bool:
    return char.isalnum()


def _occurrences(haystack: str, needle: str) -> Iterator[int]:
    """Where ``needle`` occurs, at most :data:`MAX_CANDIDATES` times."""
    at = haystack.find(needle)
    for _ in range(MAX_CANDIDATES):
        if at < 0:
            return
        yield at
        at = haystack.find(needle, at + 1)


def _on_word_boundaries(haystack: str, needle: str, at: int) -> bool:
    end = at + len(needle)
    starts_inside = _word(needle[0]) and at > 0 and _word(haystack[at - 1])
    ends_inside = _word(needle[-1]) and end < len(haystack) and _word(haystack[end])
    return not starts_inside and not ends_inside


def find(source: NormalisedText, quote: str) -> tuple[int, int] | None:
    """The (start, end) span of ``quote`` in the original source text, or None.

    The quote must start and end on word boundaries: 'ed' is not found in 'downed'.
    Linear in the length of the source (see :data:`MAX_CANDIDATES`).
    """
    needle = normalise(quote)
    if not needle:
        return None
    for at in _occurrences(source.text, needle):
        if _on_word_boundaries(source.text, needle, at):
            return source.original_index(at), source.original_index(at + len(needle) - 1) + 1
    return None


def inside_words(source: NormalisedText, quote: str, *, width: int = 160) -> str | None:
    """For a quote that :func:`find` does not find: the passage where it occurs inside longer
    words, or None when it does not occur at all."""
    needle = normalise(quote)
    at = source.text.find(needle) if needle else -1
    if at < 0:
        return None
    return _widen(source.text, at, at + len(needle), width)


def _widen(haystack: str, start: int, end: int, width: int) -> str:
    while start > 0 and haystack[start - 1] != " ":  # widen to whole words
        start -= 1
    while end < len(haystack) and haystack[end] != " ":
        end += 1
    passage = haystack[start:end].strip()
    if len(passage) > width:
        passage = passage[: width - 1] + "…"
    return passage


def closest_passage(source: NormalisedText | str, quote: str, *, width: int = 160) -> str:
    """The passage of the source most like ``quote``, shortened to about ``width`` characters.

    Bounded whatever the quote's length: pieces of at most 64 characters from its start,
    middle and end are aligned with the source (each alignment is linear in the source),
    and the best one places a window as long as the quote.
    """
    needle = normalise(quote)
    haystack = source.text if isinstance(source, NormalisedText) else NormalisedText.of(source).text
    if not needle or not haystack:
        return ""
    if len(needle) <= _PROBE:
        probes = [(needle, 0)]
    else:
        middle = (len(needle) - _PROBE) // 2
        probes = [
            (needle[:_PROBE], 0),
            (needle[middle : middle + _PROBE], middle),
            (needle[-_PROBE:], len(needle) - _PROBE),
        ]
    best: tuple[float, int] | None = None
    for probe, offset in probes:
        alignment = fuzz.partial_ratio_alignment(probe, haystack)
        if alignment is not None and (best is None or alignment.score > best[0]):
            best = (alignment.score, alignment.dest_start - offset)
    if best is None:  # pragma: no cover - only for empty inputs, excluded above
        return ""
    start = min(max(best[1], 0), len(haystack))
    return _widen(haystack, start, min(start + len(needle), len(haystack)), width)
