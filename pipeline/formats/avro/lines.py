"""Avro records in file mode (``cdr process`` with ``format: avro``): a JSON-lines file
cannot hold binary, so each key and value (and Avro-framed key header) is a JSON string
of the record's bytes in base64, ``"AAAAAAE..."``, in the input and in the output (the
PK-change key headers too, when they are Avro; other headers are as in JSON file mode).

:class:`Base64Lines` wraps the Avro format: it turns the line's JSON strings back into
the record's bytes, lets :class:`~pipeline.formats.avro.format.AvroFormat` do the rest
(the registry from the config, as the service does), and writes the CDR record's bytes
back as base64 JSON strings. Dead letters keep the line's bytes as they were read.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Callable

import orjson

from pipeline.core.events import DeadLetter, Outcome, Published, SourceRecord
from pipeline.core.processor import RecordFormat
from pipeline.errors import DecodeError
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
    def __init__(self, inner: RecordFormat, binary_headers: frozenset[str]) -> None:
        self.inner = inner
        self.binary_headers = binary_headers  # headers that may be Avro-framed (the PK-change keys)

    def process(self, rec: SourceRecord, core: Callable[[SourceRecord], Outcome]) -> Outcome:
        try:
            headers = tuple(
                (name, _header(raw, name) if raw is not None and name in self.binary_headers else raw)
                for name, raw in rec.headers
            )
            binary = dataclasses.replace(
                rec, key=from_line(rec.key, "key"), value=from_line(rec.value, "value"), headers=headers
            )
        except DecodeError as exc:
            return DeadLetter(rec, exc.stage, exc.reason, type(exc).__name__, exc.message)
        outcome = self.inner.process(binary, core)
        if isinstance(outcome, Published):
            records = tuple(dataclasses.replace(r, key=to_line(r.key), value=to_line(r.value)) for r in outcome.records)
            return Published(rec, records, outcome.report)
        return dataclasses.replace(outcome, source=rec)
