"""Deterministic Debezium change events for a payments ``customers`` table (15 columns,
personal data in several of them), exactly as the PostgreSQL connector with the
JsonConverter writes them. Used by ``make demo``, the benchmarks and the tests.

Every record is a dict in the ``cdr process`` line format: ``topic``, ``partition``,
``offset``, ``key`` and ``value`` documents (value None = tombstone), ``headers``.
"""

from __future__ import annotations

import base64
import copy
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

FIRST = [
    "Anne",
    "Bob",
    "Chloé",
    "Dmitri",
    "Esther",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kwame",
    "Lena",
]
LAST = [
    "Kretchmar",
    "Marley",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Haddad",
    "Nakamura",
    "Silva",
    "Novak",
    "Fischer",
]
DOMAINS = ["example.com", "mail.test", "post.example.org"]
COUNTRIES = ["DE", "FR", "GB", "NL", "PL", "ES"]
TIERS = ["basic", "plus", "premium"]
NOTES = [
    "Customer asked to update the billing address.",
    "Called from {phone} about a blocked card; identity confirmed.",
    "Prefers e-mail contact at {email}.",
    "",
]

SCHEMA_FIELDS: list[dict[str, Any]] = [
    {"type": "int64", "optional": False, "field": "id"},
    {"type": "string", "optional": False, "field": "first_name"},
    {"type": "string", "optional": False, "field": "last_name"},
    {"type": "string", "optional": False, "field": "email"},
    {"type": "string", "optional": True, "field": "phone"},
    {
        "type": "int32",
        "optional": True,
        "name": "io.debezium.time.Date",
        "version": 1,
        "field": "date_of_birth",
    },
    {"type": "string", "optional": True, "field": "ssn"},
    {"type": "string", "optional": True, "field": "notes"},
    {"type": "string", "optional": False, "field": "tier"},
    {"type": "string", "optional": False, "field": "country"},
    {
        "type": "bytes",
        "optional": False,
        "name": "org.apache.kafka.connect.data.Decimal",
        "version": 1,
        "parameters": {"scale": "2", "connect.decimal.precision": "12"},
        "field": "balance",
    },
    {"type": "boolean", "optional": False, "field": "active"},
    {"type": "int32", "optional": False, "field": "login_count"},
    {
        "type": "string",
        "optional": False,
        "name": "io.debezium.time.ZonedTimestamp",
        "version": 1,
        "field": "created_at",
    },
    {
        "type": "int64",
        "optional": True,
        "name": "io.debezium.time.MicroTimestamp",
        "version": 1,
        "field": "updated_at",
    },
]
COLUMNS = [f["field"] for f in SCHEMA_FIELDS]
# The columns whose values are personal data, for leak checks over the generated data
# (notes carry the phone numbers and e-mail addresses of these columns in their text).
PII_COLUMNS = ("first_name", "last_name", "email", "phone", "ssn")


SNAPSHOT_MARKS = "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"


def _decimal(cents: int) -> str:
    length = max(1, (cents.bit_length() + 8) // 8)
    return base64.b64encode(cents.to_bytes(length, "big", signed=True)).decode()


# The PostgreSQL connector's source block, as its JsonConverter schema describes it.
SOURCE_FIELDS: list[dict[str, Any]] = [
    {"type": "string", "optional": False, "field": "version"},
    {"type": "string", "optional": False, "field": "connector"},
    {"type": "string", "optional": False, "field": "name"},
    {"type": "int64", "optional": False, "field": "ts_ms"},
    {
        "type": "string",
        "optional": True,
        "name": "io.debezium.data.Enum",
        "version": 1,
        "parameters": {"allowed": SNAPSHOT_MARKS},
        "default": "false",
        "field": "snapshot",
    },
    {"type": "string", "optional": False, "field": "db"},
    {"type": "string", "optional": False, "field": "schema"},
    {"type": "string", "optional": False, "field": "table"},
    {"type": "int64", "optional": True, "field": "txId"},
    {"type": "int64", "optional": True, "field": "lsn"},
]


def envelope_schema(prefix: str) -> dict[str, Any]:
    row = {
        "type": "struct",
        "fields": copy.deepcopy(SCHEMA_FIELDS),  # callers may edit their copy
        "optional": True,
        "name": f"{prefix}.public.customers.Value",
    }
    source = {
        "type": "struct",
        "optional": False,
        "name": "io.debezium.connector.postgresql.Source",
        "field": "source",
        "fields": copy.deepcopy(SOURCE_FIELDS),
    }
    return {
        "type": "struct",
        "optional": False,
        "name": f"{prefix}.public.customers.Envelope",
        "version": 2,
        "fields": [
            {**row, "field": "before"},
            {**row, "field": "after"},
            source,
            {"type": "string", "optional": False, "field": "op"},
            {"type": "int64", "optional": True, "field": "ts_ms"},
            {
                "type": "struct",
                "optional": True,
                "name": "event.block",
                "version": 1,
                "field": "transaction",
                "fields": [
                    {"type": "string", "optional": False, "field": "id"},
                    {"type": "int64", "optional": False, "field": "total_order"},
                    {"type": "int64", "optional": False, "field": "data_collection_order"},
                ],
            },
        ],
    }


KEY_SCHEMA_FIELDS = [{"type": "int64", "optional": False, "field": "id"}]


class CustomerEvents:
    """A stream of snapshot reads, inserts, updates and deletes (+ tombstones)."""

    def __init__(
        self, prefix: str = "demo", seed: int = 7, schemas: bool = True, partitions: int = 1, free_text: bool = True
    ) -> None:
        self.free_text = free_text
        self.prefix = prefix
        self.topic = f"{prefix}.public.customers"
        self.rng = random.Random(seed)
        self.schemas = schemas
        self.partitions = partitions
        self.rows: dict[int, dict[str, Any]] = {}
        self.next_id = 1001
        self.lsn = 24_000_000
        self.ts_ms = 1_732_000_000_000
        self.offsets = [0] * partitions
        self._schema = envelope_schema(prefix)
        self._key_schema = {
            "type": "struct",
            "optional": False,
            "name": f"{prefix}.public.customers.Key",
            "fields": KEY_SCHEMA_FIELDS,
        }

    def _row(self, ident: int) -> dict[str, Any]:
        r = self.rng
        first, last = r.choice(FIRST), r.choice(LAST)
        email = f"{first.lower()}.{last.lower()}{ident}@{r.choice(DOMAINS)}".replace("é", "e")
        phone = f"+49 30 {r.randrange(1000000, 9999999)}"
        dob = date(1950 + r.randrange(55), 1 + r.randrange(12), 1 + r.randrange(28))
        created = datetime(2020 + r.randrange(5), 1 + r.randrange(12), 1 + r.randrange(28), r.randrange(24), tzinfo=UTC)
        note = r.choice(NOTES).format(phone=phone, email=email) if self.free_text else ""
        return {
            "id": ident,
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": phone,
            "date_of_birth": (dob - date(1970, 1, 1)).days,
            "ssn": f"{r.randrange(100, 899):03d}-{r.randrange(10, 99):02d}-{r.randrange(1000, 9999):04d}",
            "notes": note or None,
            "tier": r.choice(TIERS),
            "country": r.choice(COUNTRIES),
            "balance": _decimal(r.randrange(-50_000, 5_000_000)),
            "active": r.random() > 0.1,
            "login_count": r.randrange(0, 500),
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": int(created.timestamp() * 1_000_000) + r.randrange(10**12),
        }

    def _wrap(self, doc: Any, schema: dict[str, Any]) -> Any:
        return {"schema": schema, "payload": doc} if self.schemas else doc

    def _record(self, op: str, ident: int, before: Any, after: Any, snapshot: str = "false") -> dict[str, Any]:
        self.lsn += 1 + self.rng.randrange(400)
        self.ts_ms += self.rng.randrange(1, 50)
        payload = {
            "before": before,
            "after": after,
            "source": {
                "version": "3.3.1.Final",
                "connector": "postgresql",
                "name": self.prefix,
                "ts_ms": self.ts_ms,
                "snapshot": snapshot,
                "db": "payments",
                "schema": "public",
                "table": "customers",
                "txId": 700 + self.lsn // 1000,
                "lsn": self.lsn,
            },
            "op": op,
            "ts_ms": self.ts_ms + 3,
            "transaction": None,
        }
        return self._kafka(ident, self._wrap(payload, self._schema))

    def _kafka(self, ident: int, value: Any) -> dict[str, Any]:
        partition = ident % self.partitions
        offset = self.offsets[partition]
        self.offsets[partition] += 1
        return {
            "topic": self.topic,
            "partition": partition,
            "offset": offset,
            "key": self._wrap({"id": ident}, self._key_schema),
            "value": value,
            "headers": {},
            "timestamp": self.ts_ms,
        }

    def snapshot(self, n: int) -> Iterator[dict[str, Any]]:
        for i in range(n):
            ident = self.next_id
            self.next_id += 1
            row = self.rows[ident] = self._row(ident)
            mark = "first" if i == 0 else "last" if i == n - 1 else "true"
            yield self._record("r", ident, None, row, snapshot=mark)

    def changes(self, n: int) -> Iterator[dict[str, Any]]:
        """Inserts, updates and deletes (each delete followed by its tombstone)."""
        emitted = 0
        while emitted < n:
            roll = self.rng.random()
            if roll < 0.4 or len(self.rows) < 5:
                ident = self.next_id
                self.next_id += 1
                row = self.rows[ident] = self._row(ident)
                yield self._record("c", ident, None, row)
                emitted += 1
            elif roll < 0.9:
                ident = self.rng.choice(list(self.rows))
                old = self.rows[ident]
                new = {**old, "login_count": old["login_count"] + 1, "tier": self.rng.choice(TIERS)}
                if self.rng.random() < 0.3:
                    new["email"] = self._row(ident)["email"]
                self.rows[ident] = new
                yield self._record("u", ident, {"id": ident}, new)  # REPLICA IDENTITY DEFAULT
                emitted += 1
            else:
                ident = self.rng.choice(list(self.rows))
                del self.rows[ident]
                yield self._record("d", ident, {"id": ident}, None)
                tomb = self._kafka(ident, None)
                yield tomb
                emitted += 2


def planted_values(records: list[dict[str, Any]]) -> set[str]:
    """The personal-data values present in ``records`` (for leak checks)."""
    out: set[str] = set()
    for rec in records:
        value = rec["value"]
        if value is None:
            continue
        payload = value.get("payload", value)
        for side in ("before", "after"):
            row = payload.get(side) or {}
            for col in PII_COLUMNS:
                v = row.get(col)
                if isinstance(v, str) and len(v) >= 6:  # shorter ones can occur by chance
                    out.add(v)
    return out
