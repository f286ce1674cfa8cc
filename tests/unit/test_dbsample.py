"""Rows sampled from PostgreSQL are encoded the way Debezium publishes them."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from pipeline.runtime.dbsample import Column, TableInfo, debezium_field, debezium_value, sample_query


@pytest.mark.parametrize(
    ("col", "expected"),
    [
        (Column("dob", "date", "D"), {"type": "int32", "name": "io.debezium.time.Date"}),
        (Column("at", "timestamptz", "D"), {"type": "string", "name": "io.debezium.time.ZonedTimestamp"}),
        (Column("id", "uuid", "U"), {"type": "string", "name": "io.debezium.data.Uuid"}),
        (Column("profile", "jsonb", "U"), {"type": "string", "name": "io.debezium.data.Json"}),
        (Column("status", "ticket_status", "E"), {"type": "string", "name": "io.debezium.data.Enum"}),
        (Column("n", "int8", "N"), {"type": "int64"}),
        (Column("email", "text", "S"), {"type": "string"}),
    ],
)
def test_fields_carry_debeziums_logical_types(col: Column, expected: dict) -> None:
    field = debezium_field(col)
    assert field["field"] == col.name
    assert {k: field.get(k) for k in expected} == expected


def test_numeric_field_carries_its_scale_and_arrays_their_items() -> None:
    assert debezium_field(Column("balance", "numeric", "N", 2))["parameters"] == {"scale": "2"}
    tags = debezium_field(Column("tags", "text", "A"))
    assert tags["type"] == "array" and tags["items"]["type"] == "string" and "field" not in tags["items"]


def test_values_are_encoded_as_debezium_does() -> None:
    assert debezium_value(date(1990, 4, 1), Column("d", "date", "D")) == 7395
    at = datetime(2026, 3, 1, 12, 34, 56, 789000, tzinfo=timezone(timedelta(hours=2)))
    assert debezium_value(at, Column("t", "timestamptz", "D")) == "2026-03-01T10:34:56.789000Z"
    assert debezium_value(datetime(1970, 1, 1, 0, 0, 1), Column("t", "timestamp", "D")) == 1_000_000
    assert debezium_value(time(0, 1, 0, 5), Column("t", "time", "D")) == 60_000_005
    amount = debezium_value(Decimal("-12.34"), Column("a", "numeric", "N", 2))
    assert int.from_bytes(base64.b64decode(amount), "big", signed=True) == -1234
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert debezium_value(ident, Column("id", "uuid", "U")) == str(ident)
    # psycopg parses jsonb; Debezium sends the document as text (arrays too).
    assert debezium_value({"a": [1, 2]}, Column("p", "jsonb", "U")) == '{"a":[1,2]}'
    assert debezium_value([{"x": 1}], Column("p", "jsonb", "U")) == '[{"x":1}]'
    assert debezium_value(["vip", None], Column("tags", "text", "A")) == ["vip", None]
    assert debezium_value(None, Column("x", "text", "S")) is None
    assert debezium_value(datetime(2026, 1, 1, tzinfo=UTC), Column("t", "timestamptz", "D")).endswith("Z")


def test_big_tables_are_block_sampled_small_ones_read_with_limit() -> None:
    small = TableInfo("public", "t", [], estimated_rows=500)
    big = TableInfo("public", "t", [], estimated_rows=10_000_000)
    assert sample_query(small, 1000) == ("SELECT * FROM {} LIMIT %s", None)
    query, percent = sample_query(big, 1000)
    assert "TABLESAMPLE SYSTEM" in query and percent == pytest.approx(0.03)
