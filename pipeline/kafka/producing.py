"""Handing a record to librdkafka's producer."""

from __future__ import annotations

from collections.abc import Callable

from confluent_kafka import KafkaError, Message, Producer

from pipeline.events import CdrRecord


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
