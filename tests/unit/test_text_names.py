"""Person names in free text beyond NER: cues, speakers, labels, lists, lines of their
own, and names in every Latin script. And the phrases, lists and capitals that are not
people."""

from __future__ import annotations

import pytest

from detectors.recognizers import default_recognizers

RECOGNIZERS = default_recognizers()


def person_spans(text: str) -> set[str]:
    return {text[f.start : f.end] for r in RECOGNIZERS for f in r.find(text) if f.entity == "PERSON"}


def covered(text: str, name: str) -> bool:
    """Every letter of ``name`` (where it occurs in ``text``) is inside a PERSON finding."""
    start = text.index(name)
    spans = [(f.start, f.end) for r in RECOGNIZERS for f in r.find(text) if f.entity == "PERSON"]
    return all(any(s <= i < e for s, e in spans) for i in range(start, start + len(name)) if text[i].isalpha())


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hello, my name is Oluwaseun and I need a new card.", "Oluwaseun"),
        ("What's your last name? Kowalczyk", "Kowalczyk"),
        ("Bram shouted at Dagny: leave the keys.", "Dagny"),
        ("Szymborska began writing as a teenager.", "Szymborska"),
        ("Ingrid: Where were you?\nTomasz: At work.", "Tomasz"),
        ("The visit was moved because my daughter Annika was ill.", "Annika"),
        ("please call back my name is radoslava", "radoslava"),
        ("Ticket closed by ms. Quennell yesterday.", "Quennell"),
        ("Name: Łukasz Wiśniewski\nPhone: on file", "Łukasz Wiśniewski"),
        ("Guests: Efua, Margaret, Siobhan, Patricia and Ilse.", "Siobhan"),
        ("they invited jennifer, oksana, donna and brian to the launch", "oksana"),
        ("Our founders Vasquez, Lindqvist and Brennan met at school.", "Lindqvist"),
        ("The transfer to Ásdís Þórðardóttir was approved.", "Ásdís Þórðardóttir"),
        ("Signed,\nDragana Obradović\nAccounts", "Dragana Obradović"),
        ("I want to add Henrike Baumgartner as a beneficiary.", "Henrike Baumgartner"),
        ("Please update the file of Ella H. Snider today.", "Ella H. Snider"),
        ("follow up with veronika szabados next week", "veronika szabados"),
        ("It was a done thing between him and Ingeborg's kid.", "Ingeborg"),
        ("Everyone calls me Radomir.", "Radomir"),
        ("We added Oddvar Kvalheim as a beneficiary.", "Oddvar Kvalheim"),
    ],
)
def test_names_in_text_are_found(text: str, name: str) -> None:
    assert covered(text, name), "a person's name stayed in the text"


@pytest.mark.parametrize(
    "text",
    [
        "We sell red, green, blue and white paint.",
        "Apples, oranges and pears are in season.",
        "We met in Berlin and Paris, then London.",
        "Choose Auto Loan, Credit-Builder Loan, Personal Loan, and Home Equity Loan.",
        "The Grace Street office is closed.",
        "They had 6 items on the list.",
        "This is what we do every day.",
        "My name is not important here.",
        "Please reply to Sales Team by Friday.",
        "The Credit Line and Student Saver plans are open.",
        "thanks for the bill payment and the rose garden, with grace and joy",
        "We visited Inrix Traffic today.",
    ],
)
def test_words_places_and_products_are_not_people(text: str) -> None:
    assert person_spans(text) == set(), "an ordinary phrase was taken for a person"


def test_a_short_value_is_left_to_the_profiler() -> None:
    # a whole column value is judged by the profiler's name tokens, not a text rule
    assert person_spans("Marisa Alves") == set()


def test_a_key_called_name_is_no_cue() -> None:
    # keys are put before values as context ('phone: ...'); a key 'name' must not make
    # every value a person (Debezium's source.name, Avro schema names, headers)
    from detectors.textscan import TextScanner

    scanner = TextScanner()
    assert [f.entity for f in scanner.find("kill", context="name")] == []
    assert [f.entity for f in scanner.find("shop.public.customers.Value", context="name")] == []
    found: list[tuple[str, str]] = []
    scanner.redact_json({"source": {"name": "dbserver1", "table": "customers"}}, None, found)
    assert found == [], "a connector's name was taken for a person"


@pytest.mark.parametrize(
    "hostile",
    [
        "Anna, " * 8000,  # a list that never ends with 'and'
        "Anna Maria " * 5000,
        "name: " * 8000,
        "lives on " * 6000,
        "Berg Hills " * 5000 + "Street",
        "anna maria " * 5000,
        "Anna's " * 7000,
        "lives on 12 " * 4000,
    ],
)
def test_long_hostile_texts_are_scanned_in_bounded_work(hostile: str) -> None:
    # every name and street pattern is linear: these finish (no timing asserted) and
    # each finding lies inside the text
    for f in (f for r in RECOGNIZERS for f in r.find(hostile)):
        assert 0 <= f.start < f.end <= len(hostile)
