"""Names in edited prose that the free-text path missed (found on WikiNEuRal's dev split;
the names here are invented): accented names NER reads only with their accents, names
whose surname is also a street type, names with particles, regnal numbers, and a listed
first name before a surname the English lexicon holds."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from detectors.ner import NerRefused
from detectors.normalize import normalize
from detectors.recognizers import Finding
from detectors.recognizers.names import ParticleNameRecognizer, PersonNameRecognizer
from detectors.recognizers.street_cues import CuedStreetRecognizer
from detectors.textscan import TextScanner, with_accents, with_numerals

# -- accents: NER reads the text with its accented letters too -----------------------------


@pytest.mark.parametrize(
    ("text", "lettered"),
    [
        ("Zoë Quintvale met Łucja Brakowská.", "Zoë Quintvale met Łucja Brakowská."),
        ("Renée and Jo\u0301rund", "Renée and Jorund"),  # a letter built with a combining mark stays folded
        ("Andrée with a Cyrillic \u043e", "Andrée with a Cyrillic o"),  # a lookalike stays folded
        ("Orla\u200b Fénwick", "Orla Fénwick"),  # a zero-width space stays removed
    ],
)
def test_precomposed_accented_letters_come_back_one_for_one(text: str, lettered: str) -> None:
    norm = normalize(text)
    assert with_accents(norm) == lettered
    assert len(lettered) == len(norm.text), "the offsets of both readings are the same"


@pytest.mark.parametrize("text", ["Orla Quint wrote.", "Jo\u0301rund wrote.", "\u041ear\u0430 wrote."])
def test_no_second_reading_without_a_precomposed_accented_letter(text: str) -> None:
    assert with_accents(normalize(text)) is None


class _Reader:
    """A stand-in NER that knows one name, as written (accents and all)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.read: list[str] = []

    def admit(self, texts: Sequence[str]) -> list[NerRefused | None]:
        return [None for _ in texts]

    def analyze(self, texts: Sequence[str]) -> list[list[Finding] | NerRefused]:
        self.read.extend(texts)
        out: list[list[Finding] | NerRefused] = []
        for text in texts:
            at = text.find(self.name)
            out.append([] if at < 0 else [Finding("PERSON", at, at + len(self.name), 0.85, "spacy")])
        return out


def test_a_name_ner_reads_only_with_its_accents_is_redacted_where_it_stands() -> None:
    ner = _Reader("Zoë Brakowská")
    scanner = TextScanner(ner=ner)  # type: ignore[arg-type]
    text = "In 1931 the\u00a0composer Zoë Brakowská wrote to her sister about the move."
    found = [(f.entity, text[f.start : f.end]) for f in scanner.find_in_free_text(text)]
    assert ("PERSON", "Zoë Brakowská") in found
    assert any("Zoë" in t for t in ner.read) and any("Zoe" in t for t in ner.read), "both readings"


# -- a first name and a surname that is also a street type ---------------------------------

STREETS = CuedStreetRecognizer()


def streets(text: str, above_ner: bool = True) -> list[str]:
    return [text[f.start : f.end] for f in STREETS.find(text) if f.score > 0.85 or not above_ner]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The costumes were designed by Greta Lake and her sister.", "Greta Lake"),
        ("The band was joined by Marvin Orrin Hill in the spring.", "Marvin Orrin Hill"),
        ("Novels by Edna Vollering sold well that year.", "Edna Vollering"),  # a type only by its ending
    ],
)
def test_a_person_shaped_name_ending_in_a_type_word_is_left_to_ner(text: str, name: str) -> None:
    assert streets(text) == [], "a person's name taken for a street outranks NER's PERSON"
    assert streets(text, above_ner=False) == [name], "where nothing reads a person, it is still a place"
    ner = _Reader(name)
    found = [(f.entity, text[f.start : f.end]) for f in TextScanner(ner=ner).find_in_free_text(text)]  # type: ignore[arg-type]
    assert ("PERSON", name) in found


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("She lives on Greta Hill with her aunt.", "Greta Hill"),  # a word says a place follows
        ("We walked down Elizabeth Street after dinner.", "Elizabeth Street"),  # a thoroughfare word
        ("The early concerts on Ormond Vale Street were the best.", "Ormond Vale Street"),
    ],
)
def test_streets_stay_streets(text: str, street: str) -> None:
    assert street in streets(text)


# -- particles ------------------------------------------------------------------------------

PARTICLES = ParticleNameRecognizer()


def particle_names(text: str) -> list[str]:
    return [text[f.start : f.end] for f in PARTICLES.find(text)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("This gave Marcel de Quintvalle's faction control of the port.", "Marcel de Quintvalle"),
        ("The genus was named by Anna van der Brakel in 1888.", "Anna van der Brakel"),
        ("Orsino Tavrel de Malvezzi led the expedition.", "Orsino Tavrel de Malvezzi"),
    ],
)
def test_a_name_with_particles_is_found_whole(text: str, name: str) -> None:
    assert particle_names(text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "We landed at Marcel de Quintvalle Airport at noon.",  # an airport named after someone
        "The office is on Anna van der Brakel Street now.",
        "The Lord of the Rings was read aloud.",  # 'of' is no particle
    ],
)
def test_places_named_after_people_are_no_person(text: str) -> None:
    assert particle_names(text) == []


# -- a regnal number after a name -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "whole"),
    [
        ("They met the future Kaiser Orsino III at the manoeuvres.", "Orsino", "Orsino III"),
        ("It was one of King Brakel VII's favourite houses.", "Brakel", "Brakel VII"),
        ("His career reached the reign of Quintvald I (r. 414).", "Quintvald", "Quintvald I"),
        ("Orla XIV, by then old, signed it.", "Orla", "Orla XIV"),
    ],
)
def test_a_roman_numeral_after_a_name_is_part_of_it(text: str, name: str, whole: str) -> None:
    at = text.index(name)
    (f,) = with_numerals(text, [Finding("PERSON", at, at + len(name), 0.85, "spacy")])
    assert text[f.start : f.end] == whole


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Orla I think was right.", "Orla"),  # the pronoun, not a numeral
        ("Orla IVORY wrote.", "Orla"),
        ("Brakvale II was built in 1990.", "Brakvale"),  # a place: only PERSON findings stretch
    ],
)
def test_no_numeral_no_stretch(text: str, name: str) -> None:
    at = text.index(name)
    entity = "LOCATION" if name == "Brakvale" else "PERSON"
    (f,) = with_numerals(text, [Finding(entity, at, at + len(name), 0.85, "spacy")])
    assert (f.start, f.end) == (at, at + len(name))


# -- a name by the lists, then a surname the English lexicon holds --------------------------

NAMES = PersonNameRecognizer()


@pytest.mark.parametrize(
    "text",
    [
        "The theory was formulated by the philosopher Auguste Lantern in the early years.",
        "In 1780 Antoine Marrow and a colleague laid the foundations.",
    ],
)
def test_a_listed_first_name_and_a_capitalised_surname_is_a_name(text: str) -> None:
    assert [text[f.start : f.end] for f in NAMES.find(text)] in (["Auguste Lantern"], ["Antoine Marrow"])


@pytest.mark.parametrize(
    "text", ["We went to the Ludwig Museum yesterday.", "A new Tesla Model was sold there last week."]
)
def test_a_name_word_before_an_ordinary_capitalised_word_is_no_name(text: str) -> None:
    assert NAMES.find(text) == []
