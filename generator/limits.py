"""Limits that real facts never reach, declared once.

Fact files arrive from strangers; each limit keeps a stage of the pipeline bounded
(memory, time, recursion) with room to spare for any real record. The loader, the
models, the quote checks and the dates read them from here, and the "Limits" table of
the format reference (``docs/reference/format.md``) lists them (a test keeps it true).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """One limit: its value and how the format reference states it."""

    value: int
    what: str  # the reference's wording, with {value} for the number

    @property
    def text(self) -> str:
        """The limit as the format reference states it."""
        return self.what.format(value=self.value, kib=self.value // 1024)


# An id: the file name of a record, and every reference to it.
ID_CHARS = Limit(80, "An id (file name without extension): at most {value} characters.")
# Whole files, checked before anything is parsed.
SOURCE_FILE_BYTES = Limit(
    5 * 1024 * 1024, "A source file (front matter and archived text): at most {kib} KiB ({value} bytes)."
)
YAML_FILE_BYTES = Limit(
    256 * 1024, "An actor, place or incident file, or a source's front matter: at most {kib} KiB ({value} bytes)."
)
# YAML structure, checked while parsing, before any value is built.
NESTING_DEPTH = Limit(12, "Lists and mappings inside each other: at most {value} levels.")
LIST_ITEMS = Limit(200, "Items in one list (aliases, questions, claims, citations, tags, …): at most {value}.")
# Text fields.
SHORT_TEXT_CHARS = Limit(
    300,
    "A name, title, alias, label, author, attribution, provenance, or any other short value (a date, a time zone): at most {value} characters.",
)
LONG_TEXT_CHARS = Limit(
    4000, "A summary, description, claim text, note, reason or web address: at most {value} characters."
)
QUOTE_MIN_WORDS = Limit(3, "A quote: at least {value} words.")
QUOTE_MIN_CHARS = Limit(12, "A quote: at least {value} characters.")
QUOTE_MAX_CHARS = Limit(1000, "A quote: at most {value} characters.")
# Dates.
YEAR_MIN = Limit(1000, "The earliest year a date may name: {value}.")
YEAR_MAX = Limit(2999, "The latest year a date may name: {value}.")
WITHIN_DAYS = Limit(3660, "`within`: at most {value} days (about ten years).")
RELATIVE_CHAIN = Limit(50, "Incidents dated against each other in a chain (`relative_to`): at most {value} links.")
# The id that names each folder's index page; no record or tag may take it.
RESERVED_IDS = ("index",)

LIMITS: tuple[Limit, ...] = (
    ID_CHARS,
    SOURCE_FILE_BYTES,
    YAML_FILE_BYTES,
    NESTING_DEPTH,
    LIST_ITEMS,
    SHORT_TEXT_CHARS,
    LONG_TEXT_CHARS,
    QUOTE_MIN_WORDS,
    QUOTE_MIN_CHARS,
    QUOTE_MAX_CHARS,
    YEAR_MIN,
    YEAR_MAX,
    WITHIN_DAYS,
    RELATIVE_CHAIN,
)

# Characters refused in every text field of a fact file, because a reader cannot see
# them or they change how the text around them reads: control characters (C0 and C1,
# except tab and line feed), format characters (zero-width spaces, bidirectional
# embeddings, overrides and isolates, soft hyphens, the byte-order mark, invisible
# operators, tag characters) and the line and paragraph separators. Zero-width joiner and
# non-joiner are refused only where they do not sit between two letters: Persian and
# the Indic scripts need them there. These are Unicode 14's categories Cc, Cf, Zl and Zp
# (tests/test_limits.py checks the list against the running Python's Unicode data).
INVISIBLE = re.compile(
    "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890\\u0891\\u08e2"
    "\\u180e\\u200b\\u200e\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb"
    "\\U000110bd\\U000110cd\\U00013430-\\U00013438\\U0001bca0-\\U0001bca3\\U0001d173-\\U0001d17a"
    "\\U000e0001\\U000e0020-\\U000e007f]"
    "|(?<![^\\W\\d_])[\\u200c\\u200d]|[\\u200c\\u200d](?![^\\W\\d_])"
)


def describe_character(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE': how messages name a character that cannot be shown."""
    import unicodedata

    name = unicodedata.name(char, "")
    if not name:
        name = {0x09: "TAB", 0x0A: "LINE FEED", 0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x00: "NULL"}.get(
            ord(char), "(a control character)"
        )
    return f"U+{ord(char):04X} {name}"
