"""How often the column profiler samples a column once its verdict is decided: each
sample is a whole scan, and a decided column's values are judged one by one anyway."""

from __future__ import annotations

import pytest

from detectors.profiler import CLEAR, FREE, JSON, PENDING, PII, QUASI, DetectionSettings, Profiler
from detectors.textscan import TextScanner


def _run(column: str, value, n: int = 1100) -> object:
    profiler = Profiler(DetectionSettings(min_samples=100, sample_every=20), TextScanner())
    prof = profiler.profile("public.t", column, None)
    for i in range(n):
        profiler.observe(prof, value(i))
    return prof


@pytest.mark.parametrize(
    ("column", "value", "state"),
    [
        ("notes", lambda i: "Customer called about the blocked card and asked for a new one.", FREE),
        ("settings", lambda i: '{"lang": "en", "theme": "dark"}', JSON),
        ("status", lambda i: ("gold", "silver")[i % 2], CLEAR),
    ],
)
def test_a_decided_column_is_sampled_one_value_in_ten_times_sample_every(column: str, value, state: str) -> None:
    prof = _run(column, value)
    assert prof.verdict.state == state, prof.verdict.describe()
    # 100 to decide, then one in 200 of the next 1,000: prose is redacted or withheld and
    # documents withheld or scanned value by value, released values guarded one by one
    assert prof.sampled == 100 + 5, prof.sampled


def test_an_undecided_column_is_sampled_one_value_in_sample_every() -> None:
    prof = _run("ref", lambda i: f"{i * 7919 % 10**16:016d}")  # digits that are no entity
    assert prof.verdict.state not in (CLEAR, QUASI, PII, FREE, JSON, PENDING), prof.verdict.describe()
    assert prof.sampled == 100 + 50, prof.sampled  # still gathering evidence either way


def test_a_quasi_identifier_is_still_sampled_one_value_in_sample_every() -> None:
    """Its samples alone turn it personal on evidence the guard lets through in a place
    column (surnames, by the name lists), so they stay as frequent as before."""
    prof = _run("city", lambda i: ("Leeds", "York", "Bath")[i % 3])
    assert prof.verdict.state == QUASI, prof.verdict.describe()
    assert prof.sampled == 100 + 50, prof.sampled
