"""``format: avro`` throughput against a fastavro passthrough of the same records, in the
same run, with the JSON core on the same events beside it. Prints figures; never fails
on time.

    .venv/bin/python bench/avro_throughput.py [--events N] [--rounds R]

The records are the throughput bench's customer events (devstack.sample_events), written
in Avro as Debezium's Avro converter would write them (Connect schema -> Avro, Confluent
framing). The passthrough decodes and re-encodes each key and value with fastavro and
the writer schema: the least any Avro-in/Avro-out stage must do. The Avro core does that
plus the Connect-value conversion, classification, policy, treatments and the CDR schema.
Schemas come from an in-memory registry: after the first record of a schema every lookup
is a cache hit in the service too, so the registry's latency is not part of the figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import fastavro
from rich.console import Console
from rich.progress import track
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.throughput import HERE, core, source_records
from pipeline.config import Config, DetectionConfig
from pipeline.core.events import Published, SourceRecord
from pipeline.core.processor import Processor
from pipeline.formats.avro import connect
from pipeline.formats.avro.codec import AvroCodec, frame
from pipeline.runtime.bootstrap import build_processor
from tests.avro_support import MemoryRegistry


def to_avro(registry: MemoryRegistry, raw: bytes | None) -> bytes | None:
    if raw is None:
        return None
    doc = json.loads(raw)
    schema = connect.avro_schema(doc["schema"])
    out = io.BytesIO()
    parsed = fastavro.parse_schema(connect.strip_logical_types(schema))
    fastavro.schemaless_writer(out, parsed, connect.writer_for(doc["schema"])(doc["payload"]))
    return frame(registry.add(schema), out.getvalue())


def passthrough(records: list[SourceRecord], parsed: dict[int, Any]) -> float:
    reader, writer = fastavro.schemaless_reader, fastavro.schemaless_writer
    start = time.perf_counter()
    for rec in records:
        for raw in (rec.key, rec.value):
            if raw is None:
                continue
            schema = parsed[int.from_bytes(raw[1:5], "big")]
            datum = reader(io.BytesIO(raw[5:]), schema, None)
            out = io.BytesIO()
            writer(out, schema, datum)
            frame(1, out.getvalue())
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("CDR_HASH_KEY", "benchmark-hash-key-Q7vX2kLp9RzT4wNc8YhB3mJd6FsG")
    config = Config(schemas_dir=HERE / "schemas", detection=DetectionConfig(enabled=False))
    plain = build_processor(config)
    registry = MemoryRegistry()
    json_core = build_processor(config)
    avro = Processor(json_core.declarations, dataclasses.replace(json_core.settings, codec=AvroCodec(registry)))  # type: ignore[arg-type]
    json_records = source_records(args.events, schemas=True)
    avro_records, kept = [], []
    for r in json_records:
        try:
            key, value = to_avro(registry, r.key), to_avro(registry, r.value)
        except ValueError:  # a generated event off its own schema (a partial before image): no Avro form
            continue
        avro_records.append(SourceRecord(r.topic, r.partition, r.offset, key, value, (), r.timestamp_ms))
        kept.append(r)
    json_records = kept
    parsed = {sid: fastavro.parse_schema(json.loads(text)) for sid, text in registry.schemas.items()}
    check = [avro.process(r) for r in avro_records[:100]]
    assert all(isinstance(o, Published) for o in check), "benchmark records must all publish"
    core(avro, avro_records)  # warm caches
    core(plain, json_records)
    results: dict[str, list[float]] = {"fastavro passthrough": [], "Avro core": [], "JSON core": []}
    for _ in track(range(args.rounds), description="timing rounds"):
        results["fastavro passthrough"].append(len(avro_records) / passthrough(avro_records, parsed))
        results["Avro core"].append(len(avro_records) / core(avro, avro_records))
        results["JSON core"].append(len(json_records) / core(plain, json_records))
    best = {name: max(rates) for name, rates in results.items()}
    table = Table(title=f"format: avro, {len(avro_records)} customer events, best of {args.rounds}")
    for col in ("stage", "events/s", "vs fastavro passthrough"):
        table.add_column(col, justify="right" if col != "stage" else "left")
    base = best["fastavro passthrough"]
    for name, rate in best.items():
        table.add_row(name, f"{rate:,.0f}", f"{rate / base:.2f}")
    Console().print(table)
    print(f"avro core / fastavro passthrough: {best['Avro core'] / base:.2f} (target >= 0.50)")
    print(f"avro core / JSON core: {best['Avro core'] / best['JSON core']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
