"""Debezium records written by Kafka Connect's JsonConverter, with or without schemas.

:func:`decode_doc` parses one key or value; :func:`classify` tells what kind of record
it is. Every shape is handled explicitly (``../shared/debezium-events/CHECKLIST.md``):
change envelopes (c/u/d/r), truncate (t), logical-decoding messages (m), tombstones
(null value bytes), ``{"schema":..,"payload":null}`` deletes of flattened topics,
heartbeats, transaction BEGIN/END, MySQL schema changes and ExtractNewRecordState rows.

Shape classification never fails open (a row's columns are treated by name, so an
envelope read as a row would publish its ``after`` unexamined):

- *Envelope markers* are top-level keys named like envelope fields and typed like them
  (``before``/``after``/``transaction`` objects or null, ``source``/``message`` objects,
  ``op`` text, ``ts_*`` numbers or text), by the schema's field types when there is a
  schema. A value with ``op`` and one of before/after/source/message is an envelope,
  whatever its schema's name and whatever other keys it has; so is any schema named
  ``*.Envelope``. Top-level keys outside the envelope's fields (an SMT's, a newer
  connector's) are dropped from the output, never published unexamined; one the
  declaration lists as a column makes the value ambiguous.
- ``format: auto``: a value without envelope markers is a row; markers the declaration
  lists as columns are columns. Any other mixture is dead-lettered.
- ``format: flattened``: rows only; an envelope is dead-lettered. Only a schema *name*
  makes a value a heartbeat, transaction marker or schema change here (a row with
  columns ``status``/``id`` or ``ddl`` is a row).
- ``format: envelope``: anything but an envelope is dead-lettered.
- Without a schema, a value shaped like a heartbeat, transaction marker or schema
  change is one (skipped and counted) unless the table declares one of its keys.

Dead-letter reasons of this module (``DecodeError.reason``): ``unsupported_encoding``,
``invalid_json``/``invalid_utf8``/``null_json``/``not_an_object``, ``no_payload``,
``schema_invalid``, ``schema_mismatch`` (an envelope field of the wrong type),
``unknown_op``, ``envelope_without_op`` (before/after without op), ``ambiguous_shape``
(envelope fields and a row at once), ``not_an_envelope`` (declared ``envelope``),
``not_a_row`` (an envelope on a table declared ``flattened``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import orjson

from pipeline.core.change import CHANGE, ENVELOPE_KEYS, MESSAGE, NULL_PAYLOAD, ROW, TOMBSTONE, TRUNCATE, Kind
from pipeline.core.schemacache import SchemaCache, schema_size
from pipeline.errors import DecodeError
from pipeline.formats.json import jsontext
from pipeline.vocabulary import DeadLetterReason

ENVELOPE_SUFFIX = ".Envelope"
HEARTBEAT_SCHEMA = "io.debezium.connector.common.Heartbeat"
HEARTBEAT_TOPIC_PREFIX = "__debezium-heartbeat"
TRANSACTION_SCHEMA = "io.debezium.connector.common.TransactionMetadataValue"
SCHEMA_CHANGE_SCHEMAS = frozenset(
    {"io.debezium.connector.mysql.SchemaChangeValue", "io.debezium.connector.mariadb.SchemaChangeValue"}
)
MESSAGE_SCHEMA = "io.debezium.connector.postgresql.MessageValue"
TRANSACTION_KEYS = frozenset({"status", "id", "ts_ms", "event_count", "data_collections"})
ROW_OPS = frozenset({"c", "u", "d", "r"})
ENVELOPE_OPS = ROW_OPS | {"t", "m"}


# Dead-letter reasons :func:`classify` gives for a value whose shape it will not guess.
SHAPE_REASONS = frozenset(
    {
        DeadLetterReason.UNKNOWN_OP,
        DeadLetterReason.ENVELOPE_WITHOUT_OP,
        DeadLetterReason.AMBIGUOUS_SHAPE,
        DeadLetterReason.NOT_AN_ENVELOPE,
        DeadLetterReason.NOT_A_ROW,
        DeadLetterReason.SCHEMA_MISMATCH,
    }
)


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
_TAIL = 32  # bytes of a schema's end that, with its length, find it among those seen
# (length, last bytes) -> schema bytes kept: a candidate for a record's schema, confirmed
# by comparing it in place (no copy of the schema bytes is made or hashed per record).
_by_tail: dict[tuple[int, bytes], bytes] = {}


def _forget_tail(schema_key: bytes) -> None:
    index = (len(schema_key), schema_key[-_TAIL:])
    if _by_tail.get(index) == schema_key:  # an equal copy may stand in the index for it
        del _by_tail[index]


# schema bytes -> the parsed schema (an object: a null schema takes the full parse)
_schemas: SchemaCache[bytes, dict[str, Any]] = SchemaCache(_SCHEMAS_MAX, on_evict=_forget_tail)


def decode_doc(raw: bytes, what: str) -> JsonDoc:
    if raw[:1] == b"\x00" and len(raw) >= 5:
        schema_id = int.from_bytes(raw[1:5], "big")
        raise DecodeError(
            DeadLetterReason.UNSUPPORTED_ENCODING,
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
        raise DecodeError(DeadLetterReason.NO_PAYLOAD, f"{what} is an envelope with a schema and no payload")
    return JsonDoc(value, None, False, fast)


def envelope_doc(schema_key: bytes, payload: Any) -> JsonDoc | None:
    """The document of ``{"schema":<schema_key>,"payload":P}`` whose P its reader already
    parsed (file mode reads a canonical line whole: :mod:`.jsonspans`), when the schema is
    one held here parsed (and checked); None: read the bytes (:func:`decode_doc`). The same
    document the compact path reads from those bytes."""
    schema = _schemas.get(schema_key)
    return JsonDoc(payload, schema, True, True, schema_key) if schema is not None else None


def _check_schema(schema: Any, what: str) -> None:
    if schema is not None and not isinstance(schema, dict):
        raise DecodeError(DeadLetterReason.SCHEMA_INVALID, f"{what} schema is not an object")
    if schema is not None and not isinstance(schema.get("type"), str):
        raise DecodeError(DeadLetterReason.SCHEMA_INVALID, f"{what} schema has no type")


def _decode_compact_envelope(raw: bytes) -> JsonDoc | None:
    """The fast path for ``{"schema":S,"payload":P}``, or None to take the full parse.

    The first ``,"payload":`` after the opening is the separator exactly when the bytes
    before it parse as one JSON value: a cut inside the schema object leaves it
    unbalanced (and the quotes of that key cannot occur unescaped inside a string). The
    payload must then parse on its own, which also rules out keys after it. A schema seen
    before is found by its length and last bytes and confirmed in place, which spares
    copying and hashing kilobytes of schema per record. Anything unusual (whitespace,
    non-finite floats, invalid text) takes the full path, which reports errors as usual.
    """
    start = len(_OPEN)
    cut = raw.find(_SEPARATOR, start)
    if cut < 0:
        return None
    length = cut - start
    schema_key = _by_tail.get((length, raw[cut - _TAIL : cut] if length > _TAIL else raw[start:cut]))
    schema = _schemas.get(schema_key) if schema_key is not None and raw.startswith(schema_key, start) else None
    if schema is None:
        schema_key = raw[start:cut]
        schema = _schemas.get(schema_key)
        if schema is None and schema_key != b"null":
            try:
                schema = orjson.loads(schema_key)
                _check_schema(schema, "")
            except (orjson.JSONDecodeError, DecodeError):
                return None
            if _schemas.put(schema_key, schema, schema_size(schema_key)):  # not kept when too large: parsed per record
                _by_tail[(length, schema_key[-_TAIL:])] = schema_key
        elif schema is not None:
            _by_tail[(length, schema_key[-_TAIL:])] = schema_key
    try:
        # a bytes slice (a copy of the payload only): orjson reads a memoryview 2.4x slower
        payload = orjson.loads(raw[cut + len(_SEPARATOR) : -1])
    except orjson.JSONDecodeError:
        return None
    return JsonDoc(payload, schema, True, True, schema_key if schema is not None else None)


def classify(doc: JsonDoc | None, topic: str, fmt: str = "auto", columns: Collection[str] = frozenset()) -> Kind:
    """What a value is. ``fmt`` is the declaration's ``format`` (auto | envelope |
    flattened), ``columns`` the names of the columns it declares (a frozenset is read
    as it is; anything else is copied into one).

    Never fails open: a record that carries envelope markers is decoded as an envelope
    or dead-lettered, never taken for a row (see the module docstring for the rules).

    With a schema, what a value is follows from the schema, the types of the payload's
    envelope-named fields (absent or of which type), whether its ``op`` is an envelope op
    and which, the declared columns it has as keys, the format and the columns: the
    answer is remembered per combination of those (a value that is refused is not
    remembered, and is refused again). Bounded: at most :data:`_CLASSIFIED_MAX` answers,
    each holding a schema of at most :data:`_MEMO_SCHEMA_BYTES` (a larger one is worked
    out every time) and no payload key that is not a declared column.
    """
    if doc is None:
        return TOMBSTONE
    payload = doc.payload
    if payload is None:
        if doc.enveloped:
            return NULL_PAYLOAD
        raise DecodeError(DeadLetterReason.NULL_JSON, "value is the JSON text null, not a tombstone (null bytes)")
    if not isinstance(payload, dict):
        raise DecodeError(
            DeadLetterReason.NOT_AN_OBJECT, f"value payload is a JSON {type(payload).__name__}, not an object"
        )
    if not isinstance(columns, frozenset):
        columns = frozenset(columns)
    signature = _signature(payload)
    schema_key = doc.schema_key
    if doc.schema is None or schema_key is None or len(schema_key) > _MEMO_SCHEMA_BYTES:
        return _classify(doc, payload, signature, topic, fmt, columns)
    op = payload.get("op")
    memo = (
        schema_key,
        signature,
        op if type(op) is str and op in ENVELOPE_OPS else None,
        columns.intersection(payload) if columns else columns,
        fmt,
        columns,
    )
    kind = _classified.get(memo)
    if kind is None:
        kind = _classify(doc, payload, signature, topic, fmt, columns)
        if len(_classified) >= _CLASSIFIED_MAX:
            _classified.clear()
        _classified[memo] = kind
    return kind


def _classify(
    doc: JsonDoc, payload: dict[str, Any], signature: _Signature, topic: str, fmt: str, columns: frozenset[str]
) -> Kind:
    schema = doc.schema
    name = schema.get("name") if schema is not None else None
    if not isinstance(name, str):
        name = ""
    if name == HEARTBEAT_SCHEMA:
        return Kind.HEARTBEAT
    if name == TRANSACTION_SCHEMA:
        return Kind.TRANSACTION
    if name in SCHEMA_CHANGE_SCHEMAS:
        return Kind.SCHEMA_CHANGE
    markers, mistyped = _markers(doc, signature)
    named_envelope = name.endswith(ENVELOPE_SUFFIX) or name == MESSAGE_SCHEMA
    if fmt == "flattened":
        _check_row(payload, markers, named_envelope, columns)
        return ROW
    if schema is None and "op" not in payload:  # no marker shape has an op
        marker = _marker_by_shape(payload, topic, columns)
        if marker is not None:
            return marker
    undeclared = markers.difference(columns) if fmt == "auto" and columns else markers
    if not named_envelope and not undeclared:
        if fmt == "envelope":
            raise DecodeError(
                DeadLetterReason.NOT_AN_ENVELOPE, "value is not a Debezium envelope (declaration format: envelope)"
            )
        return ROW
    if named_envelope or _complete(markers):
        if columns and not columns.isdisjoint(payload) and not columns.intersection(payload) <= ENVELOPE_KEYS:
            raise DecodeError(
                DeadLetterReason.AMBIGUOUS_SHAPE,
                "value is an envelope with a top-level key the declaration lists as a column: "
                "an envelope and a row at once",
            )
        return _envelope_kind(payload, mistyped)
    keys = ", ".join(sorted(undeclared))  # names from the fixed envelope vocabulary only
    if "before" in undeclared or "after" in undeclared:
        raise DecodeError(
            DeadLetterReason.ENVELOPE_WITHOUT_OP,
            f"value has envelope fields ({keys}) but no op; not published as a row",
        )
    if fmt == "envelope":
        raise DecodeError(
            DeadLetterReason.NOT_AN_ENVELOPE, f"value has envelope fields ({keys}) but is not a Debezium envelope"
        )
    raise DecodeError(
        DeadLetterReason.AMBIGUOUS_SHAPE,
        f"value has envelope fields ({keys}) but is not an envelope; declare them as columns "
        "or set format: flattened to publish it as a row",
    )


def envelope_markers(doc: JsonDoc) -> frozenset[str]:
    """The top-level keys of a value that are named like envelope fields and typed like
    them: by its schema where it has one, by the payload's values otherwise."""
    return _markers(doc, _signature(doc.payload))[0]


def _signature(payload: dict[str, Any]) -> _Signature:
    """The types of a payload's envelope-named fields, in ``_FIELD_NAMES``' order
    (``_Absent`` for a missing one). Written out: twice as fast as mapping over names."""
    get, absent = payload.get, _ABSENT
    return (
        type(get("before", absent)),
        type(get("after", absent)),
        type(get("transaction", absent)),
        type(get("source", absent)),
        type(get("message", absent)),
        type(get("op", absent)),
        type(get("ts_ms", absent)),
        type(get("ts_us", absent)),
        type(get("ts_ns", absent)),
    )


def _markers(doc: JsonDoc, signature: _Signature) -> tuple[frozenset[str], bool]:
    """The envelope markers of a value, and whether its payload has an envelope field
    (not null) of another type; what a signature makes is worked out once."""
    hit = _by_signature.get(signature)
    if hit is None:
        found: list[str] = []
        mistyped = False
        for key, kind in zip(_FIELD_NAMES, signature, strict=True):
            if kind is _Absent:
                continue
            if issubclass(kind, _PAYLOAD_TYPES[key]):
                found.append(key)
            elif kind is not type(None):
                mistyped = True
        hit = (frozenset(found), mistyped)
        if len(_by_signature) >= _SIGNATURES_MAX:
            _by_signature.clear()
        _by_signature[signature] = hit
    if doc.schema is None:
        return hit
    in_schema, typed = _schema_markers(doc)
    found_markers, mistyped = hit
    return typed.union(found_markers.difference(in_schema)), mistyped


def _mistyped(payload: dict[str, Any]) -> str:
    return next(
        key
        for key, types in _PAYLOAD_TYPES.items()
        if key in payload and payload[key] is not None and not isinstance(payload[key], types)
    )


def is_envelope_schema(schema: dict[str, Any] | None, schema_key: bytes | None) -> bool:
    """A schema is an envelope's when its name says so or its fields are envelope
    fields (op and before/after/source/message), whatever its name."""
    if schema is None:
        return False
    name = schema.get("name")
    if isinstance(name, str) and (name.endswith(ENVELOPE_SUFFIX) or name == MESSAGE_SCHEMA):
        return True
    return _complete(_schema_markers(JsonDoc(None, schema, True, True, schema_key))[1])


def _complete(markers: frozenset[str]) -> bool:
    return "op" in markers and not markers.isdisjoint(_BODY_KEYS)


_BODY_KEYS = frozenset({"before", "after", "source", "message"})
_NO_MARKERS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
_SCHEMA_TYPES: dict[str, frozenset[str]] = {
    "before": frozenset({"struct"}),
    "after": frozenset({"struct"}),
    "source": frozenset({"struct"}),
    "transaction": frozenset({"struct"}),
    "message": frozenset({"struct"}),
    "op": frozenset({"string"}),
    "ts_ms": frozenset({"int64", "int32", "string"}),
    "ts_us": frozenset({"int64", "int32", "string"}),
    "ts_ns": frozenset({"int64", "int32", "string"}),
}


_OBJECT_OR_NULL = (dict, type(None))
# How each envelope field is typed in a payload (bool is an int: a ts_* that is one is
# nulled on output, see the processor).
_PAYLOAD_TYPES: dict[str, tuple[type, ...]] = {
    "before": _OBJECT_OR_NULL,
    "after": _OBJECT_OR_NULL,
    "transaction": _OBJECT_OR_NULL,
    "source": (dict,),
    "message": (dict,),
    "op": (str,),
    "ts_ms": (int, str),
    "ts_us": (int, str),
    "ts_ns": (int, str),
}
_FIELD_NAMES = tuple(_PAYLOAD_TYPES)


class _Absent:
    """The type of a field a payload does not have."""


_ABSENT = _Absent()
if _FIELD_NAMES != ("before", "after", "transaction", "source", "message", "op", "ts_ms", "ts_us", "ts_ns"):
    raise AssertionError("_signature reads the envelope fields in _FIELD_NAMES' order")  # pragma: no cover
_Signature = tuple[type, ...]
_CLASSIFIED_MAX = 1024
_MEMO_SCHEMA_BYTES = 32 << 10  # at most 32 MB of schemas held by the answers remembered
_classified: dict[tuple[Any, ...], Kind] = {}
_SIGNATURES_MAX = 1024
_by_signature: dict[tuple[type, ...], tuple[frozenset[str], bool]] = {}
_MARKERS_MAX = 256
_schema_marker_cache: SchemaCache[bytes, tuple[frozenset[str], frozenset[str]]] = SchemaCache(_MARKERS_MAX)


def _schema_markers(doc: JsonDoc) -> tuple[frozenset[str], frozenset[str]]:
    """(envelope-named fields of the schema, those typed like the envelope's), cached
    per schema (a wide row's schema is read once, not per record)."""
    schema = doc.schema
    if schema is None:
        return _NO_MARKERS
    key = doc.schema_key
    if key is not None:
        hit = _schema_marker_cache.get(key)
        if hit is not None:
            return hit
    fields = schema.get("fields")
    named: list[str] = []
    typed: list[str] = []
    if schema.get("type") == "struct" and isinstance(fields, list):
        for field in fields:
            if isinstance(field, dict):
                fname = field.get("field")
                if isinstance(fname, str) and fname in ENVELOPE_KEYS:
                    named.append(fname)
                    if field.get("type") in _SCHEMA_TYPES[fname]:
                        typed.append(fname)
    result = (frozenset(named), frozenset(typed))
    if key is not None:
        _schema_marker_cache.put(key, result, schema_size(key))
    return result


def _marker_by_shape(payload: dict[str, Any], topic: str, columns: frozenset[str]) -> Kind | None:
    """A schemaless heartbeat, transaction marker or schema change, told by its shape,
    unless the table declares one of its keys as a column: then it is a row."""
    kind = None
    if topic.startswith(HEARTBEAT_TOPIC_PREFIX) and payload.keys() <= {"ts_ms"}:
        kind = Kind.HEARTBEAT
    elif payload.get("status") in ("BEGIN", "END") and "id" in payload and payload.keys() <= TRANSACTION_KEYS:
        kind = Kind.TRANSACTION
    elif "ddl" in payload and ("tableChanges" in payload or "databaseName" in payload):
        kind = Kind.SCHEMA_CHANGE
    if kind is not None and not columns.isdisjoint(payload):
        return None
    return kind


def _check_row(payload: dict[str, Any], markers: frozenset[str], named: bool, columns: frozenset[str]) -> None:
    """A ``format: flattened`` table takes rows only: an envelope on it is dead-lettered
    (never published as a row whose before/after hold the raw columns)."""
    undeclared = markers.difference(columns) if columns else markers
    if (
        named
        or (_complete(undeclared) and payload.get("op") in ENVELOPE_OPS)
        or ("before" in undeclared and isinstance(payload.get("before"), dict))
        or ("after" in undeclared and isinstance(payload.get("after"), dict))
    ):
        raise DecodeError(
            DeadLetterReason.NOT_A_ROW,
            "value is a Debezium envelope on a table declared format: flattened; not published",
        )


def _envelope_kind(payload: dict[str, Any], mistyped: bool) -> Kind:
    op = payload.get("op")
    if op is None:
        raise DecodeError(DeadLetterReason.ENVELOPE_WITHOUT_OP, "envelope has no op; not published")
    if not isinstance(op, str) or op not in ENVELOPE_OPS:
        raise DecodeError(DeadLetterReason.UNKNOWN_OP, "envelope op is not one of c, u, d, r, t, m")
    if mistyped:
        raise DecodeError(
            DeadLetterReason.SCHEMA_MISMATCH, f"envelope field {_mistyped(payload)!r} is not of its envelope type"
        )
    if op in ROW_OPS:
        if payload.get("before") is None and payload.get("after") is None and op != "d":
            raise DecodeError(DeadLetterReason.SCHEMA_MISMATCH, f"op {op} event has neither before nor after")
        return CHANGE
    if op == "t":
        return TRUNCATE
    return MESSAGE
