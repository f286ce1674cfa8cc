"""Keys and records without a row: a composite key that gains an e-mail, keys seen only
on tombstones and deletes (no value ever sampled), a declared key column on tombstones
and on REPLICA IDENTITY FULL deletes, logical-decoding message content."""

from __future__ import annotations

from typing import Any

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import SOURCE, TS, Rec, change
from tests.security.ledger import Case

ATTACK = "envelope-shapes"
N = 40


def _case(case_id: str, doc: str, columns: str, records: list[Rec], planted: list[str], **extra: Any) -> Case:
    return Case(
        case_id,
        ATTACK,
        doc,
        declaration(case_id, columns),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        **extra,
    )


def _key_columns_named_personal() -> Case:
    """Key columns (and the ``__debezium.oldkey`` header's) named with an e-mail and a
    person's name: a key cannot drop them (its records would merge), and hashing the
    value left the name in every CDR key, key schema and key header."""
    case_id = "key-columns-named-personal"
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    for n in range(N):
        email, first, last = v.email(r, n + 1), *v.name(r).split(" ", 1)
        person = f"{first.lower()}_{last.lower().replace(' ', '_')}"
        planted += [email, person]
        k = {"id": n, email: n, person: "x"}
        records.append(
            Rec(k, change(name, {"id": n, "plan": "gold"}, op="u"), headers=(("__debezium.oldkey", dict(k)),))
        )
    return _case(
        case_id,
        _key_columns_named_personal.__doc__ or "",
        "id: {pii: none}\nplan: {pii: none}",
        records,
        planted,
        service=True,
    )


def _key_gains_email() -> Case:
    """A key of ``id`` for 100 records, then a composite key ``(id, login)`` whose new
    part is an e-mail the value carries too, in an undeclared column."""
    case_id = "composite-key-gains-email"
    r, name = v.rng(case_id), table(case_id)
    records = [Rec({"id": n}, change(name, {"id": n, "plan": "gold"})) for n in range(100)]
    planted = []
    for n in range(100, 100 + N):
        e = v.email(r, n)
        planted.append(e)
        records.append(Rec({"id": n, "login": e}, change(name, {"id": n, "plan": "gold", "login": e})))
    return _case(
        case_id, _key_gains_email.__doc__ or "", "id: {pii: none}\nplan: {pii: none}", records, planted, service=True
    )


def _tombstone_only_keys() -> Case:
    """Deletes with no before image and their tombstones, keyed by an undeclared e-mail
    column: no row value is ever there to sample."""
    case_id = "tombstone-only-email-keys"
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    for n in range(N):
        e = v.email(r, n)
        planted.append(e)
        records.append(Rec({"login": e}, change(name, None, op="d", before=None)))
        records.append(Rec({"login": e}, None))
    return _case(case_id, _tombstone_only_keys.__doc__ or "", "id: {pii: none}", records, planted, service=True)


def _declared_key_deletes() -> Case:
    """A key column declared EMAIL_ADDRESS hash on creates, REPLICA IDENTITY FULL deletes
    (before image only) and tombstones."""
    case_id = "declared-email-key-deletes"
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    for n in range(N):
        e, p = v.email(r, n), v.phone(r)
        planted += [e, p]
        row = {"email": e, "phone": p, "plan": "gold"}
        records.append(Rec({"email": e}, change(name, row)))
        records.append(Rec({"email": e}, change(name, None, op="d", before=row)))
        records.append(Rec({"email": e}, None))
    columns = (
        "email: {pii: EMAIL_ADDRESS, treatment: hash}\nphone: {pii: PHONE_NUMBER, treatment: redact}\nplan: {pii: none}"
    )
    return _case(case_id, _declared_key_deletes.__doc__ or "", columns, records, planted)


def _message_content() -> Case:
    """Logical-decoding messages (op 'm') whose content is text with an e-mail and a
    phone number, under a harmless prefix."""
    case_id = "message-content-email"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(N):
        e, p = v.email(r, n), v.phone(r)
        planted += [e, p]
        value = {
            "op": "m",
            "ts_ms": TS,
            "source": {**SOURCE, "schema": "", "table": ""},
            "message": {"prefix": "audit", "content": v.b64(f"password reset for {e}, call {p}")},
        }
        records.append(Rec({"prefix": "audit"}, value))
    return _case(case_id, _message_content.__doc__ or "", "id: {pii: none}", records, planted)


CASES = [
    _key_gains_email(),
    _key_columns_named_personal(),
    _tombstone_only_keys(),
    _declared_key_deletes(),
    _message_content(),
]
