"""Envelope shapes the classifier must not take for flattened rows: schemaless without
``op``, one extra top-level key, a schema not named ``*.Envelope``. Whatever the shape,
declared ``hash``/``mask``/``drop`` columns are treated."""

from __future__ import annotations

from typing import Any

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import Rec, change, field, key, row
from tests.security.ledger import Case

ATTACK = "envelope-shapes"
N = 40
COLUMNS = """\
id: {pii: none}
email: {pii: EMAIL_ADDRESS, treatment: hash}
phone: {pii: PHONE_NUMBER, treatment: {mask: {keep_last: 4}}}
ssn: {pii: US_SSN, treatment: drop}
card: {pii: CREDIT_CARD, treatment: redact}
plan: {pii: none}
"""
FIELDS = [field("id", "int32"), field("email"), field("phone"), field("ssn"), field("card"), field("plan")]


def _shape_case(
    case_id: str, description: str, shape: dict[str, Any], undeclared: str = "detect", service: bool = False
) -> Case:
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(N):
        after = {
            "id": n,
            "email": v.email(r),
            "phone": v.phone(r),
            "ssn": v.ssn_dashed(v.ssn(r)),
            "card": v.card(r),
            "plan": "gold",
        }
        planted.extend([after["email"], after["phone"], after["ssn"], after["card"]])
        if shape.get("flattened"):
            value = row(after, FIELDS if shape.get("schema") else None, table(case_id))
        else:
            value = change(
                table(case_id),
                after,
                fields=FIELDS if shape.get("schema") else None,
                schema_name=shape.get("schema_name"),
                drop=shape.get("drop", ()),
                extra=shape.get("extra"),
                op=shape.get("op", "c"),
            )
        records.append(Rec(key(n), value))
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, COLUMNS, undeclared),
        tuple(records),
        tuple(planted),
        service=service,
    )


CASES = [
    _shape_case("schemaless-no-op", "schemaless envelope without 'op'", {"drop": ("op",)}, service=True),
    _shape_case(
        "schemaless-no-op-undeclared-pass",
        "schemaless envelope without 'op' on a table whose undeclared columns pass",
        {"drop": ("op",)},
        undeclared="pass",
    ),
    _shape_case(
        "schemaless-no-op-no-source",
        "schemaless envelope with only before/after/ts_ms",
        {"drop": ("op", "source")},
    ),
    _shape_case(
        "extra-top-level-key",
        "schemaless envelope with one extra top-level key (an SMT's field)",
        {"extra": {"__route": "eu-west"}},
        service=True,
    ),
    _shape_case(
        "extra-top-level-key-undeclared-pass",
        "schemaless envelope with an extra key on a table whose undeclared columns pass",
        {"extra": {"tenant": "t-17"}},
        undeclared="pass",
    ),
    _shape_case(
        "extra-key-snapshot-read",
        "op 'r' snapshot envelope with extra keys of a newer connector",
        {"extra": {"ts_us": 1_700_000_000_000_000, "sequence": '[null,"1"]'}, "op": "r"},
    ),
    _shape_case(
        "schema-named-change",
        "envelope with a schema named '*.Change', not '*.Envelope'",
        {"schema": True, "schema_name": "sec.public.customers.Change"},
        service=True,
    ),
    _shape_case(
        "schema-named-value-pass",
        "envelope with a schema named '*.Value' on a table whose undeclared columns pass",
        {"schema": True, "schema_name": "sec.public.customers.Value"},
        undeclared="pass",
    ),
    _shape_case(
        "flattened-declared-treatments",
        "flattened rows (ExtractNewRecordState) of the same declared columns",
        {"flattened": True, "schema": True},
    ),
]
