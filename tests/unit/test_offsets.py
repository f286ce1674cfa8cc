"""At-least-once bookkeeping: an offset is committable only when everything produced for
it and before it was acknowledged."""

from __future__ import annotations

from pipeline.runtime.offsets import OffsetTracker

TP = ("src", 0)


def test_commit_waits_for_every_delivery_before_it() -> None:
    t = OffsetTracker()
    a, b, c = t.open(TP, 10), t.open(TP, 11), t.open(TP, 12)
    for e in (a, b, c):
        t.add_delivery(e)
        t.seal(e)
    t.delivered(b)
    t.delivered(c)
    assert t.committable() == {}  # 10 still in flight: committing 13 would lose it
    t.delivered(a)
    assert t.committable() == {TP: 13}
    t.mark_committed({TP: 13})
    assert t.committable() == {}
    assert t.committable(force=True) == {TP: 13}


def test_unsealed_record_blocks() -> None:
    t = OffsetTracker()
    a = t.open(TP, 0)
    assert t.committable() == {}
    t.seal(a)  # skipped record: nothing produced
    assert t.committable() == {TP: 1}


def test_a_record_with_two_outputs() -> None:
    t = OffsetTracker()
    a = t.open(TP, 5)
    t.add_delivery(a)
    t.add_delivery(a)
    t.seal(a)
    t.delivered(a)
    assert t.committable() == {}
    t.delivered(a)
    assert t.committable() == {TP: 6}


def test_failed_delivery_blocks_that_partition_for_good() -> None:
    t = OffsetTracker()
    other = ("src", 1)
    a, b = t.open(TP, 0), t.open(TP, 1)
    o = t.open(other, 0)
    for e in (a, b, o):
        t.add_delivery(e)
        t.seal(e)
    t.delivered(a)
    t.failed(TP)  # b's delivery failed: its outstanding count never drops
    t.delivered(o)
    assert t.committable() == {TP: 1, other: 1}
    assert t.any_failed


def test_forget_and_only() -> None:
    t = OffsetTracker()
    for p in (0, 1):
        e = t.open(("src", p), 0)
        t.seal(e)
    assert t.committable(only={("src", 1)}) == {("src", 1): 1}
    t.forget({("src", 0)})
    assert t.committable(force=True) == {("src", 1): 1}
    assert t.in_flight() == 0
