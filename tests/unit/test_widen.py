"""Whole names and numbers, never parts (detectors/widen.py): a span grows over the rest
of its word, the name words beside it and the digit groups beside a number; the scanner
reads underscores, markup and capitals as a person does. Without NER: the name lists
and patterns decide here."""

from __future__ import annotations

import pytest

from detectors.recognizers.base import Finding
from detectors.textscan import TextScanner
from detectors.widen import name_word, outside, readings, whole_number, whole_words, widen

SCANNER = TextScanner()

REDACTED = {  # text: what redaction leaves
    "Refund approved for Liam Kowalski-Nakamura yesterday.": "Refund approved for <PERSON> yesterday.",
    "Customer MARIA NAKAMURA called about the fee.": "Customer <PERSON> called about the fee.",
    "<p>Customer <b>Maria</b> <i>Gonzalez</i> called.</p>": "<p>Customer <b><PERSON></b> <i><PERSON></i> called.</p>",
    "Ticket raised by user Maria_Gonzalez today": "Ticket raised by user <PERSON> today",
    "Assigned to Gonzalez, Maria today": "Assigned to <PERSON> today",
    "Customer Maria Gonzalez\u2019s card": "Customer <PERSON> card",
    "Customer Maria Gonz-\nalez called": "Customer <PERSON> called",
    "paid with 4916 8787\n8241 8051 yesterday": "paid with <PHONE_NUMBER> yesterday",
    "Spoke to Maria Gonzalez at Bank of America": "Spoke to <PERSON> at Bank of America",
}


@pytest.mark.parametrize("text", list(REDACTED))
def test_redaction_leaves_no_part_of_a_name_or_number(text: str) -> None:
    assert SCANNER.redact(text) == REDACTED[text]


def test_a_span_ending_inside_a_word_covers_the_word() -> None:
    text = "Contact Adeyemi-Okafor now"
    assert whole_words(text, 8, 15) == (8, 22)  # 'Adeyemi' -> 'Adeyemi-Okafor'
    assert whole_words(text, 16, 22) == (8, 22)
    assert whole_words("O'Brien's", 2, 7) == (0, 9)


def test_name_words_beside_a_span() -> None:
    text = "Customer Jean-Baptiste Okonkwo-Adebayo complained"
    spans = widen(text, [Finding("PERSON", 9, 22, 0.85, "ner")])
    assert [(f.start, f.end) for f in spans] == [(9, 38)]
    text = "Ask Amara (Osei) at the Lisbon branch"
    assert [(f.start, f.end) for f in widen(text, [Finding("PERSON", 4, 9, 0.85, "ner")])] == [(4, 16)]


@pytest.mark.parametrize("word", ["Customer", "Bank", "Street", "Dr", "January", "Lisbon", "the", "KENJI"])
def test_words_that_stop_a_name(word: str) -> None:
    assert not name_word(word, capitals=False)


@pytest.mark.parametrize("word", ["Okonkwo-Adebayo", "Maria", "O'Brien", "Kenji"])
def test_words_that_continue_a_name(word: str) -> None:
    assert name_word(word, capitals=False) and name_word(word.upper(), capitals=True)


def test_a_number_grows_over_its_other_groups_only() -> None:
    text = "paid with 4916 8787\n8241 8051 yesterday"
    assert whole_number(text, 10, 19) == (10, 29)
    assert whole_number("call 415-734-0198 or later", 5, 17) == (5, 17)


def test_readings_keep_the_length_and_markup_is_cut_out() -> None:
    text = "<b>KENJI</b> <i>NAKAMURA</i> and kenji_nakamura"
    for reading, _ in readings(text):
        assert len(reading) == len(text)
    cut = outside(text, [Finding("PERSON", 3, 24, 0.9, "x")], [(8, 12), (13, 16)])
    assert [(f.start, f.end) for f in cut] == [(3, 8), (16, 24)]
