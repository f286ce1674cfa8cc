"""Government identifiers."""

from __future__ import annotations

import re

from detectors.recognizers.base import Recognizer
from detectors.validators import ssn_ok


class UsSsnRecognizer(Recognizer):
    """``AAA-GG-SSSS`` following the SSA's allocation rules. Nine bare digits are weak
    evidence only (they are as often an order number)."""

    entity = "US_SSN"
    name = "us_ssn"
    context = ("ssn", "social security", "social sec", "tax id", "taxpayer")
    negative_context = ("order", "invoice", "phone", "tel", "ref")
    pattern = re.compile(r"(?<![\w-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w-])")

    def validate(self, match: re.Match[str]) -> float | None:
        area, sep, group, serial = match.groups()
        if not ssn_ok(area, group, serial):
            return None
        return 0.85 if sep else 0.3
