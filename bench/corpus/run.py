"""Run the built corpus through the real processing core: one :class:`Processor` built as
the service builds it (``pipeline.runtime.bootstrap.build_processor``, detection on, NER on), with
one declaration per table and variant that lists no column and says ``undeclared: detect``.
Verdicts come from the processor's own profiler; raw cells out from what it publishes."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import orjson

from bench.corpus.scoring import (
    ColumnResult,
    SpanFigures,
    cells_to_check,
    header_values,
    predicted,
    published_values,
    raw_out,
    record_values,
    span_figures,
)
from bench.corpus.store import BuiltSource, BuiltTable
from pipeline.config import Config
from pipeline.core.declaration import Declaration, DeclarationSet
from pipeline.core.events import DeadLetter, Published, Skipped, SourceRecord
from pipeline.core.processor import Processor
from pipeline.runtime.bootstrap import build_processor

BATCH = 500


@dataclass
class TableRun:
    table: BuiltTable
    columns: list[ColumnResult] = field(default_factory=list)
    cells_checked: int = 0
    raw_out: Counter[tuple[str, str]] = field(default_factory=Counter)  # (column, truth) -> cells
    dead_letters: Counter[str] = field(default_factory=Counter)  # reason -> records
    skipped: int = 0
    published: int = 0


def declaration(table: BuiltTable) -> Declaration:
    schema = table.topic.split(".")[1]
    return Declaration(
        table=f"{schema}.{table.slug}",
        source_topic=table.topic,
        cdr_topic=f"cdr.{table.topic}",
        owner="bench",
        undeclared="detect",
        format="auto",
        columns=MappingProxyType({}),
        path=f"<corpus {table.source}>",
    )


def processor_for(sources: list[BuiltSource]) -> Processor:
    os.environ.setdefault("CDR_HASH_KEY", "benchmark-hash-key-Q7vX2kLp9RzT4wNc8YhB3mJd6FsG")
    decls = {t.topic: declaration(t) for s in sources for t in s.tables}
    return build_processor(Config(schemas_dir=Path("/nonexistent")), DeclarationSet(MappingProxyType(decls)))


def _records(table: BuiltTable) -> list[SourceRecord]:
    out = []
    with table.path.open("rb") as fh:
        for offset, line in enumerate(fh):
            doc = orjson.loads(line)
            out.append(
                SourceRecord(table.topic, 0, offset, orjson.dumps(doc["key"]), orjson.dumps(doc["value"]), (), None)
            )
    return out


def run_table(proc: Processor, table: BuiltTable) -> TableRun:
    result = TableRun(table)
    truths = [c.truth for c in table.columns]
    records = _records(table)
    for i in range(0, len(records), BATCH):
        chunk = records[i : i + BATCH]
        for rec, outcome in zip(chunk, proc.process_batch(chunk), strict=True):
            if isinstance(outcome, DeadLetter):
                result.dead_letters[outcome.reason] += 1
                continue
            if isinstance(outcome, Skipped):
                result.skipped += 1
                continue
            assert isinstance(outcome, Published)
            result.published += 1
            given = json.loads(rec.value or b"null")["payload"]
            row = [given["after"].get(name) for name in table.published]
            values: list[str] = []
            for out in outcome.records:
                # the payloads (the schema holds column names, not cells) and the headers
                if out.value is not None:
                    doc = orjson.loads(out.value)
                    values += record_values(doc.get("payload", doc) if isinstance(doc, dict) else doc, given)
                if out.key is not None:
                    doc = orjson.loads(out.key)
                    published_values(doc.get("payload", doc) if isinstance(doc, dict) else doc, values)
                values += header_values(out.headers)
            for idx, cell in cells_to_check(truths, row):
                result.cells_checked += 1
                if raw_out(cell, values):
                    result.raw_out[(table.columns[idx].name, truths[idx])] += 1
    profiler = proc.settings.policy.profiler
    decl_table = declaration(table).table
    verdicts = {}
    if profiler is not None:
        for (tbl, column, _type), prof in profiler.profiles.items():
            if tbl == decl_table:
                verdicts[column] = prof.verdict
    for col, name in zip(table.columns, table.published, strict=True):
        v = verdicts.get(name)
        pred = predicted(v.state, v.entity) if v is not None else "pending"
        result.columns.append(
            ColumnResult(table.name, table.variant, col.name, col.truth, col.by, pred, v.confidence if v else 0.0)
        )
    return result


def run_spans(proc: Processor, source: BuiltSource) -> SpanFigures:
    scanner = proc.settings.policy.scanner
    texts = list(source.texts)
    if scanner is None or not texts:
        return span_figures([], [])
    scanner.prepare([t.text for t in texts])
    # read as the redact_detected treatment reads a free-text column's values
    found = [[(f.entity, f.start, f.end) for f in scanner.find_in_free_text(t.text)] for t in texts]
    return span_figures(texts, found)
