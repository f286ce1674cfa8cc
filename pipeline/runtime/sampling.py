"""Read a sample of the topics matching a pattern: from their start (`cdr scan`), or their
newest records (`cdr audit`: what is published now, under the declarations in force, is
what a leak check must read; a topic's oldest records say nothing of a leak that began
after a release or a declaration change). A throwaway consumer with manual assignment,
no group commits."""

from __future__ import annotations

import fnmatch
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

from pipeline.core.events import SourceRecord


def matching_topics(consumer: Consumer, pattern: str) -> list[str]:
    topics = consumer.list_topics(timeout=15).topics
    if pattern.startswith("^"):
        rx = re.compile(pattern)
        return sorted(t for t in topics if rx.match(t))
    return sorted(t for t in topics if fnmatch.fnmatchcase(t, pattern))


def sample_topics(
    settings: dict[str, Any],
    pattern: str,
    per_topic: int,
    timeout_s: float = 60.0,
    on_progress: Callable[[int], None] | None = None,
    newest: bool = False,
) -> Iterator[SourceRecord]:
    """Up to ``per_topic`` records of each topic; ``newest``: the last ones, an equal
    share from the end of each partition (a partition holding fewer gives all it has)."""
    conf = {
        **settings,
        "group.id": f"cdr-scan-{uuid.uuid4().hex[:8]}",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "auto.offset.reset": "earliest",
    }
    consumer = Consumer(conf)
    try:
        topics = [t for t in matching_topics(consumer, pattern) if not t.startswith("__")]
        if not topics:
            return
        meta = consumer.list_topics(timeout=15).topics
        parts = [TopicPartition(t, p, OFFSET_BEGINNING) for t in topics for p in meta[t].partitions]
        if newest:
            parts = [_newest(consumer, tp, -(-per_topic // len(meta[tp.topic].partitions))) for tp in parts]
        consumer.assign(parts)
        open_parts = {(tp.topic, tp.partition) for tp in parts}
        counts = dict.fromkeys(topics, 0)
        deadline = time.monotonic() + timeout_s
        while open_parts and time.monotonic() < deadline:
            for msg in consumer.consume(500, 0.5):
                err = msg.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        open_parts.discard((msg.topic(), msg.partition()))
                    continue
                topic = msg.topic()
                if counts[topic] >= per_topic:
                    open_parts = {tp for tp in open_parts if tp[0] != topic}
                    continue
                counts[topic] += 1
                if on_progress is not None:
                    on_progress(1)
                ts_type, ts = msg.timestamp()
                yield SourceRecord(
                    topic,
                    msg.partition(),
                    msg.offset(),
                    msg.key(),
                    msg.value(),
                    tuple(msg.headers() or ()),
                    ts if ts_type else None,
                )
    finally:
        consumer.close()


def _newest(consumer: Consumer, tp: TopicPartition, share: int) -> TopicPartition:
    """``tp`` positioned ``share`` records before the partition's end (or at its start)."""
    low, high = consumer.get_watermark_offsets(tp, timeout=15)
    return TopicPartition(tp.topic, tp.partition, max(low, high - share))
