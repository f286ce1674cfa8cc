"""The labels of a batch's NER votes, fetched in one model call per table.

A column's first ``min_samples`` values are each sampled, and each new name-shaped one
is put to an NER vote (:meth:`detectors.profiler.ColumnProfile._text`): one model call a
value, about twice what the same values cost read in one call. Votes cannot wait for
the batch's end: personal data is sticky, so a column's verdict depends on the order
its evidence comes in. Instead, before a table's next record of the batch is read, the
values the rest of its share would put to votes are found
(:meth:`~pipeline.core.processor.TableProcessor.vote_values`) and labelled at once
(:meth:`detectors.textscan.TextScanner.fetch_labels`): each vote is still cast when its
value is sampled, with the label it would have had alone. A guess that misses a vote
costs that vote its own model call; one that fetches a value never voted on costs its
share of the call. The labels are let go with the batch.

Bounds: a table's look decodes at most ``min_samples`` of its records, one at a time;
the fetches of a batch share one NER budget (``max_batch_chars``); a table whose fetched
labels no vote read stops fetching until its rules are next compiled; a model failure
leaves the labels unfetched (each vote then reads its value alone, inside its record's
safety net).

Only tables already read in the process are looked at (the first record of a table
makes its column profiles), once per batch each, and a table stops being looked at once
none of its columns is left in its first samples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from pipeline.core.events import SourceRecord

if TYPE_CHECKING:
    from detectors.textscan import TextScanner


class VotingTable(Protocol):
    """What a fetch needs of a table (:class:`pipeline.core.processor.TableProcessor`)."""

    read_any: bool

    def vote_values(self, records: list[SourceRecord]) -> list[str]: ...

    def close_votes(self) -> None: ...


class VoteFetch:
    """For one batch: fetch each table's votes before its first record that finds the
    table already made."""

    def __init__(
        self,
        tables: Mapping[str, VotingTable],
        records: Sequence[SourceRecord],
        scanner: TextScanner,
        max_record_bytes: int | None,
    ) -> None:
        self._tables = tables
        self._records = records
        self._scanner = scanner
        self._limit = max_record_bytes
        # topics looked at in this batch, or given up on: the caller skips their records
        self.done: set[str] = set()
        self._tried: set[str] = set()  # topics whose table was not there to look at once
        self._by_topic: dict[str, list[int]] | None = None  # each topic's records, made when first needed
        self._fetched: list[tuple[VotingTable, list[str]]] = []
        # the batch's NER budget, for all its tables' fetches together
        self._chars = scanner.ner.max_batch_chars if scanner.ner is not None else 0

    def before(self, index: int) -> None:
        """Record ``index``, of a topic not yet :attr:`done`, is about to be read."""
        topic = self._records[index].topic
        table = self._tables.get(topic)  # never made here: that is the record's reading's
        if table is None or not table.read_any:
            if topic in self._tried:  # its first record did not make it: no look this batch
                self.done.add(topic)
            self._tried.add(topic)
            return
        self.done.add(topic)
        if self._by_topic is None:  # one pass over the batch, however many topics it holds
            self._by_topic = {}
            for i, rec in enumerate(self._records):
                self._by_topic.setdefault(rec.topic, []).append(i)
        share = [
            self._records[i]
            for i in self._by_topic[topic]
            if i >= index and self._records[i].oversize(self._limit) is None  # what is not read is not sampled
        ]
        assert self._scanner.ner is not None  # else no table has votes to fetch
        label_chars = self._scanner.ner.label_chars
        fits: list[str] = []
        for value in table.vote_values(share):
            cost = label_chars(value)
            if cost > self._chars:
                break
            self._chars -= cost
            fits.append(value)
        if fits:
            self._scanner.fetch_labels(fits)
            self._fetched.append((table, fits))

    def close(self) -> None:
        """The batch is done: a table none of whose fetched labels a vote read (its
        records were dead-lettered before their values were sampled, say) fetches no more
        until its rules are next compiled; the labels are let go."""
        used = self._scanner.used_labels()
        for table, values in self._fetched:
            if used.isdisjoint(values):
                table.close_votes()
        self._scanner.forget_labels()
