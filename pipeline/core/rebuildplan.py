"""What rebuilding a CDR topic takes (``cdr rebuild``), worked out from what was read.

Kafka cannot delete a record in the middle of a partition, only move a partition's start
(DeleteRecords). A CDR topic that published what it must not (a declaration that tagged
an e-mail column, a column declared ``none`` that held names) is therefore rebuilt whole:
everything it holds is deleted, and the service's consumer group is moved back, per
source partition, to the oldest source record the topic still held a record of. The
next ``cdr run`` republishes from there under the declarations in force then. Records are
deterministic (the same source record and declaration give the same bytes), so what was
right comes back the same, and only what the fix changes differs.

This module is pure: the reading (:mod:`pipeline.runtime.rebuild`) hands it the CDR
topic's ends, the oldest source position per source partition (from each record's
``cdr.source`` header), the source partitions' starts and the group's committed offsets.
Nothing here holds a record's key or value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

# ``<topic>/<partition>/<offset>``: Kafka topic names are [A-Za-z0-9._-]
_SOURCE = re.compile(r"([A-Za-z0-9._-]{1,249})/(\d{1,9})/(\d{1,19})")

SourcePartition = tuple[str, int]


def source_position(header: bytes | None) -> tuple[str, int, int] | None:
    """The ``cdr.source`` header's topic, partition and offset, or None when it has no
    such shape (a record this project did not write)."""
    if header is None or len(header) > 300:
        return None
    try:
        m = _SOURCE.fullmatch(header.decode("ascii"))
    except UnicodeDecodeError:
        return None
    return (m.group(1), int(m.group(2)), int(m.group(3))) if m else None


@dataclass(frozen=True)
class Rewind:
    """Where the service's group resumes one source partition."""

    topic: str
    partition: int
    oldest: int  # the oldest source offset the CDR topic held a record of
    source_start: int  # the first offset the source partition still holds
    committed: int | None  # the group's committed offset, if any
    resume_at: int

    @property
    def lost(self) -> int:
        """Source offsets whose CDR records are deleted but cannot be made again."""
        return max(0, self.source_start - self.oldest)


@dataclass(frozen=True)
class RebuildPlan:
    cdr_topic: str
    group: str
    delete_to: dict[int, int]  # CDR partition -> its end when read: deleted up to there
    held: int  # records deleted
    unattributed: int  # records with no readable cdr.source header
    rewinds: tuple[Rewind, ...]
    also_republished: tuple[str, ...]  # other CDR topics of the same sources
    members: int  # the group's members when read: must be 0
    allow_loss: bool
    # a source topic as refusals name it: as its cdr.source header did (SafeNames.topic),
    # not as the broker does (a topic nobody declared can be named after a person)
    shown: Callable[[str], str] = field(default=str, compare=False)

    @property
    def problems(self) -> list[str]:
        """Why the plan must not run (empty: it may). Names topics, partitions, offsets
        and the group; never a record."""
        out: list[str] = []
        if self.members:
            out.append(
                f"consumer group {self.group} has {self.members} member(s): stop every `cdr run` of it first "
                "(a running service would go on publishing, and the broker refuses to move its offsets)"
            )
        if self.allow_loss:
            return out
        for r in self.rewinds:
            if r.lost:
                out.append(
                    f"source {self.shown(r.topic)}/{r.partition} starts at offset {r.source_start}: the CDR records of "
                    f"its offsets {r.oldest}-{r.source_start - 1} would be deleted and never made again "
                    "(--allow-loss deletes them anyway)"
                )
        if self.unattributed:
            out.append(
                f"{self.unattributed} record(s) of {self.cdr_topic} carry no cdr.source header: where they "
                "came from is unknown, so they would not be made again (--allow-loss deletes them anyway)"
            )
        return out


def plan_rebuild(
    cdr_topic: str,
    group: str,
    ends: dict[int, int],
    starts: dict[int, int],
    oldest: dict[SourcePartition, int],
    unattributed: int,
    source_starts: dict[SourcePartition, int],
    committed: dict[SourcePartition, int | None],
    other_cdr_topics: dict[str, tuple[str, ...]],
    members: int,
    allow_loss: bool = False,
    shown: Callable[[str], str] = str,
) -> RebuildPlan:
    """The plan. ``ends``/``starts``: each CDR partition's end and start when read;
    ``oldest``: per source partition, the oldest offset a CDR record names;
    ``other_cdr_topics``: per source topic, the CDR topics its declarations publish.

    The group resumes a source partition at the oldest offset the CDR topic held a record
    of, or at its committed offset if that is older (records it has not published yet
    are not skipped); never before the source's start. A source partition the CDR topic
    held nothing of is left where it is."""
    rewinds = []
    for (topic, partition), first in sorted(oldest.items()):
        start = source_starts.get((topic, partition), 0)
        done = committed.get((topic, partition))
        resume = first if done is None or done < 0 else min(first, done)
        rewinds.append(Rewind(topic, partition, first, start, done, max(resume, start)))
    sources = {r.topic for r in rewinds}
    also = sorted({t for s in sources for t in other_cdr_topics.get(s, ()) if t != cdr_topic})
    held = sum(max(0, end - starts.get(p, 0)) for p, end in ends.items())
    return RebuildPlan(
        cdr_topic=cdr_topic,
        group=group,
        delete_to=dict(sorted(ends.items())),
        held=held,
        unattributed=unattributed,
        rewinds=tuple(rewinds),
        also_republished=tuple(also),
        members=members,
        allow_loss=allow_loss,
        shown=shown,
    )
