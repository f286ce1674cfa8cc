"""The Avro run of the ledger checks itself: the records it feeds are Avro as the
Confluent converter writes them (schema metadata kept), the output it searches is the
Avro the codec wrote, and a control leak is caught end to end."""

from __future__ import annotations

import base64
import itertools
import json
from pathlib import Path

import fastavro
import pytest

from pipeline.formats.avro import connect
from tests.avro_support import MemoryRegistry, read_as_json
from tests.security import values as v
from tests.security.avro_records import (
    WHY_NAME,
    NotExpressible,
    avro_of,
    infer,
    key_schema,
    to_avro,
    value_schema,
)
from tests.security.avromode import InMemoryRegistry, avro_planted, run_avro, write_avro_case
from tests.security.cases import BY_ID
from tests.security.cases.common import declaration
from tests.security.events import RawJson, Rec, change, field, key
from tests.security.ledger import CDR, Case, Forms, Haystack, judge

pytestmark = pytest.mark.security


def test_connect_metadata_is_written_as_avrodata_writes_it() -> None:
    schema = {
        "type": "struct",
        "name": "sec.public.t.Value",
        "doc": "table doc",
        "optional": True,
        "fields": [
            {"type": "int64", "optional": False, "field": "id"},
            {
                "type": "string",
                "optional": True,
                "field": "note",
                "doc": "column doc",
                "default": "n/a",
                "parameters": {"__debezium.source.column.comment": "said", "cdr.pii": "none"},
            },
            {"type": "int16", "optional": True, "field": "small"},
        ],
    }
    avro = avro_of(schema)
    assert avro[0] == "null"
    record = avro[1]
    assert (record["name"], record["doc"], record["connect.doc"]) == ("sec.public.t.Value", "table doc", "table doc")
    note = record["fields"][1]
    assert note["doc"] == "column doc" and note["default"] == "n/a"
    assert note["type"][1] == "null"  # a non-null default: the value's branch first
    props = note["type"][0]
    assert props["connect.parameters"] == {"__debezium.source.column.comment": "said", "cdr.pii": "none"}
    assert props["connect.default"] == "n/a"
    assert record["fields"][2] == {
        "name": "small",
        "type": ["null", {"type": "int", "connect.type": "int16"}],
        "default": None,
    }
    # and the project's reader hands the core the same Connect parameters and default
    back, _ = connect.reader_for(fastavro.schema.expand_schema(avro))
    assert back["fields"][1]["parameters"] == schema["fields"][1]["parameters"]
    assert back["fields"][1]["default"] == "n/a"


def test_schemaless_records_get_the_schema_a_connector_declares() -> None:
    payload = change("t", {"id": 3, "name": "x", "score": 1.5, "tags": ["a"], "attrs": {"k": 1}, "gone": None})
    schema = value_schema([payload], "t")
    after = next(f for f in schema["fields"] if f["field"] == "after")
    types = {f["field"]: f["type"] for f in after["fields"]}
    assert types == {
        "id": "int64",
        "name": "string",
        "score": "double",
        "tags": "array",
        "attrs": "map",
        "gone": "string",
    }
    assert key_schema({"id": 3}, schema, "t")["fields"] == [{"type": "int64", "optional": False, "field": "id"}]
    assert infer({"not a name": "v"})["type"] == "map"
    assert infer({"n": 1, "s": "x"})["type"] == "struct"  # members of different types


def test_records_round_trip_through_the_projects_reader() -> None:
    registry = MemoryRegistry()
    fields = [field("id", "int32"), field("blob", "bytes")]
    blob = base64.b64encode(b"\x00\xffbytes").decode()
    rec = Rec(key(1), change("t", {"id": 1, "blob": blob}, fields=fields))
    (out,) = to_avro((rec,), "t", registry)
    assert out.value is not None and out.key is not None
    assert read_as_json(registry, out.value)["after"] == {"id": 1, "blob": blob}
    assert read_as_json(registry, out.key) == {"id": 1}


def test_what_avro_cannot_hold_is_named() -> None:
    with pytest.raises(NotExpressible, match="raw JSON"):
        to_avro((Rec(key(1), change("t", {"id": 1, "n": RawJson("1" * 40)})),), "t", MemoryRegistry())
    clash = change("t", {"id": 1, "a-b": "x", "a.b": "y"}, fields=[field("id", "int32"), field("a-b"), field("a.b")])
    with pytest.raises(NotExpressible) as bad_name:
        to_avro((Rec(key(1), clash),), "t", MemoryRegistry())
    assert str(bad_name.value) == WHY_NAME


def test_invalid_names_are_scrubbed_as_the_converter_does() -> None:
    registry = MemoryRegistry()
    value = change("t", {"id": 1, "a-b": "x"}, fields=[field("id", "int32"), field("a-b")], schema_name="sec.9t.E-n")
    (out,) = to_avro((Rec(key(1), value),), "t", registry)
    assert out.value is not None
    doc = read_as_json(registry, out.value)
    assert doc["after"] == {"id": 1, "a_b": "x"}
    avro = json.loads(registry.schemas[int.from_bytes(out.value[1:5], "big")])
    assert (avro["name"], avro["connect.name"]) == ("sec._9t.E_n", "sec.9t.E-n")


def test_base64_wire_text_is_searched_as_the_bytes_avro_carries() -> None:
    case = BY_ID["bytes-base64-text"]
    registry = MemoryRegistry()
    planted, dropped, _fragments = avro_planted(case, to_avro(case.records, "bytes_base64_text", registry), registry)
    assert (len(planted), dropped) == (len(case.planted), 0)
    assert not set(planted) & {p for p in case.planted if p.endswith("=")}


def test_control_leak_is_caught_end_to_end_in_avro(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A column declared ``tag`` keeps its values by design: the Avro run must find
    them in the Avro CDR records, and account for every record."""
    r = v.rng("control-avro")
    emails = [v.email(r, n) for n in range(1, 11)]
    records = tuple(Rec(key(n), change("control", {"id": n, "contact": e})) for n, e in enumerate(emails))
    case = Case(
        "control-declared-tag-avro",
        "undeclared-columns",
        "control",
        declaration("control", "id: {pii: none}\ncontact: {pii: EMAIL_ADDRESS, treatment: tag}", undeclared="drop"),
        records,
        tuple(emails),
    )
    seen, judged = run_avro(case, tmp_path, monkeypatch)
    problems = judge(judged, seen)
    assert problems == [
        f"control-declared-tag-avro: 10 of 10 planted values found in {CDR} (raw: #0, #1, #2, #3, #4, ...)"
    ]
    lines = (tmp_path / "out.jsonl").read_bytes().splitlines()
    assert len(lines) == 10
    assert all(base64.b64decode(json.loads(line)["value"])[:1] == b"\x00" for line in lines)


def test_schema_metadata_attacks_reach_the_avro_input(tmp_path: Path) -> None:
    """Values hidden in ``doc`` and ``parameters`` are in the registered source schemas
    the codec reads, so the Avro run tries the metadata attack, not a cleaned copy."""
    registry = InMemoryRegistry()
    case = BY_ID["schema-doc-and-parameters"]
    write_avro_case(case, tmp_path, registry)
    hay = Haystack(registry.schemas.values())
    carried = sum(1 for p in case.planted if hay.holds(Forms.of(p)))
    assert carried >= len(case.planted) // 2, f"{carried} of {len(case.planted)} planted values in the schemas"


def test_cdr_records_and_schemas_are_searched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen, _ = run_avro(BY_ID["json-document"], tmp_path, monkeypatch)
    texts = [b.decode("latin-1") if isinstance(b, bytes) else b or "" for b in seen.blobs[CDR]]
    assert any(t.startswith("cdr.sec.json-document-value") for t in texts)  # a CDR subject and its schemas
    assert any(t[:1] == "\x00" for t in texts)  # Avro bytes as written
    assert any(t.startswith("{") and '"after"' in t for t in texts)  # and as a consumer decodes them


def test_pk_change_key_header_goes_through_avro(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A primary-key change: the old key rides in ``__debezium.oldkey`` as Avro (the key
    converter's bytes); the hashed key column is treated there too, and the header goes
    out as Avro."""
    r = v.rng("avro-oldkey")
    emails = [v.email(r, n) for n in range(1, 7)]
    records = tuple(
        Rec(
            {"email": new},
            change("pk", {"email": new, "plan": "gold"}, op="u"),
            (("__debezium.oldkey", {"email": old}),),
        )
        for old, new in itertools.pairwise(emails)
    )
    case = Case(
        "avro-oldkey-hashed",
        "schema-changes",
        "pk change",
        declaration("pk", "email: {pii: EMAIL_ADDRESS, treatment: hash}\nplan: {pii: none}"),
        records,
        tuple(emails),
    )
    seen, judged = run_avro(case, tmp_path, monkeypatch)
    assert judge(judged, seen) == []
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert len(lines) == len(records)
    assert all(base64.b64decode(line["headers"]["__debezium.oldkey"])[:1] == b"\x00" for line in lines)
