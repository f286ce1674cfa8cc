"""The Kafka runtime's own logic, fast, with fake clients (tests/unit/fake_kafka.py): the
processing core and the offset bookkeeping are the real ones; only librdkafka is faked.

- at-least-once: offsets are committed only up to the highest offset whose outputs,
  and every earlier offset's, were acknowledged;
- replay: dead letters are published as the records they were made from, with the
  service's producer settings (partitioner), and every record is counted;
- exactly-once: offsets travel in the transaction; a transaction that cannot commit is
  aborted and its batch re-read."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from pipeline.config import Config
from pipeline.core.events import DeadLetter, SourceRecord
from pipeline.core.processor import Processor
from pipeline.runtime import service as service_module
from pipeline.runtime.deadletter import CONTEXT_HEADERS, DeadLetterSealer, dead_letter_record
from pipeline.runtime.metrics import Metrics
from pipeline.runtime.producing import producer_settings
from pipeline.runtime.replay import replay
from pipeline.runtime.service import Service
from pipeline.runtime.transactions import TransactionFatal, TransactionFenced, Transactions, TxnResult
from pipeline.vocabulary import ExitCode
from tests.support import NO_DETECTION, assert_no_raw, make_processor
from tests.unit.fake_kafka import FakeConsumer, FakeMessage, FakeProducer, eof, offsets

SRC = "pg.public.users"
CDR = "cdr.users.v1"
DLQ = "cdr.dead-letter"
DECL = f"""\
table: public.users
source_topic: {SRC}
cdr_topic: {CDR}
owner: identity
undeclared: {{undeclared}}
columns:
  id:    {{{{pii: none}}}}
  email: {{{{pii: EMAIL_ADDRESS}}}}
"""
EMAIL = "zoe.planted@example.org"
SEAL_KEY = "base64:" + base64.b64encode(bytes(range(32))).decode()


def processor(tmp_path: Path, undeclared: str = "mask", name: str = "s") -> Processor:
    return make_processor(tmp_path / name, {"users.yaml": DECL.format(undeclared=undeclared)})


def config(tmp_path: Path, **kw: Any) -> Config:
    return Config(schemas_dir=tmp_path / "s", detection=NO_DETECTION, dead_letter_topic=DLQ, **kw)


def value(i: int, extra: dict[str, Any] | None = None) -> bytes:
    after = {"id": i, "email": EMAIL, **(extra or {})}
    doc = {"op": "c", "before": None, "after": after, "source": {"ts_ms": 1}, "ts_ms": 2}
    return json.dumps(doc).encode()


def msg(offset: int, partition: int = 0, raw: bytes | None = None, topic: str = SRC) -> FakeMessage:
    return FakeMessage(topic, partition, offset, json.dumps({"id": offset}).encode(), raw or value(offset))


# --- at-least-once: commits follow deliveries ------------------------------------------


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    made: dict[str, Any] = {}

    def consumer(settings: dict[str, Any], **_: Any) -> FakeConsumer:
        made["consumer"] = FakeConsumer(dict(settings))
        return made["consumer"]

    def producer(settings: dict[str, Any], **_: Any) -> FakeProducer:
        made["producer"] = FakeProducer(settings)
        return made["producer"]

    monkeypatch.setattr(service_module, "Consumer", consumer)
    monkeypatch.setattr(service_module, "Producer", producer)
    return made


def service(tmp_path: Path, fakes: dict[str, Any], **kw: Any) -> tuple[Service, FakeConsumer, FakeProducer]:
    svc = Service(config(tmp_path, **kw), processor(tmp_path), Metrics())
    return svc, fakes["consumer"], fakes["producer"]


def test_commits_stop_at_the_first_unacknowledged_offset(tmp_path: Path, fakes: dict[str, Any]) -> None:
    svc, consumer, producer = service(tmp_path, fakes)
    svc._handle_batch([msg(10), msg(11), msg(12), msg(5, partition=1)])
    assert [p.topic for p in producer.produced] == [CDR] * 4
    svc._commit(asynchronous=False)
    assert consumer.commits == [], "committed before any delivery was acknowledged"
    producer.deliver(1)
    producer.deliver(2)
    producer.deliver(3)
    svc._commit(asynchronous=False)
    assert offsets(consumer.commits[-1]) == {(SRC, 1): 6}, "offset 10 is unacknowledged: partition 0 waits"
    producer.deliver(0)
    svc._commit(asynchronous=True)
    assert offsets(consumer.commits[-1]) == {(SRC, 0): 13}, "the highest contiguous acknowledged offset + 1"
    svc._commit(asynchronous=True)
    assert len(consumer.commits) == 2, "an asynchronous commit repeats nothing already sent"


def test_a_dead_letter_is_a_delivery_the_commit_waits_for(tmp_path: Path, fakes: dict[str, Any]) -> None:
    svc, consumer, producer = service(tmp_path, fakes)
    svc._handle_batch([msg(0, raw=b'{"op": "c", "after": '), msg(1)])
    assert [p.topic for p in producer.produced] == [DLQ, CDR]
    producer.deliver(1)
    svc._commit(asynchronous=False)
    assert consumer.commits == []
    producer.deliver(0)
    svc._commit(asynchronous=False)
    assert offsets(consumer.commits[-1]) == {(SRC, 0): 2}


def test_a_failed_delivery_blocks_its_partition_and_stops_the_service(tmp_path: Path, fakes: dict[str, Any]) -> None:
    svc, consumer, producer = service(tmp_path, fakes)
    svc._handle_batch([msg(0), msg(1), msg(0, partition=1)])
    producer.deliver(0)
    producer.deliver(1, KafkaError(KafkaError.MSG_SIZE_TOO_LARGE))
    producer.deliver(2)
    svc._commit(asynchronous=False)
    assert offsets(consumer.commits[-1]) == {(SRC, 0): 1, (SRC, 1): 1}, "offset 1 must be consumed again"
    assert svc._fatal is not None and EMAIL not in svc._fatal
    assert svc._loop() == ExitCode.DELIVERY_FAILED
    assert offsets(consumer.commits[-1]) == {(SRC, 0): 1, (SRC, 1): 1} and consumer.closed


def test_shutdown_flushes_then_commits_what_was_acknowledged(tmp_path: Path, fakes: dict[str, Any]) -> None:
    svc, consumer, producer = service(tmp_path, fakes)
    svc._handle_batch([msg(7), msg(8)])
    assert svc._shutdown() == ExitCode.OK
    assert producer.calls == ["flush"] and not producer.pending()
    assert offsets(consumer.commits[-1]) == {(SRC, 0): 9} and consumer.closed


def test_revocation_commits_only_the_revoked_partitions_then_forgets_them(
    tmp_path: Path, fakes: dict[str, Any]
) -> None:
    svc, consumer, producer = service(tmp_path, fakes)
    svc._on_assign(consumer, [TopicPartition(SRC, 0), TopicPartition(SRC, 1)])  # type: ignore[arg-type]
    svc._handle_batch([msg(3), msg(4, partition=1)])
    producer.flush_delivers = False
    producer.deliver(1)
    svc._on_revoke(consumer, [TopicPartition(SRC, 1)])  # type: ignore[arg-type]
    assert producer.calls == ["flush"], "revocation flushes before committing"
    assert offsets(consumer.commits[-1]) == {(SRC, 1): 5}, "only the revoked partition is committed"
    assert svc.tracker.committable(force=True) == {}, "partition 0 still waits; partition 1 is forgotten"
    producer.deliver(0)
    assert svc.tracker.committable(force=True) == {(SRC, 0): 4}


def test_the_service_producer_is_built_by_the_shared_builder(tmp_path: Path, fakes: dict[str, Any]) -> None:
    _, _, producer = service(tmp_path, fakes, producer=dict({"linger.ms": 20}))
    built = producer_settings(config(tmp_path, producer=dict({"linger.ms": 20})))
    assert {k: v for k, v in producer.settings.items() if k != "error_cb"} == built
    assert built["partitioner"] == "murmur2_random" and built["enable.idempotence"] is True
    assert built["linger.ms"] == 20


# --- replay -------------------------------------------------------------------------------


def dead_letters(tmp_path: Path, records: list[SourceRecord], sealer: DeadLetterSealer | None = None) -> list[Any]:
    """Dead letters as the service writes them: made by a processor that blocks undeclared columns."""
    blocking = processor(tmp_path, undeclared="block", name="blocking")
    out = []
    for rec in records:
        outcome = blocking.process(rec)
        assert isinstance(outcome, DeadLetter)
        out.append(dead_letter_record(outcome, DLQ, now_ms=1, sealer=sealer))
    return out


def as_messages(letters: list[Any], first_offset: int = 0) -> list[FakeMessage]:
    return [
        FakeMessage(DLQ, 0, first_offset + i, rec.key, rec.value, list(rec.headers)) for i, rec in enumerate(letters)
    ]


def source(offset: int, headers: tuple[tuple[str, bytes | None], ...] = ()) -> SourceRecord:
    extra = {"nickname": "undeclared"}
    return SourceRecord(SRC, 3, offset, json.dumps({"id": offset}).encode(), value(offset, extra), headers, 5)


class ReplayRun:
    def __init__(self, batches: list[list[FakeMessage]]) -> None:
        self.consumer = FakeConsumer(batches=batches, assigned=[TopicPartition(DLQ, 0)])
        self.producer: FakeProducer | None = None

    def make_consumer(self, settings: dict[str, Any]) -> FakeConsumer:
        self.consumer.settings = settings
        return self.consumer

    def make_producer(self, settings: dict[str, Any]) -> FakeProducer:
        self.producer = FakeProducer(settings)
        return self.producer

    def run(self, cfg: Config, proc: Processor, limit: int | None = None) -> Any:
        return replay(cfg, proc, None, limit, make_consumer=self.make_consumer, make_producer=self.make_producer)


def test_replay_publishes_the_original_record_with_its_headers(tmp_path: Path) -> None:
    letters = dead_letters(tmp_path, [source(40, (("__op", b"c"), ("x-trace", b"t1")))])
    run = ReplayRun([as_messages(letters), [eof(DLQ, 0, 1)]])
    stats = run.run(config(tmp_path), processor(tmp_path))
    assert (stats.read, stats.replayed, stats.unreadable, stats.delivery_failures) == (1, 1, 0, 0)
    assert run.producer is not None
    (out,) = run.producer.produced
    names = [name for name, _ in out.headers]
    assert out.topic == CDR and out.key is not None
    assert ("__op", b"c") in out.headers, "a passthrough header of the original record is restored"
    assert not set(names) & CONTEXT_HEADERS, "dead-letter context headers are not republished"
    assert_no_raw([EMAIL], out.key, out.value, *(v for _, v in out.headers))
    assert offsets(run.consumer.commits[-1]) == {(DLQ, 0): 1} and run.consumer.closed
    assert run.consumer.settings["group.id"] == "cdr-pipeline.dlq-replay"
    assert run.consumer.settings["enable.auto.commit"] is False


@pytest.mark.parametrize("producer_section", [{}, {"partitioner": "consistent", "linger.ms": 1}])
def test_replay_uses_the_service_producer_settings(
    tmp_path: Path, fakes: dict[str, Any], producer_section: dict[str, Any]
) -> None:
    cfg = config(tmp_path, producer=dict(producer_section))
    run = ReplayRun([[eof(DLQ, 0, 0)]])
    run.run(cfg, processor(tmp_path))
    Service(cfg, processor(tmp_path), Metrics())
    service_settings = {k: v for k, v in fakes["producer"].settings.items() if k != "error_cb"}
    assert run.producer is not None and run.producer.settings == service_settings
    assert run.producer.settings["partitioner"] == producer_section.get("partitioner", "murmur2_random")


def test_replay_counts_every_record_and_commits_past_those_that_stay(tmp_path: Path) -> None:
    good = dead_letters(tmp_path, [source(1)])
    not_ours = FakeMessage(DLQ, 0, 1, b"k", b"v", [("x", b"y")])
    broken = good[0]._replace(value=b'{"op": "c", "after": ')  # still fails: invalid JSON
    other_topic = dead_letter_record(
        DeadLetter(source(2)._replace(topic="pg.public.undeclared"), "policy", "blocked", "PolicyError", "m"), DLQ
    )
    msgs = [*as_messages(good), not_ours, *as_messages([broken, other_topic], first_offset=2)]
    run = ReplayRun([msgs[:2], msgs[2:], [eof(DLQ, 0, 4)]])
    stats = run.run(config(tmp_path), processor(tmp_path))
    assert stats.read == 4
    assert (stats.replayed, stats.unreadable, stats.skipped) == (1, 1, 1)
    assert sum(stats.still_failing.values()) == 1 and all("/" in k for k in stats.still_failing)
    assert offsets(run.consumer.commits[-1]) == {(DLQ, 0): 4}, "records that still fail stay in the topic"


def test_replay_commits_nothing_when_a_delivery_fails(tmp_path: Path) -> None:
    run = ReplayRun([as_messages(dead_letters(tmp_path, [source(1), source(2)])), [eof(DLQ, 0, 2)]])
    original = run.make_producer

    def failing(settings: dict[str, Any]) -> FakeProducer:
        p = original(settings)
        p.fail_with = KafkaError(KafkaError._MSG_TIMED_OUT)
        return p

    run.make_producer = failing  # type: ignore[method-assign]
    stats = run.run(config(tmp_path), processor(tmp_path))
    assert stats.delivery_failures == 2 and run.consumer.commits == [] and run.consumer.closed


def test_replay_stops_at_the_limit_and_commits_only_what_it_read(tmp_path: Path) -> None:
    letters = dead_letters(tmp_path, [source(1), source(2), source(3)])
    run = ReplayRun([as_messages(letters)])
    stats = run.run(config(tmp_path), processor(tmp_path), limit=2)
    assert stats.read == 2 and stats.replayed == 2
    assert offsets(run.consumer.commits[-1]) == {(DLQ, 0): 2}


def test_sealed_dead_letters_replay_only_with_their_key(tmp_path: Path) -> None:
    sealer = DeadLetterSealer.from_config(SEAL_KEY)
    letters = dead_letters(tmp_path, [source(1, (("__op", b"c"),))], sealer=sealer)
    assert_no_raw([EMAIL], letters[0].key, letters[0].value)
    run = ReplayRun([as_messages(letters), [eof(DLQ, 0, 1)]])
    stats = run.run(config(tmp_path, dlq_encryption_key=SEAL_KEY), processor(tmp_path))
    assert stats.replayed == 1 and run.producer is not None
    assert ("__op", b"c") in run.producer.produced[0].headers
    other = "base64:" + base64.b64encode(bytes(range(1, 33))).decode()
    run = ReplayRun([as_messages(letters), [eof(DLQ, 0, 1)]])
    stats = run.run(config(tmp_path, dlq_encryption_key=other), processor(tmp_path))
    assert (stats.replayed, stats.unreadable) == (0, 1)


# --- exactly-once ---------------------------------------------------------------------------

PARTS = [TopicPartition(SRC, 0, 13), TopicPartition(SRC, 1, 6)]


def raising(code: int, **flags: bool) -> KafkaException:
    return KafkaException(KafkaError(code, "scripted", **flags))


def test_offsets_are_sent_in_the_transaction_before_it_commits() -> None:
    producer = FakeProducer()
    txn = Transactions(producer, 5.0)  # type: ignore[arg-type]
    txn.begin()
    assert txn.commit(PARTS, "meta") is TxnResult.COMMITTED
    assert producer.calls == ["begin_transaction", "send_offsets_to_transaction", "commit_transaction"]
    assert producer.sent_offsets == [(PARTS, "meta")] and not txn.open


def test_a_transaction_that_requires_abort_is_aborted() -> None:
    producer = FakeProducer()
    producer.raise_on["commit_transaction"] = [raising(KafkaError._STATE, txn_requires_abort=True)]
    txn = Transactions(producer, 5.0)  # type: ignore[arg-type]
    txn.begin()
    assert txn.commit(PARTS, "meta") is TxnResult.ABORTED
    assert producer.calls[-1] == "abort_transaction" and not txn.open


def test_a_retriable_commit_error_is_retried_without_resending_offsets() -> None:
    producer = FakeProducer()
    producer.raise_on["commit_transaction"] = [raising(KafkaError._TIMED_OUT, retriable=True)]
    txn = Transactions(producer, 5.0)  # type: ignore[arg-type]
    txn.begin()
    assert txn.commit(PARTS, "meta") is TxnResult.COMMITTED
    assert producer.calls.count("send_offsets_to_transaction") == 1
    assert producer.calls.count("commit_transaction") == 2 and "abort_transaction" not in producer.calls


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (raising(KafkaError._FENCED, fatal=True), TransactionFenced),
        (raising(KafkaError.PRODUCER_FENCED), TransactionFenced),
        (raising(KafkaError._FATAL, fatal=True), TransactionFatal),
    ],
)
def test_fenced_or_fatal_stops_without_aborting(error: KafkaException, expected: type[Exception]) -> None:
    producer = FakeProducer()
    producer.raise_on["send_offsets_to_transaction"] = [error]
    txn = Transactions(producer, 5.0)  # type: ignore[arg-type]
    txn.begin()
    with pytest.raises(expected):
        txn.commit(PARTS, "meta")
    assert "abort_transaction" not in producer.calls and "commit_transaction" not in producer.calls


def test_an_aborted_batch_is_rewound_to_its_first_offsets(tmp_path: Path, fakes: dict[str, Any]) -> None:
    svc, consumer, producer = service(tmp_path, fakes, delivery="exactly_once")
    assert producer.settings["transactional.id"] == "cdr-pipeline-0"
    svc._on_assign(consumer, [TopicPartition(SRC, 0), TopicPartition(SRC, 1)])  # type: ignore[arg-type]
    producer.raise_on["commit_transaction"] = [raising(KafkaError._STATE, txn_requires_abort=True)]
    svc._handle_batch([msg(10), msg(11), msg(4, partition=1), msg(9, partition=2)])
    sent, metadata = producer.sent_offsets[0]
    assert {(tp.topic, tp.partition): tp.offset for tp in sent} == {(SRC, 0): 12, (SRC, 1): 5, (SRC, 2): 10}
    assert metadata == "group-metadata"
    assert producer.calls[-1] == "abort_transaction"
    assert sorted((tp.partition, tp.offset) for tp in consumer.seeks) == [(0, 10), (1, 4)], (
        "assigned partitions rewind to the batch's first offset; an unassigned one is left alone"
    )
    assert consumer.commits == [], "the consumer itself never commits in exactly-once mode"


def test_a_committed_batch_needs_no_rewind(tmp_path: Path, fakes: dict[str, Any]) -> None:
    svc, consumer, producer = service(tmp_path, fakes, delivery="exactly_once")
    svc._handle_batch([msg(10), msg(11)])
    assert producer.calls == ["begin_transaction", "send_offsets_to_transaction", "commit_transaction"]
    assert consumer.seeks == [] and len(producer.produced) == 2
