"""Government identifiers."""

from __future__ import annotations

import re

from detectors.recognizers.base import Recognizer
from detectors.validators import ssn_ok


class UsSsnRecognizer(Recognizer):
    """``AAA-GG-SSSS`` (dashes, spaces or dots) following the SSA's allocation rules (area
    not 000, 666 or 9xx, group not 00, serial not 0000, no advertised example). Nine bare
    digits score 0.3, under the 0.5 a text span needs: they are as often an order number.
    Words like "SSN" or "social security" nearby, or a field named so, make them one."""

    entity = "US_SSN"
    name = "us_ssn"
    context = ("ssn", "social security", "social sec", "ss#", "ss no", "tax id", "taxpayer")
    negative_context = ("order", "invoice", "phone", "tel", "ref", "zip", "routing")
    pattern = re.compile(r"(?<![\w.-])(\d{3})([- .]?)(\d{2})\2(\d{4})(?![\w-]|\.\d)")

    def validate(self, match: re.Match[str]) -> float | None:
        area, sep, group, serial = match.groups()
        if not ssn_ok(area, group, serial):
            return None
        return 0.85 if sep else 0.3
