"""The Avro codec at the ChangeEvent boundary: a Confluent-framed Debezium record decodes
straight into a typed ChangeEvent (Connect field types with their logical type names,
values in the Connect forms the core reads), and a treated event is written straight
back to Avro; a pass-through declaration gives back the same Avro bytes. The registry is
the in-memory one (tests/avro_support.py): these tests are about the codec's logic."""

from __future__ import annotations

import base64
import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

import fastavro
import pytest

from pipeline.core.change import Kind
from pipeline.core.events import Published, SourceRecord
from pipeline.core.processor import Processor
from pipeline.errors import DecodeError
from pipeline.formats.avro import connect
from pipeline.formats.avro.codec import AvroCodec
from pipeline.formats.avro.lines import Base64Lines
from pipeline.formats.avro.registry import RegistryUnavailable
from pipeline.vocabulary import DeadLetterReason
from tests.avro_support import MemoryRegistry, avro_bytes, read_avro
from tests.support import digest, make_processor

TOPIC = "srv.inventory.orders"
CDR_TOPIC = "cdr.orders.v1"
ROW = {
    "type": "record",
    "name": "Value",
    "namespace": "srv.inventory.orders",
    "connect.name": "srv.inventory.orders.Value",
    "fields": [
        {"name": "id", "type": "int"},
        {
            "name": "total",
            "type": {
                "type": "bytes",
                "logicalType": "decimal",
                "precision": 10,
                "scale": 2,
                "connect.name": "org.apache.kafka.connect.data.Decimal",
                "connect.version": 1,
                "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"},
            },
        },
        {
            "name": "placed",
            "type": [
                "null",
                {"type": "int", "logicalType": "date", "connect.name": "org.apache.kafka.connect.data.Date"},
            ],
            "default": None,
        },
        {
            "name": "updated",
            "type": {"type": "long", "connect.name": "io.debezium.time.MicroTimestamp", "connect.version": 1},
        },
        {"name": "code", "type": ["null", "string"], "default": None},
    ],
}
SOURCE = {
    "type": "record",
    "name": "Source",
    "namespace": "io.debezium.connector.postgresql",
    "fields": [{"name": "connector", "type": "string"}, {"name": "ts_ms", "type": "long"}],
}
ENVELOPE = {
    "type": "record",
    "name": "Envelope",
    "namespace": "srv.inventory.orders",
    "connect.name": "srv.inventory.orders.Envelope",
    "fields": [
        {"name": "before", "type": ["null", ROW], "default": None},
        {"name": "after", "type": ["null", "srv.inventory.orders.Value"], "default": None},
        {"name": "source", "type": SOURCE},
        {"name": "op", "type": "string"},
        {"name": "ts_ms", "type": ["null", "long"], "default": None},
    ],
}
KEY = {
    "type": "record",
    "name": "Key",
    "namespace": "srv.inventory.orders",
    "connect.name": "srv.inventory.orders.Key",
    "fields": [{"name": "id", "type": "int"}, {"name": "code", "type": "string"}],
}
AFTER = {
    "id": 7,
    "total": Decimal("-1234.50"),
    "placed": __import__("datetime").date(2024, 2, 29),
    "updated": 1_709_164_800_123_456,
    "code": "PX-19",
}
DATUM = {"before": None, "after": AFTER, "source": {"connector": "postgresql", "ts_ms": 1709164800123}, "op": "c"}


def declaration(code: str) -> str:
    return f"""\
        table: inventory.orders
        source_topic: {TOPIC}
        cdr_topic: {CDR_TOPIC}
        owner: test
        undeclared: block
        columns:
          id:      {{pii: none}}
          total:   {{pii: none}}
          placed:  {{pii: none}}
          updated: {{pii: none}}
          code:    {code}
    """


def processor(tmp_path: Path, registry: MemoryRegistry, code: str = "{pii: none}") -> Processor:
    plain = make_processor(tmp_path / "schemas", {"orders.yaml": declaration(code)})
    return Processor(plain.declarations, dataclasses.replace(plain.settings, codec=AvroCodec(registry)))  # type: ignore[arg-type]


def source(registry: MemoryRegistry, headers: tuple[tuple[str, bytes | None], ...] = ()) -> SourceRecord:
    key = avro_bytes(registry, KEY, {"id": 7, "code": "PX-19"})
    return SourceRecord(TOPIC, 2, 17, key, avro_bytes(registry, ENVELOPE, DATUM), headers, 1_709_164_800_500)


def canonical(schema: Any) -> str:
    return fastavro.schema.to_parsing_canonical_form(fastavro.parse_schema(schema))


def field(schema: dict[str, Any], *path: str) -> dict[str, Any]:
    for name in path:
        schema = next(f for f in schema["fields"] if f["field"] == name)
    return schema


def test_avro_record_decodes_into_a_typed_change_event() -> None:
    registry = MemoryRegistry()
    event = AvroCodec(registry).decode(source(registry), "auto", frozenset())  # type: ignore[arg-type]
    assert (event.kind, event.op, event.before) == (Kind.CHANGE, "c", None)
    assert (event.topic, event.partition, event.offset, event.timestamp_ms) == (TOPIC, 2, 17, 1_709_164_800_500)
    assert event.envelope == ("before", "after", "source", "op", "ts_ms") and event.ts_ms is None
    assert event.source == {"connector": "postgresql", "ts_ms": 1709164800123}
    # Values in the Connect forms the core reads: unscaled decimal bytes in base64,
    # epoch days, epoch microseconds; never Python dates or Decimals.
    assert event.after == {
        "id": 7,
        "total": base64.b64encode((-123450).to_bytes(3, "big", signed=True)).decode(),
        "placed": 19782,
        "updated": 1_709_164_800_123_456,
        "code": "PX-19",
    }
    types = event.value_types
    assert types is not None and types.row is False and types.schema["name"] == "srv.inventory.orders.Envelope"
    total = field(types.schema, "after", "total")
    assert (total["type"], total["name"], total["parameters"]["scale"]) == (
        "bytes",
        "org.apache.kafka.connect.data.Decimal",
        "2",
    )
    assert (field(types.schema, "after", "placed")["name"], field(types.schema, "after", "placed")["optional"]) == (
        "org.apache.kafka.connect.data.Date",
        True,
    )
    assert field(types.schema, "after", "updated")["name"] == "io.debezium.time.MicroTimestamp"
    assert field(types.schema, "after", "id")["type"] == "int32"
    assert event.key is not None and event.key.values == {"id": 7, "code": "PX-19"}
    assert event.key.types is not None and event.key.types.row is True
    assert [f["field"] for f in event.key.types.schema["fields"]] == ["id", "code"]


def test_avro_decode_then_encode_gives_back_the_same_bytes() -> None:
    registry = MemoryRegistry()
    codec = AvroCodec(registry)  # type: ignore[arg-type]
    rec = source(registry)
    out = codec.bound(CDR_TOPIC).encode(codec.decode(rec, "auto", frozenset()))
    assert out.key is not None and out.value is not None and rec.key is not None and rec.value is not None
    assert (out.key[5:], out.value[5:]) == (rec.key[5:], rec.value[5:])
    # The schema written is the source's, as Avro reads it (Connect properties aside).
    for wrote, came in ((out.key, rec.key), (out.value, rec.value)):
        assert canonical(read_avro(registry, wrote)[0]) == canonical(read_avro(registry, came)[0])
    assert set(registry.subjects) == {f"{CDR_TOPIC}-key", f"{CDR_TOPIC}-value"}


def test_avro_pass_through_declaration_publishes_the_same_avro_values(tmp_path: Path) -> None:
    registry = MemoryRegistry()
    rec = source(registry)
    out = processor(tmp_path, registry).process(rec)
    assert isinstance(out, Published), getattr(out, "message", "")
    (cdr,) = out.records
    assert cdr.topic == CDR_TOPIC
    assert cdr.key is not None and cdr.value is not None and rec.key is not None and rec.value is not None
    # The CDR schema carries the cdr.* field properties (a new schema id); the Avro
    # encoding of the values is the source's, byte for byte.
    assert (cdr.key[5:], cdr.value[5:]) == (rec.key[5:], rec.value[5:])
    _, value = read_avro(registry, cdr.value)
    assert value["after"]["total"] == AFTER["total"] and value["after"]["placed"] == AFTER["placed"]


def test_avro_key_headers_are_treated_and_written_in_avro(tmp_path: Path) -> None:
    """A PK change's __debezium.oldkey header holds a key: it is treated as the key is
    and goes out in Avro under the CDR key subject; other headers are dropped or kept
    as configured."""
    registry = MemoryRegistry()
    old = avro_bytes(registry, KEY, {"id": 6, "code": "PX-18"})
    rec = source(registry, headers=(("__debezium.oldkey", old), ("traceparent", b"00-abc")))
    out = processor(tmp_path, registry, code="{pii: US_PASSPORT, treatment: hash}").process(rec)
    assert isinstance(out, Published), getattr(out, "message", "")
    (cdr,) = out.records
    headers = dict(cdr.headers)
    assert "traceparent" not in headers
    schema, oldkey = read_avro(registry, headers["__debezium.oldkey"])  # type: ignore[arg-type]
    assert oldkey == {"id": 6, "code": digest("PX-18")}
    assert b"PX-18" not in headers["__debezium.oldkey"]  # type: ignore[operator]
    assert headers["__debezium.oldkey"][:5] == cdr.key[:5]  # type: ignore[index]  # the CDR key schema
    assert read_avro(registry, cdr.key)[1] == {"id": 7, "code": digest("PX-19")}  # type: ignore[arg-type]
    assert next(f for f in schema["fields"] if f["name"] == "code")["cdr.treatment"] == "hash"


def test_avro_file_mode_writes_avro_key_headers_as_base64(tmp_path: Path) -> None:
    registry = MemoryRegistry()
    rec = source(registry, headers=(("__debezium.newkey", avro_bytes(registry, KEY, {"id": 8, "code": "PX-20"})),))
    plain = make_processor(tmp_path / "schemas", {"orders.yaml": declaration("{pii: US_PASSPORT, treatment: hash}")})
    lines = Base64Lines(AvroCodec(registry), frozenset({"__debezium.newkey"}))  # type: ignore[arg-type]
    proc = Processor(plain.declarations, dataclasses.replace(plain.settings, codec=lines))

    def line(raw: bytes | None) -> bytes | None:
        return None if raw is None else b'"' + base64.b64encode(raw) + b'"'

    as_line = SourceRecord(
        rec.topic,
        0,
        0,
        line(rec.key),
        line(rec.value),
        tuple((n, base64.b64encode(r)) for n, r in rec.headers if r is not None),
        None,
    )
    out = proc.process(as_line)
    assert isinstance(out, Published) and out.source is as_line, getattr(out, "message", "")
    newkey = dict(out.records[0].headers)["__debezium.newkey"]
    assert newkey is not None and newkey[:1] == b'"'
    assert read_avro(registry, base64.b64decode(newkey[1:-1]))[1] == {"id": 8, "code": digest("PX-20")}


def test_avro_registry_down_stops_the_batch(tmp_path: Path) -> None:
    """A registry that does not answer is not the record's fault: no dead letter, the
    error leaves the batch (the service stops without committing)."""

    class Down(MemoryRegistry):
        def schema(self, schema_id: int) -> dict[str, Any]:
            raise RegistryUnavailable("schema registry did not answer")

    registry = Down()
    rec = source(registry)
    with pytest.raises(RegistryUnavailable):
        processor(tmp_path, registry).process_batch([rec, rec])


def _wide_record(columns: int) -> dict[str, Any]:
    fields = [{"name": f"c{i}", "type": ["null", "string"], "default": None} for i in range(columns)]
    return {"type": "record", "name": "Value", "namespace": "srv.wide", "fields": fields}


def test_avro_schema_of_more_fields_than_any_table_has_is_refused_once_and_remembered() -> None:
    # A null field takes one byte in Avro: without a bound on fields, a record of a few
    # kilobytes makes tens of thousands of columns checked on every record.
    registry = MemoryRegistry()
    codec = AvroCodec(registry)
    wide = _wide_record(connect.MAX_FIELDS + 1)
    raw = avro_bytes(registry, wide, {})
    assert len(raw) < 2 * connect.MAX_FIELDS
    fetched = []
    original = registry.schema
    registry.schema = lambda schema_id: fetched.append(schema_id) or original(schema_id)  # type: ignore[method-assign]
    for _ in range(3):
        with pytest.raises(DecodeError) as caught:
            codec.document(raw, "value")
        assert caught.value.reason is DeadLetterReason.UNSUPPORTED_SCHEMA
    assert len(fetched) == 1
    assert codec.document(avro_bytes(registry, _wide_record(connect.MAX_FIELDS), {}), "value").payload is not None


def test_avro_field_count_counts_nested_records_and_passes_the_limit() -> None:
    inner = _wide_record(10)
    outer = {"type": "record", "name": "Outer", "fields": [{"name": "a", "type": {"type": "array", "items": inner}}]}
    assert connect.field_count(outer) == 11
    assert connect.field_count(_wide_record(100_000), limit=50) > 50
