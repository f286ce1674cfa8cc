"""Every example in ../shared/debezium-events through the processing core, each with the
result its shape must give (CHECKLIST.md). The files are read from ../shared, never
copied. Some are documentation renderings rather than wire records; the few rules that
turn them into records are in :func:`wire` and apply to the doc elisions only."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.events import DeadLetter, Published, Skipped
from pipeline.core.processor import PII_HEADER, POLICY_HEADER, SOURCE_HEADER
from tests.support import (
    SHARED_EVENTS,
    assert_no_raw,
    digest,
    doc,
    example,
    example_bytes,
    make_processor,
    record,
    record_blobs,
)

CUSTOMER_COLUMNS = """
columns:
  id:         {pii: none}
  first_name: {pii: PERSON, treatment: hash}
  last_name:  {pii: PERSON, treatment: {mask: {keep_first: 1}}}
  email:      {pii: EMAIL_ADDRESS}
"""
CUSTOMER_TOPICS = [
    "PostgreSQL_server.public.customers",
    "mysql-server-1.inventory.customers",
    "dbserver1.inventory.customers",
    "wasm.inventory.customers",
]
PLANTED = [
    "annek@noanswer.org",
    "Kretchmar",
    "Anne",
    "sally.thomas@acme.com",
    "Sally",
    "Thomas",
    "bob@marley.com",
    "Marley",
]


def wire(data: Any) -> Any:
    """Documentation renderings -> wire records: a schema the doc elided or omitted means
    the record is read schemaless; an elided ``source`` gets a minimal real one; a
    ``{"payload": ...}`` log excerpt is its payload."""
    if isinstance(data, dict) and isinstance(data.get("schema"), str) and "payload" in data:
        data = data["payload"]
    if isinstance(data, dict) and list(data) == ["payload"]:
        data = data["payload"]
    if isinstance(data, dict) and isinstance(data.get("source"), str):
        data = {**data, "source": {"connector": "postgresql", "name": "doc", "ts_ms": 1559033904863}}
    return data


@pytest.fixture
def customers(tmp_path: Path):
    decls = {}
    for topic in CUSTOMER_TOPICS:
        decls[f"{topic}.yaml"] = (
            f"table: inventory.{topic.split('.')[0].replace('-', '_')}_customers\n"
            f"source_topic: {topic}\ncdr_topic: cdr.{topic}\nowner: test\n{CUSTOMER_COLUMNS}"
        )
    return make_processor(tmp_path / "schemas", decls, default_topics=True)


def check_customer_row(out: dict[str, Any] | None, src: dict[str, Any] | None) -> None:
    if src is None:
        assert out is None
        return
    assert out is not None
    assert list(out) == list(src)  # same columns, same order
    for col, value in src.items():
        if col == "id":
            assert out[col] == value
        elif col in ("email", "first_name"):
            assert out[col] == digest(value)
        elif col == "last_name":
            assert out[col] == value[0] + "*" * (len(value) - 1)


CUSTOMER_CASES = [
    ("pg_create_full_schema.json", "PostgreSQL_server.public.customers", "c"),
    ("pg_update_replica_identity_default.json", "PostgreSQL_server.public.customers", "u"),
    ("pg_delete_replica_identity_default.json", "PostgreSQL_server.public.customers", "d"),
    ("pg_create_streaming_2_1.json", "dbserver1.inventory.customers", "c"),
    ("pg_snapshot_read_payload_2_1.json", "dbserver1.inventory.customers", "r"),
    ("mysql_create_full_schema.json", "mysql-server-1.inventory.customers", "c"),
    ("mysql_update_full_before.json", "mysql-server-1.inventory.customers", "u"),
    ("mysql_delete.json", "mysql-server-1.inventory.customers", "d"),
    ("json_converter_schemas_enabled_mysql_create.json", "mysql-server-1.inventory.customers", "c"),
    ("json_converter_schemas_disabled_mysql_create.json", "mysql-server-1.inventory.customers", "c"),
    ("json_converter_schemas_disabled_mysql_update.json", "mysql-server-1.inventory.customers", "u"),
    ("mysql_snapshot_read_schemaless_3_0.json", "wasm.inventory.customers", "r"),
    ("mysql_update_schemaless_3_0.json", "wasm.inventory.customers", "u"),
]


@pytest.mark.parametrize(("name", "topic", "op"), CUSTOMER_CASES)
def test_customer_change_events(customers, name: str, topic: str, op: str) -> None:
    src = wire(example(name))
    outcome = customers.process(record(topic, src, key={"id": 1004}, offset=7))
    assert isinstance(outcome, Published), outcome
    (out,) = outcome.records
    assert out.topic == f"cdr.{topic}"
    value = doc(out.value)
    in_payload = src["payload"] if "schema" in src else src
    payload = value["payload"] if "schema" in src else value
    assert payload["op"] == op
    check_customer_row(payload["after"], in_payload["after"])
    check_customer_row(payload["before"], in_payload["before"])
    # Everything but the rows and the SQL text is carried over exactly (int64 included).
    for field, original in in_payload.items():
        if field in ("before", "after"):
            continue
        if field == "source":
            assert payload["source"] == {**original, **({"query": None} if original.get("query") else {})}
        else:
            assert payload[field] == original
    if "schema" in src:
        after_schema = next(f for f in value["schema"]["fields"] if f["field"] == "after")
        before_schema = next(f for f in value["schema"]["fields"] if f["field"] == "before")
        assert after_schema["fields"] == before_schema["fields"]
        email = next(f for f in after_schema["fields"] if f["field"] == "email")
        assert email["type"] == "string"
        assert email["parameters"] == {"cdr.pii": "EMAIL_ADDRESS", "cdr.treatment": "hash"}
        ident = next(f for f in after_schema["fields"] if f["field"] == "id")
        assert "parameters" not in ident
    headers = dict(out.headers)
    pii = json.loads(headers[PII_HEADER])
    present = {c for row in (in_payload["before"], in_payload["after"]) if row for c in row}
    assert set(pii) == present - {"id"}
    assert headers[SOURCE_HEADER] == f"{topic}/0/7".encode()
    assert len(headers[POLICY_HEADER]) == 16
    assert_no_raw(PLANTED, *record_blobs(out))


def test_int64_beyond_2_53_stays_exact(customers) -> None:
    raw = example_bytes("pg_create_full_schema.json")
    outcome = customers.process(record("PostgreSQL_server.public.customers", raw))
    assert isinstance(outcome, Published)
    assert b"1559033904863841257" in outcome.records[0].value  # ts_ns, > 2^53


def test_same_input_gives_byte_identical_output(customers) -> None:
    raw = example_bytes("mysql_create_full_schema.json")
    key = example_bytes("mysql_key_with_schema.json")
    first = customers.process(record("mysql-server-1.inventory.customers", raw, key=key, offset=3))
    again = customers.process(record("mysql-server-1.inventory.customers", raw, key=key, offset=3))
    assert isinstance(first, Published) and isinstance(again, Published)
    assert first.records == again.records


def test_key_with_schema_and_tombstone(customers) -> None:
    key = example("mysql_key_with_schema.json")
    outcome = customers.process(record("mysql-server-1.inventory.customers", None, key=key))
    assert isinstance(outcome, Published)
    (out,) = outcome.records
    assert out.value is None  # a tombstone stays a tombstone (null bytes)
    assert doc(out.key) == key  # id is not PII: the key is unchanged, schema included


def test_pg_tombstone_after_delete(customers) -> None:
    tomb = example("pg_delete_tombstone.json")["record_2_tombstone"]
    outcome = customers.process(record("PostgreSQL_server.public.customers", tomb["value"], key=tomb["key"]))
    assert isinstance(outcome, Published)
    assert outcome.records[0].value is None
    assert doc(outcome.records[0].key) == {"id": 1}


@pytest.mark.parametrize("name", ["pg_truncate.json", "mysql_truncate.json"])
def test_truncate(customers, name: str) -> None:
    src = example(name)
    topic = "PostgreSQL_server.public.customers" if name.startswith("pg") else "mysql-server-1.inventory.customers"
    outcome = customers.process(record(topic, wire(src), key=None))
    assert isinstance(outcome, Published)
    (out,) = outcome.records
    assert out.key is None  # truncate events have no key
    payload = doc(out.value)
    payload = payload.get("payload", payload)
    assert payload["op"] == "t"
    assert payload.get("before") is None and payload.get("after") is None
    assert json.loads(dict(out.headers)[PII_HEADER]) == {}


@pytest.mark.parametrize(
    ("name", "topic", "reason"),
    [
        ("pg_transaction_begin.json", "PostgreSQL_server.transaction", "transaction"),
        ("pg_transaction_end.json", "PostgreSQL_server.transaction", "transaction"),
        ("mysql_transaction_begin.json", "mysql-server-1.transaction", "transaction"),
        ("mysql_transaction_end.json", "mysql-server-1.transaction", "transaction"),
        ("mysql_schema_change_value.json", "mysql-server-1", "schema_change"),
    ],
)
def test_metadata_records_are_skipped_not_published(customers, name: str, topic: str, reason: str) -> None:
    outcome = customers.process(record(topic, wire(example(name)), key={"id": "x"}))
    assert isinstance(outcome, Skipped)
    assert outcome.reason == reason


def test_schema_change_key_and_value_on_the_wire(customers) -> None:
    key = example("mysql_schema_change_key.json")
    value = wire(example("mysql_schema_change_value.json"))
    outcome = customers.process(record("mysql-server-1", value, key=key))
    assert isinstance(outcome, Skipped) and outcome.reason == "schema_change"


def test_heartbeat(customers) -> None:
    hb = example("heartbeat_key_value.json")
    outcome = customers.process(record(hb["topic"], hb["value"], key=hb["key"]))
    assert isinstance(outcome, Skipped) and outcome.reason == "heartbeat"


def test_topic_without_declaration_is_skipped(tmp_path: Path) -> None:
    proc = make_processor(
        tmp_path / "s",
        {"a.yaml": "table: a.b\nsource_topic: x.a.b\ncdr_topic: cdr.ab\nowner: t\ncolumns: {id: {pii: none}}\n"},
    )
    outcome = proc.process(record("x.a.other", wire(example("pg_snapshot_read_schemaless_3_3.json"))))
    assert isinstance(outcome, Skipped) and outcome.reason == "undeclared_topic"


def test_pk_change_three_records_with_treated_key_headers(tmp_path: Path) -> None:
    proc = make_processor(
        tmp_path / "s",
        {
            "t.yaml": "table: public.t\nsource_topic: pg.public.t\ncdr_topic: cdr.t\nowner: t\n"
            "columns:\n  id: {pii: US_BANK_NUMBER, treatment: {mask: {keep_last: 1}}}\n"
        },
    )
    d, tomb, c = example("pk_update_headers.json")["records_in_order"]
    out_d = proc.process(
        record(
            "pg.public.t",
            {"op": "d", "before": d["key"], "after": None, "source": {}},
            key=d["key"],
            headers=list(d["headers"].items()),
        )
    )
    out_t = proc.process(record("pg.public.t", None, key=tomb["key"]))
    out_c = proc.process(
        record(
            "pg.public.t",
            {"op": "c", "before": None, "after": c["key"], "source": {}},
            key=c["key"],
            headers=list(c["headers"].items()),
        )
    )
    assert all(isinstance(o, Published) for o in (out_d, out_t, out_c))
    rd, rt, rc = out_d.records[0], out_t.records[0], out_c.records[0]
    # In keys and key headers a PII column is hashed (distinct keys stay distinct).
    assert doc(rd.key) == {"id": digest("1")}
    assert doc(dict(rd.headers)["__debezium.newkey"]) == {"id": digest("2")}
    assert doc(dict(rc.headers)["__debezium.oldkey"]) == doc(rd.key) == doc(rt.key)
    assert doc(rc.key) == doc(dict(rd.headers)["__debezium.newkey"])
    assert rt.value is None
    # In the row itself the declared treatment applies.
    assert doc(rd.value)["before"] == {"id": "*"}


def test_update_replica_identity_variants(customers) -> None:
    variants = example("pg_update_replica_identity_variants.json")
    for name, variant in variants.items():
        if not isinstance(variant, dict) or "op" not in variant:
            continue
        value = {
            "op": variant["op"],
            "before": variant["before"],
            "after": variant["after"],
            "source": {"ts_ms": 1},
        }
        outcome = customers.process(record("PostgreSQL_server.public.customers", value, key=variant.get("key")))
        assert isinstance(outcome, Published), name
        payload = doc(outcome.records[0].value)
        if variant["before"] is None:
            assert payload["before"] is None
        # Columns the declaration does not list (pk, text) are masked: fail closed.
        for row in (payload["before"], payload["after"]):
            if row and "text" in row:
                assert set(row["text"]) == {"*"}
        if "key" in variant and variant["key"] is None:
            assert outcome.records[0].key is None


def test_incremental_snapshot_read(customers) -> None:
    src = example("snapshot_incremental_read.json")
    outcome = customers.process(record("PostgreSQL_server.public.customers", src))
    assert isinstance(outcome, Published)
    payload = doc(outcome.records[0].value)
    assert payload["op"] == "r" and payload["source"] == {"snapshot": "incremental"}
    assert payload["after"]["pk"] == "*" and set(payload["after"]["value"]) == {"*"}  # undeclared


@pytest.mark.parametrize(
    "name", ["pg_change_event_with_transaction_block.json", "mysql_change_event_with_transaction_block.json"]
)
def test_transaction_block_is_carried(customers, name: str) -> None:
    src = wire(example(name))
    outcome = customers.process(record("PostgreSQL_server.public.customers", src))
    assert isinstance(outcome, Published)
    payload = doc(outcome.records[0].value)
    assert payload["transaction"] == src["transaction"]
    assert payload["ts_ns"] == src["ts_ns"]  # quoted numbers in the doc stay as they came


def test_mysql_snapshot_key_and_value_wire(customers) -> None:
    src = example("mysql_snapshot_read_key_and_value_wire.json")
    outcome = customers.process(
        record("inventory-connector-mysql.inventory.products_on_hand", src["value"], key=src["key"])
    )
    assert isinstance(outcome, Published)
    (out,) = outcome.records
    value = doc(out.value)
    assert value["payload"]["source"]["snapshot"] == "true"
    # Nobody declared this table: the default policy masks every column, keys are hashed.
    assert value["payload"]["after"] == {"product_id": "***", "quantity": "*"}
    assert doc(out.key)["payload"] == {"product_id": digest("101")}
    key_field = doc(out.key)["schema"]["fields"][0]
    assert key_field["type"] == "string" and key_field["parameters"]["cdr.treatment"] == "hash"


def test_schemaless_pg_snapshot(customers) -> None:
    src = example("pg_snapshot_read_schemaless_3_3.json")
    outcome = customers.process(record("inventory.inventory.products", src))
    assert isinstance(outcome, Published)
    after = doc(outcome.records[0].value)["after"]
    assert after["weight"] == "****"  # 3.14 masked as text: undeclared, fail closed
    assert after["name"] == "*******"


def test_key_forms(customers) -> None:
    keys = example("key_schemaless_table.json")
    topic = "dbserver1.inventory.customers"
    with_schema = customers.process(record(topic, None, key=keys["key_with_schemas_enable_true"]))
    without = customers.process(record(topic, None, key=keys["key_with_schemas_enable_false"]))
    no_key = customers.process(record(topic, None, key=keys["key_for_table_without_pk_or_truncate_event"]))
    assert doc(with_schema.records[0].key) == keys["key_with_schemas_enable_true"]
    assert doc(without.records[0].key) == {"id": 1004}
    assert no_key.records[0].key is None


def test_doc_form_key_schema_is_dead_lettered(customers) -> None:
    key = example("pg_key_with_schema_docform.json")
    outcome = customers.process(record("PostgreSQL_server.public.customers", None, key=key))
    assert isinstance(outcome, DeadLetter)
    assert outcome.stage == "decode" and outcome.reason == "schema_invalid"
    assert "no 'field' name" in outcome.message


@pytest.mark.parametrize(
    "name",
    [
        "pg_message_transactional.json",
        "pg_message_non_transactional.json",
        "pg_message_value_schemaless.json",
    ],
)
def test_logical_decoding_messages_never_carry_content(customers, name: str) -> None:
    src = wire(example(name))
    key = example("pg_message_key_schemaless.json")
    outcome = customers.process(record("PostgreSQL_server.message", src, key=key))
    assert isinstance(outcome, Published)
    out = doc(outcome.records[0].value)
    assert out["op"] == "m"
    assert out["message"]["content"] is None
    # the prefix is application text: treated as the key's prefix column is (undeclared: mask)
    assert out["message"]["prefix"] == "*" * len(src["message"]["prefix"])
    assert doc(outcome.records[0].key) == {"prefix": digest(key["prefix"])}
    assert src["message"]["content"].encode() not in outcome.records[0].value


def test_message_after_decode_smt_is_a_change(customers) -> None:
    src = example("pg_message_after_decode_smt.json")
    outcome = customers.process(record("connector-name.message", src))
    assert isinstance(outcome, Published)
    after = doc(outcome.records[0].value)["after"]
    assert after["item"] == "*" * len("Debezium in Action")


# --- ExtractNewRecordState (flattened) ---------------------------------------------------


def test_flattened_rows(customers) -> None:
    row = example("flatten_unwrapped_row.json")
    out = customers.process(record("dbserver1.inventory.customers", row))
    assert isinstance(out, Published)
    check_customer_row(doc(out.records[0].value), row)


def test_flattened_metadata_fields_pass_only_when_declared(tmp_path: Path, customers) -> None:
    meta = example("flatten_add_fields_output.json")
    # Not declared as the connector's: named like metadata, treated like any column.
    out = customers.process(record("dbserver1.inventory.customers", {"id": 5, **meta}))
    row = doc(out.records[0].value)
    assert row["id"] == 5 and all(row[k] == "*" * len(v) for k, v in meta.items())
    fields = "[" + ", ".join([*meta, "__deleted"]) + "]"
    proc = make_processor(
        tmp_path / "declared",
        {
            "t.yaml": "table: inventory.customers\nsource_topic: dbserver1.inventory.customers\n"
            f"cdr_topic: cdr.c\nowner: t\nconnector_fields: {fields}\n{CUSTOMER_COLUMNS}"
        },
    )
    out = proc.process(record("dbserver1.inventory.customers", {"id": 5, **meta}))
    assert doc(out.records[0].value) == {"id": 5, **meta}
    deleted = example("flatten_delete_rewrite_value.json")["value"]
    out = proc.process(record("dbserver1.inventory.customers", deleted))
    assert doc(out.records[0].value)["__deleted"] == "true"
    assert doc(out.records[0].value)["pk"] == "*"  # undeclared column, masked


def test_flattened_update_output_and_its_envelope(customers) -> None:
    env = wire(example("flatten_doc_update_envelope_input.json"))
    flat = example("flatten_doc_update_output.json")
    out_env = customers.process(record("x.y.z", env))
    out_flat = customers.process(record("x.y.z", flat))
    # Same columns, same policy: the flattened row equals the envelope's after.
    assert doc(out_flat.records[0].value) == doc(out_env.records[0].value)["after"]
    assert doc(out_env.records[0].value)["op"] == "u"


# --- column encodings (fragments wrapped into envelopes) -----------------------------------


def envelope(fields: list[dict[str, Any]], after: dict[str, Any], name: str = "pg.public.t") -> dict[str, Any]:
    row = {"type": "struct", "fields": fields, "optional": True, "name": f"{name}.Value"}
    return {
        "schema": {
            "type": "struct",
            "name": f"{name}.Envelope",
            "optional": False,
            "fields": [
                {**row, "field": "before"},
                {**row, "field": "after"},
                {
                    "type": "struct",
                    "field": "source",
                    "optional": False,
                    "name": "io.debezium.connector.postgresql.Source",
                    "fields": [{"type": "int64", "optional": False, "field": "ts_ms"}],
                },
                {"type": "string", "optional": False, "field": "op"},
            ],
        },
        "payload": {"before": None, "after": after, "source": {"ts_ms": 1}, "op": "c"},
    }


def table(tmp_path: Path, columns: str, undeclared: str = "mask"):
    return make_processor(
        tmp_path / "s",
        {
            "t.yaml": f"table: public.t\nsource_topic: pg.public.t\ncdr_topic: cdr.t\nowner: t\nundeclared: {undeclared}\ncolumns:\n{columns}"
        },
    )


def run(proc, value: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    outcome = proc.process(record("pg.public.t", value))
    assert isinstance(outcome, Published), outcome
    out = doc(outcome.records[0].value)
    if "schema" in out:
        after = next(f for f in out["schema"]["fields"] if f["field"] == "after")
        return out["payload"]["after"], {f["field"]: f for f in after["fields"]}
    return out["after"], {}


def test_decimal_encodings(tmp_path: Path) -> None:
    ex = example("decimal_field.json")
    proc = table(
        tmp_path,
        "  d: {pii: none, treatment: {generalize: {bucket: 1}}}\n  dzs: {pii: none}\n"
        "  n: {pii: US_BANK_NUMBER, treatment: hash}\n  nzs: {pii: none}\n  d_nn: {pii: none}\n"
        "  dvs: {pii: US_BANK_NUMBER, treatment: hash}\n  nvs: {pii: none, treatment: {generalize: {bucket: 10}}}\n"
        "  dvs_int: {pii: none}\n",
    )
    after, fields = run(proc, envelope(ex["schema_fields"], ex["after"]))
    assert after["d"] == base64.b64encode(bytes([100])).decode()  # 1.10 -> 1.00 at scale 2
    assert fields["d"]["name"] == "org.apache.kafka.connect.data.Decimal"  # type kept
    assert after["n"] == digest("22.2200")  # hashed as the number, not its base64
    assert after["dvs"] == digest("10.1111")
    twenty = base64.b64encode((200000).to_bytes(3, "big", signed=True)).decode()
    assert after["nvs"] == {"scale": 4, "value": twenty}  # 22.2222 -> 20.0000
    assert fields["n"]["type"] == "string" and "name" not in fields["n"]
    assert after["dzs"] == "Cg=="


def test_decimal_handling_modes_hash_alike(tmp_path: Path) -> None:
    modes = example("decimal_handling_modes.json")
    proc = table(tmp_path, "  d: {pii: US_BANK_NUMBER, treatment: hash}\n", undeclared="drop")
    precise, _ = run(
        proc,
        envelope(
            [
                {
                    "type": "bytes",
                    "optional": True,
                    "name": "org.apache.kafka.connect.data.Decimal",
                    "parameters": {"scale": "2"},
                    "field": "d",
                }
            ],
            {"d": modes["precise"]["d"]},
        ),
    )
    string, _ = run(proc, envelope([modes["string"]["schema"]], {"d": modes["string"]["d"]}))
    double, _ = run(proc, envelope([modes["double"]["schema"]], {"d": modes["double"]["d"]}))
    assert precise["d"] == string["d"] == digest("1.10")  # joins survive a decimal.handling.mode change
    assert double["d"] == digest("1.1")


def test_money(tmp_path: Path) -> None:
    ex = example("money_field.json")
    proc = table(tmp_path, "  csh: {pii: none, treatment: {generalize: {bucket: 1000}}}\n")
    outs = [run(proc, envelope(ex["schema_fields"], row))[0]["csh"] for row in ex["rows"]]
    from pipeline.core.logical import decode_decimal_bytes

    assert [decode_decimal_bytes(v, 2) if v else None for v in outs] == [1000, -2000, None]


def test_temporal_pg(tmp_path: Path) -> None:
    ex = example("temporal_fields_pg.json")
    cols = "".join(
        f"  {f['field']}: {{pii: DATE_OF_BIRTH, treatment: {{generalize: {{to: year}}}}}}\n"
        for f in ex["schema_fields"]
        if f["field"] in ("ts", "tsneg", "ts_ms", "tz", "date", "ts_pinf", "ts_ninf", "tz_pinf", "tz_large")
    )
    proc = table(
        tmp_path,
        cols + "  ti: {pii: none}\n  tip: {pii: none}\n  ttf: {pii: none}\n  ttz: {pii: none}\n  it: {pii: none}\n",
    )
    after, fields = run(proc, envelope(ex["schema_fields"], ex["after"]))
    assert after["date"] == 16801  # 2016-01-01 in days
    assert after["ts"] == 1451606400 * 1_000_000  # MicroTimestamp: 2016-01-01T00:00:00
    assert after["ts_ms"] == 1451606400 * 1000
    assert after["tsneg"] == -1073001600 * 1_000_000  # 1936-01-01
    assert after["tz"] == "2016-01-01T00:00:00Z"
    assert after["tz_large"] == "+21016-01-01T00:00:00Z"
    assert after["ts_pinf"] == 9223372036825200000 and after["ts_ninf"] == -9223372036832400000
    assert after["tz_pinf"] == "infinity"
    assert after["it"] == 37091106780000 and after["ttz"] == "11:51:30.123789Z"
    assert fields["date"]["name"] == "io.debezium.time.Date"


def test_temporal_mysql(tmp_path: Path) -> None:
    ex = example("temporal_fields_mysql.json")
    proc = table(
        tmp_path,
        "  dt: {pii: DATE_OF_BIRTH, treatment: {generalize: {to: month}}}\n"
        "  ts: {pii: DATE_OF_BIRTH, treatment: {generalize: {to: day}}}\n",
        undeclared="drop",
    )
    # d, t and y hold descriptions in the doc ("<int32 days since epoch>"), not values.
    after, _ = run(proc, envelope(ex["schema_fields"], {"dt": ex["after"]["dt"], "ts": ex["after"]["ts"]}))
    assert after == {"dt": 1527811200000, "ts": "2018-06-20T00:00:00Z"}


def test_generalize_without_logical_type_is_dead_lettered(tmp_path: Path) -> None:
    proc = table(tmp_path, "  d: {pii: DATE_OF_BIRTH, treatment: {generalize: {to: year}}}\n")
    outcome = proc.process(record("pg.public.t", {"op": "c", "after": {"d": 17109}, "source": {}}))
    assert isinstance(outcome, DeadLetter) and outcome.reason == "generalize_type"
    assert "17109" not in outcome.message


def test_unavailable_placeholder_never_becomes_a_value(tmp_path: Path) -> None:
    forms = example("toast_unavailable_placeholders.json")
    by_type = forms["by_column_type (UPDATE under REPLICA IDENTITY DEFAULT, unchanged TOASTed column)"]
    proc = table(
        tmp_path,
        "  h: {pii: PERSON, treatment: hash}\n  m: {pii: PERSON, treatment: {mask: {keep_last: 2}}}\n"
        "  n: {pii: PERSON, treatment: null}\n  p: {pii: none}\n",
    )
    for name, form in by_type.items():
        outcome = proc.process(
            record(
                "pg.public.t",
                {
                    "op": "u",
                    "before": None,
                    "source": {},
                    "after": {"h": form, "m": form, "n": form, "p": form},
                },
            )
        )
        assert isinstance(outcome, Published), name
        after = doc(outcome.records[0].value)["after"]
        # Text-producing treatments give the placeholder text; others leave it as it came.
        assert after["h"] == "__debezium_unavailable_value", name
        assert after["m"] == "__debezium_unavailable_value", name
        assert after["n"] == form and after["p"] == form, name


def test_arrays(tmp_path: Path) -> None:
    ex = example("array_fields.json")
    proc = table(
        tmp_path,
        "".join(f"  {c}: {{pii: none}}\n" for c in ex["after"] if c != "uuid_array")
        + "  uuid_array: {pii: PERSON, treatment: hash}\n",
    )
    outcome = proc.process(record("pg.public.t", {"op": "c", "after": ex["after"], "source": {}}))
    after = doc(outcome.records[0].value)["after"]
    assert after["bigint_array"] == [1550166368505037572]  # > 2^53, exact
    assert after["char_array"] == ["cone      ", "ctwo      ", "cthree    "]
    assert after["uuid_array"] == digest(json.dumps(ex["after"]["uuid_array"], separators=(",", ":")))
    null_out = proc.process(
        record("pg.public.t", {"op": "c", "after": {**ex["after"], **ex["null_array"]}, "source": {}})
    )
    assert doc(null_out.records[0].value)["after"]["int_array"] is None


def test_bits_and_bytea(tmp_path: Path) -> None:
    bits = example("bits_fields.json")
    proc = table(tmp_path, "".join(f"  {f['field']}: {{pii: none}}\n" for f in bits["schema_fields"]))
    after, fields = run(proc, envelope(bits["schema_fields"], bits["after"]))
    assert after == bits["after"]
    assert fields["bv2"]["parameters"] == {"length": "24"}
    bytea = example("bytea_binary_handling_modes.json")
    hashed = []
    for mode in ("bytes (default)", "base64", "hex"):
        proc2 = table(tmp_path / mode, "  ba: {pii: US_BANK_NUMBER, treatment: hash}\n  bytea_array: {pii: none}\n")
        after, fields = run(proc2, envelope(bytea[mode]["schema_fields"], {"ba": bytea[mode]["after"]["ba"]}))
        hashed.append(after["ba"])
        assert fields["ba"]["type"] == "string"
    assert hashed[0] == hashed[1] == digest("AQID") and hashed[2] == digest("010203")


def test_json_uuid_network_strings(tmp_path: Path) -> None:
    ex = example("json_uuid_xml_network_range_fields.json")
    proc = table(
        tmp_path,
        "  j: {pii: none, treatment: tag}\n  u: {pii: PERSON, treatment: hash}\n  inet: {pii: IP_ADDRESS}\n",
        undeclared="pass",
    )
    after, fields = run(proc, envelope(ex["schema_fields"], ex["after"]))
    assert after["j"] == ex["after"]["j"] and fields["j"]["name"] == "io.debezium.data.Json"
    assert fields["j"]["parameters"]["cdr.treatment"] == "tag"
    assert after["u"] == digest("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    assert after["inet"] == digest("192.168.2.0/12")
    assert after["vc"] == "žš"  # undeclared: pass (declared explicitly by the table)


def test_enum_parameters_kept_exactly(tmp_path: Path) -> None:
    ex = example("enum_field.json")
    proc = table(tmp_path, "  type: {pii: none}\n  flags: {pii: none}\n")
    after, fields = run(proc, envelope(ex["schema_fields"], ex["after"]))
    assert fields["type"]["parameters"]["allowed"] == ex["schema_fields"][0]["parameters"]["allowed"]
    assert after == ex["after"]


def test_geometry_location_redacted(tmp_path: Path) -> None:
    ex = example("geometry_fields.json")
    proc = table(tmp_path, "  p: {pii: LOCATION}\n  g: {pii: LOCATION, treatment: drop}\n")
    fields = [
        ex["point"]["schema"],
        {
            "type": "struct",
            "optional": True,
            "name": ex["postgis_geometry"]["schema_name"],
            "field": "g",
            "fields": [
                {"type": "bytes", "optional": False, "field": "wkb"},
                {"type": "int32", "optional": True, "field": "srid"},
            ],
        },
    ]
    after, out_fields = run(proc, envelope(fields, {"p": ex["point"]["value"], "g": ex["postgis_geometry"]["value"]}))
    assert after == {"p": "<REDACTED>"}
    assert out_fields["p"]["type"] == "string" and "g" not in out_fields


def test_hstore_both_modes(tmp_path: Path) -> None:
    ex = example("hstore_fields.json")
    proc = table(tmp_path, "  hs: {pii: PERSON, treatment: hash}\n")
    for mode in ex.values():
        if not isinstance(mode, dict):
            continue
        for value in mode["values"]:
            after, fields = run(proc, envelope([mode["schema"]], {"hs": value}))
            expected = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))
            assert after["hs"] == digest(expected)
            assert fields["hs"]["type"] == "string"


def test_debezium_masked_columns_pass_with_their_parameters(tmp_path: Path) -> None:
    ex = example("masked_columns_pg.json")
    proc = table(tmp_path, "  bb: {pii: none}\n")
    for key, case in ex.items():
        if not isinstance(case, dict):
            continue
        field = case["field_schema"]
        for name, value in case.items():
            if isinstance(value, dict) and "bb" in value:
                after, fields = run(proc, envelope([field], {"bb": value["bb"]}))
                assert after["bb"] == value["bb"], (key, name)
                assert fields["bb"]["parameters"] == field["parameters"]


def test_propagated_source_type_parameters(tmp_path: Path) -> None:
    ex = example("field_schema_propagate_source_type.json")["schema"]
    field = {**ex, "type": ex["type"].lower(), "optional": True, "field": "flag"}  # the wire is lower case
    proc = table(tmp_path, "  flag: {pii: none}\n  hashed: {pii: PERSON, treatment: hash}\n")
    after, fields = run(proc, envelope([field, {**field, "field": "hashed"}], {"flag": 1, "hashed": 1}))
    assert fields["flag"]["parameters"] == ex["parameters"]  # pass: kept
    assert fields["hashed"]["parameters"] == {
        "cdr.pii": "PERSON",
        "cdr.treatment": "hash",
    }  # type changed: dropped
    assert after == {"flag": 1, "hashed": digest("1")}


def test_avro_framed_record_is_dead_lettered_with_a_clear_reason(customers) -> None:
    meta = example("derived_avro_value_schema_naming.json")
    framed = b"\x00\x00\x00\x00\x07" + b"\x02\x08Anne"  # Confluent framing, schema id 7
    outcome = customers.process(record(meta["topic"], framed))
    assert isinstance(outcome, DeadLetter) and outcome.reason == "unsupported_encoding"
    assert "schema id 7" in outcome.message and "Anne" not in outcome.message


def test_every_example_file_is_covered() -> None:
    """A new file in ../shared must get a case here."""
    covered = set()
    source = Path(__file__).read_text()
    for path in SHARED_EVENTS.glob("*.json"):
        if f'"{path.name}"' in source:
            covered.add(path.name)
    missing = sorted(p.name for p in SHARED_EVENTS.glob("*.json") if p.name not in covered)
    assert not missing, f"example files without a test case: {missing}"
