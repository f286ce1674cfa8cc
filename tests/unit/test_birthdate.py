"""Dates of birth as text: formats, calendar validation, the 0-120 age range against a
reference year, context words in text, and the age-spread score of a column."""

from __future__ import annotations

import pytest

from detectors.recognizers.temporal import (
    WEAK_SCORE,
    DateOfBirthRecognizer,
    birth_distribution_score,
)
from detectors.vocabulary import name_evidence

REC = DateOfBirthRecognizer(reference_year=2026)


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("10/17/1966", 1966),
        ("02-11-1967", 1967),
        ("3/29/1982", 1982),
        ("1966-10-17", 1966),
        ("1966-10-17T00:00:00Z", 1966),
        ("1966/10/17", 1966),
        ("17.10.1966", 1966),
        ("Oct 17, 1966", 1966),
        ("October 17th 1966", 1966),
        ("17 October 1966", 1966),
        ("17. Oktober 1966", 1966),
        ("17-Oct-1966", 1966),
        ("17 de octubre de 1966", 1966),
        ("12 mars 1950", 1950),
        ("19661017", 1966),
        ("29/02/1964", 1964),  # a leap year
        ("01/01/1906", 1906),  # 120 years old
        ("2026-01-05", 2026),  # born this reference year
    ],
)
def test_plausible_birth_dates(value: str, year: int) -> None:
    assert REC.match_value(value) == WEAK_SCORE, "a date of birth was not recognised"
    assert REC.birth_year(value) == year


@pytest.mark.parametrize(
    "value",
    [
        "13/13/1966",  # no month 13 either way
        "31/04/1980",  # 31 April
        "29/02/1966",  # not a leap year
        "1966-02-30",
        "01/01/1890",  # older than 120
        "2031-05-01",  # after the reference year
        "Foo 17, 1966",  # not a month
        "1.2.3",
        "10.0.1966.1",  # a version, not a date
        "1966",
        "17/10/66",  # two-digit years are left out: too many codes look like them
        "12345678",
        "2026-01-05 14:33:10",  # a timestamp with a time of day: an event, not a birth
        "Oct 2019",
    ],
)
def test_not_birth_dates(value: str) -> None:
    assert REC.match_value(value) is None, "a non-date matched as a date of birth"


def test_reference_year_moves_the_range() -> None:
    assert REC.match_value("01/01/1900") is None
    assert DateOfBirthRecognizer(reference_year=2019).match_value("01/01/1900") == WEAK_SCORE


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Patient born 17.10.1966 in Lyon.", True),
        ("DOB: 10/17/1966, allergies none.", True),
        ("Geburtsdatum 17. Oktober 1966", True),
        ("The invoice of 10/17/1966 was paid.", False),  # a date without birth words is weak
        ("Released on 2019-03-01 with fixes.", False),
    ],
)
def test_text_needs_context(text: str, found: bool) -> None:
    assert bool(REC.find(text)) == found


@pytest.mark.parametrize(
    ("counts", "low", "high"),
    [
        ({1950: 10, 1960: 20, 1970: 25, 1980: 30, 1990: 15}, 0.9, 1.0),  # people
        ({2024: 40, 2025: 55, 2026: 5}, 0.0, 0.05),  # orders in the last years
        ({2010: 50, 2020: 50}, 0.0, 0.4),  # children's or account dates: few adults
        ({}, 0.0, 0.0),
    ],
)
def test_distribution(counts: dict[int, int], low: float, high: float) -> None:
    assert low <= birth_distribution_score(counts, 2026) <= high


@pytest.mark.parametrize(
    "column",
    [
        "dob",
        "DOB",
        "birthdate",
        "birth_dt",
        "date_of_birth",
        "DateOfBirth",
        "BirthDate",
        "geburtsdatum",
        "fecha_nacimiento",
        "date_naissance",
        "data_nascita",
        "geboortedatum",
        "born_on",
    ],
)
def test_birth_column_names_are_strong(column: str) -> None:
    assert name_evidence(column).get("DATE_OF_BIRTH", 0.0) >= 0.85, "a birth-date column name is not strong"
