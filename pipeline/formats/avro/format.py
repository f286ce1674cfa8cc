"""``format: avro``: Debezium records in the Confluent wire format in, CDR records in the
same format out, schemas in a registry.

One record: its key, value and PK-change key headers are decoded (magic byte 0, 4-byte
schema id, Avro binary; the writer schema fetched by id and kept in a bounded cache)
into the JsonConverter documents the core reads (:mod:`pipeline.formats.avro.connect`),
so declarations, detection and treatments run unchanged; the core's CDR records are
encoded back, each key and value with the CDR schema derived from the Connect schema
the core wrote (types after treatments, dropped fields gone, nulled fields optional,
``cdr.*`` field properties, no defaults on protected fields), registered under
``<cdr_topic>-key`` / ``<cdr_topic>-value`` with the subject's compatibility mode set
first. A source schema change gives a new CDR schema, hence a new version.

Outcomes carry the record as it came (a dead letter holds the raw Avro bytes, for
replay). Dead-letter reasons of this module: ``not_avro`` (no magic byte / too short),
``unknown_schema_id``, ``unsupported_schema`` (not Avro, or a construct not mapped),
``malformed_avro`` (the bytes do not decode with their schema), ``schema_incompatible``
and ``schema_invalid`` (the registry refused the CDR schema: nothing of the record is
published), ``avro_encode_failed``. A registry that does not answer within its retry
budget raises :class:`~pipeline.formats.avro.registry.RegistryUnavailable` out of the
batch: the service stops without committing, so the records are read again once the
registry is back, instead of every record of the outage being dead-lettered.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import fastavro
import orjson
from fastavro.schema import expand_schema

from pipeline.core.change import KEY_HEADERS
from pipeline.core.events import CdrRecord, DeadLetter, Headers, Outcome, Published, SourceRecord
from pipeline.errors import DecodeError, EncodeError
from pipeline.formats.avro import connect
from pipeline.formats.avro.registry import RegistryClient, RegistryError, SchemaNotFound, SchemaRejected
from pipeline.formats.json.debezium import decode_doc
from pipeline.tracebacks import frames
from pipeline.vocabulary import DeadLetterReason

MAGIC = 0
HEADER_BYTES = 5
_CACHE = 256
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


def _internal(rec: SourceRecord, stage: str, exc: Exception) -> DeadLetter:
    message = f"unexpected {type(exc).__name__} in the Avro format; the value is not shown"
    return DeadLetter(rec, stage, DeadLetterReason.INTERNAL_ERROR, type(exc).__name__, message, frames(exc))


def frame(schema_id: int, body: bytes) -> bytes:
    return bytes([MAGIC]) + schema_id.to_bytes(4, "big") + body


@dataclasses.dataclass(frozen=True, slots=True)
class _Reader:
    parsed: Any  # fastavro's parsed writer schema, logical types stripped
    prefix: bytes  # b'{"schema":<Connect schema>,"payload":'
    convert: connect.Conv


@dataclasses.dataclass(frozen=True, slots=True)
class _Writer:
    schema_id: int
    parsed: Any
    convert: connect.Conv


class AvroFormat:
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
        # Checked here, on the Avro bytes: the core's own check would see the JSON form
        # (larger, by a bounded factor: arrays of zero-byte items are refused).
        self.max_record_bytes = max_record_bytes
        self._readers: OrderedDict[int, _Reader] = OrderedDict()
        self._writers: OrderedDict[tuple[str, bytes], _Writer] = OrderedDict()
        # Refused CDR schemas: (reason, message, records refused since the registry was
        # last asked). Asked again every RECHECK_REJECTED records, not for each one.
        self._rejected: OrderedDict[tuple[str, bytes], tuple[str, str, int]] = OrderedDict()

    # -- the record -------------------------------------------------------------------------

    def process(self, rec: SourceRecord, core: Callable[[SourceRecord], Outcome]) -> Outcome:
        limit = self.max_record_bytes
        if limit is not None:
            size = len(rec.key or b"") + len(rec.value or b"")
            if size > limit:
                message = f"record is {size} bytes, over max_record_bytes ({limit}); not processed"
                return DeadLetter(rec, "decode", DeadLetterReason.RECORD_TOO_LARGE, "RecordTooLarge", message)
        try:
            decoded = SourceRecord(
                rec.topic,
                rec.partition,
                rec.offset,
                self.decode(rec.key, "key"),
                self.decode(rec.value, "value"),
                self._decode_headers(rec.headers),
                rec.timestamp_ms,
            )
        except DecodeError as exc:
            return DeadLetter(rec, exc.stage, exc.reason, type(exc).__name__, exc.message)
        except RegistryError:
            raise  # not the record's fault: stop the batch (see the module docstring)
        except Exception as exc:  # fail closed, and no crash loop on one record
            return _internal(rec, "decode", exc)
        outcome = core(decoded)
        if not isinstance(outcome, Published):
            return dataclasses.replace(outcome, source=rec)
        try:
            records = tuple(self.encode_record(r) for r in outcome.records)
        except EncodeError as exc:
            return DeadLetter(rec, exc.stage, exc.reason, type(exc).__name__, exc.message)
        except RegistryError:
            raise
        except Exception as exc:
            return _internal(rec, "encode", exc)
        return Published(rec, records, outcome.report)

    def _decode_headers(self, headers: Headers) -> Headers:
        if not any(name in KEY_HEADERS for name, _ in headers):
            return headers
        return tuple(
            (name, self.decode(raw, name) if name in KEY_HEADERS and raw and raw[0] == MAGIC else raw)
            for name, raw in headers
        )

    # -- decoding ---------------------------------------------------------------------------

    def decode(self, raw: bytes | None, what: str) -> bytes | None:
        """An Avro key or value as the JsonConverter document of the same data."""
        if raw is None:
            return None
        schema_id, body = split_frame(raw, what)
        reader = self._reader(schema_id, what)
        stream = io.BytesIO(body)
        try:
            datum = fastavro.schemaless_reader(stream, reader.parsed, None)
            payload = reader.convert(datum)
        except _DECODE_ERRORS as exc:
            raise DecodeError(
                DeadLetterReason.MALFORMED_AVRO,
                f"{what} does not decode with its schema (id {schema_id}): {type(exc).__name__}",
            ) from None
        if stream.tell() != len(body):
            raise DecodeError(
                DeadLetterReason.MALFORMED_AVRO, f"{what} has bytes after its Avro value (schema id {schema_id})"
            )
        return reader.prefix + orjson.dumps(payload) + b"}"

    def _reader(self, schema_id: int, what: str) -> _Reader:
        hit = self._readers.get(schema_id)
        if hit is not None:
            self._readers.move_to_end(schema_id)
            return hit
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
            raise DecodeError(
                DeadLetterReason.UNSUPPORTED_SCHEMA, f"{what} schema id {schema_id}: {exc} is not supported"
            ) from None
        except (ValueError, TypeError, KeyError, fastavro.schema.SchemaParseException) as exc:
            raise DecodeError(
                DeadLetterReason.UNSUPPORTED_SCHEMA,
                f"{what} schema id {schema_id} is not a valid Avro schema ({type(exc).__name__})",
            ) from None
        reader = _Reader(parsed, b'{"schema":' + orjson.dumps(connect_schema) + b',"payload":', convert)
        self._readers[schema_id] = reader
        while len(self._readers) > self.cache_size:
            self._readers.popitem(last=False)
        return reader

    # -- encoding ---------------------------------------------------------------------------

    def encode_record(self, rec: CdrRecord) -> CdrRecord:
        return dataclasses.replace(
            rec, key=self.encode(rec.topic, "key", rec.key), value=self.encode(rec.topic, "value", rec.value)
        )

    def encode(self, topic: str, role: str, raw: bytes | None) -> bytes | None:
        """A CDR key or value (the core's JsonConverter document) in Avro, framed with
        the id of its CDR schema under ``<topic>-<role>``."""
        if raw is None:
            return None
        doc = decode_doc(raw, role)
        if doc.schema is None or doc.schema_key is None:
            raise EncodeError(
                DeadLetterReason.AVRO_ENCODE_FAILED, f"{role} for {topic} has no schema to derive its Avro schema from"
            )
        writer = self._writer(topic, role, doc.schema, doc.schema_key)
        out = io.BytesIO()
        try:
            fastavro.schemaless_writer(out, writer.parsed, writer.convert(doc.payload), strict=True)
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
            self._writers.move_to_end(cache_key)
            return hit
        refused = self._rejected.get(cache_key)
        if refused is not None and refused[2] % RECHECK_REJECTED:
            self._rejected[cache_key] = (refused[0], refused[1], refused[2] + 1)
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
            self._rejected[cache_key] = (reason, message, 1)
            while len(self._rejected) > self.cache_size:
                self._rejected.popitem(last=False)
            raise EncodeError(reason, message) from None
        self._rejected.pop(cache_key, None)
        writer = _Writer(schema_id, parsed, convert)
        self._writers[cache_key] = writer
        while len(self._writers) > self.cache_size:
            self._writers.popitem(last=False)
        return writer
