"""The service on a real broker, started as a user starts it (`cdr run`)."""

from __future__ import annotations

import json
import time

import pytest

from devstack.sample_events import CustomerEvents, planted_values
from pipeline.runtime import deadletter as dl
from tests.harness import committed, declaration, produce
from tests.support import assert_no_raw, digest
from tests.topic_reader import read_topic

pytestmark = pytest.mark.integration


def test_debezium_records_come_out_masked(kafka_bootstrap, new_topic, service) -> None:
    source = new_topic("src.public.customers", partitions=2)
    cdr = f"cdr.{source}"
    gen = CustomerEvents(prefix="it", partitions=2)
    records = list(gen.snapshot(20)) + list(gen.changes(60))
    bad = [
        {
            "key": None,
            "value": b'{"op":"c","after":{"email":"leak.me@example.com"',
            "partition": 0,
        },  # truncated
        {"key": b"\xff\xfe", "value": b"\x00\x00\x00\x00\x07avro", "partition": 1},  # not JSON
    ]
    produce(kafka_bootstrap, source, records + bad)
    svc = service(declaration(source, cdr)).start()

    out = read_topic(kafka_bootstrap, cdr, expect=len(records), timeout=60)
    assert len(out) == len(records)
    by_source = {r.headers["cdr.source"].decode(): r for r in out}
    for rec in records:
        got = by_source[f"{source}/{rec['partition']}/{rec['offset']}"]
        key = json.loads(got.key)
        assert key["payload"] == rec["key"]["payload"]  # id is not PII
        if rec["value"] is None:
            assert got.value is None  # tombstones stay tombstones
            continue
        payload = json.loads(got.value)["payload"]
        src = rec["value"]["payload"]
        assert payload["op"] == src["op"]
        if src["after"] is not None:
            after = payload["after"]
            assert after["email"] == digest(src["after"]["email"])
            assert after["phone"].endswith(src["after"]["phone"][-4:]) and after["phone"].startswith("*")
            assert "ssn" not in after
            assert after["updated_at"] == "*" * len(str(src["after"]["updated_at"]))  # undeclared: masked
            assert after["tier"] == src["after"]["tier"]
            pii = json.loads(got.headers["cdr.pii"])
            assert pii["email"] == "hash" and pii["ssn"] == "drop" and pii["updated_at"] == "mask"
        assert len(got.headers["cdr.policy"]) == 16

    dead = read_topic(kafka_bootstrap, svc.dlq, expect=2, timeout=30)
    assert len(dead) == 2
    reasons = sorted(d.headers[dl.H_REASON].decode() for d in dead)
    assert reasons == ["invalid_json", "unsupported_encoding"]
    for d in dead:
        assert d.headers[dl.H_TOPIC].decode() == source
        assert d.headers[dl.H_STAGE] == b"decode"
        assert b"leak.me" not in d.headers[dl.H_MESSAGE]
    assert {d.value for d in dead} == {b["value"] for b in bad}  # original bytes, for replay

    # Metrics: counts match what went through.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and svc.metric("cdr_events_produced_total", topic=cdr) < len(records):
        time.sleep(0.2)
    assert svc.metric("cdr_events_consumed_total", topic=source) == len(records) + 2
    assert svc.metric("cdr_events_produced_total", topic=cdr) == len(records)
    assert svc.metric("cdr_dead_letters_total", reason="invalid_json") == 1
    assert svc.metric("cdr_undeclared_column_events_total", table="public.customers", column="updated_at") > 0
    assert svc.metric("cdr_fields_transformed_total", table="public.customers", treatment="hash") > 0
    assert svc.metric("cdr_build_info") == 1
    metrics_text = svc.metrics()
    assert "cdr_consumer_lag{" in metrics_text

    assert svc.stop() == 0
    planted = [*sorted(planted_values(records)), "leak.me@example.com"]
    assert_no_raw(planted, svc.logs(), metrics_text)
    for r in out:
        assert_no_raw(planted, r.key, r.value, *r.headers.values())
    # Everything consumed is committed, dead letters included (they were delivered).
    per_partition = [sum(1 for r in records + bad if r["partition"] == p) for p in (0, 1)]
    assert committed(kafka_bootstrap, svc.group, source, partitions=2) == per_partition


def test_invalid_declaration_refuses_to_start(kafka_bootstrap, service) -> None:
    svc = service(
        {
            "bad.yaml": "table: public.x\nsource_topic: a.public.x\ncdr_topic: cdr.x\nowner: t\ncolumns:\n  email: {pii: EMAIL}\n"
        }
    )
    svc.start(wait_ready=False)
    assert svc.proc.wait(timeout=30) == 3
    assert "bad.yaml:6: column 'email': unknown pii 'EMAIL'" in svc.logs()
