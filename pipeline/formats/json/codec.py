"""JsonConverter records <-> :class:`~pipeline.core.change.ChangeEvent`.

The bytes part only: decoding parses the key, the value and the key headers
(:func:`~.debezium.decode_doc`: the compact ``{"schema":..,"payload":..}`` fast path, the
schema parsed once per distinct bytes); the shape rules shared with Avro
(:mod:`pipeline.formats.documents`) classify the value and lay it out. Encoding writes
a treated event back the way it came: with its (rewritten) schema when it had one, bare or wrapped in ``{"schema":null,"payload":..}`` when it had
none, through orjson's fast path when the input allowed it (:mod:`.jsontext`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.core.change import (
    NOT_TABLE_DATA,
    TOMBSTONE,
    ChangeEvent,
    Encoded,
    Header,
    Struct,
)
from pipeline.core.events import SourceRecord
from pipeline.formats.documents import (
    event_from,
    field_types,
    key_headers,
    key_struct,
    skipped_event,
    value_payload,
)
from pipeline.formats.json import jsontext
from pipeline.formats.json.debezium import JsonDoc, classify, decode_doc, envelope_doc


@dataclass(frozen=True, slots=True)
class JsonWire:
    """How a key or value came: wrapped in ``{"schema":..,"payload":..}`` or bare, and
    whether orjson can write it back unchanged."""

    enveloped: bool
    fast: bool


_WIRES = {(e, f): JsonWire(e, f) for e in (True, False) for f in (True, False)}


class JsonCodec:
    """Kafka Connect's JsonConverter, with or without schemas."""

    def bound(self, cdr_topic: str) -> JsonCodec:
        return self  # JSON needs no registry subject

    def decode(self, rec: SourceRecord, fmt: str, columns: frozenset[str]) -> ChangeEvent:
        key_read, value_read = rec.read or _UNREAD
        doc = _read_doc(value_read, rec.value)
        if doc is None:
            doc = decode_doc(rec.value, "value") if rec.value is not None else None
        kind = classify(doc, rec.topic, fmt, columns)
        if kind in NOT_TABLE_DATA:
            return skipped_event(rec, kind)
        key_doc = _read_doc(key_read, rec.key)
        if key_doc is not None and key_doc.payload is not None:
            key: Struct | None = key_struct(key_doc, "key", _WIRES[(True, True)])
        else:
            key = decode_key(rec.key, "key") if rec.key is not None else None
        headers = key_headers(rec.headers, decode_key) if rec.headers else ()
        wire = _WIRES[(doc.enveloped, doc.fast)] if doc is not None else None
        return event_from(rec, kind, doc, key, headers, wire)

    def encode(self, event: ChangeEvent) -> Encoded:
        key = _write_key(event.key) if event.key is not None else None
        headers = event.headers and tuple([(h.name, write_key_header(h)) for h in event.headers])
        if event.kind is TOMBSTONE:
            return Encoded(key, None, headers)
        payload = value_payload(event)
        wire = event.value_wire
        types = event.value_types
        value = _wrap(types.identity, payload, wire.fast) if types is not None else _bare(wire, payload)
        return Encoded(key, value, headers)


_UNREAD = (None, None)


def _read_doc(read: tuple[bytes, bytes, Any] | None, raw: bytes | None) -> JsonDoc | None:
    """The document its reader parsed of ``raw`` (:attr:`SourceRecord.read`), if it is of
    these very bytes and its schema is held parsed; None: read the bytes."""
    if read is None or read[0] is not raw:
        return None
    return envelope_doc(read[1], read[2])


def write_key_header(header: Header) -> bytes | None:
    """A header as the JSON codec writes it: a key header it decoded, written back as a
    key; any other header as it came."""
    if header.key is not None and isinstance(header.key.wire, JsonWire):
        return _write_key(header.key)
    return header.raw


def decode_key(raw: bytes, what: str) -> Struct:
    doc = decode_doc(raw, what)
    if doc.payload is None:
        # written back as a null payload when it has no schema; with one, with its CDR schema
        types = None
        if doc.schema is not None:
            assert doc.schema_key is not None
            types = field_types(doc.schema, doc.schema_key)
        return Struct(None, types, _WIRES[(doc.enveloped, doc.fast)])
    return key_struct(doc, what, _WIRES[(doc.enveloped, doc.fast)])


def _write_key(key: Struct) -> bytes | None:
    wire: JsonWire = key.wire
    if key.values is None:
        # written anew, never as it came: its bytes can hold more than the null payload
        # read (a duplicate "payload" member before the last, which orjson keeps)
        return _bare(wire, None) if key.types is None else _wrap(key.types.identity, None, wire.fast)
    if key.types is not None:
        return _wrap(key.types.identity, key.values, wire.fast)
    return _bare(wire, key.values)


def _wrap(schema_bytes: bytes | None, payload: Any, fast: bool) -> bytes:
    return b'{"schema":' + (schema_bytes or b"null") + b',"payload":' + jsontext.dumps(payload, fast) + b"}"


def _bare(wire: JsonWire, payload: Any) -> bytes:
    if wire.enveloped:  # {"schema": null, "payload": ...}
        return _wrap(None, payload, wire.fast)
    return jsontext.dumps(payload, wire.fast)
