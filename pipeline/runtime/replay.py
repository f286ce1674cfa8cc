"""`cdr dlq replay`: re-run dead letters through the current declarations and code (after
a fix, say) and publish what now succeeds to its CDR topic.

The dead-letter topic is read by its own consumer group (``<group.id>.dlq-replay`` by
default) from where that group left off to the current end; offsets are committed only
after every record produced for them is acknowledged, so a replay can be interrupted and
resumed and never publishes a record twice on its own. A record that still fails stays
where it is (it is already in the dead-letter topic) and is counted by reason.
Replayed records are published now, after newer changes of the same keys may have been:
consumers that need per-key order should compare ``source.lsn`` / ``ts_ms``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from pipeline.config import Config
from pipeline.core.events import DeadLetter, Published
from pipeline.core.processor import Processor
from pipeline.errors import DeadLetterKeyError
from pipeline.runtime.deadletter import DeadLetterSealer, original_record
from pipeline.runtime.producing import produce, producer_settings

logger = logging.getLogger("cdr.replay")


@dataclass
class ReplayStats:
    read: int = 0
    replayed: int = 0
    skipped: int = 0
    unreadable: int = 0
    delivery_failures: int = 0
    still_failing: Counter[str] = field(default_factory=Counter)  # by stage/reason


def consumer_settings(config: Config, group: str | None = None) -> dict[str, Any]:
    """The replay's consumer: its own group, manual commits, end-of-partition events."""
    settings = config.consumer_settings()
    return {
        **settings,
        "group.id": group or f"{settings['group.id']}.dlq-replay",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "auto.offset.reset": "earliest",
    }


def replay(
    config: Config,
    processor: Processor,
    group: str | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] = lambda n: None,
    make_consumer: Callable[[dict[str, Any]], Any] = Consumer,
    make_producer: Callable[[dict[str, Any]], Any] = Producer,
) -> ReplayStats:
    """Replay the dead-letter topic up to its current end (or ``limit`` records). The
    producer is configured exactly as the service's (:func:`producer_settings`), so each
    replayed key lands on the partition the service would have chosen."""
    consumer = make_consumer(consumer_settings(config, group))
    producer = make_producer(producer_settings(config))
    sealer = DeadLetterSealer.from_config(config.dlq_encryption_key)
    stats = ReplayStats()
    failed: list[KafkaError] = []

    def on_delivery(err: KafkaError | None, _msg: Any) -> None:
        if err is not None:
            failed.append(err)

    consumer.subscribe([config.dead_letter_topic])
    at_end: set[tuple[str, int]] = set()
    assigned: set[tuple[str, int]] = set()
    next_offsets: dict[tuple[str, int], int] = {}
    idle = 0
    try:
        while limit is None or stats.read < limit:
            msgs = consumer.consume(500, 1.0)
            assigned = {(tp.topic, tp.partition) for tp in consumer.assignment()}
            if not msgs:
                idle += 1
                if (assigned and assigned <= at_end) or idle > 30:
                    break
                continue
            idle = 0
            for msg in msgs:
                tp = (msg.topic(), msg.partition())
                err = msg.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        at_end.add(tp)
                    continue
                at_end.discard(tp)
                stats.read += 1
                next_offsets[tp] = msg.offset() + 1
                _replay_one(msg, processor, producer, sealer, stats, on_delivery)
                progress(stats.read)
                if limit is not None and stats.read >= limit:
                    break
            producer.poll(0)
        remaining = producer.flush(config.shutdown_timeout_s)
        stats.delivery_failures = len(failed) + remaining
        if stats.delivery_failures == 0 and next_offsets:
            consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in next_offsets.items()], asynchronous=False)
    finally:
        consumer.close()
    return stats


def _replay_one(
    msg: Any,
    processor: Processor,
    producer: Producer,
    sealer: DeadLetterSealer | None,
    stats: ReplayStats,
    on_delivery: Callable[[KafkaError | None, Any], None],
) -> None:
    try:
        rec = original_record(msg.key(), msg.value(), list(msg.headers() or []), sealer)
    except (DeadLetterKeyError, ValueError):
        stats.unreadable += 1
        return
    outcome = processor.process(rec)
    if isinstance(outcome, Published):
        for out in outcome.records:
            produce(producer, out, on_delivery)
        stats.replayed += 1
    elif isinstance(outcome, DeadLetter):
        stats.still_failing[f"{outcome.stage}/{outcome.reason}"] += 1
    else:
        stats.skipped += 1
