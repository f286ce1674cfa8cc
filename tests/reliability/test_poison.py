"""Poison input: 1,000 malformed records among good ones, a detector that raises, and the
dead-letter topic (sealed with AES-GCM) replayed once the bug is gone."""

from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
import time
import uuid

import pytest
from confluent_kafka.admin import AdminClient, NewTopic

from devstack.sample_events import CustomerEvents, planted_values
from pipeline.runtime.deadletter import H_CLASS, H_MESSAGE, H_REASON, H_SEALED, H_STAGE
from tests.harness import CDR, HASH_KEY, declaration
from tests.reliability.conftest import fast
from tests.reliability.ledger import Ledger
from tests.support import assert_no_raw

pytestmark = pytest.mark.reliability

MARKER = "BOOM-7741"  # the injected recognizer raises on text containing it
DLQ_KEY = "base64:" + base64.b64encode(bytes(range(7, 39))).decode()


def _bad(good: dict, kind: str, rng_bytes: int) -> dict:
    """A malformed variant of a good record: raw bytes for the value."""
    value = copy.deepcopy(good["value"])
    payload = value["payload"]
    encoded = json.dumps(value, separators=(",", ":")).encode()
    if kind == "truncated":
        raw = encoded[: len(encoded) // 2]
    elif kind == "invalid_utf8":
        raw = encoded.replace(b'"email":"', b'"email":"\xff\xfe', 1)
    elif kind == "wrong_type":
        payload["after"]["login_count"] = "many"
        raw = json.dumps(value).encode()
    elif kind == "mismatch":
        payload["after"]["not_in_schema"] = 1
        raw = json.dumps(value).encode()
    elif kind == "unknown_op":
        payload["op"] = "z"
        raw = json.dumps(value).encode()
    elif kind == "no_payload":
        raw = json.dumps({"schema": value["schema"]}).encode()
    elif kind == "huge":
        payload["after"]["notes"] = "y" * rng_bytes
        raw = json.dumps(value).encode()
    elif kind == "detector_bug":
        payload["after"]["notes"] = f"please call back, ticket {MARKER}"
        raw = json.dumps(value).encode()
    else:
        raise AssertionError(kind)
    return {"key": good["key"], "value": raw, "partition": good["partition"], "bad": True, "kind": kind}


KINDS = ("truncated", "invalid_utf8", "wrong_type", "mismatch", "unknown_op", "no_payload", "detector_bug")


def test_a_thousand_malformed_records_go_to_the_dead_letter_topic_and_replay_after_a_fix(
    kafka_bootstrap, service
) -> None:
    source = f"src.public.customers.{uuid.uuid4().hex[:10]}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    big = {"max.message.bytes": "8000000"}
    for future in admin.create_topics([NewTopic(source, 2, 1, config=big)]).values():
        future.result(timeout=30)
    cdr = f"cdr.{source}"
    gen = CustomerEvents(prefix="poison", partitions=2, seed=5)
    good = list(gen.snapshot(2000)) + list(gen.changes(1000))
    records: list[dict] = []
    bad_count = 0
    for i, rec in enumerate(good):
        records.append(rec)
        has_row = rec["value"] is not None and rec["value"]["payload"].get("after")
        if has_row and i % 2 == 0 and bad_count < 997:
            records.append(_bad(rec, KINDS[bad_count % len(KINDS)], 0))
            bad_count += 1
    for i in range(3):  # 5 MB values: over max_record_bytes, dead-lettered unread
        records.insert(500 * (i + 1), _bad(good[i], "huge", 5_000_000))
        bad_count += 1
    assert bad_count == 1000
    ledger = Ledger(kafka_bootstrap, source)
    svc = service(
        declaration(source, cdr),
        **fast(dlq={"encryption_key": DLQ_KEY}, detection={"ner": False}, consumer={"group.instance.id": "poison"}),
    )
    svc.start(faults=f"recognizer_error_on={MARKER}")
    ledger.send(records)
    outcome = ledger.check(cdr, svc.dlq, timeout=120)
    print(outcome.figures("1,000 malformed records", len(records), bad_count))
    assert not outcome.lost, f"{len(outcome.lost)} records neither published nor dead-lettered"
    assert not outcome.misrouted, "a bad record was published or a good one dead-lettered"
    assert svc.proc.poll() is None, "the service stopped"
    metrics = svc.metrics()
    reasons: dict[str, int] = {}
    for dead in outcome.dead:
        h = dead.headers
        assert h[H_SEALED] is not None and h[H_STAGE] and h[H_CLASS] and h[H_MESSAGE]
        reasons[h[H_REASON].decode()] = reasons.get(h[H_REASON].decode(), 0) + 1
    assert reasons == {
        "invalid_json": 143,
        "invalid_utf8": 143,
        "type_mismatch": 143,
        "schema_mismatch": 142,
        "unknown_op": 142,
        "no_payload": 142,
        "internal_error": 142,  # the raising recognizer: never published raw
        "record_too_large": 3,
    }
    outcome.assert_no_leaks(good, svc.logs(), metrics)
    planted = sorted(planted_values(good))
    # Sealed: not even the dead-letter payload shows a raw value; logs and metrics never do.
    small = [d for d in outcome.dead if len(d.value or b"") < 1_000_000]
    assert_no_raw(planted, svc.logs(), metrics, *(d.key for d in small), *(d.value for d in small))
    huge = [d for d in outcome.dead if len(d.value or b"") >= 1_000_000]
    assert len(huge) == 3 and all(d.value.startswith(b"CDRDLQ1") and b"yyyyyyyy" not in d.value for d in huge)
    assert_no_raw(planted, *(v for d in outcome.dead for v in d.headers.values()))
    assert svc.stop() == 0

    # The bug is fixed (no injection now): replay the dead letters.
    started = time.monotonic()
    replay = subprocess.run(
        [*CDR, "dlq", "replay", "--config", str(svc.config_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "CDR_HASH_KEY": HASH_KEY},
        timeout=300,
        check=False,
    )
    assert replay.returncode == 1, replay.stdout + replay.stderr  # the truly malformed ones still fail
    assert "published to CDR topics" in replay.stdout
    republished = ledger.check(cdr, svc.dlq, timeout=60)
    fixed = [r for r in republished.cdr if MARKER.encode() in (r.value or b"") or b"ticket" in (r.value or b"")]
    assert len(republished.cdr) - len(outcome.cdr) == 142 and fixed
    assert_no_raw(planted, *(r.value for r in republished.cdr), replay.stdout)
    print(f"dlq replay: 142 fixed records republished in {time.monotonic() - started:.1f}s")
