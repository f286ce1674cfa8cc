"""Resource attacks on a record's shape rather than one value: a row with thousands of
columns, a schema nested thousands of levels deep. Each is bounded (file
mode is killed past the memory/time bounds) and loses nothing: the ordinary records
after it are processed too."""

from __future__ import annotations

from typing import Any

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import RawJson, Rec, change, field, key
from tests.security.ledger import Case

ATTACK = "resources"
COLUMNS = """\
id: {pii: none}
email: {pii: EMAIL_ADDRESS, treatment: hash}
"""


def _tail(case_id: str, start: int, planted: list[str]) -> list[Rec]:
    r = v.rng(case_id + "/tail")
    out = []
    for n in range(start, start + 3):
        email = v.email(r, n)
        planted.append(email)
        out.append(Rec(key(n), change(table(case_id), {"id": n, "email": email})))
    return out


def _case(case_id: str, description: str, records: list[Rec], planted: list[str], **extra: Any) -> Case:
    records = records + _tail(case_id, len(records), planted)
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, COLUMNS),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        bounded=True,
        **extra,
    )


def _wide_row(case_id: str, columns: int, with_schema: bool) -> tuple[list[Rec], list[str]]:
    r = v.rng(case_id)
    after: dict[str, Any] = {"id": 0, "email": v.email(r)}
    planted = [after["email"]]
    for i in range(columns):
        after[f"c{i}"] = v.email(r, i)
    planted += [after[f"c{i}"] for i in range(0, columns, columns // 100)]
    fields = [field("id", "int32"), *(field(name) for name in after if name != "id")] if with_schema else None
    return [Rec(key(0), change(table(case_id), after, fields=fields))], planted


def _deep_schema(case_id: str, depth: int) -> tuple[list[Rec], list[str]]:
    r = v.rng(case_id)
    email = v.email(r)
    schema = '{"type":"struct","optional":true,"field":"attrs","fields":[' * depth
    schema += '{"type":"string","optional":true,"field":"x"}' + "]}" * depth
    value = change(table(case_id), {"id": 0, "email": email}, fields=[field("id", "int32"), field("email")])
    value["schema"]["fields"][1]["fields"].append(RawJson(schema))  # the 'after' row gains it
    return [Rec(key(0), value)], [email]


CASES = [
    _case(
        "wide-row-20000-columns",
        "one schemaless row of 20,000 undeclared columns of e-mails",
        *_wide_row("wide-row-20000-columns", 20_000, False),
    ),
    _case(
        "wide-row-5000-columns-schema",
        "one row of 5,000 undeclared string columns of e-mails, with its schema",
        *_wide_row("wide-row-5000-columns-schema", 5_000, True),
    ),
    _case(
        "deep-schema-nesting",
        "a row schema with a struct column nested 3,000 levels deep",
        *_deep_schema("deep-schema-nesting", 3_000),
    ),
]
