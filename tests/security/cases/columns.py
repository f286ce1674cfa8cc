"""Undeclared columns under ``undeclared: detect`` whose personal data starts late, or
hides under an opaque name, after enough harmless values to clear a sampling detector."""

from __future__ import annotations

from collections.abc import Callable
from random import Random

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import Rec, change, field, key
from tests.security.ledger import Case, with_fragments

ATTACK = "undeclared-columns"
TIERS = ("bronze", "silver", "gold")


def _column_case(
    case_id: str,
    description: str,
    column: str,
    harmless: Callable[[Random, int], str],
    personal: Callable[[Random], str],
    quiet: int,
    loud: int,
    with_schema: bool = False,
    service: bool = False,
) -> Case:
    """``quiet`` records whose ``column`` looks harmless, then ``loud`` records where it
    holds personal data (every one of those values is planted)."""
    r = v.rng(case_id)
    fields = [field("id", "int32"), field("tier"), field(column)] if with_schema else None
    records, planted = [], []
    for n in range(quiet + loud):
        if n < quiet:
            value = harmless(r, n)
        else:
            value = personal(r)
            planted.append(value)
        after = {"id": n, "tier": TIERS[n % 3], column: value}
        records.append(Rec(key(n), change(table(case_id), after, fields=fields)))
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, "id: {pii: none}\ntier: {pii: none}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        service=service,
    )


def _harmless(r: Random, n: int) -> str:
    return v.HARMLESS[n % len(v.HARMLESS)]


CASES = [
    _column_case(
        "late-emails-after-empty",
        "contact is '' for 200 records, then e-mails",
        "contact",
        lambda r, n: "",
        lambda r: v.email(r),
        200,
        80,
    ),
    _column_case(
        "late-emails-after-na",
        "contact is 'n/a' for 250 records, then e-mails (schema'd)",
        "contact",
        lambda r, n: "n/a",
        lambda r: v.email(r),
        250,
        60,
        with_schema=True,
        service=True,
    ),
    _column_case(
        "late-emails-mixed-placeholders",
        "an opaque column cycles through placeholders for 150 records, then e-mails",
        "c12",
        _harmless,
        lambda r: v.email(r),
        150,
        60,
    ),
    _column_case(
        "late-ssn-after-codes",
        "an opaque column holds short order codes for 120 records, then dashed SSNs",
        "ref",
        lambda r, n: f"A-{1000 + n}",
        lambda r: v.ssn_dashed(v.ssn(r)),
        120,
        60,
    ),
    _column_case(
        "late-phones-after-pending",
        "an opaque column is 'pending' for 120 records, then 10-digit phone numbers",
        "x1",
        lambda r, n: "pending",
        lambda r: v.phone(r),
        120,
        60,
    ),
    _column_case(
        "opaque-free-form-names",
        "an opaque column of full names from the first record",
        "c07",
        lambda r, n: "",
        lambda r: v.name(r),
        0,
        200,
        service=True,
    ),
    _column_case(
        "opaque-names-last-first",
        "an opaque column of 'Last, First' names after 100 placeholders",
        "c08",
        _harmless,
        lambda r: f"{r.choice(v.LAST)}, {r.choice(v.FIRST)}",
        100,
        120,
    ),
    _column_case(
        "street-addresses",
        "an opaque column of street addresses",
        "c03",
        lambda r, n: "",
        lambda r: v.address(r),
        0,
        200,
        with_schema=True,
    ),
    _column_case(
        "dob-as-text",
        "an opaque column of dates of birth as MM/DD/YYYY text",
        "c11",
        lambda r, n: "",
        lambda r: v.birth_date(r).strftime("%m/%d/%Y"),
        0,
        200,
    ),
    _column_case(
        "late-dob-after-na",
        "dates of birth as text after 150 'n/a'",
        "born",
        lambda r, n: "n/a",
        lambda r: v.birth_date(r).strftime("%m-%d-%Y"),
        150,
        60,
    ),
]
CASES = with_fragments(CASES)  # a partial leak (a surname, the last six digits) counts too
