"""Dead-letter records: the original key, value and headers, so the record can be
replayed, plus Kafka Connect-style context headers. The message header is written by
this code and never holds a raw value; the payload is raw, so the dead-letter topic is
as sensitive as the source topic and needs the same ACLs.
"""

from __future__ import annotations

import time

from pipeline.events import CdrRecord, DeadLetter

H_TOPIC = "__connect.errors.topic"
H_PARTITION = "__connect.errors.partition"
H_OFFSET = "__connect.errors.offset"
H_STAGE = "__connect.errors.stage"
H_CLASS = "__connect.errors.exception.class.name"
H_MESSAGE = "__connect.errors.exception.message"
H_REASON = "cdr.error.reason"
H_SOURCE_TS = "cdr.source.timestamp"
H_FAILED_AT = "cdr.error.timestamp"


def dead_letter_record(dead: DeadLetter, topic: str, now_ms: int | None = None) -> CdrRecord:
    src = dead.source
    context: list[tuple[str, bytes | None]] = [
        (H_TOPIC, src.topic.encode()),
        (H_PARTITION, str(src.partition).encode()),
        (H_OFFSET, str(src.offset).encode()),
        (H_STAGE, dead.stage.encode()),
        (H_CLASS, dead.error_class.encode()),
        (H_MESSAGE, dead.message.encode()),
        (H_REASON, dead.reason.encode()),
        (H_FAILED_AT, str(now_ms if now_ms is not None else int(time.time() * 1000)).encode()),
    ]
    if src.timestamp_ms is not None:
        context.append((H_SOURCE_TS, str(src.timestamp_ms).encode()))
    return CdrRecord(topic, src.key, src.value, (*src.headers, *context), src.timestamp_ms)
