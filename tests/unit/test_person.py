"""Person names as whole values (shapes, cases, honorifics, the census name lists), the
column-level share of known names, and names in text; with lookalikes that must not fire
(places, organisations, products, job titles, statuses)."""

from __future__ import annotations

import pytest

from detectors.recognizers.names import HonorificNameRecognizer, InitialNameRecognizer, PersonNameRecognizer
from detectors.recognizers.person import is_known_name, known_name_fraction, names_available, person_value_score


def test_name_lists_ship_with_the_package() -> None:
    assert names_available(), "the census name lists (package 'names') are not installed"


# (value, is a person's name: score >= 0.5)
PERSON_CASES: tuple[tuple[str, bool], ...] = (
    ("John Smith", True),
    ("JOHN SMITH", True),
    ("john smith", True),
    ("Smith, John", True),
    ("Smith, John A.", True),
    ("SMITH, JOHN A", True),
    ("Mary-Ann O'Brien", True),
    ("Mr. Brown", True),
    ("Mrs Okonkwo", True),
    ("Dr. Amara Okonkwo", True),
    ("Prof. Dr. Lena Weiß", True),
    ("Ms Wei Zhang", True),
    ("Herr Jacek Weiss", True),
    ("Dipl.-Ing. Siegward Weinhold", True),
    ("Robert Downey Jr.", True),
    ("Linda Koch-Scheuermann", True),
    ("Thomas van den Berg", True),
    ("Maria", True),
    ("JENNIFER", True),
    ("Gonzalez", True),
    ("Nguyen", True),
    ("Charlotte Smith", True),  # a city's name as a first name, with a surname
    # negatives
    ("Texas", False),
    ("New York", False),
    ("Springfield, Illinois", False),
    ("Austin, TX", False),
    ("Paris, France", False),
    ("Houston", False),
    ("Acme Inc", False),
    ("Smith & Sons Ltd", False),
    ("Johnson Consulting Group", False),
    ("Main Street Pharmacy", False),
    ("iPhone 15 Pro", False),
    ("eBay", False),
    ("Sales Manager", False),
    ("Senior Software Engineer", False),
    ("Premium", False),
    ("Active", False),
    ("Pending", False),
    ("Gold Plan", False),
    ("Electronics", False),
    ("North", False),
    ("12 Rose Lane", False),
    ("john.smith@example.com", False),
    ("", False),
    ("A", False),
    ("Samsung Galaxy", False),
    ("The quick brown fox jumps over the lazy dog", False),
)


@pytest.mark.parametrize(("value", "expected"), PERSON_CASES)
def test_person_value(value: str, expected: bool) -> None:
    score = person_value_score(value)
    got = score is not None and score >= 0.5
    assert got == expected, f"case #{PERSON_CASES.index((value, expected))}: expected {expected}, score {score}"


def test_scores_order_by_evidence() -> None:
    both = person_value_score("Jennifer Gonzalez") or 0.0
    one = person_value_score("Jennifer Zzyzxq") or 0.0
    none = person_value_score("Qwerty Zzyzxq") or 0.0
    assert both > one > none > 0.0


@pytest.mark.parametrize(
    ("values", "low", "high"),
    [
        (["James", "Mary", "Robert", "Patricia", "Michael", "Linda", "Garcia", "Smith"], 0.99, 1.0),
        (["John Smith", "Mary Johnson", "Jose Garcia", "Smith, Anna", "Dr. Lee", "Wei Zhang"], 0.99, 1.0),
        (["Texas", "Ohio", "New York", "California", "Florida", "Georgia", "Virginia", "Nevada"], 0.0, 0.0),
        (["Sales Manager", "Nurse", "Software Engineer", "Teacher", "Accountant", "Chief Executive"], 0.0, 0.0),
        (["Acme Inc", "Globex Corporation", "Initech LLC", "Umbrella Group", "Stark Industries"], 0.0, 0.0),
        (["Active", "Pending", "Closed", "Premium", "Basic", "Gold", "Free Trial"], 0.0, 0.0),
        ([], 0.0, 0.0),
    ],
)
def test_known_name_fraction(values: list[str], low: float, high: float) -> None:
    assert low <= known_name_fraction(values) <= high


def test_known_name_is_list_membership() -> None:
    assert is_known_name("Robert")
    assert not is_known_name("Amara Qwertyuiop")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I spoke to Mr. Smith yesterday.", True),
        ("Dr Jane Doe will call back.", True),
        ("Mary Johnson visited the branch on Monday.", True),
        ("The Grace Street office is closed.", False),
        ("Please reply to Sales Team by Friday.", False),
        ("Mr. and Mrs. are titles.", False),
    ],
)
def test_names_in_text(text: str, found: bool) -> None:
    spans = PersonNameRecognizer().find(text) + HonorificNameRecognizer().find(text)
    assert bool(spans) == found


def test_whole_values_left_to_the_profiler() -> None:
    # a recogniser hit on a whole value would stop the profiler asking NER about it
    assert PersonNameRecognizer().match_value("John Smith") is None
    assert HonorificNameRecognizer().match_value("Mr. Smith") is None


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Approved by K. Osei on Monday.", "K. Osei"),
        ("Signed J. R. Okafor-Eze", "J. R. Okafor-Eze"),
        ("cf. J. Smith 2020", "J. Smith"),  # a frequent surname, English word or not
        ("Shop at J. Crew today", None),  # an English word
        ("E. coli outbreak", None),
        ("U.S. Army base", None),
        ("Washington D.C. Metro", None),
    ],
)
def test_an_initial_and_a_surname_in_text(text: str, span: str | None) -> None:
    found = [text[f.start : f.end] for f in InitialNameRecognizer().find(text)]
    as_expected = found == ([span] if span else [])
    assert as_expected, f"{len(found)} span(s) found, expected {1 if span else 0} of {len(span or '')} characters"
    assert InitialNameRecognizer().match_value("K. Osei") is None  # whole values: the guard's checks
