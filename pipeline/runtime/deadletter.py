"""Dead-letter records: the original key, value and headers, so the record can be
replayed (``cdr dlq replay``), plus Kafka Connect-style context headers. The message
header is written by this code and never holds a raw value; the payload is raw, so the
dead-letter topic is as sensitive as the source topic and needs the same ACLs.

With ``dlq.encryption_key`` the payload is sealed with AES-GCM: the key, the value and
the original headers (names and values, together in one ``cdr.dlq.headers`` header: a
header's name can be data too), each with a fresh 96-bit nonce and its role as associated
data (a sealed key cannot pass for a value). The context headers stay readable.

The context headers name columns only in their safe form (:mod:`pipeline.core.safenames`),
and the source topic too when nobody declared it and its name is not plain (sealed, the
topic as it is rides along in ``cdr.dlq.topic`` for replay);
``cdr.dlq.frames`` keeps a diagnostic: the project's ``file:line`` frames where the
record failed (:mod:`pipeline.tracebacks`), never a value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import time
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pipeline.config import dlq_key
from pipeline.core.events import CdrRecord, DeadLetter, SourceRecord
from pipeline.core.safenames import redact_unsafe_quoted
from pipeline.errors import DeadLetterKeyError

H_TOPIC = "__connect.errors.topic"
H_PARTITION = "__connect.errors.partition"
H_OFFSET = "__connect.errors.offset"
H_STAGE = "__connect.errors.stage"
H_CLASS = "__connect.errors.exception.class.name"
H_MESSAGE = "__connect.errors.exception.message"
H_REASON = "cdr.error.reason"
H_SOURCE_TS = "cdr.source.timestamp"
H_FAILED_AT = "cdr.error.timestamp"
H_SEALED = "cdr.dlq.sealed"  # "aes-gcm;<key id>" when the payload is encrypted
H_FRAMES = "cdr.dlq.frames"  # "pipeline/x.py:12 (f) < ...": where it failed, never values
H_HEADERS = "cdr.dlq.headers"  # sealed: the original headers, names and values
# sealed: the source topic, when __connect.errors.topic names it in its safe form (a topic
# nobody declared whose name is not plain: pipeline.core.safenames.SafeNames.topic)
H_TOPIC_SEALED = "cdr.dlq.topic"
CONTEXT_HEADERS = frozenset(
    {
        H_TOPIC,
        H_PARTITION,
        H_OFFSET,
        H_STAGE,
        H_CLASS,
        H_MESSAGE,
        H_REASON,
        H_SOURCE_TS,
        H_FAILED_AT,
        H_SEALED,
        H_FRAMES,
        H_HEADERS,
        H_TOPIC_SEALED,
    }
)
_MAGIC = b"CDRDLQ1"


@dataclass(frozen=True)
class DeadLetterSealer:
    aead: AESGCM
    key_id: str

    @classmethod
    def from_config(cls, material: str | None) -> DeadLetterSealer | None:
        key = dlq_key(material)
        if key is None:
            return None
        key_id = "d" + hashlib.sha256(b"cdr-dlq-key-id:" + hashlib.sha256(key).digest()).hexdigest()[:8]
        return cls(AESGCM(key), key_id)

    def seal(self, data: bytes | None, role: str) -> bytes | None:
        if data is None:
            return None
        nonce = os.urandom(12)
        return _MAGIC + nonce + self.aead.encrypt(nonce, data, role.encode())

    def open(self, data: bytes | None, role: str) -> bytes | None:
        if data is None:
            return None
        if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 12 + 16:
            raise DeadLetterKeyError(f"the dead letter's {role} is not sealed by cdr-pipeline")
        nonce = data[len(_MAGIC) : len(_MAGIC) + 12]
        try:
            return self.aead.decrypt(nonce, data[len(_MAGIC) + 12 :], role.encode())
        except InvalidTag:
            raise DeadLetterKeyError(f"the dead letter's {role} does not open with this key") from None


def dead_letter_record(
    dead: DeadLetter, topic: str, now_ms: int | None = None, sealer: DeadLetterSealer | None = None
) -> CdrRecord:
    src = dead.source
    key, value, headers = src.key, src.value, list(src.headers)
    if sealer is not None:
        key, value = sealer.seal(key, "key"), sealer.seal(value, "value")
        headers = [(H_HEADERS, sealer.seal(_pack_headers(headers), "headers"))] if headers else []
        if dead.topic and dead.topic != src.topic:  # the topic as it is, for replay: sealed too
            headers.append((H_TOPIC_SEALED, sealer.seal(src.topic.encode("utf-8", "surrogatepass"), "topic")))
    # The processor writes names in their keyed safe form; a message made elsewhere that
    # quotes anything else loses it here (last line of defence, no key needed).
    message = redact_unsafe_quoted(dead.message)
    context: list[tuple[str, bytes | None]] = [
        (H_TOPIC, (dead.topic or src.topic).encode()),
        (H_PARTITION, str(src.partition).encode()),
        (H_OFFSET, str(src.offset).encode()),
        (H_STAGE, dead.stage.encode()),
        (H_CLASS, dead.error_class.encode()),
        (H_MESSAGE, message.encode("utf-8", "replace")),
        (H_REASON, dead.reason.encode()),
        (H_FAILED_AT, str(now_ms if now_ms is not None else int(time.time() * 1000)).encode()),
    ]
    if dead.frames:
        context.append((H_FRAMES, dead.frames.encode()))
    if src.timestamp_ms is not None:
        context.append((H_SOURCE_TS, str(src.timestamp_ms).encode()))
    if sealer is not None:
        context.append((H_SEALED, f"aes-gcm;{sealer.key_id}".encode()))
    return CdrRecord(topic, key, value, (*headers, *context), src.timestamp_ms)


def original_record(
    key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes | None]], sealer: DeadLetterSealer | None
) -> SourceRecord:
    """The source record a dead letter was made from (``cdr dlq replay``)."""
    context = {name: raw for name, raw in headers if name in CONTEXT_HEADERS}
    original = [(name, raw) for name, raw in headers if name not in CONTEXT_HEADERS]
    if H_TOPIC not in context or H_PARTITION not in context or H_OFFSET not in context:
        raise DeadLetterKeyError("not a cdr-pipeline dead letter: its context headers are missing")
    if context.get(H_SEALED) is not None:
        if sealer is None:
            raise DeadLetterKeyError("the dead letter is sealed and no dlq.encryption_key is configured")
        key, value = sealer.open(key, "key"), sealer.open(value, "value")
        packed = context.get(H_HEADERS)
        if packed is not None:
            original = _unpack_headers(sealer.open(packed, "headers"))
        else:  # sealed before header names were sealed too: one sealed value per header
            original = [(name, sealer.open(raw, f"header:{name}")) for name, raw in original]
    topic = (context[H_TOPIC] or b"").decode()
    sealed_topic = context.get(H_TOPIC_SEALED)
    if sealed_topic is not None and sealer is not None and context.get(H_SEALED) is not None:
        topic = (sealer.open(sealed_topic, "topic") or b"").decode("utf-8", "surrogatepass")
    ts = context.get(H_SOURCE_TS)
    return SourceRecord(
        topic=topic,
        partition=int(context[H_PARTITION] or b"0"),
        offset=int(context[H_OFFSET] or b"0"),
        key=key,
        value=value,
        headers=tuple(original),
        timestamp_ms=int(ts) if ts else None,
    )


def _pack_headers(headers: list[tuple[str, bytes | None]]) -> bytes:
    return orjson.dumps([[name, None if raw is None else base64.b64encode(raw).decode()] for name, raw in headers])


def _unpack_headers(packed: bytes | None) -> list[tuple[str, bytes | None]]:
    try:
        items = orjson.loads(packed or b"[]")
        return [(str(name), None if raw is None else base64.b64decode(raw, validate=True)) for name, raw in items]
    except (orjson.JSONDecodeError, binascii.Error, TypeError, ValueError):
        raise DeadLetterKeyError("the dead letter's sealed headers are not readable") from None
