"""A column's NER votes read with the rest of its batch (``pipeline.core.votefetch``): the
values they will read are found before, labelled in one model call, and every vote is
still cast when its value is sampled, with the label it has alone."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from detectors.ner import NerEngine, ner_engine
from detectors.profiler import DetectionSettings, Profiler
from detectors.textscan import TextScanner
from pipeline.config import DetectionConfig
from pipeline.core.events import SourceRecord
from pipeline.core.processor import Processor, TableProcessor
from pipeline.runtime.filemode import FileRunStats, batch_lines
from tests.support import make_processor, record

# -- which values: Profiler.vote_values ----------------------------------------------------


def _profiler(min_samples: int = 10, ner_samples: int = 4) -> Profiler:
    settings = DetectionSettings(min_samples=min_samples, sample_every=20, ner_samples=ner_samples)
    return Profiler(settings, TextScanner())


def test_the_values_fetched_are_a_columns_new_name_shaped_ones_up_to_its_votes_left() -> None:
    profiler = _profiler(ner_samples=4)
    profiler.profile("public.t", "rep", None)
    rows = [
        {"rep": "Zorvek Quillan"},
        {"rep": "zorvek quillan"},  # not shaped as a name: no vote
        {"rep": "March"},  # a month: no vote
        {"rep": "Zorvek Quillan"},  # the same value: one vote
        {"rep": None},
        {"rep": "Brannoc Ythel"},
        {"rep": "Mirrel Oskvar"},
        {"rep": "Tavrin Engrom"},
        {"rep": "Quelby Harrow"},  # a fifth: the column has four votes
    ]
    assert profiler.vote_values("public.t", rows) == [
        "Zorvek Quillan",
        "Brannoc Ythel",
        "Mirrel Oskvar",
        "Tavrin Engrom",
    ]


def test_a_value_already_sampled_or_past_the_first_samples_is_not_fetched() -> None:
    profiler = _profiler(min_samples=10, ner_samples=40)
    prof = profiler.profile("public.t", "rep", None)
    for value in ("Zorvek Quillan", "Brannoc Ythel", "Mirrel Oskvar"):
        profiler.observe(prof, value)
    rows = [{"rep": v} for v in ("Zorvek Quillan", "Tavrin Engrom", *(f"Quelby Harrow{'e' * i}" for i in range(20)))]
    fetched = profiler.vote_values("public.t", rows)
    assert "Zorvek Quillan" not in fetched  # voted on already
    assert len(fetched) == 10 - 3 - 1  # within the values it has left to sample one by one
    for _ in range(10):
        profiler.observe(prof, "Ustrel Vendrake")
    assert profiler.vote_values("public.t", rows) == []  # past its first samples


def test_a_column_without_a_profile_or_of_a_decided_type_fetches_nothing() -> None:
    profiler = _profiler()
    profiler.profile("public.t", "created", {"type": "int64", "name": "io.debezium.time.MicroTimestamp"})
    rows = [{"unseen": "Zorvek Quillan", "created": "Brannoc Ythel"}]
    assert profiler.vote_values("public.t", rows) == []
    assert profiler.vote_values("public.other", [{"rep": "Zorvek Quillan"}]) == []


# -- the same votes, fewer model calls: Processor.process_batch ------------------------------

DECLARATIONS = {
    "s.yaml": "table: public.staff\nsource_topic: pg.public.staff\ncdr_topic: cdr.staff.v1\nowner: s\n"
    "undeclared: detect\ncolumns:\n  id: {pii: none}\n",
    "p.yaml": "table: public.products\nsource_topic: pg.public.products\ncdr_topic: cdr.products.v1\nowner: s\n"
    "undeclared: detect\ncolumns:\n  id: {pii: none}\n",
}
FIRST = ["Maria", "Hiroshi", "Amara", "Lucas", "Priya", "Tomasz", "Ingrid", "Kwame", "Sofia", "Mateo"]
LAST = ["Gonzalez", "Tanaka", "Okonkwo", "Martin", "Sharma", "Nowak", "Larsen", "Mensah", "Rossi", "Silva"]
CITIES = ["Toronto", "Lagos", "Osaka", "Leeds", "Austin", "Porto"]
PRODUCTS = ["Chai", "Gorgonzola Telino", "Gold Plus", "Next Day", "Aniseed Syrup", "Ikura", "Konbu", "Tofu"]


def _batches() -> list[list[SourceRecord]]:
    pick = random.Random(11).choice
    batches = []
    for b in range(6):
        batch = []
        for i in range(40):
            n = b * 40 + i
            if i % 3:
                after: dict[str, Any] = {"id": n, "first": pick(FIRST), "last": pick(LAST), "city": pick(CITIES)}
                batch.append(record("pg.public.staff", {"op": "c", "before": None, "after": after}, offset=n))
            else:
                after = {"id": n, "product": pick(PRODUCTS), "maker": f"{pick(LAST)} {pick(PRODUCTS)}"}
                batch.append(record("pg.public.products", {"op": "c", "before": None, "after": after}, offset=n))
        batches.append(batch)
    return batches


def _read(proc: Processor, batches: list[list[SourceRecord]]) -> list[tuple[bytes, bytes]]:
    out = []
    for batch in batches:
        items = list(enumerate(batch, 1))
        out += [(line, dead) for _, line, dead in batch_lines(proc, items, None, FileRunStats())]  # type: ignore[arg-type]
    return out


class _Calls:
    """The real engine, its calls counted."""

    def __init__(self, engine: NerEngine, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.texts = 0
        analyze = engine.analyze

        def counted(texts: Any) -> Any:
            self.calls += 1
            self.texts += len(texts)
            return analyze(texts)

        monkeypatch.setattr(engine, "analyze", counted)


def test_a_batchs_votes_are_read_in_a_call_a_table_and_decide_as_votes_read_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hash_key_env: str
) -> None:
    detection = DetectionConfig(min_samples=30, sample_every=5)
    batches = _batches()
    engine = ner_engine()

    alone = make_processor(tmp_path / "alone", DECLARATIONS, detection=detection)
    scanner = alone.settings.policy.scanner
    assert scanner is not None and scanner.ner is engine
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scanner, "fetch_labels", lambda values: None)  # every vote reads its value alone
        one_by_one = _Calls(engine, patch)
        expected = _read(alone, batches)

    fetched = make_processor(tmp_path / "fetched", DECLARATIONS, detection=detection)
    together = _Calls(engine, monkeypatch)
    lines = _read(fetched, batches)

    assert lines == expected, "a line differs when the batch's votes are fetched together"
    assert one_by_one.calls >= 40  # the columns did vote
    assert together.calls <= 2 * len(batches) * len(DECLARATIONS)  # at most a call a table, and a vote missed
    assert together.texts <= one_by_one.texts * 1.2  # few values fetched that no vote reads
    fetched_scanner = fetched.settings.policy.scanner
    assert fetched_scanner is not None and not fetched_scanner._labels  # no value kept past its batch


# -- bounds (a hostile review's cases) -------------------------------------------------------

STAFF = {"s.yaml": DECLARATIONS["s.yaml"]}


def _staff(n: int, key: Any = None) -> SourceRecord:
    after = {"id": n, **{f"c{j}": f"{FIRST[(n + j) % 10]} {LAST[(n * 7 + j) % 10]}{'e' * (n % 5)}" for j in range(6)}}
    return record("pg.public.staff", {"op": "c", "before": None, "after": after}, key=key, offset=n)


def test_a_model_failure_while_fetching_leaves_each_record_to_its_own_safety_net(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hash_key_env: str
) -> None:
    detection = DetectionConfig(min_samples=30, sample_every=5)
    outcomes = []
    for name, fetch in (("alone", False), ("fetched", True)):
        proc = make_processor(tmp_path / name, STAFF, detection=detection)
        proc.process_batch([_staff(0)])  # the table is made, its columns profiled
        with pytest.MonkeyPatch.context() as patch:
            scanner = proc.settings.policy.scanner
            assert scanner is not None and scanner.ner is not None
            if not fetch:
                patch.setattr(scanner, "fetch_labels", lambda values: None)

            def fails(texts: Any) -> Any:
                raise RuntimeError("the model failed")

            patch.setattr(scanner.ner, "analyze", fails)
            outcomes.append(
                [
                    (type(o).__name__, getattr(o, "reason", ""))
                    for o in proc.process_batch([_staff(n) for n in range(1, 20)])
                ]
            )
    assert outcomes[1] == outcomes[0]  # the batch did not fail as a whole
    assert ("DeadLetter", "internal_error") in outcomes[0]


def test_a_table_whose_fetched_labels_no_vote_reads_stops_fetching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hash_key_env: str
) -> None:
    """Records dead-lettered before their values are sampled (a key that is not its
    schema's type) never cast the votes their values were fetched for."""
    proc = make_processor(tmp_path, STAFF, detection=DetectionConfig(min_samples=30, sample_every=5))
    proc.process_batch([_staff(0)])
    bad_key = {
        "schema": {"type": "struct", "fields": [{"field": "id", "type": "int32", "optional": False}]},
        "payload": {"id": "x"},
    }
    calls = _Calls(ner_engine(), monkeypatch)
    texts = []
    for b in range(4):
        outcomes = proc.process_batch([_staff(100 * b + n, key=bad_key) for n in range(1, 40)])
        assert all(type(o).__name__ == "DeadLetter" for o in outcomes)
        texts.append(calls.texts)
    assert texts[0] > 0  # fetched once
    assert texts[-1] == texts[0], "labels fetched again for votes that never came"


def test_a_batchs_fetches_share_its_ner_budget_and_a_look_decodes_at_most_min_samples_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hash_key_env: str
) -> None:
    tables = {
        f"t{i}.yaml": f"table: public.t{i}\nsource_topic: pg.public.t{i}\ncdr_topic: cdr.t{i}.v1\nowner: s\n"
        "undeclared: detect\ncolumns:\n  id: {pii: none}\n"
        for i in range(4)
    }
    proc = make_processor(tmp_path, tables, detection=DetectionConfig(min_samples=20, sample_every=5))

    def rec(t: int, n: int) -> SourceRecord:
        after = {
            "id": n,
            **{f"c{j}": f"{FIRST[(n + j) % 10]} {LAST[(n + 3 * j) % 10]}{'a' * (n % 7)}" for j in range(8)},
        }
        return record(f"pg.public.t{t}", {"op": "c", "before": None, "after": after}, offset=n)

    proc.process_batch([rec(t, 0) for t in range(4)])  # every table made
    engine = ner_engine()
    monkeypatch.setattr(engine, "max_batch_chars", 3000)
    scanner = proc.settings.policy.scanner
    assert scanner is not None
    fetched: list[str] = []
    fetch = scanner.fetch_labels
    monkeypatch.setattr(scanner, "fetch_labels", lambda values: (fetched.extend(values), fetch(values)))
    looked: list[int] = []  # the records each look decoded
    rows = TableProcessor._rows

    def counted(self: TableProcessor, records: list[SourceRecord]) -> Any:
        looked.append(0)
        for row in rows(self, records):
            looked[-1] += 1
            yield row

    monkeypatch.setattr(TableProcessor, "_rows", counted)
    proc.process_batch([rec(t, n) for n in range(1, 80) for t in range(4)])
    assert fetched and sum(engine.label_chars(v) for v in fetched) <= 3000
    assert looked and max(looked) <= 20  # a look decodes at most min_samples records (inserts: a row each)


def test_a_service_down_while_looking_stops_the_batch_there_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hash_key_env: str
) -> None:
    from pipeline.errors import DependencyError

    proc = make_processor(tmp_path, STAFF, detection=DetectionConfig(min_samples=30, sample_every=5))
    proc.process_batch([_staff(0)])
    table = proc.table_for("pg.public.staff")
    assert table is not None
    tries = {"n": 0}

    def down(*_: Any) -> Any:
        tries["n"] += 1
        raise DependencyError("the schema registry did not answer")

    monkeypatch.setattr(table.codec, "decode", down)
    with pytest.raises(DependencyError):
        proc.process_batch([_staff(n) for n in range(1, 50)])
    assert tries["n"] == 1  # waited out once, not once a record
