"""kill -9, SIGTERM, and an unhandled bug in the loop, under load."""

from __future__ import annotations

import random
import time

import pytest

from devstack.sample_events import CustomerEvents
from tests.harness import committed, declaration
from tests.reliability.conftest import fast
from tests.reliability.ledger import Ledger

pytestmark = pytest.mark.reliability


def load(prefix: str, n: int, partitions: int = 3, seed: int = 11) -> list[dict]:
    gen = CustomerEvents(prefix=prefix, partitions=partitions, seed=seed)
    return list(gen.snapshot(n // 2)) + list(gen.changes(n - n // 2))


@pytest.mark.parametrize("delivery", ["at_least_once", "exactly_once"])
def test_kill_9_ten_times_under_load(kafka_bootstrap, new_topic, service, delivery: str) -> None:
    source = new_topic("src.public.customers", partitions=3)
    cdr = f"cdr.{source}"
    records = load("k9", 20_000)
    ledger = Ledger(kafka_bootstrap, source)
    svc = service(declaration(source, cdr), **fast(delivery=delivery))
    svc.start()
    sender = ledger.sender(records, rate=2500)  # a steady load for ~8 s
    rng = random.Random(9)
    kills = 0
    for _ in range(10):
        time.sleep(rng.uniform(0.2, 1.0))  # a random point: mid-batch, mid-transaction, mid-commit
        svc.kill()
        kills += 1
        svc.start()
    sender.join()
    outcome = ledger.check(cdr, svc.dlq, timeout=180)
    print(outcome.figures(f"kill -9 x{kills} ({delivery})", len(records), kills))
    assert not outcome.lost, f"{len(outcome.lost)} source records have no CDR record"
    if delivery == "exactly_once":
        assert outcome.duplicated == 0, "a read_committed reader saw a record twice"
    metrics = svc.metrics()
    assert svc.stop() == 0
    outcome.assert_no_leaks(records, svc.logs(), metrics)


def test_sigterm_mid_stream_commits_and_restarts_without_duplicates(kafka_bootstrap, new_topic, service) -> None:
    source = new_topic("src.public.customers", partitions=3)
    cdr = f"cdr.{source}"
    records = load("st", 6000)
    ledger = Ledger(kafka_bootstrap, source)
    svc = service(declaration(source, cdr), **fast(commit_interval_ms=60000))  # only the final commit counts
    svc.start()
    sender = ledger.sender(records, rate=3000)
    time.sleep(1.0)  # mid-stream
    started = time.monotonic()
    assert svc.stop(timeout=30) == 0
    grace = time.monotonic() - started
    assert grace < 15, f"took {grace:.1f}s to stop"
    events = [e["event"] for e in svc.log_events()]
    assert events[-1] == "stopped" and events.index("shutting_down") < events.index("partitions_revoked")
    before = ledger.check(cdr, svc.dlq, timeout=5)  # what the first run published
    done = {r.headers["cdr.source"].decode() for r in before.cdr}
    sender.join()
    svc.start()
    outcome = ledger.check(cdr, svc.dlq, timeout=120)
    print(outcome.figures("SIGTERM mid-stream", len(records), 1))
    assert not outcome.lost and outcome.duplicated == 0, "the final commit covered everything published"
    assert len(done) > 0
    metrics = svc.metrics()
    assert svc.stop() == 0
    outcome.assert_no_leaks(records, svc.logs(), metrics)
    assert sum(committed(kafka_bootstrap, svc.group, source, partitions=3)) == len(records)


def test_an_unhandled_bug_commits_nothing_exits_non_zero_and_the_record_is_redone(
    kafka_bootstrap, new_topic, service
) -> None:
    source = new_topic("src.public.customers", partitions=1)
    cdr = f"cdr.{source}"
    records = load("bug", 1000, partitions=1)
    ledger = Ledger(kafka_bootstrap, source)
    ledger.send(records)
    svc = service(declaration(source, cdr), **fast(commit_interval_ms=100, batch={"size": 100}))
    svc.start(faults="loop_error_after=500")
    assert svc.proc.wait(timeout=60) == 1
    failed = [e for e in svc.log_events() if e["event"] == "loop_failed"]
    assert failed and failed[0]["error_class"] == "InjectedFault"
    done_before = committed(kafka_bootstrap, svc.group, source)[0]
    assert done_before < 500  # nothing of the failing batch was committed (-1001: nothing at all)
    svc.start()  # the bug "fixed": no injection
    outcome = ledger.check(cdr, svc.dlq, timeout=60)
    print(outcome.figures("unhandled loop exception", len(records), 1))
    assert not outcome.lost
    metrics = svc.metrics()
    assert svc.stop() == 0
    outcome.assert_no_leaks(records, svc.logs(), metrics)
