"""The file-mode benchmark's workload: deterministic Debezium lines of five tables that
file mode publishes whole, with free text repeated in before and after on updates."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench.workloads import TABLES, prose_texts, write_declarations, write_file
from pipeline.config import Config, DetectionConfig
from pipeline.runtime.bootstrap import build_processor
from pipeline.runtime.filemode import process_file
from tests.support import HASH_KEY


def test_same_seed_same_bytes_and_every_operation(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_file(a, 400, seed=3, prose=True)
    write_file(b, 400, seed=3, prose=True)
    assert a.read_bytes() == b.read_bytes()
    lines = [json.loads(line) for line in a.read_text().splitlines()]
    assert len(lines) == 400
    assert {line["topic"] for line in lines} == {f"shop.public.{t}" for t in TABLES}
    ops = {line["value"]["payload"]["op"] for line in lines if line["value"] is not None}
    assert ops == {"r", "c", "u", "d"} and any(line["value"] is None for line in lines)
    updates = [line["value"]["payload"] for line in lines if line["value"] and line["value"]["payload"]["op"] == "u"]
    text_of = {t: text.name for t, (_, text) in TABLES.items()}
    assert all(u["before"][text_of[u["source"]["table"]]] == u["after"][text_of[u["source"]["table"]]] for u in updates)
    assert len(prose_texts(a)) > 100


def test_file_mode_publishes_every_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(os.environ, "CDR_HASH_KEY", HASH_KEY)
    source = tmp_path / "typed.jsonl"
    write_file(source, 300, seed=5, prose=False)
    write_declarations(tmp_path / "schemas", "detect")
    processor = build_processor(Config(schemas_dir=tmp_path / "schemas", detection=DetectionConfig(ner=False)))
    stats = process_file(processor, source, tmp_path / "out.jsonl", tmp_path / "dlq.jsonl")
    assert (stats.published, stats.dead_lettered, stats.malformed) == (300, 0, 0)
