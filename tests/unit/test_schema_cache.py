"""Caches keyed by a schema hold at most a budget of schema bytes, whatever the count.

A schema is input and can be as large as a record. Before this rule, 300 records with
distinct 500 KB schemas held 1.7 GB in a process (count bounds of 256 per cache); the
caches now hold at most :data:`SCHEMA_BYTES` (or :data:`TABLE_SCHEMA_BYTES` per table)
of schema JSON each, and a schema over :data:`LARGEST_KEPT` is worked out per record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.events import Published
from pipeline.core.schemacache import LARGEST_KEPT, SCHEMA_BYTES, TABLE_SCHEMA_BYTES, SchemaCache, schema_size
from pipeline.formats import documents
from pipeline.formats.json import debezium
from pipeline.formats.json.debezium import decode_doc
from tests.support import doc, make_processor, record

TOPIC = "pg.public.wide"
DECLARATION = (
    f"table: public.wide\nsource_topic: {TOPIC}\ncdr_topic: cdr.wide\nowner: t\n"
    "undeclared: mask\ncolumns:\n  id: {pii: none}\n  email: {pii: EMAIL_ADDRESS, treatment: hash}\n"
)


def test_bounded_by_bytes_then_by_count_oldest_first() -> None:
    evicted: list[str] = []
    cache: SchemaCache[str, int] = SchemaCache(3, max_bytes=LARGEST_KEPT * 2, on_evict=evicted.append)
    assert cache.put("a", 1, LARGEST_KEPT)
    assert cache.put("b", 2, LARGEST_KEPT)
    assert cache.put("c", 3, 10)  # over the bytes: the oldest goes
    assert evicted == ["a"] and cache.get("a") is None and cache.held_bytes == LARGEST_KEPT + 10
    assert cache.put("d", 4, 10)  # three entries at most
    assert cache.put("e", 5, 10)
    assert evicted == ["a", "b"] and len(cache) == 3 and cache.held_bytes == 30
    assert cache.put("d", 6, 20)  # put again: its size is replaced, not added
    assert cache.get("d") == 6 and cache.held_bytes == 40


def test_a_schema_over_the_largest_kept_is_not_kept() -> None:
    cache: SchemaCache[str, int] = SchemaCache(8)
    assert not cache.put("huge", 1, LARGEST_KEPT + 1)
    assert cache.get("huge") is None and len(cache) == 0 and cache.held_bytes == 0
    cache.put("x", 1, 5)
    cache.clear()
    assert len(cache) == 0 and cache.held_bytes == 0


def wide_schema(tag: int, params: int) -> dict[str, Any]:
    """A Debezium envelope schema about ``params`` x 20 bytes per column, distinct by ``tag``."""
    cols = [
        {"type": "int64", "optional": False, "field": "id"},
        {"type": "string", "optional": True, "field": "email"},
        {
            "type": "string",
            "optional": True,
            "field": "note",
            "parameters": {f"p{tag}_{k:06d}": "v" for k in range(params)},
        },
    ]
    row = {"type": "struct", "optional": True, "name": "pg.public.wide.Value", "fields": cols}
    return {
        "type": "struct",
        "optional": False,
        "name": "pg.public.wide.Envelope",
        "fields": [
            dict(row, field="before"),
            dict(row, field="after"),
            {"type": "string", "optional": False, "field": "op"},
        ],
    }


def envelope(tag: int, params: int, ident: int) -> dict[str, Any]:
    payload = {"before": None, "after": {"id": ident, "email": f"someone{ident}@example.org"}, "op": "c"}
    return {"schema": wide_schema(tag, params), "payload": payload}


def raw(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def test_distinct_large_schemas_stay_within_the_decoders_budget() -> None:
    sizes = []
    for tag in range(60):  # 60 x ~300 KB of JSON: several times the budget
        value = raw(envelope(tag, 12_000, tag))
        parsed = decode_doc(value, "value")
        assert parsed.payload["after"]["id"] == tag and parsed.schema == wide_schema(tag, 12_000)
        debezium.envelope_markers(parsed)
        documents.field_types(parsed.schema, parsed.schema_key, row=False)
        sizes.append(schema_size(parsed.schema_key))
    assert sum(sizes) > 2 * SCHEMA_BYTES
    assert 0 < debezium._schemas.held_bytes <= SCHEMA_BYTES
    assert debezium._schema_marker_cache.held_bytes <= SCHEMA_BYTES
    assert documents._types[False].held_bytes <= SCHEMA_BYTES
    # the index beside the parsed schemas follows them out: it names no schema not kept
    assert all(key in debezium._schemas for key in debezium._by_tail.values())


def test_a_schema_over_the_largest_kept_is_read_alike_every_time() -> None:
    value = raw(envelope(1, 40_000, 7))
    assert schema_size(json.dumps(wide_schema(1, 40_000), separators=(",", ":")).encode()) > LARGEST_KEPT
    first, second = decode_doc(value, "value"), decode_doc(value, "value")
    assert first.schema == second.schema == wide_schema(1, 40_000)
    assert first.payload == second.payload and first.fast and second.fast
    assert first.schema_key not in debezium._schemas
    assert first.schema_key not in debezium._by_tail.values()


@pytest.fixture
def wide(tmp_path: Path):
    return make_processor(tmp_path / "d", {"w.yaml": DECLARATION})


def published_after(outcome: Any) -> dict[str, Any]:
    assert isinstance(outcome, Published), type(outcome).__name__
    return doc(outcome.records[0].value)["payload"]["after"]


def test_a_tables_compiled_schemas_stay_within_its_budget(wide) -> None:
    for tag in range(30):  # 30 x ~300 KB of JSON: several times a table's budget
        after = published_after(wide.process(record(TOPIC, envelope(tag, 12_000, tag), offset=tag)))
        assert after["id"] == tag and after["email"] != f"someone{tag}@example.org"
    table = wide.table_for(TOPIC)
    assert table is not None
    assert 0 < table._values.held_bytes <= TABLE_SCHEMA_BYTES


def test_a_record_whose_schema_is_not_kept_is_treated_alike_every_time(tmp_path: Path) -> None:
    # a schema over the largest kept comes only in records over the default limit
    wide = make_processor(tmp_path / "d", {"w.yaml": DECLARATION}, max_record_bytes=4_000_000)
    outs = [wide.process(record(TOPIC, envelope(1, 40_000, 7), offset=i)) for i in range(2)]
    first, second = (published_after(o) for o in outs)
    assert first == second and first["email"] != "someone7@example.org"
    assert outs[0].records[0].value == outs[1].records[0].value
    table = wide.table_for(TOPIC)
    assert table is not None and len(table._values) == 0


def test_the_index_lets_go_of_a_schema_it_found_by_an_equal_copy() -> None:
    """Two schemas of one length and ending share an index slot; the one pushed out of it
    comes back by the slow path, which indexes the record's own (equal) copy. When that
    schema leaves the cache, the copy must leave the index too: else the index would
    hold schema bytes outside every budget."""
    debezium._schemas.clear()
    first, other = (
        wide_schema(tag, 10) | {"name": name} for tag, name in ((1, "first.Envelope"), (1, "other.Envelope"))
    )
    for value in (first, other, first):
        decode_doc(raw({"schema": value, "payload": {"op": "c", "after": {"id": 1}}}), "value")
    for tag in range(2, 2 + debezium._SCHEMAS_MAX):  # every schema above is pushed out
        decode_doc(raw(envelope(tag, 1, tag)), "value")
    assert all(key in debezium._schemas for key in debezium._by_tail.values())
