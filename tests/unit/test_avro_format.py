"""format: avro without a broker: Debezium logical types decoded to what JsonConverter
writes, the CDR schema derived from the core's output schema, dead-letter reasons, the
registry client's bounded retry, the config. The registry here is an in-memory one
(tests/avro_support.py): these tests are about the format's logic; the integration tier
runs the real registry and Kafka."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import fastavro
import orjson
import pytest

from pipeline.config import load_config
from pipeline.core.events import DeadLetter, Published, Skipped, SourceRecord
from pipeline.core.processor import PII_HEADER, Processor
from pipeline.errors import InvalidFilesError
from pipeline.formats.avro import connect
from pipeline.formats.avro.codec import AvroCodec, frame
from pipeline.formats.avro.registry import RegistryClient, RegistryUnavailable, SchemaRejected
from tests.avro_support import MemoryRegistry, avro_bytes, read_as_json, read_avro
from tests.support import SHARED_EVENTS, make_processor
from tests.unit.test_golden_examples import DECLARATION, EXAMPLES, _enc, example_records, topic_of

ENUM = {"type": "string", "connect.name": "io.debezium.data.Enum", "connect.parameters": {"allowed": "a,b"}}
GEOMETRY = {
    "type": "record",
    "name": "Geometry",
    "namespace": "io.debezium.data.geometry",
    "fields": [{"name": "wkb", "type": "bytes"}, {"name": "srid", "type": ["null", "int"], "default": None}],
    "connect.name": "io.debezium.data.geometry.Geometry",
}
VSD = {
    "type": "record",
    "name": "VariableScaleDecimal",
    "namespace": "io.debezium.data",
    "fields": [{"name": "scale", "type": "int"}, {"name": "value", "type": "bytes"}],
    "connect.name": "io.debezium.data.VariableScaleDecimal",
}


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# (avro field type, value as a Java converter writes it, expected Connect schema bits, expected JSON payload value)
LOGICAL_CASES: list[tuple[str, Any, Any, dict[str, Any], Any]] = [
    (
        "decimal",
        {
            "type": "bytes",
            "logicalType": "decimal",
            "precision": 10,
            "scale": 2,
            "connect.name": "org.apache.kafka.connect.data.Decimal",
            "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"},
        },
        Decimal("-1234.50"),
        {"type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "parameters": {"scale": "2"}},
        b64((-123450).to_bytes(3, "big", signed=True)),
    ),
    (
        "variable_scale_decimal",
        VSD,
        {"scale": 3, "value": (12345).to_bytes(2, "big", signed=True)},
        {"type": "struct", "name": "io.debezium.data.VariableScaleDecimal"},
        {"scale": 3, "value": b64((12345).to_bytes(2, "big", signed=True))},
    ),
    (
        "micro_timestamp",
        {"type": "long", "connect.name": "io.debezium.time.MicroTimestamp", "connect.version": 1},
        1478267490123456,
        {"type": "int64", "name": "io.debezium.time.MicroTimestamp", "version": 1},
        1478267490123456,
    ),
    (
        "connect_date",
        {"type": "int", "logicalType": "date", "connect.name": "org.apache.kafka.connect.data.Date"},
        __import__("datetime").date(2016, 11, 4),
        {"type": "int32", "name": "org.apache.kafka.connect.data.Date"},
        17109,
    ),
    (
        "zoned_timestamp",
        {"type": "string", "connect.name": "io.debezium.time.ZonedTimestamp"},
        "2016-11-04T11:51:30.123456Z",
        {"type": "string", "name": "io.debezium.time.ZonedTimestamp"},
        "2016-11-04T11:51:30.123456Z",
    ),
    (
        "json",
        {"type": "string", "connect.name": "io.debezium.data.Json"},
        '{"k": [1, 2]}',
        {"type": "string", "name": "io.debezium.data.Json"},
        '{"k": [1, 2]}',
    ),
    (
        "uuid",
        {"type": "string", "connect.name": "io.debezium.data.Uuid"},
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        {"type": "string", "name": "io.debezium.data.Uuid"},
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    ),
    ("enum_as_string", ENUM, "b", {"type": "string", "name": "io.debezium.data.Enum"}, "b"),
    (
        "enum_as_avro_enum",
        {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN"], "connect.name": "io.debezium.data.Enum"},
        "GREEN",
        {"type": "string", "name": "io.debezium.data.Enum"},
        "GREEN",
    ),
    (
        "geometry",
        GEOMETRY,
        {"wkb": b"\x01\x01\x00\x00\x00", "srid": 4326},
        {"type": "struct", "name": "io.debezium.data.geometry.Geometry"},
        {"wkb": b64(b"\x01\x01\x00\x00\x00"), "srid": 4326},
    ),
    (
        "int16",
        {"type": "int", "connect.type": "int16"},
        -7,
        {"type": "int16"},
        -7,
    ),
    (
        "nullable_null_second",
        [{"type": "string", "connect.default": "false"}, "null"],
        None,
        {"type": "string", "optional": True},
        None,
    ),
    ("bytes", "bytes", b"\x00\xff", {"type": "bytes"}, b64(b"\x00\xff")),
    (
        "array_of_decimals",
        {"type": "array", "items": {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 1}},
        [Decimal("1.5"), Decimal("-2.0")],
        {"type": "array"},
        [b64((15).to_bytes(1, "big", signed=True)), b64((-20).to_bytes(1, "big", signed=True))],
    ),
    (
        "map",
        {"type": "map", "values": ["null", "string"]},
        {"a": "x", "b": None},
        {"type": "map"},
        {"a": "x", "b": None},
    ),
]


def row_schema(field_type: Any) -> dict[str, Any]:
    return {
        "type": "record",
        "name": "Value",
        "namespace": "srv.inventory.things",
        "fields": [{"name": "id", "type": "int"}, {"name": "v", "type": field_type}],
        "connect.name": "srv.inventory.things.Value",
    }


@pytest.mark.parametrize(("case", "avro_type", "value", "connect_bits", "payload"), LOGICAL_CASES)
def test_avro_logical_types_decode_as_json_converter_writes_them(
    case: str, avro_type: Any, value: Any, connect_bits: dict[str, Any], payload: Any
) -> None:
    registry = MemoryRegistry()
    raw = avro_bytes(registry, row_schema(avro_type), {"id": 1, "v": value})
    got = AvroCodec(registry).document(raw, "value")  # type: ignore[arg-type]
    doc = {"schema": got.schema, "payload": got.payload}
    assert doc["schema"]["name"] == "srv.inventory.things.Value"
    field = doc["schema"]["fields"][1]
    assert field["field"] == "v"
    for key, expected in connect_bits.items():
        if isinstance(expected, dict):
            assert {k: field[key].get(k) for k in expected} == expected, case
        else:
            assert field.get(key) == expected, case
    assert doc["payload"] == {"id": 1, "v": payload}, case


def test_avro_tombstone_and_key() -> None:
    registry = MemoryRegistry()
    codec = AvroCodec(registry)  # type: ignore[arg-type]
    key_schema = {"type": "record", "name": "Key", "namespace": "srv.a.b", "fields": [{"name": "id", "type": "long"}]}
    got = codec.document(avro_bytes(registry, key_schema, {"id": 2**62}), "key")
    assert {"schema": got.schema, "payload": got.payload} == {
        "schema": {
            "type": "struct",
            "fields": [{"type": "int64", "optional": False, "field": "id"}],
            "optional": False,
            "name": "srv.a.b.Key",
        },
        "payload": {"id": 2**62},
    }


# -- dead letters ------------------------------------------------------------------------


@pytest.fixture
def things(tmp_path: Path) -> Processor:
    decl = """\
        table: inventory.things
        source_topic: srv.inventory.things
        cdr_topic: cdr.things.v1
        owner: test
        undeclared: mask
        columns:
          id:     {pii: none}
          email:  {pii: EMAIL_ADDRESS, treatment: hash}
          ssn:    {pii: US_SSN, treatment: drop}
          phone:  {pii: PHONE_NUMBER, treatment: "null"}
          status: {pii: none}
    """
    return make_processor(tmp_path / "schemas", {"things.yaml": decl})


THINGS = {
    "type": "record",
    "name": "Value",
    "namespace": "srv.inventory.things",
    "connect.name": "srv.inventory.things.Value",
    "fields": [
        {"name": "id", "type": "int"},
        {"name": "email", "type": {"type": "string", "connect.default": "x@example.com"}, "default": "x@example.com"},
        {"name": "ssn", "type": ["null", "string"], "default": None},
        {"name": "phone", "type": "string"},
        {"name": "status", "type": "string", "default": "active"},
    ],
}
ROW = {"id": 7, "email": "alice@example.org", "ssn": "078-05-1120", "phone": "+44 20 7946 0958", "status": "new"}


def with_format(processor: Processor, codec: Any) -> Processor:
    """The same declarations and settings, read and written through ``codec``."""
    return Processor(processor.declarations, dataclasses.replace(processor.settings, codec=codec))


def src(value: bytes | None, key: bytes | None = None, offset: int = 0) -> SourceRecord:
    return SourceRecord("srv.inventory.things", 0, offset, key, value, (), 1_700_000_000_000)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"id": 1}', "not_avro"),
        (b"\x00\x00\x00", "not_avro"),
        (frame(999, b"\x02"), "unknown_schema_id"),
        (frame(1, b"\x0e"), "malformed_avro"),  # id 7, then the string runs out
        (frame(1, b"\x0e\x02a\x02b\x02c\x02d" + b"\x00"), "malformed_avro"),  # a byte after the value
    ],
)
def test_avro_undecodable_records_are_dead_lettered_with_reason(things: Processor, raw: bytes, reason: str) -> None:
    registry = MemoryRegistry()
    registry.add(THINGS)
    out = with_format(things, AvroCodec(registry)).process(src(raw))
    assert isinstance(out, DeadLetter)
    assert (out.stage, out.reason) == ("decode", reason)
    assert out.source.value == raw  # the raw record, for replay


def test_avro_cdr_schema_derived_from_source_schema_and_declaration(things: Processor) -> None:
    registry = MemoryRegistry()
    fmt = AvroCodec(registry, compatibility="FULL")
    out = with_format(things, fmt).process(src(avro_bytes(registry, THINGS, ROW)))
    assert isinstance(out, Published), getattr(out, "message", "")
    (rec,) = out.records
    schema, value = read_avro(registry, rec.value)  # type: ignore[arg-type]
    assert registry.subjects["cdr.things.v1-value"] and registry.modes["cdr.things.v1-value"] == "FULL"
    fields = {f["name"]: f for f in schema["fields"]}
    assert list(fields) == ["id", "email", "phone", "status"]  # ssn dropped
    assert fields["email"]["cdr.pii"] == "EMAIL_ADDRESS" and fields["email"]["cdr.treatment"] == "hash"
    # a protected field's default is the source default as the treatment writes it: the
    # value a record holding the default carries, never the source default itself
    at_default = with_format(things, fmt).process(src(avro_bytes(registry, THINGS, {**ROW, "email": "x@example.com"})))
    assert isinstance(at_default, Published)
    _, treated = read_avro(registry, at_default.records[0].value)  # type: ignore[arg-type]
    assert fields["email"]["default"] == treated["email"] != "x@example.com"
    assert fields["phone"]["type"][0] == "null" and fields["phone"]["cdr.treatment"] == "null"
    assert fields["status"]["default"] == "active" and "cdr.pii" not in fields["status"]
    assert value["id"] == 7 and value["phone"] is None and value["status"] == "new"
    assert value["email"] != ROW["email"] and "ssn" not in value
    assert json.loads(dict(rec.headers)[PII_HEADER])  # the header stays JSON


def test_avro_new_source_schema_gives_new_cdr_version(things: Processor) -> None:
    registry = MemoryRegistry()
    proc = with_format(things, AvroCodec(registry))
    first = proc.process(src(avro_bytes(registry, THINGS, ROW)))
    grown = {**THINGS, "fields": [*THINGS["fields"], {"name": "note", "type": ["null", "string"], "default": None}]}
    second = proc.process(src(avro_bytes(registry, grown, {**ROW, "note": None}), offset=1))
    assert isinstance(first, Published) and isinstance(second, Published)
    assert len(registry.subjects["cdr.things.v1-value"]) == 2
    assert first.records[0].value[1:5] != second.records[0].value[1:5]  # type: ignore[index]


def test_avro_rejected_cdr_schema_dead_letters_and_publishes_nothing(things: Processor) -> None:
    registry = MemoryRegistry()
    registry.reject.add("cdr.things.v1-value")
    raw = avro_bytes(registry, THINGS, ROW)
    out = with_format(things, AvroCodec(registry)).process(src(raw))
    assert isinstance(out, DeadLetter)
    assert (out.stage, out.reason) == ("encode", "schema_incompatible")
    assert "cdr.things.v1-value" in out.message and out.source.value == raw


def test_avro_registry_down_stops_instead_of_dead_lettering(things: Processor) -> None:
    calls: list[str] = []

    def refused(req: Any, timeout: float) -> tuple[int, bytes]:
        calls.append(req.full_url)
        raise ConnectionRefusedError

    slept: list[float] = []
    client = RegistryClient(
        "http://user:secret@127.0.0.1:9/apis/ccompat/v7", retry_s=3, transport=refused, sleep=slept.append
    )
    proc = with_format(things, AvroCodec(client))  # type: ignore[arg-type]
    with pytest.raises(RegistryUnavailable) as err:
        proc.process(src(frame(5, b"\x02")))
    assert "secret" not in str(err.value) and "127.0.0.1:9" in str(err.value)
    assert 1 < len(calls) < 10 and sum(slept) <= 3  # retried, within its budget


def test_avro_registry_client_maps_answers() -> None:
    answers = {"/subjects/s-value/versions": (409, b'{"error_code": 409, "message": "incompatible"}')}

    def transport(req: Any, timeout: float) -> tuple[int, bytes]:
        path = req.full_url.split("/apis/ccompat/v7", 1)[1]
        return answers.get(path, (200, b"{}"))

    client = RegistryClient("http://127.0.0.1:1/apis/ccompat/v7", transport=transport)
    with pytest.raises(SchemaRejected) as err:
        client.register("s-value", "{}")
    assert err.value.status == 409


# -- the core's output, in Avro, equals its output in JSON ---------------------------------


def _golden_schema_records() -> list[tuple[str, str, Any, Any, tuple]]:
    out = []
    for name in EXAMPLES:
        data = json.loads((SHARED_EVENTS / name).read_text(encoding="utf-8"))
        for offset, (label, key, value, headers) in enumerate(example_records(name, data)):
            if isinstance(value, dict) and isinstance(value.get("schema"), dict) and "payload" in value:
                out.append((label, name, offset, key, value, headers))
    return out


def _to_avro(registry: MemoryRegistry, doc: dict[str, Any]) -> bytes | None:
    buf = io.BytesIO()
    try:
        schema = connect.avro_schema(doc["schema"])
        payload = connect.writer_for(doc["schema"])(doc["payload"])
        fastavro.schemaless_writer(
            buf, fastavro.parse_schema(connect.strip_logical_types(schema)), payload, strict=True
        )
    except (ValueError, TypeError, connect.SchemaUnsupported):
        return None  # a documentation rendering whose payload does not match its own schema
    return frame(registry.add(schema), buf.getvalue())


@pytest.fixture(scope="module")
def golden_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Processor, Processor, MemoryRegistry]:
    decls = {}
    for name in EXAMPLES:
        table = name.removesuffix(".json").replace("-", "_")
        decls[f"{table}.yaml"] = DECLARATION.format(table=table, topic=topic_of(name))
    with pytest.MonkeyPatch.context() as mp:
        from tests.support import HASH_KEY

        mp.setenv("CDR_HASH_KEY", HASH_KEY)
        plain = make_processor(tmp_path_factory.mktemp("json") / "schemas", decls)
        avro = make_processor(tmp_path_factory.mktemp("avro") / "schemas", decls)
    registry = MemoryRegistry()
    return plain, with_format(avro, AvroCodec(registry)), registry


GOLDEN_SCHEMA_RECORDS = _golden_schema_records()


@pytest.mark.parametrize(
    ("label", "name", "offset", "key", "value", "headers"),
    GOLDEN_SCHEMA_RECORDS,
    ids=[r[0] for r in GOLDEN_SCHEMA_RECORDS],
)
def test_avro_core_output_equals_json_output_on_shared_examples(
    golden_pair: tuple[Processor, Processor, MemoryRegistry],
    label: str,
    name: str,
    offset: int,
    key: Any,
    value: Any,
    headers: tuple,
) -> None:
    """Every shared example with a schema, written in Avro as a Debezium Avro converter
    would, gives the same treated payload, key and headers as its JSON form."""
    plain, avro, registry = golden_pair
    topic = topic_of(name)
    want = plain.process(SourceRecord(topic, 0, offset, _enc(key), _enc(value), headers, 1))
    avro_value = _to_avro(registry, value)
    keyed = isinstance(key, dict) and isinstance(key.get("schema"), dict)
    avro_key = _to_avro(registry, key) if keyed else None
    if avro_value is None or (keyed and avro_key is None) or not isinstance(want, Published):
        pytest.skip("no Avro form (payload off its own schema) or not published in JSON either")
    if key is not None and not keyed:
        pytest.skip("schemaless key: not an Avro record")
    got = avro.process(SourceRecord(topic, 0, offset, avro_key, avro_value, headers, 1))
    assert isinstance(got, Published), f"{label}: {getattr(got, 'reason', '')}"
    (w,), (g,) = want.records, got.records
    assert read_as_json(registry, g.value) == orjson.loads(w.value)["payload"]  # type: ignore[arg-type]
    if w.key is not None:
        assert read_as_json(registry, g.key) == orjson.loads(w.key)["payload"]  # type: ignore[arg-type]
    assert g.headers == w.headers and g.topic == w.topic
    assert got.report == want.report


def test_avro_equivalence_covers_the_examples() -> None:
    assert len(GOLDEN_SCHEMA_RECORDS) >= 10


# -- config ------------------------------------------------------------------------------


def test_avro_format_needs_a_registry_url(tmp_path: Path) -> None:
    path = tmp_path / "cdr.yaml"
    path.write_text("kafka: {bootstrap.servers: 127.0.0.1:9092}\nformat: avro\n")
    with pytest.raises(InvalidFilesError) as err:
        load_config(path, environ={})
    assert "cdr.yaml:2" in str(err.value) and "schema_registry.url" in str(err.value)


def test_avro_config_reads_registry_settings(tmp_path: Path) -> None:
    path = tmp_path / "cdr.yaml"
    path.write_text(
        "format: avro\nschema_registry:\n  url: http://127.0.0.1:8081/apis/ccompat/v7\n"
        "  compatibility: FULL\n  compatibility_by_topic: {cdr.a.v1: NONE}\n  retry_ms: 500\n"
    )
    config = load_config(path, environ={})
    assert config.format == "avro" and config.schema_registry is not None
    assert config.schema_registry.compatibility == "FULL"
    assert dict(config.schema_registry.compatibility_by_topic) == {"cdr.a.v1": "NONE"}
    assert config.schema_registry.retry_s == 0.5
    path.write_text("format: avro\nschema_registry:\n  url: http://x\n  compatibility: SIDEWAYS\n")
    with pytest.raises(InvalidFilesError, match=r"cdr.yaml:4"):
        load_config(path, environ={})


def test_avro_file_mode_lines_carry_base64(things: Processor) -> None:
    from pipeline.core.change import KEY_HEADERS
    from pipeline.formats.avro.lines import Base64Lines
    from pipeline.runtime.filemode import record_line

    registry = MemoryRegistry()
    proc = with_format(things, Base64Lines(AvroCodec(registry), frozenset(KEY_HEADERS)))  # type: ignore[arg-type]
    raw = avro_bytes(registry, THINGS, ROW)
    line_value = b'"' + base64.b64encode(raw) + b'"'  # what a file-mode line's "value" member holds
    out = proc.process(src(line_value))
    assert isinstance(out, Published) and out.source.value == line_value
    (rec,) = out.records
    written = json.loads(record_line(rec))
    _, value = read_avro(registry, base64.b64decode(written["value"]))
    assert value["id"] == 7 and value["email"] != ROW["email"] and "ssn" not in value
    bad = proc.process(src(b'{"id": 7}'))
    assert isinstance(bad, DeadLetter) and (bad.reason, bad.source.value) == ("not_base64", b'{"id": 7}')


def test_avro_array_of_zero_byte_items_is_refused_not_read(things: Processor) -> None:
    """Six bytes claiming a billion nulls: refused by its schema, never expanded."""
    registry = MemoryRegistry()
    schema = {
        **THINGS,
        "fields": [{"name": "id", "type": "int"}, {"name": "v", "type": {"type": "array", "items": "null"}}],
    }
    sid = registry.add(schema)
    claim = b"\x02" + b"\x80\xa8\xd6\xb9\x07" + b"\x00"  # id 1, a block of 1e9 items, end
    out = with_format(things, AvroCodec(registry)).process(src(frame(sid, claim)))
    assert isinstance(out, DeadLetter) and out.reason == "unsupported_schema"
    assert "no bytes" in out.message


def test_avro_size_limit_applies_to_the_avro_bytes(things: Processor) -> None:
    registry = MemoryRegistry()
    raw = avro_bytes(registry, THINGS, ROW)
    proc = with_format(things, AvroCodec(registry, max_record_bytes=len(raw) - 1))
    out = proc.process(src(raw))
    assert isinstance(out, DeadLetter) and (out.stage, out.reason) == ("decode", "record_too_large")
    proc = with_format(things, AvroCodec(registry, max_record_bytes=len(raw)))
    assert isinstance(proc.process(src(raw)), Published)


def test_avro_unexpected_error_is_a_dead_letter_not_a_crash(things: Processor) -> None:
    class Broken(MemoryRegistry):
        def schema(self, schema_id: int) -> dict[str, Any]:
            raise ZeroDivisionError  # a bug, not an answer

    out = with_format(things, AvroCodec(Broken())).process(src(frame(1, b"\x02")))
    assert isinstance(out, DeadLetter)
    assert (out.reason, out.error_class) == ("internal_error", "ZeroDivisionError")


def test_avro_undeclared_topic_is_skipped_before_decoding(things: Processor) -> None:
    class Unreachable(MemoryRegistry):
        def schema(self, schema_id: int) -> dict[str, Any]:
            raise AssertionError("an undeclared topic's record must not be decoded")

    proc = with_format(things, AvroCodec(Unreachable()))
    rec = SourceRecord("srv.inventory.other", 0, 0, None, frame(3, b"\x02"), (), None)
    out = proc.process(rec)
    assert isinstance(out, Skipped) and out.reason == "undeclared_topic"


def test_avro_rejected_schema_is_asked_again_only_every_so_often(things: Processor) -> None:
    from pipeline.formats.avro.codec import RECHECK_REJECTED

    registry = MemoryRegistry()
    registry.reject.add("cdr.things.v1-value")
    proc = with_format(things, AvroCodec(registry))
    raw = avro_bytes(registry, THINGS, ROW)
    for offset in range(RECHECK_REJECTED + 1):
        out = proc.process(src(raw, offset=offset))
        assert isinstance(out, DeadLetter) and out.reason == "schema_incompatible"
    assert registry.registrations == 2  # the first record, then the recheck
    registry.reject.clear()  # the subject's mode was fixed: the next recheck publishes
    outcomes = [proc.process(src(raw, offset=200 + i)) for i in range(RECHECK_REJECTED)]
    assert isinstance(outcomes[-1], Published) and isinstance(outcomes[0], DeadLetter)


def _wide_record(tag: int, fields: int) -> dict[str, Any]:
    cols = [{"name": f"f{i}_{tag}", "type": ["null", "string"], "default": None} for i in range(fields)]
    return {"type": "record", "name": f"Wide{tag}", "namespace": "t", "fields": cols}


def test_the_avro_readers_are_bounded_by_bytes_and_keep_the_hot_schema() -> None:
    """Registered schemas are as large as whoever registered them made them: 80 schemas
    of 1,000 fields kept 72 MB of readers under a bound of 256 entries."""
    import gc
    import tracemalloc

    from pipeline.core.schemacache import SCHEMA_BYTES

    registry = MemoryRegistry()
    codec = AvroCodec(registry)  # type: ignore[arg-type]
    hot = avro_bytes(registry, _wide_record(0, 10), {})
    records = [avro_bytes(registry, _wide_record(t, 1_000), {}) for t in range(1, 81)]
    hot_id = int.from_bytes(hot[1:5], "big")
    codec.document(hot, "value")
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for raw in records:
            codec.document(raw, "value")
            codec.document(hot, "value")  # read between the others: the last to go
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held <= SCHEMA_BYTES, f"{held >> 20} MiB held"
    assert hot_id in codec._readers
    assert len(codec._readers) < 80
