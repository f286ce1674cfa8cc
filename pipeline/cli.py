"""The ``cdr`` command line.

Exit codes: 0 done; 1 unexpected failure; 2 bad arguments; 3 invalid config or
declarations (each problem printed as ``file:line: what is wrong``); 4 the service
stopped because a delivery failed (nothing past it was committed).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pipeline import __version__
from pipeline.config import Config, load_config
from pipeline.exceptions import InvalidFilesError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INVALID = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cdr", description="Debezium change streams in, masked CDR topics out.")
    parser.add_argument("--version", action="version", version=f"cdr-pipeline {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the service: consume Debezium topics, publish CDR topics")
    run.add_argument("--config", required=True, type=Path, help="YAML config file")

    proc = sub.add_parser("process", help="process a JSON-lines file of Kafka records without Kafka")
    proc.add_argument("--schemas", type=Path, help="declarations directory (default: the config's, or ./schemas)")
    proc.add_argument("--input", required=True, type=Path)
    proc.add_argument("--output", required=True, type=Path)
    proc.add_argument("--dlq", type=Path, help="dead-letter file (default: <output>.dlq.jsonl)")
    proc.add_argument("--config", type=Path, help="optional config file (defaults, hashing, ...)")

    val = sub.add_parser("validate", help="check declaration files; print file:line: problem for each")
    val.add_argument("schemas", nargs="?", type=Path, help="declarations directory (default: ./schemas)")
    val.add_argument("--config", type=Path, help="optional config file (entities, treatment defaults)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "process":
            return _process(args)
        return _validate(args)
    except InvalidFilesError as exc:
        # One problem per line, never wrapped: editors and CI read `file:line: message`.
        for problem in exc.errors:
            print(problem, file=sys.stderr)
        print(f"{len(exc.errors)} problem(s); not started.", file=sys.stderr)
        return EXIT_INVALID


def _config(path: Path | None, schemas: Path | None = None) -> Config:
    config = load_config(path)
    if schemas is not None:
        config = dataclasses.replace(config, schemas_dir=schemas)
    return config


def _run(args: argparse.Namespace) -> int:
    from pipeline.bootstrap import build_processor
    from pipeline.kafka.service import Service
    from pipeline.logs import log, log_verdict, setup_logging
    from pipeline.metrics import Metrics

    config = _config(args.config)
    setup_logging(config.log_level)
    processor = build_processor(config, on_verdict=log_verdict)
    metrics = Metrics()
    profiler = processor.settings.policy.profiler
    if profiler is not None:
        metrics.watch_detection(profiler, processor.declarations)
    logger = logging.getLogger("cdr")
    if config.metrics.enabled:
        port = metrics.serve(config.metrics.host, config.metrics.port)
        log(logger, logging.INFO, "metrics_listening", url=f"http://{config.metrics.host}:{port}/metrics")
    service = Service(config, processor, metrics)
    service.install_signal_handlers()
    if config.create_topics:
        service.ensure_topics()
    return service.run()


def _process(args: argparse.Namespace) -> int:
    from pipeline.bootstrap import build_processor
    from pipeline.filemode import process_file

    if not args.input.is_file():
        print(f"cdr process: input file {args.input} does not exist", file=sys.stderr)
        return EXIT_USAGE
    config = _config(args.config, args.schemas)
    processor = build_processor(config)
    dlq = args.dlq or args.output.with_name(args.output.name.removesuffix(".jsonl") + ".dlq.jsonl")
    console = Console(stderr=True)
    size = args.input.stat().st_size
    with Progress(
        TextColumn("[bold]processing"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("process", total=size)
        stats = process_file(processor, args.input, args.output, dlq, lambda n: progress.advance(task, n))
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
    summary = f"{stats.published} published to {args.output}; {bad} dead-lettered to {dlq}"
    console.print(summary, soft_wrap=True)
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from pipeline.bootstrap import load_declaration_set

    config = _config(args.config, args.schemas or (None if args.config else Path("schemas")))
    decls = load_declaration_set(config)
    table = Table(title=f"{len(decls)} declaration(s) in {config.schemas_dir}: valid")
    for name in ("table", "source topic", "CDR topic", "owner", "undeclared", "columns", "PII columns"):
        table.add_column(name)
    for decl in sorted(decls.by_topic.values(), key=lambda d: d.table):
        pii = sum(1 for c in decl.columns.values() if c.pii != "none")
        table.add_row(
            decl.table,
            decl.source_topic,
            decl.cdr_topic,
            decl.owner,
            decl.undeclared,
            str(len(decl.columns)),
            str(pii),
        )
    Console().print(table)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
