"""A key whose payload is null goes out with its CDR schema, never with the schema it
came with (JSON and Avro): a null key's schema is input like any other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.events import DeadLetter, Published, SourceRecord
from pipeline.formats.avro.codec import AvroCodec
from tests.avro_support import MemoryRegistry, avro_bytes
from tests.planted import expect, none_found
from tests.support import PATTERNS_ONLY, make_processor, record
from tests.unit.test_avro_format import with_format

EMAIL = "henrik.osei31@example.net"
DECLARATION = """\
    table: inventory.keys
    source_topic: srv.inventory.keys
    cdr_topic: cdr.keys.v1
    owner: test
    undeclared: detect
    columns:
      id:   {pii: none}
      mail: {pii: EMAIL_ADDRESS, treatment: hash}
"""
VALUE = {"before": None, "after": {"id": 1}, "source": {"connector": "postgresql"}, "op": "c", "ts_ms": 1}


@pytest.fixture
def processor(tmp_path: Path) -> Any:
    return make_processor(tmp_path / "schemas", {"keys.yaml": DECLARATION}, detection=PATTERNS_ONLY)


@pytest.mark.parametrize(
    ("key_schema", "expected"),
    [
        (
            {
                "type": "struct",
                "optional": True,
                "doc": EMAIL,
                "fields": [
                    {"type": "int32", "optional": False, "field": "id", "doc": EMAIL},
                    {"type": "string", "optional": True, "field": "mail", "default": EMAIL},
                ],
            },
            {
                "type": "struct",
                "optional": True,
                "fields": [
                    {"type": "int32", "optional": False, "field": "id"},
                    {
                        "type": "string",
                        "optional": True,
                        "field": "mail",
                        "parameters": {"cdr.pii": "EMAIL_ADDRESS", "cdr.treatment": "hash"},
                    },
                ],
            },
        ),
        (
            {"type": "string", "optional": True, "doc": EMAIL, "parameters": {"c": EMAIL}},
            {"type": "string", "optional": True},
        ),
    ],
)
def test_json_null_key_goes_out_with_its_cdr_schema(processor: Any, key_schema: dict, expected: dict) -> None:
    null_key = {"schema": key_schema, "payload": None}
    rec = record("srv.inventory.keys", VALUE, null_key, headers=[("__debezium.oldkey", null_key)])
    out = processor.process(rec)
    expect(isinstance(out, Published), f"not published: {getattr(out, 'reason', '')}")
    (cdr,) = out.records
    none_found([EMAIL], cdr.key, *(v for _, v in cdr.headers), where="the CDR key or headers")
    expect(json.loads(cdr.key) == {"schema": expected, "payload": None}, "the key's CDR schema is not the expected one")
    header = json.loads(dict(cdr.headers)["__debezium.oldkey"])
    expect(header == {"schema": expected, "payload": None}, "the oldkey header's CDR schema is not the expected one")


def test_json_null_key_without_schema_goes_out_as_it_came(processor: Any) -> None:
    out = processor.process(record("srv.inventory.keys", VALUE, b'{"schema":null,"payload":null}'))
    expect(isinstance(out, Published), "not published")
    expect(
        out.records[0].key == b'{"schema":null,"payload":null}',
        "the schemaless null key was not written back as it came",
    )


def test_json_null_key_with_an_unknown_type_is_dead_lettered(processor: Any) -> None:
    out = processor.process(record("srv.inventory.keys", VALUE, {"schema": {"type": EMAIL}, "payload": None}))
    expect(isinstance(out, DeadLetter), "published a key whose schema has no Connect type")
    none_found([EMAIL], out.message, where="the dead letter's message")
    expect(out.reason == "schema_invalid", f"dead-lettered as {out.reason}")


def test_avro_null_key_registers_its_cdr_schema(processor: Any) -> None:
    registry = MemoryRegistry()
    key_schema = [
        "null",
        {
            "type": "record",
            "name": "Key",
            "namespace": "srv.inventory.keys",
            "doc": EMAIL,
            "connect.parameters": {"__debezium.source.column.comment": EMAIL},
            "fields": [{"name": "id", "type": "int"}, {"name": "mail", "type": "string", "default": EMAIL}],
        },
    ]
    value_schema = {
        "type": "record",
        "name": "Value",
        "namespace": "srv.inventory.keys",
        "fields": [{"name": "id", "type": "int"}],
    }
    rec = SourceRecord(
        "srv.inventory.keys",
        0,
        0,
        avro_bytes(registry, key_schema, None),
        avro_bytes(registry, value_schema, {"id": 1}),
        (),
        1,
    )
    out = with_format(processor, AvroCodec(registry)).process(rec)
    expect(isinstance(out, Published), f"not published: {getattr(out, 'reason', '')}")
    (sid,) = registry.subjects["cdr.keys.v1-key"]
    registered = registry.schemas[sid]
    none_found([EMAIL], registered, where="the registered CDR key schema")
    expect('"cdr.treatment": "hash"' in registered, "the key's hashed column lost its CDR properties")
