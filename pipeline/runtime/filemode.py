"""File mode (``cdr process``): the processing core over a JSON-lines file of Kafka
records, for dry runs and for testing a declaration change before committing it.

Input line: ``{"topic", "partition", "offset", "key", "value", "headers"?, "timestamp"?}``
where key and value are Debezium JSON documents (or null) and header values are strings,
documents or null; a topic has at most Kafka's 249 characters (a longer one: ``bad_line``).
The key and value reach the core as the bytes of the line that hold them
(:mod:`pipeline.formats.json.jsonspans`), exactly as a Kafka record would carry them (what
reading a canonical line parsed of them goes along, so the codec does not parse them
again: ``SourceRecord.read``, the same event as from the bytes), and
records go through :meth:`Processor.process_batch` as in the service, a batch's tables
one after the other (:meth:`Processor.process_tables`): what the service dead-letters (and
why) is what file mode dead-letters, and the rest of the file is processed. Output lines have the same shape; ``topic`` is the CDR topic, and
``partition`` and ``offset`` are null because they are only known once a broker accepts
the record (the source coordinates are in the ``cdr.source`` header).

The dead-letter file holds what the core dead-lettered and the lines that are not
records (with the error; never a value in it). It holds raw input: with
``dlq.encryption_key`` it is sealed as the dead-letter topic is (AES-GCM; roles ``key``,
``value``, ``headers`` for the original headers, names and values together, since a
name can be data too; ``line`` for an unreadable line), sealed bytes in base64. A topic
nobody declared whose name is not plain is named by its safe form (and, sealed, as it is
in ``sealed_topic``, role ``topic``), as the dead-letter topic's headers name it. A line
longer than twice ``max_record_bytes`` (plus 64 KiB) is not read into memory: it is
dead-lettered as ``record_too_large`` without its content.

Both files are written to a new file created with mode 0600 next to the target, which
replaces the target when the run ends; the run refuses to start when the output or
the dead-letter file is the input (or one another), symlinks and hard links included.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pipeline.core.change import KEY_HEADERS
from pipeline.core.events import CdrRecord, DeadLetter, Published, SourceRecord
from pipeline.core.processor import PII_HEADER, Processor
from pipeline.errors import CdrError, DecodeError, ProcessingError
from pipeline.formats.json import jsonspans, jsontext
from pipeline.formats.json.codec import JsonCodec
from pipeline.runtime.deadletter import DeadLetterSealer
from pipeline.tracebacks import diagnostic
from pipeline.vocabulary import DeadLetterReason

JSON_HEADERS = frozenset({PII_HEADER, *KEY_HEADERS})
BATCH_RECORDS = 500  # the service's default batch.size
BATCH_BYTES = 8 << 20  # a batch of large records is cut sooner: bounded memory
READ_BUFFER = 1 << 16  # the input's read buffer: a 3 KB line per syscall of 8 KB read 4x slower
WRITE_BUFFER = 1 << 20  # the outputs' write buffer: 3 KB lines through 8 KB cost 2.3x the CPU
DEFAULT_RECORD_BYTES = 1_000_000
TOPIC_CHARS_MAX = 249  # Kafka's limit: a longer name is not a Kafka record (and a table keeps its name)


class FilePathError(CdrError):
    """The run would overwrite its own input (or one output the other)."""


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

    def add(self, other: FileRunStats) -> None:
        """Count ``other``'s records too (a worker's, in ``cdr process --workers``); its
        ``lines`` are the lines this run read, already counted."""
        self.published += other.published
        self.dead_lettered += other.dead_lettered
        self.malformed += other.malformed
        self.skipped.update(other.skipped)
        self.by_cdr_topic.update(other.by_cdr_topic)
        self.dead_reasons.update(other.dead_reasons)

    @property
    def accounted(self) -> int:
        """Lines published, dead-lettered or skipped: equal to ``lines`` after a run."""
        return self.published + self.dead_lettered + self.malformed + sum(self.skipped.values())


@dataclass(frozen=True)
class _Unread:
    """A line that is not a record (``raw`` is None when it was too long to read)."""

    raw: bytes | None
    reason: str
    message: str


# -- paths -------------------------------------------------------------------------------


def check_paths(input_path: Path, output_path: Path, dlq_path: Path) -> None:
    """Refuse a run whose output or dead-letter file is its input, or each other: the
    same path, a symlink to it, or a hard link (same device and inode)."""
    named = (("--input", input_path), ("--output", output_path), ("the dead-letter file", dlq_path))
    for i, (name_a, a) in enumerate(named):
        for name_b, b in named[i + 1 :]:
            if _same_file(a, b):
                raise FilePathError(f"{name_b} ({b}) is the same file as {name_a} ({a}); refusing to overwrite it")


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        sa, sb = a.stat(), b.stat()
    except FileNotFoundError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


@contextlib.contextmanager
def private_output(path: Path) -> Iterator[IO[bytes]]:
    """A new file created with mode 0600 (never chmod-ed later) beside ``path``, that
    replaces ``path`` once written; removed if the run fails."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb", buffering=WRITE_BUFFER) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# -- reading -----------------------------------------------------------------------------


def line_limit(max_record_bytes: int | None) -> int:
    return 2 * (max_record_bytes or DEFAULT_RECORD_BYTES) + 65536


def read_lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """``(line number, stripped line, bytes read)``; the line is None when it is longer
    than ``limit`` (the rest of it is skipped, never held in memory)."""
    lineno = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        lineno += 1
        size = len(line)
        if size > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(1 << 20)
                size += len(line)
            yield lineno, None, size
            continue
        yield lineno, line.strip(), size


def iter_lines(stream: IO[bytes], limit: int = line_limit(None)) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of ``stream`` that are not over ``limit``."""
    for lineno, line, _ in read_lines(stream, limit):
        if line:
            yield lineno, line


def parse_line(line: bytes, lineno: int) -> SourceRecord:
    scalars: dict[str, object] = {}  # filled when the line was read whole (canonical form)
    envelopes: dict[str, tuple[bytes, object]] = {}  # ... and its {"schema":..,"payload":..} members
    try:
        members = jsonspans.object_members(line, scalars=scalars, envelopes=envelopes)
    except jsonspans.SpanError as exc:
        if not line.startswith(b"{"):
            raise DecodeError(DeadLetterReason.BAD_LINE, f"line {lineno} is not a JSON object") from None
        raise DecodeError(DeadLetterReason.INVALID_JSON, f"line {lineno} is not valid JSON ({exc})") from None

    def member(name: str, default: object = None) -> object:
        if name in scalars:
            return scalars[name]
        span = members.get(name)
        if span is None:
            return default
        value, _fast = jsontext.loads(line[span[0] : span[1]], f"line {lineno} {name!r}")
        return value

    topic, partition, offset = member("topic"), member("partition", 0), member("offset", lineno - 1)
    if not isinstance(topic, str) or not topic:
        raise DecodeError(DeadLetterReason.BAD_LINE, f"line {lineno}: 'topic' must be a non-empty string")
    if len(topic) > TOPIC_CHARS_MAX:
        raise DecodeError(
            DeadLetterReason.BAD_LINE, f"line {lineno}: 'topic' is longer than Kafka's {TOPIC_CHARS_MAX} characters"
        )
    for name, value in (("partition", partition), ("offset", offset)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise DecodeError(DeadLetterReason.BAD_LINE, f"line {lineno}: {name!r} must be a whole number >= 0")
    assert isinstance(partition, int) and isinstance(offset, int)
    timestamp = member("timestamp")
    key, value = _document(line, members.get("key")), _document(line, members.get("value"))
    read = None
    if envelopes:  # the codec need not parse again what the line's read parsed
        key_read, value_read = envelopes.get("key"), envelopes.get("value")
        read = (
            (key, *key_read) if key_read is not None and key is not None else None,
            (value, *value_read) if value_read is not None and value is not None else None,
        )
    return SourceRecord(
        topic=topic,
        partition=partition,
        offset=offset,
        key=key,
        value=value,
        headers=_headers(line, members.get("headers"), lineno),
        timestamp_ms=timestamp if isinstance(timestamp, int) and not isinstance(timestamp, bool) else None,
        read=read,
    )


def _document(line: bytes, span: tuple[int, int] | None) -> bytes | None:
    """The bytes of a member, as a Kafka record would carry them (null: no bytes)."""
    if span is None:
        return None
    raw = line[span[0] : span[1]]
    return None if raw == b"null" else raw


def _headers(line: bytes, span: tuple[int, int] | None, lineno: int) -> tuple[tuple[str, bytes | None], ...]:
    if span is None or line[span[0] : span[1]] in (b"null", b"{}"):  # most lines: none
        return ()
    try:
        members = jsonspans.object_members(line, span[0], span[1])
    except jsonspans.SpanError:
        raise DecodeError(DeadLetterReason.BAD_LINE, f"line {lineno}: 'headers' must be an object") from None
    headers = []
    for name, (start, end) in members.items():
        raw = line[start:end]
        if raw.startswith(b'"'):
            text, _fast = jsontext.loads(raw, f"line {lineno} header")
            headers.append((name, text.encode("utf-8", "surrogatepass")))
        else:
            headers.append((name, None if raw == b"null" else raw))
    return tuple(headers)


def _read(line: bytes | None, lineno: int, limit: int) -> SourceRecord | _Unread:
    if line is None:
        return _Unread(None, DeadLetterReason.RECORD_TOO_LARGE, f"line {lineno} is longer than {limit} bytes; not read")
    try:
        return parse_line(line, lineno)
    except DecodeError as exc:
        return _Unread(line, exc.reason, exc.message)


# -- writing -----------------------------------------------------------------------------


def _quote(text: str) -> bytes:
    """A JSON string for any text (lone surrogates escaped, so always encodable)."""
    return json.dumps(text).encode()


@functools.lru_cache(maxsize=1024)
def _quote_name(name: str) -> bytes:
    """:func:`_quote` for the names that repeat on every output line (members, topics,
    header names): remembered, a few hundred at most, never values."""
    return json.dumps(name).encode()


# Printable ASCII but '"' and '\\': what json.dumps writes as it is (a header such as cdr.policy or
# cdr.source, on every line), so quoted without decoding and encoding it again.
_PLAIN_BYTES = bytes(c for c in range(0x20, 0x7F) if c not in b'"\\')


def _text(raw: bytes) -> bytes:
    if not raw.translate(None, _PLAIN_BYTES):  # nothing left once the plain bytes are taken out
        return b'"' + raw + b'"'
    return _quote(raw.decode("utf-8", "surrogateescape"))


def _embed(raw: bytes | None, json_encoded: bool = False) -> bytes:
    """The bytes as they are when they are one JSON document (what was consumed or
    would be published, byte for byte), else as a JSON string. ``json_encoded``: the
    bytes come from the JSON core's encoder, which writes one compact document (its
    strings escape every line break), so they are not parsed again to be sure."""
    if raw is None:
        return b"null"
    if b"\n" not in raw:
        if json_encoded:
            return raw
        try:
            jsontext.loads(raw, "output")
        except DecodeError:
            pass
        else:
            return raw
    return _text(raw)


def _object(members: list[tuple[str, bytes]]) -> bytes:
    return b"{" + b",".join(_quote(name) + b":" + value for name, value in members) + b"}"


def _named_object(members: list[tuple[str, bytes]]) -> bytes:
    """:func:`_object` whose member names are short and recurring (quoted once)."""
    return b"{" + b",".join(_quote_name(name) + b":" + value for name, value in members) + b"}"


def record_line(rec: CdrRecord, json_encoded: bool = False) -> bytes:
    """One output line. ``json_encoded``: the record's key, value and JSON headers were
    written by the JSON core's encoder (see :func:`_embed`)."""
    headers: dict[str, bytes] = {}  # the config's pass-through names and cdr.*; a repeated name: its last value
    for name, raw in rec.headers:
        if raw is None:
            headers[name] = b"null"
        elif name in JSON_HEADERS:
            headers[name] = _embed(raw, json_encoded)
        else:
            headers[name] = _text(raw)
    parts = [
        b'{"topic":',
        _quote_name(rec.topic),
        b',"partition":null,"offset":null,"key":',
        _embed(rec.key, json_encoded),
        b',"value":',
        _embed(rec.value, json_encoded),
        b',"headers":',
        _named_object(list(headers.items())),
    ]
    if rec.timestamp_ms is not None:
        parts += (b',"timestamp":', str(rec.timestamp_ms).encode())
    parts.append(b"}\n")
    return b"".join(parts)  # the members in their order, written at once


def _error(stage: str, reason: str, error_class: str, message: str, frames: str = "") -> bytes:
    return _object(
        [
            ("stage", _quote(stage)),
            ("reason", _quote(reason)),
            ("class", _quote(error_class)),
            ("message", _quote(message)),
            ("frames", _quote(frames)),
        ]
    )


def _sealed(sealer: DeadLetterSealer, raw: bytes | None, role: str) -> bytes:
    sealed = sealer.seal(raw, role)
    return b"null" if sealed is None else b'"' + base64.b64encode(sealed) + b'"'


def _pack_headers(headers: tuple[tuple[str, bytes | None], ...]) -> bytes:
    """``[[name, base64 value or null], ...]``: the headers as one payload to seal."""
    return json.dumps(
        [[name, None if raw is None else base64.b64encode(raw).decode()] for name, raw in headers]
    ).encode()


def dead_letter_line(dead: DeadLetter, lineno: int, sealer: DeadLetterSealer | None = None) -> bytes:
    src = dead.source
    if sealer is not None:
        key, value = _sealed(sealer, src.key, "key"), _sealed(sealer, src.value, "value")
        # Names and values in one sealed member: a header's name can be data too.
        headers = _sealed(sealer, _pack_headers(src.headers), "headers") if src.headers else b"null"
    else:
        key, value = _embed(src.key), _embed(src.value)
        headers = _object([(name, b"null" if raw is None else _text(raw)) for name, raw in src.headers])
    members = [
        ("line", str(lineno).encode()),
        ("topic", _quote(dead.topic or src.topic)),  # a topic nobody declared: its safe form if not plain
        ("partition", str(src.partition).encode()),
        ("offset", str(src.offset).encode()),
        ("key", key),
        ("value", value),
        ("headers", headers),
    ]
    if sealer is not None:
        if dead.topic and dead.topic != src.topic:  # the topic as it is, sealed (as cdr.dlq.topic)
            members.append(("sealed_topic", _sealed(sealer, src.topic.encode("utf-8", "surrogatepass"), "topic")))
        members.append(("sealed", _quote(f"aes-gcm;{sealer.key_id}")))
    members.append(("error", _error(dead.stage, dead.reason, dead.error_class, dead.message, dead.frames)))
    return _object(members) + b"\n"


def unread_line(unread: _Unread, lineno: int, sealer: DeadLetterSealer | None = None) -> bytes:
    if unread.raw is None:
        raw = b"null"
    else:
        raw = _sealed(sealer, unread.raw, "line") if sealer is not None else _text(unread.raw)
    members = [("line", str(lineno).encode()), ("raw", raw)]
    if sealer is not None:
        members.append(("sealed", _quote(f"aes-gcm;{sealer.key_id}")))
    members.append(("error", _error("read", unread.reason, "DecodeError", unread.message)))
    return _object(members) + b"\n"


# -- the run -----------------------------------------------------------------------------


def process_file(
    processor: Processor,
    input_path: Path,
    output_path: Path,
    dlq_path: Path,
    on_progress: Callable[[int], object] | None = None,
    sealer: DeadLetterSealer | None = None,
) -> FileRunStats:
    check_paths(input_path, output_path, dlq_path)
    stats = FileRunStats()
    try:
        _process_lines(processor, input_path, output_path, dlq_path, on_progress, sealer, stats)
    except Exception as exc:
        raise loop_failed(stats, exc) from None
    return stats


def loop_failed(stats: FileRunStats, exc: Exception) -> FileLoopError:
    """The run's error for an exception outside the per-record net: the line, the type
    and frames (a third-party message can quote the value that caused it)."""
    return FileLoopError(f"line {stats.lines}: {diagnostic(exc)}; the rest of the file was not processed")


def _process_lines(
    processor: Processor,
    input_path: Path,
    output_path: Path,
    dlq_path: Path,
    on_progress: Callable[[int], object] | None,
    sealer: DeadLetterSealer | None,
    stats: FileRunStats,
) -> None:
    limit = line_limit(processor.settings.max_record_bytes)
    with (
        input_path.open("rb", buffering=READ_BUFFER) as src,
        private_output(output_path) as out,
        private_output(dlq_path) as dlq,
    ):
        for lines in read_batches(src, limit, stats, on_progress):
            batch = [(lineno, _read(line, lineno, limit)) for lineno, line in lines]
            _run_batch(processor, batch, out, dlq, sealer, stats)


def read_batches(
    stream: IO[bytes], limit: int, stats: FileRunStats, on_progress: Callable[[int], object] | None
) -> Iterator[list[tuple[int, bytes | None]]]:
    """The non-blank lines of ``stream`` in the batches the core reads them in (at most
    ``BATCH_RECORDS`` lines, cut sooner past ``BATCH_BYTES``): ``(line number, line)``,
    the line None when it is over ``limit``. Counts the lines in ``stats``; tells
    ``on_progress`` the bytes read once a batch has been worked (once a line is not free).
    ``cdr process --workers`` cuts the file with this too, so its batches are these."""
    batch: list[tuple[int, bytes | None]] = []
    size = read = 0
    for lineno, line, nbytes in read_lines(stream, limit):
        read += nbytes
        if line == b"":
            continue
        stats.lines += 1
        batch.append((lineno, line))
        size += nbytes
        if len(batch) >= BATCH_RECORDS or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
            if on_progress is not None:
                on_progress(read)
                read = 0
    if batch:
        yield batch
    if on_progress is not None:
        on_progress(read)


def _run_batch(
    processor: Processor,
    batch: list[tuple[int, SourceRecord | _Unread]],
    out: IO[bytes],
    dlq: IO[bytes],
    sealer: DeadLetterSealer | None,
    stats: FileRunStats,
) -> None:
    for _lineno, published, dead in batch_lines(processor, batch, sealer, stats):
        if published:
            out.write(published)
        if dead:
            dlq.write(dead)


def batch_lines(
    processor: Processor,
    batch: list[tuple[int, SourceRecord | _Unread]],
    sealer: DeadLetterSealer | None,
    stats: FileRunStats,
) -> Iterator[tuple[int, bytes, bytes]]:
    """``(line number, output lines, dead-letter line)`` of each line of a batch, in the
    batch's order (either part empty: a skipped record has neither), counted in ``stats``."""
    records = [item for _, item in batch if isinstance(item, SourceRecord)]
    outcomes = iter(processor.process_tables(records) if records else [])
    json_encoded = isinstance(processor.settings.codec, JsonCodec)
    for lineno, item in batch:
        if isinstance(item, _Unread):
            stats.malformed += 1
            stats.dead_reasons[item.reason] += 1
            yield lineno, b"", unread_line(item, lineno, sealer)
            continue
        outcome = next(outcomes)
        if isinstance(outcome, Published):
            lines = []
            for cdr in outcome.records:
                lines.append(record_line(cdr, json_encoded))
                stats.by_cdr_topic[cdr.topic] += 1
            stats.published += 1
            yield lineno, b"".join(lines), b""
        elif isinstance(outcome, DeadLetter):
            stats.dead_lettered += 1
            stats.dead_reasons[outcome.reason] += 1
            yield lineno, b"", dead_letter_line(outcome, lineno, sealer)
        else:
            stats.skipped[outcome.reason] += 1
            yield lineno, b"", b""


def iter_file_records(path: Path) -> Iterator[SourceRecord]:
    """The records of a file-mode input file (``cdr scan --input``); unreadable lines are
    passed over (a scan samples what it can read)."""
    with path.open("rb") as stream:
        for lineno, line in iter_lines(stream):
            try:
                yield parse_line(line, lineno)
            except ProcessingError:
                continue
