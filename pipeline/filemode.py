"""File mode (``cdr process``): the processing core over a JSON-lines file of Kafka
records, for dry runs and for testing a declaration change before committing it.

Input line: ``{"topic", "partition", "offset", "key", "value", "headers"?}`` where key and
value are Debezium JSON documents (or null) and header values are strings, documents or
null. Output lines have the same shape; ``topic`` is the CDR topic, and ``partition`` and
``offset`` are null because they are only known once a broker accepts the record (the
source coordinates are in the ``cdr.source`` header). Lines that are not records, and
records the core dead-letters, go to the dead-letter file with the error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from pipeline.codec import jsontext
from pipeline.events import CdrRecord, DeadLetter, Published, SourceRecord
from pipeline.exceptions import CdrError, DecodeError
from pipeline.processor import KEY_HEADERS, PII_HEADER, Processor
from pipeline.tracebacks import diagnostic

JSON_HEADERS = frozenset({PII_HEADER, *KEY_HEADERS})


class FileLoopError(CdrError):
    """The file loop failed outside the per-record net: the line, the exception type and
    the project's frames (pipeline.tracebacks), never the exception's message."""


@dataclass
class FileRunStats:
    lines: int = 0
    published: int = 0
    dead_lettered: int = 0
    malformed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    by_cdr_topic: Counter[str] = field(default_factory=Counter)
    dead_reasons: Counter[str] = field(default_factory=Counter)


def parse_line(line: bytes, lineno: int) -> SourceRecord:
    doc, _fast = jsontext.loads(line, f"line {lineno}")
    if not isinstance(doc, dict):
        raise DecodeError("bad_line", f"line {lineno} is not a JSON object")
    topic, partition, offset = doc.get("topic"), doc.get("partition", 0), doc.get("offset", lineno - 1)
    if not isinstance(topic, str) or not topic:
        raise DecodeError("bad_line", f"line {lineno}: 'topic' must be a non-empty string")
    for name, value in (("partition", partition), ("offset", offset)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise DecodeError("bad_line", f"line {lineno}: {name!r} must be a whole number >= 0")
    headers_in = doc.get("headers") or {}
    if not isinstance(headers_in, dict):
        raise DecodeError("bad_line", f"line {lineno}: 'headers' must be an object")
    headers = tuple((str(k), _header_bytes(v)) for k, v in headers_in.items())
    return SourceRecord(
        topic=topic,
        partition=partition,
        offset=offset,
        key=_to_bytes(doc.get("key")),
        value=_to_bytes(doc.get("value")),
        headers=headers,
        timestamp_ms=doc.get("timestamp") if isinstance(doc.get("timestamp"), int) else None,
    )


def _to_bytes(doc: Any) -> bytes | None:
    return None if doc is None else jsontext.dumps(doc)


def _header_bytes(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return jsontext.dumps(value)


class _Docs:
    """Parses output bytes back into documents, remembering whether any of them needs
    the exact (standard library) JSON writer."""

    def __init__(self) -> None:
        self.fast = True

    def __call__(self, raw: bytes | None) -> Any:
        if raw is None:
            return None
        try:
            value, fast = jsontext.loads(raw, "output")
        except DecodeError:
            return raw.decode("utf-8", "replace")
        self.fast = self.fast and fast
        return value


def record_line(rec: CdrRecord) -> bytes:
    docs = _Docs()
    headers: dict[str, Any] = {}
    for name, raw in rec.headers:
        if raw is None:
            headers[name] = None
        elif name in JSON_HEADERS:
            headers[name] = docs(raw)
        else:
            headers[name] = raw.decode("utf-8", "replace")
    line: dict[str, Any] = {
        "topic": rec.topic,
        "partition": None,
        "offset": None,
        "key": docs(rec.key),
        "value": docs(rec.value),
        "headers": headers,
    }
    if rec.timestamp_ms is not None:
        line["timestamp"] = rec.timestamp_ms
    return jsontext.dumps(line, docs.fast) + b"\n"


def dead_letter_line(dead: DeadLetter, lineno: int) -> bytes:
    src = dead.source
    docs = _Docs()
    line = {
        "line": lineno,
        "topic": src.topic,
        "partition": src.partition,
        "offset": src.offset,
        "key": docs(src.key),
        "value": docs(src.value),
        "headers": {k: (v.decode("utf-8", "replace") if v is not None else None) for k, v in src.headers},
        "error": {
            "stage": dead.stage,
            "reason": dead.reason,
            "class": dead.error_class,
            "message": dead.message,
            "frames": dead.frames,
        },
    }
    return jsontext.dumps(line, docs.fast) + b"\n"


def iter_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for lineno, line in enumerate(stream, 1):
        stripped = line.strip()
        if stripped:
            yield lineno, stripped


def process_file(
    processor: Processor,
    input_path: Path,
    output_path: Path,
    dlq_path: Path,
    on_progress: Any = None,
) -> FileRunStats:
    stats = FileRunStats()
    try:
        _process_lines(processor, input_path, output_path, dlq_path, on_progress, stats)
    except Exception as exc:
        # A third-party message can quote the value that caused it: type and frames only.
        raise FileLoopError(f"line {stats.lines}: {diagnostic(exc)}; the rest of the file was not processed") from None
    return stats


def _process_lines(
    processor: Processor, input_path: Path, output_path: Path, dlq_path: Path, on_progress: Any, stats: FileRunStats
) -> None:
    with input_path.open("rb") as src, output_path.open("wb") as out, dlq_path.open("wb") as dlq:
        for lineno, line in iter_lines(src):
            stats.lines += 1
            if on_progress is not None:
                on_progress(len(line) + 1)
            try:
                rec = parse_line(line, lineno)
            except DecodeError as exc:
                stats.malformed += 1
                stats.dead_reasons[exc.reason] += 1
                entry = {
                    "line": lineno,
                    "raw": line.decode("utf-8", "replace"),
                    "error": {
                        "stage": "read",
                        "reason": exc.reason,
                        "class": type(exc).__name__,
                        "message": exc.message,
                    },
                }
                dlq.write(orjson.dumps(entry) + b"\n")
                continue
            outcome = processor.process(rec)
            if isinstance(outcome, Published):
                for cdr in outcome.records:
                    out.write(record_line(cdr))
                    stats.by_cdr_topic[cdr.topic] += 1
                stats.published += 1
            elif isinstance(outcome, DeadLetter):
                stats.dead_lettered += 1
                stats.dead_reasons[outcome.reason] += 1
                dlq.write(dead_letter_line(outcome, lineno))
            else:
                stats.skipped[outcome.reason] += 1
