"""Resource attacks: one record built to exhaust time, memory or recursion. The ledger
asserts bounds (file mode is killed past the memory/time bounds) and that nothing is
lost: the records after the hostile one are processed too. Each hostile record also
carries personal data that must not come out raw whatever path it takes."""

from __future__ import annotations

import json
from random import Random

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import RawJson, Rec, change, key
from tests.security.ledger import Case

ATTACK = "resources"
COLUMNS = """\
id: {pii: none}
email: {pii: EMAIL_ADDRESS, treatment: hash}
notes: {pii: free_text, treatment: redact_detected}
"""
SENTENCES = (
    "{name} asked us to call {phone} about the late delivery.",
    "Refund approved for {name}, reply sent to {email}.",
    "The parcel for {name} was left at {address}.",
    "Nothing to report on this order, closed by the agent.",
)


def _prose(r: Random, size: int, planted: list[str]) -> str:
    parts, total = [], 0
    while total < size:
        email, phone = v.email(r), v.phone(r)
        s = r.choice(SENTENCES).format(name=v.name(r), phone=phone, email=email, address=v.address(r))
        planted.extend(x for x in (email, phone) if x in s)
        parts.append(s)
        total += len(s) + 1
    return " ".join(parts)


def _after(r: Random, n: int, planted: list[str], notes: object = "closed") -> dict[str, object]:
    email = v.email(r, n)
    planted.append(email)
    return {"id": n, "email": email, "notes": notes}


def _resource_case(
    case_id: str,
    description: str,
    hostile: dict[str, object],
    planted: list[str],
    config: dict[str, object] | None = None,
    service: bool = False,
    bounded: bool = True,
) -> Case:
    """The hostile row first, then three ordinary ones (nothing after it may be lost)."""
    r = v.rng(case_id + "/tail")
    rows = [hostile] + [_after(r, n, planted) for n in range(1, 4)]
    records = tuple(Rec(key(i), change(table(case_id), after)) for i, after in enumerate(rows))
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, COLUMNS),
        records,
        tuple(dict.fromkeys(planted)),
        config=config or {},
        service=service,
        bounded=bounded,
    )


def _free_text(case_id: str, size: int) -> tuple[dict[str, object], list[str]]:
    r, planted = v.rng(case_id), []
    text = _prose(r, size, planted)
    return _after(r, 0, planted, text), planted[:300]


def _map_keys(case_id: str, n: int) -> tuple[dict[str, object], list[str]]:
    r, planted = v.rng(case_id), []
    doc = {f"user{i}.{r.choice(v.LAST).lower()}@{r.choice(v.DOMAINS)}": i for i in range(n)}
    planted.extend(list(doc)[:: n // 200])
    return _after(r, 0, planted, json.dumps(doc)), planted


def _huge_integer(case_id: str) -> tuple[dict[str, object], list[str]]:
    r, planted = v.rng(case_id), []
    digits = "9" + "".join(str(r.randrange(10)) for _ in range(4999))
    after = _after(r, 0, planted, "see amount")
    after["amount"] = RawJson(digits)
    return after, planted


def _lone_surrogate(case_id: str) -> tuple[dict[str, object], list[str]]:
    r, planted = v.rng(case_id), []
    email = v.email(r)
    planted.append(email)
    return _after(r, 0, planted, f"broken \ud800 text from {email}"), planted


def _deep_json(case_id: str, depth: int) -> tuple[dict[str, object], list[str]]:
    r, planted = v.rng(case_id), []
    email = v.email(r)
    planted.append(email)
    nested = '{"a":' * depth + json.dumps(email) + "}" * depth
    after = _after(r, 0, planted, "nested attributes")
    after["attrs"] = RawJson(nested)
    return after, planted


_FT_1MB = _free_text("free-text-1mb", 950_000)
_FT_MAXLEN = _free_text("text-over-spacy-max-length", 1_100_000)
_KEYS = _map_keys("map-keys-20000", 20_000)
_INT = _huge_integer("integer-5000-digits")
_SURROGATE = _lone_surrogate("lone-surrogate")
_DEEP = _deep_json("deep-json-nesting", 5_000)
_DEEP_STRING = _deep_json("deep-json-nesting-shallow", 900)

CASES = [
    _resource_case("free-text-1mb", "one ~1 MB free-text record of names, phones and e-mails", *_FT_1MB),
    _resource_case(
        "text-over-spacy-max-length",
        "a free-text value over spaCy's max_length (the operator raised max_record_bytes)",
        *_FT_MAXLEN,
        config={"max_record_bytes": 3_000_000},
        service=True,
    ),
    _resource_case("map-keys-20000", "20,000 e-mail map keys in one JSON free-text value", *_KEYS),
    _resource_case(
        "integer-5000-digits", "a 5,000-digit integer in an undeclared column", *_INT, service=True, bounded=False
    ),
    _resource_case(
        "lone-surrogate", "a lone surrogate escape in a free-text value", *_SURROGATE, service=True, bounded=False
    ),
    _resource_case(
        "deep-json-nesting", "an undeclared column nested 5,000 levels deep", *_DEEP, service=True, bounded=False
    ),
    _resource_case(
        "deep-json-nesting-900", "an undeclared column nested 900 levels deep", *_DEEP_STRING, bounded=False
    ),
]
