"""format: avro against the real registry (Apicurio) under BACKWARD: a table gains a
required column with a default (``ALTER TABLE ... ADD COLUMN contact text NOT NULL
DEFAULT ...``) that the declaration treats. The new CDR schema must still read the
records written before it, so the treated field needs a default: the registry accepts
the new version, every record is published (none dead-lettered as
``schema_incompatible``), and the default it holds is the treated one (the value a
record holding the source default carries), never the source default."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from tests.integration.test_avro_service import _process_file
from tests.planted import expect
from tests.support import write_declarations

pytestmark = pytest.mark.integration

SOURCE_DEFAULT = "nobody.here@example.com"
DECLARATION = """\
    table: inventory.members
    source_topic: {source}
    cdr_topic: {cdr}
    owner: test
    columns:
      id:      {{pii: none}}
      status:  {{pii: none}}
      contact: {{pii: EMAIL_ADDRESS, treatment: hash}}
      badge:   {{pii: PERSON, treatment: {{mask: {{keep_last: 2}}}}}}
"""
V1: dict[str, Any] = {
    "type": "record",
    "name": "Value",
    "namespace": "srv.inventory.members",
    "fields": [{"name": "id", "type": "int"}, {"name": "status", "type": "string", "default": "active"}],
}
V2: dict[str, Any] = {
    **V1,
    "fields": [
        *V1["fields"],
        {"name": "contact", "type": "string", "default": SOURCE_DEFAULT},
        {"name": "badge", "type": "string", "default": "unassigned"},
    ],
}


def test_a_treated_required_column_added_with_a_default_keeps_the_subject_compatible(
    schema_registry_url: str, tmp_path: Path
) -> None:
    source = f"avro.inventory.members.d{uuid.uuid4().hex[:8]}"
    cdr = f"cdr.{source}.v1"
    write_declarations(tmp_path / "schemas", {"members.yaml": DECLARATION.format(source=source, cdr=cdr)})
    config = tmp_path / "cdr.yaml"
    config.write_text(f"schemas: schemas\nformat: avro\nschema_registry:\n  url: {schema_registry_url}\n")
    client = SchemaRegistryClient({"url": schema_registry_url, "timeout": 20})
    context = SerializationContext(source, MessageField.VALUE)
    old, new = AvroSerializer(client, json.dumps(V1)), AvroSerializer(client, json.dumps(V2))
    rows = [
        old({"id": 1, "status": "active"}, context),
        old({"id": 2, "status": "closed"}, context),
        new({"id": 3, "status": "active", "contact": "mara.quist@example.org", "badge": "Mara Quist"}, context),
        new({"id": 4, "status": "active", "contact": SOURCE_DEFAULT, "badge": "unassigned"}, context),
    ]
    lines = [
        {"topic": source, "offset": i, "key": None, "value": base64.b64encode(v).decode()} for i, v in enumerate(rows)
    ]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    _process_file(config, tmp_path / "in.jsonl", tmp_path / "out.jsonl")

    dlq = tmp_path / "out.dlq.jsonl"
    reasons = [json.loads(line)["error"]["reason"] for line in dlq.read_text().splitlines()] if dlq.exists() else []
    expect(not reasons, f"dead-lettered: {reasons}")
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    expect(len(out) == 4, f"{len(out)} of 4 records published")
    subject = f"{cdr}-value"
    expect(client.get_compatibility(subject) == "BACKWARD", "the CDR subject is not under BACKWARD")
    versions = client.get_versions(subject)
    expect(len(versions) == 2, f"{len(versions)} CDR schema versions, wanted 2")
    latest = json.loads(client.get_version(subject, versions[-1]).schema.schema_str)
    fields = {f["name"]: f for f in latest["fields"]}
    deserialize = AvroDeserializer(client)
    at_default = deserialize(base64.b64decode(out[3]["value"]), SerializationContext(cdr, MessageField.VALUE))
    expect(fields["contact"].get("default") == at_default["contact"], "contact: not the treated default")
    expect(fields["badge"].get("default") == at_default["badge"] == "********ed", "badge: not the masked default")
    registered = json.dumps([client.get_version(subject, v).schema.schema_str for v in versions])
    expect(SOURCE_DEFAULT not in registered, "the source default reached the registry")
    # a reader of the new version reads a record written before the column existed
    first = deserialize(base64.b64decode(out[0]["value"]), SerializationContext(cdr, MessageField.VALUE))
    expect(first["id"] == 1 and "contact" not in first, "the first record was not written with the first version")
