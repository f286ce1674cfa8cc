"""The Debezium JSON codec's two paths: compact ``{"schema":..,"payload":..}`` records
(what JsonConverter writes) parse the schema once per distinct byte string; anything else
takes the full parse. Both must give the same document, and the fast path must never
split a record in the wrong place."""

from __future__ import annotations

import json
import math

import pytest

from pipeline.errors import DecodeError
from pipeline.formats.json.debezium import JsonDoc, decode_doc
from tests.support import SHARED_EVENTS

STRUCT = {"type": "struct", "fields": [{"type": "int64", "optional": False, "field": "id"}], "optional": False}


def compact(doc: object) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def spaced(doc: object) -> bytes:
    return json.dumps(doc, indent=1).encode()


def same(a: JsonDoc, b: JsonDoc) -> None:
    assert (a.payload, a.schema, a.enveloped, a.fast) == (b.payload, b.schema, b.enveloped, b.fast)
    assert (a.schema_key is None) == (b.schema_key is None)


def wire_documents() -> list[tuple[str, object]]:
    """Every key and value document with a schema in the shared examples."""
    out = []
    for path in sorted(SHARED_EVENTS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if set(item) == {"schema", "payload"} and isinstance(item["schema"], dict | None):
                    out.append((path.name, item))
                else:
                    stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return out


def test_examples_decode_alike_on_both_paths() -> None:
    docs = wire_documents()
    assert len(docs) >= 10
    for _name, d in docs:
        same(decode_doc(compact(d), "value"), decode_doc(spaced(d), "value"))


@pytest.mark.parametrize(
    "doc",
    [
        # A struct default holding a key named "payload": the first ',"payload":' is inside the schema.
        {"schema": {**STRUCT, "default": {"x": 1, "payload": 2}}, "payload": {"id": 1}},
        # Parameters with arbitrary keys.
        {"schema": {**STRUCT, "parameters": {"a": "b", "payload": ',"payload":'}}, "payload": {"id": 2}},
        # A string value shaped like the separator.
        {"schema": STRUCT, "payload": {"id": 3, "note": ',"payload":{}'}},
        {"schema": None, "payload": {"id": 4}},
        {"schema": STRUCT, "payload": None},
        {"schema": STRUCT, "payload": {"id": 2**63 - 1}},
    ],
)
def test_fast_path_splits_only_at_the_real_separator(doc: dict) -> None:
    fast = decode_doc(compact(doc), "value")
    assert fast.payload == doc["payload"] and fast.schema == doc["schema"] and fast.enveloped
    same(fast, decode_doc(spaced(doc), "value"))


def test_keys_after_the_payload_take_the_full_parse() -> None:
    raw = compact({"schema": STRUCT, "payload": {"id": 1}})[:-1] + b',"extra":1}'
    got = decode_doc(raw, "value")
    assert not got.enveloped and got.payload["extra"] == 1  # not an envelope: a three-key object


def test_non_finite_floats_round_trip_through_the_full_parse() -> None:
    raw = b'{"schema":{"type":"struct","fields":[{"type":"double","optional":true,"field":"x"}]},"payload":{"x":NaN}}'
    got = decode_doc(raw, "value")
    assert math.isnan(got.payload["x"]) and got.fast is False and got.schema is not None


def test_repeated_schema_bytes_are_parsed_once() -> None:
    first = decode_doc(compact({"schema": STRUCT, "payload": {"id": 1}}), "key")
    second = decode_doc(compact({"schema": STRUCT, "payload": {"id": 2}}), "key")
    assert first.schema is second.schema and first.schema_key == second.schema_key
    assert second.payload == {"id": 2}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"schema":{"type":"struct"},"payload":{"id":1', "invalid_json"),
        (b'{"schema":"x","payload":{"id":1}}', "schema_invalid"),
        (b'{"schema":{"fields":[]},"payload":{"id":1}}', "schema_invalid"),
        (b'{"schema":{"type":"struct"},"payload":{"id":"\xff"}}', "invalid_utf8"),
    ],
)
def test_bad_records_get_the_full_parse_errors(raw: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_doc(raw, "value")
    assert info.value.reason == reason


def test_schemas_of_one_length_and_ending_are_told_apart() -> None:
    # Same length, same last bytes, different first field name: the index of schemas seen
    # finds a candidate by length and ending, and only bytes compared in place confirm it.
    tail = [{"type": "string", "optional": True, "field": "note" * 10}]
    first = {"type": "struct", "fields": [{"type": "int64", "optional": False, "field": "aa"}, *tail]}
    second = {"type": "struct", "fields": [{"type": "int64", "optional": False, "field": "bb"}, *tail]}
    assert len(compact(first)) == len(compact(second))
    for _ in range(2):
        for schema, n in ((first, 1), (second, 2)):
            got = decode_doc(compact({"schema": schema, "payload": {"aa" if n == 1 else "bb": n}}), "value")
            assert got.schema == schema and got.payload == {("aa" if n == 1 else "bb"): n}
