"""MySQL column types as Debezium's MySQL connector emits them through the JsonConverter
with its default settings (``time.precision.mode=adaptive_time_microseconds``,
``decimal.handling.mode=precise``, ``bigint.unsigned.handling.mode=long``), for the types
the corpus's MySQL dumps use. A type outside this table fails the build: it is not guessed.

Mappings (Debezium documentation, MySQL connector, "How the MySQL connector maps data
types"): ``BOOLEAN``/``BOOL`` boolean; ``TINYINT`` and ``SMALLINT`` int16, ``MEDIUMINT``
and ``INT`` int32, ``BIGINT`` int64; unsigned, one size up (``TINYINT UNSIGNED`` int16,
``SMALLINT``/``MEDIUMINT UNSIGNED`` int32, ``INT``/``BIGINT UNSIGNED`` int64);
``CHAR``/``VARCHAR``/``*TEXT`` string; ``DATE`` int32/Date (days since the epoch);
``ENUM(...)`` string/Enum with the labels in ``allowed``; ``DECIMAL(p,s)`` bytes/Decimal.
Values are converted by :func:`bench.corpus.pgtypes.value_for`, which publishes these
schemas the same way for either connector.
"""

from __future__ import annotations

import re
from typing import Any

from bench.corpus.pgtypes import decimal

_SIGNED = {"tinyint": "int16", "smallint": "int16", "mediumint": "int32", "int": "int32", "integer": "int32"}
_SIGNED["bigint"] = "int64"
_UNSIGNED = {"tinyint": "int16", "smallint": "int32", "mediumint": "int32", "int": "int64", "integer": "int64"}
_UNSIGNED["bigint"] = "int64"
_INTEGER = re.compile(r"(tinyint|smallint|mediumint|int|integer|bigint)(?:\s*\(\d+\))?(\s+unsigned)?(?:\s+zerofill)?")
_STRING = re.compile(r"(?:char|varchar)\s*\(\d+\)|char|tinytext|text|mediumtext|longtext")
_DECIMAL = re.compile(r"(?:decimal|numeric)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)")
_ENUM = re.compile(r"enum\s*\((.*)\)", re.DOTALL | re.IGNORECASE)


class UnmappedType(ValueError):
    """A MySQL column type this table does not map (the type, never a value)."""


def field_for(sql_type: str) -> dict[str, Any]:
    """The Debezium field schema (without ``field`` and ``optional``) of a MySQL column type."""
    t = " ".join(sql_type.strip().split())
    low = t.lower()
    if low in ("boolean", "bool"):
        return {"type": "boolean"}
    m = _INTEGER.fullmatch(low)
    if m:
        return {"type": (_UNSIGNED if m.group(2) else _SIGNED)[m.group(1)]}
    if _STRING.fullmatch(low):
        return {"type": "string"}
    if low == "date":
        return {"type": "int32", "name": "io.debezium.time.Date", "version": 1}
    e = _ENUM.fullmatch(t)  # labels keep their case
    if e:
        labels = [v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", e.group(1))]
        if not labels:
            raise UnmappedType(f"{t!r}: an ENUM without labels")
        return {
            "type": "string",
            "name": "io.debezium.data.Enum",
            "version": 1,
            "parameters": {"allowed": ",".join(labels)},
        }
    d = _DECIMAL.fullmatch(low)
    if d:
        return decimal(d.group(1), d.group(2) or 0)
    raise UnmappedType(f"no Debezium MySQL mapping for {t!r} in this reader")
