"""Fake librdkafka clients for tests of the Kafka runtime's own logic (offsets, commits,
replay, transactions): they record calls and hold delivery reports until the test
releases them, in any order. Only what the runtime calls is implemented. Errors are real
``KafkaError`` values, so the code under test reads them as it reads the client's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import KafkaError, KafkaException, TopicPartition

Headers = list[tuple[str, bytes | None]]


@dataclass
class FakeMessage:
    _topic: str
    _partition: int
    _offset: int
    _key: bytes | None = None
    _value: bytes | None = None
    _headers: Headers | None = None
    _error: KafkaError | None = None
    _timestamp: int = 1_700_000_000_000

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset

    def key(self) -> bytes | None:
        return self._key

    def value(self) -> bytes | None:
        return self._value

    def headers(self) -> Headers | None:
        return self._headers

    def error(self) -> KafkaError | None:
        return self._error

    def timestamp(self) -> tuple[int, int]:
        return (1, self._timestamp)


def eof(topic: str, partition: int, offset: int) -> FakeMessage:
    return FakeMessage(topic, partition, offset, _error=KafkaError(KafkaError._PARTITION_EOF))


@dataclass
class Produced:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: Headers
    on_delivery: Callable[[KafkaError | None, Any], None]
    reported: bool = False


class FakeProducer:
    """Keeps every produced record; delivery reports fire only when the test calls
    :meth:`deliver` (or on ``flush`` when ``flush_delivers``)."""

    def __init__(self, settings: dict[str, Any] | None = None, **_: Any) -> None:
        self.settings = dict(settings or {})
        self.produced: list[Produced] = []
        self.calls: list[str] = []
        self.flush_delivers = True
        self.fail_with: KafkaError | None = None  # the error flush() reports, if any
        self.raise_on: dict[str, list[KafkaException]] = {}  # transactional call -> errors to raise, in turn
        self.sent_offsets: list[tuple[list[TopicPartition], object]] = []

    # -- producing -----------------------------------------------------------------------

    def produce(self, topic: str, value: bytes | None = None, key: bytes | None = None, **kw: Any) -> None:
        self.produced.append(Produced(topic, key, value, list(kw.get("headers") or []), kw["on_delivery"]))

    def deliver(self, index: int, error: KafkaError | None = None) -> None:
        rec = self.produced[index]
        assert not rec.reported, "a delivery report fires once"
        rec.reported = True
        rec.on_delivery(error, None)

    def pending(self) -> list[int]:
        return [i for i, r in enumerate(self.produced) if not r.reported]

    def poll(self, _timeout: float = 0) -> int:
        return 0

    def flush(self, _timeout: float = 0) -> int:
        self.calls.append("flush")
        if self.flush_delivers:
            for i in self.pending():
                self.deliver(i, self.fail_with)
        return len(self.pending())

    def __len__(self) -> int:
        return len(self.pending())

    def list_topics(self, timeout: float = 0) -> Any:
        return None

    # -- transactions ----------------------------------------------------------------------

    def _call(self, name: str) -> None:
        self.calls.append(name)
        errors = self.raise_on.get(name)
        if errors:
            raise errors.pop(0)

    def init_transactions(self, _timeout: float) -> None:
        self._call("init_transactions")

    def begin_transaction(self) -> None:
        self._call("begin_transaction")

    def send_offsets_to_transaction(self, offsets: list[TopicPartition], metadata: object, _t: float) -> None:
        self._call("send_offsets_to_transaction")
        self.sent_offsets.append((list(offsets), metadata))

    def commit_transaction(self, _timeout: float) -> None:
        self._call("commit_transaction")

    def abort_transaction(self, _timeout: float) -> None:
        self._call("abort_transaction")


@dataclass
class FakeConsumer:
    """Hands out scripted batches; records commits and seeks."""

    settings: dict[str, Any] = field(default_factory=dict)
    batches: list[list[FakeMessage]] = field(default_factory=list)
    assigned: list[TopicPartition] = field(default_factory=list)
    commits: list[list[TopicPartition]] = field(default_factory=list)
    seeks: list[TopicPartition] = field(default_factory=list)
    subscribed: list[str] = field(default_factory=list)
    closed: bool = False

    def subscribe(self, topics: list[str], **_: Any) -> None:
        self.subscribed = list(topics)

    def consume(self, _n: int = 1, _timeout: float = 0) -> list[FakeMessage]:
        return self.batches.pop(0) if self.batches else []

    def assignment(self) -> list[TopicPartition]:
        return list(self.assigned)

    def commit(self, offsets: list[TopicPartition] | None = None, asynchronous: bool = True) -> None:
        self.commits.append(sorted(offsets or [], key=lambda tp: (tp.topic, tp.partition)))

    def pause(self, partitions: list[TopicPartition]) -> None:
        self.paused = [*getattr(self, "paused", []), *partitions]

    def resume(self, partitions: list[TopicPartition]) -> None:
        pass

    def seek(self, tp: TopicPartition) -> None:
        self.seeks.append(tp)

    def consumer_group_metadata(self) -> object:
        return "group-metadata"

    def close(self) -> None:
        self.closed = True


def offsets(commit: list[TopicPartition]) -> dict[tuple[str, int], int]:
    return {(tp.topic, tp.partition): tp.offset for tp in commit}
