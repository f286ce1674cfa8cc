"""The schema-changes, disguised-values and names-are-data cases (those that need no
config of their own) as one file through ``cdr process`` in one process and with
``--workers 2``: byte-identical output and dead letters, and no planted value in either
output, the dead letters' reasons, the log or the progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.cases import disguises, names, schema_changes
from tests.security.filemode import CaseFiles, run_workers, write_interleaved
from tests.security.ledger import CDR, CDR_HEADERS, DLQ_HEADERS, LOGS, Forms, Haystack

pytestmark = pytest.mark.security
CASES = tuple(c for c in (*schema_changes.CASES, *disguises.CASES, *names.CASES) if not c.config)


def _write(root: Path) -> CaseFiles:
    """Every case's declaration and records in one folder and one input file, the cases'
    records interleaved (one table's order kept), as a mixed topic export would be."""
    (root / "schemas").mkdir(parents=True)
    for case in CASES:
        topic, cdr = f"sec.{case.id}", f"cdr.sec.{case.id}"
        (root / "schemas" / f"{case.id}.yaml").write_text(case.declaration_for(topic, cdr), encoding="utf-8")
    return write_interleaved(root, ((f"sec.{case.id}", case.records) for case in CASES))


def test_workers_write_what_one_process_writes_and_nothing_raw(tmp_path: Path) -> None:
    files = _write(tmp_path)
    one, one_out, one_dlq = run_workers(files, 1, "one", 600)
    two, two_out, two_dlq = run_workers(files, 2, "two", 600)
    got, want = two_out.splitlines(), one_out.splitlines()
    differ = [i + 1 for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b]
    assert (len(got), differ[:5]) == (len(want), []), "output lines differ (by line number)"
    assert two_dlq == one_dlq, "dead-letter lines differ"
    assert len(want) > 1000, "the cases were published"
    forms = [Forms.of(p) for case in CASES for p in case.planted]
    for label, seen in (("--workers 1", one), ("--workers 2", two)):
        for place in (CDR, CDR_HEADERS, DLQ_HEADERS, LOGS):
            hay = Haystack(seen.blobs[place])
            found = [j for j, f in enumerate(forms) if hay.holds(f)]
            assert not found, f"{label}: {len(found)} planted values in {place} (first #{found[0]})"
        lost = [c for c in seen.inputs if c not in seen.published | seen.dead]
        assert not lost, f"{label}: {len(lost)} records neither published nor dead-lettered"
