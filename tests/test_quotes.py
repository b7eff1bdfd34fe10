"""Quotes identify a passage: whole words only, across invisible characters, found in one pass."""

from __future__ import annotations

import random

import pytest

from generator import quotes
from generator.quotes import NormalisedText, closest_passage, find, inside_words

TEXT = "The embassy said three drones were downed over the Green Zone."


@pytest.mark.parametrize(
    ("quote", "found"),
    [
        ("three drones were downed", "three drones were downed"),
        ("drones were downed over", "drones were downed over"),
        ("ree drones were downed", None),  # starts inside 'three'
        ("three drones were down", None),  # ends inside 'downed'
        ("the Green Zone.", "the Green Zone."),  # ends on punctuation
        ("“three drones were downed”", None),  # the quotation marks are not in the text
    ],
)
def test_quotes_match_whole_words_only(quote: str, found: str | None) -> None:
    span = find(NormalisedText.of(TEXT), quote)
    assert (TEXT[span[0] : span[1]] if span else None) == found


def test_a_later_occurrence_on_word_boundaries_is_found() -> None:
    text = "The outdowned was seen. Then drones were downed."
    span = find(NormalisedText.of(text), "downed")
    assert span is not None and text[span[0] : span[1]] == "downed" and span[0] > text.index("outdowned") + 5


def test_inside_words_shows_where_the_quote_sits() -> None:
    source = NormalisedText.of(TEXT)
    assert inside_words(source, "ree drones were down") == "three drones were downed"
    assert inside_words(source, "four drones") is None


def test_invisible_characters_in_the_archived_text_are_skipped_and_kept() -> None:
    text = "three rock\u00adets hit Ain\u200b al-Asad\u200e airbase"
    span = find(NormalisedText.of(text), "rockets hit Ain al-Asad")
    assert span is not None
    assert text[span[0] : span[1]] == "rock\u00adets hit Ain\u200b al-Asad"


def test_spans_map_back_across_collapsed_whitespace() -> None:
    text = "one\n\n  two\t\tthree   four"
    span = find(NormalisedText.of(text), "two three four")
    assert span is not None and text[span[0] : span[1]] == "two\t\tthree   four"


def test_many_occurrences_inside_words_end_the_search() -> None:
    """A source made of one quote's letters, repeated, inside words: the search stops, it does not crawl."""
    text = "ab " * 400_000
    assert find(NormalisedText.of(text), "ab ab ab a") is None  # every occurrence ends inside 'ab'
    hostile = "xab " * 300_000  # every occurrence starts inside a word
    assert find(NormalisedText.of(hostile), "ab xab xab") is None
    assert quotes.MAX_CANDIDATES < 300_000


def test_closest_passage_of_a_long_wrong_quote_in_a_large_source() -> None:
    random.seed(7)
    words = ["the", "embassy", "drone", "rocket", "attack", "base", "said", "three", "forces", "killed"]
    filler = " ".join(random.choice(words) for _ in range(600_000))  # about 4 MB
    passage = "Colonel Wayne Marotto said the coalition base at Ain al-Asad was hit by three rockets on Monday"
    source = NormalisedText.of(filler + " " + passage + " " + filler)
    assert len(source.text) > 4_000_000
    wrong = passage.replace("three", "four") + " " + " ".join(random.choice(words) for _ in range(5_000))
    assert len(wrong) > 30_000
    assert find(source, wrong) is None
    assert "Colonel Wayne Marotto said the coalition base" in closest_passage(source, wrong)
