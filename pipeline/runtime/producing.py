"""Handing a record to librdkafka's producer, and the one place its settings are built.

Every producer that writes CDR or dead-letter records (the service, ``cdr dlq replay``)
is configured by :func:`producer_settings`, so a key lands on the partition the service
would have chosen: per-key order and log compaction hold for replayed records too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from pipeline.config import Config
from pipeline.core.events import CdrRecord

# librdkafka's default partitioner (consistent_random, CRC32) puts a key on another
# partition than Java clients and Kafka Connect (murmur2); the config may set another.
PRODUCER_DEFAULTS: dict[str, Any] = {"partitioner": "murmur2_random"}
# Not configurable: no loss and no reordering on retries.
FIXED_PRODUCER: dict[str, Any] = {"enable.idempotence": True, "acks": "all"}
DEAD_LETTER_OVERHEAD_BYTES = 65536  # headers and envelope of an oversize record's dead letter


def producer_settings(config: Config, transactional: bool = False) -> dict[str, Any]:
    """librdkafka settings of a CDR producer: defaults, then the config's ``kafka`` and
    ``producer`` sections, then the fixed delivery guarantees; with ``transactional``,
    the worker's ``transactional.id`` (exactly-once, service only)."""
    settings: dict[str, Any] = {
        **PRODUCER_DEFAULTS,
        "message.max.bytes": config.dead_letter_max_bytes + DEAD_LETTER_OVERHEAD_BYTES,
        **config.producer_settings(),
        **FIXED_PRODUCER,
    }
    if transactional:
        settings["transactional.id"] = config.transactional_id
        settings["transaction.timeout.ms"] = int(config.transaction_timeout_s * 1000)
    return settings


def produce(producer: Producer, out: CdrRecord, on_delivery: Callable[[KafkaError | None, Message], None]) -> None:
    """Queue ``out``; while the local queue is full, serve delivery reports until there is
    room (backpressure: the caller is held, nothing is dropped). Other errors propagate."""
    while True:
        try:
            producer.produce(
                out.topic,
                value=out.value,
                key=out.key,
                headers=list(out.headers),
                timestamp=out.timestamp_ms or 0,
                on_delivery=on_delivery,
            )
            return
        except BufferError:
            producer.poll(0.1)
