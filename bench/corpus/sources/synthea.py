"""Synthea's CSV export (patients, providers, organizations, payers, encounters,
conditions), read from the seed data set a public repository commits; every column is
labelled in the manifest by its meaning in Synthea's data dictionary."""

from __future__ import annotations

import csv
import io

from bench.corpus.fetched import Snapshot
from bench.corpus.model import Column, Source, Unavailable
from bench.corpus.sources import Context, manifest
from bench.corpus.sources.tabular import csv_table, header

NAME = "synthea"


def load(ctx: Context) -> Source:
    man = manifest(NAME)
    snap = Snapshot(ctx.mirror, man["repository"], man["commit"])
    tables: dict[str, dict[str, str]] = man["tables"]
    src = Source(NAME, man)
    if snap.note:
        src.notes.append(snap.note)
    present = set(snap.listing(man["folder"]))
    for name, labels in tables.items():
        path = f"{man['folder']}/{name}.csv"
        if path not in present:
            raise Unavailable(f"{path}: not in the snapshot")
        text = snap.read(path).decode("utf-8")
        src.tables.append(csv_table(name, text, labelled(name, header(text), labels), ctx.max_rows, frozenset()))
        if skipped := malformed(text, ctx.max_rows):
            src.notes.append(f"{name}: {skipped} rows whose width is not the header's, left out")
    return src


def labelled(table: str, names: list[str], labels: dict[str, str]) -> list[Column]:
    """One column per header name, each labelled by the manifest: a column the export adds
    later fails the build, it is not guessed."""
    missing = [n for n in names if n not in labels]
    if missing:
        raise Unavailable(f"{table}: no label in the manifest for {len(missing)} column(s) of the header")
    return [Column(n, labels[n], "", "cdr-pipeline") for n in names]


def malformed(text: str, max_rows: int) -> int:
    """Rows among the first ``max_rows`` whose width is not the header's (the table reader
    leaves them out)."""
    reader = csv.reader(io.StringIO(text))
    width = len(next(reader))
    return sum(len(row) != width for _, row in zip(range(max_rows), reader, strict=False))
