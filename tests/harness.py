"""Test harness for the integration tier: the service as a subprocess, and helpers to
produce source records and read topics back from the real broker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import yaml
from confluent_kafka import Consumer, Producer, TopicPartition

from devstack.ports import free_port
from tests.support import HASH_KEY, write_declarations

CDR = (sys.executable, "-m", "pipeline")  # the tree under test, not whichever `cdr` script is installed
FAULTY_CDR = (sys.executable, "-m", "tests.faulty_cdr")  # the same, with the fault hooks installed
ROOT = Path(__file__).resolve().parents[1]


class ServiceProcess:
    def __init__(self, root: Path, bootstrap: str, declarations: dict[str, str], overrides: dict[str, Any]) -> None:
        self.root = root
        self.bootstrap = bootstrap
        write_declarations(root / "schemas", declarations)
        self.metrics_port = free_port()
        self.group = f"cdr-{uuid.uuid4().hex[:8]}"
        self.dlq = f"cdr.dlq.{uuid.uuid4().hex[:8]}"
        config: dict[str, Any] = {
            "kafka": {"bootstrap.servers": bootstrap},
            "consumer": {"group.id": self.group, "session.timeout.ms": 10000},
            "schemas": "schemas",
            "dead_letter_topic": self.dlq,
            "metrics": {"host": "127.0.0.1", "port": self.metrics_port},
            "commit_interval_ms": 200,
            "lag_interval_ms": 500,
            "batch": {"size": 200, "timeout_ms": 100},
            # the service's verdict memory, its own: a test's guard hits are not another's
            "detection": {"verdicts_topic": f"cdr.verdicts.{uuid.uuid4().hex[:8]}"},
        }
        for key, value in overrides.items():
            if isinstance(value, dict) and isinstance(config.get(key), dict):
                config[key] = {**config[key], **value}
            else:
                config[key] = value
        self.config_path = root / "cdr.yaml"
        self.config_path.write_text(yaml.safe_dump(config))
        self.proc: subprocess.Popen[bytes] | None = None
        self.extra: dict[int, subprocess.Popen[bytes]] = {}  # more workers of the same config
        self.extra_logs: dict[int, Path] = {}
        self.runs = 0

    @property
    def log_path(self) -> Path:
        return self.root / f"service-{self.runs}.log"

    def start(
        self, wait_ready: bool = True, env: dict[str, str] | None = None, faults: str | None = None
    ) -> ServiceProcess:
        """``faults``: run the test entry point (tests/faulty_cdr.py) with these injected
        (``CDR_FAULT_INJECTION``), instead of the plain ``cdr``."""
        self.runs += 1
        log = self.log_path.open("wb")
        command, extra = CDR, {}
        if faults is not None:
            command = FAULTY_CDR
            path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
            extra = {"CDR_FAULT_INJECTION": faults, "PYTHONPATH": path}
        self.proc = subprocess.Popen(
            [*command, "run", "--config", str(self.config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CDR_HASH_KEY": HASH_KEY, **(env or {}), **extra},
        )
        log.close()
        if wait_ready:
            self.wait_for_log("partitions_assigned", timeout=60)
        return self

    def spawn(self, worker_id: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Another worker of the same config (``--worker-id``), as ``--workers N`` starts them."""
        self.runs += 1
        path = self.root / f"service-{self.runs}-w{worker_id}.log"
        self.extra_logs[worker_id] = path
        log = path.open("wb")
        proc = subprocess.Popen(
            [*CDR, "run", "--config", str(self.config_path), "--worker-id", str(worker_id)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CDR_HASH_KEY": HASH_KEY, **(env or {})},
        )
        log.close()
        self.extra[worker_id] = proc
        return proc

    def health(self, path: str, worker_id: int = 0) -> tuple[int, dict[str, Any]]:
        """(status, body) of /healthz or /readyz; (0, {}) when nothing answers."""
        url = f"http://127.0.0.1:{self.metrics_port + worker_id}{path}"
        try:
            with urllib.request.urlopen(url, timeout=3) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")
        except OSError:
            return 0, {}

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.root.glob("service-*.log")))

    def log_events(self) -> list[dict[str, Any]]:
        events = []
        for line in self.logs().splitlines():
            if line.startswith("{"):
                events.append(json.loads(line))
        return events

    def wait_for_log(self, event: str, timeout: float, worker_id: int = 0) -> None:
        """Wait until the worker's current log holds ``event`` (a spawned worker: its own log)."""
        path = self.extra_logs[worker_id] if worker_id else self.log_path
        proc = self.extra[worker_id] if worker_id else self.proc
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if f'"event":"{event}"' in path.read_text(errors="replace"):
                return
            if proc is not None and proc.poll() is not None:
                raise AssertionError(f"worker exited with {proc.returncode} before {event}; log {path}")
            time.sleep(0.1)
        raise AssertionError(f"no {event} within {timeout}s; log {path}")

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as resp:
            return resp.read().decode()

    def metric(self, name: str, **labels: str) -> float:
        """Sum of the samples of ``name`` whose labels include ``labels``."""
        total = 0.0
        for line in self.metrics().splitlines():
            if not line.startswith(name + "{") and not line.startswith(name + " "):
                continue
            head, _, value = line.rpartition(" ")
            if all(f'{k}="{v}"' in head for k, v in labels.items()):
                total += float(value)
        return total

    def stop(self, timeout: float = 30) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        for proc in [self.proc, *self.extra.values()]:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


def produce(bootstrap: str, topic: str, records: list[dict[str, Any]]) -> None:
    """Produce file-mode style records (key/value documents) to ``topic``, keeping each
    record's partition."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5})
    for rec in records:
        producer.produce(
            topic,
            key=_encode(rec.get("key")),
            value=_encode(rec.get("value")),
            partition=rec.get("partition", 0),
            headers=[(k, _encode(v) if not isinstance(v, bytes) else v) for k, v in (rec.get("headers") or {}).items()],
        )
        producer.poll(0)
    assert producer.flush(30) == 0


def _encode(doc: Any) -> bytes | None:
    if doc is None:
        return None
    if isinstance(doc, bytes):
        return doc
    return json.dumps(doc, separators=(",", ":")).encode()


def committed(bootstrap: str, group: str, topic: str, partitions: int = 1) -> list[int]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        tps = consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=15)
        return [tp.offset for tp in tps]
    finally:
        consumer.close()


CUSTOMERS_DECLARATION = """\
table: public.customers
source_topic: {source}
cdr_topic: {cdr}
owner: payments-core
undeclared: mask
columns:
  id:            {{pii: none}}
  first_name:    {{pii: PERSON}}
  last_name:     {{pii: PERSON, treatment: {{mask: {{keep_first: 1}}}}}}
  email:         {{pii: EMAIL_ADDRESS, treatment: hash}}
  phone:         {{pii: PHONE_NUMBER, treatment: {{mask: {{keep_last: 4}}}}}}
  date_of_birth: {{pii: DATE_OF_BIRTH, treatment: {{generalize: {{to: year}}}}}}
  ssn:           {{pii: US_SSN, treatment: drop}}
  notes:         {{pii: free_text, treatment: redact_detected}}
  tier:          {{pii: none}}
  country:       {{pii: none}}
  balance:       {{pii: none}}
  active:        {{pii: none}}
  login_count:   {{pii: none}}
  created_at:    {{pii: none}}
"""


def declaration(source: str, cdr: str) -> dict[str, str]:
    """The customers declaration (devstack.sample_events) for a source and CDR topic."""
    return {"payments/customers.yaml": CUSTOMERS_DECLARATION.format(source=source, cdr=cdr)}
