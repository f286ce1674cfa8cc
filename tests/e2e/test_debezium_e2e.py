"""PostgreSQL -> Debezium -> Kafka -> cdr run -> CDR topics, asserted on the CDR topics.

Tests run in file order against one stack; the last one sweeps every CDR topic for the
personal values the database was given.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
import subprocess
import sys
import time
import urllib.request
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from devstack.prometheus import LocalPrometheus
from devstack.stack import Stack
from tests.e2e.conftest import SEED_CUSTOMERS, TopicFollower, hashed
from tests.topic_reader import Received

pytestmark = pytest.mark.e2e

CDR = (sys.executable, "-m", "pipeline")  # the tree under test, not whichever `cdr` script is installed
HASHED = re.compile(r"^k[0-9a-f]{8}:[0-9a-f]{64}$")
CUSTOMERS = "cdr.shop.customers"
UNAVAILABLE = "__debezium_unavailable_value"


def doc(raw: bytes | None) -> Any:
    if raw is None:
        return None
    parsed = json.loads(raw)
    return parsed["payload"] if isinstance(parsed, dict) and set(parsed) == {"schema", "payload"} else parsed


def schema_of(raw: bytes) -> dict[str, Any]:
    return dict(json.loads(raw)["schema"])


def row_field(value: bytes, column: str) -> dict[str, Any]:
    after = next(f for f in schema_of(value)["fields"] if f["field"] == "after")
    return dict(next(f for f in after["fields"] if f["field"] == column))


def key_is(column: str, wanted: Any) -> Any:
    return lambda r: r.key is not None and (doc(r.key) or {}).get(column) == wanted


def op_of(r: Received) -> str | None:
    value = doc(r.value)
    return None if value is None else value["op"]


def decimal_of(encoded: str, scale: int) -> Decimal:
    return Decimal(int.from_bytes(base64.b64decode(encoded), "big", signed=True)).scaleb(-scale)


def new_customer(db: psycopg.Connection[Any], planted: set[str], **extra: Any) -> tuple[int, dict[str, str]]:
    tag = "".join(random.choices(string.ascii_lowercase, k=6))
    values = {
        "first_name": "Marguerite",
        "last_name": f"Okonkwo{tag.capitalize()}",
        "email": f"marguerite.{tag}@example.org",
        "phone": f"+1 415-{random.randrange(200, 999)}-{random.randrange(1000, 9999)}",
        "street": f"{random.randrange(10, 999)} Larkspur Lane {tag}",
        **extra,
    }
    planted.update(v for k, v in values.items() if isinstance(v, str) and k != "first_name")
    planted.add(f"{values['first_name']} {values['last_name']}")
    columns = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    row = db.execute(f"INSERT INTO customers ({columns}) VALUES ({marks}) RETURNING id", list(values.values()))
    found = row.fetchone()
    assert found is not None
    return int(found[0]), values


def test_snapshot_rows_come_out_treated(stack: Stack, cdr: TopicFollower, db: psycopg.Connection[Any]) -> None:
    snap = cdr.wait(CUSTOMERS, lambda r: op_of(r) == "r", count=SEED_CUSTOMERS)
    raw = {
        row[0]: row[1:]
        for row in db.execute("SELECT id, email, phone, date_of_birth, street FROM customers ORDER BY id").fetchall()
    }
    for rec in snap:
        after = doc(rec.value)["after"]
        email, phone, dob, street = raw[after["id"]]
        assert HASHED.match(after["email"]) and after["email"] != email
        # phone is not declared: withheld while the detector decides, then treated as a phone.
        assert after["phone"] != phone and (HASHED.match(after["phone"]) or set(after["phone"]) <= {"*"})
        # date_of_birth is not declared either: never the real day, at most its year.
        days = (dob - date(1970, 1, 1)).days
        jan_1 = (date(dob.year, 1, 1) - date(1970, 1, 1)).days
        assert after["date_of_birth"] in (None, 0, jan_1), f"date_of_birth of customer {after['id']} not generalised"
        assert days == jan_1 or after["date_of_birth"] != days
        assert after["street"] == "<REDACTED>" and street not in rec.value.decode()
        headers = rec.headers
        assert headers["cdr.source"].decode().startswith("shop.public.customers/")
        assert json.loads(headers["cdr.pii"])["email"] == "hash"
    for table in ("accounts", "payments", "support_tickets", "newsletter_subscribers", "fx_rates"):
        expected = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        cdr.wait(f"cdr.shop.{table}", lambda r: op_of(r) == "r", count=expected)


def test_insert_update_delete_then_tombstone(cdr: TopicFollower, db: psycopg.Connection[Any], planted) -> None:
    cid, _ = new_customer(db, planted)
    db.execute("UPDATE customers SET segment = 'premium', updated_at = now() WHERE id = %s", (cid,))
    db.execute("DELETE FROM customers WHERE id = %s", (cid,))
    recs = cdr.wait(CUSTOMERS, key_is("id", cid), count=4)
    assert [op_of(r) for r in recs] == ["c", "u", "d", None]  # None: the tombstone
    created, updated, deleted, tombstone = recs
    assert doc(created.value)["after"]["email"] == doc(updated.value)["after"]["email"]
    assert doc(updated.value)["after"]["segment"] == "premium"
    # REPLICA IDENTITY DEFAULT: the delete's before image holds the key; Debezium fills the
    # other NOT NULL columns with their type's default ("" here, hashed like any value).
    before = doc(deleted.value)["before"]
    assert before["id"] == cid and before["email"] in (None, hashed("")) and before["phone"] is None
    assert tombstone.value is None and tombstone.key == deleted.key
    assert len({r.partition for r in recs}) == 1  # one key, one partition: order kept


def test_primary_key_change_carries_treated_key_headers(cdr: TopicFollower, db, planted) -> None:
    old, new = "pk.change.before@example.net", "pk.change.after@example.net"
    planted.update((old, new))
    db.execute("INSERT INTO newsletter_subscribers (email, first_name) VALUES (%s, 'Ines')", (old,))
    db.execute("UPDATE newsletter_subscribers SET email = %s WHERE email = %s", (new, old))
    topic = "cdr.shop.newsletter_subscribers"
    moved = cdr.wait(topic, lambda r: key_is("email", hashed(old))(r) or key_is("email", hashed(new))(r), count=4)
    before = [r for r in moved if doc(r.key) == {"email": hashed(old)}]  # keys on different partitions:
    after = [r for r in moved if doc(r.key) == {"email": hashed(new)}]  # order holds per key only
    assert [op_of(r) for r in before] == ["c", "d", None] and [op_of(r) for r in after] == ["c"]
    _, delete, tombstone = before
    recreate = after[0]
    assert tombstone.key == delete.key  # Debezium: delete + tombstone under the old key, create under the new
    # The PK-change headers are keys too: treated exactly as the record keys are.
    assert doc(delete.headers["__debezium.newkey"]) == doc(recreate.key)
    assert doc(recreate.headers["__debezium.oldkey"]) == doc(delete.key)
    for rec in moved:
        blob = b"".join([rec.key or b"", rec.value or b"", *(v or b"" for v in rec.headers.values())])
        assert old.encode() not in blob and new.encode() not in blob


def test_pii_primary_key_is_the_same_cdr_key_every_time(cdr: TopicFollower, db, planted) -> None:
    email = "same.key.every.time@example.com"
    planted.add(email)
    for _ in range(2):
        db.execute("INSERT INTO newsletter_subscribers (email, first_name) VALUES (%s, 'Noor')", (email,))
        db.execute("DELETE FROM newsletter_subscribers WHERE email = %s", (email,))
    recs = cdr.wait("cdr.shop.newsletter_subscribers", key_is("email", hashed(email)), count=6)
    assert [op_of(r) for r in recs] == ["c", "d", None, "c", "d", None]
    assert len({r.key for r in recs}) == 1  # byte-identical keys: compaction keeps one per person
    # The schemaless connector's topic: no schema block, the same e-mail hashed the same way.
    flat = cdr.wait("cdr.shopflat.newsletter_subscribers", key_is("email", hashed(email)), count=6)
    assert json.loads(flat[0].key) == {"email": hashed(email)}
    assert "schema" not in json.loads(flat[0].value)


def test_unchanged_toasted_column_keeps_the_placeholder(cdr: TopicFollower, db, stack: Stack) -> None:
    words = ["refund", "statement", "branch", "ledger", "transfer", "balance", "limit", "fee", "review", "queue"]
    rng = random.Random(5)
    body = " ".join(rng.choice(words) + str(rng.randrange(10**6)) for _ in range(2500))  # ~30 kB, stored out of line
    row = db.execute(
        "INSERT INTO support_tickets (subject, body) VALUES ('Long history', %s) RETURNING id", (body,)
    ).fetchone()
    tid = row[0]
    db.execute("UPDATE support_tickets SET status = 'pending' WHERE id = %s", (tid,))
    recs = cdr.wait("cdr.shop.support_tickets", key_is("id", tid), count=2)
    created, updated = recs[0], recs[1]
    assert op_of(created) == "c" and len(doc(created.value)["after"]["body"]) > 20_000
    after = doc(updated.value)["after"]
    assert after["status"] == "pending"
    assert after["body"] == UNAVAILABLE  # passed unchanged: never hashed or masked into a fake value


def test_numeric_timestamptz_uuid_and_arrays(cdr: TopicFollower, db) -> None:
    acct = db.execute("SELECT id FROM accounts ORDER BY id LIMIT 1").fetchone()[0]
    card = "4111111111111111"
    row = db.execute(
        "INSERT INTO payments (account_id, card_number, amount, merchant, created_at) "
        "VALUES (%s, %s, 1234567.89, 'Northwind', '2026-03-01 12:34:56.789+02') RETURNING id",
        (acct, card),
    ).fetchone()
    pid = str(row[0])
    rec = cdr.wait("cdr.shop.payments", key_is("id", pid))[0]
    after = doc(rec.value)["after"]
    assert row_field(rec.value, "id")["name"] == "io.debezium.data.Uuid" and after["id"] == pid
    amount = row_field(rec.value, "amount")
    assert amount["name"] == "org.apache.kafka.connect.data.Decimal"
    assert decimal_of(after["amount"], int(amount["parameters"]["scale"])) == Decimal("1234567.89")
    assert row_field(rec.value, "created_at")["name"] == "io.debezium.time.ZonedTimestamp"
    assert after["created_at"] == "2026-03-01T10:34:56.789000Z"
    assert after["card_number"] == "************1111"
    cid = db.execute("UPDATE customers SET tags = '{vip,app}' WHERE id = 1 RETURNING id").fetchone()[0]
    tagged = cdr.wait(CUSTOMERS, lambda r: key_is("id", cid)(r) and op_of(r) == "u")[-1]
    assert doc(tagged.value)["after"]["tags"] == ["vip", "app"]
    assert row_field(tagged.value, "tags")["type"] == "array"


def test_jsonb_profile_nested_pii_is_treated_by_path(cdr: TopicFollower, db, planted) -> None:
    profile = {
        "language": "fr",
        "emergency_contact": {"name": "Bartholomew Quince", "phone": "+1 212-555-0147"},
        "contacts": [{"type": "work", "email": "b.quince.work@example.com"}],
        "devices": [{"os": "ios", "last_ip": "203.0.113.77"}],
        "note": "call Bartholomew Quince on +1 212-555-0199 after 5pm",
    }
    planted.update(("Bartholomew Quince", "+1 212-555-0147", "b.quince.work@example.com", "203.0.113.77"))
    planted.add("+1 212-555-0199")
    cid, _ = new_customer(db, planted, profile=json.dumps(profile))
    rec = cdr.wait(CUSTOMERS, key_is("id", cid))[0]
    assert row_field(rec.value, "profile")["name"] == "io.debezium.data.Json"
    out = json.loads(doc(rec.value)["after"]["profile"])
    assert out["language"] == "fr"
    assert HASHED.match(out["emergency_contact"]["name"])
    assert out["emergency_contact"]["phone"] == "<REDACTED>"
    assert HASHED.match(out["contacts"][0]["email"])
    assert out["devices"][0]["last_ip"] == "<REDACTED>"
    assert "Bartholomew" not in out["note"] and "555-0199" not in out["note"]  # free text: spans redacted


def test_added_pii_column_is_protected_from_its_first_event(stack: Stack, cdr: TopicFollower, db, planted) -> None:
    pid_before = stack.state["service"]["pid"]
    db.execute("ALTER TABLE customers ADD COLUMN secondary_email text")
    cids = []
    for i in range(3):
        cid, values = new_customer(db, planted, secondary_email=f"second.address.{i}@example.com")
        cids.append((cid, values["secondary_email"]))
    for cid, email in cids:
        after = doc(cdr.wait(CUSTOMERS, key_is("id", cid))[0].value)["after"]
        assert "secondary_email" in after and after["secondary_email"] != email
        assert email not in json.dumps(after)
    assert stack.state["service"]["pid"] == pid_before and stack.service_proc.poll() is None  # no restart
    metrics = _get(stack.metrics_url)
    assert 'cdr_undeclared_column_events_total{column="secondary_email",table="public.customers"}' in metrics


def test_dropped_declared_column_is_reported(stack: Stack, cdr: TopicFollower, db) -> None:
    db.execute("ALTER TABLE accounts DROP COLUMN closed")
    cid = db.execute("SELECT id FROM customers ORDER BY id LIMIT 1").fetchone()[0]
    acct = db.execute(
        "INSERT INTO accounts (customer_id, iban) VALUES (%s, 'DE89370400440532013000') RETURNING id", (cid,)
    ).fetchone()[0]
    rec = cdr.wait("cdr.shop.accounts", key_is("id", acct))[0]
    assert "closed" not in doc(rec.value)["after"]
    assert 'cdr_declared_column_missing{column="closed",table="public.accounts"} 1.0' in _get(stack.metrics_url)
    logged = [json.loads(line) for line in stack.log_file("service").read_text().splitlines() if line.startswith("{")]
    assert any(e["event"] == "declared_column_missing" and e["column"] == "closed" for e in logged)


def test_prometheus_scrapes_the_service(stack: Stack) -> None:
    prom = LocalPrometheus(stack.run_dir / "prometheus", [], port=stack.state["prometheus"]["port"])
    deadline = time.monotonic() + 30
    found: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not found:
        found = prom.query('cdr_undeclared_pii_columns{table="public.customers"} >= 2')
        time.sleep(0.5)
    assert found, "Prometheus never saw the undeclared phone and date_of_birth columns"
    produced = prom.query("sum(cdr_events_produced_total)")
    assert float(produced[0]["value"][1]) > SEED_CUSTOMERS


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return str(resp.read().decode())


def test_zz_no_planted_value_in_any_cdr_topic(cdr: TopicFollower, db, planted: set[str]) -> None:
    """The final sweep: every CDR record so far, keys, values and headers."""
    records = cdr.snapshot()
    assert len(records) > SEED_CUSTOMERS * 4
    # The sweep can see values: `city` is declared `tag` (kept, listed in cdr.pii), so it shows.
    cities = {row[0].encode() for row in db.execute("SELECT city FROM customers WHERE city IS NOT NULL").fetchall()}
    assert any(city in (r.value or b"") for r in records for city in cities)
    leaks: dict[str, int] = {}
    needles = [v.encode() for v in planted if len(v) >= 6]
    for rec in records:
        blob = b"\x00".join([rec.key or b"", rec.value or b"", *(v or b"" for v in rec.headers.values())])
        if any(needle in blob for needle in needles):
            leaks[rec.topic] = leaks.get(rec.topic, 0) + 1
    # Count per topic only: a failure message must not print the values themselves.
    assert not leaks, f"planted values found in CDR records, per topic: {leaks}"
    assert not [r for r in records if r.topic == "cdr.dead-letter"], "a healthy stream dead-lettered records"


def test_zz_cdr_audit_finds_no_raw_personal_data(stack: Stack, tmp_path) -> None:
    """The independent leak check ops run, over every CDR topic of the stack."""
    config = tmp_path / "audit.yaml"
    config.write_text(f"kafka: {{bootstrap.servers: '{stack.bootstrap}'}}\nconsumer: {{group.id: e2e-audit}}\n")
    gauges = tmp_path / "audit.prom"
    proc = subprocess.run(
        [*CDR, "audit", "--topic", "cdr.shop*", "--config", str(config), "--ner", "--metrics-file", str(gauges)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert 'cdr_audit_records_scanned{topic="cdr.shop.customers"}' in gauges.read_text()
    assert "cdr_audit_raw_pii_values{" not in gauges.read_text()
    # Pointed at the raw Debezium topics, the same audit does find personal data.
    raw = subprocess.run(
        [*CDR, "audit", "--topic", "shop.public.*", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert raw.returncode == 1 and "EMAIL_ADDRESS" in raw.stdout and "CREDIT_CARD" in raw.stdout
