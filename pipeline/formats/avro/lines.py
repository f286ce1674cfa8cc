"""Avro records in file mode (``cdr process`` with ``format: avro``): a JSON-lines file
cannot hold binary, so each key and value (and Avro-framed key header) is a JSON string
of the record's bytes in base64, ``"AAAAAAE..."``, in the input and in the output (the
PK-change key headers too, when they are Avro; other headers are as in JSON file mode).

:class:`Base64Lines` wraps the Avro codec: it turns the line's JSON strings back into
the record's bytes, lets :class:`~pipeline.formats.avro.codec.AvroCodec` do the rest
(the registry from the config, as the service does; the size limit on the Avro bytes),
and writes the CDR record's bytes (and Avro key headers) back as base64 JSON strings.
Dead letters keep the line's bytes as they were read.
"""

from __future__ import annotations

import base64
import binascii

import orjson

from pipeline.core.change import ChangeEvent, Encoded
from pipeline.core.events import SourceRecord
from pipeline.errors import DecodeError
from pipeline.formats.avro.codec import AvroCodec
from pipeline.vocabulary import DeadLetterReason


def from_line(raw: bytes | None, what: str) -> bytes | None:
    """The bytes a line's member stands for: a JSON string of base64 (null: no bytes)."""
    if raw is None:
        return None
    try:
        text = orjson.loads(raw)
    except orjson.JSONDecodeError:
        text = None
    if not isinstance(text, str):
        raise DecodeError(
            DeadLetterReason.NOT_BASE64, f"{what} is not a JSON string of base64 (format: avro in file mode)"
        )
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DecodeError(
            DeadLetterReason.NOT_BASE64, f"{what} is not valid base64 (format: avro in file mode)"
        ) from None


def _header(raw: bytes, name: str) -> bytes:
    """A PK-change key header: file mode gives a JSON document as it is (a JsonConverter
    key), a JSON string as its text, which here is the Avro key's bytes in base64."""
    if raw[:1] in (b"{", b"["):
        return raw
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise DecodeError(
            DeadLetterReason.NOT_BASE64, f"header {name} is not valid base64 (format: avro in file mode)"
        ) from None


def to_line(raw: bytes | None) -> bytes | None:
    return None if raw is None else b'"' + base64.b64encode(raw) + b'"'


class Base64Lines:
    """A :class:`~pipeline.core.change.ChangeCodec` for file mode: the line's base64 to
    bytes, then the Avro codec; its bytes back to base64 JSON strings."""

    def __init__(self, inner: AvroCodec, binary_headers: frozenset[str]) -> None:
        self.inner = inner
        self.binary_headers = binary_headers  # headers that may be Avro-framed (the PK-change keys)

    def bound(self, cdr_topic: str) -> Base64Lines:
        return Base64Lines(self.inner.bound(cdr_topic), self.binary_headers)

    def decode(self, rec: SourceRecord, fmt: str, columns: frozenset[str]) -> ChangeEvent:
        headers = tuple(
            (name, _header(raw, name) if raw is not None and name in self.binary_headers else raw)
            for name, raw in rec.headers
        )
        binary = rec._replace(key=from_line(rec.key, "key"), value=from_line(rec.value, "value"), headers=headers)
        return self.inner.decode(binary, fmt, columns)

    def encode(self, event: ChangeEvent) -> Encoded:
        encoded = self.inner.encode(event)
        headers = tuple(
            (name, to_line(raw) if name in self.binary_headers and raw is not None and raw[:1] == b"\x00" else raw)
            for name, raw in encoded.headers
        )
        return Encoded(to_line(encoded.key), to_line(encoded.value), headers)
