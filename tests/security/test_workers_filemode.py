"""The schema-changes, disguised-values and names-are-data cases (those that need no
config of their own) as one file through ``cdr process`` in one process and with
``--workers 2``: byte-identical output and dead letters, and no planted value in either
output, the dead letters' reasons, the log or the progress."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.security.cases import disguises, names, schema_changes
from tests.security.events import encode
from tests.security.filemode import CDR_BIN, CaseFiles, collect_files, run_watched
from tests.security.ledger import CDR, CDR_HEADERS, DLQ_HEADERS, LOGS, Forms, Haystack, Observed

pytestmark = pytest.mark.security
CASES = tuple(c for c in (*schema_changes.CASES, *disguises.CASES, *names.CASES) if not c.config)


def _write(root: Path) -> CaseFiles:
    """Every case's declaration and records in one folder and one input file, the cases'
    records interleaved (one table's order kept), as a mixed topic export would be."""
    (root / "schemas").mkdir(parents=True)
    streams = []
    for case in CASES:
        topic, cdr = f"sec.{case.id}", f"cdr.sec.{case.id}"
        (root / "schemas" / f"{case.id}.yaml").write_text(case.declaration_for(topic, cdr), encoding="utf-8")
        lines = []
        for offset, rec in enumerate(case.records):
            line = {"topic": topic, "partition": 0, "offset": offset, "key": rec.key, "value": rec.value}
            if rec.headers:
                line["headers"] = dict(rec.headers)
            lines.append((f"{topic}/0/{offset}", encode(line)))
        streams.append(lines)
    coords, out = [], []
    for i in range(max(map(len, streams))):
        for lines in streams:
            if i < len(lines):
                coords.append(lines[i][0])
                out.append(lines[i][1])
    (root / "input.jsonl").write_bytes(b"\n".join(out) + b"\n")
    (root / "cdr.yaml").write_text(yaml.safe_dump({"schemas": "schemas"}), encoding="utf-8")
    return CaseFiles(
        root, root / "input.jsonl", root / "out.jsonl", root / "out.dlq.jsonl", root / "cdr.yaml", tuple(coords)
    )


def _run(files: CaseFiles, workers: int, name: str) -> tuple[Observed, bytes, bytes]:
    out, dlq = files.root / f"{name}.jsonl", files.root / f"{name}.dlq.jsonl"
    cmd = [*CDR_BIN, "process", "--input", str(files.input), "--output", str(out), "--dlq", str(dlq)]
    cmd += ["--config", str(files.config), "--workers", str(workers)]
    run = run_watched(cmd, files.root / name, time_limit=600)
    assert run.killed is None and run.returncode == 0, (
        f"cdr process --workers {workers}: {run.killed or run.returncode}"
    )
    seen = Observed(inputs=list(files.coordinates))
    seen.add(LOGS, run.stdout, run.stderr)
    collect_files(CaseFiles(files.root, files.input, out, dlq, files.config, files.coordinates), seen)
    return seen, out.read_bytes(), dlq.read_bytes() if dlq.exists() else b""


def test_workers_write_what_one_process_writes_and_nothing_raw(tmp_path: Path) -> None:
    files = _write(tmp_path)
    one, one_out, one_dlq = _run(files, 1, "one")
    two, two_out, two_dlq = _run(files, 2, "two")
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
