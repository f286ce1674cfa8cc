"""format: avro, the schema as a channel: a source Avro schema whose record docs,
namespaces, field docs, aliases, defaults, enum symbols, Connect parameters and record
names hold personal data. The CDR schema registered for it holds none of them, and
keeps what consumers need (types, logical names, optionality, a clean default of a
released column, the CDR field properties). The in-memory registry stands in for the
real one here (the registration is the codec's own code either way); the integration
tier (tests/integration/test_avro_service.py) runs Apicurio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.events import Published, SourceRecord
from pipeline.core.processor import Processor
from pipeline.formats.avro.codec import AvroCodec
from tests.avro_support import MemoryRegistry, avro_bytes
from tests.planted import expect
from tests.security.ledger import Forms, Haystack
from tests.support import PATTERNS_ONLY, make_processor
from tests.unit.test_avro_format import with_format

DECLARATION = """\
    table: inventory.people
    source_topic: srv.inventory.people
    cdr_topic: cdr.people.v1
    owner: test
    undeclared: detect
    columns:
      id:     {pii: none}
      email:  {pii: EMAIL_ADDRESS, treatment: hash}
      phone:  {pii: PHONE_NUMBER, treatment: "null"}
      status: {pii: none}
      plan:   {pii: none}
      tier:   {pii: none}
      home:   {pii: none}
"""
# Planted: each must reach no registered schema (searched raw and normalised, as the ledger does).
PLANTED = {
    "record_doc": "kept by Maria Gonzalez, olga.petrov41@example.org",
    "field_doc": "james.okafor17@example.com",
    "alias": "Aisha_Lindqvist",
    "hashed_default": "wei.nakamura55@example.net",
    "nulled_default": "2127203318",
    "released_default": "carlos.moreau23@example.com",
    "enum_doc": "Priya Kowalski",
    "enum_symbol": "Henrik_Whitfield",
    "allowed_symbol": "fatima.haddad88@example.org",
    "comment": "Kenji Osei, 4155827391",
    "record_name": "Liam_Petrov",
    "undeclared_default": "amara.osei12@example.com",
}
SOURCE = {
    "type": "record",
    "name": "Value",
    "namespace": "srv.inventory.people",
    "doc": PLANTED["record_doc"],
    "aliases": [PLANTED["alias"]],
    "connect.name": "srv.inventory.people.Value",
    "fields": [
        {"name": "id", "type": "int", "doc": PLANTED["field_doc"]},
        {"name": "email", "type": "string", "default": PLANTED["hashed_default"], "aliases": [PLANTED["alias"]]},
        {"name": "phone", "type": "string", "default": PLANTED["nulled_default"]},
        {
            "name": "status",
            "type": {
                "type": "string",
                "connect.name": "io.debezium.data.Enum",
                "connect.parameters": {
                    "allowed": f"active,closed,{PLANTED['allowed_symbol']}",
                    "__debezium.source.column.comment": PLANTED["comment"],
                },
            },
            "default": "active",
        },
        {"name": "plan", "type": "string", "default": PLANTED["released_default"]},
        {
            "name": "tier",
            "type": {
                "type": "enum",
                "name": "Tier",
                "symbols": ["gold", PLANTED["enum_symbol"]],
                "doc": PLANTED["enum_doc"],
            },
        },
        {
            "name": "home",
            "type": [
                "null",
                {"type": "record", "name": PLANTED["record_name"], "fields": [{"name": "city", "type": "string"}]},
            ],
            "default": None,
        },
        {"name": "contact", "type": "string", "default": PLANTED["undeclared_default"]},
        {"name": "kind", "type": "string", "default": "basic"},
    ],
}
ROW = {
    "id": 7,
    "email": "x.y@example.org",
    "phone": "n/a",
    "status": "active",
    "plan": "gold",
    "tier": "gold",
    "home": {"city": "Oslo"},
    "contact": "n/a",
    "kind": "basic",
}


@pytest.fixture
def people(tmp_path: Path) -> tuple[Processor, MemoryRegistry]:
    registry = MemoryRegistry()
    processor = make_processor(tmp_path / "schemas", {"people.yaml": DECLARATION}, detection=PATTERNS_ONLY)
    return with_format(processor, AvroCodec(registry)), registry


def _registered(registry: MemoryRegistry) -> list[dict[str, Any]]:
    return [json.loads(registry.schemas[sid]) for ids in registry.subjects.values() for sid in ids]


def test_registered_cdr_schema_carries_no_planted_metadata(people: tuple[Processor, MemoryRegistry]) -> None:
    processor, registry = people
    source_id = registry.add(SOURCE)
    out = processor.process(SourceRecord("srv.inventory.people", 0, 0, None, avro_bytes(registry, SOURCE, ROW), (), 1))
    expect(isinstance(out, Published), f"not published: {getattr(out, 'reason', '')}")
    registered = _registered(registry)
    expect(bool(registered), "no CDR schema was registered")
    hay = Haystack([json.dumps(s) for s in registered])
    leaked = [what for what, value in PLANTED.items() if hay.holds(Forms.of(value)) is not None]
    expect(not leaked, f"planted schema metadata in the registered CDR schema: {leaked}")
    expect(source_id not in registry.subjects["cdr.people.v1-value"], "the source schema was registered as CDR")


def test_registered_cdr_schema_keeps_what_consumers_need(people: tuple[Processor, MemoryRegistry]) -> None:
    processor, registry = people
    out = processor.process(SourceRecord("srv.inventory.people", 0, 0, None, avro_bytes(registry, SOURCE, ROW), (), 1))
    expect(isinstance(out, Published), f"not published: {getattr(out, 'reason', '')}")
    (schema,) = (json.loads(registry.schemas[sid]) for sid in registry.subjects["cdr.people.v1-value"])
    # the planted values are in the source schema: every check fails with a message alone
    fields = {f["name"]: f for f in schema["fields"]}
    expect(schema["name"] == "srv.inventory.people.Value", "the record name was not kept")
    email_default = fields["email"].get("default")
    expect(fields["email"]["cdr.treatment"] == "hash", "email: not hashed")
    # required: its default is the planted one as hashed (what a record holding it carries)
    expect(isinstance(email_default, str) and email_default != PLANTED["hashed_default"], "email: no treated default")
    expect(fields["phone"]["type"][0] == "null" and fields["phone"]["default"] is None, "phone: not nulled")
    status = fields["status"]["type"]
    expect(status["connect.name"] == "io.debezium.data.Enum", "status: the logical name was not kept")
    expect("connect.parameters" not in status, "status: parameters with a planted symbol were kept")
    expect(fields["status"].get("default") == "active", "status: its clean default was not kept")
    expect("default" not in fields["plan"], "plan: an e-mail default was kept")
    expect(fields["kind"].get("default") in (None, "basic"), "kind: another default")
    home = fields["home"]["type"]
    expect(home[0] == "null" and home[1]["type"] == "record", "home: not an optional record")
