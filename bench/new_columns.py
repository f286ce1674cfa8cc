"""Records that each bring new column names (a schemaless producer, MongoDB-style
documents, a JSON column flattened into columns, an attacker): CPU per record as the
number of records (and so of column names) seen before grows, in JSON and in Avro, against
records with the same column names every time in the same run. Prints figures; never
fails on time.

    .venv/bin/python bench/new_columns.py [--sizes 200,400,800,1600] [--columns K] [--window W]

Each size N runs a fresh processor (``undeclared: detect``, patterns only) over N records
of K undeclared columns each, plus the declared ``id``. Two figures per run, in CPU time
(time.process_time, the one process): the mean per record over the N records, and the
marginal cost, per record over the last W of them (what a record costs once N-W records
have been seen). The ratio of the marginal cost at the largest N to the smallest is ~1.0
when a record's cost does not depend on the columns seen before; ``/ fixed`` divides by
the same run on records whose K column names never change (their values are sampled less
and less: the smallest N should be past the first hundred records, and past
MAX_COLUMNS / K + W for the cap to be reached). Before 7819add every new name
was judged (``looks_personal``, a profile, a rule), ~1 ms each, and every per-table
structure grew with them; now a table tracks at most ``policy.MAX_COLUMNS`` columns and
drops newer ones unjudged.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from bench.avro_throughput import to_avro
from pipeline.config import Config, DetectionConfig
from pipeline.core.events import Published, SourceRecord
from pipeline.core.processor import Processor
from pipeline.formats.avro.codec import AvroCodec
from pipeline.runtime.bootstrap import build_processor
from tests.avro_support import MemoryRegistry

TOPIC = "bench.public.docs"
DECL = (
    f"table: public.docs\nsource_topic: {TOPIC}\ncdr_topic: cdr.docs\nowner: bench\n"
    "undeclared: detect\ncolumns:\n  id: {pii: none}\n"
)


def _field(name: str, kind: str = "string", optional: bool = True) -> dict[str, object]:
    return {"type": kind, "optional": optional, "field": name}


_runs = iter(range(1, 10**6))


def source_record(i: int, k: int, fresh: bool, run: int = 0) -> SourceRecord:
    """A JsonConverter Debezium record (schemas on) of ``id`` and ``k`` string columns,
    named afresh for record ``i`` when ``fresh``; each ``run`` has names of its own (the
    process-wide caches of name verdicts must not carry one run's names into the next)."""
    names = [f"attr{run}_{i}_{j}" if fresh else f"attr{run}_{j}" for j in range(k)]
    fields = [_field("id", "int64"), *(_field(n) for n in names)]
    row = {"type": "struct", "optional": True, "name": f"{TOPIC}.Value", "fields": fields}
    source = {
        "type": "struct",
        "optional": False,
        "field": "source",
        "name": "io.debezium.connector.postgresql.Source",
        "fields": [_field(f, optional=False) for f in ("version", "connector", "name", "db", "schema", "table")],
    }
    schema = {
        "type": "struct",
        "name": f"{TOPIC}.Envelope",
        "optional": False,
        "fields": [{**row, "field": "before"}, {**row, "field": "after"}, source, _field("op", optional=False)],
    }
    payload = {
        "before": None,
        "after": {"id": i, **{n: f"value {j}" for j, n in enumerate(names)}},
        "source": {"version": "2.7", "connector": "postgresql", "name": "bench", "db": "d", "schema": "public"}
        | {"table": "docs"},
        "op": "c",
    }
    key_schema = {"type": "struct", "name": f"{TOPIC}.Key", "optional": False, "fields": [_field("id", "int64", False)]}
    key = json.dumps({"schema": key_schema, "payload": {"id": i}}, separators=(",", ":")).encode()
    value = json.dumps({"schema": schema, "payload": payload}, separators=(",", ":")).encode()
    return SourceRecord(TOPIC, 0, i, key, value, (), 1_700_000_000_000)


def processor(avro: bool) -> tuple[Processor, MemoryRegistry | None]:
    root = Path(tempfile.mkdtemp(prefix="bench-new-columns-"))
    (root / "docs.yaml").write_text(DECL, encoding="utf-8")
    plain = build_processor(Config(schemas_dir=root, detection=DetectionConfig(ner=False)))
    if not avro:
        return plain, None
    registry = MemoryRegistry()
    codec = AvroCodec(registry)  # type: ignore[arg-type]
    return Processor(plain.declarations, dataclasses.replace(plain.settings, codec=codec)), registry


def records(ids: range, k: int, fresh: bool, registry: MemoryRegistry | None, run: int) -> list[SourceRecord]:
    out = [source_record(i, k, fresh, run) for i in ids]
    if registry is None:
        return out
    return [
        SourceRecord(r.topic, 0, r.offset, to_avro(registry, r.key), to_avro(registry, r.value), (), 1) for r in out
    ]


def measure(fmt: str, n: int, k: int, fresh: bool, window: int) -> tuple[float, float]:
    """(mean CPU ms per record over the ``n`` records, CPU ms per record over the last ``window``)."""
    proc, registry = processor(fmt == "avro")
    run = next(_runs)
    proc.process(records(range(10**6, 10**6 + 1), k, True, registry, run)[0])  # what a first record loads
    batch = records(range(n), k, fresh, registry, run)
    process, clock = proc.process, time.process_time
    start = clock()
    for rec in batch[: n - window]:
        out = process(rec)
    middle = clock()
    for rec in batch[n - window :]:
        out = process(rec)
    end = clock()
    assert isinstance(out, Published), "benchmark records must publish"
    return (end - start) * 1000 / n, (end - middle) * 1000 / window


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="200,400,800,1600", help="records per run (N), comma-separated")
    parser.add_argument("--columns", type=int, default=50, help="undeclared columns per record (K)")
    parser.add_argument("--window", type=int, default=50, help="last records timed for the marginal cost")
    parser.add_argument("--formats", default="json,avro")
    args = parser.parse_args()
    os.environ.setdefault("CDR_HASH_KEY", "benchmark-hash-key-Q7vX2kLp9RzT4wNc8YhB3mJd6FsG")
    sizes = [int(s) for s in args.sizes.split(",")]
    window = min(args.window, min(sizes))
    console = Console()
    table = Table(title=f"{args.columns} undeclared columns a record, new names each record; CPU ms per record")
    for col in ("format", "N", "fresh: mean", "fresh: last", "fixed: last", "fresh / fixed (last)"):
        table.add_column(col, justify="left" if col == "format" else "right")
    summary = []
    for fmt in args.formats.split(","):
        marginal: dict[int, float] = {}
        for n in sizes:
            mean, last = measure(fmt, n, args.columns, True, window)
            _, fixed = measure(fmt, n, args.columns, False, window)
            marginal[n] = last
            table.add_row(fmt, f"{n:,}", f"{mean:.2f}", f"{last:.2f}", f"{fixed:.2f}", f"{last / fixed:.2f}")
        lo, hi = sizes[0], sizes[-1]
        summary.append(
            f"{fmt}: per-record cost at N={hi:,} / N={lo:,} (last {window}): {marginal[hi] / marginal[lo]:.2f} (~1.0: "
            "independent of the columns seen before)"
        )
    console.print(table)
    for line in summary:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
