"""Debezium records written by Kafka Connect's JsonConverter, with or without schemas.

:func:`decode_doc` parses one key or value; :func:`classify` tells what kind of record
it is. Every shape is handled explicitly (``../shared/debezium-events/CHECKLIST.md``):
change envelopes (c/u/d/r), truncate (t), logical-decoding messages (m), tombstones
(null value bytes), ``{"schema":..,"payload":null}`` deletes of flattened topics,
heartbeats, transaction BEGIN/END, MySQL schema changes and ExtractNewRecordState rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

from pipeline.codec import jsontext
from pipeline.exceptions import DecodeError

ENVELOPE_SUFFIX = ".Envelope"
HEARTBEAT_SCHEMA = "io.debezium.connector.common.Heartbeat"
HEARTBEAT_TOPIC_PREFIX = "__debezium-heartbeat"
TRANSACTION_SCHEMA = "io.debezium.connector.common.TransactionMetadataValue"
SCHEMA_CHANGE_SCHEMAS = frozenset(
    {"io.debezium.connector.mysql.SchemaChangeValue", "io.debezium.connector.mariadb.SchemaChangeValue"}
)
MESSAGE_SCHEMA = "io.debezium.connector.postgresql.MessageValue"
ENVELOPE_KEYS = frozenset({"before", "after", "source", "op", "ts_ms", "ts_us", "ts_ns", "transaction", "message"})
TRANSACTION_KEYS = frozenset({"status", "id", "ts_ms", "event_count", "data_collections"})
ROW_OPS = frozenset({"c", "u", "d", "r"})


class Kind(StrEnum):
    CHANGE = "change"  # c, u, d, r
    TRUNCATE = "truncate"  # t
    MESSAGE = "message"  # m
    ROW = "row"  # ExtractNewRecordState output: the row itself
    TOMBSTONE = "tombstone"  # null value bytes
    NULL_PAYLOAD = "null_payload"  # {"schema": ..., "payload": null}
    HEARTBEAT = "heartbeat"
    TRANSACTION = "transaction"
    SCHEMA_CHANGE = "schema_change"


NOT_TABLE_DATA = frozenset({Kind.HEARTBEAT, Kind.TRANSACTION, Kind.SCHEMA_CHANGE})


@dataclass(slots=True)
class JsonDoc:
    """One parsed key or value. ``enveloped``: it came as ``{"schema":..,"payload":..}``.
    ``schema_key``: the schema as JSON bytes, which identify it in caches."""

    payload: Any
    schema: dict[str, Any] | None
    enveloped: bool
    fast: bool  # orjson can write it back unchanged
    schema_key: bytes | None = None


# JsonConverter writes ``{"schema":<schema>,"payload":<payload>}`` compactly, and every
# record of a table version repeats the same schema bytes (most of a record's size). The
# schema is parsed once per distinct byte string; each record parses only its payload.
_OPEN = b'{"schema":'
_SEPARATOR = b',"payload":'
_SCHEMAS_MAX = 256
_RECENT_MAX = 8
_schemas: dict[bytes, dict[str, Any] | None] = {}
_recent: list[bytes] = []  # schema bytes seen lately, most recent first: compared in place


def decode_doc(raw: bytes, what: str) -> JsonDoc:
    if raw[:1] == b"\x00" and len(raw) >= 5:
        schema_id = int.from_bytes(raw[1:5], "big")
        raise DecodeError(
            "unsupported_encoding",
            f"{what} is Confluent-framed binary (magic byte 0, schema id {schema_id}), not JSON; "
            "this pipeline reads JsonConverter records",
        )
    if raw.startswith(_OPEN) and raw.endswith(b"}"):
        doc = _decode_compact_envelope(raw)
        if doc is not None:
            return doc
    value, fast = jsontext.loads(raw, what)
    if isinstance(value, dict) and len(value) == 2 and "schema" in value and "payload" in value:
        schema = value["schema"]
        _check_schema(schema, what)
        schema_key = jsontext.dumps(schema, fast) if schema is not None else None
        return JsonDoc(value["payload"], schema, True, fast, schema_key)
    schema_only = isinstance(value, dict) and len(value) == 1 and isinstance(value.get("schema"), dict)
    if schema_only and isinstance(value["schema"].get("type"), str):
        raise DecodeError("no_payload", f"{what} is an envelope with a schema and no payload")
    return JsonDoc(value, None, False, fast)


def _check_schema(schema: Any, what: str) -> None:
    if schema is not None and not isinstance(schema, dict):
        raise DecodeError("schema_invalid", f"{what} schema is not an object")
    if schema is not None and not isinstance(schema.get("type"), str):
        raise DecodeError("schema_invalid", f"{what} schema has no type")


def _decode_compact_envelope(raw: bytes) -> JsonDoc | None:
    """The fast path for ``{"schema":S,"payload":P}``, or None to take the full parse.

    The first ``,"payload":`` after the opening is the separator exactly when the bytes
    before it parse as one JSON value: a cut inside the schema object leaves it
    unbalanced (and the quotes of that key cannot occur unescaped inside a string). The
    payload must then parse on its own, which also rules out keys after it. Schema bytes
    seen lately are compared in place first (a record that starts with one, followed by
    the separator, splits there: that value is known to be complete), which spares the
    search and the hashing of a copy. Anything unusual (whitespace, non-finite floats,
    invalid text) takes the full path, which reports errors as usual.
    """
    start = len(_OPEN)
    for schema_key in _recent:
        cut = start + len(schema_key)
        if raw.startswith(schema_key, start) and raw.startswith(_SEPARATOR, cut):
            schema = _schemas[schema_key]
            break
    else:
        cut = raw.find(_SEPARATOR, start)
        if cut < 0:
            return None
        schema_key = raw[start:cut]
        try:
            schema = _schemas[schema_key]
        except KeyError:
            try:
                schema = orjson.loads(schema_key)
                _check_schema(schema, "")
            except (orjson.JSONDecodeError, DecodeError):
                return None
            if len(_schemas) >= _SCHEMAS_MAX:
                evicted = next(iter(_schemas))
                del _schemas[evicted]
                if evicted in _recent:
                    _recent.remove(evicted)
            _schemas[schema_key] = schema
        _recent.insert(0, schema_key)
        del _recent[_RECENT_MAX:]
    try:
        payload = orjson.loads(memoryview(raw)[cut + len(_SEPARATOR) : -1])
    except orjson.JSONDecodeError:
        return None
    return JsonDoc(payload, schema, True, True, schema_key if schema is not None else None)


def classify(doc: JsonDoc | None, topic: str, fmt: str = "auto") -> Kind:
    """What a value is. ``fmt`` is the declaration's ``format``: auto | envelope | flattened."""
    if doc is None:
        return Kind.TOMBSTONE
    payload = doc.payload
    if payload is None:
        if doc.enveloped:
            return Kind.NULL_PAYLOAD
        raise DecodeError("null_json", "value is the JSON text null, not a tombstone (null bytes)")
    if not isinstance(payload, dict):
        raise DecodeError("not_an_object", f"value payload is a JSON {type(payload).__name__}, not an object")
    name = (doc.schema or {}).get("name") or ""
    if name == HEARTBEAT_SCHEMA or (
        not name and topic.startswith(HEARTBEAT_TOPIC_PREFIX) and payload.keys() <= {"ts_ms"}
    ):
        return Kind.HEARTBEAT
    if name == TRANSACTION_SCHEMA or (
        not name
        and payload.get("status") in ("BEGIN", "END")
        and "id" in payload
        and payload.keys() <= TRANSACTION_KEYS
    ):
        return Kind.TRANSACTION
    if name in SCHEMA_CHANGE_SCHEMAS or (
        not name and "ddl" in payload and ("tableChanges" in payload or "databaseName" in payload)
    ):
        return Kind.SCHEMA_CHANGE
    if fmt == "flattened":
        return Kind.ROW
    if name.endswith(ENVELOPE_SUFFIX) or name == MESSAGE_SCHEMA or _looks_like_envelope(payload, name):
        return _envelope_kind(payload)
    if fmt == "envelope":
        raise DecodeError("not_an_envelope", "value is not a Debezium envelope (declaration format: envelope)")
    return Kind.ROW


def _looks_like_envelope(payload: dict[str, Any], schema_name: str) -> bool:
    if schema_name:
        return False  # a named schema that is not an Envelope is a row (e.g. <topic>.Value)
    return (
        "op" in payload
        and payload.keys() <= ENVELOPE_KEYS
        and ("source" in payload or "after" in payload or "before" in payload or "message" in payload)
    )


def _envelope_kind(payload: dict[str, Any]) -> Kind:
    op = payload.get("op")
    if op in ROW_OPS:
        before, after = payload.get("before"), payload.get("after")
        if before is not None and not isinstance(before, dict):
            raise DecodeError("schema_mismatch", "envelope 'before' is not an object")
        if after is not None and not isinstance(after, dict):
            raise DecodeError("schema_mismatch", "envelope 'after' is not an object")
        if before is None and after is None and op != "d":
            raise DecodeError("schema_mismatch", f"op {op} event has neither before nor after")
        return Kind.CHANGE
    if op == "t":
        return Kind.TRUNCATE
    if op == "m":
        return Kind.MESSAGE
    raise DecodeError("unknown_op", "envelope op is not one of c, u, d, r, t, m")


def struct_fields(schema: dict[str, Any] | None, what: str) -> list[dict[str, Any]] | None:
    """The fields of a struct schema (validated), or None for no schema."""
    if schema is None:
        return None
    if schema.get("type") != "struct":
        raise DecodeError("schema_invalid", f"{what} schema is not a struct")
    fields = schema.get("fields")
    if not isinstance(fields, list):
        raise DecodeError("schema_invalid", f"{what} schema has no field list")
    for i, field in enumerate(fields):
        if not isinstance(field, dict) or not isinstance(field.get("field"), str):
            raise DecodeError("schema_invalid", f"{what} schema field #{i} has no 'field' name")
    return fields


def find_field(fields: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    for field in fields:
        if field.get("field") == name:
            return field
    return None
