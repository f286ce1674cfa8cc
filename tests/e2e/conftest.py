"""One real stack per session: PostgreSQL (wal_level=logical) -> Kafka Connect with the
Debezium PostgreSQL connector -> Kafka -> ``cdr run`` -> CDR topics, plus Prometheus.

The stack runs in-process (``detached=False``), so every process it starts dies with
the test run even if pytest itself is killed. A background reader follows every CDR
topic from the beginning; tests wait on it for the records their SQL should cause.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from devstack.stack import Stack, hash_key_material
from pipeline.core.treatments.hashing import HashKey, default_key_id, parse_key_material
from tests.topic_reader import Received, TopicReader

pytestmark = pytest.mark.e2e

SEED_CUSTOMERS = 30
_SECRET = parse_key_material(hash_key_material(), "the stack's hash key")
_KEY = HashKey(_SECRET, default_key_id(_SECRET))


def hashed(text: str) -> str:
    """What the stack's ``hash`` treatment makes of ``text``."""
    return _KEY.digest(text)


class TopicFollower:
    """Reads topics matching a pattern from the beginning, in a thread, into a list."""

    def __init__(self, bootstrap: str, pattern: str) -> None:
        self.records: list[Received] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._reader = TopicReader(bootstrap, pattern)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            got = self._reader.poll(0.2)
            with self._lock:
                self.records.extend(got)
        self._reader.close()

    def snapshot(self, topic: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.records if topic is None or r.topic == topic]

    def wait(
        self, topic: str, match: Callable[[Received], bool], count: int = 1, timeout: float = 90
    ) -> list[Received]:
        """The records of ``topic`` that ``match``, once there are at least ``count``."""
        deadline = time.monotonic() + timeout
        found: list[Received] = []
        while time.monotonic() < deadline:
            found = [r for r in self.snapshot(topic) if match(r)]
            if len(found) >= count:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{topic}: {len(found)} matching record(s) after {timeout:.0f}s, expected {count}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(run_dir=tmp_path_factory.mktemp("stack"), detached=False)
    s.up(customers=SEED_CUSTOMERS)
    try:
        yield s
    finally:
        s.down()


@pytest.fixture(scope="session")
def cdr(stack: Stack) -> Iterator[TopicFollower]:
    follower = TopicFollower(stack.bootstrap, r"^cdr\..*")
    yield follower
    follower.close()


@pytest.fixture(scope="session")
def planted(stack: Stack) -> set[str]:
    """Every personal value written to the database (the seed's, and each test's)."""
    return stack.shop.planted


@pytest.fixture
def db(stack: Stack) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(stack.postgres_dsn(), autocommit=True) as conn:
        yield conn
