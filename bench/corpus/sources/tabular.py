"""CSV text to a :class:`Table`: header row, empty cells as None, rows capped."""

from __future__ import annotations

import csv
import io
import sys

from bench.corpus.model import Column, Table

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def csv_table(name: str, text: str, columns: list[Column], max_rows: int, drop: frozenset[str]) -> Table:
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    keep = [i for i, h in enumerate(header) if h not in drop]
    by_name = {c.name: c for c in columns}
    cols = [by_name[header[i]] for i in keep]
    rows: list[list[object]] = []
    for raw in reader:
        if len(rows) >= max_rows:
            break
        if len(raw) != len(header):
            continue  # a malformed line: the authors' readers skip it too
        rows.append([raw[i].strip() or None for i in keep])
    return Table(name, cols, rows)


def header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text)))
