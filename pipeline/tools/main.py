"""The ``cdr`` command line: the argparse wiring; each command lives in its own module.

Exit codes (:class:`pipeline.vocabulary.ExitCode`): 0 done; 1 unexpected failure (printed as
its class and the project's frames, never its message); 2 bad
arguments; 3 invalid config or declarations (each problem printed as ``file:line: what is
wrong``); 4 the service stopped because a delivery failed (nothing past it was committed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from pipeline import __version__
from pipeline.errors import InvalidFilesError
from pipeline.tools import audit, check, dlq, docs, lineage, name_digest, process, rebuild, run, scan, validate
from pipeline.tracebacks import diagnostic
from pipeline.vocabulary import ExitCode

# Each command's module imports what is heavy (the NER model, the Kafka client) only when
# the command runs: `cdr validate` loads neither.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": run.command,
    "process": process.command,
    "scan": scan.command,
    "audit": audit.command,
    "dlq": dlq.command,
    "rebuild": rebuild.command,
    "name-digest": name_digest.command,
    "validate": validate.command,
    "check": check.command,
    "lineage": lineage.command,
    "docs": docs.command,
}


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cdr", description="Debezium change streams in, masked CDR topics out.")
    parser.add_argument("--version", action="version", version=f"cdr-pipeline {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run_ = sub.add_parser("run", help="run the service: consume Debezium topics, publish CDR topics")
    run_.add_argument("--config", required=True, type=Path, help="YAML config file")
    run_.add_argument("--workers", type=int, default=1, help="worker processes, each a group member (default 1)")
    run_.add_argument("--worker-id", type=int, help=argparse.SUPPRESS)  # set by the supervisor

    proc = sub.add_parser("process", help="process a JSON-lines file of Kafka records without Kafka")
    proc.add_argument("--schemas", type=Path, help="declarations directory (default: the config's, or ./schemas)")
    proc.add_argument("--input", required=True, type=Path)
    proc.add_argument("--output", required=True, type=Path)
    proc.add_argument("--dlq", type=Path, help="dead-letter file (default: <output>.dlq.jsonl)")
    proc.add_argument("--config", type=Path, help="optional config file (defaults, hashing, ...)")
    proc.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes; each table is read by one of them, so the output is one process's (default 1)",
    )

    scan_p = sub.add_parser("scan", help="profile a sample and propose declarations; compare with --schemas")
    source = scan_p.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", type=Path, help="JSON-lines file of Kafka records (the cdr process format)")
    source.add_argument("--topic", help="topics to sample: a glob (dbserver1.*) or a regex starting with ^")
    source.add_argument("--dsn", help="sample rows straight from PostgreSQL (postgresql://user@host:port/db)")
    scan_p.add_argument(
        "--topic-prefix", help="with --dsn: Debezium's topic.prefix, for source_topic (default: db name)"
    )
    scan_p.add_argument("--out", type=Path, help="write one proposed declaration per table here")
    scan_p.add_argument("--schemas", type=Path, help="compare with these declarations; exit 1 on undeclared PII")
    scan_p.add_argument("--sample", type=int, default=1000, help="records (or rows) per topic/table (default 1000)")
    scan_p.add_argument("--config", type=Path, help="config file (Kafka settings for --topic, detection)")
    scan_p.add_argument("--no-ner", action="store_true", help="patterns only (no spaCy model)")

    audit_p = sub.add_parser("audit", help="check CDR output for raw personal data (per topic and field)")
    audit_src = audit_p.add_mutually_exclusive_group(required=True)
    audit_src.add_argument("--topic", help="CDR topics: a glob (cdr.*) or a regex starting with ^")
    audit_src.add_argument("--input", type=Path, help="JSON-lines file of CDR records (cdr process output)")
    audit_p.add_argument("--config", type=Path, help="config file (Kafka settings for --topic)")
    audit_p.add_argument("--sample", type=int, default=10000, help="the newest records of each topic (default 10000)")
    audit_p.add_argument("--ner", action="store_true", help="also run spaCy NER (person and place names)")
    audit_p.add_argument("--metrics-file", type=Path, help="write the findings as Prometheus gauges (textfile)")

    dlq_p = sub.add_parser("dlq", help="dead-letter topic tools")
    dlq_sub = dlq_p.add_subparsers(dest="dlq_command", required=True)
    replay = dlq_sub.add_parser("replay", help="re-run dead letters through the current declarations and code")
    replay.add_argument("--config", required=True, type=Path, help="the service's config file")
    replay.add_argument("--group", help="consumer group of the replay (default: <group.id>.dlq-replay)")
    replay.add_argument("--limit", type=int, help="replay at most this many dead letters")

    reb = sub.add_parser(
        "rebuild", help="undo a leak: empty a CDR topic and move the service back to republish it from the source"
    )
    reb.add_argument("--config", required=True, type=Path, help="the service's config file (its consumer group)")
    reb.add_argument("--cdr-topic", required=True, help="the CDR topic to rebuild")
    reb.add_argument("--execute", action="store_true", help="carry the plan out (default: print it, change nothing)")
    reb.add_argument(
        "--allow-loss",
        action="store_true",
        help="delete records whose source is no longer held (or unknown): they are not published again",
    )

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
    docs_p = sub.add_parser("docs", help="write an HTML catalog of the CDR topics and an AsyncAPI document per topic")
    docs_p.add_argument("schemas", nargs="?", type=Path, help="declarations directory (default: ./schemas)")
    docs_p.add_argument("--out", required=True, type=Path, help="output directory")
    docs_p.add_argument("--server", help="broker host:port named in the AsyncAPI documents")
    docs_p.add_argument("--consumers", action="store_true", help="list the consumer groups of each topic (the broker)")
    docs_p.add_argument("--config", type=Path, help="config file (entities, treatment defaults, kafka settings)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InvalidFilesError as exc:
        # One problem per line, never wrapped: editors and CI read `file:line: message`.
        for problem in exc.errors:
            print(problem, file=sys.stderr)
        print(f"{len(exc.errors)} problem(s); not started.", file=sys.stderr)
        return ExitCode.INVALID
    except Exception as exc:
        # Not Python's traceback: its message (a third-party exception quotes the value
        # that caused it) and source lines. The class and the project's frames only.
        print(f"cdr {args.command}: failed unexpectedly: {diagnostic(exc)}", file=sys.stderr)
        return ExitCode.ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
