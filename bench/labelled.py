"""A labelled data set for detection quality: columns with known contents (typed PII
under obfuscated and ordinary names, lookalikes that must not fire, free text with
planted spans, nested JSON). Written for this benchmark; deterministic per seed."""

from __future__ import annotations

import ipaddress
import random
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from detectors.validators import IBAN_LENGTHS

FIRST = [
    "Amara",
    "Bjorn",
    "Carmen",
    "Deepak",
    "Elena",
    "Femi",
    "Giulia",
    "Hannah",
    "Ivan",
    "Jamal",
    "Keiko",
    "Lucia",
    "Mateo",
    "Nadia",
    "Oscar",
    "Priya",
    "Rafael",
    "Sofia",
    "Tomasz",
    "Yusuf",
    "Zoe",
    "Liam",
    "Olivia",
    "Noah",
]
LAST = [
    "Okonkwo",
    "Lindgren",
    "Alvarez",
    "Sharma",
    "Petrova",
    "Adeyemi",
    "Rossi",
    "Schneider",
    "Volkov",
    "Haddad",
    "Tanaka",
    "Moreno",
    "Fernandes",
    "Kowalski",
    "Johansson",
    "Brennan",
    "Dubois",
    "Castillo",
    "Nguyen",
    "Walsh",
]
# Capitalised, name-shaped values that are not people (the NER vote must not fire).
PLANS = ["Premium Plan", "Gold Card", "Basic Account", "Savings Plus", "Travel Insurance", "Standard Checking"]
PLANS += ["Business Loan", "Credit Line", "Home Mortgage", "Student Saver", "Family Bundle", "Youth Account"]
MERCHANTS = ["Northwind Traders", "Blue Harbor Coffee", "Summit Outdoor Supply", "Greenleaf Market", "Apex Fitness"]
MERCHANTS += ["Riverside Books", "Golden Gate Bakery", "Silverline Travel", "Maple Street Pharmacy", "Crescent Motors"]
CATEGORIES = ["Groceries", "Travel", "Dining Out", "Utilities", "Health Care", "Entertainment", "Fuel", "Rent"]
CATEGORIES += ["Online Shopping", "Cash Withdrawal", "Insurance", "Education"]
WORDS = [
    "invoice",
    "delivery",
    "account",
    "refund",
    "upgrade",
    "request",
    "billing",
    "address",
    "contract",
    "renewal",
    "support",
    "ticket",
    "payment",
    "statement",
    "balance",
    "transfer",
    "branch",
    "appointment",
    "limit",
    "card",
]


def luhn_complete(prefix: str, length: int, r: random.Random) -> str:
    body = prefix + "".join(str(r.randrange(10)) for _ in range(length - len(prefix) - 1))
    for check in range(10):
        digits = body + str(check)
        total = 0
        for i, ch in enumerate(reversed(digits)):
            d = int(ch)
            if i % 2 == 1:
                d = d * 2 - 9 if d * 2 > 9 else d * 2
            total += d
        if total % 10 == 0:
            return digits
    raise AssertionError


def card(r: random.Random) -> str:
    prefix, length = r.choice(
        [
            ("4", 16),
            ("4", 19),
            ("51", 16),
            ("55", 16),
            ("2221", 16),
            ("2720", 16),
            ("34", 15),
            ("37", 15),
            ("6011", 16),
            ("3530", 16),
            ("6759", 16),
            ("5018", 16),
            ("62", 16),
        ]
    )
    digits = luhn_complete(prefix, length, r)
    if length == 16 and r.random() < 0.5:
        return " ".join(digits[i : i + 4] for i in range(0, 16, 4))
    return digits


def iban(r: random.Random) -> str:
    country = r.choice(["DE", "GB", "FR", "NL", "ES", "IT", "PL", "BE"])
    length = IBAN_LENGTHS[country]
    if country == "GB":
        bban = "".join(r.choice(string.ascii_uppercase) for _ in range(4)) + "".join(
            str(r.randrange(10)) for _ in range(14)
        )
    else:
        bban = "".join(str(r.randrange(10)) for _ in range(length - 4))
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    return f"{country}{check:02d}{bban}"


def ssn(r: random.Random) -> str:
    area = r.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{r.randrange(1, 100):02d}-{r.randrange(1, 10000):04d}"


def phone(r: random.Random) -> str:
    return r.choice(
        [
            lambda: f"+1 {r.randrange(201, 990)} {r.randrange(200, 999)} {r.randrange(1000, 9999)}",
            lambda: f"+44 20 7946 {r.randrange(1000, 9999):04d}",
            lambda: f"+49 30 {r.randrange(1000000, 9999999)}",
            lambda: f"({r.randrange(201, 990)}) {r.randrange(200, 999)}-{r.randrange(1000, 9999)}",
            lambda: f"+33 1 {r.randrange(10, 99)} {r.randrange(10, 99)} {r.randrange(10, 99)} {r.randrange(10, 99)}",
        ]
    )()


def email(r: random.Random) -> str:
    first, last = r.choice(FIRST).lower(), r.choice(LAST).lower()
    return f"{first}{r.choice(['.', '_', ''])}{last}{r.randrange(100)}@{r.choice(['example.com', 'mail.test', 'corp.example.org'])}"


def ip(r: random.Random) -> str:
    if r.random() < 0.2:
        return str(ipaddress.IPv6Address(r.getrandbits(128)))
    return f"{r.randrange(11, 223)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"


def person(r: random.Random) -> str:
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


@dataclass
class Column:
    name: str
    truth: str  # entity, free_text, json or none
    make: Callable[[random.Random], object]
    typed: bool = False  # a PII type with a validator (the recall-1.00 target)
    lookalike: str = ""  # what it imitates


def columns() -> list[Column]:
    def ref16(r: random.Random) -> str:
        while True:
            digits = "".join(str(r.randrange(10)) for _ in range(16))
            total = sum(
                int(d) * (2 if i % 2 == 0 else 1) - (9 if int(d) * 2 > 9 and i % 2 == 0 else 0)
                for i, d in enumerate(digits)
            )
            if total % 10:
                return digits  # fails Luhn

    cols = [
        Column("email", "EMAIL_ADDRESS", email, typed=True),
        Column("c01", "EMAIL_ADDRESS", email, typed=True),
        Column("contact_nm", "PERSON", person),
        Column("c02", "PHONE_NUMBER", phone, typed=True),
        Column("tel", "PHONE_NUMBER", phone, typed=True),
        Column("c03", "CREDIT_CARD", card, typed=True),
        Column("pan", "CREDIT_CARD", card, typed=True),
        Column("c04", "IBAN_CODE", iban, typed=True),
        Column("acct_iban", "IBAN_CODE", iban, typed=True),
        Column("c05", "US_SSN", ssn, typed=True),
        Column("tax_ref", "US_SSN", ssn, typed=True),
        Column("c06", "IP_ADDRESS", ip, typed=True),
        Column("remote_addr_ip", "IP_ADDRESS", ip, typed=True),
        Column("c07", "PERSON", person),
        Column("fname", "PERSON", lambda r: r.choice(FIRST)),
        Column(
            "dob",
            "DATE_OF_BIRTH",
            lambda r: f"{r.randrange(1940, 2005)}-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}",
        ),
        # lookalikes
        Column("c10", "none", ref16, lookalike="16-digit references failing Luhn"),
        Column("order_ref", "none", lambda r: str(r.randrange(10**15, 10**16)), lookalike="16-digit order numbers"),
        Column(
            "c11",
            "none",
            lambda r: f"{r.randrange(1, 9)}.{r.randrange(0, 9)}.{r.randrange(0, 9)}.{r.randrange(0, 9)}",
            lookalike="version strings shaped like IPs",
        ),
        Column(
            "app_version",
            "none",
            lambda r: f"{r.randrange(1, 30)}.{r.randrange(0, 20)}.{r.randrange(0, 99)}.{r.randrange(0, 999)}",
            lookalike="four-part versions",
        ),
        Column("c12", "none", lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4)), lookalike="UUIDs"),
        Column("c13", "none", lambda r: f"{r.getrandbits(256):064x}", lookalike="SHA-256 hex digests"),
        Column("c14", "none", lambda r: f"{r.getrandbits(128):032x}", lookalike="MD5 hex digests"),
        Column(
            "host",
            "none",
            lambda r: f"{r.choice(['db', 'app', 'cache'])}{r.randrange(20)}.{r.choice(['prod', 'stg'])}.example.com",
            lookalike="host names",
        ),
        Column(
            "c15",
            "none",
            lambda r: (
                f"2024-0{r.randrange(1, 9)}-1{r.randrange(9)}T1{r.randrange(9)}:0{r.randrange(9)}:00Z "
                f"{r.choice(['INFO', 'WARN'])} worker-{r.randrange(9)} processed batch {r.randrange(10**6)} in {r.randrange(999)}ms"
            ),
            lookalike="log lines",
        ),
        Column(
            "c16",
            "none",
            lambda r: f"INV-{r.randrange(2019, 2025)}-{r.randrange(10**6):06d}",
            lookalike="invoice numbers",
        ),
        Column("amount", "none", lambda r: f"{r.randrange(1, 10**6) / 100:.2f}", lookalike="amounts"),
        Column("status", "none", lambda r: r.choice(["active", "closed", "frozen", "pending"])),
        Column("c21", "none", lambda r: r.choice(PLANS), lookalike="capitalised plan names"),
        Column("merchant", "none", lambda r: r.choice(MERCHANTS), lookalike="merchant names"),
        Column("c22", "none", lambda r: r.choice(CATEGORIES), lookalike="capitalised categories"),
        Column("c17", "none", lambda r: r.choice(["gold", "silver", "bronze"])),
        Column(
            "shipped_on",
            "none",
            lambda r: f"2023-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}",
            lookalike="dates (not birth)",
        ),
        Column("c18", "none", lambda r: str(r.randrange(10**8, 10**9)), lookalike="9-digit ids"),
        Column("sku", "none", lambda r: f"SKU-{r.randrange(10**5):05d}-{r.choice('ABCDEF')}"),
        Column("c19", "free_text", lambda r: free_text(r)[0]),
        Column("comments", "free_text", lambda r: free_text(r)[0]),
        Column("c20", "json", lambda r: nested_json(r)[0]),
    ]
    return cols


def free_text(r: random.Random) -> tuple[str, list[tuple[str, str]]]:
    """A support-ticket-like text with planted spans: (text, [(entity, span text)])."""
    planted: list[tuple[str, str]] = []
    parts = [f"Ticket about the {r.choice(WORDS)} {r.choice(WORDS)}."]
    for _ in range(r.randrange(1, 4)):
        kind = r.choice(["EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CREDIT_CARD", "PERSON", "PERSON"])
        if kind == "EMAIL_ADDRESS":
            value = email(r)
            parts.append(r.choice([f"Reply to {value} please.", f"Customer wrote from {value} yesterday."]))
        elif kind == "PHONE_NUMBER":
            value = phone(r)
            parts.append(r.choice([f"Call back on {value} after 5pm.", f"Her number is {value}."]))
        elif kind == "US_SSN":
            value = ssn(r)
            parts.append(f"SSN {value} was verified.")
        elif kind == "CREDIT_CARD":
            value = card(r)
            parts.append(f"Refund the card {value} in full.")
        else:
            value = person(r)
            parts.append(
                r.choice(
                    [
                        f"{value} asked about the {r.choice(WORDS)}.",
                        f"Spoke with {value} on Monday.",
                        f"Please escalate to {value} before Friday.",
                        f"{value}'s {r.choice(WORDS)} was approved.",
                        f"Approved; {value} signs the {r.choice(WORDS)} tomorrow.",
                        f"Meeting notes: {value}, the branch manager and the team agreed.",
                        f"The {r.choice(WORDS)} for {value} is on hold.",
                    ]
                )
            )
        planted.append((kind, value))
    parts.append(r.choice(["Closing after confirmation.", "No further action.", "Follow up next week."]))
    return " ".join(parts), planted


def nested_json(r: random.Random) -> tuple[str, list[tuple[str, str]]]:
    import json

    mail, tel = email(r), phone(r)
    doc = {
        "contact": {"email": mail, "phones": [tel]},
        "prefs": {"lang": r.choice(["en", "de"]), "theme": "dark"},
        "tags": ["vip"] if r.random() < 0.2 else [],
    }
    return json.dumps(doc), [("EMAIL_ADDRESS", mail), ("PHONE_NUMBER", tel)]


@dataclass
class Dataset:
    rows: list[dict[str, object]] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)


def dataset(n: int, seed: int = 1) -> Dataset:
    r = random.Random(seed)
    cols = columns()
    rows = [{c.name: (None if r.random() < 0.05 else c.make(r)) for c in cols} for _ in range(n)]
    return Dataset(rows, cols)
