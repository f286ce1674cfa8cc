"""What of a source Connect schema the CDR schema keeps (pipeline.core.outschema):
structure, logical names, optionality and decimal parameters; never ``doc``, unknown
parameters or keys; defaults and enum symbols only on released columns, and only clean."""

from __future__ import annotations

import json
from typing import Any

import pytest

from detectors.textscan import TextScanner
from pipeline.core import outschema
from pipeline.errors import DecodeError
from tests.planted import expect, none_found

EMAIL = "olga.petrov41@example.org"
PERSON = "Maria Gonzalez"
PHONE = "6465550199"[:3] + "7203318"  # a valid North American number, not a 555 one


SCANNER = TextScanner(ner=None)  # held here: a check does not keep its scanner alive


@pytest.fixture(scope="module")
def clean() -> outschema.Clean:
    check = outschema.cleaner(SCANNER)
    assert check is not None
    return check


def test_a_check_whose_scanner_is_gone_fails_closed() -> None:
    check = outschema.cleaner(TextScanner(ner=None))
    assert check is not None and not check("gold")


def _f(**extra: Any) -> dict[str, Any]:
    return {"type": "string", "optional": True, "field": "c", **extra}


@pytest.mark.parametrize(
    ("extra", "released", "kept"),
    [
        ({"doc": "a column comment"}, True, {}),
        ({"x-note": "anything"}, True, {}),
        ({"version": "1"}, True, {}),
        ({"version": 2}, False, {"version": 2}),
        ({"version": int(PHONE)}, True, {}),
        ({"name": "io.debezium.data.Json"}, False, {"name": "io.debezium.data.Json"}),
        ({"name": EMAIL}, True, {}),
        ({"name": PERSON}, True, {}),
        ({"default": "false"}, True, {"default": "false"}),
        ({"default": "false"}, False, {}),
        ({"default": None}, True, {"default": None}),
        ({"default": EMAIL}, True, {}),
        ({"default": PERSON}, True, {}),
        ({"default": "x" * 200}, True, {}),
    ],
)
def test_field_keys(clean: outschema.Clean, extra: dict[str, Any], released: bool, kept: dict[str, Any]) -> None:
    out = outschema.structural(_f(**extra), clean, released=released)
    expect(out == {**_f(), **kept}, f"kept {sorted(set(out) - set(_f()))}, wanted {sorted(kept)}")


@pytest.mark.parametrize(
    ("kind", "default", "kept"),
    [
        ("int32", 0, True),
        ("int64", -1, True),
        ("int64", 999_999, True),
        ("int64", int(PHONE), False),
        ("int64", 1_577_836_800_000, False),
        ("float64", 1.5, True),
        ("boolean", True, True),
        ("bytes", "AAEC", False),  # base64: not looked into
    ],
    ids=["zero", "minus-one", "six-digits", "phone-digits", "epoch-ms", "float", "boolean", "bytes"],
)
def test_numeric_defaults_of_released_columns(clean: outschema.Clean, kind: str, default: Any, kept: bool) -> None:
    out = outschema.structural(
        {"type": kind, "optional": False, "field": "n", "default": default}, clean, released=True
    )
    expect(("default" in out) is kept, f"default kept: {'default' in out}, wanted {kept}")


def test_a_timestamp_default_stays_on_a_released_column(clean: outschema.Clean) -> None:
    field = {"type": "int64", "optional": False, "field": "t", "name": "io.debezium.time.MicroTimestamp"}
    out = outschema.structural({**field, "default": 1_577_836_800_000_000}, clean, released=True)
    expect(out.get("default") == 1_577_836_800_000_000, "the timestamp default was dropped")


@pytest.mark.parametrize(
    ("params", "kept"),
    [
        ({"scale": "2", "connect.decimal.precision": "10"}, {"scale": "2", "connect.decimal.precision": "10"}),
        ({"length": "16"}, {"length": "16"}),
        ({"__debezium.source.column.length": "2147483647"}, {"__debezium.source.column.length": "2147483647"}),
        ({"__debezium.source.column.length": PHONE}, {}),
        ({"__debezium.source.column.type": "VARCHAR"}, {"__debezium.source.column.type": "VARCHAR"}),
        ({"__debezium.source.column.type": "TINYINT UNSIGNED"}, {"__debezium.source.column.type": "TINYINT UNSIGNED"}),
        (
            {"__debezium.source.column.type": "timestamp with time zone"},
            {"__debezium.source.column.type": "timestamp with time zone"},
        ),
        ({"__debezium.source.column.type": "Kenji Moreau"}, {}),
        ({"__debezium.source.column.type": "Kenji_Moreau"}, {}),
        ({"__debezium.source.column.type": "order_status"}, {"__debezium.source.column.type": "order_status"}),
        ({"__debezium.source.column.type": EMAIL}, {}),
        ({"__debezium.source.column.comment": "ask Maria"}, {}),
        ({"masked": "true"}, {"masked": "true"}),
        ({"cdr.pii": "none"}, {}),  # only the transform says what a field is
        ({"team.contact": EMAIL}, {}),
    ],
)
def test_parameters(clean: outschema.Clean, params: dict[str, str], kept: dict[str, str]) -> None:
    out = outschema.structural(_f(parameters=params), clean, released=True)
    got = out.get("parameters", {})
    expect(got == kept, f"kept {sorted(got)}, wanted {sorted(kept)}")


@pytest.mark.parametrize(
    ("name", "symbols", "released", "kept"),
    [
        ("io.debezium.data.Enum", "station,post_office,a\\,b", True, True),
        ("io.debezium.data.EnumSet", "a,b,c", True, True),
        ("io.debezium.data.Enum", "station,post_office", False, False),
        ("io.debezium.data.Enum", f"gold,{EMAIL}", True, False),
        ("io.debezium.data.Enum", f"gold,{PERSON}", True, False),
        ("io.debezium.data.Enum", ",".join(f"s{i}" for i in range(300)), True, False),
        (None, "a,b", True, False),
    ],
    ids=["enum", "enum-set", "not-released", "email-symbol", "person-symbol", "too-many", "no-enum-name"],
)
def test_enum_symbols(clean: outschema.Clean, name: str | None, symbols: str, released: bool, kept: bool) -> None:
    field = _f(parameters={"allowed": symbols}, **({"name": name} if name else {}))
    out = outschema.structural(field, clean, released=released)
    has_symbols = "allowed" in out.get("parameters", {})
    expect(has_symbols is kept, f"symbols kept: {has_symbols}, wanted {kept}")


def test_nested_schemas_are_rebuilt_the_same_way(clean: outschema.Clean) -> None:
    field = {
        "type": "array",
        "optional": True,
        "field": "tags",
        "doc": "outer",
        "items": {
            "type": "struct",
            "optional": False,
            "doc": "inner",
            "fields": [_f(doc="leaf", default="x"), {"type": "map", "keys": _f(doc="k"), "values": _f(doc="v")}],
        },
    }
    out = outschema.structural(field, clean, released=False)
    text = repr(out)
    clean_out = "doc" not in text and "default" not in text
    assert clean_out, "a nested doc or default was kept"
    assert out["items"]["fields"][1]["keys"]["type"] == "string"


def test_key_order_is_kept(clean: outschema.Clean) -> None:
    field = {"type": "struct", "fields": [], "optional": True, "name": "a.b.Value", "field": "before"}
    assert list(outschema.structural(field, clean)) == ["type", "fields", "optional", "name", "field"]


@pytest.mark.parametrize(
    "field",
    [
        {"type": EMAIL, "field": "c"},
        {"type": 3, "field": "c"},
        {"type": "struct", "fields": [EMAIL]},
        {"type": "struct", "fields": "a"},
        {"type": "struct", "fields": [{"type": "string", "field": {"c": EMAIL}}]},
    ],
)
def test_schemas_no_cdr_schema_can_be_made_of(clean: outschema.Clean, field: dict[str, Any]) -> None:
    with pytest.raises(DecodeError) as caught:
        outschema.structural(field, clean)
    none_found([EMAIL], caught.value.message, where="the error message")


def test_nesting_is_bounded(clean: outschema.Clean) -> None:
    field: dict[str, Any] = {"type": "string"}
    for _ in range(outschema.MAX_DEPTH + 2):
        field = {"type": "array", "items": field}
    with pytest.raises(DecodeError):
        outschema.structural(field, clean)


def test_without_detection_released_defaults_and_symbols_stay() -> None:
    field = _f(default="active", name="io.debezium.data.Enum", parameters={"allowed": "active,closed"}, doc="d")
    out = outschema.structural(field, None, released=True)
    assert out["default"] == "active" and out["parameters"] == {"allowed": "active,closed"} and "doc" not in out


def test_contracts_from_source_fields_carry_no_schema_metadata() -> None:
    """``cdr docs``/``check``/``lineage`` compute contracts from declarations and source
    Connect fields: none of a field's doc, default, parameters or a name that is not a
    Connect name reaches the contract or its AsyncAPI document."""
    from pipeline.config import default_treatments
    from pipeline.contracts.asyncapi import asyncapi_document
    from pipeline.contracts.cdrschema import cdr_schema
    from pipeline.core.entities import BUILTIN_ENTITIES
    from pipeline.declarations.loader import load_declarations
    from tests.support import REPO

    decls = load_declarations(REPO / "schemas" / "shop", BUILTIN_ENTITIES, default_treatments())
    decl = decls.for_topic("shop.public.customers")
    planted = [EMAIL, PERSON, PHONE]
    source = {
        name: {
            "type": "string",
            "optional": False,
            "field": name,
            "name": EMAIL if i % 2 else PERSON,
            "doc": f"{PERSON} {EMAIL}",
            "default": EMAIL,
            "parameters": {"__debezium.source.column.comment": PHONE, "allowed": EMAIL},
        }
        for i, name in enumerate([*decl.columns, "phone"])
    }
    schema = cdr_schema(decl, default_treatments(), source)
    none_found(planted, json.dumps(schema.as_data()), json.dumps(asyncapi_document(schema)), where="the contract")
