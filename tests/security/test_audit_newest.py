"""``cdr audit --topic`` as the last line of defence over time: a CDR topic that published
clean records for a long while and then leaks (a column released, then a declaration
changed) must be reported, whatever ``--sample`` is. The leak sits after the first
``--sample`` records; the audit reads a real topic on the local broker."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from confluent_kafka import Producer

from pipeline.tools import main as cli
from tests.security import values as v
from tests.security.ledger import Forms, Haystack

pytestmark = [pytest.mark.security, pytest.mark.integration]
CLEAN, LEAKED, SAMPLE = 60, 5, 20


def _record(n: int, contact: str) -> bytes:
    after = {"id": n, "plan": "gold", "contact": contact}
    return json.dumps({"before": None, "after": after, "op": "c", "source": {"table": "t"}}).encode()


@pytest.mark.parametrize("partitions", [1, 3])
def test_audit_reports_a_leak_that_began_late(kafka_bootstrap, new_topic, tmp_path: Path, partitions: int) -> None:
    topic = new_topic("cdr.sec.audit-late", partitions)
    r = v.rng("audit-reports-a-late-leak")
    planted = [v.email(r) for _ in range(LEAKED)]
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "enable.idempotence": True})
    values = [_record(n, "k0c36690a:" + "ab" * 32) for n in range(CLEAN)]
    values += [_record(CLEAN + i, email) for i, email in enumerate(planted)]
    for n, value in enumerate(values):
        producer.produce(topic, key=json.dumps({"id": n}).encode(), value=value, partition=n % partitions)
    assert producer.flush(30) == 0, "the CDR records were not all delivered"
    config = tmp_path / "audit.yaml"
    config.write_text(f"kafka: {{bootstrap.servers: '{kafka_bootstrap}'}}\nconsumer: {{group.id: sec-audit}}\n")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["audit", "--topic", topic, "--config", str(config), "--sample", str(SAMPLE)])
    printed = out.getvalue() + err.getvalue()
    leaked = [j for j, value in enumerate(planted) if Haystack([printed]).holds(Forms.of(value))]
    assert not leaked, f"planted values #{leaked} printed by cdr audit"
    assert code == 1, f"cdr audit exited {code}: the leak in the newest records was not reported"
    assert "EMAIL_ADDRESS" in printed, "the leaked entity is not in the report"
