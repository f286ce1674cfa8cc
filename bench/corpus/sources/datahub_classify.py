"""datahub-classify's public test data sets with the authors' expected info types."""

from __future__ import annotations

import json

from bench.corpus.fetched import Snapshot
from bench.corpus.model import NONE, Column, Source
from bench.corpus.sources import Context, manifest
from bench.corpus.sources.tabular import MAX_CELL, csv_table, header, truncated

NAME = "datahub-classify"
DATASETS = "datahub-classify/tests/datasets"
IDEAL = "datahub-classify/tests/expected_output/expected_infotypes_IDEAL.json"


def load(ctx: Context) -> Source:
    man = manifest(NAME)
    snap = Snapshot(ctx.mirror, man["repository"], man["commit"])
    ideal: dict[str, dict[str, str]] = json.loads(snap.read(IDEAL))
    label_map: dict[str, str] = man["labels"]
    ours: dict[str, dict[str, str]] = man["our_labels"]
    drop = frozenset(man["dropped_columns"]["names"])
    src = Source(NAME, man)
    if snap.note:
        src.notes.append(snap.note)
    present = {p.rsplit("/", 1)[1] for p in snap.listing(DATASETS)}
    for dataset in sorted(ideal):
        path = f"{dataset}.csv"
        if path not in present:
            src.notes.append(f"{dataset}: labelled, but no CSV in the snapshot")
            continue
        text = snap.read(f"{DATASETS}/{path}").decode("utf-8", errors="replace")
        columns = []
        for col in header(text):
            label = ideal[dataset].get(col, "")
            if label:
                columns.append(Column(col, label_map.get(label, "quasi"), label, "source"))
            elif col in ours.get(dataset, {}):
                columns.append(Column(col, ours[dataset][col], "", "cdr-pipeline"))
            else:
                columns.append(Column(col, NONE, "no_infotype", "source"))
        src.tables.append(csv_table(dataset, text, columns, ctx.max_rows, drop))
        if cut := truncated(text, ctx.max_rows):
            src.notes.append(f"{dataset}: {cut} cells cut to {MAX_CELL:,} characters")
    return src
