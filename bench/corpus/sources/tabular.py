"""CSV text to a :class:`Table`: header row, empty cells as None, rows capped."""

from __future__ import annotations

import csv
import io
import sys

from bench.corpus.model import Column, Table

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


MAX_CELL = 4000  # characters; longer cells (whole e-mails) are cut here and counted in the notes


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
        rows.append([_cell(raw[i]) for i in keep])
    return Table(name, cols, rows)


def _cell(raw: str) -> str | None:
    value = raw.strip()
    return value[:MAX_CELL] if value else None


def truncated(text: str, max_rows: int) -> int:
    """Cells of the first ``max_rows`` rows longer than :data:`MAX_CELL`."""
    reader = csv.reader(io.StringIO(text))
    next(reader)
    return sum(len(v.strip()) > MAX_CELL for _, row in zip(range(max_rows), reader, strict=False) for v in row)


def header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text)))
