"""Personal data carried by a column's structure rather than a plain string value: arrays
of records, maps of records, a record nested in the row, map keys; undeclared, declared
``none``, or declared with a treatment made for a string (hash, mask, redact_detected)."""

from __future__ import annotations

from typing import Any

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import Rec, change, field
from tests.security.ledger import Case, with_fragments

ATTACK = "undeclared-types"
N = 40

CONTACT = {
    "type": "struct",
    "optional": False,
    "name": "sec.public.Contact",
    "fields": [field("email"), field("phone"), field("kind")],
}


def _contact(r: Any) -> dict[str, Any]:
    return {"email": v.email(r), "phone": v.phone(r), "kind": "home"}


def _composite(case_id: str, description: str, column: dict[str, Any], make: Any, columns: str) -> Case:
    r = v.rng(case_id)
    fields = [field("id", "int32"), field("plan"), column]
    records, planted = [], []
    for n in range(N):
        value, seeds = make(r)
        planted.extend(seeds)
        after = {"id": n, "plan": ("gold", "silver")[n % 2], column["field"]: value}
        records.append(Rec({"id": n}, change(table(case_id), after, fields=fields)))
    return Case(
        case_id, ATTACK, description, declaration(case_id, columns), tuple(records), tuple(dict.fromkeys(planted))
    )


def _array_of_records(r: Any) -> tuple[Any, list[str]]:
    items = [_contact(r) for _ in range(2)]
    return items, [x for i in items for x in (i["email"], i["phone"])]


def _map_of_records(r: Any) -> tuple[Any, list[str]]:
    items = {"home": _contact(r), "work": _contact(r)}
    return items, [x for i in items.values() for x in (i["email"], i["phone"])]


def _record(r: Any) -> tuple[Any, list[str]]:
    c = _contact(r)
    return c, [c["email"], c["phone"]]


def _map_keys(r: Any) -> tuple[Any, list[str]]:
    e1, e2 = v.email(r), v.email(r)
    return {e1: "primary", e2: "secondary"}, [e1, e2]


ARRAY = {"type": "array", "optional": True, "field": "contacts", "items": CONTACT}
MAP = {
    "type": "map",
    "optional": True,
    "field": "contacts",
    "keys": {"type": "string", "optional": False},
    "values": CONTACT,
}
RECORD = {**CONTACT, "optional": True, "field": "contact"}
MAPKEYS = {
    "type": "map",
    "optional": True,
    "field": "labels",
    "keys": {"type": "string", "optional": False},
    "values": {"type": "string", "optional": False},
}

CASES = [
    _composite(
        "array-of-records-undeclared",
        "an undeclared array<struct> column of contacts (e-mail, phone)",
        ARRAY,
        _array_of_records,
        "id: {pii: none}\nplan: {pii: none}",
    ),
    _composite(
        "map-of-records-undeclared",
        "an undeclared map<string,struct> column of contacts",
        MAP,
        _map_of_records,
        "id: {pii: none}\nplan: {pii: none}",
    ),
    _composite(
        "record-column-undeclared",
        "an undeclared struct column (e-mail, phone)",
        RECORD,
        _record,
        "id: {pii: none}\nplan: {pii: none}",
    ),
    _composite(
        "array-of-records-declared-hash",
        "an array<struct> column of contacts declared EMAIL_ADDRESS hash",
        ARRAY,
        _array_of_records,
        "id: {pii: none}\nplan: {pii: none}\ncontacts: {pii: EMAIL_ADDRESS, treatment: hash}",
    ),
    _composite(
        "record-column-declared-mask",
        "a struct column declared PHONE_NUMBER mask",
        RECORD,
        _record,
        "id: {pii: none}\nplan: {pii: none}\ncontact: {pii: PHONE_NUMBER, treatment: {mask: {keep_last: 4}}}",
    ),
    _composite(
        "record-column-declared-redact-detected",
        "a struct column declared free_text redact_detected",
        RECORD,
        _record,
        "id: {pii: none}\nplan: {pii: none}\ncontact: {pii: free_text, treatment: redact_detected}",
    ),
    _composite(
        "map-keys-emails-undeclared",
        "an undeclared map<string,string> whose keys are e-mails",
        MAPKEYS,
        _map_keys,
        "id: {pii: none}\nplan: {pii: none}",
    ),
    _composite(
        "map-keys-emails-declared-none",
        "a map<string,string> declared none whose keys are e-mails",
        MAPKEYS,
        _map_keys,
        "id: {pii: none}\nplan: {pii: none}\nlabels: {pii: none}",
    ),
    _composite(
        "array-of-records-declared-none",
        "an array<struct> column declared none holding e-mails",
        ARRAY,
        _array_of_records,
        "id: {pii: none}\nplan: {pii: none}\ncontacts: {pii: none}",
    ),
]
CASES = with_fragments(CASES)  # a partial leak (a surname, the last six digits) counts too
