"""JsonConverter records <-> :class:`~pipeline.core.change.ChangeEvent`.

Decoding parses the key, the value and the key headers (:func:`~.debezium.decode_doc`:
the compact ``{"schema":..,"payload":..}`` fast path, the schema parsed once per distinct
bytes), tells the value's shape (:func:`~.debezium.classify`) and lays an envelope out in
typed fields. Encoding writes a treated event back the way it came: with its (rewritten)
schema when it had one, bare or wrapped in ``{"schema":null,"payload":..}`` when it had
none, through orjson's fast path when the input allowed it (:mod:`.jsontext`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from pipeline.core.change import (
    ENVELOPE_KEYS,
    ENVELOPE_KINDS,
    KEY_HEADERS,
    NOT_TABLE_DATA,
    ChangeEvent,
    Encoded,
    FieldTypes,
    Kind,
    Struct,
    build_encoded,
    build_event,
    build_header,
    build_struct,
)
from pipeline.core.events import SourceRecord
from pipeline.errors import DecodeError
from pipeline.formats.json import jsontext
from pipeline.formats.json.debezium import classify, decode_doc, is_envelope_schema
from pipeline.vocabulary import DeadLetterReason


@dataclass(frozen=True, slots=True)
class JsonWire:
    """How a key or value came: wrapped in ``{"schema":..,"payload":..}`` or bare, and
    whether orjson can write it back unchanged. ``raw``: a key with a null payload, which
    is written back as it came."""

    enveloped: bool
    fast: bool
    raw: bytes | None = None


_WIRES = {(e, f): JsonWire(e, f) for e in (True, False) for f in (True, False)}
_NO_ENVELOPE = (None,) * 9 + ((),)  # op .. message, ts_ms .. ts_ns, envelope
_NO_VALUE = (None, *_NO_ENVELOPE, None)  # value_types, the envelope's fields, value_wire


class JsonCodec:
    """Kafka Connect's JsonConverter, with or without schemas."""

    def decode(self, rec: SourceRecord, fmt: str, columns: frozenset[str]) -> ChangeEvent:
        doc = decode_doc(rec.value, "value") if rec.value is not None else None
        kind = classify(doc, rec.topic, fmt, columns)
        topic, partition, offset, ts = rec.topic, rec.partition, rec.offset, rec.timestamp_ms
        if kind in NOT_TABLE_DATA:
            return build_event(kind, topic, partition, offset, ts, None, (), *_NO_VALUE)
        key = _key(rec.key, "key") if rec.key is not None else None
        headers = ()
        if rec.headers:
            headers = tuple(
                [
                    build_header(name, raw, _key(raw, name) if name in KEY_HEADERS and raw is not None else None)
                    for name, raw in rec.headers
                ]
            )
        if doc is None:
            return build_event(kind, topic, partition, offset, ts, key, headers, *_NO_VALUE)
        types = None
        if doc.schema is not None:
            assert doc.schema_key is not None
            row = kind is Kind.ROW or (kind is Kind.NULL_PAYLOAD and not is_envelope_schema(doc.schema, doc.schema_key))
            types = _field_types(doc.schema, doc.schema_key, row)
        wire = _WIRES[(doc.enveloped, doc.fast)]
        payload = doc.payload
        if kind is Kind.ROW:
            row_fields = (None, None, payload, None, None, None, None, None, None, ())
            return build_event(kind, topic, partition, offset, ts, key, headers, types, *row_fields, wire)
        if kind not in ENVELOPE_KINDS:  # null payload
            return build_event(kind, topic, partition, offset, ts, key, headers, types, *_NO_ENVELOPE, wire)
        get = payload.get
        envelope = _envelope(payload)
        return build_event(
            kind,
            topic,
            partition,
            offset,
            ts,
            key,
            headers,
            types,
            get("op"),
            get("before"),
            get("after"),
            get("source"),
            get("transaction"),
            get("message"),
            get("ts_ms"),
            get("ts_us"),
            get("ts_ns"),
            envelope,
            wire,
        )

    def encode(self, event: ChangeEvent) -> Encoded:
        key = _write_key(event.key) if event.key is not None else None
        headers = event.headers and tuple(
            [(h.name, _write_key(h.key) if h.key is not None else h.raw) for h in event.headers]
        )
        kind = event.kind
        if kind is Kind.TOMBSTONE:
            return build_encoded(key, None, headers)
        payload: Any = None
        if kind is Kind.ROW:
            payload = event.after
        elif kind in ENVELOPE_KINDS:
            envelope = event.envelope
            payload = dict(zip(envelope, _reader(envelope)(event), strict=False))  # the same length
        wire = event.value_wire
        types = event.value_types
        value = _wrap(types.identity, payload, wire.fast) if types is not None else _bare(wire, payload)
        return build_encoded(key, value, headers)


_CACHE_MAX = 256
_envelopes: dict[tuple[str, ...], tuple[str, ...]] = {}
_readers: dict[tuple[str, ...], Callable[[ChangeEvent], tuple[Any, ...]]] = {}
_types: tuple[dict[bytes, FieldTypes], dict[bytes, FieldTypes]] = ({}, {})  # envelopes, rows


def _envelope(payload: dict[str, Any]) -> tuple[str, ...]:
    """The envelope fields of a payload, in order (once per combination of keys)."""
    keys = tuple(payload)
    hit = _envelopes.get(keys)
    if hit is None:
        hit = tuple(k for k in keys if k in ENVELOPE_KEYS)
        if len(_envelopes) >= _CACHE_MAX:
            _envelopes.clear()
        _envelopes[keys] = hit
    return hit


def _reader(envelope: tuple[str, ...]) -> Callable[[ChangeEvent], tuple[Any, ...]]:
    """Reads the fields named in ``envelope`` off an event, in order."""
    hit = _readers.get(envelope)
    if hit is None:
        if len(envelope) > 1:
            hit = attrgetter(*envelope)
        elif envelope:
            one = attrgetter(envelope[0])
            hit = lambda event: (one(event),)  # noqa: E731
        else:
            hit = lambda _event: ()  # noqa: E731
        if len(_readers) >= _CACHE_MAX:
            _readers.clear()
        _readers[envelope] = hit
    return hit


def _field_types(schema: dict[str, Any], identity: bytes, row: bool = True) -> FieldTypes:
    """One FieldTypes per distinct schema (the decoder hands out the same parsed schema
    for the same bytes)."""
    cache = _types[row]
    hit = cache.get(identity)
    if hit is None or hit.schema is not schema:
        hit = FieldTypes(schema, identity, row)
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[identity] = hit
    return hit


def _key(raw: bytes, what: str) -> Struct:
    doc = decode_doc(raw, what)
    payload = doc.payload
    if payload is None:
        return build_struct(None, None, JsonWire(doc.enveloped, doc.fast, raw))
    if not isinstance(payload, dict):
        raise DecodeError(DeadLetterReason.KEY_NOT_STRUCT, f"{what} is not a struct of key columns")
    types = None
    if doc.schema is not None:
        assert doc.schema_key is not None
        types = _field_types(doc.schema, doc.schema_key)
    return build_struct(payload, types, _WIRES[(doc.enveloped, doc.fast)])


def _write_key(key: Struct) -> bytes | None:
    wire: JsonWire = key.wire
    if key.values is None:
        return wire.raw
    if key.types is not None:
        return _wrap(key.types.identity, key.values, wire.fast)
    return _bare(wire, key.values)


def _wrap(schema_bytes: bytes | None, payload: Any, fast: bool) -> bytes:
    return b'{"schema":' + (schema_bytes or b"null") + b',"payload":' + jsontext.dumps(payload, fast) + b"}"


def _bare(wire: JsonWire, payload: Any) -> bytes:
    if wire.enveloped:  # {"schema": null, "payload": ...}
        return _wrap(None, payload, wire.fast)
    return jsontext.dumps(payload, wire.fast)
