"""The one-run lifecycle scenarios (a version bump published on two CDR topics, a released
key turning into e-mails, names in a column declared none) as one file through ``cdr
process`` and ``cdr process --workers 2``: each table's versions go to one worker, so the
output is byte-identical, and neither run lets a planted value out."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.security.cases.lifecycle import SCENARIOS
from tests.security.events import encode
from tests.security.filemode import CDR_BIN, CaseFiles, collect_files, run_watched
from tests.security.ledger import CDR, CDR_HEADERS, DLQ_HEADERS, LOGS, Forms, Haystack, Observed

pytestmark = pytest.mark.security
ONE_RUN = tuple(s for s in SCENARIOS if len(s.steps) == 1 and s.refused is None and not s.steps[0].config)


def _write(root: Path) -> CaseFiles:
    """Every scenario's declaration files and records, the records interleaved."""
    (root / "schemas").mkdir(parents=True)
    streams = []
    for scenario in ONE_RUN:
        (step,) = scenario.steps
        for name, text in step.declarations.items():
            path = root / "schemas" / f"{scenario.id}-{name}"
            path.write_text(text.replace("{source}", scenario.source), encoding="utf-8")
        lines = []
        for offset, rec in enumerate(step.records):
            line = {"topic": scenario.source, "partition": 0, "offset": offset, "key": rec.key, "value": rec.value}
            if rec.headers:
                line["headers"] = dict(rec.headers)
            lines.append((f"{scenario.source}/0/{offset}", encode(line)))
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


def _run(files: CaseFiles, workers: int, name: str) -> tuple[Observed, bytes]:
    out, dlq = files.root / f"{name}.jsonl", files.root / f"{name}.dlq.jsonl"
    cmd = [*CDR_BIN, "process", "--input", str(files.input), "--output", str(out), "--dlq", str(dlq)]
    cmd += ["--config", str(files.config), "--workers", str(workers)]
    run = run_watched(cmd, files.root / name, time_limit=300)
    assert run.killed is None and run.returncode == 0, (
        f"cdr process --workers {workers}: {run.killed or run.returncode}"
    )
    seen = Observed(inputs=list(files.coordinates))
    seen.add(LOGS, run.stdout, run.stderr)
    collect_files(CaseFiles(files.root, files.input, out, dlq, files.config, files.coordinates), seen)
    return seen, out.read_bytes()


def test_lifecycle_workers_write_what_one_process_writes(tmp_path: Path) -> None:
    assert len(ONE_RUN) >= 4, "the one-run scenarios are here"
    files = _write(tmp_path)
    one, one_out = _run(files, 1, "one")
    two, two_out = _run(files, 2, "two")
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
