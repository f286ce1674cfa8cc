"""EU VAT numbers: found with their checks (German MOD 11,10, British mod 97) or by a
specific national format; a wrong check digit, a bare number or another code is left."""

from __future__ import annotations

import pytest

from detectors.recognizers.tax_ids import VatNumberRecognizer, de_vat_ok, gb_vat_ok
from detectors.textscan import TextScanner

REC = VatNumberRecognizer()


def test_checks() -> None:
    assert de_vat_ok("136695976")  # DE136695976: the Bundeszentralamt's test number
    assert not de_vat_ok("136695977")
    assert gb_vat_ok("980780684")  # GB980780684: HMRC's published example
    assert not gb_vat_ok("980780685")


@pytest.mark.parametrize(
    "value", ["DE136695976", "DE 136695976", "GB980780684", "ATU12345678", "NL123456789B01", "FRXX123456789"]
)
def test_a_vat_number_is_found(value: str) -> None:
    assert (REC.match_value(value) or 0) >= 0.5
    assert TextScanner().redact(f"invoice to {value} sent") == "invoice to <TAX_ID> sent"


@pytest.mark.parametrize(
    "value", ["DE136695977", "GB980780685", "136695976", "DE12345", "ISO9001", "SKU-DE136695976X", "v1.2.3"]
)
def test_a_lookalike_is_left(value: str) -> None:
    assert REC.match_value(value) is None
