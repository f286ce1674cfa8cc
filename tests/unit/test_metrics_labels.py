"""Column labels of the metrics: remembered per (table, column), within the caps, and
the memory of them bounded."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from pipeline.runtime.metrics import OTHER, Metrics


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
