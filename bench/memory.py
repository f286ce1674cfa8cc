"""Resident memory of one service process with detection on: after start-up (the spaCy
model loaded, NER only), and after a stream of events with free text. Prints figures.

    .venv/bin/python bench/memory.py [--events N]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    args = parser.parse_args()
    os.environ.setdefault("CDR_HASH_KEY", "benchmark-hash-key-Q7vX2kLp9RzT4wNc8YhB3mJd6FsG")
    rows = [("python + pipeline imported", 0.0)]
    from bench.detection_throughput import HERE, batched
    from bench.throughput import source_records
    from pipeline.bootstrap import build_processor
    from pipeline.config import Config

    rows[0] = (rows[0][0], rss_mb())
    processor = build_processor(Config(schemas_dir=HERE / "schemas_detect"))
    rows.append(("+ spaCy model loaded (NER only), processor built", rss_mb()))
    records = source_records(args.events, schemas=True, free_text=True)
    rows.append((f"+ {args.events:,} generated events in memory (the benchmark's input)", rss_mb()))
    batched(processor, records)
    rows.append(("after processing them (detect, free text, NER cache warm)", rss_mb()))
    table = Table(title="resident memory of one process (VmRSS)")
    table.add_column("point")
    table.add_column("MB", justify="right")
    for name, mb in rows:
        table.add_row(name, f"{mb:,.0f}")
    table.add_row("peak (VmHWM)", f"{peak_mb():,.0f}")
    table.add_row("[bold]after the model loads[/] (target < 600)", f"[bold]{rows[1][1]:,.0f}[/]")
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
