"""``cdr rebuild`` against the broker: read what a plan needs, then carry it out.

Reading (:func:`read_plan`) changes nothing: the CDR topic is read from its start to its
end as it is now, uncommitted records included (a stopped service's open transaction
still names source records), and only each record's ``cdr.source`` header is looked at.
Carrying out (:func:`execute`) checks again that the service's group has no member, then
deletes every CDR partition up to the end it was read to, and moves the group's offsets.
Records appended after the reading (by something other than the stopped service) stay.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient

from pipeline.config import Config
from pipeline.core.processor import SOURCE_HEADER
from pipeline.core.rebuildplan import RebuildPlan, SourcePartition, plan_rebuild, source_position
from pipeline.core.safenames import SafeNames, is_safe_form
from pipeline.errors import CdrError
from pipeline.runtime.logs import log

logger = logging.getLogger("cdr.rebuild")

_TIMEOUT_S = 30.0
_IDLE_S = 60.0  # no progress for this long while reading: the broker is not answering


class RebuildError(CdrError, RuntimeError):
    """The broker refused or did not answer (the message names topics and partitions)."""


def _consumer(config: Config) -> Consumer:
    settings = config.consumer_settings()
    return Consumer(
        {
            **settings,
            "group.id": f"{settings['group.id']}.rebuild-{uuid.uuid4().hex[:8]}",  # never joined: assigned
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "isolation.level": "read_uncommitted",
        }
    )


def group_members(admin: AdminClient, group: str) -> int:
    """Members of the service's consumer group now (0 when it does not exist)."""
    future = admin.describe_consumer_groups([group], request_timeout=_TIMEOUT_S)[group]
    try:
        return len(future.result().members)
    except KafkaException as exc:
        if exc.args[0].code() == KafkaError.GROUP_ID_NOT_FOUND:
            return 0
        raise RebuildError(f"cannot describe consumer group {group}: {exc.args[0].name()}") from None


def _partitions(consumer: Consumer, topic: str) -> list[int]:
    meta = consumer.list_topics(topic, timeout=_TIMEOUT_S).topics.get(topic)
    if meta is None or meta.error is not None:
        raise RebuildError(f"topic {topic} does not exist or cannot be read")
    return sorted(meta.partitions)


def read_positions(
    consumer: Consumer, topic: str, progress: Callable[[int], None]
) -> tuple[dict[int, int], dict[int, int], dict[SourcePartition, int], int]:
    """Each partition's start and end now, the oldest source offset per source partition
    that the records between name, and how many name none."""
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    for p in _partitions(consumer, topic):
        starts[p], ends[p] = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=_TIMEOUT_S)
    todo = {p for p in ends if ends[p] > starts[p]}
    consumer.assign([TopicPartition(topic, p, starts[p]) for p in sorted(todo)])
    oldest: dict[SourcePartition, int] = {}
    unattributed = read = 0
    idle_since = time.monotonic()
    while todo:
        batch = consumer.consume(500, 1.0)
        if not batch and time.monotonic() - idle_since > _IDLE_S:
            raise RebuildError(f"reading {topic} made no progress for {_IDLE_S:.0f} s")
        for msg in batch:
            err = msg.error()
            if err is not None:
                if err.code() == KafkaError._PARTITION_EOF and msg.offset() >= ends.get(msg.partition(), 0):
                    todo.discard(msg.partition())
                    continue
                if err.code() == KafkaError._PARTITION_EOF:
                    continue
                raise RebuildError(f"reading {topic}/{msg.partition()}: {err.name()}")
            idle_since = time.monotonic()
            if msg.offset() >= ends[msg.partition()]:
                todo.discard(msg.partition())  # appended after the ends were read: not planned for
                continue
            read += 1
            header = next((v for k, v in msg.headers() or () if k == SOURCE_HEADER), None)
            position = source_position(header)
            if position is None:
                unattributed += 1
            else:
                source = (position[0], position[1])
                if position[2] < oldest.get(source, position[2] + 1):
                    oldest[source] = position[2]
            if msg.offset() + 1 >= ends[msg.partition()]:
                todo.discard(msg.partition())
        progress(read)
    consumer.unassign()
    return starts, ends, oldest, unattributed


def read_plan(
    config: Config,
    cdr_topic: str,
    other_cdr_topics: dict[str, tuple[str, ...]],
    allow_loss: bool = False,
    progress: Callable[[int], None] = lambda n: None,
    names: SafeNames | None = None,
) -> RebuildPlan:
    """``names``: the deployment's (its hash key): a ``cdr.source`` header that names a
    topic in its safe form (``topic-...``, a topic nobody declared whose name is not
    plain) is traced back to the broker's topic of that digest."""
    group = config.consumer_settings()["group.id"]
    admin = AdminClient(_admin_settings(config))
    members = group_members(admin, group)
    consumer = _consumer(config)
    try:
        starts, ends, oldest, unattributed = read_positions(consumer, cdr_topic, progress)
        if names is not None and any(is_safe_form(topic) for topic, _ in oldest):
            oldest = resolve_topics(oldest, names, admin.list_topics(timeout=_TIMEOUT_S).topics)
        source_starts = {
            source: consumer.get_watermark_offsets(TopicPartition(*source), timeout=_TIMEOUT_S)[0] for source in oldest
        }
    finally:
        consumer.close()
    committed = _committed(config, group, list(oldest))
    plan = plan_rebuild(
        cdr_topic, group, ends, starts, oldest, unattributed, source_starts, committed, other_cdr_topics, members,
        allow_loss, names.topic if names is not None else str,
    )  # fmt: skip
    log(logger, logging.INFO, "rebuild_planned", topic=cdr_topic, group=group, records=plan.held)
    return plan


def resolve_topics(
    oldest: dict[SourcePartition, int], names: SafeNames, topics: Iterable[str]
) -> dict[SourcePartition, int]:
    """``oldest`` with each source topic named in its safe form replaced by the topic of
    ``topics`` that has that form (one no topic has is kept: reading it then fails)."""
    real = {shown: topic for topic in topics if (shown := names.topic(topic)) != topic}
    out: dict[SourcePartition, int] = {}
    for (topic, partition), offset in oldest.items():
        source = (real.get(topic, topic), partition)
        out[source] = min(offset, out.get(source, offset))
    return out


def _committed(config: Config, group: str, sources: list[SourcePartition]) -> dict[SourcePartition, int | None]:
    if not sources:
        return {}
    consumer = Consumer({**config.consumer_settings(), "group.id": group, "enable.auto.commit": False})
    try:  # reading a group's offsets does not join it
        tps = consumer.committed([TopicPartition(t, p) for t, p in sources], timeout=_TIMEOUT_S)
    finally:
        consumer.close()
    return {(tp.topic, tp.partition): (tp.offset if tp.offset >= 0 else None) for tp in tps}


def _admin_settings(config: Config) -> dict[str, Any]:
    return dict(config.kafka)


def execute(config: Config, plan: RebuildPlan) -> None:
    """Move the group's offsets, then delete the CDR topic up to the plan's ends (in this
    order: if the deletion fails, the next run republishes beside what is left, and a
    second ``cdr rebuild`` plans the same; the other order could delete what is then
    never made again). Refuses (RebuildError) if the plan has problems or the group has
    gained a member since it was read."""
    if plan.problems:
        raise RebuildError("the plan has problems: " + "; ".join(plan.problems))
    admin = AdminClient(_admin_settings(config))
    if group_members(admin, plan.group):
        raise RebuildError(f"consumer group {plan.group} has members again: stop every `cdr run` of it first")
    if plan.rewinds:
        offsets = [TopicPartition(r.topic, r.partition, r.resume_at) for r in plan.rewinds]
        request = ConsumerGroupTopicPartitions(plan.group, offsets)
        for future in admin.alter_consumer_group_offsets([request], request_timeout=_TIMEOUT_S).values():
            try:
                result = future.result()
            except KafkaException as exc:
                raise RebuildError(f"moving the offsets of group {plan.group}: {exc.args[0].name()}") from None
            failed = [tp for tp in result.topic_partitions if tp.error is not None]
            if failed:
                tp = failed[0]
                raise RebuildError(
                    f"moving group {plan.group} on {plan.shown(tp.topic)}/{tp.partition}: {tp.error.name()}"
                )
        log(logger, logging.INFO, "rebuild_rewound", group=plan.group, partitions=len(offsets))
    deletions = [TopicPartition(plan.cdr_topic, p, end) for p, end in plan.delete_to.items() if end > 0]
    if deletions:
        for tp, future in admin.delete_records(deletions, request_timeout=_TIMEOUT_S).items():
            try:
                future.result()
            except KafkaException as exc:
                raise RebuildError(f"deleting {tp.topic}/{tp.partition}: {exc.args[0].name()}") from None
        log(logger, logging.INFO, "rebuild_deleted", topic=plan.cdr_topic, partitions=len(deletions))
