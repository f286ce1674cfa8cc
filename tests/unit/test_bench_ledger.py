"""The Kafka benchmark's arithmetic: coordinates, percentiles, latency and drain rate."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench.ledger import Ledger, parse_coordinates, percentile
from bench.procstat import children, cpu_seconds, status_kib


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"bench.public.customers/3/1200", ("bench.public.customers", 3, 1200)),
        ("a/b/0/7", ("a/b", 0, 7)),
        (b"topic/x/7", None),
        (b"topic/1/", None),
        (b"/1/2", None),
        (None, None),
    ],
)
def test_parse_coordinates(raw, expected) -> None:
    assert parse_coordinates(raw) == expected


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        (list(range(1, 101)), 50, 50),
        (list(range(1, 101)), 99, 99),
        (list(range(1, 101)), 100, 100),
        ([7], 99, 7),
        ([5, 1, 3], 50, 3),
        ([1, 2, 3, 4, 1000], 99, 1000),  # the tail is not averaged away
    ],
)
def test_percentile_nearest_rank(values, q, expected) -> None:
    assert percentile(values, q) == expected


@pytest.mark.parametrize("q", [0, 101, -1])
def test_percentile_rejects_q_out_of_range(q) -> None:
    with pytest.raises(ValueError):
        percentile([1.0], q)


def test_ledger_latency_missing_duplicates_and_rate() -> None:
    ledger = Ledger()
    for offset in range(4):
        ledger.record_in(("t", 0, offset), 1000 + offset)
    ledger.record_out(("t", 0, 0), 1010)
    ledger.record_out(("t", 0, 1), 1031)
    ledger.record_out(("t", 0, 1), 1020)  # a duplicate (at-least-once): the first copy counts
    ledger.record_out(("t", 0, 2), 2000)
    assert sorted(ledger.latencies_ms()) == [10, 19, 998]
    assert ledger.missing() == 1 and ledger.duplicates == 1
    assert ledger.drain_rate() == pytest.approx(4 / 1.0)  # 4 records from t=1000 to the last output at 2000
    assert ledger.drain_rate(1500.0) == pytest.approx(4 / 0.5)  # a backlog whose readers were let go at 1500


def test_busiest_inputs_tells_a_burst_from_a_pace() -> None:
    paced, burst = Ledger(), Ledger()
    for offset in range(1000):  # 1,000 a second for a second
        paced.record_in(("t", 0, offset), 5000 + offset)
        # the same records, the first 600 held back and appended at once
        burst.record_in(("t", 0, offset), 5600 if offset < 600 else 5000 + offset)
    assert paced.busiest_inputs(100) == 100
    assert burst.busiest_inputs(100) == 600 + 100  # the burst and the 100 paced ones in the 100 ms from it
    assert Ledger().busiest_inputs(100) == 0


def test_empty_ledger_has_no_rate() -> None:
    ledger = Ledger()
    ledger.record_in(("t", 0, 0), 5)
    assert ledger.drain_rate() == 0.0 and ledger.missing() == 1


def test_procstat_reads_a_real_child() -> None:
    code = "import time; print('up', flush=True); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"up\n"
        assert child.pid in children(os.getpid())
        rss = status_kib(child.pid, "VmRSS")
        assert rss is not None and rss > 1000  # an interpreter holds more than 1 MB
        assert status_kib(child.pid, "NoSuchField") is None
        spent = cpu_seconds(child.pid)
        assert spent is not None and 0 <= spent < 30
    finally:
        child.kill()
        child.wait()
    assert status_kib(child.pid, "VmRSS") is None and cpu_seconds(child.pid) is None


def test_cpu_seconds_counts_work() -> None:
    code = "import sys\nx = 0\nfor i in range(30_000_000): x += i\nprint('done', flush=True)\nsys.stdin.read()"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stdin=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"done\n"
        spent = cpu_seconds(child.pid)
        assert spent is not None and spent > 0  # tens of millions of additions: more than one clock tick
    finally:
        child.kill()
        child.wait()
