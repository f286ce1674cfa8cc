"""What a fault test sent and what came out: every source record is identified by its
coordinates (topic/partition/offset), which each CDR record carries in ``cdr.source``
and each dead letter in its ``__connect.errors.*`` headers."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import Producer

from detectors.textscan import TextScanner
from devstack.sample_events import planted_values
from pipeline.core.audit import Auditor
from tests.harness import _encode
from tests.support import assert_no_raw
from tests.topic_reader import Received, TopicReader

FIGURES: list[str] = []  # one line per fault test, printed at the end of the session


@dataclass
class Outcome:
    cdr: list[Received]
    dead: list[Received]
    lost: set[str]
    duplicated: int
    misrouted: set[str]  # bad records published, or good ones dead-lettered

    def audit(self) -> dict[tuple[str, str, str], int]:
        """`cdr audit`'s findings over the CDR records (patterns and validators)."""
        auditor = Auditor(TextScanner())
        for rec in self.cdr:
            auditor.add(rec.topic, rec.key, rec.value, list(rec.headers.items()))
        return dict(auditor.report.findings)

    def assert_no_leaks(self, records: list[dict[str, Any]], *texts: str) -> None:
        """None of the personal values in ``records`` appears in the CDR records, the
        dead-letter headers or ``texts`` (logs, /metrics); and cdr audit finds nothing."""
        planted = sorted(planted_values([r for r in records if isinstance(r.get("value"), dict | type(None))]))
        blobs = [b for r in self.cdr for b in (r.key, r.value, *r.headers.values())]
        blobs += [v for d in self.dead for v in d.headers.values()]
        assert_no_raw(planted, *blobs, *texts)
        findings = self.audit()  # (topic, field, entity): names the audit shows, no value
        assert findings == {}, f"cdr audit flags raw personal data in the CDR topic: {sorted(findings.items())}"

    def figures(self, name: str, records: int, faults: int) -> str:
        line = (
            f"{name}: records={records} faults={faults} lost={len(self.lost)} "
            f"duplicated={self.duplicated} dead_lettered={len(self.dead)}"
        )
        FIGURES.append(line)
        return line


class Sender(threading.Thread):
    """A background send whose failure is raised again by :meth:`join`, not lost."""

    def __init__(self, target: Any) -> None:
        super().__init__(daemon=True)
        self._send = target
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._send()
        except BaseException as exc:
            self.error = exc

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        if self.error is not None:
            raise self.error


@dataclass
class Ledger:
    bootstrap: str
    topic: str
    good: dict[str, Any] = field(default_factory=dict)  # coords -> key bytes
    bad: set[str] = field(default_factory=set)
    attempted: int = 0  # records handed to the test producer
    sending: int = 0  # sends in progress

    def send(self, records: list[dict[str, Any]], bad: bool = False, rate: float | None = None) -> None:
        """Produce records (file-mode dicts, or raw dicts with bytes), remembering their
        coordinates; ``rate`` records per second, else as fast as possible."""
        producer = Producer(
            {
                "bootstrap.servers": self.bootstrap,
                "enable.idempotence": True,
                "linger.ms": 5,
                "message.max.bytes": 8_000_000,
            }
        )
        lock = threading.Lock()
        wanted = 1 + max((rec.get("partition", 0) for rec in records), default=0)
        deadline = time.monotonic() + 30
        while len(producer.list_topics(self.topic, timeout=10).topics[self.topic].partitions) < wanted:
            assert time.monotonic() < deadline, f"{self.topic} never showed {wanted} partitions"
            time.sleep(0.2)

        def delivered(err: Any, msg: Any, is_bad: bool) -> None:
            assert err is None, f"test producer failed: {err}"
            coords = f"{msg.topic()}/{msg.partition()}/{msg.offset()}"
            with lock:
                if is_bad:
                    self.bad.add(coords)
                else:
                    self.good[coords] = msg.key()

        self.attempted += len(records)
        self.sending += 1
        try:
            started = time.monotonic()
            for i, rec in enumerate(records):
                is_bad = bad or bool(rec.get("bad"))
                producer.produce(
                    self.topic,
                    key=_encode(rec.get("key")),
                    value=_encode(rec.get("value")),
                    partition=rec.get("partition", 0),
                    on_delivery=lambda err, msg, b=is_bad: delivered(err, msg, b),
                )
                producer.poll(0)
                if rate:
                    ahead = started + (i + 1) / rate - time.monotonic()
                    if ahead > 0:
                        time.sleep(ahead)
            # The broker may be away (a fault test stops it): wait for it rather than drop records.
            undelivered = producer.flush(180)
            assert undelivered == 0, f"the test producer could not deliver {undelivered} records in 180 s"
        finally:
            self.sending -= 1

    def sender(self, records: list[dict[str, Any]], rate: float) -> Sender:
        """``send`` in a thread: a steady load while the test injects faults."""
        thread = Sender(lambda: self.send(records, rate=rate))
        thread.start()
        return thread

    def check(self, cdr_topic: str, dlq_topic: str, timeout: float = 120) -> Outcome:
        """Read the CDR and dead-letter topics (read_committed) until every sent record is
        accounted for, or ``timeout``; then a few quiet seconds more to count duplicates.
        Every record handed to the test producer must have reached the source topic, or
        the test would prove less than it says."""
        sent = len(self.good) + len(self.bad)
        if not self.sending:  # mid-stream checks count what has arrived so far
            assert sent == self.attempted, f"only {sent} of {self.attempted} test records reached {self.topic}"
        cdr = _drain(self.bootstrap, cdr_topic, lambda out: self._cdr_done(out), timeout)
        dead = _drain(self.bootstrap, dlq_topic, lambda out: len(out) >= len(self.bad), 30 if self.bad else 3)
        seen = Counter(r.headers["cdr.source"].decode() for r in cdr)
        dead_coords = {_dead_coords(r) for r in dead}
        lost = (set(self.good) - set(seen)) | (self.bad - dead_coords)
        misrouted = {c for c in seen if c in self.bad} | {c for c in dead_coords if c in self.good}
        duplicated = sum(n - 1 for n in seen.values())
        return Outcome(cdr, dead, lost, duplicated, misrouted)

    def _cdr_done(self, out: list[Received]) -> bool:
        if len(out) < len(self.good):
            return False
        seen = {r.headers["cdr.source"].decode() for r in out}
        return set(self.good) <= seen


def _dead_coords(r: Received) -> str:
    h = r.headers
    return "/".join(
        h[k].decode() for k in ("__connect.errors.topic", "__connect.errors.partition", "__connect.errors.offset")
    )


def _drain(bootstrap: str, topic: str, done: Any, timeout: float, quiet: float = 2.0) -> list[Received]:
    with TopicReader(bootstrap, topic) as reader:
        return reader.read_until(done, timeout, quiet=quiet)
