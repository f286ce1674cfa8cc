"""The new recognisers and column-name evidence through the real column profiler: text
dates of birth under a birth-date name, addresses and driver-licence numbers under their
names, and the same values under opaque names or business names staying clear."""

from __future__ import annotations

import random

import pytest

from detectors.profiler import Profiler
from detectors.textscan import TextScanner

_FIELD = {"type": "string", "field": "x"}


def _dates(n: int) -> list[str]:
    rnd = random.Random(5)
    return [f"{rnd.randint(1, 12)}/{rnd.randint(1, 28)}/{rnd.randint(1940, 2005)}" for _ in range(n)]


def _streets(n: int) -> list[str]:
    rnd = random.Random(6)
    names = ("Rose", "Oak", "Blue Gum", "Maple", "5th")
    kinds = ("St", "Lane", "Ave", "Street", "Rd")
    return [f"{rnd.randint(1, 9999)} {rnd.choice(names)} {rnd.choice(kinds)}" for _ in range(n)]


@pytest.mark.parametrize(
    ("column", "values", "expected"),
    [
        ("dob", _dates(200), "pii:DATE_OF_BIRTH"),
        ("birth_dt", _dates(200), "pii:DATE_OF_BIRTH"),
        # dates spread over decades of adult ages are births, even under an opaque name
        ("c01", _dates(200), "pii:DATE_OF_BIRTH"),
        ("c02", [f"{1 + i % 12}/{1 + i % 28}/{2024 + i % 2}" for i in range(200)], None),  # recent: events
        ("address", _streets(200), "pii:LOCATION"),
        ("ADD1", _streets(200), "pii:LOCATION"),
        ("License Number", [f"D{i:07d}" for i in range(200)], "pii:US_DRIVER_LICENSE"),
        ("merchant", ["Blue Bottle Coffee"] * 200, None),
        ("product_name", ["Echo Dot"] * 200, None),
    ],
)
def test_column_verdicts(column: str, values: list[str], expected: str | None) -> None:
    """``None``: no personal-data entity (clear, or withheld by a fail-closed policy)."""
    profiler = Profiler(scanner=TextScanner())
    prof = profiler.profile("t", column, _FIELD)
    for value in values:
        profiler.observe(prof, value)
    if expected is None:
        assert prof.verdict.state != "pii", prof.verdict.describe()
    else:
        assert prof.verdict.describe() == expected
