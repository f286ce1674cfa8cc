"""Kafka Connect documents <-> :class:`~pipeline.core.change.ChangeEvent`: the shape rules
every format shares. Pure.

A format parses a key or value into a document (:class:`~.json.debezium.JsonDoc`: a
Connect schema and the payload in JsonConverter's value forms) in its own way: JSON
bytes (:mod:`.json.codec`) or an Avro datum (:mod:`.avro.codec`). From there on the rules
are the same: :func:`~.json.debezium.classify` tells the value's shape, :func:`key_struct`
and :func:`event_from` lay it out in typed fields, and :func:`value_payload` gives back the
payload of a treated event, which the format writes with the event's (rewritten) field
types.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from pipeline.core.change import (
    ENVELOPE_KEYS,
    ENVELOPE_KINDS,
    KEY_HEADERS,
    NULL_PAYLOAD,
    ROW,
    ChangeEvent,
    FieldTypes,
    Header,
    Kind,
    Struct,
)
from pipeline.core.events import SourceRecord
from pipeline.core.schemacache import SchemaCache, schema_size
from pipeline.errors import DecodeError
from pipeline.formats.json.debezium import JsonDoc, is_envelope_schema
from pipeline.vocabulary import DeadLetterReason

_NO_ENVELOPE = (None,) * 9 + ((),)  # op .. message, ts_ms .. ts_ns, envelope
_NO_VALUE = (None, *_NO_ENVELOPE, None)  # value_types, the envelope's fields, value_wire
_CACHE_MAX = 256
_readers: dict[tuple[str, ...], Callable[[ChangeEvent], tuple[Any, ...]]] = {}
_types: tuple[SchemaCache[bytes, FieldTypes], SchemaCache[bytes, FieldTypes]] = (  # envelopes, rows
    SchemaCache(_CACHE_MAX),
    SchemaCache(_CACHE_MAX),
)


def skipped_event(rec: SourceRecord, kind: Kind) -> ChangeEvent:
    """An event that is not table data (heartbeat, transaction marker, schema change)."""
    return ChangeEvent(kind, rec.topic, rec.partition, rec.offset, rec.timestamp_ms, None, (), *_NO_VALUE)


def key_headers(
    headers: tuple[tuple[str, bytes | None], ...], read_key: Callable[[bytes, str], Struct]
) -> tuple[Header, ...]:
    """The record's headers; a PK-change key header (``__debezium.oldkey``/``newkey``) is
    read as a key with the format's ``read_key``."""
    return tuple(
        [
            Header(name, raw, read_key(raw, name) if name in KEY_HEADERS and raw is not None else None)
            for name, raw in headers
        ]
    )


def key_struct(doc: JsonDoc, what: str, wire: Any) -> Struct:
    """A key document with a payload (a key whose payload is null is the format's to
    write back as it came) as a Struct."""
    payload = doc.payload
    if not isinstance(payload, dict):
        raise DecodeError(DeadLetterReason.KEY_NOT_STRUCT, f"{what} is not a struct of key columns")
    types = None
    if doc.schema is not None:
        assert doc.schema_key is not None
        types = field_types(doc.schema, doc.schema_key)
    return Struct(payload, types, wire)


def event_from(
    rec: SourceRecord,
    kind: Kind,
    doc: JsonDoc | None,
    key: Struct | None,
    headers: tuple[Header, ...],
    wire: Any,
) -> ChangeEvent:
    """The event of a classified value document (None: a tombstone); ``wire`` is the
    format's note for writing the value back."""
    topic, partition, offset, ts = rec.topic, rec.partition, rec.offset, rec.timestamp_ms
    if doc is None:
        return ChangeEvent(kind, topic, partition, offset, ts, key, headers, *_NO_VALUE)
    types = None
    if doc.schema is not None:
        assert doc.schema_key is not None
        row = kind is ROW or (kind is NULL_PAYLOAD and not is_envelope_schema(doc.schema, doc.schema_key))
        types = field_types(doc.schema, doc.schema_key, row)
    payload = doc.payload
    if kind is ROW:
        row_fields = (None, None, payload, None, None, None, None, None, None, ())
        return ChangeEvent(kind, topic, partition, offset, ts, key, headers, types, *row_fields, wire)
    if kind not in ENVELOPE_KINDS:  # null payload
        return ChangeEvent(kind, topic, partition, offset, ts, key, headers, types, *_NO_ENVELOPE, wire)
    get = payload.get
    return ChangeEvent(
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
        _envelope(payload),
        wire,
    )


def value_payload(event: ChangeEvent) -> Any:
    """The payload of a (treated) event's value: its row, its envelope fields in the
    order they came, or None (a null payload; a tombstone has no value at all)."""
    kind = event.kind
    if kind is ROW:
        return event.after
    if kind in ENVELOPE_KINDS:
        envelope = event.envelope
        return dict(zip(envelope, _reader(envelope)(event), strict=False))  # the same length
    return None


def field_types(schema: dict[str, Any], identity: bytes, row: bool = True) -> FieldTypes:
    """One FieldTypes per distinct schema (decoders hand out the same parsed schema for
    the same bytes or schema id)."""
    cache = _types[row]
    hit = cache.get(identity)
    if hit is None or hit.schema is not schema:
        hit = FieldTypes(schema, identity, row)
        cache.put(identity, hit, schema_size(identity))
    return hit


def _envelope(payload: dict[str, Any]) -> tuple[str, ...]:
    """The envelope fields of a payload, in order. Nothing is remembered: a payload's
    keys are input (a remembered key would outlive its record)."""
    keys = tuple(payload)
    if ENVELOPE_KEYS.issuperset(keys):
        return keys  # a Debezium envelope as it comes
    return tuple([k for k in keys if k in ENVELOPE_KEYS])  # an SMT's or a newer connector's keys


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
