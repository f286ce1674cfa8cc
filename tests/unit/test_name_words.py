"""One name word in a text, in any case it is written (detectors/recognizers/names.py,
NameWordRecognizer): a word the census lists know as a name and English does not. And
the words, interjections, streets, firms and foreign words that are not people. Names
here are invented for the tests."""

from __future__ import annotations

import pytest

from detectors.recognizers import default_recognizers
from detectors.recognizers.names import NameWordRecognizer

WORD = NameWordRecognizer()
OTHERS = [r for r in default_recognizers() if not isinstance(r, NameWordRecognizer)]


def found(text: str) -> list[str]:
    return [text[f.start : f.end] for f in WORD.find(text)]


def found_by_others(text: str) -> list[str]:
    return [text[f.start : f.end] for r in OTHERS for f in r.find(text) if f.entity == "PERSON"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Marisol should post the recipe again", "Marisol"),  # starts the text
        ("Evangeline Bakes is the best channel here", "Evangeline"),  # before a capitalised word
        ("honestly not a big Pemberton fan, sorry", "Pemberton"),  # a surname alone
        ("THANK YOU NADINE for the tips", "NADINE"),  # capitals
        ("THE BEST OF PENDLETON SO FAR", "PENDLETON"),  # a surname in capitals
        ("wow rosalind is so funny in this one", "rosalind"),  # lower case between English words
        ("i think alphonse", "alphonse"),  # lower case at the text's end
    ],
)
def test_a_name_word_in_a_text_is_found_whatever_its_case(text: str, name: str) -> None:
    assert found(text) == [name]
    assert name not in found_by_others(text), "already found without this recognizer: not what it adds"


@pytest.mark.parametrize(
    "text",
    [
        "Grace said she would come by later",  # an English word (grace), whoever it names
        "Hey guys what is up with the sound",  # an interjection the lists hold as a surname
        "Pemberton Street is closed until noon",  # a street named after someone
        "Castellano Group reported a loss today",  # a firm
        "the Tropical Storm Marisol damage was large",  # after a capitalised word in a sentence
        "Port Alphonse and the Outer Isles",  # among capitalised words only: a title or a place
        "Lockhart-Quintero hired three new analysts",  # two surnames: a firm as often as a person
        "we met lockhart at the market",  # a lower-case surname alone
        "sed marisol quam lorem dolor",  # a lower-case name among words of another language
        "NADA MAS que decir",  # capitals: too short to be told from an acronym
        "loved the iPhone review, Marisol Fairweather",  # camel case; and the pair is another recognizer's
        "Alphonse Fairweather",  # a bare value: the profiler's to judge
        "@alphonse posted the link again",  # a handle
    ],
)
def test_words_streets_firms_and_handles_are_not_name_words(text: str) -> None:
    assert [w for w in found(text) if w not in ("Marisol", "Fairweather")] == []


def test_a_whole_value_is_never_scored() -> None:
    assert WORD.match_value("Marisol") is None


def test_no_raw_word_reaches_a_finding_only_offsets() -> None:
    text = "so proud of you Nadine"
    (f,) = WORD.find(text)
    assert (f.entity, text[f.start : f.end], f.recognizer) == ("PERSON", "Nadine", "name_word")
    assert "Nadine" not in repr(f)


def test_a_name_word_outweighs_ner_calling_it_a_place() -> None:
    from detectors.ner import ner_engine
    from detectors.textscan import TextScanner

    text = "I am no fan of Pemberton but he works hard"
    at = text.index("Pemberton")
    ner = ner_engine()
    (by_ner,) = ner.analyze([text])
    assert not isinstance(by_ner, Exception)
    assert [(f.entity, f.start) for f in by_ner] == [("LOCATION", at)], (
        "NER no longer calls it a place: the test tests nothing"
    )
    found_as = [f.entity for f in TextScanner(ner=ner).find_in_free_text(text) if f.start <= at < f.end]
    assert found_as == ["PERSON"]
