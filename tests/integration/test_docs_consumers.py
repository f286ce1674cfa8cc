"""cdr docs --consumers on a real broker: the consumer groups with committed offsets on a
CDR topic are listed on its catalog page; a topic nobody reads says so."""

from __future__ import annotations

import random
import string
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer

from pipeline.tools.main import main
from tests.support import write_declarations

pytestmark = pytest.mark.integration

DECL = """\
table: public.{name}
source_topic: src.public.{name}
cdr_topic: {topic}
owner: team
columns:
  id: {{pii: none}}
"""


def read_once(bootstrap: str, topic: str, group: str) -> None:
    """A consumer group that read one record of ``topic`` and committed its offset."""
    producer = Producer({"bootstrap.servers": bootstrap})
    producer.produce(topic, b"{}")
    producer.flush(30)
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    try:
        consumer.subscribe([topic])
        msg = None
        for _ in range(60):
            msg = consumer.poll(1.0)
            if msg is not None and msg.error() is None:
                break
        assert msg is not None and msg.error() is None
        consumer.commit(message=msg, asynchronous=False)
    finally:
        consumer.close()


def test_consumer_groups_on_the_catalog_page(kafka_bootstrap: str, new_topic, tmp_path: Path) -> None:
    read, unread = new_topic("cdr.read"), new_topic("cdr.unread")
    group = "billing-" + "".join(random.choice(string.ascii_lowercase) for _ in range(8))  # plain: shown as it is
    read_once(kafka_bootstrap, read, group)
    schemas = write_declarations(
        tmp_path / "schemas",
        {"a.yaml": DECL.format(name="a", topic=read), "b.yaml": DECL.format(name="b", topic=unread)},
    )
    out = tmp_path / "site"
    assert main(["docs", str(schemas), "--out", str(out), "--consumers", "--server", kafka_bootstrap]) == 0
    read_page = (out / f"{read}.html").read_text()
    assert "<h2>Consumers</h2>" in read_page and f"<code>{group}</code>" in read_page
    unread_page = (out / f"{unread}.html").read_text()
    assert "No consumer group has committed offsets on this topic." in unread_page


def test_readers_of_a_retiring_topic_are_exported(kafka_bootstrap: str, new_topic) -> None:
    from prometheus_client import CollectorRegistry

    from pipeline.contracts.sunset import RetiringReaders
    from pipeline.core.safenames import SafeNames

    old, quiet = new_topic("cdr.users.v1"), new_topic("cdr.orders.v1")
    group = "risk-" + "".join(random.choice(string.ascii_lowercase) for _ in range(8))  # plain: shown as it is
    personal = f"jane.roe@example.com-{uuid.uuid4().hex[:8]}"  # a person's notebook
    read_once(kafka_bootstrap, old, group)
    read_once(kafka_bootstrap, old, personal)
    registry = CollectorRegistry()
    names = SafeNames.ephemeral()
    readers = RetiringReaders(
        {"bootstrap.servers": kafka_bootstrap}, {old: "2999-01-01", quiet: "2999-02-01"}, registry, names.group
    )
    readers.poll_once()
    assert registry.get_sample_value("cdr_retiring_topic_readers", {"cdr_topic": old, "sunset": "2999-01-01"}) == 2
    assert registry.get_sample_value("cdr_retiring_topic_reader", {"cdr_topic": old, "group": group}) == 1
    shown = names.group(personal)
    assert shown.startswith("group-") and "jane" not in shown
    assert registry.get_sample_value("cdr_retiring_topic_reader", {"cdr_topic": old, "group": shown}) == 1
    assert registry.get_sample_value("cdr_retiring_topic_readers", {"cdr_topic": quiet, "sunset": "2999-02-01"}) == 0
