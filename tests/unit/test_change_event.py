"""The JSON format's decoder and encoder: a JsonConverter record becomes a typed,
immutable ChangeEvent, and an event is written back byte for byte. Real Debezium
examples from ../shared/debezium-events (read from there, never copied)."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from pipeline.core.change import ENVELOPE_KEYS, NOT_TABLE_DATA, ChangeEvent, FieldTypes, Kind
from pipeline.core.events import SourceRecord
from pipeline.errors import DecodeError
from pipeline.formats.json.codec import JsonCodec
from tests.support import SHARED_EVENTS
from tests.unit.test_golden_examples import EXAMPLES, _enc, example_records, topic_of

CODEC = JsonCodec()
NO_COLUMNS: frozenset[str] = frozenset()


def record(key: Any, value: Any, headers: tuple = (), topic: str = "dbserver1.inventory.customers") -> SourceRecord:
    return SourceRecord(topic, 3, 42, _enc(key), _enc(value), headers, 1_700_000_000_000)


def example(name: str) -> Any:
    return json.loads((SHARED_EVENTS / name).read_text(encoding="utf-8"))


def field_type(types: FieldTypes, *path: str) -> dict[str, Any]:
    node: dict[str, Any] = types.schema
    for name in path:
        node = next(f for f in node["fields"] if f.get("field") == name)
    return node


def test_an_envelope_decodes_into_typed_fields_with_its_coordinates() -> None:
    event = CODEC.decode(record(None, example("pg_create_full_schema.json")), "auto", NO_COLUMNS)
    assert (event.kind, event.op, event.before) == (Kind.CHANGE, "c", None)
    assert event.after is not None and set(event.after) == {"id", "first_name", "last_name", "email"}
    assert isinstance(event.source, dict) and event.source["connector"] == "postgresql"
    assert event.ts_ms is not None and event.envelope[:3] == ("before", "after", "source")
    assert event.value_types is not None and event.value_types.row is False
    assert field_type(event.value_types, "after", "first_name")["type"] == "string"
    assert (event.topic, event.partition, event.offset, event.timestamp_ms) == (
        "dbserver1.inventory.customers",
        3,
        42,
        1_700_000_000_000,
    )
    assert event.coordinates == "dbserver1.inventory.customers/3/42"


def test_field_types_carry_the_logical_type_names() -> None:
    data = example("decimal_field.json")
    event = next(
        CODEC.decode(record(k, v, h), "auto", NO_COLUMNS)
        for _, k, v, h in example_records("decimal_field.json", data)
        if isinstance(v, dict) and isinstance(v.get("schema"), dict)
    )
    assert event.value_types is not None
    names = json.dumps(event.value_types.schema)
    assert "org.apache.kafka.connect.data.Decimal" in names


def test_a_primary_key_change_header_is_decoded_as_a_key() -> None:
    key = {"id": 1004}
    headers = (("__debezium.newkey", _enc(key)), ("traceparent", b"00-abc"))
    event = CODEC.decode(record(key, example("pg_create_full_schema.json"), headers), "auto", NO_COLUMNS)
    newkey, trace = event.headers
    assert newkey.key is not None and newkey.key.values == key and newkey.key.types is None
    assert trace.key is None and trace.raw == b"00-abc"
    assert event.key is not None and event.key.values == key


def test_a_key_that_is_not_a_struct_is_refused() -> None:
    with pytest.raises(DecodeError) as info:
        CODEC.decode(record([1, 2], example("pg_create_full_schema.json")), "auto", NO_COLUMNS)
    assert info.value.reason == "key_not_struct"


def _utf8(doc: Any) -> bytes | None:
    """As JsonConverter writes a document: compact UTF-8 (no \\u escapes)."""
    if doc is None or isinstance(doc, str):
        return _enc(doc)
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


def _roundtrips() -> list[tuple[str, SourceRecord]]:
    out = []
    for name in EXAMPLES:
        data = json.loads((SHARED_EVENTS / name).read_text(encoding="utf-8"))
        for label, key, value, headers in example_records(name, data):
            out.append((label, SourceRecord("golden.t", 0, 7, _utf8(key), _utf8(value), headers, None)))
    return out


ROUNDTRIPS = _roundtrips()


def test_decoding_then_encoding_gives_the_record_back_byte_for_byte() -> None:
    """Every record of the examples the decoder reads, written back unchanged: the
    event holds everything the encoder needs (field order, timestamps, schemas, the
    compact fast path) except the top-level keys outside the envelope, which are dropped."""
    checked, differ = 0, []
    for label, rec in ROUNDTRIPS:
        try:
            event = CODEC.decode(rec, "auto", NO_COLUMNS)
        except DecodeError:
            continue
        if event.kind in NOT_TABLE_DATA:
            continue
        value = json.loads(rec.value) if rec.value is not None else None
        payload = value.get("payload", value) if isinstance(value, dict) and "schema" in value else value
        if event.envelope and isinstance(payload, dict) and not set(payload) <= ENVELOPE_KEYS:
            continue  # an SMT's key is dropped, by design
        out = CODEC.encode(event)
        checked += 1
        if (out.key, out.value, out.headers) != (rec.key, rec.value, rec.headers):
            differ.append(label)
    assert checked >= 60 and differ == []


def test_the_event_is_immutable() -> None:
    event = CODEC.decode(record(None, example("pg_create_full_schema.json")), "auto", NO_COLUMNS)
    with pytest.raises(AttributeError):
        event.op = "d"  # type: ignore[misc]
    assert event.after is not None
    with pytest.raises(TypeError):
        event[0] = None  # type: ignore[index]
    values = [getattr(event, name) for name in ChangeEvent._fields]
    assert type(event) is ChangeEvent and ChangeEvent(*values) == event


def test_a_treated_event_is_encoded_with_its_rewritten_types() -> None:
    event = CODEC.decode(record(None, example("pg_create_full_schema.json")), "auto", NO_COLUMNS)
    assert event.value_types is not None and event.after is not None
    schema = {**event.value_types.schema, "name": "cdr.Envelope"}
    treated = event._replace(
        after={**event.after, "email": None},
        value_types=FieldTypes(schema, json.dumps(schema, separators=(",", ":")).encode(), False),
    )
    written = json.loads(CODEC.encode(treated).value or b"null")
    assert written["schema"]["name"] == "cdr.Envelope"
    assert written["payload"]["after"]["email"] is None
    assert list(written["payload"]) == list(event.envelope)


def _decoded(rec: SourceRecord) -> Any:
    try:
        return CODEC.decode(rec, "auto", NO_COLUMNS)
    except DecodeError as exc:
        return (exc.reason, exc.message)


def test_what_file_mode_parsed_of_a_line_decodes_as_its_bytes_do() -> None:
    """File mode hands the codec the key and value documents it parsed while reading a
    canonical line (``SourceRecord.read``): every record of every shared example, written
    as a file-mode line and read twice (the second time its schemas are known), decodes
    into the same event, or the same refusal, as from its bytes alone."""
    from pipeline.runtime.filemode import parse_line

    handed = 0
    for name in EXAMPLES:
        for _label, key, value, _headers in example_records(name, example(name)):
            line = orjson.dumps({"topic": topic_of(name), "partition": 0, "offset": 1, "key": key, "value": value})
            for _ in range(2):
                rec = parse_line(line, 1)
                handed += rec.read is not None
                assert _decoded(rec) == _decoded(rec._replace(read=None)), f"{name}: decoded otherwise"
    assert handed >= 20, "no record was handed over parsed: the test would prove nothing"


def test_a_record_made_with_other_bytes_is_decoded_from_those() -> None:
    """``cdr scan`` decodes a record with its key taken off (``_replace``): what the line's
    read parsed of the old key must not come back."""
    from pipeline.runtime.filemode import parse_line

    value = example("pg_create_full_schema.json")
    key = {
        "schema": {
            "type": "struct",
            "name": "k.Key",
            "optional": False,
            "fields": [{"type": "int32", "optional": False, "field": "id"}]
            + [{"type": "string", "optional": True, "field": f"padding_{i}"} for i in range(3)],
        },
        "payload": {"id": 7},
    }
    line = orjson.dumps({"topic": "dbserver1.inventory.customers", "key": key, "value": value})
    parse_line(line, 1)
    rec = parse_line(line, 1)
    assert rec.read is not None and rec.read[0] is not None, "the key was not handed over"
    assert CODEC.decode(rec, "auto", NO_COLUMNS).key is not None
    assert CODEC.decode(rec._replace(key=None), "auto", NO_COLUMNS).key is None
