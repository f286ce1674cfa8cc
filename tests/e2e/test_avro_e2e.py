"""Avro end to end, through real Debezium: PostgreSQL -> Debezium PostgreSQL connector with
Apicurio's Avro converter (deploy/local/connect/shop-avro.json: Confluent wire format,
schemas registered in the local Apicurio Registry) -> Kafka -> ``cdr run`` with
``format: avro`` -> CDR topics in Avro, read by a plain confluent-kafka AvroDeserializer.

Its own small stack (``Stack.up(avro=True)``; the JSON suite's runs without a registry);
tests in order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from devstack.stack import Stack
from tests.e2e.conftest import TopicFollower, hashed
from tests.support import assert_no_raw

pytestmark = pytest.mark.e2e

SEED = 8
CUSTOMERS = "cdr.shopavro.customers"
HASHED = re.compile(r"^k[0-9a-f]{8}:[0-9a-f]{64}$")


@pytest.fixture(scope="module")
def avro_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(run_dir=tmp_path_factory.mktemp("avro-stack"), detached=False)
    stack.up(customers=SEED, prometheus=False, avro=True)
    try:
        yield stack
    finally:
        stack.down()


@pytest.fixture(scope="module")
def cdr(avro_stack: Stack) -> Iterator[TopicFollower]:
    follower = TopicFollower(avro_stack.bootstrap, r"^cdr\.shopavro\..*")
    yield follower
    follower.close()


@pytest.fixture(scope="module")
def reader(avro_stack: Stack) -> Any:
    deserializer = AvroDeserializer(SchemaRegistryClient({"url": avro_stack.registry_url, "timeout": 20}))

    def read(raw: bytes | None, topic: str, field: MessageField = MessageField.VALUE) -> Any:
        return None if raw is None else deserializer(raw, SerializationContext(topic, field))

    return read


@pytest.fixture
def db(avro_stack: Stack) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(avro_stack.postgres_dsn(), autocommit=True) as conn:
        yield conn


def test_avro_snapshot_comes_out_treated(cdr: TopicFollower, reader: Any, db: psycopg.Connection[Any]) -> None:
    records = cdr.wait(CUSTOMERS, lambda r: r.value is not None, count=SEED)
    raw = {row[0]: row[1:] for row in db.execute("SELECT id, email, street FROM customers").fetchall()}
    for rec in records:
        value = reader(rec.value, CUSTOMERS)
        assert value["op"] == "r"
        after = value["after"]
        email, street = raw[after["id"]]
        assert HASHED.match(after["email"]) and after["email"] == hashed(email)
        assert after["street"] == "<REDACTED>" and street.encode() not in rec.value
        assert reader(rec.key, CUSTOMERS, MessageField.KEY) == {"id": after["id"]}
        assert json.loads(rec.headers["cdr.pii"])["email"] == "hash"
    accounts = db.execute("SELECT id, balance FROM accounts").fetchall()
    out = cdr.wait("cdr.shopavro.accounts", lambda r: r.value is not None, count=len(accounts))
    balances = {reader(r.value, "cdr.shopavro.accounts")["after"]["id"]: r for r in out}
    for account_id, balance in accounts:
        after = reader(balances[account_id].value, "cdr.shopavro.accounts")["after"]
        assert after["balance"] in (balance, None)  # numeric(…, 2): a Decimal, unless withheld by the guard
        assert after["balance"] is None or isinstance(after["balance"], Decimal)


def test_avro_insert_update_delete_tombstone(
    cdr: TopicFollower, reader: Any, db: psycopg.Connection[Any], avro_stack: Stack
) -> None:
    email = "avro.e2e.marguerite@example.org"
    cid = db.execute(
        "INSERT INTO customers (first_name, last_name, email, street) VALUES ('Marguerite', 'Okonkwo', %s, "
        "'12 Larkspur Lane') RETURNING id",
        (email,),
    ).fetchone()[0]
    db.execute("UPDATE customers SET segment = 'premium' WHERE id = %s", (cid,))
    db.execute("DELETE FROM customers WHERE id = %s", (cid,))

    def mine(r: Any) -> bool:
        return r.key is not None and reader(r.key, CUSTOMERS, MessageField.KEY) == {"id": cid}

    recs = cdr.wait(CUSTOMERS, mine, count=4)
    values = [reader(r.value, CUSTOMERS) for r in recs]
    assert [v["op"] if v else None for v in values] == ["c", "u", "d", None]
    assert values[0]["after"]["email"] == hashed(email) == values[1]["after"]["email"]
    assert values[1]["after"]["segment"] == "premium"
    assert values[2]["before"]["id"] == cid and recs[3].value is None
    assert_no_raw([email, "12 Larkspur Lane", "Okonkwo"], *(b for r in recs for b in (r.key, r.value)))
    registry = SchemaRegistryClient({"url": avro_stack.registry_url, "timeout": 20})
    schema = json.loads(registry.get_latest_version(f"{CUSTOMERS}-value").schema.schema_str)
    row = next(t for t in next(f for f in schema["fields"] if f["name"] == "before")["type"] if t != "null")
    email_field = next(f for f in row["fields"] if f["name"] == "email")
    assert email_field["cdr.pii"] == "EMAIL_ADDRESS" and email_field["cdr.treatment"] == "hash"


def test_avro_primary_key_change_carries_treated_key_headers(cdr: TopicFollower, reader: Any, db) -> None:
    """A PK change (the key is an e-mail): delete + tombstone under the old key, create
    under the new; the __debezium.oldkey/newkey headers are treated as keys are."""
    old, new = "avro.pk.before@example.net", "avro.pk.after@example.net"
    db.execute("INSERT INTO newsletter_subscribers (email, first_name) VALUES (%s, 'Ines')", (old,))
    db.execute("UPDATE newsletter_subscribers SET email = %s WHERE email = %s", (new, old))
    topic = "cdr.shopavro.newsletter_subscribers"

    def key_of(r: Any) -> Any:
        return reader(r.key, topic, MessageField.KEY) if r.key is not None else None

    moved = cdr.wait(topic, lambda r: key_of(r) in ({"email": hashed(old)}, {"email": hashed(new)}), count=4)
    before = [r for r in moved if key_of(r) == {"email": hashed(old)}]
    after = [r for r in moved if key_of(r) == {"email": hashed(new)}]
    ops = [(reader(r.value, topic) or {}).get("op") for r in before]
    assert ops == ["c", "d", None] and [reader(r.value, topic)["op"] for r in after] == ["c"]
    _, delete, tombstone = before
    assert tombstone.key == delete.key
    assert new.encode() not in delete.headers["__debezium.newkey"]
    assert hashed(new).encode() in delete.headers["__debezium.newkey"]
    assert hashed(old).encode() in after[0].headers["__debezium.oldkey"]
    assert_no_raw([old, new], *(b for r in moved for b in (r.key, r.value, *r.headers.values())))


def test_avro_add_and_drop_column_give_new_cdr_schema_versions(
    cdr: TopicFollower, reader: Any, db: psycopg.Connection[Any], avro_stack: Stack
) -> None:
    """ALTER TABLE mid-stream: ADD COLUMN gives a new CDR schema version the registry
    accepts under BACKWARD; after DROP COLUMN the CDR schema is the first one again (the
    registry answers with its id, no new version). Records keep flowing throughout."""
    topic = "cdr.shopavro.fx_rates"
    registry = SchemaRegistryClient({"url": avro_stack.registry_url, "timeout": 20})

    def inserted(pair: str) -> tuple[dict[str, Any], int]:
        db.execute("INSERT INTO fx_rates (pair, rate) VALUES (%s, 1.25)", (pair,))
        (rec,) = cdr.wait(topic, lambda r: r.value is not None and reader(r.value, topic)["after"]["pair"] == pair)
        return reader(rec.value, topic)["after"], int.from_bytes(rec.value[1:5], "big")

    first, first_id = inserted("AAA/BBB")
    versions = registry.get_versions(f"{topic}-value")
    db.execute("ALTER TABLE fx_rates ADD COLUMN source_desk text")
    added, added_id = inserted("CCC/DDD")
    assert "source_desk" in added and "source_desk" not in first and added_id != first_id
    assert len(registry.get_versions(f"{topic}-value")) == len(versions) + 1
    db.execute("ALTER TABLE fx_rates DROP COLUMN source_desk")
    dropped, dropped_id = inserted("EEE/FFF")
    assert "source_desk" not in dropped and dropped_id == first_id
    assert len(registry.get_versions(f"{topic}-value")) == len(versions) + 1
    assert registry.get_compatibility(f"{topic}-value") == "BACKWARD"


def test_avro_toast_placeholder_numeric_timestamptz_uuid_and_arrays(
    cdr: TopicFollower, reader: Any, db: psycopg.Connection[Any]
) -> None:
    body = " ".join(f"ledger{i * 7919 % 1_000_003}" for i in range(3000))  # ~40 kB, stored out of line
    tid = db.execute(
        "INSERT INTO support_tickets (subject, body) VALUES ('Long history', %s) RETURNING id", (body,)
    ).fetchone()[0]
    db.execute("UPDATE support_tickets SET status = 'pending' WHERE id = %s", (tid,))
    tickets = "cdr.shopavro.support_tickets"
    recs = cdr.wait(
        tickets, lambda r: r.key is not None and reader(r.key, tickets, MessageField.KEY) == {"id": tid}, count=2
    )
    created, updated = (reader(r.value, tickets) for r in recs[:2])
    assert created["op"] == "c" and len(created["after"]["body"]) > 20_000
    assert updated["after"]["status"] == "pending"
    assert updated["after"]["body"] == "__debezium_unavailable_value"  # passed unchanged, never treated

    acct = db.execute("SELECT id FROM accounts ORDER BY id LIMIT 1").fetchone()[0]
    pid = str(
        db.execute(
            "INSERT INTO payments (account_id, card_number, amount, merchant, created_at) "
            "VALUES (%s, '4111111111111111', 1234567.89, 'Northwind', '2026-03-01 12:34:56.789+02') RETURNING id",
            (acct,),
        ).fetchone()[0]
    )
    payments = "cdr.shopavro.payments"
    (rec,) = cdr.wait(
        payments, lambda r: r.key is not None and reader(r.key, payments, MessageField.KEY) == {"id": pid}
    )
    after = reader(rec.value, payments)["after"]
    assert after["id"] == pid and after["amount"] == Decimal("1234567.89")
    assert after["created_at"] == "2026-03-01T10:34:56.789000Z" and after["card_number"] == "************1111"
    db.execute("UPDATE customers SET tags = '{vip,app}' WHERE id = 1")
    tagged = cdr.wait(
        CUSTOMERS,
        lambda r: (
            r.value is not None
            and reader(r.key, CUSTOMERS, MessageField.KEY) == {"id": 1}
            and reader(r.value, CUSTOMERS)["op"] == "u"
        ),
    )[-1]
    assert reader(tagged.value, CUSTOMERS)["after"]["tags"] == ["vip", "app"]
