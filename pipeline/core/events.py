"""Immutable records that flow through the pipeline, each carrying its Kafka coordinates.

The processing core turns one :class:`SourceRecord` into exactly one outcome:
:class:`Published` (zero or more CDR records), :class:`DeadLetter` (the original record and
a reason that holds no raw value) or :class:`Skipped` (a record that is not a table change
and is deliberately not republished). Nothing is ever dropped silently.

Each is a NamedTuple: immutable and typed, and built in a sixth of a frozen dataclass's
time (a frozen dataclass sets each field through ``object.__setattr__``; the core builds
four of these per record).
"""

from __future__ import annotations

from typing import Any, NamedTuple

Headers = tuple[tuple[str, bytes | None], ...]


class SourceRecord(NamedTuple):
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers = ()
    timestamp_ms: int | None = None
    # What the record's reader already parsed of its key and value, for the codec (the
    # core does not look inside): file mode reads a canonical line whole and hands the
    # JSON codec ``(key, value)``, each None or ``(the bytes, schema bytes, payload)``,
    # exactly what those bytes hold. The bytes stay the record: a codec reads them when
    # they are not the very object the hint names (a record made from this one with
    # other bytes), and may always read them instead.
    read: Any = None

    @property
    def coordinates(self) -> str:
        return f"{self.topic}/{self.partition}/{self.offset}"

    def oversize(self, limit: int | None) -> str | None:
        """Why the record is not read, when its key and value together are over ``limit``
        bytes (``max_record_bytes``); None when they are not, or there is no limit."""
        if limit is None:
            return None
        size = len(self.key or b"") + len(self.value or b"")
        return f"record is {size} bytes, over max_record_bytes ({limit}); not processed" if size > limit else None


class CdrRecord(NamedTuple):
    topic: str
    key: bytes | None
    value: bytes | None
    headers: Headers
    timestamp_ms: int | None


class ProcessingReport(NamedTuple):
    """What the core did to one record, for metrics and logs (names and counts only)."""

    table: str
    fields_transformed: tuple[tuple[str, int], ...] = ()  # (treatment, count)
    undeclared_columns: tuple[str, ...] = ()
    source_ts_ms: int | None = None
    detections: tuple[tuple[str, str, str, int], ...] = ()  # (column, entity, source, values)
    missing_columns: tuple[str, ...] = ()  # declared columns absent from the row (dropped upstream)


class Published(NamedTuple):
    source: SourceRecord
    records: tuple[CdrRecord, ...]
    report: ProcessingReport


class DeadLetter(NamedTuple):
    """A record the core could not publish safely. ``message`` never holds a raw value."""

    source: SourceRecord
    stage: str  # decode | policy | transform | encode
    reason: str  # bounded vocabulary, used as a metric label
    error_class: str
    message: str
    frames: str = ""  # the project's file:line frames where it failed (pipeline.tracebacks), never values
    topic: str = ""  # the source topic as headers may name it (SafeNames.topic); empty: the record's own


class Skipped(NamedTuple):
    source: SourceRecord
    reason: str  # undeclared_topic | heartbeat | transaction | schema_change


Outcome = Published | DeadLetter | Skipped
