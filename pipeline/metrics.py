"""Prometheus metrics, all behind one object with an injectable registry.

Label values come from declarations, topic names, column names and a fixed vocabulary
of reasons: never from record values. Labels built from names seen at run time (topics,
columns) are capped; past the cap they collapse into ``__other__`` so a misbehaving
source cannot explode cardinality.
"""

from __future__ import annotations

import contextlib
import platform
import time
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, start_http_server

from pipeline import __version__
from pipeline.events import DeadLetter, Published, Skipped

OTHER = "__other__"
LATENCY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
E2E_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)


class _Bounded:
    """Admits at most ``limit`` distinct values of a label; the rest become ``__other__``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.seen: set[str] = set()

    def __call__(self, value: str) -> str:
        if value in self.seen:
            return value
        if len(self.seen) >= self.limit:
            return OTHER
        self.seen.add(value)
        return value


class Metrics:
    def __init__(
        self, registry: CollectorRegistry | None = None, max_topics: int = 500, max_columns: int = 2000
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self._topic = _Bounded(max_topics)
        self._column = _Bounded(max_columns)
        self.consumed = Counter("cdr_events_consumed", "Records consumed from source topics.", ["topic"], registry=r)
        self.produced = Counter("cdr_events_produced", "Records acknowledged on CDR topics.", ["topic"], registry=r)
        self.dead_letters = Counter(
            "cdr_dead_letters", "Records sent to the dead-letter topic.", ["stage", "reason"], registry=r
        )
        self.skipped = Counter(
            "cdr_records_skipped",
            "Records not republished: undeclared topics, heartbeats, transaction and schema-change events.",
            ["topic", "reason"],
            registry=r,
        )
        self.fields_transformed = Counter(
            "cdr_fields_transformed",
            "Field values treated, per table and treatment.",
            ["table", "treatment"],
            registry=r,
        )
        self.undeclared_columns = Counter(
            "cdr_undeclared_column_events",
            "Events carrying a column the table's declaration does not list.",
            ["table", "column"],
            registry=r,
        )
        self.undeclared_columns_current = Gauge(
            "cdr_undeclared_columns",
            "Distinct undeclared columns seen since start, per table.",
            ["table"],
            registry=r,
        )
        self.processing = Histogram(
            "cdr_processing_seconds", "Processing-core time per record.", buckets=LATENCY_BUCKETS, registry=r
        )
        self.end_to_end = Histogram(
            "cdr_end_to_end_latency_seconds",
            "Now minus the source database's commit time (source.ts_ms), at production.",
            buckets=E2E_BUCKETS,
            registry=r,
        )
        self.lag = Gauge("cdr_consumer_lag", "High watermark minus position.", ["topic", "partition"], registry=r)
        self.commits = Counter("cdr_commits", "Offset commits, by result.", ["result"], registry=r)
        self.rebalances = Counter("cdr_rebalances", "Partition assignment changes.", ["kind"], registry=r)
        self.assigned = Gauge("cdr_assigned_partitions", "Partitions currently assigned.", registry=r)
        self.declarations = Gauge("cdr_declarations_loaded", "Table declarations in force.", registry=r)
        self.delivery_failures = Counter(
            "cdr_delivery_failures", "Produce requests that failed for good.", ["kind"], registry=r
        )
        self.build = Info("cdr_build", "Build information.", registry=r)
        self.build.info({"version": __version__, "python": platform.python_version()})
        self._undeclared_seen: dict[str, set[str]] = {}

    def serve(self, host: str, port: int) -> int:
        """Serve /metrics; returns the bound port (``port=0`` picks a free one)."""
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        return int(server.server_address[1])

    def record_outcome(self, outcome: Published | DeadLetter | Skipped) -> None:
        if isinstance(outcome, Published):
            report = outcome.report
            for treatment, n in report.fields_transformed:
                self.fields_transformed.labels(report.table, treatment).inc(n)
            if report.undeclared_columns:
                self._note_undeclared(report.table, report.undeclared_columns)
        elif isinstance(outcome, DeadLetter):
            self.dead_letters.labels(outcome.stage, outcome.reason).inc()
        else:
            self.skipped.labels(self._topic(outcome.source.topic), outcome.reason).inc()

    def _note_undeclared(self, table: str, columns: Iterable[str]) -> None:
        seen = self._undeclared_seen.setdefault(table, set())
        for column in columns:
            label = self._column(f"{table}.{column}")
            self.undeclared_columns.labels(table, column if label != OTHER else OTHER).inc()
            seen.add(column)
        self.undeclared_columns_current.labels(table).set(len(seen))

    def consumed_from(self, topic: str, n: int = 1) -> None:
        self.consumed.labels(self._topic(topic)).inc(n)

    def produced_to(self, topic: str, source_ts_ms: int | None) -> None:
        self.produced.labels(self._topic(topic)).inc()
        if source_ts_ms is not None:
            self.end_to_end.observe(max(0.0, time.time() - source_ts_ms / 1000))

    def set_lag(self, topic: str, partition: int, lag: int) -> None:
        self.lag.labels(self._topic(topic), str(partition)).set(lag)

    def forget_partition(self, topic: str, partition: int) -> None:
        with contextlib.suppress(KeyError):
            self.lag.remove(self._topic(topic), str(partition))
