"""Reading topics back in tests without a consumer group.

Test readers assign partitions explicitly and start at the beginning: no group join, no
rebalance, no coordinator in the way, so what a test sees depends only on what the
broker holds. Topics are found by name or by regex (new matches are picked up as they
appear). Records are read with ``isolation.level=read_committed``, as CDR consumers must.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

_REFRESH_S = 1.0  # how often the topic list is read for new topics and partitions


@dataclass(frozen=True)
class Received:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes | None]


class TopicReader:
    """Follows every partition of the topics named (or matching a ``^regex``) from the
    beginning; topics and partitions that appear later are picked up within a second."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = topic
        self._pattern = re.compile(topic) if topic.startswith("^") else None
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"test-reader-{uuid.uuid4().hex[:8]}",  # never joined: partitions are assigned
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
                "fetch.max.bytes": 52_428_800,
            }
        )
        self._assigned: set[tuple[str, int]] = set()
        self._next_refresh = 0.0

    def _refresh(self) -> None:
        now = time.monotonic()
        if now < self._next_refresh:
            return
        self._next_refresh = now + _REFRESH_S
        metadata = self._consumer.list_topics(None if self._pattern else self.topic, timeout=5)
        new: list[TopicPartition] = []
        for name, meta in metadata.topics.items():
            wanted = self._pattern.match(name) if self._pattern is not None else name == self.topic
            if meta.error is not None or not wanted:
                continue
            for p in meta.partitions:
                if (name, p) not in self._assigned:
                    self._assigned.add((name, p))
                    new.append(TopicPartition(name, p, OFFSET_BEGINNING))
        if new:
            self._consumer.incremental_assign(new)

    def poll(self, wait: float = 0.5, max_records: int = 1000) -> list[Received]:
        """What arrived within ``wait`` seconds (possibly nothing)."""
        self._refresh()
        if not self._assigned:
            time.sleep(min(wait, 0.2))
            return []
        out: list[Received] = []
        for msg in self._consumer.consume(max_records, wait):
            if msg.error() is not None:
                continue
            out.append(
                Received(msg.topic(), msg.partition(), msg.offset(), msg.key(), msg.value(), dict(msg.headers() or []))
            )
        return out

    def read_until(self, done: Callable[[list[Received]], bool], timeout: float, quiet: float = 0.0) -> list[Received]:
        """Read until ``done(records)`` holds, then go on while records keep coming, until
        ``quiet`` seconds pass without one (to catch duplicates); or until ``timeout``."""
        out: list[Received] = []
        deadline = time.monotonic() + timeout
        quiet_until: float | None = None
        while time.monotonic() < deadline:
            got = self.poll()
            out.extend(got)
            if quiet_until is None:
                if done(out):
                    quiet_until = time.monotonic() + quiet
            elif got:
                quiet_until = time.monotonic() + quiet
            if quiet_until is not None and time.monotonic() >= quiet_until:
                break
        return out

    def close(self) -> None:
        self._consumer.close()

    def __enter__(self) -> TopicReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def read_topic(bootstrap: str, topic: str, expect: int, timeout: float = 60) -> list[Received]:
    """Read ``topic`` from the beginning until ``expect`` records or ``timeout``; returns
    what arrived."""
    with TopicReader(bootstrap, topic) as reader:
        return reader.read_until(lambda out: len(out) >= expect, timeout)
