"""Names written surname first ('Adeyemi, Oluwaseun', 'ADEYEMI, OLUWASEUN'): a person
to the per-value guard and to free-text redaction, listed or not; a comma between
English words, places or a name and a word is left alone."""

from __future__ import annotations

import pytest

from detectors.guard import is_person_value
from detectors.textscan import TextScanner

NAMES = [
    "Gonzalez, Maria",
    "GONZALEZ, MARIA",  # listed names, register capitals
    "Tshabalala, Nomvula",  # made up from words no English has
    "TSHABALALA, NOMVULA",
    "Tshabalala, Nomvula K.",
    "Mbeki-Tshabalala, Nomvula",
]
NOT_NAMES = [
    "Gold, Plus",
    "Paris, Texas",
    "Red, Green",
    "Acme, Inc",
    "However, Microsoft",
    "Large, Medium",
    "SKU4821, XL",
]


@pytest.mark.parametrize("value", NAMES)
def test_a_name_surname_first_is_a_person(value: str) -> None:
    assert is_person_value(value)
    out = TextScanner().redact(f"Updated by support: {value} (see ticket)")
    assert out == "Updated by support: <PERSON> (see ticket)", out


@pytest.mark.parametrize("value", NOT_NAMES)
def test_a_comma_between_other_words_is_no_person(value: str) -> None:
    assert not is_person_value(value)
    assert "<PERSON>" not in TextScanner().redact(f"Updated by support: {value} (see ticket)")
