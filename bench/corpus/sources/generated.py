"""This project's own generator (bench/labelled.py), as one source among several."""

from __future__ import annotations

import random

from bench.corpus.model import Column, Source, Span, Table, Text
from bench.corpus.sources import Context, manifest
from bench.labelled import dataset, free_text

NAME = "generated"


def load(ctx: Context) -> Source:
    data = dataset(min(ctx.max_rows, 3000), seed=1)
    columns = [
        Column(c.name, c.truth, c.lookalike or ("typed" if c.typed else ""), "cdr-pipeline") for c in data.columns
    ]
    rows = [[row[c.name] for c in data.columns] for row in data.rows]
    src = Source(NAME, manifest(NAME))
    src.tables.append(Table("labelled", columns, rows))
    r = random.Random(1)
    for _ in range(600):
        text, planted = free_text(r)
        spans = []
        for entity, value in planted:
            start = text.find(value)
            spans.append(Span(start, start + len(value), entity, entity))
        src.texts.append(Text(text, tuple(spans)))
    return src
