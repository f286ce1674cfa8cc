"""What went into a topic and what came out of another, by source coordinates: the
figures of the Kafka benchmark (rate of a drained backlog, end-to-end latency, records
missing). Pure: timestamps are the broker's (``LogAppendTime``) milliseconds, given in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

Coordinates = tuple[str, int, int]  # topic, partition, offset


def parse_coordinates(raw: bytes | str | None) -> Coordinates | None:
    """``topic/partition/offset`` (the ``cdr.source`` header) as a tuple; None when it is
    not of that form. The topic may hold '/': the last two parts are the numbers."""
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    topic, _, rest = text.rpartition("/")
    topic, _, partition = topic.rpartition("/")
    if not topic or not partition.isdigit() or not rest.isdigit():
        return None
    return topic, int(partition), int(rest)


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q <= 100) of ``values``."""
    if not values:
        raise ValueError("no values")
    if not 0 < q <= 100:
        raise ValueError("q must be in (0, 100]")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass
class Ledger:
    """Source records in (coordinates -> append time) and outputs out (coordinates of
    their source record -> append time of the first output seen for it)."""

    inputs: dict[Coordinates, int] = field(default_factory=dict)
    outputs: dict[Coordinates, int] = field(default_factory=dict)
    duplicates: int = 0  # outputs beyond the first for one source record

    def record_in(self, coords: Coordinates, ts_ms: int) -> None:
        self.inputs[coords] = ts_ms

    def record_out(self, coords: Coordinates, ts_ms: int) -> None:
        if coords in self.outputs:
            self.duplicates += 1
            self.outputs[coords] = min(self.outputs[coords], ts_ms)
        else:
            self.outputs[coords] = ts_ms

    def missing(self) -> int:
        """Source records with no output."""
        return sum(1 for c in self.inputs if c not in self.outputs)

    def latencies_ms(self) -> list[int]:
        """Output time minus input time, per source record that has both."""
        return [self.outputs[c] - ts for c, ts in self.inputs.items() if c in self.outputs]

    def busiest_inputs(self, window_ms: int) -> int:
        """The most source records appended within any ``window_ms``: for a paced stream,
        whether the broker saw the pace (rate x window) or a burst."""
        times = sorted(self.inputs.values())
        most, first = 0, 0
        for last, ts in enumerate(times):
            while ts - times[first] >= window_ms:
                first += 1
            most = max(most, last - first + 1)
        return most

    def drain_rate(self, start_ms: float | None = None) -> float:
        """Source records per second from ``start_ms`` (when the readers were let go at a
        backlog; by default the first record's arrival) to the last output: how fast the
        backlog was worked off (0 if nothing came out)."""
        done = [c for c in self.inputs if c in self.outputs]
        if not done:
            return 0.0
        start = min(self.inputs.values()) if start_ms is None else start_ms
        end = max(self.outputs[c] for c in done)
        return len(self.inputs) / max(end - start, 1) * 1000.0
