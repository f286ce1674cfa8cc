"""`cdr run --workers N`: N group members under one supervisor, which restarts a worker
killed with -9 and passes SIGTERM on to all of them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request

import pytest

from devstack.sample_events import CustomerEvents
from tests.harness import CDR, HASH_KEY, declaration
from tests.reliability.conftest import fast
from tests.reliability.ledger import Ledger

pytestmark = pytest.mark.reliability


def _get(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        return str(resp.read().decode())


def _workers(log_text: str) -> dict[int, list[int]]:
    """worker id -> pids it was started with, from the supervisor's log."""
    started: dict[int, list[int]] = {}
    for line in log_text.splitlines():
        if line.startswith("{") and '"worker_started"' in line:
            event = json.loads(line)
            started.setdefault(event["worker"], []).append(event["pid"])
    return started


def test_the_supervisor_runs_n_members_and_restarts_a_killed_one(kafka_bootstrap, new_topic, service) -> None:
    source = new_topic("src.public.customers", partitions=4)
    cdr = f"cdr.{source}"
    gen = CustomerEvents(prefix="workers", partitions=4, seed=37)
    records = list(gen.snapshot(4000)) + list(gen.changes(4000))
    ledger = Ledger(kafka_bootstrap, source)
    svc = service(declaration(source, cdr), **fast(delivery="exactly_once"))  # its config, started by hand
    log_path = svc.root / "supervisor.log"
    with log_path.open("wb") as log:
        supervisor = subprocess.Popen(
            [*CDR, "run", "--config", str(svc.config_path), "--workers", "2"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CDR_HASH_KEY": HASH_KEY},
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            svc.health("/readyz", 0)[0] == 200 and svc.health("/readyz", 1)[0] == 200
        ):
            time.sleep(0.3)
        assert svc.health("/readyz", 1)[0] == 200, "both workers serve health on metrics.port + worker id"
        ready = [svc.health("/readyz", w)[1]["assigned_partitions"] for w in (0, 1)]
        assert sum(ready) == 4 and all(ready), "the two workers share the four partitions"
        sender = ledger.sender(records, rate=2500)
        time.sleep(1.0)
        victim = _workers(log_path.read_text())[1][-1]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_workers(log_path.read_text()).get(1, [])) < 2:
            time.sleep(0.2)
        assert len(_workers(log_path.read_text())[1]) == 2, "the killed worker was not restarted"
        sender.join()
        outcome = ledger.check(cdr, svc.dlq, timeout=120)
        print(outcome.figures("--workers 2, one kill -9", len(records), 1))
        assert not outcome.lost and outcome.duplicated == 0
        metrics = "".join(_get(svc.metrics_port + w) for w in (0, 1))
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=60) == 0
        outcome.assert_no_leaks(records, log_path.read_text(), metrics)
        events = [json.loads(x)["event"] for x in log_path.read_text().splitlines() if x.startswith("{")]
        assert "worker_died" in events and events[-1] == "workers_stopped"
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait(timeout=10)
