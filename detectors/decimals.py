"""Kafka Connect and Debezium decimals read as the numbers they hold.

A ``NUMERIC``/``DECIMAL`` column reaches the profiler and the guard in the encoding its
connector chose: Kafka Connect's ``Decimal`` (base64 of the unscaled big-endian integer,
the scale in the field's parameters) or Debezium's ``VariableScaleDecimal`` (a struct of
``scale`` and such bytes, for a ``NUMERIC`` without a declared scale and Oracle's
``NUMBER``). Read as they come, the first is a short base64 text and the second a small
document: an SSN or a phone number kept in a ``NUMERIC(10)`` column would be neither
found by the profiler nor checked by the guard as a number, and a column of plain ids
would look like JSON. Both read them through :func:`number`.
"""

from __future__ import annotations

import binascii
from typing import Any

DECIMAL = "org.apache.kafka.connect.data.Decimal"
VARIABLE_SCALE = "io.debezium.data.VariableScaleDecimal"
LOGICAL = frozenset({DECIMAL, VARIABLE_SCALE})
MAX_BYTES = 32  # an unscaled integer of 77 digits: longer holds no number a person has
MAX_SCALE = 64  # |scale| read; beyond it the value is not read as a number


def scale_of(field: dict[str, Any] | None) -> int:
    """The scale a Connect ``Decimal`` field declares (0 when it declares none or an
    unreadable one; a ``VariableScaleDecimal`` carries its scale in each value)."""
    params = (field or {}).get("parameters")
    scale = params.get("scale") if isinstance(params, dict) else None
    try:
        return int(scale) if scale is not None else 0
    except (TypeError, ValueError):
        return 0


def number(logical: str, scale: int, value: Any) -> int | float | None:
    """The number a decimal value holds: an int when it is integral (what cards, SSNs
    and phone numbers are), else a float; None when the value is not such a decimal.
    The guard asks this of every value of a released NUMERIC column: kept cheap."""
    if logical == VARIABLE_SCALE:
        if type(value) is not dict or len(value) != 2:
            return None
        scale, value = value.get("scale"), value.get("value")
        if type(scale) is not int:
            return None
    if type(value) is str:
        if len(value) > _MAX_TEXT:
            return None
        try:
            raw = binascii.a2b_base64(value, strict_mode=True)
        except (binascii.Error, ValueError):
            return None
    elif type(value) is bytes:
        raw = value
    else:
        return None
    if not raw or len(raw) > MAX_BYTES:
        return None
    unscaled = int.from_bytes(raw)  # big-endian; two's complement below (no keywords: cheaper)
    if raw[0] & 0x80:
        unscaled -= 1 << (8 * len(raw))
    if scale == 0:
        return unscaled
    if not -MAX_SCALE <= scale <= MAX_SCALE:
        return None
    if scale < 0:
        return unscaled * _POWERS[-scale]
    whole, fraction = divmod(unscaled, _POWERS[scale])
    return whole if fraction == 0 else unscaled / _POWERS[scale]


_MAX_TEXT = 4 * MAX_BYTES // 3 + 4  # base64 of MAX_BYTES, padded
_POWERS = [10**n for n in range(MAX_SCALE + 1)]
