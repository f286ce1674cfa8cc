"""The base type each Debezium and Kafka Connect logical type is written on.

A logical type's name is a claim the producer makes: ``io.debezium.data.Enum`` on an
int64, ``io.debezium.time.Date`` on a string, ``io.debezium.data.Bits`` on anything. The
profiler releases some columns by their logical type alone (a UUID, an enum, a time of
day), and the guard reads values by it (a decimal's scale, a timestamp's unit), so a
name on a base type no connector writes it on is no logical type: the column is judged
on its values, like one of its base type.
"""

from __future__ import annotations

from typing import Any

BASE_TYPES: dict[str, frozenset[str]] = {
    name: frozenset(bases.split())
    for name, bases in {
        "io.debezium.data.Uuid": "string",
        "io.debezium.data.Enum": "string",
        "io.debezium.data.EnumSet": "string",
        "io.debezium.data.Bits": "bytes",
        "io.debezium.data.Json": "string",
        "io.debezium.data.Xml": "string",
        "io.debezium.data.VariableScaleDecimal": "struct",
        "org.apache.kafka.connect.data.Decimal": "bytes",
        "io.debezium.time.Date": "int32",
        "org.apache.kafka.connect.data.Date": "int32",
        "io.debezium.time.Time": "int32",
        "org.apache.kafka.connect.data.Time": "int32",
        "io.debezium.time.MicroTime": "int64",
        "io.debezium.time.NanoTime": "int64",
        "io.debezium.time.Timestamp": "int64",
        "org.apache.kafka.connect.data.Timestamp": "int64",
        "io.debezium.time.MicroTimestamp": "int64",
        "io.debezium.time.NanoTimestamp": "int64",
        "io.debezium.time.MicroDuration": "int64",
        "io.debezium.time.Year": "int32",
        "io.debezium.time.ZonedTimestamp": "string",
        "io.debezium.time.ZonedTime": "string",
        "io.debezium.time.IsoDate": "string",
        "io.debezium.time.IsoTimestamp": "string",
        "io.debezium.time.IsoTime": "string",
        "io.debezium.time.Interval": "string",
        "io.debezium.data.geometry.Point": "struct",
        "io.debezium.data.geometry.Geometry": "struct",
        "io.debezium.data.geometry.Geography": "struct",
    }.items()
}


def logical_name(field: dict[str, Any] | None) -> str:
    """The field's logical type when its base type is the one that type is written on
    (a name this table does not know is returned as it is: it releases nothing); else ""."""
    name = (field or {}).get("name")
    if not isinstance(name, str) or not name:
        return ""
    bases = BASE_TYPES.get(name)
    return name if bases is None or (field or {}).get("type") in bases else ""
