"""The service's batches: what the client has fetched, at most batch.size, never held
back to fill up (latency at a low rate), full under load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.runtime import service as service_module
from pipeline.runtime.metrics import Metrics
from pipeline.runtime.service import Service
from tests.unit.fake_kafka import FakeConsumer, FakeProducer
from tests.unit.test_kafka_runtime import config, msg, processor


class QueueConsumer(FakeConsumer):
    """Messages the client has fetched (``ready``) and ones that arrive only while a call
    waits (``arriving``); every call's (count, timeout) is recorded. Logic under test only."""

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self.ready: list[Any] = []
        self.arriving: list[Any] = []
        self.calls: list[tuple[int, float]] = []

    def consume(self, n: int = 1, timeout: float = 0) -> list[Any]:
        self.calls.append((n, timeout))
        if not self.ready and timeout > 0:
            self.ready, self.arriving = self.arriving, []
        out, self.ready = self.ready[:n], self.ready[n:]
        return out


@pytest.fixture
def svc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Service, QueueConsumer]:
    made: dict[str, Any] = {}
    monkeypatch.setattr(service_module, "Consumer", lambda s, **_: made.setdefault("c", QueueConsumer(dict(s))))
    monkeypatch.setattr(service_module, "Producer", lambda s, **_: FakeProducer(s))
    service = Service(config(tmp_path), processor(tmp_path), Metrics())
    return service, made["c"]


def test_what_is_fetched_is_taken_without_waiting(svc: tuple[Service, QueueConsumer]) -> None:
    service, consumer = svc
    consumer.ready = [msg(i) for i in range(3)]
    assert len(service._consume()) == 3
    assert consumer.calls == [(500, 0)]


def test_an_idle_loop_waits_for_the_first_record_then_takes_what_came_with_it(
    svc: tuple[Service, QueueConsumer],
) -> None:
    service, consumer = svc
    consumer.arriving = [msg(i) for i in range(7)]
    assert [m.offset() for m in service._consume()] == list(range(7))
    assert consumer.calls == [(500, 0), (1, service.config.batch_timeout_s), (499, 0)]


def test_under_load_batches_are_full(svc: tuple[Service, QueueConsumer]) -> None:
    service, consumer = svc
    consumer.ready = [msg(i) for i in range(700)]
    assert [len(service._consume()) for _ in range(3)] == [500, 200, 0]
