"""PostgreSQL dump values typed as Debezium's PostgreSQL connector publishes them
(bench/corpus/pgtypes.py), and accepted by the real processor."""

from __future__ import annotations

import json
from decimal import Decimal
from types import MappingProxyType

import orjson
import pytest

from bench.corpus.model import Column, Source, Table
from bench.corpus.pgtypes import ValueTypeError, array_items, field_for, schema_types, value_for
from bench.corpus.run import declaration
from bench.corpus.store import read, write
from pipeline.config import Config, DetectionConfig
from pipeline.core.declaration import DeclarationSet
from pipeline.core.events import Published, SourceRecord
from pipeline.core.logical import decode_decimal_bytes, decode_variable_scale
from pipeline.runtime.bootstrap import build_processor
from tests.support import HASH_KEY

SCHEMA = """
CREATE TYPE public.mood AS ENUM (
    'calm',
    'it''s odd'
);
CREATE DOMAIN public.year AS integer
\tCONSTRAINT year_check CHECK (((VALUE >= 1901) AND (VALUE <= 2155)));
"""
ENUMS, DOMAINS = schema_types(SCHEMA)


@pytest.mark.parametrize(
    ("sql_type", "text", "kind", "logical", "value"),
    [
        ("smallint", "7", "int16", None, 7),
        ("integer", "-12", "int32", None, -12),
        ("bigint", "9007199254740993", "int64", None, 9007199254740993),
        ("real", "32.38", "float", None, 32.38),
        ("boolean", "t", "boolean", None, True),
        ("boolean", "f", "boolean", None, False),
        ("date", "1970-01-02", "int32", "io.debezium.time.Date", 1),
        ("date", "1948-12-08", "int32", "io.debezium.time.Date", -7694),
        ("timestamp without time zone", "1970-01-01 00:00:01.5", "int64", "io.debezium.time.MicroTimestamp", 1_500_000),
        (
            "timestamp with time zone",
            "2022-05-24 22:54:33+01",
            "string",
            "io.debezium.time.ZonedTimestamp",
            "2022-05-24T21:54:33Z",
        ),
        (
            "timestamp with time zone",
            "2022-05-16 15:13:11.79328+00",
            "string",
            "io.debezium.time.ZonedTimestamp",
            "2022-05-16T15:13:11.79328Z",
        ),
        ("character varying(40)", "x", "string", None, "x"),
        ("public.mood", "calm", "string", "io.debezium.data.Enum", "calm"),
        ("public.year", "2012", "int32", None, 2012),
        ("tsvector", "'a':1", "string", None, "'a':1"),
    ],
)
def test_dump_text_becomes_what_debezium_publishes(sql_type, text, kind, logical, value) -> None:
    field = field_for(sql_type, ENUMS, DOMAINS)
    assert field["type"] == kind and field.get("name") == logical
    assert value_for(text, field) == value
    assert value_for(None, field) is None


def test_decimals_are_base64_with_the_declared_scale() -> None:
    field = field_for("numeric(5,2)", ENUMS, DOMAINS)
    assert field["parameters"] == {"scale": "2", "connect.decimal.precision": "5"}
    assert decode_decimal_bytes(value_for("20.99", field), 2) == Decimal("20.99")  # type: ignore[arg-type]
    assert decode_decimal_bytes(value_for("-0.5", field), 2) == Decimal("-0.50")  # type: ignore[arg-type]
    free = field_for("numeric", ENUMS, DOMAINS)
    assert free["name"] == "io.debezium.data.VariableScaleDecimal"
    assert decode_variable_scale(value_for("10.125", free)) == Decimal("10.125")


def test_enum_labels_keep_their_quotes_and_arrays_their_elements() -> None:
    assert ENUMS == {"mood": ["calm", "it's odd"]}
    assert array_items('{"Deleted Scenes",Trailers,NULL,"say \\"hi\\""}') == [
        "Deleted Scenes",
        "Trailers",
        None,
        'say "hi"',
    ]
    field = field_for("text[]", ENUMS, DOMAINS)
    assert field["type"] == "array" and field["items"]["type"] == "string"
    assert value_for("{}", field) == []


@pytest.mark.parametrize(("sql_type", "text"), [("integer", "12a"), ("date", "1948-13-40"), ("boolean", "yes")])
def test_a_value_that_is_not_its_type_is_refused_without_the_value(sql_type, text) -> None:
    with pytest.raises(ValueTypeError) as info:
        value_for(text, field_for(sql_type, ENUMS, DOMAINS))
    assert text not in str(info.value)


def test_typed_tables_publish_through_the_real_processor(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CDR_HASH_KEY", HASH_KEY)
    types = ["integer", "date", "timestamp with time zone", "numeric(5,2)", "public.mood", "text[]", "boolean"]
    fields = [field_for(t, ENUMS, DOMAINS) for t in types]
    texts = [["1", "1990-01-01", "2022-01-01 10:00:00+00", "1.25", "calm", "{a,b}", "t"]] * 30
    rows = [[value_for(v, f) for v, f in zip(row, fields, strict=True)] for row in texts]
    cols = [Column(f"c{i}", "none") for i in range(len(types))]
    write(Source("typed", {"origin": "unit test"}, [Table("typed", cols, rows, fields)]), tmp_path)
    built = read(tmp_path, "typed")
    assert built is not None
    table = built.tables[0]
    decls = DeclarationSet(MappingProxyType({t.topic: declaration(t) for t in built.tables}))
    proc = build_processor(Config(detection=DetectionConfig(ner=False)), decls)
    lines = table.path.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    published = first["value"]["schema"]["fields"][1]["fields"]
    assert [f.get("name") for f in published[2:4]] == ["io.debezium.time.Date", "io.debezium.time.ZonedTimestamp"]
    for offset, line in enumerate(lines):
        doc = json.loads(line)
        rec = SourceRecord(table.topic, 0, offset, orjson.dumps(doc["key"]), orjson.dumps(doc["value"]))
        assert isinstance(proc.process(rec), Published), "a typed corpus record was not published"
