"""bench/stage_times.py: the stage timer counts every call of what it wraps and puts the
function back as it was."""

from __future__ import annotations

import types

from bench.stage_times import Stages


def test_a_wrapped_function_is_timed_per_call_and_put_back() -> None:
    def work(n: int) -> int:
        return sum(range(n))

    owner = types.SimpleNamespace(work=work)
    stages = Stages()
    restore = stages.wrap(owner, "work", "work")
    assert [owner.work(10_000) for _ in range(3)] == [work(10_000)] * 3, "the wrapper changed the result"
    assert stages.calls["work"] == 3
    assert stages.seconds["work"] > 0.0
    restore()
    assert owner.work is work, "the original was not put back"
