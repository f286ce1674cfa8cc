"""National identity numbers outside the US, each by its format and its check digits.

The US recognizers (SSN, driver's licence, passport) left a customer's identity number
from elsewhere unread: a Spanish DNI in free text, a Brazilian CPF in a column declared
``none``, a UK National Insurance number as a new "category". Each format here carries
a check the validator computes, so a lookalike code rarely passes:

- Spain, DNI ``12345678Z`` and NIE ``X1234567L``: the letter is the number mod 23;
- Brazil, CPF ``123.456.789-09``: two mod-11 check digits (eleven bare digits are as
  often a phone number or an order id: weak alone, found under its label);
- Italy, codice fiscale ``RSSMRA85T10A562S``: the odd/even table check letter;
- France, NIR ``2 84 08 75 116 063 82``: sex, year, month, then the 97-complement key;
- UK, National Insurance number ``QQ 12 34 56 C``: the prefixes HMRC issues (no check
  digit, so a bare compact form scores lower than a spaced one);
- China, resident identity number: the birth date inside and an ISO 7064 check;
- Singapore, NRIC/FIN ``S1234567D``; Sweden, personnummer (a date and Luhn);
  Switzerland, AHV ``756.1234.5678.97`` (EAN-13); the Netherlands, BSN (the 11-test) and
  India, Aadhaar (Verhoeff): the last two pass by chance once in ten, so bare they are
  weak evidence and found under their label.
"""

from __future__ import annotations

import re
from datetime import date

from detectors.recognizers.base import Recognizer
from detectors.validators import luhn_ok

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


# -- more countries: each format's check digits, and where it has one, its birth date ----

_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_CHECK = "10X98765432"


def _date_ok(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


class ChinaResidentIdRecognizer(Recognizer):
    """China's resident identity number: six digits of area, the birth date, three of
    sequence and an ISO 7064 MOD 11-2 check character (``11010119900307803X``)."""

    entity = "NATIONAL_ID"
    name = "cn_resident_id"
    needs_digit = True
    context = ("身份证", "resident id", "id card", "identity card")
    pattern = re.compile(r"(?<![\w-])([1-8]\d{5})((?:19|20)\d{2})(\d{2})(\d{2})(\d{3})([\dXx])(?![\w-])")

    def validate(self, match: re.Match[str]) -> float | None:
        _area, year, month, day, _, check = match.groups()
        if not _date_ok(int(year), int(month), int(day)):
            return None
        digits = "".join(match.groups()[:5])
        total = sum(int(d) * w for d, w in zip(digits, _CN_WEIGHTS, strict=True))
        return 0.9 if _CN_CHECK[total % 11] == check.upper() else None


_NRIC_TABLES = {"ST": "JZIHGFEDCBA", "FG": "XWUTRQPNMLK", "M": "XWUTRQPNJLK"}
_NRIC_OFFSETS = {"S": 0, "T": 4, "F": 0, "G": 4, "M": 3}


class SingaporeNricRecognizer(Recognizer):
    """Singapore's NRIC and FIN (``S1234567D``): a series letter, seven digits and a check
    letter of their weighted sum."""

    entity = "NATIONAL_ID"
    name = "sg_nric"
    needs_digit = True
    context = ("nric", "fin", "ic no", "ic number")
    pattern = re.compile(r"(?<![\w-])([STFGMstfgm])(\d{7})([A-Za-z])(?![\w-])")

    def validate(self, match: re.Match[str]) -> float | None:
        series, digits, check = match.group(1).upper(), match.group(2), match.group(3).upper()
        total = sum(int(d) * w for d, w in zip(digits, (2, 7, 6, 5, 4, 3, 2), strict=True)) + _NRIC_OFFSETS[series]
        table = next(t for k, t in _NRIC_TABLES.items() if series in k)
        return 0.85 if table[total % 11] == check else None


class SwedishPersonnummerRecognizer(Recognizer):
    """Sweden's personal identity number: the birth date (a coordination number adds 60
    to the day), three digits and a Luhn check digit; written with its century
    (``198512274096``, ``19851227-4096``) it is strong alone, as ``851227-4096`` less, bare
    ten digits weak."""

    entity = "NATIONAL_ID"
    name = "se_personnummer"
    needs_digit = True
    context = ("personnummer", "personnr", "pnr", "samordningsnummer")
    pattern = re.compile(r"(?<![\w-])((?:19|20)?)(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})(?![\w-])")

    def validate(self, match: re.Match[str]) -> float | None:
        century, yy, mm, dd, sep, tail = match.groups()
        day = int(dd) - 60 if int(dd) > 60 else int(dd)
        year = int(century + yy) if century else 1900 + int(yy)
        if not _date_ok(year, int(mm), day) or not luhn_ok(yy + mm + dd + tail):
            return None
        if century:
            return 0.85
        return 0.6 if sep else 0.3


class SwissAhvRecognizer(Recognizer):
    """Switzerland's social security number (AHV/AVS): 756, the country, then nine digits
    and an EAN-13 check digit (``756.1234.5678.97``)."""

    entity = "NATIONAL_ID"
    name = "ch_ahv"
    needs_digit = True
    context = ("ahv", "avs", "sozialversicherung", "assurance sociale")
    pattern = re.compile(r"(?<![\w.-])756(\.?)(\d{4})\1(\d{4})\1(\d{2})(?![\w-]|\.\d)")

    def validate(self, match: re.Match[str]) -> float | None:
        digits = "756" + "".join(match.groups()[1:])
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
        if (10 - total % 10) % 10 != int(digits[12]):
            return None
        return 0.85 if match.group(1) else 0.6


class DutchBsnRecognizer(Recognizer):
    """The Netherlands' citizen service number (BSN): nine digits passing the 11-test. One
    run of nine digits in eleven passes it by chance, so bare it is weak (as a bare SSN
    is), and a national id under its label."""

    entity = "NATIONAL_ID"
    name = "nl_bsn"
    needs_digit = True
    context = ("bsn", "burgerservicenummer", "sofinummer", "sofi-nummer")
    pattern = re.compile(r"(?<![\w.-])(\d{4})([ .]?)(\d{2})\2(\d{3})(?![\w-]|\.\d)")

    def validate(self, match: re.Match[str]) -> float | None:
        digits = match.group(1) + match.group(3) + match.group(4)
        if len(set(digits)) == 1:
            return None
        total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
        return 0.3 if total % 11 == 0 and total != 0 else None


_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)  # fmt: skip
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)  # fmt: skip


def _verhoeff_ok(digits: str) -> bool:
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[i % 8][int(ch)]]
    return check == 0


class AadhaarRecognizer(Recognizer):
    """India's Aadhaar number: twelve digits, the first 2-9, the last a Verhoeff check
    digit; written in groups of four (``2345 6789 0124``) it is a national id, bare weak
    (one run in ten passes), and under its label strong."""

    entity = "NATIONAL_ID"
    name = "in_aadhaar"
    needs_digit = True
    context = ("aadhaar", "aadhar", "uidai", "uid")
    pattern = re.compile(r"(?<![\w.-])([2-9]\d{3})( ?)(\d{4})\2(\d{4})(?![\w-]|\.\d)")

    def validate(self, match: re.Match[str]) -> float | None:
        digits = match.group(1) + match.group(3) + match.group(4)
        if not _verhoeff_ok(digits) or len(set(digits)) == 1:
            return None
        return 0.6 if match.group(2) else 0.3
