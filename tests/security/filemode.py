"""Runs a ledger case through file mode, the way a user runs it: ``cdr process`` with a
config file and a declarations folder.

Most cases run the CLI entry point in-process (the spaCy model is loaded once per
session, not once per case). The processor it builds is observed, not replaced: each
outcome is also recorded in a :class:`pipeline.runtime.metrics.Metrics` registry (as the service
records it) and verdict changes are logged with the service's logger, so metric labels
and log lines are checked in file mode too. Resource cases run ``cdr process`` as a
subprocess watched for resident memory and wall time, and are killed past the bounds.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import generate_latest

from pipeline.core.events import Skipped
from pipeline.runtime import bootstrap
from pipeline.runtime.logs import JsonFormatter, log_verdict
from pipeline.runtime.metrics import Metrics
from pipeline.tools import main as cli
from tests.security.events import Rec, encode
from tests.security.ledger import CDR, CDR_HEADERS, DLQ_ANY, DLQ_HEADERS, LOGS, METRICS, Case, Observed
from tests.support import HASH_KEY

CDR_BIN = (sys.executable, "-m", "pipeline")  # the tree under test, not an installed script
# A subprocess runs in its case's folder: a relative PYTHONPATH ('.') would resolve there
# and the editable install (another checkout) would be imported instead of this tree.
TREE = str(Path(__file__).resolve().parents[2])
RSS_LIMIT_MB = 600  # issue 9: resident memory stays under 600 MB with 1 MB records
# A hang guard, not a performance figure: generous enough for a bounded implementation
# on a loaded 2-core machine, short enough that an unbounded one cannot stall the tier.
TIME_LIMIT_S = 25.0


@dataclass(frozen=True)
class CaseFiles:
    root: Path
    input: Path
    output: Path
    dlq: Path
    config: Path
    coordinates: tuple[str, ...]  # of the input lines, in order


def write_case(case: Case, root: Path) -> CaseFiles:
    topic, cdr = f"sec.{case.id}", f"cdr.sec.{case.id}"
    (root / "schemas").mkdir(parents=True)
    (root / "schemas" / f"{case.id}.yaml").write_text(case.declaration_for(topic, cdr), encoding="utf-8")
    config = {"schemas": "schemas", **case.config}
    (root / "cdr.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    coords = []
    with (root / "input.jsonl").open("wb") as out:
        for offset, rec in enumerate(case.records):
            line = {"topic": topic, "partition": 0, "offset": offset, "key": rec.key, "value": rec.value}
            if rec.headers:
                line["headers"] = dict(rec.headers)
            out.write(encode(line) + b"\n")
            coords.append(f"{topic}/0/{offset}")
    return CaseFiles(
        root, root / "input.jsonl", root / "out.jsonl", root / "out.dlq.jsonl", root / "cdr.yaml", tuple(coords)
    )


def _args(files: CaseFiles) -> list[str]:
    return [
        "process",
        "--input",
        str(files.input),
        "--output",
        str(files.output),
        "--dlq",
        str(files.dlq),
        "--config",
        str(files.config),
    ]


def collect_files(files: CaseFiles, seen: Observed) -> None:
    """What the output and dead-letter files hold, by place."""
    if files.output.exists():
        for line in files.output.read_bytes().splitlines():
            try:
                doc = json.loads(line)
            except ValueError:
                seen.add(CDR, line)
                continue
            seen.add(
                CDR, json.dumps(doc.get("key"), ensure_ascii=False), json.dumps(doc.get("value"), ensure_ascii=False)
            )
            headers = doc.get("headers") or {}
            seen.add(CDR_HEADERS, json.dumps(headers, ensure_ascii=False))
            source = headers.get("cdr.source")
            if isinstance(source, str):
                seen.published.add(source)
    if files.dlq.exists():
        for line in files.dlq.read_bytes().splitlines():
            seen.add(DLQ_ANY, line)
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            seen.add(DLQ_HEADERS, json.dumps(doc.get("error"), ensure_ascii=False))
            if "topic" in doc and "offset" in doc:
                seen.dead.add(f"{doc['topic']}/{doc.get('partition', 0)}/{doc['offset']}")
            elif isinstance(doc.get("line"), int) and 0 < doc["line"] <= len(files.coordinates):
                seen.dead.add(files.coordinates[doc["line"] - 1])


def run_in_process(case: Case, root: Path, monkeypatch: pytest.MonkeyPatch) -> Observed:
    files = write_case(case, root)
    seen = Observed(inputs=list(files.coordinates))
    run_files(files, seen, monkeypatch)
    collect_files(files, seen)
    return seen


def run_files(files: CaseFiles, seen: Observed, monkeypatch: pytest.MonkeyPatch) -> None:
    """``cdr process`` on written case files, in-process: its logs, output, metrics and
    skipped records into ``seen`` (the output and dead-letter files are left to read)."""
    metrics = Metrics()
    real_build = bootstrap.build_processor

    def observed_build(config: Any, declarations: Any = None, on_verdict: Any = None) -> Any:
        processor = real_build(config, declarations, on_verdict=on_verdict or log_verdict)
        profiler = processor.settings.policy.profiler
        if profiler is not None:
            metrics.watch_detection(profiler, processor.declarations)
        inner = processor.process

        def process(rec: Any) -> Any:
            outcome = inner(rec)
            metrics.record_outcome(outcome)
            if isinstance(outcome, Skipped):
                seen.skipped += 1
            return outcome

        processor.process = process
        return processor

    run_cli(_args(files), seen, monkeypatch, build=observed_build)
    seen.add(METRICS, generate_latest(metrics.registry))


def run_cli(
    args: list[str], seen: Observed, monkeypatch: pytest.MonkeyPatch, where: str = "", build: Any = None
) -> None:
    """``cdr ARGS`` in this process, its logs (JSON, every level), stdout and stderr caught
    into ``seen``; a crash is noted by its class and an exit by its code (``where`` says
    which run), never by a message: a message can quote the data. ``build`` stands in for
    :func:`bootstrap.build_processor` when given."""
    logs = io.StringIO()
    handler = logging.StreamHandler(logs)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root_logger = logging.getLogger()
    old_level = root_logger.level
    root_logger.addHandler(handler)
    root_logger.setLevel(logging.DEBUG)
    stdout, stderr = io.StringIO(), io.StringIO()
    code: int | None = None
    try:
        with monkeypatch.context() as patch:
            if build is not None:
                patch.setattr(bootstrap, "build_processor", build)
            patch.setenv("COLUMNS", "200")
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                try:
                    code = cli.main(args)
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
                except Exception as exc:  # the class only: a message can quote the data
                    code = None
                    seen.crash = f"{type(exc).__name__} escaped cdr process{where}"
    finally:
        root_logger.removeHandler(handler)
        root_logger.setLevel(old_level)
    if code not in (0, None):
        seen.crash = f"cdr process exited {code}{where}"
    seen.add(LOGS, logs.getvalue(), stdout.getvalue(), stderr.getvalue())


def run_bounded(case: Case, root: Path) -> Observed:
    """``cdr process`` as a subprocess, killed past RSS_LIMIT_MB or TIME_LIMIT_S. No
    metrics registry here: the file mode of a subprocess exposes none."""
    files = write_case(case, root)
    seen = Observed(inputs=list(files.coordinates))
    run = run_watched([*CDR_BIN, *_args(files)], root)
    if run.killed is not None:
        seen.crash = run.killed
    elif run.returncode != 0:
        seen.crash = f"cdr process exited {run.returncode}"
    seen.add(LOGS, run.stdout, run.stderr)
    collect_files(files, seen)
    return seen


@dataclass(frozen=True)
class Watched:
    returncode: int | None
    killed: str | None  # why the watchdog killed it
    stdout: bytes
    stderr: bytes
    seconds: float


def write_interleaved(root: Path, streams: Iterable[tuple[str, Sequence[Rec]]]) -> CaseFiles:
    """Several topics' records in one input file, interleaved (each topic's order kept), as
    a mixed topic export would be, and a config reading ``schemas/`` (the caller writes the
    declarations there)."""
    lines_by_topic = []
    for topic, records in streams:
        lines = []
        for offset, rec in enumerate(records):
            line = {"topic": topic, "partition": 0, "offset": offset, "key": rec.key, "value": rec.value}
            if rec.headers:
                line["headers"] = dict(rec.headers)
            lines.append((f"{topic}/0/{offset}", encode(line)))
        lines_by_topic.append(lines)
    coords, out = [], []
    for i in range(max(map(len, lines_by_topic))):
        for lines in lines_by_topic:
            if i < len(lines):
                coords.append(lines[i][0])
                out.append(lines[i][1])
    (root / "input.jsonl").write_bytes(b"\n".join(out) + b"\n")
    (root / "cdr.yaml").write_text(yaml.safe_dump({"schemas": "schemas"}), encoding="utf-8")
    return CaseFiles(
        root, root / "input.jsonl", root / "out.jsonl", root / "out.dlq.jsonl", root / "cdr.yaml", tuple(coords)
    )


def run_workers(files: CaseFiles, workers: int, name: str, time_limit: float) -> tuple[Observed, bytes, bytes]:
    """``cdr process --workers N`` as a subprocess on written files: what it let out, and
    its output and dead-letter files' bytes."""
    out, dlq = files.root / f"{name}.jsonl", files.root / f"{name}.dlq.jsonl"
    cmd = [*CDR_BIN, "process", "--input", str(files.input), "--output", str(out), "--dlq", str(dlq)]
    cmd += ["--config", str(files.config), "--workers", str(workers)]
    run = run_watched(cmd, files.root / name, time_limit=time_limit)
    assert run.killed is None and run.returncode == 0, (
        f"cdr process --workers {workers}: {run.killed or run.returncode}"
    )
    seen = Observed(inputs=list(files.coordinates))
    seen.add(LOGS, run.stdout, run.stderr)
    collect_files(CaseFiles(files.root, files.input, out, dlq, files.config, files.coordinates), seen)
    return seen, out.read_bytes(), dlq.read_bytes() if dlq.exists() else b""


def _tree_path() -> str:
    return os.pathsep.join(p for p in (TREE, os.environ.get("PYTHONPATH", "")) if p)


def run_watched(
    cmd: list[str], root: Path, env: dict[str, str] | None = None, time_limit: float = TIME_LIMIT_S
) -> Watched:
    """Run ``cmd`` polling its resident memory; kill it past RSS_LIMIT_MB or ``time_limit``."""
    root.mkdir(parents=True, exist_ok=True)
    out_log, err_log = root / "watched.stdout", root / "watched.stderr"
    killed = None
    started = time.monotonic()
    with out_log.open("wb") as out, err_log.open("wb") as err:
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=err,
            cwd=root,
            env={**os.environ, "CDR_HASH_KEY": HASH_KEY, "COLUMNS": "200", "PYTHONPATH": _tree_path(), **(env or {})},
        )
        while proc.poll() is None:
            if _rss_mb(proc.pid) > RSS_LIMIT_MB:
                killed = f"killed: resident memory over {RSS_LIMIT_MB} MB"
            elif time.monotonic() - started > time_limit:
                killed = f"killed: still running after {time_limit:.0f} s"
            if killed is not None:
                proc.kill()
                proc.wait(timeout=30)
                break
            time.sleep(0.05)
    return Watched(proc.returncode, killed, out_log.read_bytes(), err_log.read_bytes(), time.monotonic() - started)


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0
