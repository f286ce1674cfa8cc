"""File mode's line reader: the cost per line of finding a line's members
(:func:`pipeline.formats.json.jsonspans.object_members`) with the Kafka Connect schemas
of earlier lines remembered and cut out, against the same reader with nothing
remembered (the whole line parsed and written back), measured in the same run. Prints
figures; never fails on time.

    .venv/bin/python bench/linespans.py [--events N] [--rounds R] [--prose]

The file is the five-table Debezium workload of ``bench/workloads.py``. The two readers
run alternately, round after round, and each keeps its fastest round (the machine is
shared: a slower round is other work, not the reader). Both must give the same spans
on every line, and the run stops if they do not. An orjson decode + encode of each line
is printed beside them for scale.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.workloads import write_file  # noqa: E402
from pipeline.formats.json import jsonspans  # noqa: E402
from pipeline.formats.json.knownschemas import KnownSchemas  # noqa: E402


class _NothingRemembered:
    """Stands in for the schema memory: never cuts, never learns (the whole-line reader)."""

    def reduce(self, piece: bytes) -> None:
        return None

    def learn(self, envelope: dict[str, object]) -> None:
        return None


def read_all(lines: list[bytes]) -> float:
    """Seconds per line of ``object_members`` over ``lines``."""
    members = jsonspans.object_members
    start = time.perf_counter()
    for line in lines:
        members(line)
    return (time.perf_counter() - start) / len(lines)


def passthrough(lines: list[bytes]) -> float:
    loads, dumps = orjson.loads, orjson.dumps
    start = time.perf_counter()
    for line in lines:
        dumps(loads(line))
    return (time.perf_counter() - start) / len(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=6000, help="events written to the workload file")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--prose", action="store_true", help="the workload with one free-text column per table")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory(prefix="cdr-bench-linespans-") as tmp:
        source = Path(tmp) / "events.jsonl"
        write_file(source, args.events, seed=42, prose=args.prose)
        lines = [line.strip() for line in source.read_bytes().splitlines() if line.strip()]
    remembered, nothing = KnownSchemas(), _NothingRemembered()
    readers: dict[str, tuple[object, Callable[[list[bytes]], float]]] = {
        "schemas cut (this reader)": (remembered, read_all),
        "whole line (nothing remembered)": (nothing, read_all),
        "orjson decode + encode of the line": (nothing, passthrough),
    }
    original = jsonspans.KNOWN_SCHEMAS
    try:
        jsonspans.KNOWN_SCHEMAS = remembered  # type: ignore[assignment]
        cut = [jsonspans.object_members(line) for line in lines]
        jsonspans.KNOWN_SCHEMAS = nothing  # type: ignore[assignment]
        if cut != [jsonspans.object_members(line) for line in lines]:
            console.print("[red]the two readers gave different spans[/]")
            return 1
        best = dict.fromkeys(readers, float("inf"))
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("rounds (readers alternated)", total=args.rounds)
            for r in range(args.rounds):
                order = list(readers) if r % 2 == 0 else list(reversed(readers))
                for name in order:
                    memory, run = readers[name]
                    jsonspans.KNOWN_SCHEMAS = memory  # type: ignore[assignment]
                    best[name] = min(best[name], run(lines))
                progress.advance(task)
    finally:
        jsonspans.KNOWN_SCHEMAS = original
    mean = sum(map(len, lines)) / len(lines)
    table = Table(
        title=f"object_members per line: {len(lines):,} Debezium lines of five tables (mean {mean:,.0f} B), "
        f"fastest of {args.rounds} alternated rounds; {len(remembered)} schemas remembered"
    )
    table.add_column("reader")
    table.add_column("us / line", justify="right")
    table.add_column("vs whole line", justify="right")
    base = best["whole line (nothing remembered)"]
    for name, seconds in best.items():
        table.add_row(name, f"{seconds * 1e6:.1f}", f"{seconds / base:.2f}")
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
