"""The ledger's service subset in one run of ``cdr run`` on the local real broker: each
case on its own source topic, dead letters sealed for the whole run (so no planted value
may appear anywhere in the dead-letter topic), /metrics scraped before the stop."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from pipeline.runtime import deadletter as dl
from tests.harness import ServiceProcess
from tests.security.cases import ALL
from tests.security.cases.common import SEALED
from tests.security.events import encode
from tests.security.ledger import CDR, CDR_HEADERS, DLQ_ANY, DLQ_HEADERS, LOGS, METRICS, TALLY, Case, Observed, judge
from tests.topic_reader import TopicReader

pytestmark = [pytest.mark.security, pytest.mark.integration]
SUBSET = tuple(c for c in ALL if c.service)
# Run on their own: a record that crashes the service would take every other case down with it.
ALONE = ("text-over-spacy-max-length",)
RUNS = {
    "shared": tuple(c for c in SUBSET if c.id not in ALONE),
    **{case_id: tuple(c for c in SUBSET if c.id == case_id) for case_id in ALONE},
}
MAX_BYTES = 3_000_000  # source topics and records: room for the text over spaCy's max_length
RUN_CONFIG = {**SEALED, "max_record_bytes": MAX_BYTES}
WAIT_S = 90.0


def _produce(bootstrap: str, topic: str, case: Case) -> None:
    producer = Producer(
        {"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5, "message.max.bytes": MAX_BYTES}
    )
    for rec in case.records:
        producer.produce(
            topic,
            key=None if rec.key is None else encode(rec.key),
            value=None if rec.value is None else encode(rec.value),
            partition=0,
            headers=[(k, encode(v)) for k, v in rec.headers],
        )
        producer.poll(0)
    assert producer.flush(30) == 0, "the source records were not all delivered"


@pytest.mark.parametrize("run", list(RUNS))
def test_service_subset(run: str, kafka_bootstrap, tmp_path: Path) -> None:
    cases = RUNS[run]
    assert cases, f"no case for run {run}"
    assert all(set(c.config) <= set(RUN_CONFIG) for c in cases), "a subset case needs a config this run lacks"
    topics = {c.id: f"sec.{c.id}.{uuid.uuid4().hex[:10]}" for c in cases}
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    wanted = [NewTopic(t, 1, 1, config={"max.message.bytes": str(MAX_BYTES)}) for t in topics.values()]
    for future in admin.create_topics(wanted).values():
        future.result(timeout=30)
    try:
        _run(run, cases, topics, kafka_bootstrap, tmp_path)
    finally:
        admin.delete_topics(list(topics.values()))


def _run(_run_name: str, cases: tuple[Case, ...], topics: dict[str, str], kafka_bootstrap: str, tmp_path: Path) -> None:
    declarations = {f"{c.id}.yaml": c.declaration_for(t, f"cdr.{t}") for c in cases for t in [topics[c.id]]}
    for case in cases:
        _produce(kafka_bootstrap, topics[case.id], case)
    # ServiceProcess, not the `service` fixture: that one prints the service's logs when a
    # test fails, and leaking into logs is what some of these cases do.
    svc = ServiceProcess(tmp_path / "svc", kafka_bootstrap, declarations, RUN_CONFIG)
    try:
        svc.start()
        seen, alive, code, metrics_text = _watch(kafka_bootstrap, svc, cases, topics)
    finally:
        svc.kill()
    logs = svc.logs()
    _judge_all(cases, seen, alive, code, metrics_text, logs)


def _watch(
    bootstrap: str, svc: ServiceProcess, cases: tuple[Case, ...], topics: dict[str, str]
) -> tuple[dict[str, Observed], bool, int | None, str]:
    """Read the CDR and dead-letter topics until every record is accounted for, the
    service exits or WAIT_S pass; then scrape /metrics and stop the service."""

    by_topic = {t: c.id for c, t in ((c, topics[c.id]) for c in cases)}
    seen = {c.id: Observed(inputs=[f"{topics[c.id]}/0/{i}" for i in range(len(c.records))]) for c in cases}
    cdr_reader = TopicReader(bootstrap, "^(" + "|".join(re.escape(f"cdr.{t}") for t in topics.values()) + ")$")
    dlq_reader = TopicReader(bootstrap, svc.dlq)
    deadline = time.monotonic() + WAIT_S
    try:
        while time.monotonic() < deadline:
            for rec in cdr_reader.poll(0.3, 5000):
                source = (rec.headers.get("cdr.source") or b"").decode()
                case_id = by_topic.get(source.rsplit("/", 2)[0])
                if case_id is None:
                    continue
                seen[case_id].published.add(source)
                seen[case_id].add(CDR, rec.key, rec.value)
                seen[case_id].add(
                    CDR_HEADERS, *(f"{k}={(v or b'').decode('utf-8', 'replace')}" for k, v in rec.headers.items())
                )
            for rec in dlq_reader.poll(0.3, 5000):
                topic = (rec.headers.get(dl.H_TOPIC) or b"").decode()
                case_id = by_topic.get(topic)
                if case_id is None:
                    continue
                partition = (rec.headers.get(dl.H_PARTITION) or b"").decode()
                offset = (rec.headers.get(dl.H_OFFSET) or b"").decode()
                seen[case_id].dead.add(f"{topic}/{partition}/{offset}")
                context = [
                    f"{k}={(v or b'').decode('utf-8', 'replace')}"
                    for k, v in rec.headers.items()
                    if k in dl.CONTEXT_HEADERS
                ]
                seen[case_id].add(DLQ_HEADERS, *context)
                seen[case_id].add(DLQ_ANY, rec.key, rec.value, *context, *(v for k, v in rec.headers.items()))
            if svc.proc is not None and svc.proc.poll() is not None:
                break
            with contextlib.suppress(OSError):  # it may die between the check and the scrape
                for case in cases:
                    seen[case.id].skipped = int(svc.metric("cdr_records_skipped_total", topic=topics[case.id]))
            if all(len(s.published | s.dead) + s.skipped >= len(s.inputs) for s in seen.values()):
                break
        metrics_text = ""
        if svc.proc is not None and svc.proc.poll() is None:
            with contextlib.suppress(OSError):  # it died while being scraped
                metrics_text = svc.metrics()
        alive = svc.proc is not None and svc.proc.poll() is None and bool(metrics_text)
        if alive:
            code = svc.stop()
        else:
            svc.kill()
            code = svc.proc.returncode if svc.proc is not None else None
    finally:
        cdr_reader.close()
        dlq_reader.close()
    return seen, alive, code, metrics_text


def _judge_all(
    cases: tuple[Case, ...], seen: dict[str, Observed], alive: bool, code: int | None, metrics_text: str, logs: str
) -> None:
    failed = []
    for case in cases:
        observed = seen[case.id]
        observed.add(LOGS, logs)
        observed.add(METRICS, metrics_text)
        if not alive:
            observed.crash = f"the service exited {code} before every record was accounted for"
        sealed_case = dataclasses.replace(case, config={**case.config, **SEALED})
        problems = judge(sealed_case, observed)
        TALLY.record(case.id, case.attack, "service", problems)
        failed.extend(f"[{case.attack}] {p}" for p in problems)
    if failed:
        pytest.fail(f"{len(failed)} problem(s) in the service run:\n" + "\n".join(failed), pytrace=False)
