"""`cdr scan`: profile a sample (file, topics or database) and propose or compare declarations."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from pipeline.config import Config
from pipeline.core.events import SourceRecord
from pipeline.errors import CdrError
from pipeline.tools.loading import config_from, safe_names
from pipeline.vocabulary import ExitCode

if TYPE_CHECKING:
    pass


class ScanSourceError(CdrError):
    """The sample could not be read (unreachable database, ...): a usage error."""


def command(args: argparse.Namespace) -> int:
    from detectors.ner import ner_engine
    from detectors.textscan import TextScanner
    from pipeline.core.safenames import safe_path
    from pipeline.core.scan import FAILING, Scanner, compare, findings, plainly_named, write_proposals
    from pipeline.formats.json.codec import JsonCodec
    from pipeline.runtime.bootstrap import load_declaration_set

    if args.input is not None and not args.input.is_file():
        print(f"cdr scan: input file {args.input} does not exist", file=sys.stderr)
        return ExitCode.USAGE
    if args.out is None and args.schemas is None:
        print("cdr scan: give --out DIR (proposals) and/or --schemas DIR (comparison)", file=sys.stderr)
        return ExitCode.USAGE
    config = config_from(args.config)
    declarations = load_declaration_set(dataclasses.replace(config, schemas_dir=args.schemas)) if args.schemas else None
    console = Console(stderr=True)
    with console.status("loading the NER model..."):
        ner = None if args.no_ner or not config.detection.ner else ner_engine(config.detection.ner_model)
    scanner = Scanner(TextScanner(ner=ner), min_samples=min(50, max(1, args.sample)))
    codec = JsonCodec()  # the records of cdr process's file format, and of Debezium's JSON topics
    with Progress(
        TextColumn("[bold]scanning"),
        BarColumn(),
        TextColumn("{task.completed} " + ("rows" if args.dsn else "records")),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("scan", total=None)
        try:
            for item in _scan_source(args, config):
                if isinstance(item, SourceRecord):
                    scanner.add_record(item, codec)
                else:
                    scanner.add_row(*item)
                progress.advance(task)
        except ScanSourceError as exc:
            console.print(f"[red]cdr scan: {exc}[/]")
            return ExitCode.USAGE
    out = Console(highlight=False)
    # Undeclared names are shown in their safe form: a column can be named with personal data.
    names = safe_names(config, console)
    declared_by_table = {d.table: d.columns for d in declarations.by_topic.values()} if declarations else {}

    def shown_table(table: str) -> str:  # a table from the data can be named with personal data
        if table in declared_by_table:
            return table
        if not plainly_named(table, scanner.tables.get(table)):
            return names.safe(table)  # its digest: the parts of a name split at a dot are plain
        return safe_path(table, names.safe)

    for table, sample in sorted(scanner.tables.items()):
        declared = declared_by_table.get(table, {})
        t = Table(title=f"{shown_table(table)}: {sample.rows} rows sampled")
        for name in ("column", "detected", "verdict evidence"):
            t.add_column(name, overflow="fold")
        for f in findings(sample):
            detected = f.pii + "".join(f"\n  {safe_path(p, names.safe)}: {e}" for p, e in f.paths)
            t.add_row(names.safe(f.column, declared), detected, f.evidence)
        out.print(t)
    if args.out is not None:
        for path in write_proposals(scanner, args.out, names=names):
            out.print(f"proposed declaration: {path}", soft_wrap=True)
    if declarations is None:
        return ExitCode.OK
    rows = compare(scanner, declarations)
    t = Table(title=f"declared ({args.schemas}) vs detected")
    for name in ("table", "column", "declared", "detected", "status"):
        t.add_column(name, overflow="fold")
    for c in rows:
        style = "bold red" if c.status in FAILING else None
        shown = names.safe(c.column, declared_by_table.get(c.table, {}))
        t.add_row(shown_table(c.table), shown, c.declared or "-", c.detected, c.status, style=style)
    out.print(t)
    failing = [c for c in rows if c.status in FAILING]
    if failing:
        out.print(f"{len(failing)} column(s) hold personal data the declarations do not cover", style="bold red")
        return ExitCode.ERROR
    out.print("declarations cover every column with personal data in the sample")
    return ExitCode.OK


def _scan_source(args: argparse.Namespace, config: Config):
    from pipeline.runtime.filemode import iter_file_records

    if args.dsn is not None:
        import psycopg

        from pipeline.runtime.dbsample import sample_database

        try:
            yield from sample_database(args.dsn, args.sample, args.topic_prefix)
        except psycopg.Error as exc:  # the message names host and database, never row values
            raise ScanSourceError(f"cannot sample the database: {type(exc).__name__}: {exc}".strip()) from None
        return
    if args.input is not None:
        records = iter_file_records(args.input)
        per_table: dict[str, int] = {}
        for rec in records:
            per_table[rec.topic] = per_table.get(rec.topic, 0) + 1
            if per_table[rec.topic] <= args.sample:
                yield rec
        return
    from pipeline.runtime.sampling import sample_topics

    settings = dict(config.kafka)
    settings.update(config.consumer)
    yield from sample_topics(settings, args.topic, args.sample)
