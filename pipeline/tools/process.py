"""`cdr process`: a JSON-lines file of Kafka records through the service's core, without Kafka."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pipeline.tools.loading import config_from
from pipeline.vocabulary import ExitCode

if TYPE_CHECKING:
    pass


def command(args: argparse.Namespace) -> int:
    from pipeline.runtime.bootstrap import build_processor
    from pipeline.runtime.deadletter import DeadLetterSealer
    from pipeline.runtime.filemode import FilePathError, check_paths, process_file

    if not args.input.is_file():
        print(f"cdr process: input file {args.input} does not exist", file=sys.stderr)
        return ExitCode.USAGE
    dlq = args.dlq or args.output.with_name(args.output.name.removesuffix(".jsonl") + ".dlq.jsonl")
    try:
        check_paths(args.input, args.output, dlq)
    except FilePathError as exc:
        print(f"cdr process: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    config = config_from(args.config, args.schemas)
    processor = build_processor(config)
    if config.format == "avro":  # binary records: base64 JSON strings in the lines (pipeline.formats.avro.lines)
        from pipeline.core.change import KEY_HEADERS
        from pipeline.core.processor import Processor
        from pipeline.formats.avro.codec import AvroCodec
        from pipeline.formats.avro.lines import Base64Lines

        codec = processor.settings.codec
        assert isinstance(codec, AvroCodec)
        lines = Base64Lines(codec, frozenset(KEY_HEADERS))
        processor = Processor(processor.declarations, dataclasses.replace(processor.settings, codec=lines))
    sealer = DeadLetterSealer.from_config(config.dlq_encryption_key)
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
        stats = process_file(processor, args.input, args.output, dlq, lambda n: progress.advance(task, n), sealer)
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
