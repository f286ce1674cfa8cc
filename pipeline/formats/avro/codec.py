"""``format: avro``: Debezium records in the Confluent wire format in, CDR records in the
same format out, schemas in a registry: :class:`AvroCodec`, a
:class:`~pipeline.core.change.ChangeCodec`.

Avro -> ChangeEvent -> Avro, no JSON in between. Decoding: a key, value or PK-change key
header (magic byte 0, 4-byte schema id, Avro binary) is read with its writer schema
(fetched by id, kept in a bounded cache) into the values JsonConverter would have written
for the same data, with the Connect schema of those values
(:func:`~pipeline.formats.avro.connect.reader_for`); the shape rules shared with JSON
(:mod:`pipeline.formats.documents`) make the event. Encoding: each key, value and key
header of the treated event is written with the CDR schema derived from its rewritten
field types (types after treatments, dropped fields gone, nulled fields optional,
``cdr.*`` field properties, a treated field's default as its treatment writes it), registered under
``<cdr_topic>-key`` / ``<cdr_topic>-value`` with the subject's compatibility mode set
first; a source schema change gives a new CDR schema, hence a new version. The codec is
bound to its CDR topic (:meth:`AvroCodec.bound`) by each table's processor.

The core turns the codec's errors into dead letters holding the record as it came (the
raw Avro bytes, for replay). Dead-letter reasons of this module: ``record_too_large``
(checked on the Avro bytes), ``not_avro`` (no magic byte / too short),
``unknown_schema_id``, ``unsupported_schema`` (not Avro, or a construct not mapped),
``malformed_avro`` (the bytes do not decode with their schema), ``schema_incompatible``
and ``schema_invalid`` (the registry refused the CDR schema: nothing of the record is
published), ``avro_encode_failed``. A registry that does not answer within its retry
budget raises :class:`~pipeline.formats.avro.registry.RegistryUnavailable` (a
:class:`~pipeline.errors.DependencyError`) out of the batch: the service stops without
committing, so the records are read again once the registry is back, instead of every
record of the outage being dead-lettered.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import json
from collections.abc import Mapping
from typing import Any

import fastavro
import orjson
from fastavro.schema import expand_schema

from pipeline.core.change import (
    NOT_TABLE_DATA,
    ChangeEvent,
    Encoded,
    FieldTypes,
    Header,
    Kind,
    Struct,
)
from pipeline.core.events import SourceRecord
from pipeline.core.schemacache import SchemaCache, schema_size
from pipeline.errors import DecodeError, EncodeError
from pipeline.formats.avro import connect
from pipeline.formats.avro.registry import RegistryClient, SchemaNotFound, SchemaRejected
from pipeline.formats.documents import event_from, field_types, key_headers, key_struct, skipped_event, value_payload
from pipeline.formats.json.codec import JsonWire, decode_key, write_key_header
from pipeline.formats.json.debezium import JsonDoc, classify
from pipeline.vocabulary import DeadLetterReason

MAGIC = 0
HEADER_BYTES = 5
_CACHE = 256


def parsed_size(schema: str | bytes) -> int:
    """An upper bound of the bytes a reader or writer of this schema keeps (the parsed
    Avro schema, its Connect form and converters): measured at 0.3-0.9 times
    :func:`schema_size` of its JSON for 20-2,000 fields, 1.4 times for five."""
    raw = schema.encode("utf-8", "surrogatepass") if isinstance(schema, str) else schema
    return 8192 + 2 * schema_size(raw)


def _refusal_size(key: tuple[str, bytes], refusal: tuple[str, str, int]) -> int:
    return 1024 + 4 * len(key[0]) + len(key[1]) + 4 * len(refusal[1])


RECHECK_REJECTED = 100
_DECODE_ERRORS = (EOFError, ValueError, TypeError, IndexError, KeyError, UnicodeDecodeError, OverflowError, MemoryError)
_ENCODE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, OverflowError)


def split_frame(raw: bytes, what: str) -> tuple[int, memoryview]:
    """(schema id, Avro body) of a Confluent-framed record."""
    if len(raw) < HEADER_BYTES or raw[0] != MAGIC:
        raise DecodeError(
            DeadLetterReason.NOT_AVRO,
            f"{what} is not in the Confluent wire format (magic byte 0 and a 4-byte schema id)",
        )
    return int.from_bytes(raw[1:HEADER_BYTES], "big"), memoryview(raw)[HEADER_BYTES:]


def frame(schema_id: int, body: bytes) -> bytes:
    return bytes([MAGIC]) + schema_id.to_bytes(4, "big") + body


@dataclasses.dataclass(frozen=True, slots=True)
class AvroWire:
    """The wire note of a key or value that came in Avro: it goes out in Avro."""


AVRO = AvroWire()


@dataclasses.dataclass(frozen=True, slots=True)
class _Reader:
    parsed: Any  # fastavro's parsed writer schema, logical types stripped
    schema: dict[str, Any]  # the Connect schema of the values convert gives
    identity: bytes  # that schema's JSON bytes (FieldTypes.identity)
    convert: connect.Conv


@dataclasses.dataclass(frozen=True, slots=True)
class _Writer:
    schema_id: int
    parsed: Any
    convert: connect.Conv


class AvroCodec:
    def __init__(
        self,
        registry: RegistryClient,
        compatibility: str = "BACKWARD",
        compatibility_by_topic: Mapping[str, str] | None = None,
        cache_size: int = _CACHE,
        max_record_bytes: int | None = None,
    ) -> None:
        self.registry = registry
        self.compatibility = compatibility
        self.compatibility_by_topic = dict(compatibility_by_topic or {})
        self.cache_size = cache_size
        self.max_record_bytes = max_record_bytes  # on the Avro bytes (file mode: after base64)
        self.cdr_topic: str | None = None  # set by bound(): the subjects' topic
        # The caches below are shared by every bound copy. Schemas are input (whoever
        # registers them chooses their size): each cache is bounded by bytes too.
        self._readers: SchemaCache[int, _Reader] = SchemaCache(cache_size)
        self._unsupported: SchemaCache[int, str] = SchemaCache(cache_size)  # schema id -> why refused
        self._writers: SchemaCache[tuple[str, bytes], _Writer] = SchemaCache(cache_size)
        # Refused CDR schemas: (reason, message, records refused since the registry was
        # last asked). Asked again every RECHECK_REJECTED records, not for each one.
        self._rejected: SchemaCache[tuple[str, bytes], tuple[str, str, int]] = SchemaCache(cache_size)

    def bound(self, cdr_topic: str) -> AvroCodec:
        """This codec writing to ``cdr_topic`` (its schemas under ``<cdr_topic>-key``/``-value``)."""
        twin = copy.copy(self)
        twin.cdr_topic = cdr_topic
        return twin

    # -- decoding ---------------------------------------------------------------------------

    def decode(self, rec: SourceRecord, fmt: str, columns: frozenset[str]) -> ChangeEvent:
        oversize = rec.oversize(self.max_record_bytes)
        if oversize is not None:
            raise DecodeError(DeadLetterReason.RECORD_TOO_LARGE, oversize)
        doc = self.document(rec.value, "value") if rec.value is not None else None
        kind = classify(doc, rec.topic, fmt, columns)
        if kind in NOT_TABLE_DATA:
            return skipped_event(rec, kind)
        key = self._key(rec.key, "key") if rec.key is not None else None
        headers = key_headers(rec.headers, self._header_key) if rec.headers else ()
        return event_from(rec, kind, doc, key, headers, AVRO)

    def document(self, raw: bytes, what: str) -> JsonDoc:
        """An Avro key or value as a Connect document: its Connect schema, and its values
        as JsonConverter writes them."""
        schema_id, body = split_frame(raw, what)
        reader = self._reader(schema_id, what)
        stream = io.BytesIO(body)
        try:
            payload = reader.convert(fastavro.schemaless_reader(stream, reader.parsed, None))
        except _DECODE_ERRORS as exc:
            raise DecodeError(
                DeadLetterReason.MALFORMED_AVRO,
                f"{what} does not decode with its schema (id {schema_id}): {type(exc).__name__}",
            ) from None
        if stream.tell() != len(body):
            raise DecodeError(
                DeadLetterReason.MALFORMED_AVRO, f"{what} has bytes after its Avro value (schema id {schema_id})"
            )
        return JsonDoc(payload, reader.schema, True, True, reader.identity)

    def _key(self, raw: bytes, what: str) -> Struct:
        doc = self.document(raw, what)
        if doc.payload is None:  # a null key datum: written back null, with its schema
            assert doc.schema is not None and doc.schema_key is not None
            return Struct(None, field_types(doc.schema, doc.schema_key), AVRO)
        return key_struct(doc, what, AVRO)

    def _header_key(self, raw: bytes, name: str) -> Struct:
        """A PK-change key header: Avro-framed, or a JsonConverter key (file mode gives
        a JSON document as it is), written back the way it came."""
        if raw[:1] == b"\x00":  # MAGIC
            return self._key(raw, name)
        return decode_key(raw, name)

    def _reader(self, schema_id: int, what: str) -> _Reader:
        hit = self._readers.get(schema_id)
        if hit is not None:
            self._readers.touch(schema_id)
            return hit
        refused = self._unsupported.get(schema_id)
        if refused is not None:  # refused once: not fetched and walked again for each record
            raise DecodeError(DeadLetterReason.UNSUPPORTED_SCHEMA, f"{what} schema id {schema_id}: {refused}")
        try:
            answer = self.registry.schema(schema_id)
        except SchemaNotFound:
            raise DecodeError(
                DeadLetterReason.UNKNOWN_SCHEMA_ID, f"{what} has schema id {schema_id}, unknown to the registry"
            ) from None
        if answer.get("schemaType", "AVRO") != "AVRO":
            raise DecodeError(
                DeadLetterReason.UNSUPPORTED_SCHEMA, f"{what} schema id {schema_id} is not an Avro schema"
            )
        try:
            schema = json.loads(answer["schema"])
            expanded = expand_schema(schema)
            connect_schema, convert = connect.reader_for(expanded)
            parsed = fastavro.parse_schema(connect.strip_logical_types(schema))
        except connect.SchemaUnsupported as exc:
            because = f"{exc} is not supported"
            self._unsupported.put(schema_id, because, 256 + 4 * len(because))
            raise DecodeError(DeadLetterReason.UNSUPPORTED_SCHEMA, f"{what} schema id {schema_id}: {because}") from None
        except (ValueError, TypeError, KeyError, fastavro.schema.SchemaParseException) as exc:
            raise DecodeError(
                DeadLetterReason.UNSUPPORTED_SCHEMA,
                f"{what} schema id {schema_id} is not a valid Avro schema ({type(exc).__name__})",
            ) from None
        reader = _Reader(parsed, connect_schema, orjson.dumps(connect_schema), convert)
        self._readers.put(schema_id, reader, parsed_size(answer["schema"]))  # too large: read again per record
        return reader

    # -- encoding ---------------------------------------------------------------------------

    def encode(self, event: ChangeEvent) -> Encoded:
        topic = self.cdr_topic
        if topic is None:
            raise EncodeError(DeadLetterReason.AVRO_ENCODE_FAILED, "the Avro codec is not bound to a CDR topic")
        key = self._write_key(topic, event.key) if event.key is not None else None
        headers: tuple[tuple[str, bytes | None], ...] = ()
        if event.headers:
            headers = tuple([(h.name, self._write_header(topic, h)) for h in event.headers])
        if event.kind is Kind.TOMBSTONE:
            return Encoded(key, None, headers)
        types = event.value_types
        if types is None:
            raise EncodeError(
                DeadLetterReason.AVRO_ENCODE_FAILED, f"value for {topic} has no schema to derive its Avro schema from"
            )
        return Encoded(key, self._write(topic, "value", types, value_payload(event)), headers)

    def _write_key(self, topic: str, key: Struct) -> bytes:
        if key.types is None:
            raise EncodeError(
                DeadLetterReason.AVRO_ENCODE_FAILED, f"key for {topic} has no schema to derive its Avro schema from"
            )
        return self._write(topic, "key", key.types, key.values)

    def _write_header(self, topic: str, header: Header) -> bytes | None:
        if header.key is None or isinstance(header.key.wire, JsonWire):
            return write_key_header(header)  # as it came, or a JsonConverter key header
        return self._write_key(topic, header.key)

    def _write(self, topic: str, role: str, types: FieldTypes, payload: Any) -> bytes:
        """A CDR key or value in Avro, framed with the id of its CDR schema under
        ``<topic>-<role>``."""
        writer = self._writer(topic, role, types.schema, types.identity)
        out = io.BytesIO()
        try:
            fastavro.schemaless_writer(out, writer.parsed, writer.convert(payload), strict=True)
        except _ENCODE_ERRORS as exc:
            raise EncodeError(
                DeadLetterReason.AVRO_ENCODE_FAILED,
                f"{role} for {topic} does not fit its CDR schema ({type(exc).__name__})",
            ) from None
        return frame(writer.schema_id, out.getvalue())

    def subject_mode(self, topic: str) -> str:
        return self.compatibility_by_topic.get(topic, self.compatibility)

    def _writer(self, topic: str, role: str, schema: dict[str, Any], schema_key: bytes) -> _Writer:
        subject = f"{topic}-{role}"
        cache_key = (subject, schema_key)
        hit = self._writers.get(cache_key)
        if hit is not None:
            self._writers.touch(cache_key)
            return hit
        refused = self._rejected.get(cache_key)
        if refused is not None and refused[2] % RECHECK_REJECTED:
            counted = (refused[0], refused[1], refused[2] + 1)
            self._rejected.put(cache_key, counted, _refusal_size(cache_key, counted))
            raise EncodeError(refused[0], refused[1])
        try:
            avro = connect.avro_schema(schema)
            parsed = fastavro.parse_schema(connect.strip_logical_types(avro))
            convert = connect.writer_for(schema)
        except connect.SchemaUnsupported as exc:
            raise EncodeError(
                DeadLetterReason.UNSUPPORTED_SCHEMA, f"{role} for {topic}: {exc} has no Avro form here"
            ) from None
        except (ValueError, TypeError, KeyError, fastavro.schema.SchemaParseException) as exc:
            raise EncodeError(
                DeadLetterReason.UNSUPPORTED_SCHEMA,
                f"{role} for {topic}: its CDR schema is not valid Avro ({type(exc).__name__})",
            ) from None
        self.registry.set_compatibility(subject, self.subject_mode(topic))
        try:
            schema_id = self.registry.register(subject, json.dumps(avro, separators=(",", ":")))
        except SchemaRejected as exc:
            reason = DeadLetterReason.SCHEMA_INCOMPATIBLE if exc.status == 409 else DeadLetterReason.SCHEMA_INVALID
            message = f"{exc.message} (mode {self.subject_mode(topic)}); the record is not published"
            refusal = (reason, message, 1)
            self._rejected.put(cache_key, refusal, _refusal_size(cache_key, refusal))
            raise EncodeError(reason, message) from None
        self._rejected.discard(cache_key)
        writer = _Writer(schema_id, parsed, convert)
        self._writers.put(cache_key, writer, parsed_size(schema_key))  # too large: made again per record
        return writer
