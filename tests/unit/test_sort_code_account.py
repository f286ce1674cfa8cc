"""A UK sort code and account number written together is a bank account (the domestic
form of a UK IBAN); dates, short numbers and other dashed codes are left alone."""

from __future__ import annotations

import pytest

from detectors.textscan import TextScanner


@pytest.mark.parametrize("pair", ["20-45-67 41234567", "20-45-67, 41234567", "20-45-67/41234567"])
def test_a_sort_code_and_account_are_redacted(pair: str) -> None:
    assert TextScanner().redact(f"refund to {pair} today") == "refund to <IBAN_CODE> today"


def test_an_undashed_pair_needs_a_bank_word() -> None:
    assert TextScanner().redact("acct 204567/41234567") == "acct <IBAN_CODE>"


@pytest.mark.parametrize(
    "text", ["2024-01-05 12345678", "12-34-56 1234567", "order 20-45-67 412345678", "batch 204567 41234567"]
)
def test_lookalikes_are_left(text: str) -> None:
    assert "<IBAN_CODE>" not in TextScanner().redact(text)
