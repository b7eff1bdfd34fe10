"""The limits are declared once, stated in the format reference, and every text and list field has one."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest

from generator import limits, models
from generator.schema import schema_for
from tests.conftest import ROOT

REFERENCE = ROOT / "docs/reference/format.md"


def test_reference_states_every_limit() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    section = text.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (.+) \|$", section, flags=re.M)
    assert rows[0] == "Limit"
    assert rows[1:] == [limit.text for limit in limits.LIMITS]


def _unbounded(node: Any, path: str) -> list[str]:
    if isinstance(node, dict):
        found = []
        if node.get("type") == "string" and not {"enum", "const", "maxLength"} & set(node):
            found.append(path)
        if node.get("type") in ("array", "object") and not {"properties", "maxItems", "maxProperties"} & set(node):
            found.append(path)
        for key, value in node.items():
            found += _unbounded(value, f"{path}/{key}")
        return found
    if isinstance(node, list):
        return [p for i, value in enumerate(node) for p in _unbounded(value, f"{path}/{i}")]
    return []


@pytest.mark.parametrize("kind", models.KINDS)
def test_every_text_and_list_field_is_bounded(kind: str) -> None:
    """Read from the published schema, which pydantic generates from the models' constraints."""
    assert _unbounded(schema_for(kind), kind) == []


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("title", limits.SHORT_TEXT_CHARS),
        ("summary", limits.LONG_TEXT_CHARS),
    ],
)
def test_text_limits_are_enforced(field: str, limit: limits.Limit) -> None:
    base = {
        "title": "t",
        "when": {"date": "2021"},
        "place": "baghdad",
        "type": "other",
        "questions": [
            {
                "id": "q",
                "label": "l",
                "claims": [{"id": "c", "text": "x", "citations": [{"source": "s", "quote": "one two three four"}]}],
            }
        ],
    }
    models.Incident.model_validate({**base, field: "x" * limit.value})
    with pytest.raises(ValueError, match=f"at most {limit.value} characters"):
        models.Incident.model_validate({**base, field: "x" * (limit.value + 1)})


_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}


def test_invisible_characters_are_exactly_the_refused_categories() -> None:
    if unicodedata.unidata_version != "14.0.0":
        pytest.skip(f"the list is Unicode 14's (Python 3.11); this Python has Unicode {unicodedata.unidata_version}")
    for code in range(0x110000):
        char = chr(code)
        if char in "\u200c\u200d":
            continue  # joiners: refused alone, allowed between letters (below)
        expected = unicodedata.category(char) in _REFUSED_CATEGORIES and char not in "\t\n"
        assert bool(limits.INVISIBLE.fullmatch(char)) == expected, f"U+{code:04X}"


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("می\u200cخواهم", False),  # Persian needs the non-joiner between letters
        ("x\u200c ", True),
        ("\u200dx", True),
        ("Baghdad\u202e", True),
        ("tab\there", False),
        ("line\nbreak", False),
        ("carriage\rreturn", True),
        ("escape\x1b[2J", True),
    ],
)
def test_joiners_only_between_letters(text: str, refused: bool) -> None:
    assert bool(limits.INVISIBLE.search(text)) == refused


def test_describe_character_names_the_code_point() -> None:
    assert limits.describe_character("\u202e") == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert limits.describe_character("\x1b") == "U+001B ESCAPE"
    assert limits.describe_character("\u0430") == "U+0430 CYRILLIC SMALL LETTER A"
