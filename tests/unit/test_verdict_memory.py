"""Guard hits outlive the process (``detection.verdicts_file``): written as keyed digests,
read back at start-up so the column's profile starts withheld; a line that is not ours
stops the start-up with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from detectors.profiler import PII, WITHHELD, Profiler, Verdict, VerdictChange
from pipeline.config import load_config
from pipeline.core.events import Published
from pipeline.errors import InvalidFilesError
from pipeline.runtime.verdictmemory import VerdictMemory

KEY = b"k" * 32
TABLE, COLUMN = "public.accounts", "holder_full_name"


def _hit(entity: str, evidence: str = "guard:PERSON") -> VerdictChange:
    return VerdictChange(TABLE, COLUMN, Verdict(WITHHELD), Verdict(PII, entity, 1.0, 0, ((evidence, 1.0),)))


def test_a_guard_hit_is_recalled_by_the_next_process(tmp_path: Path) -> None:
    path = tmp_path / "verdicts.jsonl"
    first = VerdictMemory(path, KEY)
    assert first.recall(TABLE, COLUMN) is None
    first.remember(_hit("PERSON"))
    first.remember(_hit("PERSON"))  # once
    text = path.read_text()
    assert len(text.splitlines()) == 1
    assert COLUMN not in text and TABLE not in text, "the file names the column only by its digest"
    again = VerdictMemory(path, KEY)
    assert again.recall(TABLE, COLUMN) == "PERSON"
    assert again.recall(TABLE, "other") is None
    assert VerdictMemory(path, b"x" * 32).recall(TABLE, COLUMN) is None, "digests are keyed"
    profiler = Profiler(recall=again.recall)
    prof = profiler.profile(TABLE, COLUMN, None)
    assert (prof.verdict.state, prof.verdict.entity, prof.guard_hit) == (PII, "PERSON", "PERSON")
    assert profiler.profile(TABLE, "other", None).guard_hit is None


@pytest.mark.parametrize(
    ("change", "kept"),
    [
        (_hit("PERSON"), True),
        (_hit("PERSON", evidence="ner:PERSON"), False),  # sampled: weighed again each run
        (
            VerdictChange(
                TABLE, COLUMN, Verdict(PII, "PERSON"), Verdict(WITHHELD, None, 1.0, 0, (("guard:shape", 1.0),))
            ),
            False,
        ),
    ],
)
def test_only_guard_hits_on_personal_data_are_written(tmp_path: Path, change: VerdictChange, kept: bool) -> None:
    memory = VerdictMemory(tmp_path / "v.jsonl", KEY)
    memory.remember(change)
    assert (len(memory) == 1) is kept
    assert (tmp_path / "v.jsonl").exists() is kept


@pytest.mark.parametrize(
    "line",
    [
        '{"column": "holder_full_name", "withheld": "PERSON"}',
        '{"column": "' + "a" * 32 + '", "withheld": "x y"}',
        "[1]",
    ],
)
def test_a_line_that_is_not_ours_stops_the_start_up(tmp_path: Path, line: str) -> None:
    path = tmp_path / "verdicts.jsonl"
    path.write_text('{"column": "' + "b" * 32 + '", "withheld": "PERSON"}\n' + line + "\n")
    with pytest.raises(InvalidFilesError) as err:
        VerdictMemory(path, KEY)
    (problem,) = err.value.errors
    assert (problem.file, problem.line) == (str(path), 2)
    assert "holder" not in problem.message


def test_the_config_path_is_beside_the_config(tmp_path: Path) -> None:
    (tmp_path / "cdr.yaml").write_text("detection: {verdicts_file: state/verdicts.jsonl}\n")
    assert load_config(tmp_path / "cdr.yaml").detection.verdicts_file == str(tmp_path / "state" / "verdicts.jsonl")


SERVICE_DECL = """\
table: public.accounts
source_topic: pg.public.accounts
cdr_topic: cdr.accounts.v1
owner: ledger
undeclared: detect
columns:
  id:   {pii: none}
  plan: {pii: none}
"""


def test_the_service_writes_a_guard_hit_down_and_logs_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """``cdr run`` hears verdict changes for its log after start-up: that must not
    silence the verdicts file, or the next start releases the column again."""
    from pipeline.config import Config, DetectionConfig
    from pipeline.runtime.bootstrap import build_service_processor
    from tests.support import assert_no_raw, record, write_declarations

    write_declarations(tmp_path / "s", {"a.yaml": SERVICE_DECL})
    path = tmp_path / "verdicts.jsonl"
    config = Config(schemas_dir=tmp_path / "s", detection=DetectionConfig(ner=False, verdicts_file=str(path)))
    planted = [f"anne{i}.holder@example.org" for i in range(3)]

    def event(i: int) -> dict:
        return {"op": "c", "before": None, "after": {"id": i, "plan": planted[i]}, "source": {"ts_ms": 1}}

    first = build_service_processor(config)
    with caplog.at_level("INFO", logger="cdr.detection"):
        first.process(record("pg.public.accounts", event(0)))
    assert len(path.read_text().splitlines()) == 1, "the guard hit was not written down"
    assert any("column_verdict" in r.getMessage() for r in caplog.records), "the verdict was not logged"
    again = build_service_processor(config).process(record("pg.public.accounts", event(1)))
    assert isinstance(again, Published)
    assert_no_raw(planted, *(r.value for r in again.records))
