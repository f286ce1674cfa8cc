"""The CDR schema computed from a declaration: types after treatments, PII tags, key
fields; held against the schema the running processor actually publishes."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from pipeline.config import default_treatments
from pipeline.contracts.cdrschema import cdr_schema, treated_field
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.core.events import Published
from pipeline.core.treatments.spec import parse_treatment
from pipeline.declarations.loader import load_declarations
from tests.support import doc, example, make_processor, record, write_declarations

INT_REQUIRED = {"field": "c", "type": "int32", "optional": False}
DATE = {"field": "c", "type": "int32", "optional": False, "name": "io.debezium.time.Date"}


@pytest.mark.parametrize(
    ("treatment", "source", "expected"),
    [
        # (type, logical, optional, format)
        ("pass", INT_REQUIRED, ("int32", None, False, "source")),
        ("tag", INT_REQUIRED, ("int32", None, False, "source")),
        ("hash", INT_REQUIRED, ("string", None, False, "hash")),
        ({"mask": {"keep_last": 4}}, INT_REQUIRED, ("string", None, False, "mask(keep_last=4)")),
        ("redact", INT_REQUIRED, ("string", None, False, "redact")),
        ("null", INT_REQUIRED, ("int32", None, True, "null")),
        ("redact_detected", INT_REQUIRED, ("int32", None, True, "redact_detected")),
        ({"generalize": {"to": "year"}}, DATE, ("int32", "io.debezium.time.Date", False, "generalize(to=year)")),
        ({"generalize": {"bucket": 10}}, INT_REQUIRED, ("int32", None, False, "generalize(bucket=10)")),
        # source unknown: text treatments still know their type; the rest keep the source's
        ("hash", None, ("string", None, None, "hash")),
        ("pass", None, (None, None, None, "source")),
        ("null", None, (None, None, True, "null")),
    ],
)
def test_type_after_treatment(treatment, source, expected) -> None:
    field = treated_field("c", parse_treatment(treatment), source, pii="X", declared=True)
    assert field is not None
    assert (field.type, field.logical, field.optional, field.format) == expected


def test_drop_removes_the_field() -> None:
    assert treated_field("c", parse_treatment("drop"), INT_REQUIRED, pii="X", declared=True) is None


DECL = """\
table: inventory.customers
source_topic: PostgreSQL_server.inventory.customers
cdr_topic: cdr.customers.v1
owner: crm
undeclared: {undeclared}
key: [id]
columns:
  id:         {{pii: none}}
  first_name: {{pii: PERSON, treatment: {first}}}
  last_name:  {{pii: PERSON, treatment: {{mask: {{keep_first: 1}}}}}}
"""


def _source_fields(event: dict) -> dict[str, dict]:
    after = next(f for f in event["schema"]["fields"] if f["field"] == "after")
    return {f["field"]: f for f in after["fields"]}


@pytest.mark.parametrize("undeclared", ["mask", "drop", "pass"])
@pytest.mark.parametrize("first", ["hash", "drop", "null", "tag", "redact"])
def test_schema_matches_what_the_processor_publishes(tmp_path: Path, undeclared: str, first: str) -> None:
    event = example("pg_create_full_schema.json")
    text = DECL.format(undeclared=undeclared, first=first)
    proc = make_processor(tmp_path / "s", {"c.yaml": text})
    key = {
        "schema": {
            "type": "struct",
            "fields": [{"type": "int32", "optional": False, "field": "id"}],
            "optional": False,
        },
        "payload": {"id": 1},
    }
    out = proc.process(record("PostgreSQL_server.inventory.customers", copy.deepcopy(event), key=key))
    assert isinstance(out, Published), out
    value = doc(out.records[0].value)
    published = _source_fields(value)
    decl = load_declarations(tmp_path / "s", BUILTIN_ENTITIES, default_treatments()).for_topic(
        "PostgreSQL_server.inventory.customers"
    )
    assert decl is not None
    computed = cdr_schema(decl, default_treatments(), _source_fields(event))
    assert [f.name for f in computed.fields] == list(published)
    for f in computed.fields:
        pub = published[f.name]
        assert (f.type, f.optional, f.logical) == (pub["type"], pub["optional"], pub.get("name")), f.name
        params = pub.get("parameters") or {}
        if "cdr.pii" in params:  # the PII tag the processor writes is the one computed
            assert params["cdr.pii"] == f.pii and params["cdr.treatment"] == f.treatment, f.name
    published_key = doc(out.records[0].key)
    key_fields = {f["field"]: f for f in published_key["schema"]["fields"]}
    assert [(f.name, f.type, f.optional) for f in computed.key] == [
        (n, k["type"], k["optional"]) for n, k in key_fields.items()
    ]


def test_pii_key_is_hashed_in_the_key_schema(tmp_path: Path) -> None:
    root = write_declarations(
        tmp_path / "s",
        {
            "n.yaml": """\
            table: public.subs
            source_topic: shop.public.subs
            cdr_topic: cdr.subs.v1
            owner: marketing
            key: [email]
            columns:
              email: {pii: EMAIL_ADDRESS, treatment: drop}
              topics: {pii: none}
            """
        },
    )
    decl = load_declarations(root, BUILTIN_ENTITIES, default_treatments()).for_topic("shop.public.subs")
    assert decl is not None
    schema = cdr_schema(decl, default_treatments(), {"email": {"type": "string", "optional": False}})
    assert [f.name for f in schema.fields] == ["topics"]  # dropped from the value...
    (key,) = schema.key
    assert (key.name, key.type, key.format, key.pii) == (
        "email",
        "string",
        "hash",
        "EMAIL_ADDRESS",
    )  # ...hashed in the key
    assert schema.pii_fields == {}
    assert key.line == 7


def test_undeclared_columns_follow_the_policy_and_personal_names_are_dropped(tmp_path: Path) -> None:
    root = write_declarations(
        tmp_path / "s",
        {
            "t.yaml": """\
            table: public.t
            source_topic: shop.public.t
            cdr_topic: cdr.t.v1
            owner: x
            undeclared: detect
            columns:
              id: {pii: none}
            """
        },
    )
    decl = load_declarations(root, BUILTIN_ENTITIES, default_treatments()).for_topic("shop.public.t")
    assert decl is not None
    source = {
        "id": {"type": "int32", "optional": False},
        "score": {"type": "int32", "optional": False},
        "ann@example.com": {"type": "string", "optional": True},
    }
    schema = cdr_schema(decl, default_treatments(), source)
    assert len(schema.fields) == 2, "a column named like personal data is dropped, name and value"
    assert [(f.name, f.type, f.optional, f.format, f.pii) for f in schema.fields] == [
        ("id", "int32", False, "source", "none"),
        ("score", "int32", True, "withhold", "undeclared"),  # withheld: type kept, optional
    ]
