"""Creating the topics the service writes (``create_topics: true``): the CDR topics, the
dead-letter topic, the verdicts topic."""

from __future__ import annotations

import logging

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from pipeline.runtime.logs import log

logger = logging.getLogger("cdr.service")


def create_topics(admin: AdminClient, topics: list[NewTopic]) -> None:
    """Create ``topics``; one that another worker or host created first is no error."""
    if not topics:
        return
    for topic, future in admin.create_topics(topics, operation_timeout=15).items():
        try:
            future.result()
            log(logger, logging.INFO, "topic_created", topic=topic)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
