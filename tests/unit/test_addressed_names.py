"""A name addressed at the start of a line, then a comma and what is said to them
(detectors/recognizers/names.py, CuedNameRecognizer): 'Zebulon, you were right'. Words
drawn out, chat words and English words before a comma are not names. Names here are
invented for the tests."""

from __future__ import annotations

import pytest

from detectors.recognizers.names import CuedNameRecognizer

CUED = CuedNameRecognizer()


def found(text: str) -> list[str]:
    return [text[f.start : f.end] for f in CUED.find(text)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Zebulon, you were right about the ending", "Zebulon"),  # in no list: name-shaped
        ("great video\nOttoline, lately I watch every one", "Ottoline"),  # at a line's start
    ],
)
def test_a_name_addressed_at_a_line_start_is_found(text: str, name: str) -> None:
    assert found(text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Sooo, what happens next",  # drawn out
        "Lol, that was quick",  # a chat word
        "Wait, do you read these",  # an English word (and a surname)
        "Honestly, no idea",
        "in the end Zebulon, you know",  # not at a line's start, no other cue
        "Zebulon,no space after the comma",
    ],
)
def test_words_before_a_comma_that_are_no_names(text: str) -> None:
    assert found(text) == []
