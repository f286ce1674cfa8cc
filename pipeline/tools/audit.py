"""`cdr audit`: check CDR output (file or topics) for raw personal data."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from pipeline.config import Config
from pipeline.tools.loading import config_from, safe_names
from pipeline.vocabulary import ExitCode

if TYPE_CHECKING:
    from pipeline.core.audit import AuditReport
    from pipeline.core.safenames import SafeNames


def command(args: argparse.Namespace) -> int:
    from detectors.ner import ner_engine
    from detectors.textscan import TextScanner
    from pipeline.core.audit import Auditor, class_rows, write_textfile

    if args.input is not None and not args.input.is_file():
        print(f"cdr audit: input file {args.input} does not exist", file=sys.stderr)
        return ExitCode.USAGE
    config = config_from(args.config)
    console = Console(stderr=True)
    with console.status("loading the NER model..."):
        ner = ner_engine(config.detection.ner_model) if args.ner else None
    auditor = Auditor(TextScanner(ner=ner))
    with Progress(
        TextColumn("[bold]auditing"), BarColumn(), TextColumn("{task.completed} records"), console=console
    ) as bar:
        task = bar.add_task("audit", total=None)
        unreadable = [0]  # lines of the file that are not CDR records
        for topic, key, value, headers in _audit_source(args, config, unreadable):
            auditor.add(topic, key, value, headers)
            bar.advance(task)
    report = auditor.report
    _safe_report_paths(report, safe_names(config, console))
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
    if unreadable[0]:
        out.print(f"{unreadable[0]} line(s) not CDR records (not JSON objects with a topic): not audited")
    if args.metrics_file is not None:
        write_textfile(report, args.metrics_file)
    if report.leaks:
        out.print(f"{report.leaks} value(s) look like raw personal data", style="bold red")
        return ExitCode.ERROR
    out.print("no raw personal data found")
    return ExitCode.OK


def _safe_report_paths(report: AuditReport, names: SafeNames) -> None:
    """Topic names and field paths in their safe form (a CDR field or map key can be named
    with personal data, and so can a topic read from a file or made from a table's name),
    before the report is printed or written as metrics."""
    from collections import Counter

    from pipeline.core.safenames import safe_path

    topic = names.topic  # as the service shows a topic (SafeNames.topic: a two-part name whole too)

    findings: Counter[tuple[str, str, str]] = Counter()
    for (tp, fld, entity), n in report.findings.items():
        findings[(topic(tp), safe_path(fld, names.safe), entity)] += n
    tagged: Counter[tuple[str, str]] = Counter()
    for (tp, fld), n in report.tagged.items():
        tagged[(topic(tp), safe_path(fld, names.safe))] += n
    records: Counter[str] = Counter()
    for tp, n in report.records.items():
        records[topic(tp)] += n
    report.findings, report.tagged, report.records = findings, tagged, records


def _encoded(doc: object) -> bytes | None:
    """A JSON document as the bytes a topic would carry (a lone surrogate kept as it is)."""
    import json

    if doc is None:
        return None
    if isinstance(doc, str):
        return doc.encode("utf-8", "surrogatepass")
    return json.dumps(doc).encode()


def _file_record(line: bytes) -> tuple[str, bytes | None, bytes | None, list] | None:
    """(topic, key, value, headers) of one line of a CDR file; None when the line is not a
    CDR record (not a JSON object, a topic that is not text, headers that are not an object)."""
    import json

    try:
        rec = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(rec, dict):
        return None
    topic, headers = rec.get("topic", "?"), rec.get("headers") or {}
    if not isinstance(topic, str) or not isinstance(headers, dict):
        return None
    value = rec.get("value")
    return (
        topic,
        None if rec.get("key") is None else json.dumps(rec.get("key")).encode(),
        None if value is None else json.dumps(value).encode(),
        [(str(k), _encoded(v)) for k, v in headers.items()],
    )


def _audit_source(args: argparse.Namespace, config: Config, unreadable: list[int]):
    if args.input is not None:
        with args.input.open("rb") as stream:
            for line in stream:
                if not line.strip():
                    continue
                item = _file_record(line)
                if item is None:
                    unreadable[0] += 1
                    continue
                yield item
        return
    from pipeline.runtime.sampling import sample_topics

    settings = dict(config.kafka)
    settings.update(config.consumer)
    for rec in sample_topics(settings, args.topic, args.sample, newest=True):  # what goes out now
        yield rec.topic, rec.key, rec.value, list(rec.headers)
