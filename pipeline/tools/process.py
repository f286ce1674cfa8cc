"""`cdr process`: a JSON-lines file of Kafka records through the service's core, without Kafka."""

from __future__ import annotations

import argparse
import contextlib
import functools
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pipeline.tools.loading import config_from, safe_names
from pipeline.vocabulary import ExitCode

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.runtime.deadletter import DeadLetterSealer
    from pipeline.runtime.filemode import FileRunStats


def command(args: argparse.Namespace) -> int:
    from pipeline.runtime.deadletter import DeadLetterSealer
    from pipeline.runtime.filemode import FilePathError, check_paths
    from pipeline.runtime.fileworkers import WORKERS_MAX

    if not args.input.is_file():
        print(f"cdr process: input file {args.input} does not exist", file=sys.stderr)
        return ExitCode.USAGE
    workers = getattr(args, "workers", 1)
    if not 1 <= workers <= WORKERS_MAX:
        print(f"cdr process: --workers must be between 1 and {WORKERS_MAX}", file=sys.stderr)
        return ExitCode.USAGE
    dlq = args.dlq or args.output.with_name(args.output.name.removesuffix(".jsonl") + ".dlq.jsonl")
    try:
        check_paths(args.input, args.output, dlq)
    except FilePathError as exc:
        print(f"cdr process: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    config = config_from(args.config, args.schemas)
    run = _one_process(config) if workers == 1 else _workers(config, args, workers)
    sealer = DeadLetterSealer.from_config(config.dlq_encryption_key)
    console = Console(stderr=True)
    size = args.input.stat().st_size
    terminated: list[int] = []  # (bound again below)
    try:
        with (
            sigterm_raises() as terminated,
            Progress(
                TextColumn("[bold]processing"),
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            ) as progress,
        ):
            task = progress.add_task("process", total=size)
            stats = run(args.input, args.output, dlq, lambda n: progress.advance(task, n), sealer)
    except KeyboardInterrupt:
        if not terminated:
            raise  # Ctrl-C: as before
        print("cdr process: stopped by SIGTERM; no output file written", file=sys.stderr)
        return ExitCode.ERROR
    table = Table(title=f"cdr process: {args.input}", show_header=True)
    table.add_column("what")
    table.add_column("records", justify="right")
    table.add_row("lines read", str(stats.lines))
    for topic, n in sorted(stats.by_cdr_topic.items()):
        table.add_row(f"published to {topic}", str(n))
    for reason, n in sorted(stats.skipped.items()):
        table.add_row(f"skipped ({reason})", str(n))
    for reason, n in sorted(stats.dead_reasons.items()):
        table.add_row(f"dead-lettered ({reason})", str(n))
    console.print(table)
    bad = stats.dead_lettered + stats.malformed
    sealed = " (sealed)" if sealer is not None else ""
    summary = (
        f"{stats.published} published to {args.output}; {bad} dead-lettered to {dlq}{sealed}; "
        f"{sum(stats.skipped.values())} skipped; {stats.lines} read"
    )
    console.print(summary, soft_wrap=True)
    return ExitCode.OK


@contextlib.contextmanager
def sigterm_raises() -> Iterator[list[int]]:
    """SIGTERM raises KeyboardInterrupt where the run is, as Ctrl-C does (no handler meant
    for errors takes it), so the run's ``.partial`` files (the dead-letter one holds raw
    input) are removed and its workers stopped; by default the process ended at once and
    left them. Yields the signals received."""
    received: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


_Run = Callable[[Path, Path, Path, Callable[[int], object], "DeadLetterSealer | None"], "FileRunStats"]


def _one_process(config: Config) -> _Run:
    from pipeline.runtime.bootstrap import build_file_processor, freeze_start_up
    from pipeline.runtime.filemode import process_file

    processor = build_file_processor(config)
    freeze_start_up()
    return functools.partial(process_file, processor)


def _workers(config: Config, args: argparse.Namespace, workers: int) -> _Run:
    """``--workers N``: the declarations are read here to route each table's records to
    one worker; each worker builds its own processor (pipeline.runtime.fileworkers)."""
    from datetime import date

    from pipeline.core.declaration import in_force
    from pipeline.runtime.bootstrap import load_declaration_set, record_bytes_limit
    from pipeline.runtime.filemode import line_limit
    from pipeline.runtime.fileworkers import Router, WorkerSetup, process_file_parallel

    declarations = in_force(load_declaration_set(config), date.today())
    default = config.undeclared_topics.policy == "default"
    # the router groups topics nobody declared by the tables the workers' processors make
    names = safe_names(config, declarations=declarations, local_stack=config.local_stack) if default else None
    router = Router(declarations, default, workers, names.topic if names is not None else None)
    setup = WorkerSetup(args.config, args.schemas)
    limit = line_limit(record_bytes_limit(config))

    def run(
        source: Path, output: Path, dlq: Path, on_progress: Callable[[int], object], sealer: DeadLetterSealer | None
    ) -> FileRunStats:
        return process_file_parallel(setup, workers, router, source, output, dlq, limit, on_progress, sealer)

    return run
