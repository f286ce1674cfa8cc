"""The one-run lifecycle scenarios (a version bump published on two CDR topics, a released
key turning into e-mails, names in a column declared none) as one file through ``cdr
process`` and ``cdr process --workers 2``: each table's versions go to one worker, so the
output is byte-identical, and neither run lets a planted value out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.cases.lifecycle import SCENARIOS
from tests.security.filemode import CaseFiles, run_workers, write_interleaved
from tests.security.ledger import CDR, CDR_HEADERS, DLQ_HEADERS, LOGS, Forms, Haystack

pytestmark = pytest.mark.security
ONE_RUN = tuple(s for s in SCENARIOS if len(s.steps) == 1 and s.refused is None and not s.steps[0].config)


def _write(root: Path) -> CaseFiles:
    """Every scenario's declaration files and records, the records interleaved."""
    (root / "schemas").mkdir(parents=True)
    for scenario in ONE_RUN:
        for name, text in scenario.steps[0].declarations.items():
            path = root / "schemas" / f"{scenario.id}-{name}"
            path.write_text(text.replace("{source}", scenario.source), encoding="utf-8")
    return write_interleaved(root, ((s.source, s.steps[0].records) for s in ONE_RUN))


def test_lifecycle_workers_write_what_one_process_writes(tmp_path: Path) -> None:
    assert len(ONE_RUN) >= 4, "the one-run scenarios are here"
    files = _write(tmp_path)
    one, one_out, _ = run_workers(files, 1, "one", 300)
    two, two_out, _ = run_workers(files, 2, "two", 300)
    got, want = two_out.splitlines(), one_out.splitlines()
    differ = [i + 1 for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b]
    assert (len(got), differ[:5]) == (len(want), []), "output lines differ (by line number)"
    forms = [Forms.of(p) for s in ONE_RUN for p in s.planted]
    for label, seen in (("--workers 1", one), ("--workers 2", two)):
        for place in (CDR, CDR_HEADERS, DLQ_HEADERS, LOGS):
            hay = Haystack(seen.blobs[place])
            found = [j for j, f in enumerate(forms) if hay.holds(f)]
            assert not found, f"{label}: {len(found)} planted values in {place} (first #{found[0]})"
        lost = [c for c in seen.inputs if c not in seen.published]
        assert not lost, f"{label}: {len(lost)} records not published"
