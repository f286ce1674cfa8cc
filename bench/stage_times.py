"""Where ``cdr process`` spends its CPU, stage by stage, without a profiler's distortion:
cProfile charges every Python call, so it inflates the recognizers (many small calls)
3-10x and points at the wrong places. Here a handful of functions are wrapped with
``time.process_time`` and ``cdr process`` runs in this process over the workload of
``bench/filemode_throughput.py`` (``bench/workloads.py``), with an orjson passthrough of
the same file and the start-up (a one-line file) measured in the same run. Prints a
table; never fails on time.

    .venv/bin/python bench/stage_times.py [--workload typed|prose] [--events N]

A stage's time includes the stages it calls (``TableProcessor._process`` holds the
guard and the samples); the wrapper itself costs about 0.3 us a call.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import workloads  # noqa: E402

HASH_KEY = "benchmark-hash-key-Q7vX2kLp9RzT4wNc8YhB3mJd6FsG"


@dataclass
class Stages:
    """CPU seconds and calls per wrapped function."""

    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def wrap(self, owner: Any, name: str, label: str) -> Callable[[], None]:
        """Time ``owner.name`` under ``label``; returns what puts it back."""
        original = getattr(owner, name)
        clock = time.process_time
        self.seconds.setdefault(label, 0.0)  # the table lists stages in the order wrapped
        self.calls.setdefault(label, 0)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = clock()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + clock() - started
                self.calls[label] = self.calls.get(label, 0) + 1

        setattr(owner, name, timed)
        return lambda: setattr(owner, name, original)


@contextlib.contextmanager
def stages_of_cdr_process(stages: Stages) -> Iterator[None]:
    from detectors import guard, profiler, textscan
    from detectors.ner import NerEngine
    from pipeline.core import processor
    from pipeline.runtime import filemode

    restore = [
        stages.wrap(filemode, "parse_line", "filemode.parse_line"),
        stages.wrap(processor.TableProcessor, "_process", "TableProcessor._process"),
        stages.wrap(guard, "check", "  in it: guard.check"),
        stages.wrap(profiler.Profiler, "take", "  in it: Profiler.take (samples)"),
        stages.wrap(textscan.TextScanner, "_patterns", "  in it: TextScanner._patterns"),
        stages.wrap(NerEngine, "analyze", "NerEngine.analyze (per batch)"),
        stages.wrap(filemode, "record_line", "filemode.record_line"),
    ]
    try:
        yield
    finally:
        for put_back in reversed(restore):
            put_back()


def cdr_process(schemas: Path, source: Path, output: Path) -> float:
    """CPU seconds of one in-process ``cdr process`` run (its table goes to a buffer)."""
    from pipeline.tools.main import main

    argv = sys.argv
    sys.argv = ["cdr", "process", "--schemas", str(schemas), "--input", str(source), "--output", str(output)]
    started = time.process_time()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = main()
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.argv = argv
    if code not in (0, None):
        raise RuntimeError(f"cdr process exited with {code}")
    return time.process_time() - started


def passthrough(source: Path, output: Path) -> float:
    loads, dumps = orjson.loads, orjson.dumps
    started = time.process_time()
    with source.open("rb") as src, output.open("wb") as out:
        for line in src:
            out.write(dumps(loads(line)) + b"\n")
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=("typed", "prose"), default="typed")
    parser.add_argument("--events", type=int, default=None, help="default: 30,000 typed, 3,000 prose")
    args = parser.parse_args()
    prose = args.workload == "prose"
    events = args.events or (3_000 if prose else 30_000)
    os.environ.setdefault("CDR_HASH_KEY", HASH_KEY)
    console = Console()
    with tempfile.TemporaryDirectory(prefix="cdr-stage-times-") as tmp:
        work = Path(tmp)
        schemas, source = work / "schemas", work / "in.jsonl"
        schemas.mkdir()
        with console.status(f"writing {events:,} {args.workload} events..."):
            workloads.write_file(source, events, prose=prose)
            workloads.write_declarations(schemas, prose=prose)
            one = work / "one.jsonl"
            one.write_bytes(source.open("rb").readline())
        with console.status("start-up: cdr process over one line, twice..."):
            cold = cdr_process(schemas, one, work / "one.out.jsonl")  # imports and the model, once
            startup = cdr_process(schemas, one, work / "one.out.jsonl")  # what each run builds again
        stages = Stages()
        with console.status(f"cdr process over {events:,} events, stages timed..."), stages_of_cdr_process(stages):
            total = cdr_process(schemas, source, work / "out.jsonl")
        base = passthrough(source, work / "pass.jsonl")
    spent = max(total - startup, 1e-9)
    table = Table(title=f"cdr process, {events:,} {args.workload} events, undeclared: detect: CPU by stage")
    for name in ("stage", "calls", "CPU s", "us/event", "share"):
        table.add_column(name, justify="left" if name == "stage" else "right")
    for label, seconds in stages.seconds.items():
        share = f"{seconds / spent:.0%}"
        table.add_row(label, f"{stages.calls[label]:,}", f"{seconds:.2f}", f"{seconds / events * 1e6:.1f}", share)
    table.add_row("cdr process, start-up taken off", "", f"{spent:.2f}", f"{spent / events * 1e6:.1f}", "100%")
    table.add_row("start-up, first run (imports, model, declarations)", "", f"{cold:.2f}", "", "")
    table.add_row("start-up, taken off (declarations, processor)", "", f"{startup:.2f}", "", "")
    table.add_row("orjson passthrough, same file", "", f"{base:.2f}", f"{base / events * 1e6:.1f}", "")
    table.add_row("cdr process / passthrough, per CPU-s", "", f"{base / spent:.2f}", "", "")
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
