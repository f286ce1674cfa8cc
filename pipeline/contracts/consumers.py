"""Which consumer groups read each CDR topic: the groups with committed offsets on it,
asked of the broker with the admin API (for the catalog: whom to tell about a change)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pipeline.errors import CdrError

MAX_GROUPS = 2_000  # groups looked at per broker
TIMEOUT_S = 30.0


class BrokerError(CdrError):
    """The broker could not be asked (unreachable, not authorised)."""


def consumer_groups(settings: Mapping[str, Any], topics: Iterable[str]) -> dict[str, list[str]]:
    """topic -> sorted group ids with a committed offset on one of its partitions."""
    from confluent_kafka import ConsumerGroupTopicPartitions, KafkaException
    from confluent_kafka.admin import AdminClient

    wanted = set(topics)
    admin = AdminClient(dict(settings))
    out: dict[str, set[str]] = {t: set() for t in wanted}
    try:
        listing = admin.list_consumer_groups(request_timeout=TIMEOUT_S).result(timeout=TIMEOUT_S)
        groups = sorted(g.group_id for g in listing.valid)[:MAX_GROUPS]
        for group in groups:
            futures = admin.list_consumer_group_offsets(
                [ConsumerGroupTopicPartitions(group)], request_timeout=TIMEOUT_S
            )
            for future in futures.values():
                result = future.result(timeout=TIMEOUT_S)
                for tp in result.topic_partitions or ():
                    if tp.topic in wanted and tp.offset >= 0:
                        out[tp.topic].add(group)
    except KafkaException as exc:
        raise BrokerError(f"cannot list consumer groups: {exc.args[0] if exc.args else exc}") from None
    return {t: sorted(g) for t, g in out.items()}
