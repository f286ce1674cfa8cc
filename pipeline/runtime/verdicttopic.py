"""Guard hits on a compacted Kafka topic (``detection.verdicts_topic``, on by default for
``cdr run`` and ``cdr dlq replay``): the service's verdict memory, shared by every worker
and host of a deployment.

A column withheld by a guard hit (personal data in a released column, or in one declared
``none``) stays withheld in the process that saw it. Without a memory, a restart, a
rebalance that moves the partition to another worker, or a replay starts with the column
released again, and lets out the values the per-value guard does not flag on their own
until one it flags. Here each such verdict is one record: key, the keyed digest of table
and column (:class:`~pipeline.runtime.verdictmemory.Verdicts`: no name, no value);
value, the verdict line. The topic is compacted, so it keeps one record per column.

- **Start-up** reads the topic from its beginning to its end (the high watermarks taken
  first) before the first record is processed; a record that is not ours stops the
  start-up with its topic, partition and offset. At most ``MAX_ENTRIES`` columns, and
  ``READ_TIMEOUT_S``: a topic that cannot be read refuses the start, it is not skipped.
- **A guard hit** is produced by an idempotent producer of its own (``acks=all``) and
  flushed before the record that caused it goes on: a hit is rare (once per column). A
  write that fails is logged (``verdict_not_stored``); the column stays withheld here.
- **Workers that are running** (``cdr run``) read on from the end every
  ``FOLLOW_EVERY_S`` between batches: a hit one worker finds withholds the column in
  every other within about a second, whichever partitions each holds.
- **To release a column again** (a false hit), produce a tombstone (null value) with its
  key; the next start reads it as released (running workers keep it withheld).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from detectors.profiler import Profiler
from pipeline.errors import CdrError, InvalidFilesError, SourceFileError
from pipeline.runtime.logs import log
from pipeline.runtime.topics import create_topics
from pipeline.runtime.verdictmemory import _DIGEST, Verdicts, verdict_line

logger = logging.getLogger("cdr.detection")

READ_TIMEOUT_S = 60.0
MISSING_WAIT_S = 15.0  # for a topic just created to show in the metadata
FOLLOW_EVERY_S = 0.5  # how often a running worker reads what the others found
FOLLOW_BATCH = 500
WRITE_TIMEOUT_S = 10.0
TOPIC_CONFIG = {"cleanup.policy": "compact"}


class VerdictTopicError(CdrError):
    """The verdicts topic could not be read at start-up (the message names the topic)."""


class TopicVerdicts(Verdicts):
    """Verdicts on a compacted topic; :meth:`load` before the first record."""

    def __init__(self, kafka: dict[str, Any], topic: str, key: bytes) -> None:
        super().__init__(key)
        self.topic = topic
        self._kafka = dict(kafka)
        self._producer: Producer | None = None
        self._follower: Consumer | None = None  # stays at the topic's end (load(follow=...))
        self._profiler: Profiler | None = None
        self._next_catch_up = 0.0

    def ensure(self) -> None:
        """Create the topic (compacted, one partition) if it does not exist."""
        admin = AdminClient(self._kafka)
        if self.topic not in admin.list_topics(timeout=15).topics:
            create_topics(admin, [NewTopic(self.topic, 1, -1, config=TOPIC_CONFIG)])

    def load(self, timeout_s: float = READ_TIMEOUT_S, follow: Profiler | None = None) -> None:
        """Read every verdict on the topic, to its end as it is now. With ``follow``, the
        reader stays at the end: :meth:`catch_up` withholds ``follow``'s columns that other
        workers find afterwards."""
        consumer = Consumer(
            {
                **self._kafka,
                "group.id": f"cdr-verdicts-{uuid.uuid4().hex[:12]}",  # never committed: reads all
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
                "enable.partition.eof": True,  # the end of a partition is said, not waited for
            },
            logger=logging.getLogger("cdr.librdkafka.consumer"),
        )
        try:
            self._read_all(consumer, time.monotonic() + timeout_s)
        except KafkaException as exc:
            consumer.close()
            raise VerdictTopicError(
                f"detection.verdicts_topic {self.topic!r} could not be read ({exc.args[0].name()})"
            ) from None
        except BaseException:
            consumer.close()
            raise
        if follow is None:
            consumer.close()
        else:
            self._follower, self._profiler = consumer, follow

    def catch_up(self) -> None:
        """The verdicts other workers wrote since the last call (at most every
        ``FOLLOW_EVERY_S``; never blocks): each new one withholds the columns of the
        followed profiler it names, as if its own guard had hit. A record that is not ours
        is logged (topic, partition, offset) and skipped; a tombstone releases a column
        only at the next start."""
        if self._follower is None or time.monotonic() < self._next_catch_up:
            return
        self._next_catch_up = time.monotonic() + FOLLOW_EVERY_S
        try:
            messages = self._follower.consume(FOLLOW_BATCH, timeout=0)
        except KafkaException:
            return  # the broker watch reports an absent broker; read again next time
        for msg in messages:
            if msg.error() is not None:
                continue  # a partition's end, or a transient error the client retries
            key = msg.key()
            digest = key.decode("ascii", "replace") if key is not None else ""
            known = digest in self._withheld
            problem = self._apply(key, msg.value()) if msg.value() is not None else None
            if problem is not None:
                log(
                    logger,
                    logging.WARNING,
                    "verdict_record_ignored",
                    topic=self.topic,
                    partition=msg.partition(),
                    offset=msg.offset(),
                    problem=problem,
                )
            elif not known and digest in self._withheld:
                self._withhold_now(digest)

    def _withhold_now(self, digest: str) -> None:
        profiler = self._profiler
        assert profiler is not None
        reason = self._withheld[digest]
        for prof in list(profiler.profiles.values()):
            if self.digest(prof.table, prof.column) == digest:
                profiler.withhold(prof, reason)  # a new generation: rules compiled before are dropped

    def _ends(self, consumer: Consumer, deadline: float) -> dict[int, tuple[int, int]]:
        """``{partition: (low, high)}`` watermarks. A topic created a moment ago (by this
        start or another worker's) is not in every broker's metadata at once, nor its
        partitions' leaders: asked again until ``MISSING_WAIT_S``, then refused."""
        until = min(deadline, time.monotonic() + MISSING_WAIT_S)
        while True:
            try:
                meta = consumer.list_topics(self.topic, timeout=max(1.0, deadline - time.monotonic()))
                topic = meta.topics.get(self.topic)
                if topic is not None and topic.error is None and topic.partitions:
                    return {
                        partition: consumer.get_watermark_offsets(
                            TopicPartition(self.topic, partition), timeout=max(1.0, deadline - time.monotonic())
                        )
                        for partition in topic.partitions
                    }
            except KafkaException:
                if time.monotonic() >= until:
                    raise
            if time.monotonic() >= until:
                raise VerdictTopicError(
                    f"detection.verdicts_topic {self.topic!r} does not exist: create it (cleanup.policy=compact), "
                    "let the service create it (create_topics: true), or set detection.verdicts_topic: false"
                )
            time.sleep(0.2)

    def _read_all(self, consumer: Consumer, deadline: float) -> None:
        ends: dict[int, int] = {}
        starts = []
        for partition, (low, high) in self._ends(consumer, deadline).items():
            if high > low:
                ends[partition] = high
            starts.append(TopicPartition(self.topic, partition, low))
        consumer.assign(starts)  # every partition: a follower reads on from each one's end
        errors: list[SourceFileError] = []
        while ends:
            if time.monotonic() > deadline:
                raise VerdictTopicError(f"detection.verdicts_topic {self.topic!r} was not read to its end in time")
            for msg in consumer.consume(500, timeout=0.5):
                if msg.error() is not None:
                    if msg.error().code() == KafkaError._PARTITION_EOF:
                        ends.pop(msg.partition(), None)  # read to its end
                        continue
                    raise VerdictTopicError(f"detection.verdicts_topic {self.topic!r}: {msg.error().name()}")
                partition, offset = msg.partition(), msg.offset()
                problem = self._apply(msg.key(), msg.value())
                if problem is not None:
                    errors.append(SourceFileError(f"{self.topic}/{partition}", offset, problem))
                if partition in ends and offset >= ends[partition] - 1:
                    del ends[partition]
        if errors:
            raise InvalidFilesError(errors[:20])

    def _apply(self, key: bytes | None, value: bytes | None) -> str | None:
        """One record read back: a verdict, or a tombstone that releases its column; what is
        wrong with it otherwise (never quoting it)."""
        digest = key.decode("ascii", "replace") if key is not None else ""
        if not _DIGEST.match(digest):
            return "not a verdict record (its key is not a column digest)"
        if value is None:
            self._withheld.pop(digest, None)  # released by hand
            return None
        try:
            doc = json.loads(value)
        except ValueError:
            doc = None
        read = self._read(doc)
        if isinstance(read, str):
            return read
        if read[0] != digest:
            return "not a verdict record (its key and its column digest differ)"
        self._withheld.pop(digest, None)  # the newest record of a key counts
        self._recalled(*read)
        return None

    def _write(self, digest: str, reason: str) -> None:
        if self._producer is None:
            self._producer = Producer(
                {**self._kafka, "enable.idempotence": True, "acks": "all"},
                logger=logging.getLogger("cdr.librdkafka.producer"),
            )
        failed: list[str] = []

        def delivered(err: KafkaError | None, _msg: object) -> None:
            if err is not None:
                failed.append(err.name())

        try:
            self._producer.produce(
                self.topic, key=digest.encode(), value=verdict_line(digest, reason), on_delivery=delivered
            )
            left = self._producer.flush(WRITE_TIMEOUT_S)
        except (KafkaException, BufferError) as exc:
            failed.append(type(exc).__name__)
            left = 0
        if failed or left:
            log(
                logger,
                logging.ERROR,
                "verdict_not_stored",
                topic=self.topic,
                error=failed[0] if failed else "timed out",
            )

    def close(self) -> None:
        if self._producer is not None:
            self._producer.flush(WRITE_TIMEOUT_S)
        if self._follower is not None:
            self._follower.close()
            self._follower = None
