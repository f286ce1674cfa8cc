"""Column labels of the metrics: remembered per (table, column), within the caps, and
the memory of them bounded; a batch's outcomes counted at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry

from pipeline.config import DetectionConfig
from pipeline.runtime.metrics import OTHER, Metrics
from tests.support import make_processor, record


def test_labels_are_stable_and_capped_per_table() -> None:
    m = Metrics(CollectorRegistry(), max_topics=2, max_columns=100, max_columns_per_table=3)
    first = [m._column_label("t1", f"col{i}") for i in range(5)]
    assert first[:3] == ["col0", "col1", "col2"] and first[3:] == [OTHER, OTHER]
    # asked again (now from the memo): the same answers, in any order
    assert [m._column_label("t1", f"col{i}") for i in reversed(range(5))] == list(reversed(first))
    assert m._column_label("t2", "col9") == "col9"
    assert m._column_label("t3", "col0") == OTHER  # over the table cap


def test_label_memo_is_bounded() -> None:
    m = Metrics(CollectorRegistry(), max_topics=2, max_columns=100, max_columns_per_table=3)
    assert m._labels_limit == 6
    labels = [m._column_label(f"t{i % 2}", f"c{i}") for i in range(40)]
    assert len(m._labels) == 6
    again = [m._column_label(f"t{i % 2}", f"c{i}") for i in range(40)]
    assert labels == again  # past the bound, worked out afresh: the same labels


def test_undeclared_counts_per_column_whether_or_not_the_columns_repeat() -> None:
    m = Metrics(CollectorRegistry(), max_topics=5, max_columns=100, max_columns_per_table=3)
    same = ("a", "b")
    for _ in range(3):
        m._note_undeclared("t", same)
    m._note_undeclared("t", ["b", "c", "d"])  # not a tuple: counted without the memo
    m._note_undeclared("t", ("d",))
    assert m._undeclared_events == {("t", "a"): 3, ("t", "b"): 4, ("t", "c"): 1, ("t", OTHER): 2}
    assert m._undeclared_seen["t"] == {"a", "b", "c", "d"}


def _exposition(metrics: Metrics) -> list[str]:
    """The samples a scrape reads, without the creation times (each registry has its own)."""
    from prometheus_client import generate_latest

    text = generate_latest(metrics.registry).decode()
    return sorted(line for line in text.splitlines() if line and not line.startswith("#") and "_created" not in line)


def test_a_batch_counted_at_once_reads_as_its_records_counted_one_by_one(tmp_path: Path, hash_key_env: str) -> None:
    declarations = {
        "a.yaml": "table: public.a\nsource_topic: pg.public.a\ncdr_topic: cdr.a.v1\nowner: o\n"
        "undeclared: detect\ncolumns:\n  id: {pii: none}\n  email: {pii: EMAIL_ADDRESS, treatment: hash}\n",
        "b.yaml": "table: public.b\nsource_topic: pg.public.b\ncdr_topic: cdr.b.v1\nowner: o\n"
        "undeclared: mask\ncolumns:\n  id: {pii: none}\n  gone: {pii: none}\n",
    }
    proc = make_processor(tmp_path, declarations, detection=DetectionConfig(min_samples=5, sample_every=1))
    records = []
    for i in range(30):
        records.append(
            record(
                "pg.public.a",
                {"op": "c", "before": None, "after": {"id": i, "email": f"u{i}@example.com", "note": f"n{i % 3}"}},
            )
        )
        after: dict[str, Any] = {"id": i, "extra": i % 2} if i % 4 else {"id": i, "extra": 1, "more": "x"}
        records.append(record("pg.public.b", {"op": "c", "before": None, "after": after}))
        if i % 10 == 0:
            records.append(record("pg.public.a", b"{not json"))  # a dead letter
            records.append(record("pg.public.zzz", {"op": "c", "after": {"id": i}}))  # skipped: no declaration
    outcomes = proc.process_batch(records)
    assert {type(o).__name__ for o in outcomes} == {"Published", "DeadLetter", "Skipped"}

    one_by_one, at_once = Metrics(CollectorRegistry()), Metrics(CollectorRegistry())
    for outcome in outcomes:
        one_by_one.record_outcome(outcome)
    at_once.record_outcomes(outcomes)
    for m in (one_by_one, at_once):
        m.produced_to("cdr.a.v1", None)
        m.produced_to("cdr.a.v1", None)
    samples = _exposition(at_once)
    assert samples == _exposition(one_by_one)
    assert 'cdr_events_produced_total{topic="cdr.a.v1"} 2.0' in samples
    assert any(s.startswith('cdr_fields_transformed_total{table="public.a",treatment="hash"} 30') for s in samples)
    assert any(s.startswith("cdr_declared_column_missing{") for s in samples)  # as of each table's latest record
