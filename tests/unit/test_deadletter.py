"""Dead letters keep the original record for replay; sealed ones open only with their key."""

from __future__ import annotations

import base64

import pytest

from pipeline.core.events import DeadLetter, SourceRecord
from pipeline.runtime.deadletter import (
    H_SEALED,
    DeadLetterKeyError,
    DeadLetterSealer,
    dead_letter_record,
    original_record,
)

KEY = "base64:" + base64.b64encode(bytes(range(32))).decode()
SOURCE = SourceRecord(
    topic="shop.public.customers",
    partition=2,
    offset=41,
    key=b'{"id":7}',
    value=b'{"op":"c","after":{"email":"anne@example.com"',
    headers=(("__debezium.oldkey", b'{"email":"anne@example.com"}'),),
    timestamp_ms=1700000000000,
)
DEAD = DeadLetter(SOURCE, "decode", "invalid_json", "DecodeError", "value is not valid JSON")


def test_a_dead_letter_replays_as_the_record_it_was_made_from() -> None:
    out = dead_letter_record(DEAD, "cdr.dead-letter", now_ms=1)
    assert out.key == SOURCE.key and out.value == SOURCE.value
    assert original_record(out.key, out.value, list(out.headers), None) == SOURCE


def test_sealed_dead_letters_hide_key_value_and_headers_and_open_with_the_key() -> None:
    sealer = DeadLetterSealer.from_config(KEY)
    assert sealer is not None
    out = dead_letter_record(DEAD, "cdr.dead-letter", now_ms=1, sealer=sealer)
    blob = b"".join([out.key or b"", out.value or b"", *(v or b"" for _, v in out.headers)])
    assert b"anne@example.com" not in blob and b'"id":7' not in blob
    headers = dict(out.headers)
    assert headers[H_SEALED] == f"aes-gcm;{sealer.key_id}".encode()
    assert headers["__connect.errors.exception.message"] == b"value is not valid JSON"  # context stays readable
    assert original_record(out.key, out.value, list(out.headers), sealer) == SOURCE
    other = DeadLetterSealer.from_config("hex:" + "11" * 32)
    with pytest.raises(DeadLetterKeyError, match="does not open"):
        original_record(out.key, out.value, list(out.headers), other)
    with pytest.raises(DeadLetterKeyError, match=r"no dlq\.encryption_key"):
        original_record(out.key, out.value, list(out.headers), None)
    # Swapping the sealed key and value is detected: each is bound to its role.
    with pytest.raises(DeadLetterKeyError):
        sealer.open(out.key, "value")


@pytest.mark.parametrize("material", ["plain-text-key", "base64:AAAA", "hex:zz", "hex:" + "00" * 20])
def test_unusable_keys_are_refused_without_echoing_them(material: str) -> None:
    with pytest.raises(DeadLetterKeyError) as info:
        DeadLetterSealer.from_config(material)
    assert material not in str(info.value)
