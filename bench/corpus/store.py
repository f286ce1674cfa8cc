"""The built corpus on disk (``.corpus/``, gitignored): per source a ``source.json``
(manifest, tables with their columns' truth in both variants, notes), one JSON-lines
file of Debezium records per table and variant, and ``texts.jsonl``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpus.debezium import envelopes, opaque_names, table_slug
from bench.corpus.model import Column, Source, Span, Text

VARIANTS = ("named", "opaque")
SERVER = "corpus"


@dataclass(frozen=True)
class BuiltTable:
    source: str
    name: str  # the source's table name
    slug: str
    variant: str
    topic: str
    path: Path
    columns: tuple[Column, ...]  # truth, in the source's order
    published: tuple[str, ...]  # the column names in the events (source's or opaque)
    rows: int


@dataclass(frozen=True)
class BuiltSource:
    name: str
    manifest: dict[str, Any]
    notes: tuple[str, ...]
    tables: tuple[BuiltTable, ...]
    texts: tuple[Text, ...]


def write(source: Source, root: Path) -> None:
    folder = root / source.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jsonl"):
        old.unlink()
    tables = []
    for table in source.tables:
        slug = table_slug(table.name)
        for variant in VARIANTS:
            names = [c.name for c in table.columns] if variant == "named" else opaque_names(len(table.columns))
            schema_name = f"{table_slug(source.name)}_{variant}"
            path = folder / f"{slug}.{variant}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for rec in envelopes(table, names, SERVER, schema_name, source.connector):
                    out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            tables.append(
                {
                    "name": table.name,
                    "slug": slug,
                    "variant": variant,
                    "topic": f"{SERVER}.{schema_name}.{slug}",
                    "file": path.name,
                    "rows": len(table.rows),
                    "columns": [
                        {"name": c.name, "published": p, "truth": c.truth, "label": c.label, "by": c.by}
                        for c, p in zip(table.columns, names, strict=True)
                    ],
                }
            )
    with (folder / "texts.jsonl").open("w", encoding="utf-8") as out:
        for t in source.texts:
            spans = [[s.start, s.end, s.truth, s.label] for s in t.spans]
            out.write(json.dumps({"text": t.text, "spans": spans}, ensure_ascii=False) + "\n")
    doc = {"name": source.name, "manifest": source.manifest, "notes": source.notes, "tables": tables}
    (folder / "source.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")


def read(root: Path, name: str) -> BuiltSource | None:
    folder = root / name
    meta = folder / "source.json"
    if not meta.is_file():
        return None
    doc = json.loads(meta.read_text(encoding="utf-8"))
    tables = tuple(
        BuiltTable(
            source=name,
            name=t["name"],
            slug=t["slug"],
            variant=t["variant"],
            topic=t["topic"],
            path=folder / t["file"],
            columns=tuple(Column(c["name"], c["truth"], c["label"], c["by"]) for c in t["columns"]),
            published=tuple(c["published"] for c in t["columns"]),
            rows=t["rows"],
        )
        for t in doc["tables"]
    )
    texts = []
    texts_path = folder / "texts.jsonl"
    if texts_path.is_file():
        for line in texts_path.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            texts.append(Text(d["text"], tuple(Span(s[0], s[1], s[2], s[3]) for s in d["spans"])))
    return BuiltSource(name, doc["manifest"], tuple(doc["notes"]), tables, tuple(texts))
