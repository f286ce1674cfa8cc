"""SQL Server column types as Debezium's SQL Server connector emits them through the
JsonConverter with its default settings (``time.precision.mode=adaptive``,
``decimal.handling.mode=precise``), for the types the corpus's SQL Server scripts use,
and data-file values turned into those values. A type outside this table fails the
build: it is not guessed.

Mappings (Debezium documentation, SQL Server connector, "How the SQL Server connector
maps data types"): ``BIT`` boolean; ``TINYINT`` and ``SMALLINT`` int16, ``INT`` int32,
``BIGINT`` int64; ``REAL`` float, ``FLOAT`` double; ``CHAR``/``VARCHAR``/``TEXT``/``NCHAR``/
``NVARCHAR``/``NTEXT`` string, and ``UNIQUEIDENTIFIER`` too (the JDBC driver reports it as
``CHAR``); ``DATE`` int32/Date (days since the epoch); ``DATETIME`` and
``SMALLDATETIME`` int64/Timestamp (milliseconds since the epoch, no time zone);
``DECIMAL(p,s)``/``NUMERIC(p,s)`` bytes/Decimal, ``MONEY`` a Decimal of precision 19 and
scale 4, ``SMALLMONEY`` of precision 10 and scale 4. An alias type (``CREATE TYPE [Name]
FROM nvarchar(50)``) is its base type. ``hierarchyid``, ``geography``, ``xml`` and binary
types are not mapped here: a source leaves such columns out, and says so.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from bench.corpus.pgtypes import ValueTypeError, decimal, value_for

_EPOCH = datetime(1970, 1, 1)
_INTS = {"tinyint": "int16", "smallint": "int16", "int": "int32", "bigint": "int64"}
_FLOATS = {"real": "float", "float": "double"}
_STRING = re.compile(r"(?:n?char|n?varchar)(?:\((?:\d+|max)\))?|n?text|uniqueidentifier")
_DECIMAL = re.compile(r"(?:decimal|numeric)\((\d+)(?:,(\d+))?\)")
_MONEY = {"money": (19, 4), "smallmoney": (10, 4)}
_TIMESTAMP = "io.debezium.time.Timestamp"
# datetime: 'YYYY-MM-DD hh:mm:ss[.fff]' as the data files write it
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.(\d{1,3}))?")


class UnmappedType(ValueError):
    """A SQL Server column type this table does not map (the type, never a value)."""


def field_for(sql_type: str, aliases: dict[str, str] | None = None) -> dict[str, Any]:
    """The Debezium field schema (without ``field`` and ``optional``) of a SQL Server
    column type; ``aliases`` maps alias type names (lower case) to their base types."""
    t = "".join(sql_type.lower().split())
    if t.startswith("dbo."):
        t = t[len("dbo.") :]
    if aliases and t in aliases:
        return field_for(aliases[t])
    if t == "bit":
        return {"type": "boolean"}
    if t in _INTS:
        return {"type": _INTS[t]}
    if t in _FLOATS or re.fullmatch(r"float\(\d+\)", t):
        return {"type": _FLOATS.get(t, "double")}
    if _STRING.fullmatch(t):
        return {"type": "string"}
    if t == "date":
        return {"type": "int32", "name": "io.debezium.time.Date", "version": 1}
    if t in ("datetime", "smalldatetime"):
        return {"type": "int64", "name": _TIMESTAMP, "version": 1}
    m = _DECIMAL.fullmatch(t)
    if m:
        return decimal(int(m.group(1)), int(m.group(2) or 0))
    if t in _MONEY:
        return decimal(*_MONEY[t])
    raise UnmappedType(f"no Debezium SQL Server mapping for {sql_type!r} in this reader")


def value_of(value: object, field: dict[str, Any]) -> object:
    """The JSON value Debezium publishes for a data-file value (a string or None) of this field."""
    if value is None:
        return None
    if field.get("name") == _TIMESTAMP:
        m = _DATETIME.fullmatch(str(value))
        if m is None:
            raise ValueTypeError("a value does not read as a datetime")
        try:
            at = datetime.fromisoformat(m.group(1))
        except ValueError:
            raise ValueTypeError("a value does not read as a datetime") from None
        delta = at - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000 + int((m.group(2) or "0").ljust(3, "0"))
    if field.get("name") == "org.apache.kafka.connect.data.Decimal":
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            raise ValueTypeError("a value does not read as a Decimal") from None
        scale = int(field["parameters"]["scale"])
        if d != d.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP):
            raise ValueTypeError(f"a value has more decimals than the column's scale {scale}")
    if field["type"] == "boolean" and str(value) not in ("0", "1"):
        raise ValueTypeError("a value does not read as a bit")
    return value_for(value, field)
