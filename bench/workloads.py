"""A payments database's change stream in five tables, as the Debezium PostgreSQL
connector with the JsonConverter (schemas on) writes it, in the ``cdr process`` line
format: the benchmarks' file-mode workloads. Deterministic for a seed.

Tables: customers, accounts, payments, tickets, devices; typed columns of every common
Debezium type (int32/int64, string, boolean, double, Decimal, Date, MicroTimestamp,
ZonedTimestamp, Uuid), personal data in several. With ``prose`` each table has one free-
text column (support notes, memos, payment descriptions, ticket bodies, device comments:
names, places, e-mail addresses and phone numbers inside sentences). The operations:
snapshot reads, inserts, updates with ``REPLICA IDENTITY FULL`` (``before`` and ``after``
carry the whole row, so an unchanged free text appears twice) and deletes followed by
their tombstone.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from faker import Faker

from devstack.sample_events import SOURCE_FIELDS, _decimal

PREFIX = "shop"
DATE = {"type": "int32", "name": "io.debezium.time.Date", "version": 1}
MICROS = {"type": "int64", "name": "io.debezium.time.MicroTimestamp", "version": 1}
ZONED = {"type": "string", "name": "io.debezium.time.ZonedTimestamp", "version": 1}
UUID = {"type": "string", "name": "io.debezium.data.Uuid", "version": 1}


def _money(scale: int = 2) -> dict[str, Any]:
    return {
        "type": "bytes",
        "name": "org.apache.kafka.connect.data.Decimal",
        "version": 1,
        "parameters": {"scale": str(scale), "connect.decimal.precision": "14"},
    }


@dataclass(frozen=True)
class Column:
    name: str
    schema: dict[str, Any]
    make: Callable[[Row], Any]
    optional: bool = False


class Row:
    """What a column generator may draw from: the seeded RNG, Faker and the row's id."""

    def __init__(self, rng: random.Random, fake: Faker, ident: int) -> None:
        self.rng = rng
        self.fake = fake
        self.id = ident
        self._person: tuple[str, str] | None = None

    @property
    def person(self) -> tuple[str, str]:
        if self._person is None:
            self._person = (self.fake.first_name(), self.fake.last_name())
        return self._person

    def phone(self) -> str:
        r = self.rng
        return f"+1 {r.choice(('212', '312', '415', '617', '206'))}-{r.randrange(200, 999)}-{r.randrange(1000, 9999)}"

    def email(self) -> str:
        first, last = self.person
        return f"{first}.{last}.{self.rng.randrange(10, 9999)}@example.com".lower()

    def micros(self) -> int:
        return 1_700_000_000_000_000 + self.rng.randrange(10**14)

    def day(self, start: int = 1950, years: int = 55) -> int:
        d = date(start + self.rng.randrange(years), 1 + self.rng.randrange(12), 1 + self.rng.randrange(28))
        return (d - date(1970, 1, 1)).days


def _zoned(r: Row) -> str:
    return datetime.fromtimestamp(r.micros() / 1e6, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


NOTES = (
    "Called from {phone} about a blocked card; {name} confirmed the last payment.",
    "{name} asked us to send statements to {email} from now on.",
    "Spoke with {name} about the overdraft; follow up next week at {phone}.",
    "Customer moved to {city} last month and wants the branch changed.",
)
MEMOS = (
    "Opened in branch by {name} with the joint holder present.",
    "Limit raised after {name} sent the salary slip to {email}.",
    "Account flagged for review; {name} in {city} was informed by phone.",
)
DESCRIPTIONS = (
    "Refund for order {n} requested by {name} by phone.",
    "Payment to {merchant} in {city}, approved by {name}.",
    "Chargeback opened; the cardholder {name} can be reached at {phone}.",
)
BODIES = (
    "Hello, this is {name}. My card was charged twice for the same order. Please call me on {phone}.",
    "Hi team, {name} here. I moved to {city}; please send statements to {email} from now on.",
    "Dear support, my name is {name} and I cannot log in since yesterday. Reach me at {email} or {phone}.",
    "Good morning. {name} asked me to follow up on the refund; the customer's number is {phone}.",
)
COMMENTS = (
    "Device registered by {name} during a call from {city}.",
    "Trusted after {name} confirmed the login from {email}.",
)
MERCHANTS = ("Blue Bottle", "Northwind", "Acme Travel", "Contoso Books", "Globex Fuel")


def _prose(templates: tuple[str, ...]) -> Callable[[Row], str]:
    def make(r: Row) -> str:
        first, last = r.person
        return r.rng.choice(templates).format(
            name=f"{first} {last}",
            phone=r.phone(),
            email=r.email(),
            city=r.fake.city(),
            merchant=r.rng.choice(MERCHANTS),
            n=r.rng.randrange(10_000, 99_999),
        )

    return make


def _s(**kw: Any) -> dict[str, Any]:
    return {"type": "string", **kw}


TABLES: dict[str, tuple[list[Column], Column]] = {
    "customers": (
        [
            Column("first_name", _s(), lambda r: r.person[0]),
            Column("last_name", _s(), lambda r: r.person[1]),
            Column("email", _s(), lambda r: r.email()),
            Column("phone", _s(), lambda r: r.phone(), optional=True),
            Column("date_of_birth", DATE, lambda r: r.day(), optional=True),
            Column("country", _s(), lambda r: r.rng.choice(("US", "DE", "FR", "GB", "NL"))),
            Column("segment", _s(), lambda r: r.rng.choice(("retail", "premium", "business"))),
            Column("marketing_opt_in", {"type": "boolean"}, lambda r: r.rng.random() < 0.4),
            Column("login_count", {"type": "int32"}, lambda r: r.rng.randrange(0, 500)),
            Column("created_at", ZONED, _zoned),
        ],
        Column("notes", _s(), _prose(NOTES), optional=True),
    ),
    "accounts": (
        [
            Column("customer_id", {"type": "int64"}, lambda r: 1000 + r.rng.randrange(5000)),
            Column("iban", _s(), lambda r: r.fake.iban()),
            Column("currency", _s(), lambda r: r.rng.choice(("EUR", "USD", "GBP"))),
            Column("balance", _money(), lambda r: _decimal(r.rng.randrange(-50_000, 5_000_000))),
            Column("status", _s(), lambda r: r.rng.choice(("open", "frozen", "closed"))),
            Column("opened_on", DATE, lambda r: r.day(2005, 20)),
            Column("overdraft_limit", {"type": "int32"}, lambda r: r.rng.choice((0, 500, 1000, 2500))),
        ],
        Column("memo", _s(), _prose(MEMOS), optional=True),
    ),
    "payments": (
        [
            Column("account_id", {"type": "int64"}, lambda r: 1000 + r.rng.randrange(5000)),
            Column("amount", _money(), lambda r: _decimal(r.rng.randrange(100, 250_000))),
            Column("currency", _s(), lambda r: r.rng.choice(("EUR", "USD", "GBP"))),
            Column("merchant", _s(), lambda r: r.rng.choice(MERCHANTS)),
            Column("mcc", {"type": "int32"}, lambda r: r.rng.choice((5411, 5812, 4511, 5942, 5541))),
            Column("status", _s(), lambda r: r.rng.choice(("pending", "settled", "refunded"))),
            Column("fx_rate", {"type": "double"}, lambda r: round(0.5 + r.rng.random(), 6)),
            Column("reference", UUID, lambda r: str(uuid.UUID(int=r.rng.getrandbits(128)))),
            Column("created_at", MICROS, lambda r: r.micros()),
        ],
        Column("description", _s(), _prose(DESCRIPTIONS), optional=True),
    ),
    "tickets": (
        [
            Column("customer_id", {"type": "int64"}, lambda r: 1000 + r.rng.randrange(5000)),
            Column(
                "subject",
                _s(),
                lambda r: r.rng.choice(("Card declined", "Double charge", "Address change", "Cannot log in")),
            ),
            Column("priority", {"type": "int32"}, lambda r: r.rng.randrange(1, 5)),
            Column("status", _s(), lambda r: r.rng.choice(("open", "pending", "closed"))),
            Column("channel", _s(), lambda r: r.rng.choice(("email", "phone", "chat"))),
            Column("opened_at", MICROS, lambda r: r.micros()),
        ],
        Column("body", _s(), _prose(BODIES), optional=True),
    ),
    "devices": (
        [
            Column("customer_id", {"type": "int64"}, lambda r: 1000 + r.rng.randrange(5000)),
            Column("platform", _s(), lambda r: r.rng.choice(("ios", "android", "web"))),
            Column("app_version", _s(), lambda r: f"{r.rng.randrange(1, 6)}.{r.rng.randrange(0, 20)}.0"),
            Column("trusted", {"type": "boolean"}, lambda r: r.rng.random() < 0.7),
            Column("last_seen", MICROS, lambda r: r.micros()),
            Column("screen_width", {"type": "int32"}, lambda r: r.rng.choice((375, 390, 412, 1280, 1920))),
        ],
        Column("comment", _s(), _prose(COMMENTS), optional=True),
    ),
}


def _field(col: Column) -> dict[str, Any]:
    return {**col.schema, "optional": col.optional, "field": col.name}


class TableStream:
    def __init__(self, table: str, prose: bool, rng: random.Random, fake: Faker) -> None:
        columns, text = TABLES[table]
        self.table = table
        self.columns = [Column("id", {"type": "int64"}, lambda r: r.id), *columns, *([text] if prose else [])]
        self.topic = f"{PREFIX}.public.{table}"
        self.rng = rng
        self.fake = fake
        self.rows: dict[int, dict[str, Any]] = {}
        self.next_id = 1001
        row = {"type": "struct", "fields": [_field(c) for c in self.columns], "optional": True}
        row["name"] = f"{self.topic}.Value"
        source = {
            "type": "struct",
            "optional": False,
            "name": "io.debezium.connector.postgresql.Source",
            "field": "source",
            "fields": copy.deepcopy(SOURCE_FIELDS),
        }
        self.value_schema = {
            "type": "struct",
            "optional": False,
            "name": f"{self.topic}.Envelope",
            "version": 2,
            "fields": [
                {**row, "field": "before"},
                {**row, "field": "after"},
                source,
                {"type": "string", "optional": False, "field": "op"},
                {"type": "int64", "optional": True, "field": "ts_ms"},
            ],
        }
        self.key_schema = {
            "type": "struct",
            "optional": False,
            "name": f"{self.topic}.Key",
            "fields": [{"type": "int64", "optional": False, "field": "id"}],
        }

    def new_row(self) -> dict[str, Any]:
        ident = self.next_id
        self.next_id += 1
        r = Row(self.rng, self.fake, ident)
        row = {c.name: c.make(r) for c in self.columns}
        self.rows[ident] = row
        return row

    def changed(self, ident: int) -> dict[str, Any]:
        """The row with one or two non-key columns drawn again (the free text kept)."""
        old = self.rows[ident]
        r = Row(self.rng, self.fake, ident)
        new = dict(old)
        for col in self.rng.sample(self.columns[1:-1], k=min(2, len(self.columns) - 2)):
            new[col.name] = col.make(r)
        self.rows[ident] = new
        return new


class ShopEvents:
    """The interleaved change stream of the five tables, one partition per topic."""

    def __init__(self, seed: int = 42, prose: bool = False) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.tables = [TableStream(t, prose, self.rng, self.fake) for t in TABLES]
        self.offsets: dict[str, int] = {}
        self.lsn = 24_000_000
        self.ts_ms = 1_732_000_000_000

    def _line(self, t: TableStream, ident: int, value: dict[str, Any] | None) -> dict[str, Any]:
        offset = self.offsets.get(t.topic, 0)
        self.offsets[t.topic] = offset + 1
        return {
            "topic": t.topic,
            "partition": 0,
            "offset": offset,
            "key": {"schema": t.key_schema, "payload": {"id": ident}},
            "value": value,
            "headers": {},
            "timestamp": self.ts_ms,
        }

    def _event(self, t: TableStream, op: str, ident: int, before: Any, after: Any, snapshot: str) -> dict[str, Any]:
        self.lsn += 1 + self.rng.randrange(400)
        self.ts_ms += self.rng.randrange(1, 20)
        source = {
            "version": "3.3.1.Final",
            "connector": "postgresql",
            "name": PREFIX,
            "ts_ms": self.ts_ms,
            "snapshot": snapshot,
            "db": "payments",
            "schema": "public",
            "table": t.table,
            "txId": 700 + self.lsn // 1000,
            "lsn": self.lsn,
        }
        payload = {"before": before, "after": after, "source": source, "op": op, "ts_ms": self.ts_ms + 3}
        return self._line(t, ident, {"schema": t.value_schema, "payload": payload})

    def events(self, n: int) -> Iterator[dict[str, Any]]:
        """``n`` lines: half snapshot reads, then inserts, updates and deletes (+ tombstones)."""
        snapshot = n // 2
        for i in range(snapshot):
            t = self.tables[i % len(self.tables)]
            row = t.new_row()
            yield self._event(t, "r", row["id"], None, row, "true" if 0 < i < snapshot - 1 else "last")
        emitted = snapshot
        while emitted < n:
            t = self.rng.choice(self.tables)
            roll = self.rng.random()
            if roll < 0.35 or len(t.rows) < 5:
                row = t.new_row()
                yield self._event(t, "c", row["id"], None, row, "false")
                emitted += 1
            elif roll < 0.92:
                ident = self.rng.choice(list(t.rows))
                before = t.rows[ident]
                yield self._event(t, "u", ident, before, t.changed(ident), "false")
                emitted += 1
            else:
                ident = self.rng.choice(list(t.rows))
                before = t.rows.pop(ident)
                yield self._event(t, "d", ident, before, None, "false")
                emitted += 1
                if emitted < n:
                    yield self._line(t, ident, None)
                    emitted += 1


def write_file(path: Path, n: int, seed: int = 42, prose: bool = False) -> None:
    dump = json.dumps
    with path.open("w") as out:
        for line in ShopEvents(seed, prose).events(n):
            out.write(dump(line, separators=(",", ":")) + "\n")


def write_declarations(directory: Path, undeclared: str = "detect", prose: bool = False) -> None:
    """One declaration per table: the key declared, every other column ``undeclared``;
    with ``prose`` the free-text column is declared too, ``redact_detected`` (the spans
    found in it are redacted: NER reads every value)."""
    directory.mkdir(parents=True, exist_ok=True)
    for table, (_, text) in TABLES.items():
        (directory / f"{table}.yaml").write_text(
            f"table: public.{table}\n"
            f"source_topic: {PREFIX}.public.{table}\n"
            "owner: bench\n"
            f"cdr_topic: cdr.{PREFIX}.{table}.v1\n"
            f"undeclared: {undeclared}\n"
            "columns:\n"
            "  id: {pii: none}\n"
            + (f"  {text.name}: {{pii: free_text, treatment: redact_detected}}\n" if prose else "")
        )


def prose_texts(path: Path) -> list[str]:
    """The distinct free texts of a workload file (in ``before`` and ``after``)."""
    texts: dict[str, None] = {}
    prose_columns = {text.name for _, text in TABLES.values()}
    with path.open() as src:
        for line in src:
            value = json.loads(line)["value"]
            if value is None:
                continue
            payload = value["payload"]
            for side in ("before", "after"):
                row = payload.get(side) or {}
                for name in prose_columns:
                    text = row.get(name)
                    if isinstance(text, str) and text:
                        texts[text] = None
    return list(texts)
