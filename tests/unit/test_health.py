"""Liveness follows the loop's beat; readiness needs partitions and a reachable broker."""

from __future__ import annotations

from pipeline.runtime.health import Health


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_liveness_and_readiness() -> None:
    clock = Clock()
    health = Health(stale_after_s=10, clock=clock)
    assert health.live()[0] is False  # the loop never turned
    health.beat()
    assert health.live()[0] is True
    assert health.ready()[0] is False  # no partitions yet
    health.assigned = 3
    assert health.ready() == (
        True,
        {"loop": True, "broker_reachable": True, "broker_down_s": 0.0, "assigned_partitions": 3},
    )
    health.broker_unreachable()
    clock.now += 4
    ok, detail = health.ready()
    assert not ok and detail["broker_down_s"] == 4.0 and health.live()[0]
    health.broker_unreachable()  # the outage keeps its start
    assert health.broker_down_for() == 4.0
    health.broker_reachable()
    assert health.ready()[0]
    clock.now += 11  # the loop stopped beating: wedged
    assert not health.live()[0] and not health.ready()[0]
