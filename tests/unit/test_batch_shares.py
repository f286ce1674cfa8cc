"""``cdr process --workers`` gives each worker its tables' share of every batch one process
makes: a table's records must come out of its share as they come out of the whole batch."""

from __future__ import annotations

import random
from pathlib import Path

from pipeline.config import DetectionConfig
from pipeline.core.events import SourceRecord
from pipeline.core.processor import Processor
from pipeline.runtime.filemode import FileRunStats, batch_lines
from tests.support import make_processor, record

DECLARATIONS = {
    "t.yaml": "table: public.tickets\nsource_topic: pg.public.tickets\ncdr_topic: cdr.tickets.v1\nowner: s\n"
    "undeclared: detect\ncolumns:\n  id: {pii: none}\n  notes: {pii: free_text}\n",
    "o.yaml": "table: public.orders\nsource_topic: pg.public.orders\ncdr_topic: cdr.orders.v1\nowner: s\n"
    "undeclared: detect\ncolumns:\n  id: {pii: none}\n",
}
NAMES = ["Maria Garcia", "John Smith", "Amara Okonkwo", "Wei Chen", "Lucas Martin"]


def processor(root: Path, declarations: dict[str, str]) -> Processor:
    return make_processor(root, declarations, detection=DetectionConfig(min_samples=20, sample_every=2))


def lines(proc: Processor, records: list[SourceRecord]) -> list[tuple[bytes, bytes]]:
    items = list(enumerate(records, 1))
    return [(out, dead) for _, out, dead in batch_lines(proc, items, None, FileRunStats())]  # type: ignore[arg-type]


def differing(root: Path, declarations: dict[str, str], batches: list[list[SourceRecord]]) -> list[tuple[int, int]]:
    """(batch, record) whose lines differ between one processor reading each whole batch
    and one processor per topic reading its share of it."""
    one = processor(root / "one", declarations)
    shares = {topic: processor(root / topic, declarations) for topic in ("pg.public.tickets", "pg.public.orders")}
    differ = []
    for b, batch in enumerate(batches):
        whole = lines(one, batch)
        parts = {topic: iter(lines(proc, [r for r in batch if r.topic == topic])) for topic, proc in shares.items()}
        differ += [
            (b, i) for i, (rec, line) in enumerate(zip(batch, whole, strict=True)) if next(parts[rec.topic]) != line
        ]
    return differ


def test_a_table_with_one_record_in_a_batch_is_treated_as_in_the_whole_batch(tmp_path: Path) -> None:
    """With NER on, a batch of two or more records was read twice (texts collected, then
    analysed at once) and a batch of one once, so a column's values were sampled another
    number of times: a table with one record in each batch of one process was alone in
    its worker's share, and its free-text neighbour column ("city") was released five
    records later there: five lines of output differed."""
    pick = random.Random(5).choice
    batches = []
    for b in range(24):
        after = {"id": b, "notes": f"{pick(NAMES)} called about the order.", "city": pick(["Lagos", "Paris", "Austin"])}
        orders = [
            record("pg.public.orders", {"op": "c", "before": None, "after": {"id": i, "memo": f"For {pick(NAMES)}."}})
            for i in range(5)
        ]
        batches.append(
            [*orders[:2], record("pg.public.tickets", {"op": "c", "before": None, "after": after}), *orders[2:]]
        )
    assert differing(tmp_path, DECLARATIONS, batches) == [], "(batch, record) whose lines differ"


def test_a_text_another_table_had_read_is_no_different_in_a_share(tmp_path: Path) -> None:
    """A text already in the NER cache was not collected, so its record was not read
    again and its values were sampled once, where a worker without that cache (the text
    came from another table's records) read it twice: seven lines of the second table
    differed when it wrote, one batch later, the notes the first table had written."""
    tables = {**DECLARATIONS, "o.yaml": DECLARATIONS["o.yaml"] + "  notes: {pii: free_text}\n"}

    pick = random.Random(5).choice
    batches = []
    for b in range(12):
        batch = []
        for topic, late in (("pg.public.orders", 0), ("pg.public.tickets", 1)):
            for i in range(3):
                notes = f"Person{b - late}x Q{'abc'[i]} called about the order today."
                after = {"id": i, "notes": notes, "city": pick(["Lagos", "Paris", "Austin"])}
                batch.append(record(topic, {"op": "c", "before": None, "after": after}))
        batches.append(batch)
    assert differing(tmp_path, tables, batches) == [], "(batch, record) whose lines differ"
