"""Identifiers of a person's devices and vehicles, each by its format and, where the
format has one, its check digit:

- a network card's MAC address (EUI-48: ``3c:22:fb:1a:2b:3c``, ``3C-22-FB-1A-2B-3C``,
  ``3c22.fb1a.2b3c``), never the all-zero or broadcast address;
- a phone's IMEI: fifteen digits whose type allocation code starts with a reporting
  body's prefix (``01``, ``35``, ``86``, ``99``) and which pass Luhn;
- a vehicle's VIN: seventeen characters without I, O or Q, the last four digits, and
  the ISO 3779 check digit in ninth place (North America; elsewhere it is optional, so a
  VIN without one scores only near the word "VIN");
- a UK registration plate in the 2001 format ``AB12 CDE``: two letters, the age
  identifier (March ``02``-``25``, September ``51``-``75``), three letters.

A device or a car belongs to a person as surely as a phone number does: these are
DEVICE_ID and VEHICLE_ID, hashed by default.
"""

from __future__ import annotations

import re

from detectors.recognizers.base import Recognizer
from detectors.validators import luhn_ok

_IMEI_PREFIXES = ("01", "35", "86", "99")
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_PLATE_LAST_AGE = 75


def vin_check_ok(vin: str) -> bool:
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    expected = "X" if total % 11 == 10 else str(total % 11)
    return vin[8] == expected


class MacAddressRecognizer(Recognizer):
    entity = "DEVICE_ID"
    name = "mac_address"
    needs = ":-."
    context = ("mac", "device", "wifi", "wi-fi", "bluetooth", "ethernet", "hwaddr")
    pattern = re.compile(
        r"(?<![\w:.-])(?:[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}"
        r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w:.-])"
    )

    def validate(self, match: re.Match[str]) -> float | None:
        hexits = re.sub(r"[^0-9A-Fa-f]", "", match.group(0)).lower()
        if len(set(hexits)) == 1:
            return None  # 00:00:00:00:00:00 and ff:ff:ff:ff:ff:ff address no device
        if "." in match.group(0) and (hexits.isdigit() or hexits.isalpha()):
            return None  # 1234.5678.9012 is a number, abcd.abcd.efab a word game
        return 0.7


class ImeiRecognizer(Recognizer):
    entity = "DEVICE_ID"
    name = "imei"
    needs_digit = True
    context = ("imei", "handset", "device", "phone")
    pattern = re.compile(r"(?<![\w.-])(\d{2})[- ]?(\d{6})[- ]?(\d{6})[- ]?(\d)(?![\w-]|\.\d)")

    def validate(self, match: re.Match[str]) -> float | None:
        digits = "".join(match.groups())
        if match.group(1) not in _IMEI_PREFIXES or not luhn_ok(digits) or len(set(digits[2:14])) == 1:
            return None
        return 0.6


class VinRecognizer(Recognizer):
    entity = "VEHICLE_ID"
    name = "vin"
    needs_digit = True
    context = ("vin", "vehicle", "chassis", "car")
    pattern = re.compile(r"(?<![\w-])[A-HJ-NPR-Z0-9]{13}\d{4}(?![\w-])")

    def validate(self, match: re.Match[str]) -> float | None:
        vin = match.group(0)
        if sum(c.isalpha() for c in vin[:11]) < 2:
            return None  # seventeen digits are an id, not a VIN
        return 0.8 if vin_check_ok(vin) else 0.3


class UkPlateRecognizer(Recognizer):
    entity = "VEHICLE_ID"
    name = "uk_plate"
    needs_digit = True
    context = ("registration", "reg", "plate", "vehicle", "car", "vrm")
    pattern = re.compile(r"(?<![\w-])[A-HJ-PR-Y]{2}(\d{2})( ?)[A-HJ-PR-Z]{3}(?![\w-])")

    def validate(self, match: re.Match[str]) -> float | None:
        age = int(match.group(1))
        if not (2 <= age <= _PLATE_LAST_AGE - 50 or 51 <= age <= _PLATE_LAST_AGE):
            return None
        return 0.6 if match.group(2) else 0.5
