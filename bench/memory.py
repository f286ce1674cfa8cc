"""Resident memory of one service process with detection on, through the real
Processor and the spaCy model (NER only): after start-up, after a stream of events with
free text and after a second stream (steady state: it should not grow), then with
records of about 1 MB of free text (a column declared ``free_text``, so every value goes
through NER), batched as the service batches them. Prints figures; never fails.

    .venv/bin/python bench/memory.py [--events N] [--big N] [--big-batch N]

The peak while the large records are processed is measured on its own (the kernel's
high-water mark is reset first, where /proc/self/clear_refs allows it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BIG_DECL = """\
table: public.customers
source_topic: bench.public.customers
owner: bench
cdr_topic: cdr.bench.customers.v1
undeclared: mask
columns:
  id:    {pii: none}
  notes: {pii: free_text}
"""
WORDS = [
    "the",
    "customer",
    "called",
    "about",
    "an",
    "order",
    "that",
    "arrived",
    "late",
    "and",
    "asked",
    "for",
    "a",
    "refund",
    "while",
    "our",
    "agent",
    "checked",
    "the",
    "invoice",
    "history",
    "and",
    "promised",
    "a",
    "callback",
    "before",
    "the",
    "weekend",
]
NAMES = ("Amara Okonkwo", "Grace Hopper", "Jonas Müller", "Maria Garcia", "Wei Chen")
PLACES = ("Lagos", "Hamburg", "Valencia", "Shenzhen", "Leeds")


def rss_mb() -> float:
    return _status("VmRSS:")


def peak_mb() -> float:
    return _status("VmHWM:")


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def free_text(size: int, rng: random.Random) -> str:
    """Sentences of about ``size`` characters, with a name, a place or an e-mail in
    about one sentence in four."""
    parts: list[str] = []
    total = 0
    while total < size:
        words = rng.sample(WORDS, 9)
        roll = rng.random()
        if roll < 0.1:
            words.insert(3, rng.choice(NAMES))
        elif roll < 0.2:
            words.insert(5, f"in {rng.choice(PLACES)}")
        elif roll < 0.25:
            words.append(f"at {rng.choice('abcdef')}.{rng.randrange(1000)}@example.org")
        sentence = " ".join(words).capitalize() + ". "
        parts.append(sentence)
        total += len(sentence)
    return "".join(parts)[:size]


def big_records(n: int, size: int, seed: int = 5) -> list:
    from pipeline.core.events import SourceRecord

    rng = random.Random(seed)
    out = []
    for i in range(n):
        after = {"id": i, "notes": free_text(size, rng)}
        value = {"op": "c", "before": None, "after": after, "source": {"ts_ms": 1_700_000_000_000}, "ts_ms": 1}
        key = json.dumps({"id": i}).encode()
        out.append(SourceRecord("bench.public.customers", 0, i, key, json.dumps(value).encode(), (), 1))
    return out


def schema_records(n: int, size: int, first: int = 0) -> list:
    """Records of ~``size`` bytes that are nearly all schema, each schema distinct (a
    column's parameters differ): what a stream of table versions, or a hostile producer,
    can send. The caches keyed by a schema must hold a budget of bytes, not of entries."""
    from pipeline.core.events import SourceRecord

    per_struct = max(1, size // 2 // 22)  # parameters of ~22 bytes, in before and after
    out = []
    for i in range(first, first + n):
        params = {f"p{i:05d}_{k:06d}": "v" for k in range(per_struct)}
        cols = [
            {"type": "int64", "optional": False, "field": "id"},
            {"type": "string", "optional": True, "field": "notes", "parameters": params},
        ]
        row = {"type": "struct", "optional": True, "name": "bench.public.customers.Value", "fields": cols}
        schema = {
            "type": "struct",
            "optional": False,
            "name": "bench.public.customers.Envelope",
            "fields": [dict(row, field="before"), dict(row, field="after"), {"type": "string", "field": "op"}],
        }
        payload = {"op": "c", "before": None, "after": {"id": i, "notes": "Call Anne Smith on 0161 496 0000."}}
        value = json.dumps({"schema": schema, "payload": payload}, separators=(",", ":")).encode()
        out.append(SourceRecord("bench.public.customers", 0, i, json.dumps({"id": i}).encode(), value, (), 1))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--big", type=int, default=20, help="records of about 1 MB of free text")
    parser.add_argument("--big-batch", type=int, default=10, help="records per batch for those")
    parser.add_argument("--big-bytes", type=int, default=990_000, help="characters of free text per large record")
    parser.add_argument("--schemas", type=int, default=300, help="records of ~0.9 MB, each with a distinct schema")
    args = parser.parse_args()
    os.environ.setdefault("CDR_HASH_KEY", "benchmark-hash-key-Q7vX2kLp9RzT4wNc8YhB3mJd6FsG")
    rows = [("python + pipeline imported", 0.0)]
    from bench.detection_throughput import HERE, batched
    from bench.throughput import source_records
    from pipeline.config import Config
    from pipeline.core.events import Published
    from pipeline.runtime.bootstrap import build_processor

    rows[0] = (rows[0][0], rss_mb())
    processor = build_processor(Config(schemas_dir=HERE / "schemas_detect"))
    rows.append(("+ spaCy model loaded (NER only), processor built", rss_mb()))
    records = source_records(args.events, schemas=True, free_text=True)
    rows.append((f"+ {args.events:,} generated events in memory (the benchmark's input)", rss_mb()))
    batched(processor, records)
    rows.append(("after processing them (detect, free text, NER cache warm)", rss_mb()))
    del records
    records = source_records(args.events, schemas=True, free_text=True, seed=11)
    batched(processor, records)
    del records
    steady = rss_mb()
    rows.append((f"steady state: after {args.events:,} more events (another seed)", steady))

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "customers.yaml").write_text(BIG_DECL)
        big = build_processor(Config(schemas_dir=Path(tmp)))
        records = big_records(args.big, args.big_bytes)
        before_big = rss_mb()
        rows.append((f"+ {args.big} records of ~{args.big_bytes / 1e6:.2f} MB free text in memory", before_big))
        separate_peak = reset_peak()
        outcomes: Counter[str] = Counter()
        started = time.perf_counter()
        slowest = 0.0
        for i in range(0, len(records), args.big_batch):
            t0 = time.perf_counter()
            for o in big.process_batch(records[i : i + args.big_batch]):
                outcomes["published" if isinstance(o, Published) else f"dead-lettered ({o.reason})"] += 1
            slowest = max(slowest, time.perf_counter() - t0)
        elapsed = time.perf_counter() - started
        big_peak = peak_mb()
        rows.append(("after processing them", rss_mb()))
        del records
        schema_peak = None
        schema_outcomes: Counter[str] = Counter()
        if args.schemas:
            reset_peak()
            for i in range(0, args.schemas, args.big_batch):
                batch = schema_records(min(args.big_batch, args.schemas - i), 900_000, first=i)
                for o in big.process_batch(batch):
                    schema_outcomes["published" if isinstance(o, Published) else f"dead-lettered ({o.reason})"] += 1
                del batch
            schema_peak = peak_mb() if separate_peak else None
            rows.append((f"after {args.schemas} records of ~0.9 MB, each with a distinct schema", rss_mb()))

    table = Table(title="resident memory of one process (VmRSS), MB")
    table.add_column("point")
    table.add_column("MB", justify="right")
    for name, mb in rows:
        table.add_row(name, f"{mb:,.0f}")
    peak_label = "peak while the large records ran (VmHWM, reset before)" if separate_peak else "peak (VmHWM)"
    table.add_row(f"[bold]{peak_label}[/] (target < 600)", f"[bold]{big_peak:,.0f}[/]")
    table.add_row("[bold]steady state[/] (target < 600)", f"[bold]{steady:,.0f}[/]")
    if schema_peak is not None:
        table.add_row(
            "[bold]peak while the distinct schemas ran (VmHWM, reset before)[/] (target < 600)",
            f"[bold]{schema_peak:,.0f}[/]",
        )
    console = Console()
    console.print(table)
    done = ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items()))
    console.print(
        f"large records: {done}; {elapsed:.1f} s in all, slowest batch of {args.big_batch} {slowest:.1f} s "
        f"(NER budget per batch: {big.settings.policy.scanner.ner.max_batch_chars:,} characters)"
    )
    if schema_outcomes:
        done = ", ".join(f"{n} {what}" for what, n in sorted(schema_outcomes.items()))
        console.print(f"distinct schemas: {done}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
