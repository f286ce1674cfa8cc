"""The service on a real broker, started as a user starts it (`cdr run`)."""

from __future__ import annotations

import json
import time

import pytest

from devstack.sample_events import CustomerEvents, planted_values
from pipeline.kafka import deadletter as dl
from tests.integration.harness import committed, produce, read_topic
from tests.support import assert_no_raw, digest

pytestmark = pytest.mark.integration

DECL = """\
table: public.customers
source_topic: {source}
cdr_topic: {cdr}
owner: payments-core
undeclared: mask
columns:
  id:            {{pii: none}}
  first_name:    {{pii: PERSON}}
  last_name:     {{pii: PERSON, treatment: {{mask: {{keep_first: 1}}}}}}
  email:         {{pii: EMAIL_ADDRESS, treatment: hash}}
  phone:         {{pii: PHONE_NUMBER, treatment: {{mask: {{keep_last: 4}}}}}}
  date_of_birth: {{pii: DATE_OF_BIRTH, treatment: {{generalize: {{to: year}}}}}}
  ssn:           {{pii: US_SSN, treatment: drop}}
  notes:         {{pii: free_text, treatment: redact_detected}}
  tier:          {{pii: none}}
  country:       {{pii: none}}
  balance:       {{pii: none}}
  active:        {{pii: none}}
  login_count:   {{pii: none}}
  created_at:    {{pii: none}}
"""


def declaration(source: str, cdr: str) -> dict[str, str]:
    return {"payments/customers.yaml": DECL.format(source=source, cdr=cdr)}


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


def test_kill_9_mid_stream_and_restart_loses_nothing(kafka_bootstrap, new_topic, service) -> None:
    source = new_topic("src.public.customers", partitions=3)
    cdr = f"cdr.{source}"
    gen = CustomerEvents(prefix="k9", partitions=3, seed=11)
    records = list(gen.snapshot(3000)) + list(gen.changes(3000))
    produce(kafka_bootstrap, source, records)
    svc = service(declaration(source, cdr), batch={"size": 100})
    svc.start()
    # Let it get part of the way, then kill -9: no flush, no commit, no goodbye.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if svc.metric("cdr_events_produced_total", topic=cdr) >= 1500:
                break
        except OSError:
            pass
        time.sleep(0.05)
    svc.kill()
    svc.start()
    out = read_topic(kafka_bootstrap, cdr, expect=len(records), timeout=120)
    wanted = {f"{source}/{r['partition']}/{r['offset']}" for r in records}
    seen = {r.headers["cdr.source"].decode() for r in out}
    # Keep reading until everything is represented (duplicates are allowed, gaps are not).
    extra_deadline = time.monotonic() + 60
    while wanted - seen and time.monotonic() < extra_deadline:
        out = read_topic(kafka_bootstrap, cdr, expect=len(out) + 1, timeout=5) or out
        seen = {r.headers["cdr.source"].decode() for r in out}
    missing = wanted - seen
    duplicates = len(out) - len(seen)
    print(f"kill -9 test: records={len(records)} cdr={len(out)} lost={len(missing)} duplicated={duplicates}")
    assert not missing, f"{len(missing)} source records have no CDR record"
    assert svc.stop() == 0


def test_sigterm_flushes_commits_and_leaves(kafka_bootstrap, new_topic, service) -> None:
    source = new_topic("src.public.customers")
    cdr = f"cdr.{source}"
    records = list(CustomerEvents(prefix="st", seed=3).snapshot(500))
    produce(kafka_bootstrap, source, records)
    svc = service(declaration(source, cdr), commit_interval_ms=60000)  # only the final commit
    svc.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and svc.metric("cdr_events_produced_total", topic=cdr) < len(records):
        time.sleep(0.1)
    started = time.monotonic()
    assert svc.stop(timeout=30) == 0
    assert time.monotonic() - started < 15
    assert committed(kafka_bootstrap, svc.group, source) == [len(records)]
    events = [e["event"] for e in svc.log_events()]
    assert events[-1] == "stopped" and events.index("shutting_down") < events.index("partitions_revoked")
    # A restart reads nothing again: no duplicates after a clean stop.
    svc.start()
    time.sleep(2)
    assert svc.stop() == 0
    assert len(read_topic(kafka_bootstrap, cdr, expect=len(records) + 1, timeout=5)) == len(records)


def test_invalid_declaration_refuses_to_start(kafka_bootstrap, service) -> None:
    svc = service(
        {
            "bad.yaml": "table: public.x\nsource_topic: a.public.x\ncdr_topic: cdr.x\nowner: t\ncolumns:\n  email: {pii: EMAIL}\n"
        }
    )
    svc.start(wait_ready=False)
    assert svc.proc.wait(timeout=30) == 3
    assert "bad.yaml:6: column 'email': unknown pii 'EMAIL'" in svc.logs()
