"""Avro schemas and Kafka Connect schemas, both ways, and the values between them. Pure.

Debezium's Avro converters (Confluent's, Apicurio's) write a Connect schema as Avro the
way Connect's ``AvroData`` does: optional types as a union with ``"null"``, ``int8``/
``int16`` as ``int`` with ``connect.type``, a named schema's name, version and parameters
as ``connect.name``/``connect.version``/``connect.parameters``, Connect ``Decimal`` as
``bytes`` with the ``decimal`` logical type, Connect ``Date``/``Time``/``Timestamp`` with
Avro's logical types. Debezium's own semantic types (``io.debezium.time.*``, ``Json``,
``Uuid``, ``Enum``, ``VariableScaleDecimal``, geometries) are plain Avro types that only
``connect.name`` tells apart.

:func:`reader_for` turns a writer schema into the Connect schema JsonConverter would
have written for the same data, and a converter from fastavro's decoded value to the
JSON payload JsonConverter writes (bytes and decimals as base64; Avro enums as text):
the core then reads an Avro record exactly as it reads a JSON one. :func:`avro_schema`
goes the other way for the CDR schema: the Connect schema the core derived (types after
treatments, dropped fields gone, nulled fields optional) becomes Avro, with the
``cdr.pii``/``cdr.treatment``/``cdr.detected`` parameters as field properties and the
defaults the core kept (a released column's clean default, a treated required field's
default as its treatment writes it: never the source's); :func:`writer_for` converts
the JSON payload back.

Values are read and written with every ``logicalType`` stripped from the schema given
to fastavro: the binary encoding is the same, and values stay in the form the core and
JsonConverter use (days, epoch units, unscaled decimal bytes), never Python dates.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from pipeline.core.logical import DECIMAL
from pipeline.errors import CdrError

Conv = Callable[[Any], Any]
AvroType = Any  # a JSON Avro schema: a name, a list (union) or a dict

CDR_PROPERTIES = ("cdr.pii", "cdr.treatment", "cdr.detected")
CONNECT_DATE = "org.apache.kafka.connect.data.Date"
CONNECT_TIME = "org.apache.kafka.connect.data.Time"
CONNECT_TIMESTAMP = "org.apache.kafka.connect.data.Timestamp"
_LOGICAL_BY_CONNECT = {CONNECT_DATE: "date", CONNECT_TIME: "time-millis", CONNECT_TIMESTAMP: "timestamp-millis"}
_PRIMITIVE_TO_CONNECT = {
    "int": "int32",
    "long": "int64",
    "float": "float",
    "double": "double",
    "boolean": "boolean",
    "string": "string",
    "bytes": "bytes",
}
_CONNECT_TO_PRIMITIVE = {
    "int8": "int",
    "int16": "int",
    "int32": "int",
    "int64": "long",
    "float": "float",
    "float32": "float",
    "double": "double",
    "float64": "double",
    "boolean": "boolean",
    "string": "string",
    "bytes": "bytes",
}
_MAX_DEPTH = 64
DEFAULT_DECIMAL_PRECISION = 64  # what Connect's AvroData writes when the schema gives none


class SchemaUnsupported(CdrError, ValueError):
    """An Avro or Connect schema this format does not map (the message names the
    construct, never a value)."""


def _identity(value: Any) -> Any:
    return value


def _to_base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _from_base64(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise ValueError("a bytes field holds neither base64 text nor bytes")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a bytes field is not valid base64") from None


def _nullable(conv: Conv) -> Conv:
    if conv is _identity:
        return conv

    def convert(value: Any) -> Any:
        return None if value is None else conv(value)

    return convert


# -- Avro -> Connect (reading source records) ---------------------------------------------


def strip_logical_types(schema: AvroType) -> AvroType:
    """The schema without ``logicalType`` anywhere (same binary encoding, raw values)."""
    if isinstance(schema, list):
        return [strip_logical_types(s) for s in schema]
    if isinstance(schema, dict):
        out = {k: strip_logical_types(v) for k, v in schema.items() if k != "logicalType"}
        return out
    return schema


MAX_FIELDS = 4096  # MySQL's column limit; PostgreSQL's is 1,600


def field_count(schema: AvroType, limit: int = MAX_FIELDS, depth: int = 0) -> int:
    """The record fields of a schema, nested ones included; the walk stops once the
    count is past ``limit`` (the answer is then some number over it)."""
    if depth > _MAX_DEPTH:
        return limit + 1
    if isinstance(schema, list):
        total = 0
        for branch in schema:
            total += field_count(branch, limit - total, depth + 1)
            if total > limit:
                break
        return total
    if not isinstance(schema, dict):
        return 0
    kind = schema.get("type")
    if isinstance(kind, dict | list):
        return field_count(kind, limit, depth + 1)
    if kind == "record":
        fields = schema.get("fields") or []
        total = len(fields)
        for f in fields:
            if total > limit:
                break
            if isinstance(f, dict):
                total += field_count(f.get("type"), limit - total, depth + 1)
        return total
    if kind == "array":
        return field_count(schema.get("items"), limit, depth + 1)
    if kind == "map":
        return field_count(schema.get("values"), limit, depth + 1)
    return 0


def reader_for(expanded: AvroType) -> tuple[dict[str, Any], Conv]:
    """(the Connect schema, decoded value -> JsonConverter payload) of an *expanded*
    writer schema (``fastavro.schema.expand_schema``: every named type inlined).

    An array whose items can take zero bytes (null, an empty record) is refused:
    a few bytes of such a record could claim billions of items, so a record's size
    would no longer bound the work and memory of reading it. So is a schema of more than
    :data:`MAX_FIELDS` fields: in Avro a field can take one byte (a null), so a record of a
    few kilobytes could make every column's name and value checked tens of thousands of
    times, work its size no longer bounds."""
    if field_count(expanded) > MAX_FIELDS:
        raise SchemaUnsupported(f"a schema of more than {MAX_FIELDS} fields")
    return _to_connect(expanded, False, 0)


def _can_be_empty(schema: AvroType, depth: int = 0) -> bool:
    """Whether a value of this type can be encoded in zero bytes."""
    if depth > _MAX_DEPTH:
        return True
    if isinstance(schema, list):
        return False  # a union writes its branch index: at least one byte
    kind = schema.get("type") if isinstance(schema, dict) else schema
    if isinstance(kind, dict | list):
        return _can_be_empty(kind, depth + 1)
    if kind == "null":
        return True
    if kind == "fixed":
        return not schema.get("size")
    if kind == "record":
        return all(_can_be_empty(f["type"], depth + 1) for f in schema.get("fields", []))
    return False


def _branches(union: list[Any]) -> tuple[bool, Any]:
    non_null = [s for s in union if s != "null" and not (isinstance(s, dict) and s.get("type") == "null")]
    if len(non_null) != 1:
        raise SchemaUnsupported(f"a union of {len(non_null)} non-null types (only T or null is mapped)")
    return len(non_null) < len(union), non_null[0]


def _decimal_meta(props: dict[str, Any], out: dict[str, Any]) -> None:
    """Connect's ``Decimal`` name, version and scale (and precision) of an Avro decimal."""
    out["name"] = DECIMAL
    out["version"] = 1
    out["parameters"] = {"scale": str(props.get("scale", 0))}
    if "precision" in props:
        out["parameters"]["connect.decimal.precision"] = str(props["precision"])


def _connect_meta(schema: dict[str, Any], out: dict[str, Any]) -> None:
    name = schema.get("connect.name")
    if isinstance(name, str):
        out["name"] = name
    version = schema.get("connect.version")
    if isinstance(version, int):
        out["version"] = version
    params = schema.get("connect.parameters")
    if isinstance(params, dict) and params:
        out["parameters"] = {str(k): str(v) for k, v in params.items()}


def _to_connect(schema: AvroType, optional: bool, depth: int) -> tuple[dict[str, Any], Conv]:
    if depth > _MAX_DEPTH:
        raise SchemaUnsupported("the schema is nested too deeply")
    if isinstance(schema, list):
        nullable, inner = _branches(schema)
        out, conv = _to_connect(inner, optional or nullable, depth + 1)
        return out, (_nullable(conv) if nullable else conv)
    kind = schema.get("type") if isinstance(schema, dict) else schema
    if isinstance(kind, dict | list):  # {"type": {...}}: a type wrapped once more
        return _to_connect(kind, optional, depth + 1)
    props = schema if isinstance(schema, dict) else {}
    out: dict[str, Any]
    conv: Conv = _identity
    if kind in _PRIMITIVE_TO_CONNECT:
        connect_type = _PRIMITIVE_TO_CONNECT[kind]
        if kind == "int" and props.get("connect.type") in ("int8", "int16"):
            connect_type = props["connect.type"]
        out = {"type": connect_type, "optional": optional}
        if kind == "bytes":
            conv = _to_base64
        _connect_meta(props, out)
        if props.get("logicalType") == "decimal" and "name" not in out:
            _decimal_meta(props, out)
        elif props.get("logicalType") in _LOGICAL_BY_CONNECT.values() and "name" not in out:
            out["name"] = next(n for n, lt in _LOGICAL_BY_CONNECT.items() if lt == props["logicalType"])
            out["version"] = 1
    elif kind == "fixed":
        out = {"type": "bytes", "optional": optional}
        _connect_meta(props, out)
        if props.get("logicalType") == "decimal" and "name" not in out:
            # a decimal in a fixed (another producer's): the number it holds, as Connect's
            # Decimal holds one (sign-extended big-endian two's complement either way), so
            # the guard and the treatments read it as a number, not as opaque bytes
            _decimal_meta(props, out)
        conv = _to_base64
    elif kind == "enum":
        out = {"type": "string", "optional": optional}
        _connect_meta(props, out)
    elif kind == "array":
        if _can_be_empty(props["items"]):
            raise SchemaUnsupported("an array of items that take no bytes")
        items, item_conv = _to_connect(props["items"], False, depth + 1)
        out = {"type": "array", "items": items, "optional": optional}
        _connect_meta(props, out)
        if item_conv is not _identity:

            def conv(value: list[Any], c: Conv = item_conv) -> list[Any]:
                return [c(v) for v in value]

    elif kind == "map":
        values, value_conv = _to_connect(props["values"], False, depth + 1)
        out = {"type": "map", "keys": {"type": "string", "optional": False}, "values": values, "optional": optional}
        _connect_meta(props, out)
        if value_conv is not _identity:

            def conv(value: dict[str, Any], c: Conv = value_conv) -> dict[str, Any]:
                return {k: c(v) for k, v in value.items()}

    elif kind == "record":
        fields = []
        convs: list[tuple[str, Conv]] = []
        for f in props.get("fields", []):
            connect_field, field_conv = _to_connect(f["type"], False, depth + 1)
            connect_field = {**connect_field, "field": f["name"]}
            default = f.get("default")
            if default is not None and connect_field["type"] in (
                "boolean",
                "string",
                "int8",
                "int16",
                "int32",
                "int64",
            ):
                connect_field["default"] = default
            fields.append(connect_field)
            if field_conv is not _identity:
                convs.append((f["name"], field_conv))
        out = {"type": "struct", "fields": fields, "optional": optional}
        _connect_meta(props, out)
        if "name" not in out and isinstance(props.get("name"), str):
            out["name"] = props["name"]
        if convs:

            def conv(value: dict[str, Any], cs: tuple[tuple[str, Conv], ...] = tuple(convs)) -> dict[str, Any]:
                value = dict(value)
                for name, c in cs:
                    v = value.get(name)
                    if v is not None:
                        value[name] = c(v)
                return value

    elif kind == "null":
        raise SchemaUnsupported("a field of type null")
    else:
        raise SchemaUnsupported(f"Avro type {kind!r}" if isinstance(kind, str) else "an Avro type without a name")
    return out, conv


# -- Connect -> Avro (the CDR schema) -------------------------------------------------------

_NAME_PART = re.compile(r"[^A-Za-z0-9_]")


def avro_name(name: str) -> str:
    """A valid Avro full name for a Connect schema name (each dotted part made an identifier)."""
    parts = []
    for part in name.split("."):
        part = _NAME_PART.sub("_", part) or "_"
        parts.append(f"_{part}" if part[0].isdigit() else part)
    return ".".join(parts)


class _Names:
    """Named Avro types of one schema: defined once, referenced by name after."""

    def __init__(self) -> None:
        self.defined: dict[str, Any] = {}
        self.anonymous = 0

    def claim(self, wanted: str, body: dict[str, Any]) -> str | dict[str, Any]:
        """The definition to write (first use), or the name to reference (same body
        again); a different body under a taken name gets a numbered name."""
        name = wanted
        n = 1
        while name in self.defined:
            if self.defined[name] == body:
                return name
            n += 1
            name = f"{wanted}{n}"
        self.defined[name] = body
        return {**body, "name": name}


def avro_schema(connect: dict[str, Any]) -> AvroType:
    """The Avro schema of a Connect (JsonConverter) schema, with the CDR field properties."""
    return _to_avro(connect, _Names(), 0)


def _connect_props(connect: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    name = connect.get("name")
    if isinstance(name, str):
        props["connect.name"] = name
    version = connect.get("version")
    if isinstance(version, int):
        props["connect.version"] = version
    params = {k: v for k, v in (connect.get("parameters") or {}).items() if k not in CDR_PROPERTIES}
    if params:
        props["connect.parameters"] = {str(k): str(v) for k, v in params.items()}
    return props


def _to_avro(connect: dict[str, Any], names: _Names, depth: int) -> AvroType:
    if depth > _MAX_DEPTH:
        raise SchemaUnsupported("the schema is nested too deeply")
    base = _to_avro_required(connect, names, depth)
    return ["null", base] if connect.get("optional") else base


def _to_avro_required(connect: dict[str, Any], names: _Names, depth: int) -> AvroType:
    kind = connect.get("type")
    name = connect.get("name")
    if kind in _CONNECT_TO_PRIMITIVE:
        out: dict[str, Any] = {"type": _CONNECT_TO_PRIMITIVE[kind], **_connect_props(connect)}
        if kind in ("int8", "int16"):
            out["connect.type"] = kind
        if name == DECIMAL and kind == "bytes":
            params = connect.get("parameters") or {}
            out["logicalType"] = "decimal"
            out["scale"] = int(params.get("scale", 0))
            out["precision"] = int(params.get("connect.decimal.precision", DEFAULT_DECIMAL_PRECISION))
        elif name in _LOGICAL_BY_CONNECT:
            out["logicalType"] = _LOGICAL_BY_CONNECT[name]
        return out if len(out) > 1 else out["type"]
    if kind == "array":
        return {
            "type": "array",
            "items": _to_avro(connect.get("items") or {}, names, depth + 1),
            **_connect_props(connect),
        }
    if kind == "map":
        keys = connect.get("keys") or {}
        values = _to_avro(connect.get("values") or {}, names, depth + 1)
        if keys.get("type") == "string" and not keys.get("optional"):
            return {"type": "map", "values": values, **_connect_props(connect)}
        entry = {
            "type": "record",
            "fields": [
                {"name": "key", "type": _to_avro(keys, names, depth + 1)},
                {"name": "value", "type": values},
            ],
        }
        return {"type": "array", "items": names.claim("io.confluent.connect.avro.MapEntry", entry)}
    if kind == "struct":
        fields = []
        for f in connect.get("fields") or []:
            fields.append(_avro_field(f, names, depth))
        body = {"type": "record", "fields": fields, **_connect_props(connect)}
        if isinstance(name, str) and name:
            wanted = avro_name(name)
        else:
            names.anonymous += 1
            wanted = f"io.confluent.connect.avro.ConnectDefault{names.anonymous}"
        return names.claim(wanted, body)
    raise SchemaUnsupported(f"Connect type {kind!r}" if isinstance(kind, str) else "a Connect schema without a type")


def _avro_field(connect_field: dict[str, Any], names: _Names, depth: int) -> dict[str, Any]:
    field_name = connect_field.get("field")
    if not isinstance(field_name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", field_name):
        raise SchemaUnsupported("a field name that is not an Avro name")
    out: dict[str, Any] = {"name": field_name, "type": _to_avro(connect_field, names, depth + 1)}
    params = connect_field.get("parameters") or {}
    for prop in CDR_PROPERTIES:
        if prop in params:
            out[prop] = str(params[prop])
    if connect_field.get("optional"):
        out["default"] = None  # null: no value of the column, so readers of older records work
    elif "default" in connect_field:  # the CDR schema's: released and clean, or the treatment's output
        default = connect_field["default"]
        if isinstance(default, bool | int | float | str) and connect_field.get("type") != "bytes":
            out["default"] = default
    return out


# -- JsonConverter payload -> Avro value (writing CDR records) --------------------------------


def writer_for(connect: dict[str, Any]) -> Conv:
    """JsonConverter payload -> the value fastavro writes with :func:`avro_schema`'s
    schema (logical types stripped): base64 back to bytes, pairs back to map entries."""
    return _writer(connect, 0)


def _writer(connect: dict[str, Any], depth: int) -> Conv:
    if depth > _MAX_DEPTH:
        raise SchemaUnsupported("the schema is nested too deeply")
    kind = connect.get("type")
    conv: Conv = _identity
    if kind == "bytes":
        conv = _from_base64
    elif kind == "array":
        item = _writer(connect.get("items") or {}, depth + 1)
        if item is not _identity:

            def conv(value: list[Any], c: Conv = item) -> list[Any]:
                return [c(v) for v in value]

    elif kind == "map":
        keys = connect.get("keys") or {}
        key_conv = _writer(keys, depth + 1)
        value_conv = _writer(connect.get("values") or {}, depth + 1)
        if keys.get("type") == "string" and not keys.get("optional"):
            if value_conv is not _identity:

                def conv(value: dict[str, Any], c: Conv = value_conv) -> dict[str, Any]:
                    return {k: c(v) for k, v in value.items()}

        else:

            def conv(value: Any, kc: Conv = key_conv, vc: Conv = value_conv) -> list[dict[str, Any]]:
                pairs = value.items() if isinstance(value, dict) else value
                return [{"key": kc(k), "value": vc(v)} for k, v in pairs]

    elif kind == "struct":
        convs = tuple(
            (f["field"], c) for f in connect.get("fields") or [] if (c := _writer(f, depth + 1)) is not _identity
        )
        if convs:

            def conv(value: dict[str, Any], cs: tuple[tuple[str, Conv], ...] = convs) -> dict[str, Any]:
                value = dict(value)
                for name, c in cs:
                    v = value.get(name)
                    if v is not None:
                        value[name] = c(v)
                return value

    return _nullable(conv) if connect.get("optional") else conv
