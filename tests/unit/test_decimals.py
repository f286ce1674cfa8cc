"""Connect ``Decimal`` and Debezium ``VariableScaleDecimal`` values read as numbers by the
profiler and the guard (detectors.decimals)."""

from __future__ import annotations

import base64
import random

import pytest

from detectors import decimals
from detectors.profiler import CLEAR, JSON, DetectionSettings, Profiler
from detectors.textscan import TextScanner
from tests.security.values import decimal_b64 as b64

R = random.Random(11)
DECIMAL = {"type": "bytes", "name": decimals.DECIMAL, "parameters": {"scale": "0"}}
VARIABLE = {"type": "struct", "name": decimals.VARIABLE_SCALE, "fields": []}


@pytest.mark.parametrize(
    ("logical", "scale", "value", "number"),
    [
        (decimals.DECIMAL, 0, b64(4155550123), 4155550123),
        (decimals.DECIMAL, 2, b64(-12345), -123.45),
        (decimals.DECIMAL, 2, b64(12300), 123),  # integral: an int
        (decimals.DECIMAL, -3, b64(7), 7000),
        (decimals.DECIMAL, 0, base64.b64decode(b64(123456789)), 123456789),  # bytes (Avro)
        (decimals.VARIABLE_SCALE, 0, {"scale": 0, "value": b64(536904399)}, 536904399),
        (decimals.VARIABLE_SCALE, 0, {"scale": 3, "value": b64(1500)}, 1.5),
        # not such a decimal: read as it came
        (decimals.DECIMAL, 0, "not base64!", None),
        (decimals.DECIMAL, 0, "", None),
        (decimals.DECIMAL, 0, b64(1 << 400), None),  # longer than any number a person has
        (decimals.DECIMAL, 1000, b64(5), None),
        (decimals.VARIABLE_SCALE, 0, {"scale": "0", "value": b64(5)}, None),
        (decimals.VARIABLE_SCALE, 0, {"scale": 0, "value": b64(5), "extra": 1}, None),
        (decimals.VARIABLE_SCALE, 0, b64(5), None),
    ],
)
def test_a_decimal_is_read_as_its_number(logical, scale, value, number) -> None:
    assert decimals.number(logical, scale, value) == number


def test_the_scale_comes_from_the_field() -> None:
    assert decimals.scale_of({"name": decimals.DECIMAL, "parameters": {"scale": "2"}}) == 2
    assert decimals.scale_of({"name": decimals.DECIMAL, "parameters": {"scale": "two"}}) == 0
    assert decimals.scale_of(None) == 0


def observe(field, values, n: int = 200):
    profiler = Profiler(DetectionSettings(min_samples=50, sample_every=5), TextScanner())
    prof = profiler.profile("public.t", "c1", field)
    for i in range(n):
        profiler.observe(prof, values(i))
    return profiler, prof


def test_a_column_of_small_variable_scale_decimals_is_released_as_numbers_not_json() -> None:
    _, prof = observe(VARIABLE, lambda i: {"scale": 0, "value": b64(R.randrange(1, 5))})
    assert prof.verdict.state == CLEAR, prof.verdict.state
    assert prof.verdict.state != JSON


@pytest.mark.parametrize(
    ("field", "encode"),
    [(DECIMAL, b64), (VARIABLE, lambda n: {"scale": 0, "value": b64(n)})],
)
def test_the_guard_checks_a_released_decimal_column_as_numbers(field, encode) -> None:
    """Small codes, then card numbers in the same NUMERIC column: the guard reads the
    number, not the base64 text that carries it."""
    profiler, prof = observe(field, lambda i: encode(R.randrange(1, 100)))
    assert prof.verdict.state == CLEAR
    assert profiler.guard(prof, encode(4111111111111111))
    assert prof.verdict.state != CLEAR
