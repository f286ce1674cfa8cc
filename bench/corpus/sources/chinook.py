"""Chinook's customers, employees and invoices, read from the SQLite build."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from bench.corpus.fetched import Snapshot
from bench.corpus.model import Column, Source, Table
from bench.corpus.sources import Context, manifest

NAME = "chinook"


def load(ctx: Context) -> Source:
    man = manifest(NAME)
    snap = Snapshot(ctx.mirror, man["repository"], man["commit"])
    blob = snap.read(man["paths"][0])
    src = Source(NAME, man)
    if snap.note:
        src.notes.append(snap.note)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "chinook.sqlite"
        db.write_bytes(blob)
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            for table, labels in man["tables"].items():
                cur = con.execute(f'SELECT * FROM "{table}" ORDER BY 1 LIMIT ?', (ctx.max_rows,))
                names = [d[0] for d in cur.description]
                columns = [Column(n, labels.get(n, "quasi"), "", "cdr-pipeline") for n in names]
                src.tables.append(Table(table, columns, [list(r) for r in cur.fetchall()]))
        finally:
            con.close()
    return src
