"""File mode as a new user runs it: ``cdr process`` (the CLI, as a subprocess) over a
five-table Debezium file (``bench/workloads.py``) with only the keys declared and
``undeclared: detect``, against baselines measured in the same run. Prints figures;
never fails on time.

    .venv/bin/python bench/filemode_throughput.py [--events N] [--prose-events N] [--rounds R]
        [--workload typed|prose|both] [--workers N]

- typed (no free text): ``cdr process`` against an orjson passthrough of the same file
  (each line decoded and encoded again, written out): the least a JSON-in/JSON-out tool
  does.
- prose (one free-text column per table, declared ``free_text``, ``redact_detected``;
  the rest detected): ``cdr process`` against the NER-only ceiling, spaCy's ``nlp.pipe`` (the same model and components the service loads, batch 256)
  over the distinct texts of the file once; and against passthrough + that NER.

- ``cdr process --workers N`` (default 2) against ``--workers 1``, by wall clock (what more
  cores buy; its CPU time, the workers' and the reading process's, is printed too). Each
  table is read by one worker (so the output is the same), so five tables of equal size
  split 3:2 on two workers: 5/3 = 1.67 is the most two workers can give here.

Figures are events per second of CPU time (user + system of the ``cdr process`` child;
the baselines run in this process): on a machine shared with other work, CPU time is
what one run can be compared on. Wall-clock rates are printed beside them. The CLI's
start-up (imports, model load, declarations) is measured on a one-line file and taken
off, so the rate is the file's; the start-up is printed on its own.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.parallelism import machine_speedup  # noqa: E402
from bench.workloads import prose_texts, write_declarations, write_file  # noqa: E402

HASH_KEY = "benchmark-hash-key-Q7vX2kLp9RzT4wNc8YhB3mJd6FsG"
NER_BATCH = 256


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cdr_process(schemas: Path, source: Path, output: Path, log: Path, workers: int = 1) -> tuple[Timing, int]:
    """One ``cdr process`` run: its wall and CPU time (its workers' included), and the
    lines it published."""
    env = {**os.environ, "CDR_HASH_KEY": HASH_KEY}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))])
    cmd = [sys.executable, "-m", "pipeline", "process", "--schemas", str(schemas)]
    cmd += ["--input", str(source), "--output", str(output), "--workers", str(workers)]
    cpu, wall = children_cpu(), time.perf_counter()
    with log.open("ab") as out:
        code = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, check=False).returncode
    timing = Timing(time.perf_counter() - wall, children_cpu() - cpu)
    if code != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-10:])
        raise RuntimeError(f"cdr process exited with {code}:\n{tail}")
    with output.open("rb") as published:
        return timing, sum(1 for _ in published)


def passthrough(source: Path, output: Path) -> Timing:
    loads, dumps = orjson.loads, orjson.dumps
    cpu, wall = time.process_time(), time.perf_counter()
    with source.open("rb") as src, output.open("wb") as out:
        for line in src:
            out.write(dumps(loads(line)) + b"\n")
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def ner_only(texts: list[str]) -> Timing:
    """``nlp.pipe`` over ``texts`` with the service's model and components (NER only)."""
    import spacy

    from detectors.ner import _EXCLUDE, DEFAULT_MODEL
    from detectors.offline import force_offline

    force_offline()
    nlp = spacy.load(DEFAULT_MODEL, exclude=list(_EXCLUDE))
    list(nlp.pipe(["Warm up with Anne in Boston."]))
    cpu, wall = time.process_time(), time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=NER_BATCH):
        _ = doc.ents
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


@dataclass
class Workload:
    name: str
    events: int
    source: Path
    startup: Timing
    cdr: list[Timing]
    published: int
    passthrough: list[Timing]
    ner: Timing | None = None
    texts: int = 0
    workers: int = 2
    parallel_startup: Timing | None = None
    parallel: list[Timing] = field(default_factory=list)
    same_output: bool = False

    def cdr_rate(self, cpu: bool) -> float:
        return self._rate(self.cdr, self.startup, cpu)

    def parallel_rate(self, cpu: bool) -> float:
        assert self.parallel_startup is not None
        return self._rate(self.parallel, self.parallel_startup, cpu)

    def _rate(self, runs: list[Timing], startup: Timing, cpu: bool) -> float:
        spent = statistics.median((t.cpu - startup.cpu) if cpu else (t.wall - startup.wall) for t in runs)
        return self.events / max(spent, 1e-9)

    def passthrough_rate(self, cpu: bool) -> float:
        return self.events / statistics.median(t.cpu if cpu else t.wall for t in self.passthrough)

    def ner_rate(self, cpu: bool) -> float:
        assert self.ner is not None
        return self.events / (self.ner.cpu if cpu else self.ner.wall)

    def with_ner_rate(self, cpu: bool) -> float:
        """Passthrough plus NER once per distinct text."""
        assert self.ner is not None
        pt = statistics.median(t.cpu if cpu else t.wall for t in self.passthrough)
        return self.events / (pt + (self.ner.cpu if cpu else self.ner.wall))


def run_workload(name: str, events: int, rounds: int, workers: int, work: Path, progress: Progress) -> Workload:
    prose = name == "prose"
    task = progress.add_task(f"{name}: writing {events:,} events of five tables", total=None)
    source = work / f"{name}.jsonl"
    write_file(source, events, seed=42, prose=prose)
    schemas = work / f"schemas-{name}"
    write_declarations(schemas, "detect", prose=prose)
    first = work / f"{name}-one.jsonl"
    with source.open("rb") as src:
        first.write_bytes(src.readline())
    log = work / "cdr.log"
    progress.update(task, description=f"{name}: cdr process start-up (one line)")
    startup, _ = cdr_process(schemas, first, work / "one.out.jsonl", log)
    cdr: list[Timing] = []
    baseline: list[Timing] = []
    published = 0
    for i in range(rounds):
        progress.update(task, description=f"{name}: cdr process, round {i + 1}/{rounds}")
        timing, published = cdr_process(schemas, source, work / f"{name}.out.jsonl", log)
        cdr.append(timing)
        progress.update(task, description=f"{name}: orjson passthrough, round {i + 1}/{rounds}")
        baseline.append(passthrough(source, work / f"{name}.pass.jsonl"))
    result = Workload(name, events, source, startup, cdr, published, baseline, workers=workers)
    progress.update(task, description=f"{name}: cdr process --workers {workers} start-up (one line)")
    result.parallel_startup, _ = cdr_process(schemas, first, work / "one.out.jsonl", log, workers)
    for i in range(rounds):
        progress.update(task, description=f"{name}: cdr process --workers {workers}, round {i + 1}/{rounds}")
        timing, _ = cdr_process(schemas, source, work / f"{name}.workers.jsonl", log, workers)
        result.parallel.append(timing)
    one, many = work / f"{name}.out.jsonl", work / f"{name}.workers.jsonl"
    result.same_output = one.read_bytes() == many.read_bytes()
    if prose:
        texts = prose_texts(source)
        progress.update(task, description=f"{name}: NER only, nlp.pipe over {len(texts):,} distinct texts")
        result.ner, result.texts = ner_only(texts), len(texts)
    progress.update(task, description=f"{name}: done", total=1, completed=1)
    return result


def report(console: Console, results: list[Workload], machine: float | None = None) -> None:
    """``machine``: what two CPU-bound processes get over one here (bench/parallelism.py),
    the ceiling of ``--workers 2`` by the clock."""
    for w in results:
        size = w.source.stat().st_size / w.events
        table = Table(
            title=f"cdr process, {w.name} workload: {w.events:,} Debezium events of five tables "
            f"(mean {size:,.0f} B), undeclared: detect" + (f", {w.texts:,} distinct free texts" if w.texts else "")
        )
        table.add_column("path")
        table.add_column("events/s (CPU)", justify="right")
        table.add_column("events/s (wall)", justify="right")
        table.add_column("target", justify="right")
        table.add_row(f"cdr process (start-up {w.startup.wall:.1f} s taken off)", *_rates(w.cdr_rate), "")
        table.add_row("orjson passthrough (decode + encode)", *_rates(w.passthrough_rate), "")
        if w.ner is None:
            table.add_row("[bold]cdr / passthrough[/]", *_ratios(w.cdr_rate, w.passthrough_rate), ">= 0.60")
        else:
            table.add_row(f"NER only (nlp.pipe, batch {NER_BATCH}, distinct texts)", *_rates(w.ner_rate), "")
            table.add_row("passthrough + NER once per distinct text", *_rates(w.with_ner_rate), "")
            table.add_row("[bold]cdr / NER-only ceiling[/]", *_ratios(w.cdr_rate, w.ner_rate), "")
            table.add_row("[bold]cdr / (passthrough + NER)[/]", *_ratios(w.cdr_rate, w.with_ner_rate), ">= 1.0")
        assert w.parallel_startup is not None
        started = w.parallel_startup.wall
        table.add_row(
            f"cdr process --workers {w.workers} (start-up {started:.1f} s taken off)", *_rates(w.parallel_rate), ""
        )
        table.add_row(
            f"[bold]--workers {w.workers} / --workers 1[/] (output {'identical' if w.same_output else 'DIFFERENT'})",
            *_ratios(w.parallel_rate, w.cdr_rate),
            "",
        )
        if machine is not None and w.workers == 2:
            table.add_row(
                "two CPU-bound processes / one, this machine (bench/parallelism.py)", "", f"{machine:.2f}", ""
            )
            speedup = w.parallel_rate(False) / w.cdr_rate(False)
            table.add_row("[bold]--workers 2 / the machine's two processes[/]", "", f"{speedup / machine:.2f}", "")
        table.add_row("published lines", f"{w.published:,}", f"of {w.events:,}", "")
        console.print(table)


def _rates(rate) -> tuple[str, str]:
    return f"{rate(True):,.0f}", f"{rate(False):,.0f}"


def _ratios(a, b) -> tuple[str, str]:
    return f"[bold]{a(True) / b(True):.2f}[/]", f"{a(False) / b(False):.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=30000, help="events of the typed workload")
    parser.add_argument("--prose-events", type=int, default=6000, help="events of the free-text workload")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workload", choices=("typed", "prose", "both"), default="both")
    parser.add_argument("--workers", type=int, default=2, help="workers of the cdr process --workers run")
    args = parser.parse_args()
    console = Console()
    names = ["typed", "prose"] if args.workload == "both" else [args.workload]
    results = []
    with tempfile.TemporaryDirectory(prefix="cdr-filemode-bench-") as tmp:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=console) as progress:
            for name in names:
                events = args.events if name == "typed" else args.prose_events
                results.append(run_workload(name, events, args.rounds, args.workers, Path(tmp), progress))
            machine = None
            if args.workers == 2:
                task = progress.add_task("this machine: one CPU-bound process, then two at once", total=None)
                machine = machine_speedup()[2]
                progress.update(task, total=1, completed=1)
        report(console, results, machine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
