"""PostgreSQL column types as Debezium's PostgreSQL connector emits them through the
JsonConverter with its default settings (``time.precision.mode=adaptive``,
``decimal.handling.mode=precise``, ``binary.handling.mode=bytes``), and dump text turned
into those values. A corpus source read from a SQL dump publishes typed fields this way,
so the profiler's typed paths (dates, timestamps, decimals, booleans, enums) are measured,
not only its text path.

Mappings (Debezium documentation, PostgreSQL connector, "Data type mappings"):
``smallint`` int16, ``integer`` int32, ``bigint`` int64, ``real`` float, ``double
precision`` double, ``boolean`` boolean, ``numeric(p,s)`` bytes/Decimal (base64 of the
unscaled two's-complement integer), ``numeric`` without a scale VariableScaleDecimal,
``date`` int32/Date (days since the epoch), ``timestamp`` int64/MicroTimestamp,
``timestamptz`` string/ZonedTimestamp (UTC, ISO-8601), an enum string/Enum, ``T[]`` an
array of T, anything else (text, varchar, char, tsvector, domains over text) a string.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pipeline.core.logical import encode_decimal_bytes, encode_variable_scale

_EPOCH = date(1970, 1, 1)
_EPOCH_DT = datetime(1970, 1, 1)
_NUMERIC = re.compile(r"(?:numeric|decimal)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)")
_INTS = {"smallint": "int16", "int2": "int16", "integer": "int32", "int": "int32", "int4": "int32"}
_INTS |= {"bigint": "int64", "int8": "int64", "serial": "int32", "bigserial": "int64", "smallserial": "int16"}
_FLOATS = {"real": "float", "float4": "float", "double precision": "double", "float8": "double"}
_TIMESTAMP = re.compile(r"timestamp(?:\s*\(\d\))?(?: without time zone)?")
_TIMESTAMPTZ = re.compile(r"timestamp(?:\s*\(\d\))? with time zone|timestamptz")


def decimal(precision: int | str, scale: int | str) -> dict[str, Any]:
    """Kafka Connect's ``Decimal`` schema of a fixed precision and scale, as every
    connector writes it."""
    params = {"scale": str(scale), "connect.decimal.precision": str(precision)}
    return {"type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "version": 1, "parameters": params}


VARIABLE_SCALE = {
    "type": "struct",
    "name": "io.debezium.data.VariableScaleDecimal",
    "version": 1,
    "fields": [
        {"type": "int32", "optional": False, "field": "scale"},
        {"type": "bytes", "optional": False, "field": "value"},
    ],
}


class ValueTypeError(ValueError):
    """A dump value that does not read as its column's type (column and type, never the value)."""


def field_for(sql_type: str, enums: dict[str, list[str]], domains: dict[str, str]) -> dict[str, Any]:
    """The Debezium field schema (without ``field`` and ``optional``) of a column type."""
    t = _bare(sql_type)
    if t.endswith("[]"):
        return {"type": "array", "items": {**field_for(t[:-2], enums, domains), "optional": True}}
    if t in domains:
        return field_for(domains[t], enums, domains)
    if t in enums:
        return {
            "type": "string",
            "name": "io.debezium.data.Enum",
            "version": 1,
            "parameters": {"allowed": ",".join(v.replace(",", "\\,") for v in enums[t])},
        }
    if t in _INTS:
        return {"type": _INTS[t]}
    if t in _FLOATS:
        return {"type": _FLOATS[t]}
    if t in ("boolean", "bool"):
        return {"type": "boolean"}
    if t == "date":
        return {"type": "int32", "name": "io.debezium.time.Date", "version": 1}
    if _TIMESTAMPTZ.fullmatch(t):
        return {"type": "string", "name": "io.debezium.time.ZonedTimestamp", "version": 1}
    if _TIMESTAMP.fullmatch(t):
        return {"type": "int64", "name": "io.debezium.time.MicroTimestamp", "version": 1}
    m = _NUMERIC.fullmatch(t)
    if m:
        return decimal(m.group(1), m.group(2) or 0)
    if t in ("numeric", "decimal"):
        return dict(VARIABLE_SCALE)
    if t == "bytea":
        return {"type": "bytes"}
    return {"type": "string"}


def _bare(sql_type: str) -> str:
    t = sql_type.strip().lower().replace('"', "")
    if t.startswith("public."):
        t = t[len("public.") :]
    return re.sub(r"^(character varying|varchar|character|char|bpchar)\s*\(\d+\)", "text", t)


def value_for(text: object, field: dict[str, Any]) -> object:
    """The JSON value Debezium publishes for a dump value (a string or None) of this field."""
    if text is None:
        return None
    raw = str(text)
    kind = field["type"]
    name = field.get("name")
    try:
        if kind == "array":
            return [value_for(v, field["items"]) for v in array_items(raw)]
        if kind in ("int16", "int32", "int64") and name is None:
            return int(raw)
        if kind in ("float", "double"):
            return float(raw)
        if kind == "boolean":
            if raw.lower() not in ("t", "true", "f", "false", "1", "0"):
                raise ValueError("not a boolean")
            return raw.lower() in ("t", "true", "1")
        if name == "io.debezium.time.Date":
            return (date.fromisoformat(raw) - _EPOCH).days
        if name == "io.debezium.time.MicroTimestamp":
            delta = datetime.fromisoformat(raw) - _EPOCH_DT
            return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        if name == "io.debezium.time.ZonedTimestamp":
            iso = datetime.fromisoformat(raw).astimezone(UTC).isoformat().replace("+00:00", "")
            return (iso.rstrip("0").rstrip(".") if "." in iso else iso) + "Z"  # Java prints no trailing zeros
        if name == "org.apache.kafka.connect.data.Decimal":
            return encode_decimal_bytes(Decimal(raw), int(field["parameters"]["scale"]))
        if name == "io.debezium.data.VariableScaleDecimal":
            d = Decimal(raw)
            scale = max(0, -int(d.as_tuple().exponent))
            return encode_variable_scale(d, scale)
    except (ValueError, InvalidOperation, OverflowError):
        raise ValueTypeError(f"a value does not read as {name or kind}") from None
    return raw


def array_items(literal: str) -> list[str | None]:
    """The elements of a one-dimensional PostgreSQL array literal: ``{a,"b c",NULL}``."""
    if not (literal.startswith("{") and literal.endswith("}")):
        raise ValueError("not an array literal")
    body = literal[1:-1]
    out: list[str | None] = []
    i = 0
    while i < len(body):
        if body[i] == '"':
            chars: list[str] = []
            i += 1
            while i < len(body) and body[i] != '"':
                if body[i] == "\\" and i + 1 < len(body):
                    i += 1
                chars.append(body[i])
                i += 1
            if i >= len(body):
                raise ValueError("unterminated element")
            out.append("".join(chars))
            i += 1
        else:
            j = body.find(",", i)
            j = len(body) if j < 0 else j
            item = body[i:j].strip()
            out.append(None if item == "NULL" else item)
            i = j
        if i < len(body):
            if body[i] != ",":
                raise ValueError("expected a comma")
            i += 1
    return out


def schema_types(text: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Enum labels and domain base types declared in a dump (``CREATE TYPE ... AS ENUM``,
    ``CREATE DOMAIN ... AS``), by bare lower-case name."""
    enums: dict[str, list[str]] = {}
    for m in re.finditer(r"CREATE TYPE ([\w.\"]+) AS ENUM \(([^)]*)\)", text):
        enums[_bare(m.group(1))] = [v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", m.group(2))]
    domains = {
        _bare(m.group(1)): m.group(2)
        for m in re.finditer(r"CREATE DOMAIN ([\w.\"]+) AS ([\w ]+?)(?:\n|;| CONSTRAINT)", text)
    }
    return enums, domains
