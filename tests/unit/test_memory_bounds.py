"""Hostile inputs against the bounds on what a record stream can make a process keep.

Each test sends what an attacker who writes to a source topic can send (distinct
schemas, topics, names) and asserts the bound that holds whatever they send.
"""

from __future__ import annotations

import gc
import json
import random
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.memory_hostile import long_word
from detectors import profiler as profiler_module
from detectors.textscan import TextScanner
from pipeline.config import UndeclaredTopics
from pipeline.core import processor as processor_module
from pipeline.core.events import Published
from pipeline.core.processor import Processor
from pipeline.core.safenames import looks_personal
from pipeline.core.schemacache import (
    LARGEST_KEPT,
    SCHEMA_BYTES,
    TABLES_SCHEMA_BYTES,
    SchemaBudget,
    SchemaCache,
    schema_size,
)
from pipeline.core.transform import PLANS_BYTES
from pipeline.formats import documents
from pipeline.formats.json import debezium
from pipeline.formats.json.debezium import decode_doc
from tests.support import PATTERNS_ONLY, assert_no_raw, doc, make_processor, record

DECLARATION = (
    "table: public.wide\nsource_topic: pg.public.wide\ncdr_topic: cdr.wide\nowner: t\n"
    "undeclared: mask\ncolumns:\n  id: {pii: none}\n"
)


def raw(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def envelope(tag: int, params: int) -> bytes:
    """A Debezium envelope whose schema is about ``params`` x 20 bytes, distinct by ``tag``."""
    cols = [
        {"type": "int64", "optional": False, "field": "id"},
        {
            "type": "string",
            "optional": True,
            "field": "note",
            "parameters": {f"p{tag}_{k:06d}": "v" for k in range(params)},
        },
    ]
    row = {"type": "struct", "optional": True, "name": "t.Value", "fields": cols}
    schema = {
        "type": "struct",
        "optional": False,
        "name": "t.Envelope",
        "fields": [dict(row, field="before"), dict(row, field="after"), {"type": "string", "field": "op"}],
    }
    payload = {"op": "c", "before": None, "after": {"id": tag, "note": "x"}}
    return raw({"schema": schema, "payload": payload})


def test_caches_sharing_a_budget_let_the_oldest_of_any_go_first() -> None:
    budget = SchemaBudget(2 * LARGEST_KEPT)
    first: SchemaCache[str, int] = SchemaCache(8, budget=budget)
    second: SchemaCache[str, int] = SchemaCache(8, budget=budget)
    assert first.put("a", 1, LARGEST_KEPT) and second.put("b", 2, LARGEST_KEPT)
    assert second.put("c", 3, 10)  # over the shared bytes: the oldest, in the other cache, goes
    assert first.get("a") is None and second.get("b") == 2 and second.get("c") == 3
    assert budget.held_bytes == LARGEST_KEPT + 10 == first.held_bytes + second.held_bytes
    second.put("c", 4, 20)  # put again: replaced, not added
    assert budget.held_bytes == LARGEST_KEPT + 20
    second.clear()
    assert budget.held_bytes == 0 and first.held_bytes == 0


def test_the_tables_of_a_default_declaration_share_one_schema_budget(tmp_path: Path) -> None:
    """Under a default declaration every topic gets its own table: a bound per table
    alone let 40 topics of distinct 1 MB schemas hold 4 GB."""
    processor = make_processor(tmp_path / "d", {"w.yaml": DECLARATION}, default_topics=True)
    sent = 0
    for i in range(36):  # 12 topics x 3 schemas of ~300 KB: over the budget of all tables
        value = envelope(i, 15_000)
        sent += schema_size(value)
        out = processor.process(record(f"pg.public.t{i % 12}", value, offset=i))
        assert isinstance(out, Published), type(out).__name__
        assert set(doc(out.records[0].value)["payload"]["after"]) == {"id", "note"}
    assert sent > TABLES_SCHEMA_BYTES * 1.2
    held = sum(t._values.held_bytes + t._keys.held_bytes for t in processor._tables.values())
    assert 0 < held <= TABLES_SCHEMA_BYTES
    assert held == processor.schema_budget.held_bytes


def empty_objects_envelope(tag: int, count: int) -> bytes:
    """An envelope whose schema carries ``count`` empty objects: 3 bytes of JSON each,
    72 bytes each once parsed."""
    schema = {"type": "struct", "name": f"t{tag}.Envelope", "fields": [{"type": "string", "field": "op"}]}
    return raw({"schema": schema | {"junk": [{}] * count}, "payload": {"op": "c"}})


def test_the_decoders_caches_hold_their_budget_parsed_whatever_the_schemas_shape() -> None:
    """The budget bounds what the parsed schemas take, not their JSON: 8 MiB of JSON of
    empty objects took 200 MB parsed, per cache."""
    debezium._schemas.clear()
    documents._types[False].clear()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for tag in range(24):  # 24 x 150 KB of JSON: 86 MB parsed, were it all kept
            parsed = decode_doc(empty_objects_envelope(tag, 50_000), "value")
            documents.field_types(parsed.schema, parsed.schema_key, row=False)
            del parsed
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(debezium._schemas) > 0
    assert held <= SCHEMA_BYTES, f"{held >> 20} MiB held"


def held_after(work: Callable[[], object]) -> int:
    """Bytes still allocated (as traced) once ``work`` has run and its result is gone."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        work()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_the_phone_recognizer_keeps_no_text_it_scanned() -> None:
    """Its label cache was keyed by the whole text: 8,192 texts as long as a record."""
    scanner = TextScanner()

    def text(i: int) -> str:
        return f"ref {i} " + "lorem ipsum dolor " * 5_000 + "Phone: 0161 496 0000 end"

    scanner.find(text(0))  # loads what a first scan loads

    def scan() -> None:
        for i in range(1, 11):  # 10 texts of 90 KB, each gone after its scan
            assert any(f.entity == "PHONE_NUMBER" for f in scanner.find(text(i)))

    held, bound = held_after(scan), 2 * len(text(0))
    assert held < bound, f"{held} bytes held"


def test_a_table_keeps_no_long_column_name_it_saw(tmp_path: Path) -> None:
    """Column names are input: a table remembered the rule of 10,000 of them, each as
    long as a record could make it (10 GB of names)."""
    processor = make_processor(tmp_path / "d", {"w.yaml": DECLARATION})

    def stream(first: int = 1, last: int = 41) -> None:
        for i in range(first, last):  # 40 distinct names of 17,000 characters: 680 KB of names
            row = {"id": i, f"c{i}_" + "n" * 17_000: "v"}
            out = processor.process(record("pg.public.wide", row, offset=i))
            assert isinstance(out, Published), type(out).__name__
            assert list(doc(out.records[0].value).values())[1] != "v"  # masked: undeclared

    stream(0, 1)  # what a first such record loads is not counted
    held = held_after(stream)
    # 40 records leave 190-210 KB besides names: the table's record summaries (4,096 at
    # most; about 4 KB each here, their cdr.pii header). The rules kept the 680 KB of
    # names on top of that (887 KB held).
    assert held < 450_000, f"{held} bytes held"


def test_each_order_of_a_rows_columns_is_bounded_in_bytes_across_tables(tmp_path: Path) -> None:
    """A plan (and a record summary) is kept per order of a row's columns, and the order
    is input: 10 topics of 256 orders of 200 columns kept 153 MB; bounded by count
    alone, more topics kept more."""
    processor = make_processor(tmp_path / "d", {"w.yaml": DECLARATION}, default_topics=True)
    columns = ["id"] + [f"c{i:03d}_" + "n" * 40 for i in range(150)]
    shuffle = random.Random(7).shuffle

    def row() -> dict[str, int]:
        order = columns[:]
        shuffle(order)
        return dict.fromkeys(order, 1)

    def stream() -> None:
        for i in range(1200):  # 12 topics, each order new: 105 MiB kept by a count bound
            out = processor.process(record(f"pg.public.t{i % 12}", row(), offset=i))
            assert isinstance(out, Published), type(out).__name__

    processor.process(record("pg.public.t0", row(), offset=0))  # what a first record loads
    held = held_after(stream)
    assert processor.plan_budget.held_bytes <= PLANS_BYTES
    assert held <= PLANS_BYTES, f"{held >> 20} MiB held"


def detecting_default_tables(root: Path) -> Processor:
    """Every topic a table of its own, ``undeclared: detect``."""
    topics = UndeclaredTopics(policy="default", cdr_topic="cdr.default.{topic}", undeclared="detect")
    return make_processor(root, {"w.yaml": DECLARATION}, detection=PATTERNS_ONLY, undeclared_topics=topics)


def value_of(out: object, column: str) -> Any:
    assert isinstance(out, Published), type(out).__name__
    return doc(out.records[0].value)[column]


def test_the_tables_a_default_declaration_makes_are_bounded_and_made_again_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One table per topic, each about 10 KB with its names: 20,000 topics held 270 MB.
    The oldest goes; made again, it keeps its column verdicts (the profiler holds them),
    so a released column is guarded as before and a withheld one stays withheld."""
    monkeypatch.setattr(processor_module, "DEFAULT_TABLES_MAX", 8)
    proc = detecting_default_tables(tmp_path / "d")
    released = [proc.process(record("pg.public.t0", {"id": i, "c8": "n/a"}, offset=i)) for i in range(150)]
    assert value_of(released[-1], "c8") == "n/a"  # a handful of categories: released
    for i in range(1, 30):  # 29 more topics: t0's table goes
        proc.process(record(f"pg.public.t{i}", {"id": i, "c8": "n/a"}, offset=i))
    assert "pg.public.t0" not in proc._tables
    assert len(proc._tables) == 1 + 8  # the declared table and the newest eight
    assert len(proc.names._declared) <= 1 + 8
    again = proc.process(record("pg.public.t0", {"id": 1, "c8": "n/a"}, offset=200))
    assert value_of(again, "c8") == "n/a"  # the verdict outlived the table
    emails = [f"late{i}@example.org" for i in range(5)]
    outs = [proc.process(record("pg.public.t0", {"id": i, "c8": e}, offset=300 + i)) for i, e in enumerate(emails)]
    assert_no_raw(emails, *(o.records[0].value for o in outs if isinstance(o, Published)))


def test_tables_past_the_generation_cells_share_them_and_still_never_leak(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table's generation cell (bumped when a verdict changes, so compiled rules are
    made again) was kept per table name for good. Past the bound tables share cells:
    a change in one makes the others compile again, and none keeps stale rules."""
    monkeypatch.setattr(profiler_module, "GENERATIONS_MAX", 0)
    proc = detecting_default_tables(tmp_path / "d")
    emails = [f"late{i}@example.org" for i in range(40)]
    blobs = []
    for i in range(300):
        topic = f"pg.public.t{i % 3}"
        value = emails[(i - 240) // 3] if i >= 240 and i % 3 == 0 else "n/a"
        out = proc.process(record(topic, {"id": i, "c8": value}, offset=i))
        assert isinstance(out, Published), type(out).__name__
        blobs.append(out.records[0].value)
        if i == 239:
            assert value_of(out, "c8") == "n/a"  # released before the e-mails come
    profiler = proc.settings.policy.profiler
    assert profiler is not None and profiler.generations == {}
    assert_no_raw(emails, *blobs)


def test_the_word_and_name_caches_keep_no_long_word() -> None:
    """Words of free text and parts of column names were remembered whatever their length
    (16,384 of them in some caches, each as long as a record)."""
    scanner = TextScanner()
    scanner.find("Met Jane Roe and Amara Okafor yesterday.")  # loads what a first scan loads
    looks_personal("jane_roe")

    def stream() -> None:
        for i in range(40):  # 40 words and 40 names of 20,000 characters each
            word = long_word(i, 20_000)
            scanner.find(f"Met {word.capitalize()} and {word} yesterday at {word}.")
            looks_personal(f"{word}_{long_word(i + 7, 10)}")

    held = held_after(stream)
    assert held < 200_000, f"{held} bytes held"


def test_a_long_column_name_is_not_profiled_and_stays_withheld(tmp_path: Path) -> None:
    """A profile holds its column's name, and the profiler keeps 20,000 of them: 20,000
    names as long as a record. No database names a column over 256 characters: such a
    column is not profiled, and its policy (withheld until detection clears it) holds."""
    processor = make_processor(
        tmp_path / "d",
        {"w.yaml": DECLARATION.replace("undeclared: mask", "undeclared: detect")},
        detection=PATTERNS_ONLY,
    )
    profiler = processor.settings.policy.profiler
    assert profiler is not None

    def stream(first: int = 1, last: int = 41) -> None:
        for i in range(first, last):  # 40 distinct names of 20,000 characters
            name = f"c{i}_{long_word(i, 20_000)}"  # a digit: not shaped like a person's name
            out = processor.process(record("pg.public.wide", {"id": i, name: "plain value"}, offset=i))
            assert isinstance(out, Published), type(out).__name__
            assert "plain value" not in doc(out.records[0].value).values()

    processor.process(record("pg.public.wide", {"id": 0, "note": "x"}))
    stream(0, 1)  # loads what a first such record loads (name lists)
    profiles = len(profiler.profiles)
    held = held_after(stream)
    grown = len(profiler.profiles) - profiles
    assert grown == 0, f"{grown} profiles more"
    assert held < 200_000, f"{held} bytes held"


def test_hashing_keeps_no_long_value(tmp_path: Path) -> None:
    """The digests of a hashed column were remembered by the value (65,536 of them), of
    any length: values as long as a record stayed in memory after their records."""
    processor = make_processor(
        tmp_path / "d",
        {
            "w.yaml": DECLARATION.replace(
                "id: {pii: none}", "id: {pii: none}\n  note: {pii: EMAIL_ADDRESS, treatment: hash}"
            )
        },
    )
    processor.process(record("pg.public.wide", {"id": 0, "note": "warm"}))

    def stream() -> None:
        for i in range(1, 41):  # 40 distinct values of 50,000 characters
            out = processor.process(record("pg.public.wide", {"id": i, "note": f"v{i}" + "e" * 50_000}, offset=i))
            assert isinstance(out, Published), type(out).__name__
            assert len(doc(out.records[0].value)["note"]) < 100  # a digest

    held = held_after(stream)
    assert held < 200_000, f"{held} bytes held"


def test_a_record_summary_is_counted_with_its_key_of_plans(tmp_path: Path) -> None:
    """A summary is cached by the serials of a record's plans: its key, its rows and each
    ``__debezium.oldkey``/``newkey`` header, which a Kafka record may carry thousands of
    times (file mode's headers object cannot). The key was not counted: 200 records of
    5,000 such headers, in two column orders, kept 8 MiB counted as 281 KiB, so the
    budget that bounds summaries let records of 1 MB keep gigabytes."""
    import sys

    proc = make_processor(tmp_path / "d", {"w.yaml": DECLARATION})
    orders = ({"id": 1, "k": 2}, {"k": 2, "id": 1})  # two plans of the key columns
    pick = random.Random(3).choice
    for i in range(4):
        headers = [("__debezium.oldkey", pick(orders)) for _ in range(1500)]
        out = proc.process(record("pg.public.wide", {"id": i}, key={"id": i}, offset=i, headers=headers))
        assert isinstance(out, Published), type(out).__name__
    summaries = proc._tables["pg.public.wide"]._summaries
    assert len(summaries) == 4
    for key in summaries:
        kept = sys.getsizeof(key) + sum(sys.getsizeof(serial) for serial in set(key))
        assert summaries._sizes[key] >= kept, f"{summaries._sizes[key]} bytes counted, {kept} kept"
