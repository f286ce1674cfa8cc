"""A first name and a surname not written in title case (detectors/recognizers/names.py,
LowerCaseNameRecognizer): one of the two capitalised, or a surname that is also an
English word after a first name that is none. Names here are invented for the tests."""

from __future__ import annotations

import pytest

from detectors.recognizers.names import LowerCaseNameRecognizer, PersonNameRecognizer

PAIR = LowerCaseNameRecognizer()


def found(text: str) -> list[str]:
    return [text[f.start : f.end] for f in PAIR.find(text)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("we saw Alphonse fairweather at the show", "Alphonse fairweather"),  # capitalised first name only
        ("thanks to marisol Lockhart for this", "marisol Lockhart"),  # capitalised surname only
        ("alphonse smith is so funny", "alphonse smith"),  # a surname that is a word, after a first name
        ("i met rosalind pemberton today", "rosalind pemberton"),  # lower case, as before
    ],
)
def test_a_full_name_in_lower_or_mixed_case_is_found(text: str, name: str) -> None:
    assert found(text) == [name]
    assert name not in [text[f.start : f.end] for f in PersonNameRecognizer().find(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Alphonse Fairweather",  # title case: PersonNameRecognizer's to judge
        "Marisol arrived at noon",  # a capitalised name, then a word no surname list holds
        "the grace hill walk was long",  # two English words
        "a rose garden party",  # two English words
        "marisol SMITH said so",  # capitals
        "ask marisol iPhone questions",  # camel case
        "hey marisol lol",  # a chat word is no surname
    ],
)
def test_words_that_only_look_like_a_name_in_lower_case_are_not(text: str) -> None:
    assert found(text) == []
