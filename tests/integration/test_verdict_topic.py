"""The service's verdict memory on the real broker (``detection.verdicts_topic``): a guard
hit outlives the ``cdr run`` that saw it, a tombstone releases the column again, and a
record that is not ours stops the start-up."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from confluent_kafka import Producer

from pipeline.config import Config, DetectionConfig
from pipeline.errors import InvalidFilesError
from pipeline.runtime.bootstrap import build_processor, remember_on_topic
from tests.harness import produce
from tests.support import HASH_KEY, assert_no_raw, record, write_declarations
from tests.topic_reader import read_topic

pytestmark = pytest.mark.integration

DECL = """\
table: public.holders
source_topic: {source}
cdr_topic: {cdr}
owner: ledger
undeclared: detect
columns:
  id:     {{pii: none}}
  holder: {{pii: none}}
"""
PLANTED = [f"holder.{i}.anne@example.org" for i in range(3)]


def _event(i: int, holder: str) -> dict:
    return {"op": "c", "before": None, "after": {"id": i, "holder": holder}, "source": {"ts_ms": 1}}


def _config(tmp_path, bootstrap: str, topic: str) -> Config:
    write_declarations(tmp_path / "s", {"h.yaml": DECL.format(source="src.holders", cdr="cdr.holders")})
    detection = DetectionConfig(ner=False, verdicts_topic=topic)
    return Config(schemas_dir=tmp_path / "s", kafka={"bootstrap.servers": bootstrap}, detection=detection)


def _holder(outcome) -> object:
    return json.loads(outcome.records[0].value)["after"]["holder"]


def test_a_guard_hit_is_recalled_then_released_by_a_tombstone(kafka_bootstrap, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CDR_HASH_KEY", HASH_KEY)
    topic = f"cdr.verdicts.{uuid.uuid4().hex[:8]}"
    config = _config(tmp_path, kafka_bootstrap, topic)

    first = build_processor(config)
    memory = remember_on_topic(config, first)
    assert memory is not None and len(memory) == 0
    assert _holder(first.process(record("src.holders", _event(0, "gold")))) == "gold", "declared none: released"
    hit = first.process(record("src.holders", _event(1, PLANTED[0])))
    assert_no_raw(PLANTED, hit.records[0].value)
    memory.close()
    stored = read_topic(kafka_bootstrap, topic, expect=1, timeout=30)
    assert len(stored) == 1, "the guard hit was not written to the topic"
    assert_no_raw([*PLANTED, "holder", "public.holders"], stored[0].key, stored[0].value)

    again = build_processor(config)
    remember_on_topic(config, again)
    assert _holder(again.process(record("src.holders", _event(2, "gold")))) != "gold", "the next start released it"

    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    producer.produce(topic, key=stored[0].key, value=None)  # released by hand
    assert producer.flush(30) == 0
    released = build_processor(config)
    remember_on_topic(config, released)
    assert _holder(released.process(record("src.holders", _event(3, "gold")))) == "gold"


def test_a_running_worker_withholds_what_another_found(kafka_bootstrap, tmp_path, monkeypatch) -> None:
    """Two workers of one table, each with its own partitions: the one whose guard hits
    writes it down, the other reads it between its batches and withholds the column too
    (before: it went on releasing the names its own guard does not flag)."""
    monkeypatch.setenv("CDR_HASH_KEY", HASH_KEY)
    topic = f"cdr.verdicts.{uuid.uuid4().hex[:8]}"
    config = _config(tmp_path, kafka_bootstrap, topic)
    finder, other = build_processor(config), build_processor(config)
    found = remember_on_topic(config, finder, follow=True)
    told = remember_on_topic(config, other, follow=True)
    assert found is not None and told is not None
    assert _holder(other.process(record("src.holders", _event(0, "gold")))) == "gold"
    finder.process(record("src.holders", _event(1, PLANTED[2])))  # the guard hits here
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _holder(other.process(record("src.holders", _event(2, "gold")))) == "gold":
        told.catch_up()
        time.sleep(0.2)
    assert _holder(other.process(record("src.holders", _event(3, "gold")))) != "gold", "the other worker released it"
    found.catch_up()  # its own hit read back: nothing new, nothing written again
    assert len(found) == 1
    found.close()
    told.close()
    assert len(read_topic(kafka_bootstrap, topic, expect=2, timeout=5)) == 1, "a hit was written twice"


def test_a_record_that_is_not_ours_stops_the_start(kafka_bootstrap, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CDR_HASH_KEY", HASH_KEY)
    topic = f"cdr.verdicts.{uuid.uuid4().hex[:8]}"
    config = _config(tmp_path, kafka_bootstrap, topic)
    remember_on_topic(config, build_processor(config))  # creates it
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    producer.produce(topic, key=b"holder", value=json.dumps({"column": "holder", "withheld": PLANTED[1]}).encode())
    assert producer.flush(30) == 0
    with pytest.raises(InvalidFilesError) as err:
        remember_on_topic(config, build_processor(config))
    (problem,) = err.value.errors
    assert (problem.file, problem.line) == (f"{topic}/0", 0)
    assert_no_raw([PLANTED[1]], str(err.value))


def test_cdr_run_keeps_a_column_withheld_across_a_restart(kafka_bootstrap, new_topic, service) -> None:
    """Names in a column declared none: the guard flags the one it recognises, and the
    restarted service starts with the column withheld (before: released again)."""
    source = new_topic("src.holders")
    cdr = f"cdr.{source}"
    svc = service({"h.yaml": DECL.format(source=source, cdr=cdr)}, detection={"ner": False})
    produce(kafka_bootstrap, source, [{"key": {"id": 0}, "value": _event(0, PLANTED[0])}])
    svc.start()
    assert len(read_topic(kafka_bootstrap, cdr, expect=1, timeout=60)) == 1
    assert svc.stop() == 0
    produce(kafka_bootstrap, source, [{"key": {"id": 1}, "value": _event(1, "gold")}])
    svc.start()
    out = read_topic(kafka_bootstrap, cdr, expect=2, timeout=60)
    assert svc.stop() == 0
    assert len(out) == 2
    assert json.loads(out[1].value)["after"]["holder"] != "gold", "the restarted service released the column"
    assert_no_raw(PLANTED, svc.logs(), *[r.value for r in out])
