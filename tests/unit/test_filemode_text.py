"""A header's text in a file-mode output line: plain ASCII is quoted as it is, anything
else through json.dumps; both give json.dumps's very bytes."""

from __future__ import annotations

import json
import random

from pipeline.runtime.filemode import _text


def _dumped(raw: bytes) -> bytes:
    return json.dumps(raw.decode("utf-8", "surrogateescape")).encode()


def test_every_byte_alone_and_beside_plain_text_is_written_as_json_dumps_writes_it() -> None:
    for b in range(256):
        for raw in (bytes([b]), b"cdr/" + bytes([b]) + b"/0", bytes([b, b])):
            assert _text(raw) == _dumped(raw), f"byte {b:#04x}"
    assert _text(b"") == b'""'


def test_mixed_texts_are_written_as_json_dumps_writes_them() -> None:
    rng = random.Random(7)
    specials = [0x22, 0x5C, 0x7F, 0x00, 0x0A, 0x1F, 0xC3, 0xA9, 0xFF, 0xE2, 0x80, 0xA8]
    for _ in range(20_000):
        raw = bytes(
            rng.choice(specials) if rng.random() < 0.15 else rng.randrange(0x20, 0x7F)
            for _ in range(rng.randrange(0, 16))
        )
        assert _text(raw) == _dumped(raw), f"{len(raw)} bytes"
