"""format: avro against the real registry (Apicurio): a source Avro schema whose docs,
aliases, defaults, enum symbols, Connect parameters and record names hold personal data
(tests/unit/test_avro_schema_metadata.py) is registered by confluent-kafka's own
serializer, ``cdr process`` treats the records, and every CDR schema version the
registry then holds is searched for the planted values."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from tests.integration.test_avro_service import _process_file
from tests.planted import expect
from tests.security.ledger import Forms, Haystack
from tests.support import write_declarations
from tests.unit.test_avro_schema_metadata import DECLARATION, PLANTED, ROW, SOURCE

pytestmark = pytest.mark.integration


def test_registry_holds_no_planted_schema_metadata(schema_registry_url: str, tmp_path: Path) -> None:
    source = f"avro.inventory.people.m{uuid.uuid4().hex[:8]}"
    cdr = f"cdr.{source}.v1"
    declaration = DECLARATION.replace("srv.inventory.people", source).replace("cdr.people.v1", cdr)
    write_declarations(tmp_path / "schemas", {"people.yaml": declaration})
    config = tmp_path / "cdr.yaml"
    config.write_text(
        f"schemas: schemas\nformat: avro\nschema_registry:\n  url: {schema_registry_url}\ndetection:\n  ner: false\n"
    )
    client = SchemaRegistryClient({"url": schema_registry_url, "timeout": 20})
    values = AvroSerializer(client, json.dumps(SOURCE))
    lines = [
        {
            "topic": source,
            "offset": i,
            "key": None,
            "value": base64.b64encode(
                values({**ROW, "id": i}, SerializationContext(source, MessageField.VALUE))
            ).decode(),
        }
        for i in range(3)
    ]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    _process_file(config, tmp_path / "in.jsonl", tmp_path / "out.jsonl")
    published = len((tmp_path / "out.jsonl").read_text().splitlines())
    expect(published == 3, f"{published} of 3 records published")
    subject = f"{cdr}-value"
    versions = client.get_versions(subject)
    expect(bool(versions), "no CDR schema was registered")
    registered = [client.get_version(subject, v).schema.schema_str for v in versions]
    hay = Haystack(registered)
    leaked = [what for what, value in PLANTED.items() if hay.holds(Forms.of(value)) is not None]
    expect(not leaked, f"planted schema metadata in the registry's CDR schema: {leaked}")
    kept_enum = '"connect.name":"io.debezium.data.Enum"' in registered[-1].replace(" ", "")
    expect(kept_enum, "the logical name of the enum column was not kept")
