"""NER bounds: long texts are cut into overlapping windows (spaCy's max_length is never
reached, a name across a cut is still found), the characters analysed per batch are
capped, and a text NER did not analyse fails closed inside the record's safety net."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from detectors.ner import CHUNK_CHARS, OVERLAP_CHARS, NerEngine, NerRefused, ner_engine, windows
from pipeline.config import DetectionConfig
from pipeline.core.events import DeadLetter, Published
from tests.support import doc, make_processor, record

FILLER = "The order arrived late and the box was damaged, so we asked for a refund. "
NAME = "Maria Garcia"
TOPIC = "pg.public.tickets"
DECL = """\
table: public.tickets
source_topic: pg.public.tickets
cdr_topic: cdr.tickets.v1
owner: support
columns:
  id: {pii: none}
  notes: {pii: free_text}
"""


@pytest.fixture(scope="module")
def engine() -> NerEngine:
    return ner_engine()


def straddling_text(chunk: int) -> tuple[str, int]:
    """Filler with NAME placed so that the first window's cut falls between its words."""
    base = FILLER * (2 * chunk // len(FILLER) + 2)
    start = chunk - len("Maria ")  # the space after "Maria" is the window's last one
    text = base[: start - len(" Yesterday ")] + " Yesterday " + NAME + " called us about the refund. " + base
    assert text[start : start + len(NAME)] == NAME
    return text, start


def test_windows_cover_the_text_with_overlap() -> None:
    text = ("word " * 3000).strip()
    spans = windows(text, 1000, 200)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (s1, e1), (s2, e2) in itertools.pairwise(spans):
        assert e1 - s1 <= 1000 and e2 - s2 <= 1000
        assert s1 < s2 < e1, "consecutive windows overlap and move forward"
        assert e1 - s2 <= 200 and text[e1] == " " and text[s2 - 1] == " ", "cut at whitespace"
    unbroken = "x" * 2500
    assert windows(unbroken, 1000, 200) == [(0, 1000), (800, 1800), (1600, 2500)]
    assert windows("short", 1000, 200) == [(0, 5)]


def test_text_over_max_length_is_chunked_and_a_name_across_a_cut_is_found(
    engine: NerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    nlp = engine._engine.nlp["en"]
    monkeypatch.setattr(nlp, "max_length", 3 * CHUNK_CHARS)
    text, start = straddling_text(engine.chunk_chars)
    text = text + FILLER * (4 * CHUNK_CHARS // len(FILLER))
    assert len(text) > nlp.max_length
    with pytest.raises(ValueError):
        nlp(text)  # what analysing the text in one piece does
    cuts = windows(text, engine.chunk_chars)
    assert any(s < start < e < start + len(NAME) for s, e in cuts), "a window ends inside the name"
    [found] = engine.analyze([text])
    assert not isinstance(found, NerRefused)
    assert any(f.entity == "PERSON" and f.start <= start and f.end >= start + len(NAME) for f in found)
    assert all(0 <= f.start < f.end <= len(text) for f in found)
    assert len({(f.start, f.end) for f in found}) == len(found), "a span seen by two windows is reported once"


def test_batch_budget_refuses_what_does_not_fit(engine: NerEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "max_batch_chars", 1000)
    small, large = f"{NAME} wrote in.", FILLER * 20
    results = engine.analyze([small, large, small + " Again."])
    assert isinstance(results[1], NerRefused) and results[1].reason == "ner_budget"
    assert not isinstance(results[0], NerRefused) and not isinstance(results[2], NerRefused)
    assert results[0] and results[0][0].entity == "PERSON"


def tickets(tmp_path: Path):
    return make_processor(tmp_path, {"t.yaml": DECL}, detection=DetectionConfig(min_samples=20, sample_every=2))


def ticket(i: int, notes: str):
    return record(TOPIC, {"op": "c", "before": None, "after": {"id": i, "notes": notes}}, offset=i)


def test_processor_dead_letters_over_budget_text_and_publishes_the_rest(
    tmp_path: Path, engine: NerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_note = FILLER * 30 + f"Signed, {NAME}."
    monkeypatch.setattr(engine, "max_batch_chars", len(long_note) + 10)  # fits alone, not after another
    recs = [ticket(0, f"{NAME} called twice today."), ticket(1, long_note), ticket(2, f"Ask {NAME} to call back.")]
    outs = tickets(tmp_path).process_batch(recs)
    assert isinstance(outs[1], DeadLetter) and outs[1].reason == "ner_budget"
    assert "Garcia" not in outs[1].message, "dead-letter message holds a value"
    for o in (outs[0], outs[2]):
        assert isinstance(o, Published)
        notes = doc(o.records[0].value)["after"]["notes"]
        assert "Garcia" not in notes and "<PERSON>" in notes, "planted name left in output"
    # The refusal is for that batch only: the same record alone (a replay) is scanned.
    again = tickets(tmp_path / "again").process_batch([recs[1], recs[0]])[0]
    assert isinstance(again, Published) and "Garcia" not in doc(again.records[0].value)["after"]["notes"]


def test_long_text_in_a_record_is_published_redacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = ner_engine()
    monkeypatch.setattr(engine._engine.nlp["en"], "max_length", 2 * CHUNK_CHARS)
    text, _ = straddling_text(engine.chunk_chars)
    outs = tickets(tmp_path).process_batch([ticket(0, text), ticket(1, "Nothing to see here, all fine.")])
    assert isinstance(outs[0], Published), "a long text was not processed"
    notes = doc(outs[0].records[0].value)["after"]["notes"]
    assert "Garcia" not in notes and "<PERSON>" in notes, "name across a window cut leaked"


def test_ner_failure_dead_letters_the_record_and_processing_goes_on(
    tmp_path: Path, engine: NerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = engine._nlp.pipe

    def failing(texts, **kwargs):
        texts = list(texts)
        if any("Poison" in t for t in texts):
            raise RuntimeError("model failure")  # what spaCy raised on an over-long text
        return real(texts, **kwargs)

    monkeypatch.setattr(engine._nlp, "pipe", failing)
    proc = tickets(tmp_path)
    recs = [ticket(0, f"Poison text from {NAME} here."), ticket(1, f"{NAME} called about her refund.")]
    batch = proc.process_batch(recs)
    alone = proc.process(ticket(2, f"Poison again from {NAME}, alone."))
    for dead in (batch[0], alone):
        assert isinstance(dead, DeadLetter) and dead.reason == "ner_failed" and dead.stage == "detect"
    assert isinstance(batch[1], Published)
    assert "Garcia" not in doc(batch[1].records[0].value)["after"]["notes"], "planted name leaked"


def test_overlap_is_longer_than_a_name() -> None:
    assert OVERLAP_CHARS >= 100 and CHUNK_CHARS > 4 * OVERLAP_CHARS


def test_text_the_model_cannot_read_is_dead_lettered_in_the_record_net(tmp_path: Path) -> None:
    """A lone surrogate in free text makes the NER step raise: before, in the batch step,
    outside every record's net (the service crash-looped); now that record alone is
    dead-lettered and the batch goes on."""
    proc = tickets(tmp_path)
    recs = [ticket(0, f"{NAME} wrote \ud800 twice today."), ticket(1, f"{NAME} called about her refund.")]
    outs = proc.process_batch(recs)
    assert isinstance(outs[0], DeadLetter) and outs[0].reason == "ner_failed"
    assert isinstance(outs[1], Published)
    assert "Garcia" not in doc(outs[1].records[0].value)["after"]["notes"], "planted name leaked"


def test_one_text_over_the_per_text_limit_is_refused_whatever_the_batch(
    engine: NerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "max_text_chars", 500)
    results = engine.analyze([FILLER * 40])
    assert isinstance(results[0], NerRefused) and results[0].reason == "ner_budget"


def test_a_batch_is_read_table_by_table_so_a_workers_share_meets_the_budget_one_process_meets(
    tmp_path: Path, engine: NerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cdr process --workers`` claims one process's output byte for byte because a table's
    records reach one worker in the batches one process makes. File mode reads a batch
    table by table (``process_tables``), so the NER budget a record meets is its table's
    share of the batch's: the same in one process and on the worker holding the table.
    (Read as one batch, one process refused the letter, which a worker published.)"""
    long_note = FILLER * 30 + f"Signed, {NAME}."
    monkeypatch.setattr(engine, "max_batch_chars", len(long_note) + 10)  # fits alone, not after another
    other = DECL.replace("tickets", "letters")
    detection = DetectionConfig(min_samples=20, sample_every=2)
    letter_note = FILLER * 30 + "Signed, Ana Lopez."
    letter = record(
        "pg.public.letters", {"op": "c", "before": None, "after": {"id": 1, "notes": letter_note}}, offset=1
    )
    second = ticket(2, FILLER * 30 + "Signed, John Smith.")
    batch = [ticket(0, long_note), letter, second]
    one = make_processor(tmp_path / "one", {"t.yaml": DECL, "l.yaml": other}, detection=detection)
    whole = [type(o).__name__ for o in one.process_tables(batch)]
    by_line = {}
    for i, share in enumerate(([0, 2], [1])):  # each table's share, on a worker of its own
        worker = make_processor(tmp_path / f"w{i}", {"t.yaml": DECL, "l.yaml": other}, detection=detection)
        outcomes = worker.process_tables([batch[j] for j in share])
        by_line.update(zip(share, (type(o).__name__ for o in outcomes), strict=True))
    # the letter is in its table's budget; the second ticket is not, after the first
    assert whole == ["Published", "Published", "DeadLetter"]
    assert [by_line[j] for j in range(len(batch))] == whole
    service = make_processor(tmp_path / "service", {"t.yaml": DECL, "l.yaml": other}, detection=detection)
    read_whole = [type(o).__name__ for o in service.process_batch(batch)]
    assert read_whole == ["Published", "DeadLetter", "DeadLetter"], "the service's poll: one budget for its tables"


def test_a_remembered_text_spends_the_budget_too(
    tmp_path: Path, engine: NerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which text a batch refuses depends on the batch alone: a text NER read in an
    earlier batch (the process's cache holds its findings) is charged as one read now.
    Otherwise one process, which had read another table's copy of the text, published
    what a worker holding only this table refused."""
    long_note = FILLER * 30 + f"Signed, {NAME}."
    monkeypatch.setattr(engine, "max_batch_chars", len(long_note) + 10)  # fits alone, not after another
    proc = tickets(tmp_path)
    assert isinstance(proc.process_batch([ticket(0, long_note)])[0], Published)  # now remembered
    first, remembered = proc.process_batch([ticket(1, FILLER * 30 + "Signed, John Smith."), ticket(2, long_note)])
    assert isinstance(first, Published)
    assert isinstance(remembered, DeadLetter) and remembered.reason == "ner_budget"
