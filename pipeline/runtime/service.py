"""The long-running service: consume Debezium topics, process, produce CDR records.

``delivery: exactly_once`` follows the contract in :mod:`pipeline.runtime.transactions`.
Delivery contract (``delivery: at_least_once``, the default):

1. The consumer never commits on its own (``enable.auto.commit=false``).
2. Each batch from ``consume()`` is processed record by record, in partition order;
   every CDR and dead-letter record is produced by one idempotent producer
   (``acks=all``), so per-partition order, and with it per-key order, is kept.
3. Each produced record's delivery report is tied to its source offset
   (:mod:`pipeline.runtime.offsets`); offsets are committed only up to the last record
   whose outputs were all acknowledged.
4. A delivery that fails for good (including a dead-letter write) blocks the commit for
   its partition and stops the service with a non-zero exit: on restart the record is
   consumed again. Nothing is lost; duplicates are possible.
5. On SIGTERM/SIGINT: stop fetching, flush the producer, commit what is acknowledged,
   close the consumer (leaving the group).
6. On partition revocation: flush, commit what is acknowledged for those partitions,
   forget them. On partition loss: forget them without committing.

Both modes: when the producer's queue holds ``backpressure.high_watermark`` records
(a slow or unreachable broker), every assigned partition is paused until it drains to
``low_watermark``, so memory stays bounded while the group membership is kept. The loop
beats a :class:`~pipeline.runtime.health.Health` that ``/healthz`` and ``/readyz`` report.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from pipeline.config import Config
from pipeline.core.events import CdrRecord, DeadLetter, Outcome, Published, SourceRecord
from pipeline.core.processor import Processor
from pipeline.runtime.bootstrap import freeze_start_up
from pipeline.runtime.deadletter import DeadLetterSealer, dead_letter_record
from pipeline.runtime.health import BrokerWatch, Health
from pipeline.runtime.logs import log
from pipeline.runtime.metrics import Metrics
from pipeline.runtime.offsets import Entry, OffsetTracker
from pipeline.runtime.producing import produce
from pipeline.runtime.producing import producer_settings as build_producer_settings
from pipeline.runtime.topics import create_topics
from pipeline.runtime.transactions import (
    TransactionFatal,
    TransactionFenced,
    Transactions,
    TxnResult,
    is_fenced,
    raise_for,
)
from pipeline.tracebacks import frames
from pipeline.vocabulary import ExitCode

logger = logging.getLogger("cdr.service")

_FIXED_CONSUMER = {"enable.auto.commit": False, "enable.auto.offset.store": False}


class Service:
    def __init__(self, config: Config, processor: Processor, metrics: Metrics) -> None:
        self.config = config
        self.processor = processor
        self.metrics = metrics
        self.tracker = OffsetTracker()
        self._stopping = False
        self._fatal: str | None = None
        self._logged_skips: set[str] = set()
        self._logged_undeclared: set[tuple[str, str]] = set()
        # per table: the names of the last report it logged (undeclared, missing columns)
        self._logged_reports: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._assigned: set[tuple[str, int]] = set()
        self._paused = False
        self._abandoned = False  # a failure: leave the group without committing anything more
        self.health = Health()
        consumer_settings = {**config.consumer_settings(), **_FIXED_CONSUMER}
        consumer_settings.setdefault("isolation.level", "read_committed")
        if consumer_settings.get("group.instance.id"):  # static membership: one id per worker
            consumer_settings["group.instance.id"] = f"{consumer_settings['group.instance.id']}-{config.worker_id}"
        producer_settings = build_producer_settings(config, transactional=config.exactly_once)
        self._producer_fatal: KafkaError | None = None
        producer_settings["error_cb"] = self._on_producer_error
        self.consumer = Consumer(consumer_settings, logger=logging.getLogger("cdr.librdkafka.consumer"))
        self.producer = Producer(producer_settings, logger=logging.getLogger("cdr.librdkafka.producer"))
        self.hard_exit = False  # leave without closing the clients (they would block on an absent broker)
        self.txn = Transactions(self.producer, config.transaction_timeout_s) if config.exactly_once else None
        self.sealer = DeadLetterSealer.from_config(config.dlq_encryption_key)
        self._admin_settings = dict(config.kafka)
        # called once per loop, after a batch (or none): short and never blocking
        # (pipeline.runtime.verdicttopic: other workers' guard hits)
        self.between_batches: list[Callable[[], None]] = []

    # -- lifecycle ----------------------------------------------------------------------

    def request_stop(self, *_: Any) -> None:
        if not self._stopping:
            log(logger, logging.INFO, "stop_requested")
        self._stopping = True

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)

    def subscription(self) -> list[str]:
        if self.config.source_topics:
            return list(self.config.source_topics)
        return self.processor.declarations.source_topics

    def ensure_topics(self) -> None:
        """Create the CDR topics and the dead-letter topic if they do not exist, with the
        source topic's partition count."""
        admin = AdminClient(self._admin_settings)
        meta = admin.list_topics(timeout=15)
        existing = meta.topics
        wanted: dict[str, int] = {}
        for decl in self.processor.declarations.by_topic.values():
            src = existing.get(decl.source_topic)
            wanted[decl.cdr_topic] = max(1, len(src.partitions)) if src is not None and src.partitions else 1
        wanted[self.config.dead_letter_topic] = max(wanted.values(), default=1)
        dlq_config = {"max.message.bytes": str(self.config.dead_letter_max_bytes + 65536)}
        missing = [
            NewTopic(t, n, -1, config=dlq_config if t == self.config.dead_letter_topic else {})
            for t, n in wanted.items()
            if t not in existing
        ]
        create_topics(admin, missing)

    def run(self) -> int:
        topics = self.subscription()
        self.metrics.declarations.set(len(self.processor.declarations))
        log(
            logger,
            logging.INFO,
            "starting",
            topics=topics,
            delivery=self.config.delivery,
            dead_letter_topic=self.config.dead_letter_topic,
            worker=self.config.worker_id,
            dead_letters_encrypted=self.sealer is not None,
        )
        # Each full collection would walk what start-up built: a pause every record in
        # flight waits for.
        freeze_start_up()
        watch = BrokerWatch(lambda timeout: self.producer.list_topics(timeout=timeout), self.health).start()
        try:
            if self.txn is not None:
                self.txn.init()
                log(logger, logging.INFO, "transactions_ready", transactional_id=self.config.transactional_id)
            self.consumer.subscribe(topics, on_assign=self._on_assign, on_revoke=self._on_revoke, on_lost=self._on_lost)
            return self._loop()
        except TransactionFenced:
            log(logger, logging.ERROR, "producer_fenced", transactional_id=self.config.transactional_id)
            self._close(commit=False)
            return ExitCode.FENCED
        except Exception as exc:
            # A bug or a fatal client error: commit nothing more, leave, exit non-zero.
            err = exc.args[0] if isinstance(exc, KafkaException) and exc.args else None
            if isinstance(exc, TransactionFatal):
                err = exc.error
            if isinstance(err, KafkaError) and self._fenced(err):  # raised from a call not wrapped above
                log(logger, logging.ERROR, "producer_fenced", transactional_id=self.config.transactional_id)
                self._close(commit=False)
                return ExitCode.FENCED
            code = err.name() if isinstance(err, KafkaError) else None
            log(logger, logging.ERROR, "loop_failed", error_class=type(exc).__name__, code=code, frames=frames(exc))
            self._close(commit=False)
            return ExitCode.ERROR
        finally:
            watch.stop()

    def _on_producer_error(self, err: KafkaError) -> None:
        if err.fatal():
            self._producer_fatal = err

    def _fenced(self, err: KafkaError) -> bool:
        """Fenced, or the producer's fatal state (``_FATAL``) whose cause was a fence."""
        if is_fenced(err):
            return True
        if err.code() == KafkaError._FATAL:
            try:
                self.producer.poll(0)  # serve the error callback that names the cause
            except KafkaException as exc:  # ... or the cause comes back raised
                return bool(exc.args) and isinstance(exc.args[0], KafkaError) and is_fenced(exc.args[0])
            return self._producer_fatal is not None and is_fenced(self._producer_fatal)
        return False

    def _loop(self) -> int:
        last_commit = last_lag = time.monotonic()
        while not self._stopping and self._fatal is None:
            self.health.beat()
            self._apply_backpressure()
            messages = self._consume()
            if messages:
                self._handle_batch(messages)
            for call in self.between_batches:
                call()
            self.producer.poll(0)
            now = time.monotonic()
            if self.txn is None and now - last_commit >= self.config.commit_interval_s:
                self._commit(asynchronous=True)
                last_commit = now
            if now - last_lag >= self.config.lag_interval_s:
                self._update_lag()
                last_lag = now
            ready, _ = self.health.ready()
            self.metrics.ready.set(1 if ready else 0)
            if self.health.broker_down_for() > self.config.broker_timeout_s and self.config.exit_on_broker_timeout:
                log(logger, logging.ERROR, "broker_unreachable", seconds=round(self.health.broker_down_for(), 1))
                self._abandoned = True  # commit nothing; closing would wait for the absent broker
                self.hard_exit = True
                return ExitCode.BROKER_TIMEOUT
        return self._shutdown()

    def _consume(self) -> list[Message]:
        """A batch of at most ``batch.size`` records: what the client has already fetched,
        without waiting; when nothing is, the first records to arrive within
        ``batch.timeout_ms`` and what came with them. A batch never waits to fill up: under
        load batches are full (NER per batch stays efficient), at a low rate a record is
        processed as soon as it arrives (latency)."""
        size = self.config.batch_size
        messages = self.consumer.consume(size, 0)
        if messages:
            return messages
        messages = self.consumer.consume(1, self.config.batch_timeout_s)
        if messages and size > 1:
            messages.extend(self.consumer.consume(size - 1, 0))
        return messages

    def _apply_backpressure(self) -> None:
        """Pause every assigned partition while the producer queue is over the high
        watermark; resume once it drains to the low one (bounded memory, group kept)."""
        queued = len(self.producer)
        if not self._paused and queued >= self.config.backpressure_high:
            self._set_paused(True, queued)
        elif self._paused and queued <= self.config.backpressure_low:
            self._set_paused(False, queued)
        if self._paused:
            self.producer.poll(0.05)

    def _set_paused(self, paused: bool, queued: int) -> None:
        assignment = self.consumer.assignment()
        if assignment:
            (self.consumer.pause if paused else self.consumer.resume)(assignment)
        self._paused = paused
        self.metrics.paused.set(1 if paused else 0)
        if paused:
            self.metrics.pauses.inc()
        log(logger, logging.WARNING if paused else logging.INFO, "paused" if paused else "resumed", queued=queued)

    def _shutdown(self) -> int:
        log(logger, logging.INFO, "shutting_down", in_flight=self.tracker.in_flight())
        remaining = self.producer.flush(self.config.shutdown_timeout_s)
        if remaining:
            log(logger, logging.WARNING, "flush_incomplete", undelivered=remaining)
        self._close(commit=self.txn is None)  # exactly-once: every batch committed its own offsets
        if self._fatal is not None:
            log(logger, logging.ERROR, "stopped_on_failure", reason=self._fatal)
            return ExitCode.DELIVERY_FAILED
        log(logger, logging.INFO, "stopped")
        return ExitCode.OK

    def _close(self, commit: bool) -> None:
        self._abandoned = not commit
        try:
            if commit:
                self._commit(asynchronous=False)
        finally:
            self.consumer.close()

    # -- records ------------------------------------------------------------------------

    def _handle_batch(self, messages: list[Message]) -> None:
        records: list[SourceRecord] = []
        for msg in messages:
            err = msg.error()
            if err is not None:
                if err.code() == KafkaError._PARTITION_EOF:
                    continue
                if err.fatal():
                    raise_for(err)  # fenced (static membership taken over) or another fatal error
                log(logger, logging.WARNING, "consume_error", code=err.name())
                continue
            ts_type, ts = msg.timestamp()
            records.append(
                SourceRecord(
                    topic=msg.topic(),
                    partition=msg.partition(),
                    offset=msg.offset(),
                    key=msg.key(),
                    value=msg.value(),
                    headers=tuple(msg.headers() or ()),
                    timestamp_ms=ts if ts_type != 0 else None,
                )
            )
        if not records:
            return
        if self.txn is not None:
            self._handle_transaction(records)
            return
        entries: list[Entry | None] = [self.tracker.open((r.topic, r.partition), r.offset) for r in records]
        self._process(records, entries)
        for entry in entries:
            assert entry is not None
            self.tracker.seal(entry)

    def _handle_transaction(self, records: list[SourceRecord]) -> None:
        """Steps 3-5 of the exactly-once contract for one consumed batch."""
        assert self.txn is not None
        first: dict[tuple[str, int], int] = {}
        last: dict[tuple[str, int], int] = {}
        for r in records:
            first.setdefault((r.topic, r.partition), r.offset)
            last[(r.topic, r.partition)] = r.offset
        self.txn.begin()
        self._process(records, [None] * len(records))
        offsets = [TopicPartition(t, p, o + 1) for (t, p), o in last.items()]
        result = self.txn.commit(offsets, self.consumer.consumer_group_metadata())
        self.metrics.transactions.labels(result.value).inc()
        if result is TxnResult.ABORTED:
            log(logger, logging.WARNING, "transaction_aborted", records=len(records))
            for (t, p), offset in first.items():
                if (t, p) in self._assigned:
                    self.consumer.seek(TopicPartition(t, p, offset))

    def _process(self, records: list[SourceRecord], entries: list[Entry | None]) -> None:
        ner_before = self.processor.ner_seconds
        started = time.perf_counter()
        outcomes = self.processor.process_batch(records)
        per_record = (time.perf_counter() - started) / len(records)
        ner = self.processor.ner_seconds - ner_before
        if ner > 0:
            self.metrics.scanner_seconds.observe(ner)
        topics: dict[str, int] = {}
        for rec in records:
            topics[rec.topic] = topics.get(rec.topic, 0) + 1
        for topic, n in topics.items():
            self.metrics.consumed_from(topic, n)
        self.metrics.record_outcomes(outcomes)
        self.metrics.processing.observe_many(per_record, len(records))
        for rec, entry, outcome in zip(records, entries, outcomes, strict=True):
            self._dispatch(rec, entry, outcome)

    def _dispatch(self, rec: SourceRecord, entry: Entry | None, outcome: Outcome) -> None:
        tp = (rec.topic, rec.partition)
        if isinstance(outcome, Published):
            self._log_undeclared(outcome)
            for out in outcome.records:
                self._produce(out, entry, tp, outcome.report.source_ts_ms)
        elif isinstance(outcome, DeadLetter):
            log(
                logger,
                logging.WARNING,
                "dead_letter",
                topic=self.processor.names.topic(rec.topic),
                partition=rec.partition,
                offset=rec.offset,
                stage=outcome.stage,
                reason=outcome.reason,
                error_class=outcome.error_class,
                message=outcome.message,
                frames=outcome.frames,
            )
            self._produce(
                dead_letter_record(outcome, self.config.dead_letter_topic, sealer=self.sealer), entry, tp, None
            )
        elif rec.topic not in self._logged_skips:
            self._logged_skips.add(rec.topic)
            log(
                logger,
                logging.INFO,
                "skipping_records",
                topic=self.processor.names.topic(rec.topic),
                reason=outcome.reason,
            )

    def _produce(self, out: CdrRecord, entry: Entry | None, tp: tuple[str, int], source_ts: int | None) -> None:
        if entry is not None:
            self.tracker.add_delivery(entry)
        dead = out.topic == self.config.dead_letter_topic
        callback = self._delivery_callback(entry, tp, out.topic, source_ts, dead)
        try:
            produce(self.producer, out, callback)
        except KafkaException as exc:
            if exc.args[0].fatal() or is_fenced(exc.args[0]):
                raise_for(exc.args[0])
            raise

    def _delivery_callback(
        self, entry: Entry | None, tp: tuple[str, int], out_topic: str, source_ts: int | None, dead: bool
    ) -> Callable[[KafkaError | None, Message], None]:
        def on_delivery(err: KafkaError | None, _msg: Message) -> None:
            if err is None:
                if entry is not None:
                    self.tracker.delivered(entry)
                if not dead:
                    self.metrics.produced_to(out_topic, source_ts)
                return
            kind = "dead_letter" if dead else "cdr"
            self.metrics.delivery_failures.labels(kind).inc()
            if entry is None:  # exactly-once: the transaction fails to commit and is retried
                log(logger, logging.WARNING, "delivery_failed_in_transaction", topic=out_topic, code=err.name())
                return
            self.tracker.failed(tp)
            log(
                logger,
                logging.ERROR,
                "delivery_failed",
                topic=out_topic,
                source_topic=self.processor.names.topic(tp[0]),
                source_partition=tp[1],
                source_offset=entry.offset,
                code=err.name(),
            )
            self._fatal = f"{kind} delivery failed ({err.name()})"

        return on_delivery

    def _log_undeclared(self, outcome: Published) -> None:
        report = outcome.report
        table = report.table
        # A table's records share their reports' tuples (one per combination of plans):
        # the ones already logged are known by identity (held here, so never reused).
        logged = self._logged_reports.get(table)
        if logged is not None and logged[0] is report.undeclared_columns and logged[1] is report.missing_columns:
            return
        if len(self._logged_reports) < 10_000 or table in self._logged_reports:
            self._logged_reports[table] = (report.undeclared_columns, report.missing_columns)
        for column in outcome.report.undeclared_columns:
            if (table, column) not in self._logged_undeclared and len(self._logged_undeclared) < 10_000:
                self._logged_undeclared.add((table, column))
                log(logger, logging.WARNING, "undeclared_column", table=table, column=column)
        for column in outcome.report.missing_columns:
            if (table, f"-{column}") not in self._logged_undeclared and len(self._logged_undeclared) < 10_000:
                self._logged_undeclared.add((table, f"-{column}"))
                log(logger, logging.WARNING, "declared_column_missing", table=table, column=column)

    # -- commits and rebalances ---------------------------------------------------------

    def _commit(self, asynchronous: bool, only: set[tuple[str, int]] | None = None) -> None:
        offsets = self.tracker.committable(only, force=not asynchronous)
        if not offsets:
            return
        tps = [TopicPartition(t, p, o) for (t, p), o in offsets.items()]
        try:
            self.consumer.commit(offsets=tps, asynchronous=asynchronous)
            self.tracker.mark_committed(offsets)
            self.metrics.commits.labels("ok" if not asynchronous else "sent").inc()
        except KafkaException as exc:
            self.metrics.commits.labels("failed").inc()
            log(logger, logging.WARNING, "commit_failed", code=exc.args[0].name())

    def _on_assign(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self.metrics.rebalances.labels("assign").inc()
        self._assigned |= {(p.topic, p.partition) for p in partitions}
        self.metrics.assigned.set(len(self._assigned))
        self.health.assigned = len(self._assigned)
        if partitions:  # librdkafka keeps a partition's pause flag across assignments: set it explicitly
            (self.consumer.pause if self._paused else self.consumer.resume)(partitions)
        log(
            logger,
            logging.INFO,
            "partitions_assigned",
            partitions=self._shown({(p.topic, p.partition) for p in partitions}),
        )

    def _on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self.metrics.rebalances.labels("revoke").inc()
        tps = {(p.topic, p.partition) for p in partitions}
        if self.txn is None and not self._abandoned:  # exactly-once: no transaction is open inside consume()
            self.producer.flush(self.config.shutdown_timeout_s)
            self._commit(asynchronous=False, only=tps)
        self._forget(tps)
        log(logger, logging.INFO, "partitions_revoked", partitions=self._shown(tps))

    def _on_lost(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self.metrics.rebalances.labels("lost").inc()
        tps = {(p.topic, p.partition) for p in partitions}
        self._forget(tps)
        log(logger, logging.WARNING, "partitions_lost", partitions=self._shown(tps))

    def _shown(self, tps: set[tuple[str, int]]) -> list[str]:
        """Partitions as log lines name them: each topic in its safe form (a topic nobody
        declared can be named after a person), on every rebalance event alike."""
        return sorted(f"{self.processor.names.topic(t)}/{p}" for t, p in tps)

    def _forget(self, tps: set[tuple[str, int]]) -> None:
        self.tracker.forget(tps)
        self._assigned -= tps
        self.health.assigned = len(self._assigned)
        for t, p in tps:
            self.metrics.forget_partition(t, p)
        self.metrics.assigned.set(len(self._assigned))

    def _update_lag(self) -> None:
        try:
            assignment = self.consumer.assignment()
            if not assignment:
                return
            positions = self.consumer.position(assignment)
        except KafkaException:
            return
        for tp in positions:
            try:
                _low, high = self.consumer.get_watermark_offsets(tp, cached=True)
            except KafkaException:
                continue
            if tp.offset >= 0 and high >= 0:
                self.metrics.set_lag(tp.topic, tp.partition, max(0, high - tp.offset))
