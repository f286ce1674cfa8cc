"""Prometheus metrics, all behind one object with an injectable registry.

Label values come from declarations, topic names, column names and a fixed vocabulary
of reasons: never from record values. Column names are labels only in their safe form
(:mod:`pipeline.core.safenames`: declared or plain names as they are, others as a keyed
digest). Labels built from names seen at run time (topics, columns) are capped, column
labels per table too; past the cap they collapse into ``__other__`` so a misbehaving
source cannot explode cardinality.
"""

from __future__ import annotations

import contextlib
import platform
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from pipeline import __version__
from pipeline.core.events import DeadLetter, ProcessingReport, Published, Skipped
from pipeline.core.safenames import SafeNames
from pipeline.runtime.histogram import ListHistogram

if TYPE_CHECKING:
    from detectors.profiler import Profiler
    from pipeline.core.declaration import DeclarationSet
    from pipeline.runtime.health import Health

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
        self,
        registry: CollectorRegistry | None = None,
        max_topics: int = 500,
        max_columns: int = 2000,
        max_columns_per_table: int = 200,
        names: SafeNames | None = None,
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        # The processor's names (its deployment key, its declarations); without them a
        # random key keeps labels safe, though digests then change with each process.
        self.names = names if names is not None else SafeNames.ephemeral()
        self._topic = _Bounded(max_topics)
        self._column = _Bounded(max_columns)
        self._per_table_limit = max_columns_per_table
        self._table_columns: dict[str, _Bounded] = {}
        # (table, column) -> its label: the caps only ever admit more, so a label once
        # given is the label for good; bounded, past it labels are worked out each time.
        self._labels: dict[tuple[str, str], tuple[str, str]] = {}  # -> (label, safe form)
        self._labels_limit = max_topics * max_columns_per_table
        self.consumed = Counter("cdr_events_consumed", "Records consumed from source topics.", ["topic"], registry=r)
        self.dead_letters = Counter(
            "cdr_dead_letters", "Records sent to the dead-letter topic.", ["stage", "reason"], registry=r
        )
        self.skipped = Counter(
            "cdr_records_skipped",
            "Records not republished: undeclared topics, heartbeats, transaction and schema-change events.",
            ["topic", "reason"],
            registry=r,
        )
        # Per-record counters are kept in plain dicts and read at scrape time (a
        # prometheus_client .inc() per field per record would cost more than the work).
        self._fields: dict[tuple[str, str], int] = {}
        self._undeclared_events: dict[tuple[str, str], int] = {}
        self._detections: dict[tuple[str, str, str, str], int] = {}
        self._undeclared_seen: dict[str, set[str]] = {}
        self._undeclared_keys: dict[tuple[str, tuple[str, ...]], tuple[tuple[str, str], ...]] = {}
        self._missing: dict[str, tuple[str, ...]] = {}  # per table, as of its latest record
        self._produced: dict[str, int] = {}  # per CDR topic label: acknowledged records
        r.register(_DictCollector(self))
        # observed on every record: counted in lists (pipeline.runtime.histogram)
        self.processing = ListHistogram(
            "cdr_processing_seconds", "Processing-core time per record.", buckets=LATENCY_BUCKETS, registry=r
        )
        self.end_to_end = ListHistogram(
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
        self.paused = Gauge(
            "cdr_backpressure_paused", "1 while consumption is paused for a full producer queue.", registry=r
        )
        self.pauses = Counter("cdr_backpressure_pauses", "Times consumption was paused for backpressure.", registry=r)
        self.transactions = Counter(
            "cdr_transactions", "Exactly-once transactions, by result (committed, aborted).", ["result"], registry=r
        )
        self.ready = Gauge("cdr_ready", "1 when partitions are assigned and the broker answers.", registry=r)
        self.delivery_failures = Counter(
            "cdr_delivery_failures", "Produce requests that failed for good.", ["kind"], registry=r
        )
        self.scanner_seconds = Histogram(
            "cdr_scanner_seconds",
            "Time in batched NER over free text, per batch of records.",
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=r,
        )
        self.build = Info("cdr_build", "Build information.", registry=r)
        self.build.info({"version": __version__, "python": platform.python_version()})

    def serve(self, host: str, port: int, health: Health | None = None) -> int:
        """Serve /metrics (and /healthz, /readyz); returns the bound port (0 picks a free one)."""
        from pipeline.runtime.health import serve

        _server, bound = serve(host, port, self.registry, health)
        return bound

    def record_outcome(self, outcome: Published | DeadLetter | Skipped) -> None:
        self.record_outcomes((outcome,))

    def record_outcomes(self, outcomes: Iterable[Published | DeadLetter | Skipped]) -> None:
        """Count a batch's outcomes. The reports of a table's records mostly share their
        parts (the core hands out one tuple per combination of plans): each distinct
        report is counted once, times its records, rather than worked through per record
        (a tenth of ``cdr run``'s loop went to that and to the counters below)."""
        reports: dict[tuple[int, int, int, int], list[Any]] = {}  # by its parts: [report, records]
        latest: dict[str, ProcessingReport] = {}
        for outcome in outcomes:
            if type(outcome) is Published:
                report = outcome.report
                parts = (
                    id(report.table),
                    id(report.fields_transformed),
                    id(report.undeclared_columns),
                    id(report.detections),
                )
                seen = reports.get(parts)
                if seen is None:
                    reports[parts] = [report, 1]
                else:
                    seen[1] += 1
                latest[report.table] = report
            elif isinstance(outcome, DeadLetter):
                self.dead_letters.labels(outcome.stage, outcome.reason).inc()
            else:
                self.skipped.labels(self._topic_label(outcome.source.topic), outcome.reason).inc()
        for report, records in reports.values():
            self._count_report(report, records)
        for table, report in latest.items():
            if report.missing_columns or table in self._missing:
                self._missing[table] = report.missing_columns

    def _count_report(self, report: ProcessingReport, records: int) -> None:
        table = report.table
        fields = self._fields
        for treatment, n in report.fields_transformed:
            key = (table, treatment)
            fields[key] = fields.get(key, 0) + n * records
        if report.undeclared_columns:
            self._note_undeclared(table, report.undeclared_columns, records)
        if report.detections:
            detections = self._detections
            for column, entity, source, n in report.detections:
                dkey = (table, self._column_label(table, column), entity, source)
                detections[dkey] = detections.get(dkey, 0) + n * records

    def _column_label(self, table: str, column: str) -> str:
        """The column's safe form, within the per-table and overall caps."""
        return self._label_and_name(table, column)[0]

    def _label_and_name(self, table: str, column: str) -> tuple[str, str]:
        key = (table, column)
        hit = self._labels.get(key)
        if hit is None:
            hit = (self._new_label(table, column), self.names.column(table, column))
            if len(self._labels) < self._labels_limit:
                self._labels[key] = hit
        return hit

    def _new_label(self, table: str, column: str) -> str:
        label = self.names.column(table, column)
        per_table = self._table_columns.get(table)
        if per_table is None:
            if len(self._table_columns) >= self._topic.limit:
                return OTHER
            per_table = self._table_columns[table] = _Bounded(self._per_table_limit)
        if per_table(label) == OTHER:
            return OTHER
        return label if self._column(f"{table}.{label}") != OTHER else OTHER

    def _note_undeclared(self, table: str, columns: Iterable[str], records: int = 1) -> None:
        # A table's records mostly carry the same undeclared columns (the processor hands
        # out one tuple per combination): their counter keys are worked out once.
        memo = (table, columns) if isinstance(columns, tuple) else None
        keys = self._undeclared_keys.get(memo) if memo is not None else None
        if keys is None:
            seen = self._undeclared_seen.setdefault(table, set())
            found = []
            for column in columns:
                label, name = self._label_and_name(table, column)
                found.append((table, label))
                if len(seen) < 2000:
                    seen.add(name)
            keys = tuple(found)
            if memo is not None and len(self._undeclared_keys) < 1000:
                self._undeclared_keys[memo] = keys
        events = self._undeclared_events
        for key in keys:
            events[key] = events.get(key, 0) + records

    def watch_detection(self, profiler: Profiler, declarations: DeclarationSet) -> None:
        """Expose the column profiler's state (verdicts, drift, undeclared PII); its
        column names become labels through :meth:`_column_label` (safe form, capped)."""
        self.registry.register(_DetectionCollector(profiler, declarations, self._column_label))

    def _topic_label(self, topic: str) -> str:
        """A topic as a label: its safe form (a topic nobody declared can be named after
        a person), within the cap."""
        return self._topic(self.names.topic(topic))

    def consumed_from(self, topic: str, n: int = 1) -> None:
        self.consumed.labels(self._topic_label(topic)).inc(n)

    def produced_to(self, topic: str, source_ts_ms: int | None) -> None:
        """A record acknowledged on a CDR topic (declared, or made from a safe form):
        counted in a dict, read at scrape time (called once a record, in the delivery
        callback)."""
        label = self._topic(topic)
        produced = self._produced
        produced[label] = produced.get(label, 0) + 1
        if source_ts_ms is not None:
            self.end_to_end.observe(max(0.0, time.time() - source_ts_ms / 1000))

    def set_lag(self, topic: str, partition: int, lag: int) -> None:
        self.lag.labels(self._topic_label(topic), str(partition)).set(lag)

    def forget_partition(self, topic: str, partition: int) -> None:
        with contextlib.suppress(KeyError):
            self.lag.remove(self._topic_label(topic), str(partition))


class _DictCollector(Collector):
    def __init__(self, metrics: Metrics) -> None:
        self.m = metrics

    def collect(self) -> Iterator[Metric]:
        fields = CounterMetricFamily(
            "cdr_fields_transformed", "Field values treated, per table and treatment.", labels=["table", "treatment"]
        )
        for (table, treatment), n in list(self.m._fields.items()):
            fields.add_metric([table, treatment], n)
        yield fields
        produced = CounterMetricFamily("cdr_events_produced", "Records acknowledged on CDR topics.", labels=["topic"])
        for topic, n in list(self.m._produced.items()):
            produced.add_metric([topic], n)
        yield produced
        events = CounterMetricFamily(
            "cdr_undeclared_column_events",
            "Events carrying a column the table's declaration does not list.",
            labels=["table", "column"],
        )
        for (table, column), n in list(self.m._undeclared_events.items()):
            events.add_metric([table, column], n)
        yield events
        seen = GaugeMetricFamily(
            "cdr_undeclared_columns", "Distinct undeclared columns seen since start, per table.", labels=["table"]
        )
        for table, columns in list(self.m._undeclared_seen.items()):
            seen.add_metric([table], len(columns))
        yield seen
        detections = CounterMetricFamily(
            "cdr_pii_detections",
            "Values treated as personal data, per table, column, entity and source (declared, detected, drift).",
            labels=["table", "column", "entity", "source"],
        )
        for labels, n in list(self.m._detections.items()):
            detections.add_metric(list(labels), n)
        yield detections
        missing = GaugeMetricFamily(
            "cdr_declared_column_missing",
            "Declared columns absent from the table's latest record (dropped upstream?): 1 per column.",
            labels=["table", "column"],
        )
        for table, columns in list(self.m._missing.items()):
            for column in columns:
                missing.add_metric([table, self.m._column_label(table, column)], 1)
        yield missing


class _DetectionCollector(Collector):
    def __init__(
        self, profiler: Profiler, declarations: DeclarationSet, column_label: Callable[[str, str], str]
    ) -> None:
        self.profiler = profiler
        self.declared = {d.table: d for d in declarations.by_topic.values()}
        self.column_label = column_label

    def collect(self) -> Iterator[Metric]:
        from detectors.profiler import FREE, JSON, PENDING, PII, WITHHELD

        verdicts = GaugeMetricFamily(
            "cdr_column_verdict",
            "The profiler's current verdict per observed column (1 per column).",
            labels=["table", "column", "state", "entity"],
        )
        undeclared_pii = GaugeMetricFamily(
            "cdr_undeclared_pii_columns", "Undeclared columns the detector found personal data in.", labels=["table"]
        )
        pending = GaugeMetricFamily(
            "cdr_undeclared_columns_pending",
            "Undeclared columns withheld: too few values yet, or no positive evidence they hold no personal data.",
            labels=["table"],
        )
        drift = GaugeMetricFamily(
            "cdr_pii_drift",
            "Columns declared pii: none in which personal data was detected.",
            labels=["table", "column", "entity"],
        )
        unmatched = GaugeMetricFamily(
            "cdr_declared_pii_unmatched",
            "Declared PII columns whose values never matched their entity in a full sample.",
            labels=["table", "column", "entity"],
        )
        # A column can have several profiles (one per schema version, or one per source
        # topic when two connectors capture the same table); each series is emitted once.
        seen_verdicts: set[tuple[str, str, str, str]] = set()
        pii_columns: dict[str, set[str]] = {}
        pending_columns: dict[str, set[str]] = {}
        drifted: set[tuple[str, str, str]] = set()
        unmatched_columns: set[tuple[str, str, str]] = set()
        for (table, column, _type), prof in list(self.profiler.profiles.items()):
            v = prof.verdict
            label = self.column_label(table, column)
            seen_verdicts.add((table, label, v.state, v.entity or ""))
            found_pii = v.state in (PII, FREE) or (v.state == JSON and v.entity is not None)
            decl = self.declared.get(table)
            col = decl.columns.get(column) if decl is not None else None
            if col is None:
                if found_pii:
                    pii_columns.setdefault(table, set()).add(label)
                elif v.state in (PENDING, WITHHELD):
                    pending_columns.setdefault(table, set()).add(label)
            elif col.pii == "none" and found_pii:
                drifted.add((table, label, v.entity or v.state))
            elif col.pii not in ("none", "free_text") and self.profiler.unmatched(prof, col.pii):
                unmatched_columns.add((table, label, col.pii))
        for labels in sorted(seen_verdicts):
            verdicts.add_metric(list(labels), 1)
        for labels in sorted(drifted):
            drift.add_metric(list(labels), 1)
        for labels in sorted(unmatched_columns):
            unmatched.add_metric(list(labels), 1)
        for table in self.declared:
            undeclared_pii.add_metric([table], len(pii_columns.get(table, ())))
            pending.add_metric([table], len(pending_columns.get(table, set()) - pii_columns.get(table, set())))
        yield from (verdicts, undeclared_pii, pending, drift, unmatched)
