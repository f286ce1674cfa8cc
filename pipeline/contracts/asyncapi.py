"""An AsyncAPI 3.0 document per CDR topic, from its computed CDR schema: the channel (the
topic), a receive operation for consumers, and the record's key and value as JSON Schema
with each field's PII entity and treatment. Pure."""

from __future__ import annotations

import re
from typing import Any

from pipeline.contracts.cdrschema import CdrField, CdrSchema
from pipeline.contracts.revdiff import topic_version

ASYNCAPI_VERSION = "3.0.0"
_JSON_TYPES = {
    "int8": "integer",
    "int16": "integer",
    "int32": "integer",
    "int64": "integer",
    "float": "number",
    "float32": "number",
    "float64": "number",
    "double": "number",
    "boolean": "boolean",
    "string": "string",
    "bytes": "string",  # base64, as the JsonConverter writes it
    "array": "array",
    "map": "object",
    "struct": "object",
}
_ID = re.compile(r"[^\w.\-]")


def field_schema(f: CdrField) -> dict[str, Any]:
    """The JSON Schema of one CDR field's value (no type when it is the source's, unknown here)."""
    out: dict[str, Any] = {}
    json_type = _JSON_TYPES.get(f.type or "")
    if json_type is not None:
        out["type"] = [json_type, "null"] if f.optional is not False else json_type
    notes = [f"pii: {f.pii}", f"treatment: {f.treatment}"]
    if f.logical:
        notes.append(f"logical type: {f.logical}")
    if f.type is None:
        notes.append("type: as the source column")
    out["description"] = "; ".join(notes)
    out["x-cdr-pii"] = f.pii
    out["x-cdr-treatment"] = f.treatment
    return out


def row_schema(fields: tuple[CdrField, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.name: field_schema(f) for f in fields},
        "required": [f.name for f in fields if f.optional is False],
    }


def asyncapi_document(schema: CdrSchema, description: str = "", server: str | None = None) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of ``schema``'s topic; ``server`` is ``host:port`` of a broker."""
    _, version = topic_version(schema.topic)
    channel = _ID.sub("_", schema.topic)
    row = row_schema(schema.fields)
    value = {
        "type": "object",
        "description": "A CDR change event (JSON envelope): the row before and after the change, treated.",
        "properties": {
            "schema": {"type": ["object", "null"], "description": "The Connect schema of the payload"},
            "payload": {
                "type": "object",
                "properties": {
                    "op": {"type": "string", "enum": ["c", "u", "d", "r"]},
                    "before": {"oneOf": [{"type": "null"}, row]},
                    "after": {"oneOf": [{"type": "null"}, row]},
                    "ts_ms": {"type": ["integer", "null"]},
                },
            },
        },
    }
    message: dict[str, Any] = {
        "name": "cdrChangeEvent",
        "title": f"Change of {schema.table}",
        "contentType": "application/json",
        "headers": {
            "type": "object",
            "properties": {
                "cdr.pii": {"type": "string", "description": "the sensitive fields of this record and their treatment"},
                "cdr.policy": {"type": "string", "description": "fingerprint of the policy that treated it"},
            },
        },
        "payload": value,
    }
    if schema.key:
        message["bindings"] = {"kafka": {"key": row_schema(schema.key), "bindingVersion": "0.5.0"}}
    doc: dict[str, Any] = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": schema.topic,
            "version": str(version),
            "description": (description + "\n\n" if description else "")
            + f"CDR topic of {schema.table} (source topic {schema.source_topic}); owner {schema.owner}; "
            f"compatibility {schema.compatibility}.",
            "x-owner": schema.owner,
        },
        "defaultContentType": "application/json",
        "channels": {
            channel: {
                "address": schema.topic,
                "messages": {"cdrChangeEvent": {"$ref": "#/components/messages/cdrChangeEvent"}},
            }
        },
        "operations": {
            "consumeChanges": {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel}"},
                "messages": [{"$ref": f"#/channels/{channel}/messages/cdrChangeEvent"}],
            }
        },
        "components": {"messages": {"cdrChangeEvent": message}},
    }
    if server is not None:
        doc["servers"] = {"kafka": {"host": server, "protocol": "kafka"}}
        doc["channels"][channel]["servers"] = [{"$ref": "#/servers/kafka"}]
    return doc
