"""What start-up leaves the garbage collector: its objects frozen, the collector still on,
and the youngest generation bounded."""

from __future__ import annotations

import gc

from pipeline.runtime.bootstrap import YOUNG_OBJECTS, freeze_start_up


def test_start_up_is_frozen_and_the_collector_stays_on_with_a_bounded_young_generation() -> None:
    before = gc.get_threshold()
    try:
        kept = [[object()] for _ in range(100)]  # containers made before start-up ends
        freeze_start_up()
        assert gc.get_freeze_count() >= len(kept)
        assert gc.isenabled()
        young, middle, old = gc.get_threshold()
        assert young == YOUNG_OBJECTS
        assert (middle, old) == before[1:]
        assert 700 < YOUNG_OBJECTS <= 100_000  # fewer collections, and cyclic garbage still found

        class Cycle:
            def __init__(self) -> None:
                self.me = self

        gc.collect()
        for _ in range(3 * YOUNG_OBJECTS):
            Cycle()  # garbage at once, that only the collector frees
        alive = sum(1 for o in gc.get_objects() if type(o) is Cycle)
        assert alive <= YOUNG_OBJECTS
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
