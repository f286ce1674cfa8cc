"""National identity numbers outside the US, each by its format and its check digits.

The US recognizers (SSN, driver's licence, passport) left a customer's identity number
from elsewhere unread: a Spanish DNI in free text, a Brazilian CPF in a column declared
``none``, a UK National Insurance number as a new "category". Each format here carries
a check the validator computes, so a lookalike code rarely passes:

- Spain, DNI ``12345678Z`` and NIE ``X1234567L``: the letter is the number mod 23;
- Brazil, CPF ``123.456.789-09``: two mod-11 check digits (the punctuated form only:
  eleven bare digits are as often a phone number or an order id);
- Italy, codice fiscale ``RSSMRA85T10A562S``: the odd/even table check letter;
- France, NIR ``2 84 08 75 116 063 82``: sex, year, month, then the 97-complement key;
- UK, National Insurance number ``QQ 12 34 56 C``: the prefixes HMRC issues (no check
  digit, so a bare compact form scores lower than a spaced one).
"""

from __future__ import annotations

import re

from detectors.recognizers.base import Recognizer

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_NIE_PREFIX = {"X": "0", "Y": "1", "Z": "2"}
_CF_ODD = {
    **dict(zip("0123456789", (1, 0, 5, 7, 9, 13, 15, 17, 19, 21), strict=True)),
    **dict(
        zip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23),
            strict=True,
        )
    ),
}
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _dni_ok(number: str, letter: str) -> bool:
    return _DNI_LETTERS[int(number) % 23] == letter.upper()


def _cpf_ok(digits: str) -> bool:
    if len(set(digits)) == 1:
        return False  # 111.111.111-11 passes the arithmetic and is no one's
    for n in (9, 10):
        total = sum(int(d) * w for d, w in zip(digits[:n], range(n + 1, 1, -1), strict=True))
        if (total * 10 % 11) % 10 != int(digits[n]):
            return False
    return True


def _cf_ok(code: str) -> bool:
    code = code.upper()
    total = 0
    for i, ch in enumerate(code[:15]):
        if i % 2 == 0:
            total += _CF_ODD[ch]
        else:
            total += int(ch) if ch.isdigit() else ord(ch) - ord("A")
    return chr(ord("A") + total % 26) == code[15]


def _nir_ok(digits: str) -> bool:
    body, key = digits[:13], int(digits[13:])
    return 97 - int(body) % 97 == key


class SpanishIdRecognizer(Recognizer):
    entity = "NATIONAL_ID"
    name = "es_dni"
    needs_digit = True
    context = ("dni", "nie", "nif", "documento", "identidad")
    pattern = re.compile(
        r"(?<![\w-])(?:(?P<dni>\d{8})|(?P<nie>[XYZxyz])[- ]?(?P<body>\d{7}))[- ]?(?P<letter>[A-Za-z])(?![\w-])"
    )

    def validate(self, match: re.Match[str]) -> float | None:
        letter = match.group("letter")
        if match.group("dni") is not None:
            number = match.group("dni")
        else:
            number = _NIE_PREFIX[match.group("nie").upper()] + match.group("body")
        return 0.85 if _dni_ok(number, letter) else None


class BrazilCpfRecognizer(Recognizer):
    entity = "NATIONAL_ID"
    name = "br_cpf"
    needs_digit = True
    context = ("cpf", "cadastro")
    # punctuated (123.456.789-09), or as stored: eleven bare digits whose two check digits
    # hold (weak alone, as a bare SSN is: one run of eleven digits in a hundred passes)
    pattern = re.compile(r"(?<![\w.-])(\d{3})(\.?)(\d{3})\2(\d{3})(-?)(\d{2})(?![\w-]|\.\d)")

    def validate(self, match: re.Match[str]) -> float | None:
        first, dot, second, third, dash, check = match.groups()
        if not _cpf_ok(first + second + third + check):
            return None
        return 0.85 if dot and dash else 0.3


class ItalianFiscalCodeRecognizer(Recognizer):
    entity = "NATIONAL_ID"
    name = "it_fiscal_code"
    needs_digit = True
    pattern = re.compile(r"(?<![\w-])[A-Za-z]{6}\d{2}[ABCDEHLMPRSTabcdehlmprst]\d{2}[A-Za-z]\d{3}[A-Za-z](?![\w-])")

    def validate(self, match: re.Match[str]) -> float | None:
        return 0.9 if _cf_ok(match.group(0)) else None


class FrenchNirRecognizer(Recognizer):
    entity = "NATIONAL_ID"
    name = "fr_nir"
    needs_digit = True
    context = ("sécurité sociale", "securite sociale", "nir", "insee", "vitale")
    pattern = re.compile(
        r"(?<![\w.-])([12]) ?(\d{2}) ?(0[1-9]|1[0-2]|[2-9]\d) ?(\d{2}|2[AB]) ?(\d{3}) ?(\d{3}) ?(\d{2})(?![\w-]|\.\d)"
    )

    def validate(self, match: re.Match[str]) -> float | None:
        parts = list(match.groups())
        if not parts[3].isdigit():  # Corsica: 2A/2B count as 19/18 in the key
            parts[3] = "19" if parts[3] == "2A" else "18"
        digits = "".join(parts)
        if not _nir_ok(digits):
            return None
        return 0.85 if " " in match.group(0) else 0.6


class UkNinoRecognizer(Recognizer):
    entity = "NATIONAL_ID"
    name = "uk_nino"
    needs_digit = True
    context = ("national insurance", "nino", "ni number", "ni no")
    pattern = re.compile(
        r"(?<![\w-])([A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z][A-CEGHJ-NPR-TW-Za-ceghj-npr-tw-z])"
        r"( ?)(\d{2})\2(\d{2})\2(\d{2})\2([A-Da-d])(?![\w-])"
    )

    def validate(self, match: re.Match[str]) -> float | None:
        if match.group(1).upper() in _NINO_BAD_PREFIXES:
            return None
        return 0.7 if match.group(2) else 0.5
