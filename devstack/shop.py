"""Rows for the sample payments database (``deploy/local/sample/schema.sql``): a seeded
Faker fills the tables, and :class:`Traffic` makes inserts, updates and deletes at a
chosen rate. Every personal value written is remembered in ``planted`` so tests can
check that none of them comes out of the pipeline raw.

    python -m devstack.shop seed --dsn postgresql://... [--customers 200]
    python -m devstack.shop traffic --dsn postgresql://... --rate 20 [--seconds 60]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from faker import Faker

SCHEMA_SQL = Path(__file__).resolve().parent.parent / "deploy" / "local" / "sample" / "schema.sql"
AREA_CODES = ("212", "312", "415", "617", "206", "303", "512", "646", "702", "818")
PAIRS = ("EUR/USD", "EUR/GBP", "USD/JPY", "GBP/USD", "EUR/CHF")
TOPICS = ("product", "offers", "security", "events")
SUBJECTS = ("Card declined", "Double charge", "Address change", "Cannot log in", "Refund request", "Statement")
BODIES = (
    "Hello, this is {name}. My card was charged twice for the same order. Please call me on {phone}.",
    "Hi team, {name} here. I moved last month; please send statements to {email} from now on.",
    "Dear support, my name is {name} and I cannot log in since yesterday. Reach me at {email} or {phone}.",
    "Good morning. {name} asked me to follow up on the refund; the customer's number is {phone}.",
    "The payment to the merchant never arrived. Contact: {name}, {email}.",
)


def create_schema(conn: psycopg.Connection[Any]) -> None:
    with conn.cursor() as cur:
        cur.execute(SCHEMA_SQL.read_text())
    conn.commit()


@dataclass
class Shop:
    """A seeded generator of rows; remembers every personal value it writes."""

    seed: int = 7
    planted: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.fake = Faker("en_US")
        self.fake.seed_instance(self.seed)
        self.rng = random.Random(self.seed)

    def _plant(self, *values: str | None) -> None:
        self.planted.update(v for v in values if v)

    def phone(self) -> str:
        r = self.rng
        return f"+1 {r.choice(AREA_CODES)}-{r.randrange(200, 999)}-{r.randrange(1000, 9999)}"

    def email(self, first: str, last: str) -> str:
        return f"{first}.{last}.{self.rng.randrange(10, 9999)}@{self.fake.free_email_domain()}".lower()

    def customer(self) -> dict[str, Any]:
        f = self.fake
        first, last = f.first_name(), f.last_name()
        email, phone = self.email(first, last), self.phone()
        contact_first, contact_last = f.first_name(), f.last_name()
        contact_phone, contact_email = self.phone(), self.email(contact_first, contact_last)
        ip = f.ipv4_public()
        profile = {
            "language": self.rng.choice(["en", "de", "fr", "es"]),
            "marketing_opt_in": self.rng.random() < 0.4,
            "emergency_contact": {"name": f"{contact_first} {contact_last}", "phone": contact_phone},
            "contacts": [{"type": "work", "email": contact_email}],
            "devices": [{"os": self.rng.choice(["ios", "android", "web"]), "last_ip": ip}],
        }
        street = f.street_address()
        self._plant(email, phone, f"{first} {last}", f"{contact_first} {contact_last}", contact_phone, contact_email)
        self._plant(street)
        return {
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": phone,
            "date_of_birth": f.date_of_birth(minimum_age=18, maximum_age=90),
            "street": street,
            "city": f.city(),
            "postcode": f.postcode(),
            "country": "US",
            "segment": self.rng.choice(["retail", "premium", "business"]),
            "profile": json.dumps(profile),
            "tags": self.rng.sample(["app", "web", "branch", "referral", "vip"], k=self.rng.randrange(0, 3)),
        }

    def account(self, customer_id: int) -> dict[str, Any]:
        iban = self.fake.iban()
        self._plant(iban)
        cents = self.rng.randrange(0, 5_000_000)
        return {"customer_id": customer_id, "iban": iban, "balance": Decimal(cents) / 100, "currency": "EUR"}

    def payment(self, account_id: int) -> dict[str, Any]:
        card = self.fake.credit_card_number(card_type=self.rng.choice(["visa16", "mastercard", "amex"]))
        self._plant(card)
        return {
            "account_id": account_id,
            "card_number": card,
            "amount": Decimal(self.rng.randrange(100, 250_000)) / 100,
            "merchant": self.rng.choice(["Blue Bottle", "Northwind", "Acme Travel", "Contoso Books", "Globex Fuel"]),
            "currency": "EUR",
        }

    def ticket(self, customer: dict[str, Any] | None) -> dict[str, Any]:
        if customer is None:
            customer = self.customer()
        name = f"{customer['first_name']} {customer['last_name']}"
        body = self.rng.choice(BODIES).format(name=name, email=customer["email"], phone=customer["phone"])
        return {"subject": self.rng.choice(SUBJECTS), "body": body, "status": "open"}

    def subscriber(self) -> dict[str, Any]:
        first, last = self.fake.first_name(), self.fake.last_name()
        email = self.email(first, last)
        self._plant(email)
        return {"email": email, "first_name": first, "topics": self.rng.sample(list(TOPICS), k=2)}

    def fx_rate(self) -> dict[str, Any]:
        return {"pair": self.rng.choice(PAIRS), "rate": Decimal(self.rng.randrange(50_000_000, 200_000_000)) / 10**8}


def insert(cur: psycopg.Cursor[Any], table: str, row: dict[str, Any], returning: str = "id") -> Any:
    columns = ", ".join(row)
    marks = ", ".join(["%s"] * len(row))
    cur.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {returning}", list(row.values()))
    found = cur.fetchone()
    return found[0] if found else None


@dataclass
class SeedResult:
    customers: int
    accounts: int
    payments: int
    tickets: int
    subscribers: int
    fx_rates: int


def seed(conn: psycopg.Connection[Any], shop: Shop, customers: int = 100) -> SeedResult:
    """Fill every table (one transaction): the rows Debezium's snapshot will read."""
    counts = {"accounts": 0, "payments": 0, "tickets": 0}
    with conn.cursor() as cur:
        for _ in range(customers):
            row = shop.customer()
            cid = insert(cur, "customers", row)
            acct = insert(cur, "accounts", shop.account(cid))
            counts["accounts"] += 1
            for _ in range(shop.rng.randrange(1, 4)):
                insert(cur, "payments", shop.payment(acct))
                counts["payments"] += 1
            if shop.rng.random() < 0.3:
                insert(cur, "support_tickets", {"customer_id": cid, **shop.ticket(row)})
                counts["tickets"] += 1
        subscribers = max(5, customers // 5)
        for _ in range(subscribers):
            insert(cur, "newsletter_subscribers", shop.subscriber(), returning="email")
        rates = max(5, customers // 10)
        for _ in range(rates):
            insert(cur, "fx_rates", shop.fx_rate())
    conn.commit()
    return SeedResult(customers, counts["accounts"], counts["payments"], counts["tickets"], subscribers, rates)


class Traffic:
    """Inserts, updates and deletes across the tables, one transaction per operation."""

    def __init__(self, conn: psycopg.Connection[Any], shop: Shop) -> None:
        self.conn = conn
        self.shop = shop
        self.counts: dict[str, int] = {}
        self.ops: list[tuple[float, Callable[[psycopg.Cursor[Any]], str]]] = [
            (0.12, self._new_customer),
            (0.15, self._update_customer),
            (0.30, self._new_payment),
            (0.08, self._new_ticket),
            (0.08, self._close_ticket),
            (0.07, self._delete_payment),
            (0.10, self._new_rate),
            (0.05, self._subscribe),
            (0.05, self._unsubscribe),
        ]

    def _pick(self, cur: psycopg.Cursor[Any], sql: str) -> Any:
        cur.execute(sql + " ORDER BY random() LIMIT 1")
        found = cur.fetchone()
        return found[0] if found else None

    def _new_customer(self, cur: psycopg.Cursor[Any]) -> str:
        cid = insert(cur, "customers", self.shop.customer())
        insert(cur, "accounts", self.shop.account(cid))
        return "insert"

    def _update_customer(self, cur: psycopg.Cursor[Any]) -> str:
        cid = self._pick(cur, "SELECT id FROM customers")
        if cid is None:
            return self._new_customer(cur)
        phone = self.shop.phone()
        self.shop._plant(phone)
        cur.execute(
            "UPDATE customers SET phone = %s, segment = %s, updated_at = now() WHERE id = %s",
            (phone, self.shop.rng.choice(["retail", "premium", "business"]), cid),
        )
        return "update"

    def _new_payment(self, cur: psycopg.Cursor[Any]) -> str:
        acct = self._pick(cur, "SELECT id FROM accounts")
        if acct is None:
            return self._new_customer(cur)
        insert(cur, "payments", self.shop.payment(acct))
        return "insert"

    def _new_ticket(self, cur: psycopg.Cursor[Any]) -> str:
        cur.execute("SELECT id, first_name, last_name, email, phone FROM customers ORDER BY random() LIMIT 1")
        found = cur.fetchone()
        if found is None:
            return self._new_customer(cur)
        customer = dict(zip(("id", "first_name", "last_name", "email", "phone"), found, strict=True))
        insert(cur, "support_tickets", {"customer_id": customer["id"], **self.shop.ticket(customer)})
        return "insert"

    def _close_ticket(self, cur: psycopg.Cursor[Any]) -> str:
        tid = self._pick(cur, "SELECT id FROM support_tickets WHERE status <> 'closed'")
        if tid is None:
            return self._new_ticket(cur)
        cur.execute("UPDATE support_tickets SET status = 'closed' WHERE id = %s", (tid,))
        return "update"

    def _delete_payment(self, cur: psycopg.Cursor[Any]) -> str:
        pid = self._pick(cur, "SELECT id FROM payments")
        if pid is None:
            return self._new_payment(cur)
        cur.execute("DELETE FROM payments WHERE id = %s", (pid,))
        return "delete"

    def _new_rate(self, cur: psycopg.Cursor[Any]) -> str:
        insert(cur, "fx_rates", self.shop.fx_rate())
        return "insert"

    def _subscribe(self, cur: psycopg.Cursor[Any]) -> str:
        insert(cur, "newsletter_subscribers", self.shop.subscriber(), returning="email")
        return "insert"

    def _unsubscribe(self, cur: psycopg.Cursor[Any]) -> str:
        email = self._pick(cur, "SELECT email FROM newsletter_subscribers")
        if email is None:
            return self._subscribe(cur)
        cur.execute("DELETE FROM newsletter_subscribers WHERE email = %s", (email,))
        return "delete"

    def step(self) -> str:
        """One operation in its own transaction; returns its kind (insert/update/delete)."""
        weights = [w for w, _ in self.ops]
        op = self.shop.rng.choices([o for _, o in self.ops], weights=weights)[0]
        with self.conn.cursor() as cur:
            kind = op(cur)
        self.conn.commit()
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return kind

    def run(self, rate: float, seconds: float | None = None, stop: Callable[[], bool] = lambda: False) -> None:
        """``rate`` operations per second until ``seconds`` pass or ``stop()`` says so."""
        interval = 1.0 / rate if rate > 0 else 0.0
        started = time.monotonic()
        next_at = started
        while not stop() and (seconds is None or time.monotonic() - started < seconds):
            self.step()
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)


def _dsn(given: str | None) -> str:
    if given:
        return given
    from devstack.stack import Stack

    return Stack.default().postgres_dsn()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.shop", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed", help="create the schema and fill it")
    s.add_argument("--dsn", help="default: the local stack's database")
    s.add_argument("--customers", type=int, default=200)
    t = sub.add_parser("traffic", help="inserts/updates/deletes at a rate")
    t.add_argument("--dsn")
    t.add_argument("--rate", type=float, default=20.0, help="operations per second")
    t.add_argument("--seconds", type=float)
    t.add_argument("--seed", type=int, default=int(datetime.now(UTC).timestamp()))
    args = parser.parse_args(argv)
    with psycopg.connect(_dsn(args.dsn)) as conn:
        if args.command == "seed":
            create_schema(conn)
            print(seed(conn, Shop(), args.customers))
        else:
            traffic = Traffic(conn, Shop(seed=args.seed))
            with contextlib.suppress(KeyboardInterrupt):
                traffic.run(args.rate, args.seconds)
            print(traffic.counts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
