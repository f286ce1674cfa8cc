"""Columns released for what their name says or for their first values, then sent what
the release does not cover (a hostile review of schema drift over a stream): a column
named like a quasi-identifier (``employer``, ``zip``) holding people's names or bare SSNs,
a column of categories sent numbers, and people's names with a label around them. Undeclared, under ``undeclared: detect``."""

from __future__ import annotations

from typing import Any

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.cases.smuggling import listed_name
from tests.security.events import Rec, change, key
from tests.security.ledger import Case, with_fragments

ATTACK = "schema-drift"
QUIET = 150  # past the profiler's default sample: the harmless start is released
LOUD = 40
TIERS = ("bronze", "silver", "gold", "platinum")


def _case(case_id: str, doc: str, column: str, quiet: Any, loud: Any) -> Case:
    """``column`` undeclared: ``quiet(n)`` for the first records, then ``loud(r)``: (the
    value, the planted text)."""
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    for n in range(QUIET):
        value = quiet(n)
        if value is not None:
            records.append(Rec(key(n), change(name, {"id": n, column: value})))
    for n in range(QUIET, QUIET + LOUD):
        value, text = loud(r)
        planted.append(text)
        records.append(Rec(key(n), change(name, {"id": n, column: value})))
    return Case(case_id, ATTACK, doc, declaration(case_id, "id: {pii: none}"), tuple(records), tuple(planted))


def _labelled(r: Any) -> tuple[str, str]:
    first, last = listed_name(r)
    label = r.choice(("Customer: {}", "{} (VIP)", "Sales - {}", "Agent {} on call"))
    return label.format(f"{first} {last}"), f"{first} {last}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _birth_date(r: Any) -> tuple[str, str]:
    day, month, year = r.randrange(1, 29), r.randrange(1, 13), r.randrange(1940, 2005)
    text = f"{day:02d}.{month:02d}.{year % 100:02d}" if r.random() < 0.5 else f"{day}-{_MONTHS[month - 1]}-{year}"
    return text, text


def _iso_or_named_birth_date(r: Any) -> tuple[str, str]:
    day, month, year = r.randrange(1, 29), r.randrange(1, 13), r.randrange(1940, 2005)
    text = f"{year}-{month:02d}-{day:02d}" if r.random() < 0.5 else f"{day}-{_MONTHS[month - 1]}-{year}"
    return text, text


CASES = with_fragments(
    [
        _case(
            "quasi-name-holds-people",
            "An undeclared employer column holding people's names from the start: a quasi-"
            "identifier's name does not make a person found in it a quasi-identifier.",
            "employer",
            lambda n: None,
            lambda r: (lambda name: (name, name))(v.name(r)),
        ),
        _case(
            "quasi-name-holds-ssns",
            "An undeclared zip column of five-digit postcodes, then bare nine-digit SSNs as text.",
            "zip",
            lambda n: f"{10000 + n * 37:05d}",
            lambda r: (lambda ssn: (ssn, ssn))(v.ssn(r)),
        ),
        _case(
            "names-with-labels",
            "An undeclared column of statuses, then people's names with a label around them: "
            "'Customer: First Last', 'First Last (VIP)', 'Sales - First Last'.",
            "handled_by",
            lambda n: TIERS[n % 4],
            _labelled,
        ),
        _case(
            "categories-sent-dates",
            "An undeclared tier column of four categories, then dates of birth with two-digit "
            "years and month names ('12.03.85', '13-Oct-1989'): a date is no category.",
            "tier",
            lambda n: TIERS[n % 4],
            _birth_date,
        ),
        _case(
            "quasi-birth-year-sent-dates",
            "An undeclared birth_year column of years, released as a quasi-identifier, then "
            "whole dates of birth ('1985-03-12', '12-Mar-1985'): no quasi-identifier holds a "
            "whole date, and the scanner rates a bare date weak (found in review).",
            "birth_year",
            lambda n: str(1950 + (n * 7) % 50),
            _iso_or_named_birth_date,
        ),
        _case(
            "categories-sent-numbers",
            "An undeclared tier column of four categories, then bare phone numbers as integers.",
            "tier",
            lambda n: TIERS[n % 4],
            lambda r: (lambda phone: (int(phone), phone))(v.phone(r)),
        ),
    ]
)
