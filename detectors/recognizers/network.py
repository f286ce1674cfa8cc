"""IP addresses."""

from __future__ import annotations

import ipaddress
import re

from detectors.recognizers.base import Recognizer


class IpAddressRecognizer(Recognizer):
    """IPv4 and IPv6. Dotted version numbers (``v1.2.3.4``, ``version 10.2.0.1``) and MAC
    addresses or clock times (which only look like IPv6) are not addresses."""

    entity = "IP_ADDRESS"
    name = "ip_address"
    needs = ".:"
    negative_context = ("version", "v", "ver", "release", "build", "rev", "firmware")
    context_window = 12
    overrides_negative = 2.0  # "version 10.20.30.40" is a version however it looks
    pattern = re.compile(
        r"(?<![\w.:])(?:(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?"
        r"|(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)[0-9A-Fa-f:]{2,39}(?:/\d{1,3})?)(?![\w.:])"
    )

    def validate(self, match: re.Match[str]) -> float | None:
        text = match.group(0)
        try:
            ipaddress.ip_interface(text)
        except ValueError:
            return None
        if "." in text:
            octets = [int(p) for p in text.split("/")[0].split(".")]
            if all(o < 10 for o in octets):
                return 0.3  # 1.2.3.4: as often a version number
            return 0.85
        if text.count(":") < 2 or ("::" not in text and text.count(":") != 7):
            return None
        return 0.85

    def find(self, text: str):
        findings = super().find(text)
        lowered = text.lower()
        # A "v" glued to the number ("v10.2.0.1") is a version even without a space.
        return [f for f in findings if not lowered[max(0, f.start - 1) : f.start].endswith("v")]
