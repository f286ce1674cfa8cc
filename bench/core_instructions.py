"""The processing core's cost in machine instructions per event, this tree against another
revision, counted by valgrind (callgrind) in the same run. Prints figures; never fails
on cost.

    .venv/bin/python bench/core_instructions.py [--against REV] [--events N] [--prose] [--cli]

Wall-clock and CPU time on a shared machine vary by 20-40% between runs of the same
command, which hides changes of a few percent. An instruction count does not vary: the
same code on the same input executes the same instructions (``PYTHONHASHSEED`` is fixed).
Each tree processes the five-table workload of ``bench/filemode_throughput.py``
(``bench/workloads.py``, ``undeclared: detect``) in process, through
``Processor.process_batch`` (decode, policy, detection, treatments, encode; no file or
Kafka I/O); the count of one pass is taken off the count of three, so start-up, model
load and the first pass's sampling are not counted: what is left is two steady passes.

``--cli`` counts the whole ``cdr process`` instead (the CLI, as a subprocess: line
reading, the core, writing, the collector), over the file and over its first line alone,
and takes the second off: what is left is the file's processing, its first samples and
NER votes included (the steady passes leave them out), start-up not.

``REV`` (default ``HEAD``) is checked out into a temporary git worktree, removed at the
end. Both trees are counted at once (each run takes a core and a few minutes:
callgrind runs Python about fifty times slower). Needs ``valgrind`` (Debian package).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.workloads import write_declarations, write_file  # noqa: E402

HASH_KEY = "benchmark-hash-key-Q7vX2kLp9RzT4wNc8YhB3mJd6FsG"
BATCH = 500
# Runs inside the tree under test (its directory first on sys.path); reads both layouts
# (pipeline.runtime.* since the codec boundary, pipeline.* before it).
DRIVER = """
import sys
from pathlib import Path
try:
    from pipeline.runtime.bootstrap import build_processor
    from pipeline.runtime.filemode import parse_line
except ImportError:
    from pipeline.bootstrap import build_processor
    from pipeline.filemode import parse_line
from pipeline.config import Config

source, schemas, passes = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
lines = source.read_bytes().splitlines()
records = [parse_line(line, i + 1) for i, line in enumerate(lines)]
processor = build_processor(Config(schemas_dir=schemas))
for _ in range(passes):
    for i in range(0, len(records), {batch}):
        processor.process_batch(records[i : i + {batch}])
"""
_COLLECTED = re.compile(rb"Collected : (\d+)")


def instructions(tree: Path, driver: Path, source: Path, schemas: Path, passes: int) -> int:
    """Instructions callgrind counted for the driver run with ``passes`` passes."""
    return _counted(tree, [str(driver), str(source), str(schemas), str(passes)])


def cli_instructions(tree: Path, source: Path, schemas: Path, output: Path) -> int:
    """Instructions callgrind counted for ``cdr process`` over ``source`` (one worker)."""
    args = ["-m", "pipeline", "process", "--schemas", str(schemas), "--input", str(source)]
    return _counted(tree, [*args, "--output", str(output), "--workers", "1"])


def _counted(tree: Path, args: list[str]) -> int:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0", "CDR_HASH_KEY": HASH_KEY}
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, *args]
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-5:]
        raise SystemExit(f"callgrind run in {tree} failed (exit {done.returncode}): " + " | ".join(tail))
    return int(found.group(1))


def per_event(tree: Path, driver: Path, source: Path, schemas: Path, events: int) -> float:
    one = instructions(tree, driver, source, schemas, 1)
    three = instructions(tree, driver, source, schemas, 3)
    return (three - one) / (2 * events)


def per_event_cli(tree: Path, tag: str, work: Path, source: Path, schemas: Path, events: int) -> float:
    first = work / f"first-{tag}.jsonl"
    first.write_bytes(source.read_bytes().split(b"\n", 1)[0] + b"\n")
    out = work / f"out-{tag}.jsonl"
    whole = cli_instructions(tree, source, schemas, out)
    alone = cli_instructions(tree, first, schemas, out)
    return (whole - alone) / (events - 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default="HEAD", help="git revision to compare with (default HEAD)")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--prose", action="store_true", help="one free-text column per table (NER runs)")
    parser.add_argument("--cli", action="store_true", help="the whole cdr process, first samples and I/O included")
    args = parser.parse_args()
    console = Console()
    if shutil.which("valgrind") is None:
        console.print("[red]valgrind is not installed[/] (Debian: apt-get install valgrind)")
        return 2
    with tempfile.TemporaryDirectory(prefix="cdr-instr-") as tmp:
        work = Path(tmp)
        source, schemas, driver, other = work / "events.jsonl", work / "schemas", work / "driver.py", work / "against"
        write_file(source, args.events, seed=42, prose=args.prose)
        write_declarations(schemas, "detect", prose=args.prose)
        driver.write_text(DRIVER.replace("{batch}", str(BATCH)))
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(other), args.against], cwd=ROOT, check=True)
        try:
            columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
            with Progress(*columns, console=console, transient=True) as progress:
                progress.add_task(f"callgrind: this tree and {args.against}, {args.events:,} events each", total=None)
                with ThreadPoolExecutor(max_workers=2) as pool:
                    if args.cli:
                        mine = pool.submit(per_event_cli, ROOT, "this", work, source, schemas, args.events)
                        theirs = pool.submit(per_event_cli, other, "against", work, source, schemas, args.events)
                    else:
                        mine = pool.submit(per_event, ROOT, driver, source, schemas, args.events)
                        theirs = pool.submit(per_event, other, driver, source, schemas, args.events)
                    here, there = mine.result(), theirs.result()
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False)
    workload = "prose" if args.prose else "typed"
    what = "cdr process, first samples and I/O included" if args.cli else "steady passes"
    table = Table(
        title=f"{'Instructions' if args.cli else 'Core instructions'} per event ({workload} workload, {what})"
    )
    table.add_column("tree")
    table.add_column("instructions / event", justify="right")
    table.add_column("ratio", justify="right")
    table.add_row(f"{args.against}", f"{there:,.0f}", "1.00")
    table.add_row("this tree (working copy)", f"{here:,.0f}", f"{here / there:.3f}")
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
