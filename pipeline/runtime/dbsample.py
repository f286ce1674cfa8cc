"""Rows sampled straight from a PostgreSQL database for ``cdr scan --dsn``, shaped the way
Debezium's PostgreSQL connector (JsonConverter, default handling modes) would publish
them: the same logical type names and the same value encodings, so the profiler reaches
the verdict it would reach on the change stream, before any pipeline exists.

The type mapping (:func:`debezium_field`, :func:`debezium_value`) is pure; only
:func:`sample_database` talks to the database.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

EPOCH = date(1970, 1, 1)

# PostgreSQL type name -> (Connect type, Debezium logical name or None)
_SCALARS: dict[str, tuple[str, str | None]] = {
    "int2": ("int16", None),
    "int4": ("int32", None),
    "int8": ("int64", None),
    "oid": ("int64", None),
    "bool": ("boolean", None),
    "float4": ("float", None),
    "float8": ("double", None),
    "numeric": ("bytes", "org.apache.kafka.connect.data.Decimal"),
    "money": ("bytes", "org.apache.kafka.connect.data.Decimal"),
    "date": ("int32", "io.debezium.time.Date"),
    "timestamp": ("int64", "io.debezium.time.MicroTimestamp"),
    "timestamptz": ("string", "io.debezium.time.ZonedTimestamp"),
    "time": ("int64", "io.debezium.time.MicroTime"),
    "timetz": ("string", "io.debezium.time.ZonedTime"),
    "interval": ("int64", "io.debezium.time.MicroDuration"),
    "uuid": ("string", "io.debezium.data.Uuid"),
    "json": ("string", "io.debezium.data.Json"),
    "jsonb": ("string", "io.debezium.data.Json"),
    "xml": ("string", "io.debezium.data.Xml"),
    "bytea": ("bytes", None),
    "hstore": ("map", None),
}


@dataclass(frozen=True)
class Column:
    name: str
    type_name: str  # pg_type.typname (arrays: the element type's name)
    category: str  # pg_type.typcategory: A array, E enum, ...
    scale: int | None = None  # numeric(p, s)
    not_null: bool = False  # NOT NULL: Debezium publishes the field as required (optional: false)


def debezium_field(col: Column) -> dict[str, Any]:
    """The Connect schema Debezium gives this column (a field of the row struct)."""
    optional = not col.not_null
    if col.category == "A":
        items = debezium_field(Column(col.name, col.type_name, "S", col.scale))
        items.pop("field", None)
        return {"type": "array", "optional": optional, "items": items, "field": col.name}
    if col.category == "E":
        return {"type": "string", "optional": optional, "name": "io.debezium.data.Enum", "field": col.name}
    kind, logical = _SCALARS.get(col.type_name, ("string", None))
    field: dict[str, Any] = {"type": kind, "optional": optional, "field": col.name}
    if kind == "map":
        field.update(keys={"type": "string"}, values={"type": "string", "optional": True})
    if logical:
        field["name"] = logical
    if logical == "org.apache.kafka.connect.data.Decimal":
        field["parameters"] = {"scale": str(col.scale or 0)}
    return field


def debezium_value(value: Any, col: Column) -> Any:
    """``value`` as psycopg returned it, encoded as Debezium's JsonConverter would."""
    if value is None:
        return None
    if col.type_name in ("json", "jsonb"):  # psycopg parses them; Debezium sends the text
        return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    if isinstance(value, list):
        return [debezium_value(v, col) for v in value]
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        scale = col.scale if col.scale is not None else max(0, -int(value.as_tuple().exponent))
        unscaled = int(value.scaleb(scale))
        length = max(1, (unscaled.bit_length() + 8) // 8)
        return base64.b64encode(unscaled.to_bytes(length, "big", signed=True)).decode()
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return int((value - datetime(1970, 1, 1)) / timedelta(microseconds=1))
    if isinstance(value, date):
        return (value - EPOCH).days
    if isinstance(value, time):
        return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond
    if isinstance(value, timedelta):
        return int(value / timedelta(microseconds=1))
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):  # hstore, when registered
        return value
    return str(value)


_COLUMNS_SQL = """
SELECT n.nspname, c.relname, a.attname,
       CASE WHEN t.typcategory = 'A' THEN et.typname ELSE t.typname END,
       t.typcategory,
       CASE WHEN coalesce(et.typname, t.typname) = 'numeric' AND a.atttypmod > 0
            THEN (a.atttypmod - 4) & 65535 END,
       c.reltuples,
       a.attnotnull
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY n.nspname, c.relname, a.attnum
"""


@dataclass
class TableInfo:
    schema: str
    name: str
    columns: list[Column]
    estimated_rows: float


def sample_query(info: TableInfo, rows: int) -> tuple[str, float | None]:
    """The sampling SQL (identifiers still to be bound) and the TABLESAMPLE percentage:
    block sampling on big tables, so a scan does not read them whole; LIMIT otherwise."""
    if info.estimated_rows > rows * 10:
        percent = min(100.0, max(0.01, 100.0 * rows * 3 / info.estimated_rows))
        return "SELECT * FROM {} TABLESAMPLE SYSTEM (%s) LIMIT %s", percent
    return "SELECT * FROM {} LIMIT %s", None


def list_tables(conn: Any) -> list[TableInfo]:
    tables: dict[tuple[str, str], TableInfo] = {}
    for schema, table, column, type_name, category, scale, reltuples, not_null in conn.execute(_COLUMNS_SQL).fetchall():
        info = tables.get((schema, table))
        if info is None:
            info = tables[(schema, table)] = TableInfo(schema, table, [], float(reltuples or 0))
        info.columns.append(Column(column, type_name, category, scale, bool(not_null)))
    return list(tables.values())


def sample_database(
    dsn: str, rows: int, topic_prefix: str | None = None, only: Container[str] | None = None
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, dict[str, Any]]]]:
    """(table, topic, row, fields) for up to ``rows`` rows of every user table (of the
    ``schema.table`` names in ``only``, when given)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET default_transaction_read_only = on")
        prefix = topic_prefix or conn.info.dbname
        for info in list_tables(conn):
            if only is not None and f"{info.schema}.{info.name}" not in only:
                continue
            fields = {c.name: debezium_field(c) for c in info.columns}
            by_name = {c.name: c for c in info.columns}
            query, percent = sample_query(info, rows)
            params: list[Any] = [percent, rows] if percent is not None else [rows]
            stmt = sql.SQL(query).format(sql.Identifier(info.schema, info.name))
            table = f"{info.schema}.{info.name}"
            topic = f"{prefix}.{table}"
            with conn.cursor() as cur:
                cur.execute(stmt, params)
                names = [d.name for d in cur.description or []]
                for record in cur:
                    row = {n: debezium_value(v, by_name[n]) for n, v in zip(names, record, strict=True)}
                    yield table, topic, row, fields
