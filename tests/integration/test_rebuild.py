"""`cdr rebuild` on the real broker: a CDR topic that published e-mail addresses under a
mistaken declaration is emptied, the service's group moved back, and the next `cdr run`
publishes every record again under the fixed declaration; it refuses while the service
runs, and when the source no longer holds what it would delete."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from tests.harness import CDR, committed, produce
from tests.support import HASH_KEY, assert_no_raw
from tests.topic_reader import read_topic

pytestmark = pytest.mark.integration

DECL = """\
table: public.members
source_topic: {source}
cdr_topic: {cdr}
owner: crm
undeclared: drop
columns:
  id:    {{pii: none}}
  email: {{pii: EMAIL_ADDRESS, treatment: {treatment}}}
"""
EMAILS = [f"member.{i}.okafor@example.org" for i in range(12)]


def _records() -> list[dict]:
    return [
        {
            "key": {"id": i},
            "value": {"op": "c", "before": None, "after": {"id": i, "email": e}, "source": {"ts_ms": 1}},
            "partition": i % 2,
        }
        for i, e in enumerate(EMAILS)
    ]


def _rebuild(svc, cdr: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CDR, "rebuild", "--config", str(svc.config_path), "--cdr-topic", cdr, *flags],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CDR_HASH_KEY": HASH_KEY, "COLUMNS": "200"},
        check=False,
    )


def _starts(bootstrap: str, topic: str) -> list[int]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "test-watermarks"})
    try:
        return [consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=15)[0] for p in (0, 1)]
    finally:
        consumer.close()


def _leaked(kafka_bootstrap, new_topic, service):
    """A service that published the e-mails as they are (treatment tag), stopped."""
    source = new_topic("src.members", partitions=2)
    cdr = f"cdr.{source}"
    svc = service({"m.yaml": DECL.format(source=source, cdr=cdr, treatment="tag")}, detection={"ner": False})
    produce(kafka_bootstrap, source, _records())
    svc.start()
    out = read_topic(kafka_bootstrap, cdr, expect=len(EMAILS), timeout=60)
    assert svc.stop() == 0
    assert len(out) == len(EMAILS)
    leaked = sum(1 for r in out if json.loads(r.value)["after"]["email"].endswith("@example.org"))
    assert leaked == len(EMAILS), "the mistaken declaration did not publish the addresses (nothing to undo)"
    return source, cdr, svc


def _fix(svc, source: str, cdr: str) -> None:
    (svc.root / "schemas" / "m.yaml").write_text(DECL.format(source=source, cdr=cdr, treatment="hash"))


def test_a_leak_is_undone_and_every_record_published_again(kafka_bootstrap, new_topic, service) -> None:
    source, cdr, svc = _leaked(kafka_bootstrap, new_topic, service)
    _fix(svc, source, cdr)

    dry = _rebuild(svc, cdr)
    assert dry.returncode == 0, dry.stdout[-2000:] + dry.stderr[-2000:]
    assert "dry run" in dry.stdout
    assert sum(committed(kafka_bootstrap, svc.group, source, partitions=2)) == len(EMAILS), "a dry run moved offsets"
    assert _starts(kafka_bootstrap, cdr) == [0, 0], "a dry run deleted records"

    done = _rebuild(svc, cdr, "--execute")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert committed(kafka_bootstrap, svc.group, source, partitions=2) == [0, 0]
    assert sum(_starts(kafka_bootstrap, cdr)) == len(EMAILS), "the CDR topic still holds the leaked records"

    svc.start()
    again = read_topic(kafka_bootstrap, cdr, expect=len(EMAILS), timeout=60)
    assert svc.stop() == 0
    assert sorted(json.loads(r.key)["id"] for r in again) == list(range(len(EMAILS))), "records were lost"
    assert_no_raw(EMAILS, *[r.value for r in again], *[v for r in again for v in r.headers.values()])
    assert_no_raw(EMAILS, dry.stdout, dry.stderr, done.stdout, done.stderr, svc.logs())


def test_it_refuses_while_the_service_runs(kafka_bootstrap, new_topic, service) -> None:
    _, cdr, svc = _leaked(kafka_bootstrap, new_topic, service)
    svc.start()
    try:
        refused = _rebuild(svc, cdr, "--execute")
    finally:
        assert svc.stop() == 0
    assert refused.returncode == 1
    assert "member" in refused.stdout and svc.group in refused.stdout
    assert _starts(kafka_bootstrap, cdr) == [0, 0], "records were deleted while the service ran"


def test_it_refuses_to_delete_what_the_source_cannot_give_back(kafka_bootstrap, new_topic, service) -> None:
    source, cdr, svc = _leaked(kafka_bootstrap, new_topic, service)
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    for future in admin.delete_records([TopicPartition(source, 0, 3)]).values():
        future.result(timeout=30)  # the source's retention took its first three records
    _fix(svc, source, cdr)

    refused = _rebuild(svc, cdr, "--execute")
    assert refused.returncode == 1
    assert f"{source}/0 starts at offset 3" in refused.stdout.replace("\n", " ")
    assert _starts(kafka_bootstrap, cdr) == [0, 0]

    done = _rebuild(svc, cdr, "--execute", "--allow-loss")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert committed(kafka_bootstrap, svc.group, source, partitions=2) == [3, 0]
    svc.start()
    again = read_topic(kafka_bootstrap, cdr, expect=len(EMAILS) - 3, timeout=60)
    assert svc.stop() == 0
    assert len(again) == len(EMAILS) - 3
    assert_no_raw(EMAILS, *[r.value for r in again])
