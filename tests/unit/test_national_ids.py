"""National identity numbers outside the US: each format found with its check digits,
its lookalikes (a wrong check letter or digit, a prefix never issued) left alone."""

from __future__ import annotations

import pytest

from detectors.recognizers import default_recognizers
from detectors.textscan import TextScanner

RECOGNIZERS = [r for r in default_recognizers() if r.entity == "NATIONAL_ID"]


def _found(text: str) -> list[str]:
    return [text[f.start : f.end] for r in RECOGNIZERS for f in r.find(text)]


@pytest.mark.parametrize(
    "number",
    [
        "12345678Z",  # DNI: 12345678 mod 23 -> Z
        "X1234567L",  # NIE: X -> 0
        "529.982.247-25",  # CPF
        "RSSMRA85T10A562S",  # codice fiscale
        "2 84 08 75 116 063 44",  # NIR, key 97 - (2840875116063 mod 97)
        "AB 12 34 56 C",  # NINO
    ],
)
def test_a_valid_number_is_found_whole(number: str) -> None:
    assert _found(f"Identity document {number} checked at the desk") == [number]


@pytest.mark.parametrize(
    "text",
    [
        "order 12345678A shipped",  # DNI with the wrong letter
        "code X1234567A",  # NIE with the wrong letter
        "ref 111.111.111-11",  # CPF of one repeated digit
        "ref 529.982.247-26",  # CPF with a wrong check digit
        "RSSMRA85T10A562X",  # codice fiscale with a wrong check letter
        "2 84 08 75 116 063 45",  # NIR with a wrong key
        "GB 12 34 56 A",  # a NINO prefix never issued
        "QQ 12 34 56 C",  # HMRC's specimen prefix
        "v1.2.3 build 20240101",
        "SKU AB123456E",  # NINO suffixes are A-D
    ],
)
def test_a_lookalike_is_left_alone(text: str) -> None:
    assert _found(text) == []


def test_declared_free_text_redacts_the_number() -> None:
    out = TextScanner().redact("DNI 12345678Z y CPF 529.982.247-25")
    assert "12345678Z" not in out and "529.982.247-25" not in out
    assert out.count("<NATIONAL_ID>") == 2


def test_a_cpf_as_stored_is_found_under_its_label_and_weak_alone() -> None:
    """Eleven bare digits whose check digits hold: one run in a hundred passes by chance,
    so alone it is weak evidence (a column of them), with its label a national id."""
    assert _found("CPF 52998224725 on file") == ["52998224725"]
    assert _found("ref 52998224725") == []
    cpf = next(r for r in TextScanner(ner=None).recognizers if r.name == "br_cpf")
    assert cpf.match_value("52998224725") == 0.3 and cpf.match_value("52998224726") is None


@pytest.mark.parametrize(
    "number",
    [
        "11010119900307803X",  # China: area, 1990-03-07, sequence, MOD 11-2 check
        "S1234567D",  # Singapore NRIC
        "F1234567N",  # Singapore FIN
        "19851227-4096",  # Sweden, with its century
        "756.1234.5678.97",  # Switzerland, AHV
    ],
)
def test_a_checksummed_id_of_another_country_is_found_whole(number: str) -> None:
    assert _found(f"Identity document {number} checked at the desk") == [number]


@pytest.mark.parametrize(
    "text",
    [
        "ref 110101199003078035",  # China: wrong check character
        "ref 110101199002308031",  # China: 30 February
        "code S1234567A",  # NRIC: wrong check letter
        "ref 19851327-4096",  # Sweden: month 13
        "ref 756.1234.5678.98",  # AHV: wrong check digit
    ],
)
def test_a_checksummed_lookalike_is_left_alone(text: str) -> None:
    assert _found(text) == []


@pytest.mark.parametrize(("label", "number"), [("BSN", "123456782"), ("Aadhaar", "234567890124")])
def test_a_weak_bare_id_is_found_under_its_label(label: str, number: str) -> None:
    """Nine digits passing the 11-test (BSN), twelve passing Verhoeff (Aadhaar): one run
    in eleven or ten passes by chance, so bare they are weak, under their label found."""
    assert _found(f"{label} {number} on file") == [number]
    assert _found(f"order {number} shipped") == []
