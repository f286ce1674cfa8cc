"""Device and vehicle identifiers (MAC, IMEI, VIN, UK plate) and positions written as
one value (a latitude/longitude pair, a geo URI, a WKT point): found whole, in a column
value and in free text; their lookalikes (codes, versions, hashes, prices, clock times,
round numbers, a wrong check digit) left alone."""

from __future__ import annotations

import pytest

from detectors.recognizers import default_recognizers
from detectors.textscan import TextScanner

RECOGNIZERS = default_recognizers()
NEW = ("DEVICE_ID", "VEHICLE_ID", "LOCATION")


def strong(value: str) -> set[str]:
    return {r.entity for r in RECOGNIZERS if (r.match_value(value) or 0) >= 0.5}


@pytest.mark.parametrize(
    ("value", "entity"),
    [
        ("08:00:2b:01:02:03", "DEVICE_ID"),
        ("08-00-2B-01-02-03", "DEVICE_ID"),
        ("0800.2b01.0203", "DEVICE_ID"),
        ("352099001761481", "DEVICE_ID"),  # IMEI, Luhn-valid
        ("35-209900-176148-1", "DEVICE_ID"),
        ("1M8GDM9AXKP042788", "VEHICLE_ID"),  # VIN, check digit X
        ("AB51 ABC", "VEHICLE_ID"),
        ("KS21MSL", "VEHICLE_ID"),
        ("52.520008, 13.404954", "LOCATION"),
        ("-33.868820;151.209296", "LOCATION"),
        ("geo:48.858370,2.294481", "LOCATION"),
        ("POINT(13.404954 52.520008)", "LOCATION"),
    ],
)
def test_fires(value: str, entity: str) -> None:
    assert entity in strong(value)
    out = TextScanner().redact(f"seen by support: {value} (ticket)")
    assert value not in out and out.startswith("seen by support: <"), out


@pytest.mark.parametrize(
    "value",
    [
        "00:00:00:00:00:00",
        "ff:ff:ff:ff:ff:ff",
        "12:30:45",
        "2001:db8::1",  # an IPv6 address is not a MAC
        "1234.5678.9012",
        "352099001761482",  # IMEI-shaped, failing Luhn
        "123456789012345",  # fifteen digits, no reporting body's prefix
        "12345678901234567",  # seventeen digits
        "1M8GDM9A1KP042788",  # VIN-shaped, wrong check digit
        "AB30 CDE",  # no plate has age 30
        "ISO 9001",
        "19.99, 24.50",  # prices
        "1.0000, 0.0000",  # formatted round numbers
        "95.123456, 13.404954",  # no latitude past 90
        "40.712776 -74.005974",  # two measures side by side, no comma
        "v1.2.3",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
        "d41d8cd98f00b204e9800998ecf8427e",
        "SKU-4821-XL",
        "INV-2024-000123",
    ],
)
def test_lookalikes_do_not_fire(value: str) -> None:
    assert strong(value) & set(NEW) == set()
