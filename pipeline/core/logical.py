"""Debezium and Kafka Connect logical types as they appear in JsonConverter output.

Only what treatments need: reading a value as text or a number, and writing a
generalised value back in the same encoding so the field keeps its type.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any

DECIMAL = "org.apache.kafka.connect.data.Decimal"
VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal"

# int32 days since epoch
DATE_DAYS = frozenset({"io.debezium.time.Date", "org.apache.kafka.connect.data.Date"})
# int64 since epoch, by unit
TIMESTAMP_UNITS: dict[str, int] = {
    "io.debezium.time.Timestamp": 1_000,
    "org.apache.kafka.connect.data.Timestamp": 1_000,
    "io.debezium.time.MicroTimestamp": 1_000_000,
    "io.debezium.time.NanoTimestamp": 1_000_000_000,
}
# ISO-8601 strings
ISO_TEXT = frozenset(
    {
        "io.debezium.time.ZonedTimestamp",
        "io.debezium.time.IsoTimestamp",
        "io.debezium.time.IsoDate",
    }
)
JSON_TEXT = "io.debezium.data.Json"


def decode_decimal_bytes(b64: str, scale: int) -> Decimal:
    """Connect Decimal: base64 of the big-endian two's-complement unscaled integer."""
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    unscaled = int.from_bytes(raw, "big", signed=True)
    return Decimal(unscaled).scaleb(-scale)


def encode_decimal_bytes(value: Decimal, scale: int) -> str:
    unscaled = int(value.scaleb(scale).to_integral_value())
    length = max(1, (unscaled.bit_length() + 8) // 8)
    return base64.b64encode(unscaled.to_bytes(length, "big", signed=True)).decode("ascii")


def decimal_scale(field: dict[str, Any] | None) -> int | None:
    """The scale of a Connect Decimal field, or None if the field is not one."""
    if not field or field.get("name") != DECIMAL:
        return None
    params = field.get("parameters") or {}
    try:
        return int(params.get("scale", "0"))
    except (TypeError, ValueError):
        return None


def decode_variable_scale(value: Any) -> Decimal:
    if not isinstance(value, dict) or "scale" not in value or "value" not in value:
        raise ValueError("not a VariableScaleDecimal struct")
    return decode_decimal_bytes(value["value"], int(value["scale"]))


def encode_variable_scale(value: Decimal, scale: int) -> dict[str, Any]:
    return {"scale": scale, "value": encode_decimal_bytes(value, scale)}


def logical_name(field: dict[str, Any] | None) -> str | None:
    return field.get("name") if field else None
