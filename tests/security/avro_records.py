"""A ledger case's records as Kafka Connect's AvroConverter would have written them.

The ledger's records are JsonConverter documents. The same Connect data through the
Confluent AvroConverter becomes: a Connect schema (the document's own ``schema``; for a
schemaless document, the schema the Debezium connector would have declared for those
values, see :func:`infer`) mapped to Avro as ``AvroData.fromConnectSchema`` maps it
(:func:`avro_of`), registered, and the value written in the Confluent wire format.

Why not the project's :func:`pipeline.formats.avro.connect.avro_schema`: it writes the
*CDR* schema, so it lifts ``cdr.*`` parameters into field properties and leaves out
``doc``. AvroData keeps every parameter in ``connect.parameters`` and writes ``doc``
(record and field ``doc``, ``connect.doc``) and defaults (field ``default``,
``connect.default``): schema metadata is where an attack hides, so the mapping here is
the converter's. The value conversion (base64 to bytes, a map with non-string keys as
``MapEntry`` records) is the project's :func:`~pipeline.formats.avro.connect.writer_for`,
which is what ``JsonConverter.toConnectData`` + ``AvroData.fromConnectData`` do.

What cannot be written raises :class:`NotExpressible` with one of the ``WHY_*`` reasons
(the test skips the case and counts it by reason).
"""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import dataclass
from typing import Any

import fastavro

from pipeline.core.change import KEY_HEADERS
from pipeline.core.logical import DECIMAL
from pipeline.formats.avro import connect
from pipeline.formats.avro.codec import frame
from tests.avro_support import MemoryRegistry
from tests.security.events import RawJson, Rec

WHY_RAW_JSON = "raw JSON text no Connect value can hold (a 5,000-digit number, nesting past the parser)"
WHY_NOT_STRUCT = "a key or value that is not a JSON object (no Debezium struct)"
WHY_NAME = "a field name that is no name, or two that scrub to one Avro name"
WHY_TYPES = "one column holds values of different JSON types (no single Connect type)"
WHY_FIT = "the payload does not fit its Connect schema (JsonConverter refuses it)"
WHY_REDEFINED = "two different Connect schemas under one Avro name (AvroData refuses it)"
WHY_DROPPED = "the Avro form carries none of the planted values (names scrubbed, members outside the schema)"

_ANONYMOUS = "io.confluent.connect.avro.ConnectDefault"  # AvroData's name of an unnamed struct
_AVRO_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT64 = (-(2**63), 2**63 - 1)
_ENVELOPE_KEYS = ("before", "after", "op")
_LOGICAL = {
    "org.apache.kafka.connect.data.Date": "date",
    "org.apache.kafka.connect.data.Time": "time-millis",
    "org.apache.kafka.connect.data.Timestamp": "timestamp-millis",
}


class NotExpressible(Exception):
    """The case has no Avro form; ``args[0]`` is one of the ``WHY_*`` reasons."""


# -- a schemaless document's Connect schema ------------------------------------------------


def infer(value: Any) -> dict[str, Any] | None:
    """The Connect schema a connector declares for a column holding ``value`` (None:
    null, any type fits): every column optional, integers int64, JSON objects maps of
    one value type (structs when their members' types differ), arrays of one item type."""
    if value is None:
        return None
    if isinstance(value, RawJson):
        raise NotExpressible(WHY_RAW_JSON)
    if isinstance(value, bool):
        return {"type": "boolean", "optional": True}
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise NotExpressible(WHY_FIT)
        return {"type": "int64", "optional": True}
    if isinstance(value, float):
        return {"type": "double", "optional": True}
    if isinstance(value, str):
        return {"type": "string", "optional": True}
    if isinstance(value, list):
        item: dict[str, Any] | None = None
        for v in value:
            item = unify(item, infer(v))
        return {"type": "array", "items": {**(item or {"type": "string"}), "optional": True}, "optional": True}
    if isinstance(value, dict):
        # A column's object is a map (PostgreSQL hstore, the only object-valued column
        # Debezium writes); a struct only when its members disagree on a type.
        try:
            inner: dict[str, Any] | None = None
            for v in value.values():
                inner = unify(inner, infer(v))
        except NotExpressible:
            if all(isinstance(k, str) for k in value):
                return struct_of(value, None)  # its names scrubbed when written (scrubbed)
            raise
        return {
            "type": "map",
            "keys": {"type": "string", "optional": False},
            "values": inner or {"type": "string", "optional": True},
            "optional": True,
        }
    raise NotExpressible(WHY_TYPES)


def struct_of(row: dict[str, Any], name: str | None, optional: bool = True) -> dict[str, Any]:
    fields = []
    for k, v in row.items():
        fields.append({**(infer(v) or {"type": "string", "optional": True}), "field": k})
    out: dict[str, Any] = {"type": "struct", "fields": fields, "optional": optional}
    if name is not None:
        out["name"] = name
    return out


def unify(a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, Any] | None:
    """One Connect schema for two columns' values (null fits any)."""
    if a is None or b is None:
        return a or b
    if a == b:
        return a
    kinds = {a["type"], b["type"]}
    if kinds == {"int64", "double"}:
        return {"type": "double", "optional": True}
    if a["type"] != b["type"]:
        raise NotExpressible(WHY_TYPES)
    if a["type"] == "struct":
        fields = {f["field"]: f for f in a["fields"]}
        for f in b["fields"]:
            fields[f["field"]] = {**(unify(fields.get(f["field"]), f) or f), "field": f["field"]}
        return {**a, "fields": list(fields.values())}
    if a["type"] == "array":
        return {**a, "items": unify(a["items"], b["items"])}
    if a["type"] == "map":
        return {**a, "values": unify(a["values"], b["values"])}
    raise NotExpressible(WHY_TYPES)


def _row_names(table: str) -> tuple[str, str, str]:
    prefix = f"sec.public.{table}"
    return f"{prefix}.Envelope", f"{prefix}.Value", f"{prefix}.Key"


def value_schema(payloads: list[dict[str, Any]], table: str) -> dict[str, Any]:
    """The Connect schema of schemaless values of one table: an envelope (before and
    after one row type, the source block, op, ts_ms, any other member) or a flattened
    row, every record's columns unified."""
    envelope_name, row_name, _ = _row_names(table)
    if not all(any(k in p for k in _ENVELOPE_KEYS) for p in payloads):
        if any(any(k in p for k in _ENVELOPE_KEYS) for p in payloads):
            raise NotExpressible(WHY_TYPES)
        row: dict[str, Any] | None = None
        for p in payloads:
            row = unify(row, struct_of(p, row_name, optional=False))
        assert row is not None
        return row
    row = None
    top: dict[str, dict[str, Any] | None] = {}
    for p in payloads:
        for member, v in p.items():
            if member in ("before", "after"):
                if v is not None and not isinstance(v, dict):
                    raise NotExpressible(WHY_NOT_STRUCT)
                row = unify(row, struct_of(v, row_name) if v is not None else None)
                top.setdefault(member, None)
            elif member == "source" and isinstance(v, dict):
                source = struct_of(v, "io.debezium.connector.postgresql.Source", optional=False)
                top[member] = unify(top.get(member), source)
            else:
                top[member] = unify(top.get(member), infer(v))
    fields = []
    for member, schema in top.items():
        if member in ("before", "after"):
            schema = row or {"type": "struct", "name": row_name, "fields": [], "optional": True}
        fields.append({**(schema or {"type": "string", "optional": True}), "field": member})
    return {"type": "struct", "name": envelope_name, "fields": fields, "optional": False}


def key_schema(key: dict[str, Any], value: dict[str, Any] | None, table: str) -> dict[str, Any]:
    """A schemaless key's schema: the primary-key columns as the value declares them
    (required), else as their values say."""
    _, _, key_name = _row_names(table)
    declared: dict[str, dict[str, Any]] = {}
    if value is not None:
        rows = [f for f in value.get("fields", []) if f.get("field") in ("before", "after")] or [value]
        for row in rows:
            declared.update({f["field"]: f for f in row.get("fields", []) if "field" in f})
    fields = []
    for k, v in key.items():
        schema = declared.get(k) or infer(v) or {"type": "string"}
        fields.append({**schema, "field": k, "optional": v is None})
    return {"type": "struct", "name": key_name, "fields": fields, "optional": False}


# -- Connect -> Avro, as AvroData.fromConnectSchema ------------------------------------------


class _Names:
    """Named types of one schema. AvroData converts one Connect schema once (a second
    use is a reference by name); a *different* Connect schema under a taken name is
    written by Avro's serializer as a reference to the first definition too, which
    reads the same bytes only when the two have one binary layout (they differ in
    ``doc``/``connect.*`` metadata alone): otherwise the record has no Avro form."""

    def __init__(self) -> None:
        self.defined: dict[str, Any] = {}
        self.connect: dict[str, dict[str, Any]] = {}  # the Connect schema first converted under a name
        self.anonymous = 0

    def claim(self, name: str, body: dict[str, Any]) -> str | dict[str, Any]:
        name = _full_name(name)
        if name in self.defined:
            if _layout(self.defined[name]) != _layout(body):
                raise NotExpressible(WHY_REDEFINED)
            return name
        self.defined[name] = body
        return {**body, "name": name}


def _layout(schema: Any) -> Any:
    """A schema without ``doc``, defaults and ``connect.*`` properties: what decides its bytes."""
    if isinstance(schema, list):
        return [_layout(s) for s in schema]
    if isinstance(schema, dict):
        out = {k: _layout(v) for k, v in schema.items() if k not in ("doc", "default") and not k.startswith("connect.")}
        if str(out.get("name", "")).startswith(_ANONYMOUS):  # numbered in order of use: not the layout
            out.pop("name")
        return out["type"] if set(out) == {"type"} and isinstance(out["type"], str) else out
    return schema


def avro_of(schema: dict[str, Any]) -> Any:
    """The Avro schema AvroData writes for a Connect (JsonConverter) schema."""
    return _avro(schema, _Names())


def _avro(schema: dict[str, Any], names: _Names) -> Any:
    base = _required(schema, names)
    if not schema.get("optional"):
        return base
    return ["null", base] if schema.get("default") is None else [base, "null"]


def _props(schema: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    if isinstance(schema.get("doc"), str):
        props["connect.doc"] = schema["doc"]
    if isinstance(schema.get("version"), int):
        props["connect.version"] = schema["version"]
    if schema.get("parameters"):
        props["connect.parameters"] = {str(k): str(v) for k, v in schema["parameters"].items()}
    if "default" in schema and schema["default"] is not None and schema.get("type") != "struct":
        props["connect.default"] = schema["default"]
    if isinstance(schema.get("name"), str):
        props["connect.name"] = schema["name"]
    return props


def _required(schema: dict[str, Any], names: _Names) -> Any:
    kind = schema.get("type")
    name = schema.get("name")
    if kind in connect._CONNECT_TO_PRIMITIVE:
        out: dict[str, Any] = {"type": connect._CONNECT_TO_PRIMITIVE[kind], **_props(schema)}
        if kind in ("int8", "int16"):
            out["connect.type"] = kind
        if name == DECIMAL and kind == "bytes":
            params = schema.get("parameters") or {}
            out["logicalType"] = "decimal"
            out["scale"] = int(params.get("scale", 0))
            out["precision"] = int(params.get("connect.decimal.precision", connect.DEFAULT_DECIMAL_PRECISION))
        elif name in _LOGICAL:
            out["logicalType"] = _LOGICAL[name]
        return out if len(out) > 1 else out["type"]
    if kind == "array":
        return {"type": "array", "items": _avro(schema.get("items") or {}, names), **_props(schema)}
    if kind == "map":
        keys = schema.get("keys") or {}
        values = _avro(schema.get("values") or {}, names)
        if keys.get("type") == "string" and not keys.get("optional"):
            return {"type": "map", "values": values, **_props(schema)}
        entry = {
            "type": "record",
            "fields": [{"name": "key", "type": _avro(keys, names)}, {"name": "value", "type": values}],
        }
        return {"type": "array", "items": names.claim("io.confluent.connect.avro.MapEntry", entry), **_props(schema)}
    if kind == "struct":
        if isinstance(name, str) and names.connect.get(name) == _unfielded(schema):
            return _full_name(name)  # the same Connect schema again: AvroData's cached conversion
        body: dict[str, Any] = {"type": "record", "fields": [_field(f, names) for f in schema.get("fields") or []]}
        if isinstance(schema.get("doc"), str):
            body["doc"] = schema["doc"]
        body.update(_props(schema))
        if isinstance(name, str) and name:
            names.connect.setdefault(name, _unfielded(schema))
            return names.claim(name, body)
        names.anonymous += 1
        suffix = "" if names.anonymous == 1 else str(names.anonymous)
        return names.claim(f"{_ANONYMOUS}{suffix}", body)
    raise NotExpressible(WHY_FIT)


def _unfielded(schema: dict[str, Any]) -> dict[str, Any]:
    """A field's Connect schema without its field name (the type it holds)."""
    return {k: v for k, v in schema.items() if k != "field"}


def _full_name(name: str) -> str:
    return ".".join(scrub(part) for part in name.split("."))


def scrub(name: str) -> str:
    """An Avro name for a Connect name, as the converter's ``scrub.invalid.names=true``
    makes it: every character an Avro name cannot hold becomes ``_`` (and a leading
    digit gets one in front). ``connect.name`` keeps the Connect name as it was."""
    out = re.sub(r"[^A-Za-z0-9_]", "_", name) or "_"
    return f"_{out}" if out[0].isdigit() else out


def scrubbed(schema: dict[str, Any], payload: Any) -> tuple[dict[str, Any], Any]:
    """A Connect schema and its payload with every struct field name scrubbed."""
    kind = schema.get("type")
    if kind == "struct":
        fields, values, taken = [], {}, set()
        for f in schema.get("fields") or []:
            old = f.get("field")
            if not isinstance(old, str):
                raise NotExpressible(WHY_NAME)
            new = scrub(old)
            if new in taken:
                raise NotExpressible(WHY_NAME)  # two names scrubbed to one
            taken.add(new)
            inner = payload.get(old) if isinstance(payload, dict) else None
            f2, v2 = scrubbed(f, inner)
            fields.append({**f2, "field": new})
            if isinstance(payload, dict) and old in payload:
                values[new] = v2
        return {**schema, "fields": fields}, (values if isinstance(payload, dict) else payload)
    if kind == "array":
        items = schema.get("items") or {}
        out = [scrubbed(items, v)[1] for v in payload] if isinstance(payload, list) else payload
        return {**schema, "items": scrubbed(items, None)[0]}, out
    if kind == "map":
        values_schema = schema.get("values") or {}
        if isinstance(payload, dict):
            payload = {k: scrubbed(values_schema, v)[1] for k, v in payload.items()}
        return {**schema, "values": scrubbed(values_schema, None)[0]}, payload
    return schema, payload


def _field(schema: dict[str, Any], names: _Names) -> dict[str, Any]:
    name = schema.get("field")
    if not isinstance(name, str) or not _AVRO_NAME.fullmatch(name):
        raise NotExpressible(WHY_NAME)
    out: dict[str, Any] = {"name": name, "type": _avro(schema, names)}
    if isinstance(schema.get("doc"), str):
        out["doc"] = schema["doc"]
    default = schema.get("default")
    if default is not None and schema.get("type") != "struct":
        out["default"] = base64.b64decode(default).decode("latin-1") if schema.get("type") == "bytes" else default
    elif schema.get("optional"):
        out["default"] = None
    return out


# -- records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AvroRec:
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, Any], ...]


def _framed(registry: MemoryRegistry, schema: dict[str, Any], payload: Any) -> bytes:
    schema, payload = scrubbed(schema, payload)
    avro = avro_of(schema)
    try:
        parsed = fastavro.parse_schema(connect.strip_logical_types(avro))
        datum = connect.writer_for(schema)(payload)
        out = io.BytesIO()
        fastavro.schemaless_writer(out, parsed, datum)
    except fastavro.schema.SchemaParseException:
        raise NotExpressible(WHY_NAME) from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        raise NotExpressible(WHY_FIT) from None
    return frame(registry.add(avro), out.getvalue())


def _doc(doc: Any) -> tuple[dict[str, Any] | None, Any]:
    """(Connect schema or None, payload) of a JsonConverter document."""
    if isinstance(doc, RawJson) or (isinstance(doc, dict) and any(isinstance(v, RawJson) for v in _walk(doc))):
        raise NotExpressible(WHY_RAW_JSON)
    if isinstance(doc, dict) and set(doc) == {"schema", "payload"} and isinstance(doc["schema"], dict):
        return doc["schema"], doc["payload"]
    if not isinstance(doc, dict):
        raise NotExpressible(WHY_NOT_STRUCT)
    return None, doc


def _walk(node: Any) -> Any:
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def to_avro(records: tuple[Rec, ...], table: str, registry: MemoryRegistry) -> list[AvroRec]:
    """Every record of a case in the Confluent wire format, its schemas in ``registry``.
    Schemaless values of the case share one inferred schema when their columns agree,
    else each has its own (a schema change); keys take their columns' value types."""
    values = [_doc(r.value) if r.value is not None else (None, None) for r in records]
    keys = [_doc(r.key) if r.key is not None else (None, None) for r in records]
    schemaless = [p for s, p in values if s is None and p is not None]
    shared: dict[str, Any] | None = None
    if schemaless:
        try:
            shared = value_schema(schemaless, table)
        except NotExpressible:
            shared = None
    out = []
    last_value_schema = shared or next((s for s, _ in values if s is not None), None)
    for (vs, vp), (ks, kp), rec in zip(values, keys, records, strict=True):
        if vp is not None and vs is None:
            vs = shared or value_schema([vp], table)
        if vs is not None:
            last_value_schema = vs
        if kp is not None and ks is None:
            ks = key_schema(kp, vs or last_value_schema, table)
        value = _framed(registry, vs, vp) if vs is not None else None
        key = _framed(registry, ks, kp) if ks is not None else None
        headers = tuple(
            (name, _key_header(registry, name, h, vs or last_value_schema, table)) for name, h in rec.headers
        )
        out.append(AvroRec(key, value, headers))
    return out


def _key_header(registry: MemoryRegistry, name: str, header: Any, value: dict[str, Any] | None, table: str) -> Any:
    """A PK-change key header (``__debezium.oldkey``/``newkey``: a key struct) as the
    key converter writes it, base64 of the framed bytes as file mode carries them;
    any other header as it was (the header converter's, not Avro)."""
    if name not in KEY_HEADERS or not isinstance(header, dict):
        return header
    schema, payload = _doc(header)
    if schema is None:
        schema = key_schema(payload, value, table)
    return base64.b64encode(_framed(registry, schema, payload)).decode("ascii")


def read_back(registry: MemoryRegistry, raw: bytes) -> str:
    """A framed record read as a plain consumer reads it, as JSON text (bytes as latin-1)."""
    from tests.avro_support import read_avro

    try:
        _, value = read_avro(registry, raw)
    except (OverflowError, ValueError):  # a time no calendar holds: read its number, as stored
        schema = json.loads(registry.schemas[int.from_bytes(raw[1:5], "big")])
        parsed = fastavro.parse_schema(connect.strip_logical_types(schema))
        value = fastavro.schemaless_reader(io.BytesIO(raw[5:]), parsed, None)
    return json.dumps(
        value, ensure_ascii=False, default=lambda o: o.decode("latin-1") if isinstance(o, bytes) else str(o)
    )
