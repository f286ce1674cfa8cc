"""Streets found by what surrounds them: a named street before its type word, and a
street phrase with a number right after words that say a place follows."""

from __future__ import annotations

import pytest

from detectors.recognizers.street_cues import CuedStreetRecognizer

REC = CuedStreetRecognizer()


def spans(text: str) -> list[str]:
    return [text[f.start : f.end] for f in REC.find(text)]


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("The early concerts on Ormond Vale Street were the best.", "Ormond Vale Street"),
        ("The clinic is on Nad Přehradou 1432 since May.", "Nad Přehradou 1432"),
        ("Ewa lives on Wiśniowa 12 with her aunt.", "Wiśniowa 12"),
        ("The bakery is at 4410 87 Kallisthenous Zervou now.", "4410 87 Kallisthenous Zervou"),
        ("Luc lives on 18 rue de la Paix street.", "18 rue de la Paix street"),
    ],
)
def test_streets_after_cues_are_found(text: str, street: str) -> None:
    assert street in spans(text), "a street stayed in the text"


@pytest.mark.parametrize(
    "text",
    [
        "The meeting is at 10 am tomorrow.",
        "She is on 3 medications.",
        "The price is in 2024 dollars.",
        "He moved to Berlin in 2019.",
        "The file is in Section 5.",
        "It is at Gate 12 of Terminal 2.",
        "The order is at Level 3.",
        "Blue Harbor Coffee",  # a short value is no sentence about a street
    ],
)
def test_numbers_and_names_that_are_no_street(text: str) -> None:
    assert spans(text) == [], "an ordinary phrase was taken for a street"
