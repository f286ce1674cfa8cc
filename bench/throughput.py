"""Processing-core throughput against an orjson passthrough of the same records, in the
same run. Prints figures; never fails on time.

    .venv/bin/python bench/throughput.py [--events N] [--rounds R] [--schemaless]

The passthrough decodes and re-encodes each record's key and value with orjson: the
least any JSON-in/JSON-out stage must do. The core does that plus classification,
policy, treatments (HMAC-SHA256, masks, drop) and schema rewriting.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import orjson
from rich.console import Console
from rich.progress import track
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devstack.sample_events import CustomerEvents
from pipeline.config import Config, DetectionConfig
from pipeline.core.events import Published, SourceRecord
from pipeline.runtime.bootstrap import build_processor

HERE = Path(__file__).resolve().parent


def source_records(n: int, schemas: bool, free_text: bool = True, seed: int = 42) -> list[SourceRecord]:
    gen = CustomerEvents(prefix="bench", schemas=schemas, seed=seed, free_text=free_text)
    docs = list(gen.snapshot(n // 2)) + list(gen.changes(n - n // 2))
    out = []
    for rec in docs[:n]:
        key = json.dumps(rec["key"], separators=(",", ":")).encode()
        value = json.dumps(rec["value"], separators=(",", ":")).encode() if rec["value"] is not None else None
        out.append(SourceRecord(rec["topic"], rec["partition"], rec["offset"], key, value, (), rec["timestamp"]))
    return out


def passthrough(records: list[SourceRecord]) -> float:
    loads, dumps = orjson.loads, orjson.dumps
    start = time.perf_counter()
    for rec in records:
        dumps(loads(rec.key))
        if rec.value is not None:
            dumps(loads(rec.value))
    return time.perf_counter() - start


def core(processor, records: list[SourceRecord]) -> float:
    process = processor.process
    start = time.perf_counter()
    for rec in records:
        process(rec)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--schemaless", action="store_true", help="JsonConverter schemas.enable=false")
    args = parser.parse_args()
    os.environ.setdefault("CDR_HASH_KEY", "benchmark-hash-key-Q7vX2kLp9RzT4wNc8YhB3mJd6FsG")
    processor = build_processor(Config(schemas_dir=HERE / "schemas", detection=DetectionConfig(enabled=False)))
    records = source_records(args.events, not args.schemaless)
    check = [processor.process(r) for r in records[:100]]
    assert all(isinstance(o, Published) for o in check), "benchmark records must all publish"
    mean_bytes = statistics.mean(len(r.value or b"") for r in records)
    core(processor, records)  # warm caches (compiled schemas, plans)
    results: dict[str, list[float]] = {"orjson passthrough": [], "processing core": []}
    for _ in track(range(args.rounds), description="timing rounds"):
        results["orjson passthrough"].append(len(records) / passthrough(records))
        results["processing core"].append(len(records) / core(processor, records))
    table = Table(
        title=f"{len(records):,} Debezium events, 15 columns, 5 declared PII, "
        f"{'schemas on' if not args.schemaless else 'schemaless'}, mean value {mean_bytes:,.0f} B"
    )
    table.add_column("path")
    table.add_column("events/s (median)", justify="right")
    table.add_column("best", justify="right")
    for name, rates in results.items():
        table.add_row(name, f"{statistics.median(rates):,.0f}", f"{max(rates):,.0f}")
    ratio = statistics.median(results["processing core"]) / statistics.median(results["orjson passthrough"])
    table.add_row("[bold]core / passthrough[/]", f"[bold]{ratio:.2f}[/]", "target >= 0.40")
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
