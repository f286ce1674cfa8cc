"""Avro helpers for the tests: an in-memory registry (for tests of the format's logic
alone; the integration tier uses the real registry) and Debezium-style Avro records."""

from __future__ import annotations

import io
import json
from typing import Any

import fastavro

from pipeline.formats.avro import connect
from pipeline.formats.avro.codec import frame
from pipeline.formats.avro.registry import SchemaNotFound, SchemaRejected


class MemoryRegistry:
    """The calls AvroCodec makes, kept in dicts. ``reject``: subjects whose next
    registration is refused as incompatible."""

    def __init__(self) -> None:
        self.schemas: dict[int, str] = {}
        self.subjects: dict[str, list[int]] = {}
        self.modes: dict[str, str] = {}
        self.reject: set[str] = set()
        self.registrations = 0  # register() calls, accepted or not

    def add(self, schema: Any) -> int:
        text = json.dumps(schema)
        ids = self.__dict__.setdefault("_ids", {})
        if len(ids) != len(self.schemas):  # schemas set from outside (a registry handed over as JSON)
            ids.clear()
            ids.update((known, sid) for sid, known in reversed(self.schemas.items()))
        sid = ids.get(text)
        if sid is not None:  # by its text, as a registry finds it: a scan of every schema was quadratic
            return sid
        sid = len(self.schemas) + 1
        self.schemas[sid] = text
        ids[text] = sid
        return sid

    def schema(self, schema_id: int) -> dict[str, Any]:
        if schema_id not in self.schemas:
            raise SchemaNotFound(f"schema id {schema_id} is not in the registry", 404, 40403)
        return {"schema": self.schemas[schema_id]}

    def set_compatibility(self, subject: str, mode: str) -> None:
        self.modes[subject] = mode

    def register(self, subject: str, schema: str) -> int:
        self.registrations += 1
        if subject in self.reject:
            raise SchemaRejected(f"registry rejected the schema for subject {subject}: incompatible", 409, 409)
        sid = self.add(json.loads(schema))
        versions = self.subjects.setdefault(subject, [])
        if sid not in versions:
            versions.append(sid)
        return sid


def avro_bytes(registry: MemoryRegistry, schema: Any, datum: Any) -> bytes:
    """``datum`` written with ``schema`` (logical types honoured, as a Java converter
    would write them), framed with the schema's id."""
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), datum)
    return frame(registry.add(schema), out.getvalue())


def read_avro(registry: MemoryRegistry, raw: bytes) -> tuple[Any, Any]:
    """(schema, value) of a framed record, read as a plain consumer reads it."""
    assert raw[0] == 0
    schema = json.loads(registry.schemas[int.from_bytes(raw[1:5], "big")])
    return schema, fastavro.schemaless_reader(io.BytesIO(raw[5:]), fastavro.parse_schema(schema), None)


def read_as_json(registry: MemoryRegistry, raw: bytes) -> Any:
    """A framed record's value in JsonConverter's payload form."""
    schema = json.loads(registry.schemas[int.from_bytes(raw[1:5], "big")])
    _, convert = connect.reader_for(fastavro.schema.expand_schema(schema))
    parsed = fastavro.parse_schema(connect.strip_logical_types(schema))
    return convert(fastavro.schemaless_reader(io.BytesIO(raw[5:]), parsed, None))
