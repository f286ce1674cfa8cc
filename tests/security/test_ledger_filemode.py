"""Every ledger case through file mode (``cdr process``): no planted value in the CDR
file, its headers, the dead-letter headers (anywhere in the dead letters when sealing is
configured), logs or metrics; every record published, dead-lettered or skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.cases import ALL, params
from tests.security.filemode import run_bounded, run_in_process
from tests.security.ledger import TALLY, Case, judge

pytestmark = pytest.mark.security


@pytest.mark.parametrize("case", params(ALL), ids=[c.id for c in ALL])
def test_file_mode(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = run_bounded(case, tmp_path) if case.bounded else run_in_process(case, tmp_path, monkeypatch)
    problems = judge(case, seen)
    TALLY.record(case.id, case.attack, "file", problems)
    if problems:
        pytest.fail(f"[{case.attack}] {case.description}:\n" + "\n".join(problems), pytrace=False)
