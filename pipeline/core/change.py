"""The change event the core reads and writes: a typed, immutable :class:`ChangeEvent`.

A format's decoder (:mod:`pipeline.formats.json`, :mod:`pipeline.formats.avro`) turns a Kafka
record into one; the core treats its key, rows and headers and rewrites its field types;
the format's encoder turns the treated event back into bytes. The core sees ChangeEvents
and Connect field types, never wire formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple, Protocol

from pipeline.core.events import SourceRecord
from pipeline.errors import DecodeError
from pipeline.vocabulary import DeadLetterReason


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


# Python 3.11's EnumType has a ``__getattr__`` hook, which makes every ``Kind.X`` lookup
# a slow call (0.1 us, ten times a plain name); the per-record paths use these names.
CHANGE, TRUNCATE, MESSAGE, ROW = Kind.CHANGE, Kind.TRUNCATE, Kind.MESSAGE, Kind.ROW
TOMBSTONE, NULL_PAYLOAD = Kind.TOMBSTONE, Kind.NULL_PAYLOAD
NOT_TABLE_DATA = frozenset({Kind.HEARTBEAT, Kind.TRANSACTION, Kind.SCHEMA_CHANGE})
ENVELOPE_KINDS = frozenset({Kind.CHANGE, Kind.TRUNCATE, Kind.MESSAGE})
ENVELOPE_KEYS = frozenset({"before", "after", "source", "op", "ts_ms", "ts_us", "ts_ns", "transaction", "message"})
TIMESTAMP_KEYS = frozenset({"ts_ms", "ts_us", "ts_ns"})
# Headers the Debezium connector sets on a primary-key change: the other key, a key too.
OLDKEY_HEADER = "__debezium.oldkey"
NEWKEY_HEADER = "__debezium.newkey"
KEY_HEADERS = (OLDKEY_HEADER, NEWKEY_HEADER)


@dataclass(frozen=True, slots=True)
class FieldTypes:
    """A Kafka Connect schema (a struct's fields, each with its type and logical type
    name), and bytes that identify it (compiled forms are cached by them). ``row``: it
    describes a row (a key, or a flattened value), not a Debezium envelope."""

    schema: dict[str, Any]
    identity: bytes
    row: bool = True


class Struct(NamedTuple):
    """A key (the record's, or one in a ``__debezium.oldkey``/``newkey`` header).
    ``values`` is None for a key whose payload is null (written back as it came)."""

    values: dict[str, Any] | None
    types: FieldTypes | None
    wire: Any  # the format's note for writing it back (opaque to the core)


class Header(NamedTuple):
    """A Kafka header; ``key`` is set for a header that holds a record key."""

    name: str
    raw: bytes | None
    key: Struct | None = None


class ChangeEvent(NamedTuple):
    """One decoded Debezium record with its Kafka coordinates.

    ``kind`` tells the shape: an envelope (``change``, ``truncate``, ``message``: ``op``,
    ``before``, ``after``, ``source``, ``transaction``, ``message`` and the ``ts_*``
    timestamps; ``envelope`` names the envelope fields the value had, in order: a field
    not named there was absent, not null), a
    flattened ``row`` (in ``after``), a ``tombstone`` (no value), a ``null_payload``
    (field types and no values), or a record that is not table data (heartbeat,
    transaction marker, schema change), which the core skips.

    A NamedTuple, like the key and header records beside it: immutable, typed, and built
    in a fraction of a frozen dataclass's time (a record builds two).
    """

    kind: Kind
    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None
    key: Struct | None
    headers: tuple[Header, ...]
    value_types: FieldTypes | None = None
    op: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    source: Any = None
    transaction: Any = None
    message: Any = None
    ts_ms: Any = None  # the envelope's timestamps, as they came (numbers, or digits as text)
    ts_us: Any = None
    ts_ns: Any = None
    envelope: tuple[str, ...] = ()  # the envelope fields present, in their order
    value_wire: Any = None  # the format's note for writing the value back

    @property
    def coordinates(self) -> str:
        return f"{self.topic}/{self.partition}/{self.offset}"


class Encoded(NamedTuple):
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes | None], ...]


def struct_fields(schema: dict[str, Any] | None, what: str) -> list[dict[str, Any]] | None:
    """The fields of a struct schema (validated), or None for no schema."""
    if schema is None:
        return None
    if schema.get("type") != "struct":
        raise DecodeError(DeadLetterReason.SCHEMA_INVALID, f"{what} schema is not a struct")
    fields = schema.get("fields")
    if not isinstance(fields, list):
        raise DecodeError(DeadLetterReason.SCHEMA_INVALID, f"{what} schema has no field list")
    for i, field in enumerate(fields):
        if not isinstance(field, dict) or not isinstance(field.get("field"), str):
            raise DecodeError(DeadLetterReason.SCHEMA_INVALID, f"{what} schema field #{i} has no 'field' name")
    return fields


def find_field(fields: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    for field in fields:
        if field.get("field") == name:
            return field
    return None


class ChangeCodec(Protocol):
    """A topic format: Kafka record -> ChangeEvent -> bytes."""

    def bound(self, cdr_topic: str) -> ChangeCodec:
        """The codec that writes a table's events to ``cdr_topic`` (a format with a schema
        registry registers the CDR schemas under that topic's subjects)."""
        ...

    def decode(self, rec: SourceRecord, fmt: str, columns: frozenset[str]) -> ChangeEvent:
        """``fmt`` and ``columns``: the declaration's ``format`` and column names, which
        tell a row from an envelope. Raises DecodeError for a record it will not read."""
        ...

    def encode(self, event: ChangeEvent) -> Encoded: ...
