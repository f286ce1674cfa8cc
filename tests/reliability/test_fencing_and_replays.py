"""Zombie fencing (two instances, one transactional.id) and duplicate Debezium replays."""

from __future__ import annotations

import time

import pytest

from devstack.sample_events import CustomerEvents
from tests.harness import declaration
from tests.reliability.conftest import fast
from tests.reliability.ledger import Ledger

pytestmark = pytest.mark.reliability


def test_the_older_of_two_instances_with_one_transactional_id_is_fenced(kafka_bootstrap, new_topic, service) -> None:
    source = new_topic("src.public.customers", partitions=2)
    cdr = f"cdr.{source}"
    gen = CustomerEvents(prefix="fence", partitions=2, seed=17)
    records = list(gen.snapshot(4000)) + list(gen.changes(4000))
    ledger = Ledger(kafka_bootstrap, source)
    # Without static membership the newcomer joins as a new member: only the producer's
    # transactional.id (prefix + worker 0 for both) can tell them apart.
    svc = service(declaration(source, cdr), **fast(static=False, delivery="exactly_once"))
    svc.start()
    sender = ledger.sender(records, rate=2000)
    time.sleep(1.5)
    newer = svc.spawn(0, env={"CDR_METRICS__PORT": "0"})  # same worker id: same transactional.id
    assert svc.proc.wait(timeout=60) == 5, "the older instance must exit with the fenced code"
    fenced = [e for e in svc.log_events() if e["event"] == "producer_fenced"]
    assert fenced and fenced[0]["transactional_id"].endswith("-0")
    sender.join()
    outcome = ledger.check(cdr, svc.dlq, timeout=120)
    print(outcome.figures("fenced zombie (exactly-once)", len(records), 1))
    assert not outcome.lost and outcome.duplicated == 0
    assert newer.poll() is None, "the newer instance keeps running"
    newer.terminate()
    assert newer.wait(timeout=30) == 0
    outcome.assert_no_leaks(records, svc.logs())


@pytest.mark.parametrize("delivery", ["at_least_once", "exactly_once"])
def test_duplicate_debezium_replays_give_identical_cdr_records(kafka_bootstrap, new_topic, service, delivery) -> None:
    source = new_topic("src.public.customers", partitions=3)
    cdr = f"cdr.{source}"
    gen = CustomerEvents(prefix="dup", partitions=3, seed=23)
    records = list(gen.snapshot(500)) + list(gen.changes(500))
    ledger = Ledger(kafka_bootstrap, source)
    ledger.send(records)
    ledger.send(records)  # Debezium delivers at least once: the same events again, at new offsets
    svc = service(declaration(source, cdr), **fast(delivery=delivery))
    svc.start()
    outcome = ledger.check(cdr, svc.dlq, timeout=60)
    print(outcome.figures(f"duplicate Debezium replays ({delivery})", 2 * len(records), len(records)))
    assert not outcome.lost
    by_source = {r.headers["cdr.source"].decode(): r for r in outcome.cdr}
    offsets_per_partition = {p: sum(1 for r in records if r["partition"] == p) for p in range(3)}
    for coords, rec in by_source.items():
        topic, partition, offset = coords.rsplit("/", 2)
        first = int(offset)
        if first >= offsets_per_partition[int(partition)]:
            continue
        twin = by_source[f"{topic}/{partition}/{first + offsets_per_partition[int(partition)]}"]
        assert (rec.key, rec.value, rec.partition) == (twin.key, twin.value, twin.partition)
        same = {k: v for k, v in rec.headers.items() if k != "cdr.source"}
        assert same == {k: v for k, v in twin.headers.items() if k != "cdr.source"}
    metrics = svc.metrics()
    assert svc.stop() == 0
    outcome.assert_no_leaks(records, svc.logs(), metrics)
