"""Which offsets may be committed: at-least-once bookkeeping.

Contract (at-least-once):

1. A consumed record opens an entry for its partition, in consumption order.
2. Every CDR or dead-letter record produced for it adds one outstanding delivery.
3. The entry is sealed once the processing core is done with the record (a skipped
   record is sealed with nothing outstanding).
4. A successful delivery report removes one outstanding delivery; a failed one marks
   the partition failed: nothing at or past that entry is ever committed.
5. The committable offset of a partition is one past the last entry of the longest
   prefix of sealed entries with nothing outstanding. Committing it can never skip
   a record whose output was not acknowledged, so a crash loses nothing; records after
   the committed offset are processed again (duplicates, never gaps).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

TopicPartition = tuple[str, int]


@dataclass(slots=True)
class Entry:
    offset: int
    outstanding: int = 0
    sealed: bool = False


@dataclass(slots=True)
class _Partition:
    entries: deque[Entry] = field(default_factory=deque)
    done_through: int | None = None  # offset of the last entry released
    committed: int | None = None  # last offset handed to a commit (next offset to read)
    failed: bool = False


class OffsetTracker:
    def __init__(self) -> None:
        self._parts: dict[TopicPartition, _Partition] = {}

    def open(self, tp: TopicPartition, offset: int) -> Entry:
        part = self._parts.get(tp)
        if part is None:
            part = self._parts[tp] = _Partition()
        entry = Entry(offset)
        part.entries.append(entry)
        return entry

    @staticmethod
    def add_delivery(entry: Entry) -> None:
        entry.outstanding += 1

    @staticmethod
    def seal(entry: Entry) -> None:
        entry.sealed = True

    @staticmethod
    def delivered(entry: Entry) -> None:
        entry.outstanding -= 1

    def failed(self, tp: TopicPartition) -> None:
        """A delivery for ``tp`` failed for good. Its entry keeps the outstanding
        delivery forever, so no offset at or past it is ever committable."""
        part = self._parts.get(tp)
        if part is not None:
            part.failed = True

    @property
    def any_failed(self) -> bool:
        return any(p.failed for p in self._parts.values())

    def in_flight(self) -> int:
        return sum(len(p.entries) for p in self._parts.values())

    def committable(self, only: set[TopicPartition] | None = None, force: bool = False) -> dict[TopicPartition, int]:
        """Next offsets to commit: for partitions that advanced since the last call, or
        for every partition with progress when ``force`` (a final, synchronous commit
        must not trust that an earlier asynchronous one succeeded)."""
        out: dict[TopicPartition, int] = {}
        for tp, part in self._parts.items():
            if only is not None and tp not in only:
                continue
            entries = part.entries
            while entries and entries[0].sealed and entries[0].outstanding == 0:
                part.done_through = entries.popleft().offset
            if part.done_through is not None:
                nxt = part.done_through + 1
                if force or part.committed != nxt:
                    out[tp] = nxt
        return out

    def mark_committed(self, offsets: dict[TopicPartition, int]) -> None:
        for tp, nxt in offsets.items():
            part = self._parts.get(tp)
            if part is not None:
                part.committed = nxt

    def forget(self, tps: set[TopicPartition]) -> None:
        for tp in tps:
            self._parts.pop(tp, None)
