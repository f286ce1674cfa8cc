"""format: avro on a real broker and a real schema registry (Apicurio, Maven Central):
Debezium-shaped Avro records in (written by confluent-kafka's own AvroSerializer, as a
Debezium Avro converter writes them), treated Avro out, read back by a plain
confluent-kafka AvroDeserializer; a CDR schema the registry rejects goes to the
dead-letter topic and nothing is published."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from pipeline.formats.avro.codec import frame
from pipeline.runtime import deadletter as dl
from tests.support import assert_no_raw, digest
from tests.topic_reader import read_topic

pytestmark = pytest.mark.integration

DECLARATION = """\
table: public.customers
source_topic: {source}
cdr_topic: {cdr}
owner: payments-core
undeclared: mask
columns:
  id:         {{pii: none}}
  email:      {{pii: EMAIL_ADDRESS, treatment: hash}}
  phone:      {{pii: PHONE_NUMBER, treatment: {{mask: {{keep_last: 4}}}}}}
  ssn:        {{pii: US_SSN, treatment: drop}}
  balance:    {{pii: none}}
  created_at: {{pii: none}}
  tier:       {{pii: none}}
"""


def value_schema(ns: str) -> dict[str, Any]:
    row = {
        "type": "record",
        "name": "Value",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "email", "type": "string"},
            {"name": "phone", "type": ["null", "string"], "default": None},
            {"name": "ssn", "type": ["null", "string"], "default": None},
            {
                "name": "balance",
                "type": [
                    "null",
                    {
                        "type": "bytes",
                        "scale": 2,
                        "precision": 10,
                        "connect.version": 1,
                        "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"},
                        "connect.name": "org.apache.kafka.connect.data.Decimal",
                        "logicalType": "decimal",
                    },
                ],
                "default": None,
            },
            {
                "name": "created_at",
                "type": {"type": "long", "connect.version": 1, "connect.name": "io.debezium.time.MicroTimestamp"},
            },
            {
                "name": "tier",
                "type": [
                    "null",
                    {
                        "type": "string",
                        "connect.version": 1,
                        "connect.parameters": {"allowed": "gold,silver"},
                        "connect.name": "io.debezium.data.Enum",
                    },
                ],
                "default": None,
            },
        ],
        "connect.name": f"{ns}.Value",
    }
    source = {
        "type": "record",
        "name": "Source",
        "namespace": "io.debezium.connector.postgresql",
        "fields": [
            {"name": "connector", "type": "string"},
            {"name": "name", "type": "string"},
            {"name": "ts_ms", "type": "long"},
            {"name": "db", "type": "string"},
            {"name": "schema", "type": "string"},
            {"name": "table", "type": "string"},
            {"name": "lsn", "type": ["null", "long"], "default": None},
        ],
        "connect.name": "io.debezium.connector.postgresql.Source",
    }
    return {
        "type": "record",
        "name": "Envelope",
        "namespace": ns,
        "fields": [
            {"name": "before", "type": ["null", row], "default": None},
            {"name": "after", "type": ["null", "Value"], "default": None},
            {"name": "source", "type": source},
            {"name": "op", "type": "string"},
            {"name": "ts_ms", "type": ["null", "long"], "default": None},
        ],
        "connect.version": 2,
        "connect.name": f"{ns}.Envelope",
    }


def key_schema(ns: str) -> dict[str, Any]:
    return {
        "type": "record",
        "name": "Key",
        "namespace": ns,
        "fields": [{"name": "id", "type": "long"}],
        "connect.name": f"{ns}.Key",
    }


def row(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "email": f"user{i}.avro@example.org",
        "phone": f"+44 20 7946 {1000 + i}",
        "ssn": f"078-05-{1100 + i}",
        "balance": Decimal(f"{i * 100}.25"),
        "created_at": 1_700_000_000_000_000 + i,
        "tier": "gold" if i % 2 else "silver",
    }


def envelope(op: str, before: dict[str, Any] | None, after: dict[str, Any] | None, lsn: int) -> dict[str, Any]:
    source = {"connector": "postgresql", "name": "it", "ts_ms": 1_700_000_000_000, "db": "shop"}
    return {
        "before": before,
        "after": after,
        "source": {**source, "schema": "public", "table": "customers", "lsn": lsn},
        "op": op,
        "ts_ms": 1_700_000_000_100,
    }


def avro_producer(bootstrap: str, registry_url: str, topic: str) -> tuple[Any, Any, Any]:
    client = SchemaRegistryClient({"url": registry_url, "timeout": 20})
    ns = "it.public.customers"  # the connector's topic.prefix, an Avro name
    values = AvroSerializer(client, json.dumps(value_schema(ns)))
    keys = AvroSerializer(client, json.dumps(key_schema(ns)))
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    return producer, keys, values


def send(
    producer: Producer, keys: Any, values: Any, topic: str, key: dict[str, Any] | None, value: Any, raw: bool = False
) -> None:
    kbytes = keys(key, SerializationContext(topic, MessageField.KEY)) if key is not None else None
    vbytes = value if raw else (values(value, SerializationContext(topic, MessageField.VALUE)) if value else None)
    producer.produce(topic, key=kbytes, value=vbytes)


def avro_reader(registry_url: str) -> tuple[AvroDeserializer, SchemaRegistryClient]:
    client = SchemaRegistryClient({"url": registry_url, "timeout": 20})
    return AvroDeserializer(client), client


def test_avro_in_treated_avro_out_read_by_a_plain_deserializer(
    kafka_bootstrap, new_topic, service, schema_registry_url
) -> None:
    source = new_topic("avro.public.customers")
    cdr = f"cdr.{source}.v1"
    producer, keys, values = avro_producer(kafka_bootstrap, schema_registry_url, source)
    rows = [row(i) for i in range(1, 6)]
    sent: list[tuple[dict[str, Any], Any]] = []
    for i, r in enumerate(rows):
        sent.append(({"id": r["id"]}, envelope("r", None, r, 100 + i)))
    updated = {**rows[0], "email": "changed.avro@example.org"}
    sent.append(({"id": 1}, envelope("u", rows[0], updated, 200)))
    sent.append(({"id": 2}, envelope("d", rows[1], None, 201)))
    sent.append(({"id": 2}, None))  # tombstone
    for key, value in sent:
        send(producer, keys, values, source, key, value)
    send(producer, keys, values, source, None, b'{"op":"c"}', raw=True)  # JSON on an Avro topic
    send(producer, keys, values, source, None, frame(987_654, b"\x02"), raw=True)  # an id nobody registered
    assert producer.flush(30) == 0

    svc = service(
        {"customers.yaml": DECLARATION.format(source=source, cdr=cdr)},
        format="avro",
        schema_registry={"url": schema_registry_url},
    ).start()
    out = read_topic(kafka_bootstrap, cdr, expect=len(sent), timeout=60)
    assert len(out) == len(sent)
    deserialize, client = avro_reader(schema_registry_url)
    got = []
    for rec in sorted(out, key=lambda r: r.offset):
        key = deserialize(rec.key, SerializationContext(cdr, MessageField.KEY))
        value = deserialize(rec.value, SerializationContext(cdr, MessageField.VALUE)) if rec.value else None
        got.append((key, value, rec.headers))
    for (key, value, headers), (src_key, src_value) in zip(got, sent, strict=True):
        assert key == src_key  # the key column is not PII: unchanged, so partitioning holds
        if src_value is None:
            assert value is None
            continue
        assert value["op"] == src_value["op"]
        for side in ("before", "after"):
            src_row, out_row = src_value[side], value[side]
            if src_row is None:
                assert out_row is None
                continue
            assert out_row["email"] == digest(src_row["email"])
            assert out_row["phone"].endswith(src_row["phone"][-4:]) and out_row["phone"].startswith("*")
            assert "ssn" not in out_row
            assert out_row["balance"] == src_row["balance"]  # Decimal, as the consumer's reader gives it
            assert out_row["created_at"] == src_row["created_at"] and out_row["tier"] == src_row["tier"]
        assert json.loads(headers["cdr.pii"])["email"] == "hash"

    latest = client.get_latest_version(f"{cdr}-value")
    fields = {f["name"]: f for f in json.loads(latest.schema.schema_str)["fields"]}
    row_schema = next(t for t in fields["before"]["type"] if t != "null")  # "after" refers to it by name
    after_fields = {f["name"]: f for f in row_schema["fields"]}
    assert after_fields["email"]["cdr.pii"] == "EMAIL_ADDRESS" and after_fields["email"]["cdr.treatment"] == "hash"
    assert "ssn" not in after_fields
    assert client.get_compatibility(f"{cdr}-value") == "BACKWARD"
    assert client.get_latest_version(f"{cdr}-key").schema_id > 0

    dead = read_topic(kafka_bootstrap, svc.dlq, expect=2, timeout=30)
    assert sorted(d.headers[dl.H_REASON].decode() for d in dead) == ["not_avro", "unknown_schema_id"]
    assert svc.stop() == 0
    planted = sorted({r["email"] for r in rows} | {r["ssn"] for r in rows} | {updated["email"]})
    assert_no_raw(planted, svc.logs(), *(b for r in out for b in (r.key, r.value, *r.headers.values())))


def test_avro_rejected_cdr_schema_goes_to_dead_letters(
    kafka_bootstrap, new_topic, service, schema_registry_url
) -> None:
    source = new_topic("avro.public.customers")
    cdr = f"cdr.{source}.v1"
    # An earlier CDR version the derived schema cannot read under BACKWARD: the derived
    # one has required fields (op, source) that these records lack, with no default.
    client = SchemaRegistryClient({"url": schema_registry_url, "timeout": 20})
    from confluent_kafka.schema_registry import Schema

    client.set_compatibility(f"{cdr}-value", "BACKWARD")
    legacy = {
        "type": "record",
        "name": "Envelope",
        "namespace": "it.public.customers",
        "fields": [{"name": "legacy", "type": "string"}],
    }
    client.register_schema(f"{cdr}-value", Schema(json.dumps(legacy), "AVRO"))
    producer, keys, values = avro_producer(kafka_bootstrap, schema_registry_url, source)
    for i in (1, 2):
        send(producer, keys, values, source, {"id": i}, envelope("c", None, row(i), 300 + i))
    assert producer.flush(30) == 0

    svc = service(
        {"customers.yaml": DECLARATION.format(source=source, cdr=cdr)},
        format="avro",
        schema_registry={"url": schema_registry_url},
    ).start()
    dead = read_topic(kafka_bootstrap, svc.dlq, expect=2, timeout=60)
    assert [d.headers[dl.H_REASON].decode() for d in dead] == ["schema_incompatible"] * 2
    for d in dead:
        assert d.headers[dl.H_STAGE] == b"encode"
        assert f"{cdr}-value".encode() in d.headers[dl.H_MESSAGE]
    assert svc.stop() == 0
    assert _records_in(kafka_bootstrap, cdr) == 0  # nothing incompatible was published
    assert [v.version for v in [client.get_latest_version(f"{cdr}-value")]] == [1]


def _records_in(bootstrap: str, topic: str) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"wm-{uuid.uuid4().hex[:6]}"})
    try:
        meta = consumer.list_topics(topic, timeout=10).topics.get(topic)
        if meta is None or meta.error is not None:
            return 0
        total = 0
        for p in meta.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            total += high - low
        return total
    finally:
        consumer.close()


def test_avro_registry_outage_stops_the_service_without_dead_letters(
    kafka_bootstrap, new_topic, service, tmp_path
) -> None:
    """The registry goes away mid-stream: the record that needs it is neither published
    nor dead-lettered; the service retries for retry_ms and exits non-zero without
    committing it, so it is read again when the service is restarted."""
    from devstack.registry import LocalRegistry

    source = new_topic("avro.public.customers")
    cdr = f"cdr.{source}.v1"
    registry = LocalRegistry(tmp_path / "registry")
    registry.start()
    try:
        producer, keys, values = avro_producer(kafka_bootstrap, registry.url, source)
        send(producer, keys, values, source, {"id": 1}, envelope("c", None, row(1), 401))
        assert producer.flush(30) == 0
        svc = service(
            {"customers.yaml": DECLARATION.format(source=source, cdr=cdr)},
            format="avro",
            schema_registry={"url": registry.url, "retry_ms": 1000},
        ).start()
        assert len(read_topic(kafka_bootstrap, cdr, expect=1, timeout=60)) == 1
        # A second source schema version, registered while the registry is up, then the
        # registry stops: the service has never seen the new id, so it must ask for it.
        grown = value_schema("it.public.customers")
        grown["fields"].append({"name": "note", "type": ["null", "string"], "default": None})
        client = SchemaRegistryClient({"url": registry.url, "timeout": 20})
        from confluent_kafka.schema_registry import Schema

        new_id = client.register_schema(f"{source}-value", Schema(json.dumps(grown), "AVRO"))
        new_values = AvroSerializer(client, json.dumps(grown), conf={"auto.register.schemas": False})
        later = new_values(
            {**envelope("c", None, row(2), 402), "note": None}, SerializationContext(source, MessageField.VALUE)
        )
        assert int.from_bytes(later[1:5], "big") == new_id
        key = keys({"id": 2}, SerializationContext(source, MessageField.KEY))
    finally:
        registry.stop()
    producer.produce(source, key=key, value=later)
    assert producer.flush(30) == 0
    assert svc.proc is not None and svc.proc.wait(timeout=60) == 1
    events = svc.log_events()
    failed = [e for e in events if e.get("event") == "loop_failed"]
    assert failed and failed[0]["error_class"] == "RegistryUnavailable"
    assert not [e for e in events if e.get("event") == "dead_letter"]
    assert _records_in(kafka_bootstrap, svc.dlq) == 0 and _records_in(kafka_bootstrap, cdr) == 1
    from tests.harness import committed

    assert committed(kafka_bootstrap, svc.group, source) == [1]  # the second record is read again


def _process_file(config: Path, source: Path, output: Path, workers: int = 1) -> None:
    """``cdr process`` as a user runs it; fails the test with the tail of its stderr."""
    from tests.harness import CDR
    from tests.support import HASH_KEY

    cmd = [*CDR, "process", "--config", str(config), "--input", str(source), "--output", str(output)]
    proc = subprocess.run(
        [*cmd, "--workers", str(workers)],
        capture_output=True,
        env={**os.environ, "CDR_HASH_KEY": HASH_KEY},
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]


def test_avro_file_mode_reads_and_writes_base64_lines(schema_registry_url, tmp_path) -> None:
    """``cdr process`` with format: avro: base64 records in, treated base64 Avro out,
    readable by a plain AvroDeserializer; a line that is not base64 is dead-lettered."""
    from tests.support import write_declarations

    source = f"avro.public.customers.f{uuid.uuid4().hex[:8]}"
    cdr = f"cdr.{source}.v1"
    write_declarations(tmp_path / "schemas", {"customers.yaml": DECLARATION.format(source=source, cdr=cdr)})
    config = tmp_path / "cdr.yaml"
    config.write_text(f"schemas: schemas\nformat: avro\nschema_registry:\n  url: {schema_registry_url}\n")
    client = SchemaRegistryClient({"url": schema_registry_url, "timeout": 20})
    values = AvroSerializer(client, json.dumps(value_schema("it.public.customers")))
    keys = AvroSerializer(client, json.dumps(key_schema("it.public.customers")))
    lines = []
    for i in (1, 2):
        key = keys({"id": i}, SerializationContext(source, MessageField.KEY))
        value = values(envelope("c", None, row(i), 500 + i), SerializationContext(source, MessageField.VALUE))
        lines.append(
            {
                "topic": source,
                "offset": i,
                "key": base64.b64encode(key).decode(),
                "value": base64.b64encode(value).decode(),
            }
        )
    lines.append({"topic": source, "offset": 3, "key": None, "value": {"op": "c"}})
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    _process_file(config, tmp_path / "in.jsonl", tmp_path / "out.jsonl")
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(out) == 2
    deserialize, _ = avro_reader(schema_registry_url)
    for rec, i in zip(out, (1, 2), strict=True):
        assert rec["topic"] == cdr
        value = deserialize(base64.b64decode(rec["value"]), SerializationContext(cdr, MessageField.VALUE))
        assert value["after"]["email"] == digest(row(i)["email"]) and "ssn" not in value["after"]
        assert deserialize(base64.b64decode(rec["key"]), SerializationContext(cdr, MessageField.KEY)) == {"id": i}
    dead = [json.loads(line) for line in (tmp_path / "out.dlq.jsonl").read_text().splitlines()]
    assert len(dead) == 1 and dead[0]["error"]["reason"] == "not_base64"


def test_avro_file_mode_with_workers_writes_what_one_process_writes(schema_registry_url, tmp_path) -> None:
    """``cdr process --workers 2`` with format: avro: each worker builds its own codec and
    registry client; two tables go to two workers, and the output and dead-letter files
    are those of one process, byte for byte, each record readable by a plain deserializer."""
    from tests.support import write_declarations

    client = SchemaRegistryClient({"url": schema_registry_url, "timeout": 20})
    values = AvroSerializer(client, json.dumps(value_schema("it.public.customers")))
    keys = AvroSerializer(client, json.dumps(key_schema("it.public.customers")))
    suffix = uuid.uuid4().hex[:8]
    sources = {f"avro.public.customers.w{suffix}": "customers", f"avro.public.clients.w{suffix}": "clients"}
    declarations = {}
    for source, table in sources.items():
        text = DECLARATION.format(source=source, cdr=f"cdr.{source}.v1")
        declarations[f"{table}.yaml"] = text.replace("table: public.customers", f"table: public.{table}")
    write_declarations(tmp_path / "schemas", declarations)
    config = tmp_path / "cdr.yaml"
    config.write_text(f"schemas: schemas\nformat: avro\nschema_registry:\n  url: {schema_registry_url}\n")
    lines = []
    for i in range(1, 7):
        source = list(sources)[i % 2]  # the tables interleaved
        key = keys({"id": i}, SerializationContext(source, MessageField.KEY))
        value = values(envelope("c", None, row(i), 500 + i), SerializationContext(source, MessageField.VALUE))
        encoded = {"key": base64.b64encode(key).decode(), "value": base64.b64encode(value).decode()}
        lines.append({"topic": source, "offset": i, **encoded})
    lines.append({"topic": next(iter(sources)), "offset": 7, "key": None, "value": "not base64 !"})
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    _process_file(config, tmp_path / "in.jsonl", tmp_path / "one.jsonl")
    _process_file(config, tmp_path / "in.jsonl", tmp_path / "two.jsonl", workers=2)
    one, two = (tmp_path / "one.jsonl").read_bytes(), (tmp_path / "two.jsonl").read_bytes()
    assert one == two, "two workers wrote other output than one process"
    assert (tmp_path / "one.dlq.jsonl").read_bytes() == (tmp_path / "two.dlq.jsonl").read_bytes()
    out = [json.loads(line) for line in two.splitlines()]
    assert [rec["topic"] for rec in out] == [f"cdr.{lines[i]['topic']}.v1" for i in range(6)]
    deserialize, _ = avro_reader(schema_registry_url)
    for rec, i in zip(out, range(1, 7), strict=True):
        value = deserialize(base64.b64decode(rec["value"]), SerializationContext(rec["topic"], MessageField.VALUE))
        assert value["after"]["email"] == digest(row(i)["email"]) and "ssn" not in value["after"]
