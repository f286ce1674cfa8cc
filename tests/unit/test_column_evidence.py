"""Column evidence that needs no column name and no NER: one-word names from anywhere,
validated values in a small table, card-formatted numbers, entities inside short values,
and ordinary phrases that only look like names."""

from __future__ import annotations

import random

import pytest

from detectors.profiler import CLEAR, PII, DetectionSettings, Profiler
from detectors.recognizers.financial import FORMAT_ONLY, CreditCardRecognizer
from detectors.recognizers.person import KNOWN, SHAPED, name_token, person_value_score
from detectors.textscan import TextScanner

R = random.Random(11)


def verdict(values: list[object], column: str = "c07", rows: int = 300):
    profiler = Profiler(DetectionSettings(min_samples=100, sample_every=5), TextScanner())
    prof = profiler.profile("public.t", column, {"type": "string", "optional": True, "field": column})
    for i in range(rows):
        profiler.observe(prof, values[i % len(values)])
    return prof.verdict


# Surnames and given names of several countries, most of them in no US list
SURNAMES = [
    "Nowakowska", "Kowalczyk", "Haugland", "Brennan", "Fitzgerald", "Okonkwo", "Vasquez", "Lindqvist",
    "Takahashi", "Moreau", "Rossetti", "Schreiber", "Novotna", "Papadakis", "Gallagher", "Jovanovic",
    "Hendricks", "Oyelaran", "Castellanos", "Bergstrom", "Dubois", "Horvath", "Kaminski", "Lefebvre",
]  # fmt: skip


def test_a_column_of_one_word_surnames_from_many_countries_is_person() -> None:
    v = verdict(SURNAMES)
    assert (v.state, v.entity) == (PII, "PERSON"), v.describe()


@pytest.mark.parametrize(
    "values",
    [
        ["white", "black", "silver", "blue", "red", "grey", "brown", "green"],  # colours: surnames too
        ["excellent", "good", "fair", "like new", "salvage"],
        ["Groceries", "Travel", "Fuel", "Rent", "Insurance", "Education", "Utilities"],
    ],
)
def test_categories_that_are_also_surnames_are_not_people(values: list[str]) -> None:
    v = verdict(values)
    assert v.state == CLEAR, v.describe()


def test_name_tokens_tell_words_from_names() -> None:
    assert name_token("Okonkwo") == SHAPED  # no list knows it; written like a name; no English word
    assert name_token("Adams") == KNOWN
    assert name_token("white") is None  # a lower-case English word, whatever the census says
    assert name_token("Jane Roe") is None  # several words: the other rules
    assert name_token("Paris") is None  # a well-known place


def test_a_small_table_of_validated_values_is_decided_before_the_sample_minimum() -> None:
    emails = [f"staff{i}@example.org" for i in range(8)]
    profiler = Profiler(DetectionSettings(min_samples=100, sample_every=5), TextScanner())
    prof = profiler.profile("public.employee", "c09", {"type": "string", "optional": True, "field": "c09"})
    for value in emails:  # eight rows: the whole table
        profiler.observe(prof, value)
    assert (prof.verdict.state, prof.verdict.entity) == (PII, "EMAIL_ADDRESS"), prof.verdict.describe()


def _grouped_digits() -> str:
    return " ".join(f"{R.randrange(10000):04d}" for _ in range(4))


def test_card_formatted_numbers_failing_the_checks_make_a_card_column() -> None:
    values = [_grouped_digits() for _ in range(300)]
    v = verdict(values)
    assert (v.state, v.entity) == (PII, "CREDIT_CARD"), v.describe()


def test_a_card_formatted_number_is_weak_evidence_only() -> None:
    rec = CreditCardRecognizer()
    assert rec.match_value("1234 5678 9012 3456") == FORMAT_ONLY < 0.5
    assert rec.find("ref 1234 5678 9012 3456 ok") == []  # not redacted in text on its own
    assert rec.match_value("1234567890123456") is None  # ungrouped: an id as often as not


def test_values_holding_an_email_inside_make_the_column_sensitive() -> None:
    people = ["Roe, Jane", "Doe, John", "Moss, Kate", "Webb, Ada", "Lowe, Sam"]
    values = [f"{p} <{p.split(',')[0].lower()}{i}@example.com>" for i, p in enumerate(people * 20)]
    v = verdict(values)
    assert v.state == PII and v.entity in ("EMAIL_ADDRESS", "PERSON"), v.describe()
    assert any(key == "inside:EMAIL_ADDRESS" for key, _ in v.evidence), "the evidence names what was inside"


@pytest.mark.parametrize("phrase", ["Credit Line", "Student Saver", "Gold Card", "Home Mortgage"])
def test_ordinary_phrases_of_surnames_are_not_names(phrase: str) -> None:
    assert (person_value_score(phrase) or 0.0) < 0.75


@pytest.mark.parametrize("name", ["Will Smith", "Rose Hill", "Grace Wood", "Jack Black"])
def test_names_made_of_words_keep_their_first_name(name: str) -> None:
    assert (person_value_score(name) or 0.0) >= 0.75


STATES = [
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska",
    "Nevada", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Tennessee", "Texas", "Utah", "Vermont",
]  # fmt: skip


def test_repeated_place_names_are_a_coarse_region_not_personal_data() -> None:
    from detectors.ner import ner_engine

    profiler = Profiler(DetectionSettings(min_samples=100, sample_every=5), TextScanner(ner=ner_engine()))
    prof = profiler.profile("public.t", "c12", {"type": "string", "optional": True, "field": "c12"})
    for i in range(400):  # 36 states, each about 11 times
        profiler.observe(prof, STATES[(i * 7) % len(STATES)])
    assert prof.verdict.state != PII, prof.verdict.describe()


def test_past_the_profile_limit_only_the_oldest_profile_is_forgotten() -> None:
    profiler = Profiler(DetectionSettings(min_samples=5, sample_every=1, max_profiles=3), TextScanner(ner=None))
    emails = profiler.profile("public.t", "contact", None)
    for n in range(10):
        profiler.observe(emails, f"user{n}@example.org")
    assert emails.verdict.state == PII, dict(emails.verdict.evidence)
    oldest = profiler.profile("public.t", "a", None)
    profiler.profile("public.t", "b", None)
    # A fourth column: 'contact' was made before 'a', so it goes, and 'a' stays.
    assert profiler.profile("public.u", "c", None) is not None
    assert profiler.profile("public.t", "a", None) is oldest, "a profile younger than the oldest was forgotten"
    again = profiler.profile("public.t", "contact", None)
    assert again is not emails and again.verdict.state != PII, "the oldest profile was kept past the limit"
    assert len(profiler.profiles) == 3, len(profiler.profiles)
