"""A second hostile review of declared free-text columns (``redact_detected``): names
written without capitals, numbers grouped loosely, names split over a JSON document's
leaves, words spelled out a letter at a time. Names and numbers here are invented for
the tests; failure messages name the case, never the value."""

from __future__ import annotations

import pytest

from detectors import unwrap
from detectors.ner import MAX_TEXT_CHARS, NerRefused, ner_engine
from detectors.textscan import TextScanner
from detectors.truecase import for_ner


@pytest.fixture(scope="module")
def scanner() -> TextScanner:
    return TextScanner(ner=ner_engine())


LOWER_CASE_PROSE = {
    "listed": ("the customer, bob smith, called.", ["bob smith"]),
    "unlisted": ("called kwame mensah about the loan.", ["kwame", "mensah"]),
    "at the end": ("refund approved for priya patel", ["priya", "patel"]),
}


@pytest.mark.parametrize("case", sorted(LOWER_CASE_PROSE))
def test_a_name_in_prose_without_capitals_is_redacted(scanner: TextScanner, case: str) -> None:
    text, parts = LOWER_CASE_PROSE[case]
    redacted = scanner.redact(text)
    left = [p for p in parts if p in redacted]
    assert not left, f"{case}: a name written in lower case went out"


def test_ner_reads_capitals_only_where_a_name_would_have_them() -> None:
    assert for_ner("Called Kwame about the loan.") == "Called Kwame about the loan."  # capitals: as it is
    assert for_ner("12 345, 678") is None  # no letter: no name to find
    read = for_ner("called kwame mensah about the loan; i will call you back")
    assert read == "called Kwame Mensah about the loan; i will call you back"
    assert for_ner("the customer, bob smith, called.") == "the customer, Bob Smith, called."
    straße = "straße und ß"
    assert len(for_ner(straße) or "") == len(straße), "an offset moved"


def test_a_text_without_capitals_over_the_limit_is_refused_not_published(scanner: TextScanner) -> None:
    text = ("the parcel was lost again " * (MAX_TEXT_CHARS // 20))[: MAX_TEXT_CHARS + 100]
    scanner.clear_cache()
    with pytest.raises(NerRefused):
        scanner.find_in_free_text(text)


SPLIT_NAMES = {
    "given and family": {"customer": {"given": "Kwame", "family": "Mensah"}},
    "short keys": {"fn": "Tobias", "ln": "Lindqvist"},
    "nested arrays": [["Ngozi"], ["Okonjo"]],
    "key and value": {"Xiomara": "Quintanilla"},
    "first and last": {"first": "Danielle", "last": "Johnson"},
}


@pytest.mark.parametrize("case", sorted(SPLIT_NAMES))
def test_a_free_text_document_with_a_name_over_its_leaves_is_withheld(scanner: TextScanner, case: str) -> None:
    out = scanner.redact_json(SPLIT_NAMES[case], free_text=True)
    assert out is None, f"{case}: a name split over the document's leaves went out"


@pytest.mark.parametrize(
    "doc",
    [{"city": "Lagos", "country": "Nigeria"}, {"status": "shipped", "note": "left at the door"}, ["red", "green"]],
)
def test_a_free_text_document_of_places_and_words_keeps_its_shape(scanner: TextScanner, doc: object) -> None:
    assert scanner.redact_json(doc, free_text=True) == doc


def test_a_lower_case_name_as_a_free_text_documents_leaf_is_redacted(scanner: TextScanner) -> None:
    out = scanner.redact_json({"owner": "priya patel"}, free_text=True)
    assert out is None or "priya" not in str(out), "a lower-case name leaf went out"


# A Luhn-valid card, an SSN in issued ranges, a valid North American number, a valid IBAN.
CARD = "4532015112830366"
LOOSE = {
    "card eight and eight": f"{CARD[:8]} {CARD[8:]}",
    "card seven and nine": f"{CARD[:7]} {CARD[7:]}",
    "card spaced dashes": " — ".join(CARD[i : i + 4] for i in range(0, 16, 4)),
    "card bracketed": " ".join(f"[{CARD[i : i + 4]}]" for i in range(0, 16, 4)),
    "card commas": ",".join(CARD[i : i + 4] for i in range(0, 16, 4)),
    "ssn spaced dashes": "536 — 22 — 8145",
    "phone spaced slashes": "212 / 959 / 5506",
    "iban spaced slashes": "GB82 / WEST / 1234 / 5698 / 7654 / 32",
}


@pytest.mark.parametrize("case", sorted(LOOSE))
def test_a_loosely_grouped_number_is_read(scanner: TextScanner, case: str) -> None:
    value = LOOSE[case]
    assert unwrap.readings(value), f"{case}: no reading"
    redacted = scanner.redact(f"Please note {value} for the file.")
    digits = [g for g in value.replace("[", " ").replace("]", " ").split() if g.isdigit() and len(g) >= 4]
    left = "".join(g for g in digits if g in redacted)
    assert len(left) < 8, f"{case}: most of the number went out"


@pytest.mark.parametrize("text", ["1,234,567,890 units", "total 12.50 and 3.75", "order 1234 5678 shipped"])
def test_ordinary_numbers_are_no_loose_groups(scanner: TextScanner, text: str) -> None:
    assert scanner.redact(text) == text


@pytest.mark.parametrize("value", ["D-a-n-i-e-l-l-e J-o-h-n-s-o-n", "D a n i e l l e  J o h n s o n"])
def test_a_name_spelled_out_a_letter_at_a_time_is_redacted(scanner: TextScanner, value: str) -> None:
    redacted = scanner.redact(value)
    assert "J-o-h" not in redacted and "J o h" not in redacted, "a spelled-out name went out"
