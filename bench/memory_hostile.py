"""Resident memory a hostile record stream can make one process keep: each attack runs
in a fresh process (python + pipeline imported, no spaCy model) and reports its
resident memory before and after the stream (VmRSS) and its peak (VmHWM). Prints a
table; never fails. The bounds these attacks press on are tested in
tests/unit/test_memory_bounds.py; this shows the sizes.

    .venv/bin/python bench/memory_hostile.py [--scale 1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from bench.memory import peak_mb, rss_mb
from pipeline.core.events import SourceRecord

DECL = (
    "table: public.wide\nsource_topic: pg.public.wide\ncdr_topic: cdr.wide\nowner: t\n"
    "undeclared: {undeclared}\ncolumns:\n  id: {{pii: none}}\n  note: {{pii: {note}}}\n"
)
ATTACKS = {
    "schemas": "40 topics (default declaration): distinct key and value schemas of 60,000 empty objects",
    "names": "rows, each with a distinct column name of 100,000 characters (undeclared: mask)",
    "detect-names": "rows, each with a distinct column name of 50,000 characters (undeclared: detect)",
    "words": "free-text values, each with a distinct word of 50,000 characters",
    "phones": "free-text values of 500,000 characters with a labelled phone number",
    "hashed": "values of 100,000 characters in a hashed column",
    "orders": "40 topics (default declaration): rows of 200 columns, each row in a new column order",
    "topics": "a topic per record (default declaration, undeclared: detect): one table each",
}
ORDER_COLUMNS = ["id"] + [f"c{i:03d}_" + "n" * 40 for i in range(199)]


def long_word(i: int, length: int) -> str:
    """Distinct by ``i``, letters only: one word (or one part of a column name)."""
    head = ""
    while i or not head:
        head += "abcdefghijklmnopqrstuvwxyz"[i % 26]
        i //= 26
    return head + "q" + "e" * length


def _raw(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def record(attack: str, i: int) -> SourceRecord:
    topic, key = "pg.public.wide", None
    if attack == "schemas":
        topic = f"pg.public.t{i % 40}"
        fields = [{"type": "string", "optional": True, "field": "op"}]
        schema = {"type": "struct", "name": f"t{i}.Envelope", "fields": fields, "junk": [{}] * 60_000}
        value = _raw({"schema": schema, "payload": {"op": "c"}})
        kschema = {"type": "struct", "name": f"k{i}.Key", "fields": [], "junk": [{}] * 60_000}
        key = _raw({"schema": kschema, "payload": {}})
    elif attack in ("names", "detect-names"):
        length = 100_000 if attack == "names" else 50_000
        value = _raw({"id": i, f"c{i}_" + "e" * length: "x"})
    elif attack == "words":
        word = long_word(i, 50_000)
        value = _raw({"id": i, "note": f"Met {word.capitalize()} and {word} at {word}."})
    elif attack == "phones":
        value = _raw({"id": i, "note": f"ref {i} " + "lorem ipsum dolor " * 27_000 + "Phone: 0161 496 0000"})
    elif attack == "topics":
        topic = f"pg.public.topic{i}"
        value = _raw({"id": i, "region": "north", "amount": i})
    elif attack == "orders":
        topic = f"pg.public.t{i % 40}"
        order = ORDER_COLUMNS[:]
        random.Random(i).shuffle(order)
        value = _raw(dict.fromkeys(order, i))
    else:
        value = _raw({"id": i, "note": f"v{i}" + "e" * 100_000})
    return SourceRecord(topic, 0, i, key, value, (), 1)


def run(attack: str, scale: float) -> dict[str, float]:
    """One attack in this process (the child)."""
    from pipeline.config import Config, DetectionConfig, UndeclaredTopics
    from pipeline.runtime.bootstrap import build_processor

    undeclared, note = "mask", "free_text"
    if attack == "detect-names":
        undeclared = "detect"
    if attack == "hashed":
        note = "EMAIL_ADDRESS, treatment: hash"
    tmp = Path(tempfile.mkdtemp())
    (tmp / "w.yaml").write_text(DECL.format(undeclared=undeclared, note=note))
    config = Config(
        schemas_dir=tmp,
        detection=DetectionConfig(ner=False, min_samples=20, sample_every=2),
        max_record_bytes=2_000_000,
        undeclared_topics=UndeclaredTopics(
            policy="default", cdr_topic="cdr.default.{topic}", undeclared="detect" if attack == "topics" else "mask"
        ),
    )
    processor = build_processor(config)
    n = max(1, int({"schemas": 160, "names": 1000, "orders": 6000, "topics": 60_000}.get(attack, 300) * scale))
    processor.process(record(attack, 0))  # loads what a first such record loads (word lists...)
    before = rss_mb()
    for i in range(1, n + 1):
        processor.process(record(attack, i))
    return {"before": before, "after": rss_mb(), "peak": peak_mb(), "records": n}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="records per attack, as a multiple of the default")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("CDR_HASH_KEY", "benchmark-hash-key-Q7vX2kLp9RzT4wNc8YhB3mJd6FsG")
    if args.child:
        print(json.dumps(run(args.child, args.scale)))
        return 0
    table = Table(title="resident memory a hostile stream leaves in one process (no spaCy model), MB")
    for name, justify in (
        ("attack", "left"),
        ("records", "right"),
        ("before", "right"),
        ("after", "right"),
        ("kept", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_column("peak (VmHWM)", justify="right")
    for attack, what in ATTACKS.items():
        out = subprocess.run(
            [sys.executable, __file__, "--child", attack, "--scale", str(args.scale)],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            table.add_row(what, "-", "-", "-", "failed", "-")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        kept = r["after"] - r["before"]
        table.add_row(
            what, f"{r['records']:,}", f"{r['before']:,.0f}", f"{r['after']:,.0f}", f"{kept:,.0f}", f"{r['peak']:,.0f}"
        )
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
