"""Detection on the real broker: an undeclared PII column is protected from its first
event, then treated as what it is, and the operators see it on /metrics and in logs."""

from __future__ import annotations

import copy
import json
import time

import pytest

from devstack.sample_events import CustomerEvents
from tests.harness import produce
from tests.support import assert_no_raw, digest
from tests.topic_reader import read_topic

pytestmark = pytest.mark.integration

DECL = """\
table: public.customers
source_topic: {source}
cdr_topic: {cdr}
owner: payments-core
undeclared: detect
columns:
  id:         {{pii: none}}
  first_name: {{pii: PERSON}}
  last_name:  {{pii: PERSON}}
  email:      {{pii: EMAIL_ADDRESS}}
  phone:      {{pii: PHONE_NUMBER}}
  notes:      {{pii: free_text}}
  tier:       {{pii: none}}
  country:    {{pii: none}}
  balance:    {{pii: none}}
  active:     {{pii: none}}
  login_count: {{pii: none}}
  created_at: {{pii: none}}
  updated_at: {{pii: none}}
"""  # date_of_birth and the SSN column (renamed c9 below) are missing: somebody forgot them


def rename_ssn(rec: dict) -> dict:
    """The SSN column under a name that says nothing (so only its values can tell)."""
    rec = copy.deepcopy(rec)
    value = rec["value"]
    for field in value["schema"]["fields"]:
        for col in field.get("fields", []) if field["field"] in ("before", "after") else []:
            if col["field"] == "ssn":
                col["field"] = "c9"
    after = value["payload"]["after"]
    value["payload"]["after"] = {("c9" if k == "ssn" else k): v for k, v in after.items()}
    return rec


def test_undeclared_pii_column_is_masked_from_its_first_event(kafka_bootstrap, new_topic, service) -> None:
    source = new_topic("src.public.customers")
    cdr = f"cdr.{source}"
    gen = CustomerEvents(prefix="det", seed=21)
    records = [rename_ssn(r) for r in gen.snapshot(200)]
    produce(kafka_bootstrap, source, records)
    svc = service(
        {"c.yaml": DECL.format(source=source, cdr=cdr)}, detection={"min_samples": 30, "sample_every": 2, "ner": True}
    )
    svc.start()
    out = read_topic(kafka_bootstrap, cdr, expect=len(records), timeout=90)
    assert len(out) == len(records)
    by_offset = {int(r.headers["cdr.source"].decode().rsplit("/", 1)[1]): r for r in out}
    ssns = [r["value"]["payload"]["after"]["c9"] for r in records]
    first = json.loads(by_offset[0].value)
    # Protected from the first event: withheld before the verdict, hashed after it (a
    # record whose free text went through batched NER is treated under the newer rules).
    assert first["payload"]["after"]["c9"] in ("*" * len(ssns[0]), digest(ssns[0]))
    treatments = [json.loads(by_offset[i].headers["cdr.pii"])["c9"] for i in range(len(records))]
    # withheld until its values decide it (five validated SSNs may decide it inside the first batch)
    assert set(treatments[:30]) <= {"withhold", "hash"}
    assert set(treatments[len(records) // 2 :]) == {"hash"}
    last = json.loads(by_offset[len(records) - 1].value)
    assert last["payload"]["after"]["c9"] == digest(ssns[-1])  # US_SSN found -> hash
    ssn_field = next(
        f for f in next(f for f in last["schema"]["fields"] if f["field"] == "after")["fields"] if f["field"] == "c9"
    )
    assert ssn_field["parameters"] == {"cdr.pii": "US_SSN", "cdr.treatment": "hash", "cdr.detected": "detected"}
    # date_of_birth: an io.debezium.time.Date named like a birth date is PII at once.
    assert first["payload"]["after"]["date_of_birth"] != records[0]["value"]["payload"]["after"]["date_of_birth"]

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and svc.metric("cdr_undeclared_pii_columns", table="public.customers") < 2:
        time.sleep(0.3)
    assert svc.metric("cdr_undeclared_pii_columns", table="public.customers") == 2
    assert svc.metric("cdr_column_verdict", column="c9", state="pii", entity="US_SSN") == 1
    assert svc.metric("cdr_pii_detections_total", column="c9", entity="US_SSN", source="detected") > 0
    assert svc.metric("cdr_undeclared_column_events_total", column="c9") == len(records)
    metrics_text = svc.metrics()
    assert svc.stop() == 0
    verdicts = [e for e in svc.log_events() if e["event"] == "column_verdict"]
    assert any(v["column"] == "c9" and v["entity"] == "US_SSN" for v in verdicts)
    assert_no_raw(ssns, svc.logs(), metrics_text, *[r.value for r in out])
