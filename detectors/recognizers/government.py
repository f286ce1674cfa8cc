"""Government identifiers."""

from __future__ import annotations

import re
from typing import ClassVar

from detectors.recognizers.base import Recognizer
from detectors.validators import ssn_ok


class UsSsnRecognizer(Recognizer):
    """``AAA-GG-SSSS`` (dashes, spaces or dots) following the SSA's allocation rules (area
    not 000, 666 or 9xx, group not 00, serial not 0000, no advertised example). Nine bare
    digits score 0.3, under the 0.5 a text span needs: they are as often an order number.
    Words like "SSN" or "social security" nearby, or a field named so, make them one."""

    entity = "US_SSN"
    name = "us_ssn"
    needs_digit = True
    context = ("ssn", "social security", "social sec", "ss#", "ss no", "tax id", "taxpayer")
    negative_context = ("order", "invoice", "phone", "tel", "ref", "zip", "routing")
    pattern = re.compile(r"(?<![\w.-])(\d{3})([- .]?)(\d{2})\2(\d{4})(?![\w-]|\.\d)")

    def validate(self, match: re.Match[str]) -> float | None:
        area, sep, group, serial = match.groups()
        if not ssn_ok(area, group, serial):
            return None
        return 0.85 if sep else 0.3


_LICENCE_CUE = re.compile(
    r"(?:driver'?s?'?\s+licen[cs]e|driving\s+licen[cs]e|licen[cs]e\s+(?:number|no\.?|#)|\bdl\s*(?:#|no\.?|number)?)"
    r"[^.\n]{0,24}$",
    re.IGNORECASE,
)


class CuedTokenRecognizer(Recognizer):
    """A token of letters and digits that is an identifier only right *after* words that
    name it (:attr:`cue`, within :attr:`cue_chars` before it), with at least
    :attr:`min_digits` digits. Without those words such a token is a reference like any
    other: no finding; a bare value is judged by its column's name, not here."""

    cue: ClassVar[re.Pattern[str]]
    cue_chars: ClassVar[int] = 64
    min_digits: ClassVar[int] = 4
    needs_digit = True

    def validate(self, match: re.Match[str]) -> float | None:
        token = match.group(0)
        if sum(c.isdigit() for c in token) < self.min_digits or token.endswith("-"):
            return None
        before = match.string[max(0, match.start() - self.cue_chars) : match.start()]
        return 0.9 if self.cue.search(before) else None

    def match_value(self, value: str) -> float | None:
        return None  # a bare token: the column's name decides


class DriverLicenseRecognizer(CuedTokenRecognizer):
    """A driver's licence number: one token of 5 to 20 letters and digits (at least 4
    digits; dashes allowed, 'F162823540116', '2270-66-1551') after words that name it
    ("driver's license number is", "DL#", "licence no.")."""

    entity = "US_DRIVER_LICENSE"
    name = "driver_license"
    pattern = re.compile(r"(?<![\w-])[A-Za-z]{0,2}\d[\dA-Za-z-]{3,18}(?![\w-])")
    cue = _LICENCE_CUE


_PASSPORT_CUE = re.compile(
    r"(?:passport|passeport|pasaporte|passaporto|paspoort|reisepass|passnummer|pass-nr)"
    r"(?:\s*(?:number|num\.?|no\.?|nr\.?|#|id|n[°º]))?(?:\s+(?:is|was|reads))?[^.\n\w]{0,6}$",
    re.IGNORECASE,
)


class PassportRecognizer(CuedTokenRecognizer):
    """A passport number: one token of 6 to 10 letters and digits, at least 5 of them
    digits ('912803456', 'C01X00T47', 'A1234567' has 7) right after a word that names it
    ('Passport No: 912803456', 'passeport n° 12AB34567')."""

    entity = "US_PASSPORT"
    name = "passport"
    pattern = re.compile(r"(?<![\w-])(?=[A-Za-z]*\d)[A-Za-z0-9]{6,10}(?![\w-])")
    cue = _PASSPORT_CUE
    cue_chars = 40
    min_digits = 5
