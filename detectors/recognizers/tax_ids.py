"""European VAT identification numbers: the country's two letters and its national
format, with the check where the format has a public one:

- Germany ``DE`` + nine digits, the last by ISO 7064 MOD 11,10;
- United Kingdom ``GB`` + nine digits, weighted 8..2 with the last two: the sum is 0
  mod 97 (or 42 for the 9755 range);
- Austria ``ATU`` + eight digits, Netherlands ``NL`` + nine digits ``B`` two digits,
  France ``FR`` + two key characters + the nine-digit SIREN, Belgium ``BE`` 0/1 + nine
  digits, Spain ``ES`` + letter/digit, seven digits, letter/digit: by format alone.

A sole trader's VAT number is their tax id: TAX_ID, hashed by default.
"""

from __future__ import annotations

import re

from detectors.recognizers.base import Recognizer


def de_vat_ok(digits: str) -> bool:
    product = 10
    for d in digits[:8]:
        total = (int(d) + product) % 10 or 10
        product = (2 * total) % 11
    return (11 - product) % 10 == int(digits[8])


def gb_vat_ok(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True)) + int(digits[7:9])
    return total % 97 in (0, 42)


class VatNumberRecognizer(Recognizer):
    entity = "TAX_ID"
    name = "vat_number"
    needs_digit = True
    context = ("vat", "ust", "tva", "iva", "btw", "uid", "tax")
    pattern = re.compile(
        r"(?<![\w-])(?:(?P<de>DE) ?(?P<de_d>\d{9})|(?P<gb>GB) ?(?P<gb_d>\d{9})(?:\d{3})?"
        r"|ATU ?\d{8}|NL ?\d{9}B\d{2}|FR ?[0-9A-HJ-NP-Z]{2} ?\d{9}|BE ?[01]\d{9}|ES ?[A-Z0-9]\d{7}[A-Z0-9])(?![\w-])"
    )

    def validate(self, match: re.Match[str]) -> float | None:
        if match.group("de"):
            return 0.8 if de_vat_ok(match.group("de_d")) else None
        if match.group("gb"):
            return 0.8 if gb_vat_ok(match.group("gb_d")) else None
        return 0.6
