"""The ``cdr`` command line.

Exit codes: 0 done; 1 unexpected failure; 2 bad arguments; 3 invalid config or
declarations (each problem printed as ``file:line: what is wrong``); 4 the service
stopped because a delivery failed (nothing past it was committed).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pipeline import __version__
from pipeline.config import Config, load_config
from pipeline.events import SourceRecord
from pipeline.exceptions import InvalidFilesError

if TYPE_CHECKING:
    from pipeline.audit import AuditReport
    from pipeline.safenames import SafeNames

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
    run.add_argument("--workers", type=int, default=1, help="worker processes, each a group member (default 1)")
    run.add_argument("--worker-id", type=int, help=argparse.SUPPRESS)  # set by the supervisor

    proc = sub.add_parser("process", help="process a JSON-lines file of Kafka records without Kafka")
    proc.add_argument("--schemas", type=Path, help="declarations directory (default: the config's, or ./schemas)")
    proc.add_argument("--input", required=True, type=Path)
    proc.add_argument("--output", required=True, type=Path)
    proc.add_argument("--dlq", type=Path, help="dead-letter file (default: <output>.dlq.jsonl)")
    proc.add_argument("--config", type=Path, help="optional config file (defaults, hashing, ...)")

    scan = sub.add_parser("scan", help="profile a sample and propose declarations; compare with --schemas")
    source = scan.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", type=Path, help="JSON-lines file of Kafka records (the cdr process format)")
    source.add_argument("--topic", help="topics to sample: a glob (dbserver1.*) or a regex starting with ^")
    source.add_argument("--dsn", help="sample rows straight from PostgreSQL (postgresql://user@host:port/db)")
    scan.add_argument("--topic-prefix", help="with --dsn: Debezium's topic.prefix, for source_topic (default: db name)")
    scan.add_argument("--out", type=Path, help="write one proposed declaration per table here")
    scan.add_argument("--schemas", type=Path, help="compare with these declarations; exit 1 on undeclared PII")
    scan.add_argument("--sample", type=int, default=1000, help="records (or rows) per topic/table (default 1000)")
    scan.add_argument("--config", type=Path, help="config file (Kafka settings for --topic, detection)")
    scan.add_argument("--no-ner", action="store_true", help="patterns only (no spaCy model)")

    audit = sub.add_parser("audit", help="check CDR output for raw personal data (per topic and field)")
    audit_src = audit.add_mutually_exclusive_group(required=True)
    audit_src.add_argument("--topic", help="CDR topics: a glob (cdr.*) or a regex starting with ^")
    audit_src.add_argument("--input", type=Path, help="JSON-lines file of CDR records (cdr process output)")
    audit.add_argument("--config", type=Path, help="config file (Kafka settings for --topic)")
    audit.add_argument("--sample", type=int, default=10000, help="records per topic (default 10000)")
    audit.add_argument("--ner", action="store_true", help="also run spaCy NER (person and place names)")
    audit.add_argument("--metrics-file", type=Path, help="write the findings as Prometheus gauges (textfile)")

    dlq = sub.add_parser("dlq", help="dead-letter topic tools")
    dlq_sub = dlq.add_subparsers(dest="dlq_command", required=True)
    replay = dlq_sub.add_parser("replay", help="re-run dead letters through the current declarations and code")
    replay.add_argument("--config", required=True, type=Path, help="the service's config file")
    replay.add_argument("--group", help="consumer group of the replay (default: <group.id>.dlq-replay)")
    replay.add_argument("--limit", type=int, help="replay at most this many dead letters")

    names = sub.add_parser(
        "name-digest", help="print the col~ digest of candidate column names under the deployment's hash key"
    )
    names.add_argument("names", nargs="*", help="candidate names (default: one per line on stdin)")
    names.add_argument("--config", type=Path, help="the service's config file (hashing.key_file; or CDR_HASH_KEY)")

    val = sub.add_parser("validate", help="check declaration files; print file:line: problem for each")
    val.add_argument("schemas", nargs="?", type=Path, help="declarations directory (default: ./schemas)")
    val.add_argument("--config", type=Path, help="optional config file (entities, treatment defaults)")

    # cdr check (data contracts, pipeline/contracts): exit 0 clean, 1 error findings,
    # 2 cannot check as asked (revision, migration, database), 3 invalid declarations.
    chk = sub.add_parser("check", help="data contracts: declarations vs a git revision, a SQL migration, the database")
    chk.add_argument("schemas", nargs="?", type=Path, help="declarations directory (default: ./schemas)")
    chk.add_argument("--against", metavar="REV", help="git revision to compare with (default: the merge base)")
    chk.add_argument("--no-revision", action="store_true", help="do not compare with a git revision")
    chk.add_argument("--migration", type=Path, metavar="FILE.sql", help="PostgreSQL DDL to check before it runs")
    chk.add_argument("--dsn", help="compare with the live PostgreSQL database (postgresql://user@host:port/db)")
    chk.add_argument("--format", choices=("table", "json", "sarif"), default="table", help="output (default table)")
    chk.add_argument("--config", type=Path, help="optional config file (entities, treatment defaults)")

    # cdr lineage (pipeline/contracts/lineage): OpenLineage events, source topic -> CDR topic.
    lin = sub.add_parser("lineage", help="emit OpenLineage events (column lineage, PII tags) for the CDR topics")
    lin.add_argument("schemas", nargs="?", type=Path, help="declarations directory (default: ./schemas)")
    lin.add_argument("--namespace", required=True, help="the Kafka cluster as a dataset namespace (kafka://host:port)")
    lin.add_argument(
        "--file", type=Path, help="append the events to this file (default: the OpenLineage client's config)"
    )
    lin.add_argument("--config", type=Path, help="optional config file (entities, treatment defaults)")

    # cdr docs (pipeline/contracts/catalog): static HTML catalog + AsyncAPI 3.0 per CDR topic.
    docs = sub.add_parser("docs", help="write an HTML catalog of the CDR topics and an AsyncAPI document per topic")
    docs.add_argument("schemas", nargs="?", type=Path, help="declarations directory (default: ./schemas)")
    docs.add_argument("--out", required=True, type=Path, help="output directory")
    docs.add_argument("--server", help="broker host:port named in the AsyncAPI documents")
    docs.add_argument("--consumers", action="store_true", help="list the consumer groups of each topic (the broker)")
    docs.add_argument("--config", type=Path, help="config file (entities, treatment defaults, kafka settings)")
    return parser


_EARLY_STOP: list[int] = []  # signals received before the service could take them


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            # A stop asked for while the model and the name lists load is kept, not fatal:
            # the service starts, sees it, and leaves cleanly (a new worker scaled down).
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda received, _frame: _EARLY_STOP.append(received))
            return _run(args)
        if args.command == "process":
            return _process(args)
        if args.command == "scan":
            return _scan(args)
        if args.command == "audit":
            return _audit(args)
        if args.command == "dlq":
            return _dlq_replay(args)
        if args.command == "name-digest":
            return _name_digest(args)
        if args.command == "check":
            return _check(args)
        if args.command == "lineage":
            return _lineage(args)
        if args.command == "docs":
            return _docs(args)
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
    from pipeline.logs import log, setup_logging, verdict_logger
    from pipeline.metrics import Metrics

    config = _config(args.config)
    setup_logging(config.log_level)
    if args.workers < 1:
        print("cdr run: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if args.workers > 1 and args.worker_id is None:
        from pipeline.workers import Supervisor

        return Supervisor(args.config, args.workers).run(stop_requested=bool(_EARLY_STOP))
    if args.worker_id is not None:
        port = config.metrics.port
        metrics_settings = dataclasses.replace(config.metrics, port=port + args.worker_id if port else 0)
        config = dataclasses.replace(config, worker_id=args.worker_id, metrics=metrics_settings)
    processor = build_processor(config)
    metrics = Metrics(names=processor.names)
    profiler = processor.settings.policy.profiler
    if profiler is not None:
        profiler.on_change = verdict_logger(processor.names)
        metrics.watch_detection(profiler, processor.declarations)
    logger = logging.getLogger("cdr")
    service = Service(config, processor, metrics)
    from pipeline.contracts.sunset import RetiringReaders, retiring_topics

    retiring = retiring_topics(processor.declarations)
    if retiring:  # who still reads an old CDR topic version, for its owners (cdr_retiring_topic_readers)
        RetiringReaders(config.kafka, retiring, metrics.registry).start()
    if config.metrics.enabled:
        port = metrics.serve(config.metrics.host, config.metrics.port, service.health)
        log(logger, logging.INFO, "metrics_listening", url=f"http://{config.metrics.host}:{port}/metrics")
    service.install_signal_handlers()
    if _EARLY_STOP:
        service.request_stop()
    if config.create_topics:
        service.ensure_topics()
    code = service.run()
    if service.hard_exit:  # the broker is gone: destroying the clients would block on it
        logging.shutdown()
        os._exit(code)
    return code


def _process(args: argparse.Namespace) -> int:
    from pipeline.bootstrap import build_processor
    from pipeline.filemode import FilePathError, check_paths, process_file
    from pipeline.kafka.deadletter import DeadLetterSealer

    if not args.input.is_file():
        print(f"cdr process: input file {args.input} does not exist", file=sys.stderr)
        return EXIT_USAGE
    dlq = args.dlq or args.output.with_name(args.output.name.removesuffix(".jsonl") + ".dlq.jsonl")
    try:
        check_paths(args.input, args.output, dlq)
    except FilePathError as exc:
        print(f"cdr process: {exc}", file=sys.stderr)
        return EXIT_USAGE
    config = _config(args.config, args.schemas)
    processor = build_processor(config)
    if config.format == "avro":  # binary records: base64 JSON strings in the lines (pipeline.formats.avro.lines)
        from pipeline.formats.avro.lines import Base64Lines
        from pipeline.processor import KEY_HEADERS

        fmt = processor.settings.record_format
        assert fmt is not None
        lines = Base64Lines(fmt, frozenset(KEY_HEADERS))
        processor.settings = dataclasses.replace(processor.settings, record_format=lines)
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
    return EXIT_OK


class ScanSourceError(Exception):
    """The sample could not be read (unreachable database, ...): a usage error."""


def _scan(args: argparse.Namespace) -> int:
    from detectors.ner import ner_engine
    from detectors.textscan import TextScanner
    from pipeline.bootstrap import load_declaration_set
    from pipeline.safenames import safe_path
    from pipeline.scan import FAILING, Scanner, compare, findings, write_proposals

    if args.input is not None and not args.input.is_file():
        print(f"cdr scan: input file {args.input} does not exist", file=sys.stderr)
        return EXIT_USAGE
    if args.out is None and args.schemas is None:
        print("cdr scan: give --out DIR (proposals) and/or --schemas DIR (comparison)", file=sys.stderr)
        return EXIT_USAGE
    config = _config(args.config)
    declarations = load_declaration_set(dataclasses.replace(config, schemas_dir=args.schemas)) if args.schemas else None
    console = Console(stderr=True)
    with console.status("loading the NER model..."):
        ner = None if args.no_ner or not config.detection.ner else ner_engine(config.detection.ner_model)
    scanner = Scanner(TextScanner(ner=ner), min_samples=min(50, max(1, args.sample)))
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
                    scanner.add_record(item)
                else:
                    scanner.add_row(*item)
                progress.advance(task)
        except ScanSourceError as exc:
            console.print(f"[red]cdr scan: {exc}[/]")
            return EXIT_USAGE
    out = Console(highlight=False)
    # Undeclared names are shown in their safe form: a column can be named with personal data.
    names = _safe_names(config, console)
    declared_by_table = {d.table: d.columns for d in declarations.by_topic.values()} if declarations else {}
    for table, sample in sorted(scanner.tables.items()):
        declared = declared_by_table.get(table, {})
        t = Table(title=f"{table}: {sample.rows} rows sampled")
        for name in ("column", "detected", "verdict evidence"):
            t.add_column(name, overflow="fold")
        for f in findings(sample):
            detected = f.pii + "".join(f"\n  {safe_path(p, names.safe)}: {e}" for p, e in f.paths)
            t.add_row(names.safe(f.column, declared), detected, f.evidence)
        out.print(t)
    if args.out is not None:
        for path in write_proposals(scanner, args.out):
            out.print(f"proposed declaration: {path}", soft_wrap=True)
    if declarations is None:
        return EXIT_OK
    rows = compare(scanner, declarations)
    t = Table(title=f"declared ({args.schemas}) vs detected")
    for name in ("table", "column", "declared", "detected", "status"):
        t.add_column(name, overflow="fold")
    for c in rows:
        style = "bold red" if c.status in FAILING else None
        shown = names.safe(c.column, declared_by_table.get(c.table, {}))
        t.add_row(c.table, shown, c.declared or "-", c.detected, c.status, style=style)
    out.print(t)
    failing = [c for c in rows if c.status in FAILING]
    if failing:
        out.print(f"{len(failing)} column(s) hold personal data the declarations do not cover", style="bold red")
        return 1
    out.print("declarations cover every column with personal data in the sample")
    return EXIT_OK


def _scan_source(args: argparse.Namespace, config: Config):
    from pipeline.scan import iter_file_records

    if args.dsn is not None:
        import psycopg

        from pipeline.dbsample import sample_database

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
    from pipeline.kafka.sampling import sample_topics

    settings = dict(config.kafka)
    settings.update(config.consumer)
    yield from sample_topics(settings, args.topic, args.sample)


def _audit(args: argparse.Namespace) -> int:
    from detectors.ner import ner_engine
    from detectors.textscan import TextScanner
    from pipeline.audit import Auditor, class_rows, write_textfile

    if args.input is not None and not args.input.is_file():
        print(f"cdr audit: input file {args.input} does not exist", file=sys.stderr)
        return EXIT_USAGE
    config = _config(args.config)
    console = Console(stderr=True)
    with console.status("loading the NER model..."):
        ner = ner_engine(config.detection.ner_model) if args.ner else None
    auditor = Auditor(TextScanner(ner=ner))
    with Progress(
        TextColumn("[bold]auditing"), BarColumn(), TextColumn("{task.completed} records"), console=console
    ) as bar:
        task = bar.add_task("audit", total=None)
        for topic, key, value, headers in _audit_source(args, config):
            auditor.add(topic, key, value, headers)
            bar.advance(task)
    report = auditor.report
    _safe_report_paths(report, _safe_names(config, console))
    out = Console(highlight=False)
    t = Table(title=f"raw personal data in CDR records ({sum(report.records.values())} records read)")
    for name in ("topic", "field", "entity", "values"):
        t.add_column(name, justify="right" if name == "values" else "left")
    for (topic, fld, entity), n in sorted(report.findings.items()):
        t.add_row(topic, fld, entity, str(n), style="bold red")
    clean = [topic for topic in sorted(report.records) if not any(k[0] == topic for k in report.findings)]
    for topic in clean:
        t.add_row(topic, "-", "-", f"0 of {report.records[topic]} records")
    out.print(t)
    if report.classes:
        by_class = Table(title="by entity and leak class")
        for name in ("entity", "leak class", "values"):
            by_class.add_column(name, justify="right" if name == "values" else "left")
        for entity, cls, n in class_rows(report):
            by_class.add_row(entity, cls, str(n), style="bold red")
        out.print(by_class)
    if report.tagged:
        tagged = ", ".join(sorted({f"{tp}:{f}" for tp, f in report.tagged}))
        out.print(f"kept on purpose (declared `tag`): {tagged}", soft_wrap=True)
    if args.metrics_file is not None:
        write_textfile(report, args.metrics_file)
    if report.leaks:
        out.print(f"{report.leaks} value(s) look like raw personal data", style="bold red")
        return EXIT_ERROR
    out.print("no raw personal data found")
    return EXIT_OK


def _safe_report_paths(report: AuditReport, names: SafeNames) -> None:
    """Field paths in their safe form (a CDR field or map key can be named with personal
    data), before the report is printed or written as metrics."""
    from collections import Counter

    from pipeline.safenames import safe_path

    findings: Counter[tuple[str, str, str]] = Counter()
    for (topic, fld, entity), n in report.findings.items():
        findings[(topic, safe_path(fld, names.safe), entity)] += n
    tagged: Counter[tuple[str, str]] = Counter()
    for (topic, fld), n in report.tagged.items():
        tagged[(topic, safe_path(fld, names.safe))] += n
    report.findings, report.tagged = findings, tagged


def _audit_source(args: argparse.Namespace, config: Config):
    import json

    if args.input is not None:
        with args.input.open("rb") as stream:
            for line in stream:
                if not line.strip():
                    continue
                rec = json.loads(line)

                def enc(doc: object) -> bytes | None:
                    return None if doc is None else json.dumps(doc).encode()

                headers = [
                    (k, v.encode() if isinstance(v, str) else enc(v)) for k, v in (rec.get("headers") or {}).items()
                ]
                yield rec.get("topic", "?"), enc(rec.get("key")), enc(rec.get("value")), headers
        return
    from pipeline.kafka.sampling import sample_topics

    settings = dict(config.kafka)
    settings.update(config.consumer)
    for rec in sample_topics(settings, args.topic, args.sample):
        yield rec.topic, rec.key, rec.value, list(rec.headers)


def _dlq_replay(args: argparse.Namespace) -> int:
    from pipeline.bootstrap import build_processor
    from pipeline.kafka.replay import replay

    config = _config(args.config)
    processor = build_processor(config)
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]replaying"), BarColumn(), TextColumn("{task.completed} dead letters"), console=console
    ) as bar:
        task = bar.add_task("replay", total=args.limit)
        stats = replay(config, processor, args.group, args.limit, lambda n: bar.update(task, completed=n))
    out = Console(highlight=False)
    t = Table(title=f"dead letters replayed from {config.dead_letter_topic}")
    t.add_column("outcome")
    t.add_column("records", justify="right")
    t.add_row("read", str(stats.read))
    t.add_row("published to CDR topics", str(stats.replayed), style="green")
    t.add_row("skipped (not table data)", str(stats.skipped))
    for reason, n in sorted(stats.still_failing.items()):
        t.add_row(f"still failing: {reason}", str(n), style="yellow")
    t.add_row("unreadable (not ours, or sealed with another key)", str(stats.unreadable))
    t.add_row("delivery failures (offsets not committed)", str(stats.delivery_failures))
    out.print(t)
    if stats.delivery_failures:
        return EXIT_ERROR
    return EXIT_ERROR if stats.still_failing or stats.unreadable else EXIT_OK


def _safe_names(config: Config, console: Console | None = None) -> SafeNames:
    """Names under the deployment's hash key when one is set; else a random key (the
    digests of this run only), said on ``console``."""
    from pipeline.safenames import SafeNames
    from pipeline.treatments.hashing import HashKeyError, load_hash_key

    try:
        key = load_hash_key(config.hash_key_file, config.hash_key_id)
    except HashKeyError:
        key = None
    if key is not None:
        return SafeNames(key.secret)
    if console is not None:
        console.print("no hash key set: undeclared unusual column names are shown as digests of this run only")
    return SafeNames.ephemeral()


def _name_digest(args: argparse.Namespace) -> int:
    from pipeline.treatments.hashing import HashKeyError, load_hash_key

    config = _config(args.config)
    try:
        key = load_hash_key(config.hash_key_file, config.hash_key_id)
    except HashKeyError as exc:
        print(f"cdr name-digest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if key is None:
        print("cdr name-digest: no hash key: set CDR_HASH_KEY or give --config with hashing.key_file", file=sys.stderr)
        return EXIT_USAGE
    from pipeline.safenames import SafeNames

    names = SafeNames(key.secret)
    candidates = args.names or [line.rstrip("\r\n") for line in sys.stdin]
    for name in candidates:
        print(names.digest(name))
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from pipeline.bootstrap import load_declaration_set

    config = _config(args.config, args.schemas or (None if args.config else Path("schemas")))
    decls = load_declaration_set(config)
    table = Table(title=f"{len(decls)} declaration(s) in {config.schemas_dir}: valid")
    for name in ("table", "source topic", "CDR topic", "owner"):
        table.add_column(name, overflow="fold")  # names must stay whole on a narrow terminal
    table.add_column("undeclared", no_wrap=True)
    for name in ("cols", "PII"):
        table.add_column(name, justify="right", no_wrap=True)
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


def _check(args: argparse.Namespace) -> int:
    from pipeline.contracts.check import CheckRequest, CheckUsageError, run_check
    from pipeline.contracts.report import as_json, as_sarif, print_table
    from pipeline.contracts.rules import exit_code

    config = _config(args.config, args.schemas or (None if args.config else Path("schemas")))
    err = Console(stderr=True, highlight=False)
    request = CheckRequest(config, args.against, args.no_revision, args.migration, args.dsn, _safe_names(config, err))
    try:
        with err.status("checking data contracts..."):
            result = run_check(request)
    except CheckUsageError as exc:
        print(f"cdr check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        print(as_json(result.findings, {"compared_with": result.compared_with, "proposals": result.proposals}))
    elif args.format == "sarif":
        print(as_sarif(result.findings, result.root))
    else:
        for note in result.notes:
            err.print(note, soft_wrap=True)
        print_table(result.findings, Console(highlight=False), f"cdr check: {config.schemas_dir}", result.proposals)
    return exit_code(result.findings)


def _lineage(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from pipeline.bootstrap import load_declaration_set
    from pipeline.contracts.lineage import emit, lineage_events

    try:
        import openlineage.client  # noqa: F401
    except ImportError:
        print("cdr lineage: needs the OpenLineage client: pip install 'cdr-pipeline[lineage]'", file=sys.stderr)
        return EXIT_USAGE
    if args.file is None and not (os.environ.get("OPENLINEAGE_URL") or os.environ.get("OPENLINEAGE_CONFIG")):
        print(
            "cdr lineage: give --file PATH, or configure the client (OPENLINEAGE_URL, OPENLINEAGE_CONFIG)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    config = _config(args.config, args.schemas or (None if args.config else Path("schemas")))
    decls = load_declaration_set(config)
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    events = lineage_events(decls, config.treatment_defaults, args.namespace, now)
    sent = emit(events, args.file)
    print(f"{sent} OpenLineage event(s) sent ({args.file or 'client transport'})")
    return EXIT_OK


def _docs(args: argparse.Namespace) -> int:
    from pipeline.bootstrap import load_declaration_set
    from pipeline.contracts.catalog import build_pages, write_catalog

    config = _config(args.config, args.schemas or (None if args.config else Path("schemas")))
    decls = load_declaration_set(config)
    groups = None
    if args.consumers:
        from pipeline.contracts.consumers import BrokerError, consumer_groups

        settings = dict(config.kafka)
        if args.server:
            settings["bootstrap.servers"] = args.server
        if not settings.get("bootstrap.servers"):
            print("cdr docs: --consumers needs --server or kafka.bootstrap.servers in --config", file=sys.stderr)
            return EXIT_USAGE
        try:
            groups = consumer_groups(settings, [d.cdr_topic for d in decls.by_topic.values()])
        except BrokerError as exc:
            print(f"cdr docs: {exc}", file=sys.stderr)
            return EXIT_USAGE
    with Console(stderr=True).status("writing the catalog..."):
        pages = build_pages(decls, config.treatment_defaults, groups)
        written = write_catalog(pages, config.treatment_defaults, args.out, args.server)
    print(f"{len(pages)} CDR topic(s): {len(written)} file(s) in {args.out}")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
