"""Scaling the group 1 -> 3 -> 1 mid-stream, and the broker going away and coming back."""

from __future__ import annotations

import signal
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient, NewTopic

from devstack.kafka import LocalKafka
from devstack.sample_events import CustomerEvents
from tests.harness import ServiceProcess, declaration
from tests.reliability.conftest import fast
from tests.reliability.ledger import Ledger, Outcome

pytestmark = pytest.mark.reliability


def assert_key_order(outcome: Outcome) -> None:
    """Per key, CDR records come in source order within their partition."""
    last: dict[tuple[int, bytes | None], int] = {}
    for rec in sorted(outcome.cdr, key=lambda r: (r.partition, r.offset)):
        offset = int(rec.headers["cdr.source"].decode().rsplit("/", 1)[1])
        k = (rec.partition, rec.key)
        assert offset > last.get(k, -1), "a key's records came out of source order"
        last[k] = offset


@pytest.mark.parametrize("delivery", ["at_least_once", "exactly_once"])
def test_scale_one_to_three_to_one_worker(kafka_bootstrap, new_topic, service, delivery: str) -> None:
    source = new_topic("src.public.customers", partitions=6)
    cdr = f"cdr.{source}"
    gen = CustomerEvents(prefix="scale", partitions=6, seed=29)
    records = list(gen.snapshot(6000)) + list(gen.changes(9000))
    ledger = Ledger(kafka_bootstrap, source)
    svc = service(declaration(source, cdr), **fast(delivery=delivery))
    svc.start()
    sender = ledger.sender(records, rate=2500)  # ~6 s of load
    time.sleep(1.5)
    extra = [svc.spawn(1), svc.spawn(2)]  # as `cdr run --workers 3` would run them
    for worker_id in (1, 2):  # a loaded machine takes seconds to load the model: stop only workers that joined
        svc.wait_for_log("partitions_assigned", timeout=60, worker_id=worker_id)
    time.sleep(1.0)
    for proc in extra:
        proc.send_signal(signal.SIGTERM)
    assert [proc.wait(timeout=60) for proc in extra] == [0, 0]
    sender.join()
    outcome = ledger.check(cdr, svc.dlq, timeout=120)
    print(outcome.figures(f"scale 1 -> 3 -> 1 ({delivery})", len(records), 2))
    assert not outcome.lost
    if delivery == "exactly_once":  # at-least-once may replay a revoked batch: order holds per first delivery
        assert outcome.duplicated == 0
        assert_key_order(outcome)
    rebalances = [e for e in svc.log_events() if e["event"] in ("partitions_assigned", "partitions_revoked")]
    assert len(rebalances) >= 4  # the group really rebalanced each way
    metrics = svc.metrics()
    assert svc.stop() == 0
    outcome.assert_no_leaks(records, svc.logs(), metrics)


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[LocalKafka]:
    """A broker of this test's own: it is stopped and started again mid-test."""
    broker = LocalKafka(tmp_path / "kafka")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def test_broker_stop_and_start_mid_stream(own_broker: LocalKafka, tmp_path: Path) -> None:
    bootstrap = own_broker.bootstrap
    source = "src.public.customers.broker"
    admin = AdminClient({"bootstrap.servers": bootstrap})  # kept referenced until the futures resolve
    for future in admin.create_topics([NewTopic(source, 2, 1)]).values():
        future.result(timeout=30)
    cdr = f"cdr.{source}"
    gen = CustomerEvents(prefix="broker", partitions=2, seed=31)
    records = list(gen.snapshot(3000)) + list(gen.changes(3000))
    ledger = Ledger(bootstrap, source)
    overrides = fast(backpressure={"high_watermark": 200, "low_watermark": 50})
    svc = ServiceProcess(tmp_path / "svc", bootstrap, declaration(source, cdr), overrides)
    strict = ServiceProcess(  # another deployment, configured to give up on an absent broker
        tmp_path / "strict",
        bootstrap,
        declaration(source, f"cdr.strict.{source}"),
        fast(broker_timeout_ms=3000, exit_on_broker_timeout=True, consumer={"group.instance.id": "strict"}),
    )
    try:
        svc.start()
        strict.start()
        assert svc.health("/readyz")[0] == 200
        sender = ledger.sender(records, rate=1500)  # ~4 s of load, continuing across the outage
        time.sleep(1.0)
        own_broker.stop()
        down_at = time.monotonic()
        not_ready = False
        while time.monotonic() - down_at < 8:
            status, body = svc.health("/readyz")
            if status == 503 and body.get("broker_reachable") is False:
                not_ready = True
            assert svc.health("/healthz")[0] == 200, "the loop must keep turning while the broker is away"
            time.sleep(0.5)
        assert not_ready, "/readyz stayed ready while the broker was down"
        assert strict.proc.wait(timeout=30) == 6, "exit_on_broker_timeout: exit 6 once the broker is gone too long"
        assert any(e["event"] == "broker_unreachable" for e in strict.log_events())
        own_broker.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and svc.health("/readyz")[0] != 200:
            time.sleep(0.5)
        status, detail = svc.health("/readyz")
        events = [e.get("event") for e in svc.log_events()][-12:]  # event names only: no values
        assert status == 200, f"the service did not become ready again: {detail}; last log events {events}"
        sender.join()
        outcome = ledger.check(cdr, svc.dlq, timeout=120)
        print(outcome.figures("broker stopped and restarted", len(records), 1))
        assert not outcome.lost
        assert svc.proc.poll() is None
        events = [e["event"] for e in svc.log_events()]
        assert "paused" in events and "resumed" in events  # backpressure while the queue could not drain
        metrics = svc.metrics()
        assert "cdr_backpressure_pauses_total" in metrics
        assert svc.stop() == 0
        outcome.assert_no_leaks(records, svc.logs(), strict.logs(), metrics)
    finally:
        svc.kill()
        strict.kill()


def _per_key(outcome: Outcome) -> dict[bytes | None, list[int]]:
    seen: dict[bytes | None, list[int]] = defaultdict(list)
    for rec in outcome.cdr:
        seen[rec.key].append(rec.offset)
    return seen
