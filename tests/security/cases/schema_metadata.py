"""The schema as a channel: what the Connect schema of a record carries besides types.
Field defaults, ``doc`` text, ``parameters`` (column comments, source types, custom
keys), struct names and versions, keys a schema should not have, and the ``allowed``
symbols of ``io.debezium.data.Enum``, on treated, withheld and released columns, on keys
and on the envelope. The CDR schema keeps what is structural (types, logical names,
optionality, decimal scale); a default or a symbol goes out only on a column released
as it is, and only when it is clean, like the column's values."""

from __future__ import annotations

from datetime import date
from random import Random
from typing import Any

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import Rec, change, envelope_schema, field
from tests.security.ledger import Case

ATTACK = "schema-metadata"
N = 40
QUIET = 150  # past the profiler's default sample: a harmless undeclared column is released
TIERS = ("bronze", "silver", "gold", "platinum")
EPOCH = date(1970, 1, 1)

TREATED = """\
id: {pii: none}
email: {pii: EMAIL_ADDRESS, treatment: hash}
phone: {pii: PHONE_NUMBER, treatment: {mask: {keep_last: 4}}}
ssn: {pii: US_SSN, treatment: drop}
nick: {pii: PERSON, treatment: null}
notes: {pii: free_text, treatment: redact_detected}
born: {pii: DATE_OF_BIRTH, treatment: {generalize: {to: year}}}
"""


def _keyed(case_id: str, rec_key: dict[str, Any], value: dict[str, Any], key_fields: list[dict[str, Any]]) -> Rec:
    """A record whose key carries its schema too (``schemas.enable=true`` on the key)."""
    key_schema = {"type": "struct", "optional": False, "name": f"sec.public.{table(case_id)}.Key", "fields": key_fields}
    return Rec({"schema": key_schema, "payload": rec_key}, value)


def _row_values(r: Random, n: int) -> dict[str, Any]:
    return {
        "id": n,
        "email": v.email(r),
        "phone": v.phone(r),
        "ssn": v.ssn_dashed(v.ssn(r)),
        "nick": v.name(r),
        "notes": f"call {v.name(r)}",
        "born": (v.birth_date(r) - EPOCH).days,
        "contact": v.email(r),
    }


def _defaults_of_treated() -> Case:
    """A default holding personal data on every kind of treated column (hash, mask,
    drop, null, redact_detected, generalize) and on an undeclared column still withheld."""
    case_id = "schema-defaults-of-treated-columns"
    r = v.rng(case_id)
    d_email, d_phone, d_ssn, d_nick, d_notes, d_contact = (
        v.email(r, 7),
        v.phone(r),
        v.ssn_dashed(v.ssn(r)),
        v.name(r),
        f"ask {v.name(r)}",
        v.email(r, 8),
    )
    fields = [
        field("id", "int32", optional=False),
        field("email", optional=False, default=d_email),
        field("phone", optional=False, default=d_phone),
        field("ssn", optional=False, default=d_ssn),
        field("nick", optional=False, default=d_nick),
        field("notes", optional=False, default=d_notes),
        field("born", "int32", "io.debezium.time.Date", optional=False, default=int(v.phone(r))),
        field("contact", optional=False, default=d_contact),
    ]
    records, planted = [], [d_email, d_phone, d_ssn, d_nick, d_notes, d_contact, str(fields[6]["default"])]
    for n in range(N):
        after = _row_values(r, n)
        planted += [after["email"], after["phone"], after["ssn"], after["contact"]]
        records.append(Rec({"id": n}, change(table(case_id), after, fields=fields)))
    doc = _defaults_of_treated.__doc__ or ""
    return Case(case_id, ATTACK, doc, declaration(case_id, TREATED), tuple(records), tuple(dict.fromkeys(planted)))


def _defaults_of_released() -> Case:
    """Harmless values, defaults holding personal data: a column declared ``none`` whose
    default is an e-mail, and an undeclared categorical column, released by detection,
    whose default is a person's name. The default is a value the column can take: it
    is guarded like one."""
    case_id = "schema-defaults-of-released-columns"
    r = v.rng(case_id)
    d_plan, d_tier, d_code = v.email(r, 3), v.name(r), int(v.phone(r))
    fields = [
        field("id", "int32", optional=False),
        field("plan", optional=False, default=d_plan),
        field("tier", optional=False, default=d_tier),
        field("code", "int64", optional=False, default=d_code),
    ]
    records = []
    for n in range(QUIET + N):
        after = {"id": n, "plan": TIERS[n % 4], "tier": TIERS[(n + 1) % 4], "code": n % 40}
        records.append(Rec({"id": n}, change(table(case_id), after, fields=fields)))
    columns = "id: {pii: none}\nplan: {pii: none}\ncode: {pii: none}"
    doc = _defaults_of_released.__doc__ or ""
    return Case(
        case_id,
        ATTACK,
        doc,
        declaration(case_id, columns),
        tuple(records),
        (d_plan, d_tier, str(d_code)),
        service=True,
    )


def _free_text() -> Case:
    """E-mails, names and phone numbers in ``doc`` text, in ``parameters`` (a column
    comment, a source column type, a custom key), in a string ``version`` and in a key
    no Connect schema has: on hashed, withheld and declared-none row fields, on a nested
    struct column, on the key's fields and struct, on the row and envelope structs and on
    the source block's fields."""
    case_id = "schema-doc-and-parameters"
    r = v.rng(case_id)
    planted: list[str] = []

    def said() -> dict[str, Any]:
        e, p, s, ver = v.email(r), v.name(r), v.phone(r), v.phone(r)
        planted.extend([e, p, s, ver])
        return {
            "doc": f"owner {p}, write to {e}",
            "parameters": {
                "__debezium.source.column.comment": f"{p} <{e}>",
                "__debezium.source.column.type": p,
                "__debezium.source.column.length": s,
                "team.contact": e,
            },
            "x-note": f"{p} {s}",
            "version": int(ver),  # a number as a struct's version
        }

    inner = {
        "type": "struct",
        "optional": True,
        "field": "address",
        "fields": [{"type": "string", "optional": True, "field": "city", **said()}],
        **said(),
    }
    fields = [
        field("id", "int32", optional=False, **said()),
        field("email", **said()),
        field("contact", **said()),
        field("plan", **said()),
        inner,
    ]
    envelope = envelope_schema(fields, table(case_id))
    envelope.update(said())
    for f in envelope["fields"]:
        if f["field"] in ("before", "after"):
            f.update(said())
        if f["field"] == "source":
            f["fields"] = [{**sf, "doc": said()["doc"]} for sf in f["fields"]]
        if f["field"] == "op":
            f.update(said())
    key_fields = [{"type": "int32", "optional": False, "field": "id", **said()}]
    records = []
    for n in range(N):
        after = {"id": n, "email": v.email(r), "contact": v.email(r), "plan": TIERS[n % 4], "address": {"city": "Oslo"}}
        planted += [after["email"], after["contact"]]
        value = {"schema": envelope, "payload": change(table(case_id), after)}
        key_schema_extra = said()
        rec = _keyed(case_id, {"id": n}, value, key_fields)
        rec.key["schema"].update(key_schema_extra)
        records.append(rec)
    columns = "id: {pii: none}\nemail: {pii: EMAIL_ADDRESS, treatment: hash}\nplan: {pii: none}\naddress: {pii: none}"
    doc = _free_text.__doc__ or ""
    return Case(
        case_id, ATTACK, doc, declaration(case_id, columns), tuple(records), tuple(dict.fromkeys(planted)), service=True
    )


def _struct_names() -> Case:
    """Personal data as struct and logical ``name``: the row struct, a nested struct
    column, a plain field and the key struct; and a ``version`` that is text."""
    case_id = "schema-names-hold-data"
    r = v.rng(case_id)
    planted: list[str] = []

    def who() -> str:
        e = v.email(r)
        planted.append(e)
        return e

    fields = [
        field("id", "int32", optional=False),
        field("plan", logical=who()),
        {
            "type": "struct",
            "optional": True,
            "field": "address",
            "name": who(),
            "version": who(),
            "fields": [field("city")],
        },
    ]
    envelope = envelope_schema(fields, table(case_id))
    row_name = who()
    for f in envelope["fields"]:
        if f["field"] in ("before", "after"):
            f["name"] = row_name
    key_fields = [{"type": "int32", "optional": False, "field": "id", "name": who()}]
    key_name = who()
    records = []
    for n in range(N):
        value = {
            "schema": envelope,
            "payload": change(table(case_id), {"id": n, "plan": TIERS[n % 4], "address": None}),
        }
        rec = _keyed(case_id, {"id": n}, value, key_fields)
        rec.key["schema"]["name"] = key_name
        records.append(rec)
    columns = "id: {pii: none}\nplan: {pii: none}\naddress: {pii: none}"
    doc = _struct_names.__doc__ or ""
    return Case(case_id, ATTACK, doc, declaration(case_id, columns), tuple(records), tuple(dict.fromkeys(planted)))


def _type_names() -> Case:
    """E-mails as a field's ``type``: no Kafka Connect type, so no CDR schema can be
    made of it (dead-lettered, the type not quoted)."""
    case_id = "schema-type-holds-data"
    r = v.rng(case_id)
    planted = [v.email(r, n + 1) for n in range(N)]
    records = [
        Rec({"id": n}, change(table(case_id), {"id": n, "code": None}, fields=[field("id", "int32"), field("code", e)]))
        for n, e in enumerate(planted)
    ]
    doc = _type_names.__doc__ or ""
    return Case(case_id, ATTACK, doc, declaration(case_id, "id: {pii: none}"), tuple(records), tuple(planted))


def _null_key_schemas() -> Case:
    """Keys whose payload is null but whose schema holds e-mails and names (doc, field
    doc, parameters, a field default, struct name): as the record key and as the
    ``__debezium.oldkey`` header of a primary-key change."""
    case_id = "schema-of-null-keys"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(N):
        email, person, other = v.email(r, n + 1), v.name(r), v.email(r)
        planted += [email, person, other]
        key_schema = {
            "type": "struct",
            "optional": True,
            "name": other,
            "doc": f"{person} {email}",
            "fields": [
                {
                    "type": "string",
                    "optional": False,
                    "field": "id",
                    "doc": email,
                    "default": other,
                    "parameters": {"__debezium.source.column.comment": person},
                }
            ],
        }
        null_key = {"schema": key_schema, "payload": None}
        value = change(table(case_id), {"id": n, "plan": TIERS[n % 4]})
        records.append(Rec(null_key, value, (("__debezium.oldkey", null_key),)))
    doc = _null_key_schemas.__doc__ or ""
    return Case(
        case_id,
        ATTACK,
        doc,
        declaration(case_id, "id: {pii: none}\nplan: {pii: none}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        service=True,
    )


def _enum_symbols() -> Case:
    """``io.debezium.data.Enum`` columns whose ``allowed`` symbols are e-mails and names
    (the values are harmless symbols): masked, withheld (undeclared) and declared none."""
    case_id = "schema-enum-symbols-hold-data"
    r = v.rng(case_id)
    planted: list[str] = []

    def enum(name: str) -> dict[str, Any]:
        symbols = [v.email(r), v.name(r), *TIERS]
        planted.extend(symbols[:2])
        return field(name, logical="io.debezium.data.Enum", version=1, parameters={"allowed": ",".join(symbols)})

    fields = [field("id", "int32", optional=False), enum("masked"), enum("pending"), enum("plain")]
    records = []
    for n in range(N):
        after = {"id": n, "masked": TIERS[n % 4], "pending": TIERS[n % 4], "plain": TIERS[n % 4]}
        records.append(Rec({"id": n}, change(table(case_id), after, fields=fields)))
    columns = "id: {pii: none}\nmasked: {pii: PERSON, treatment: {mask: {keep_first: 1}}}\nplain: {pii: none}"
    doc = _enum_symbols.__doc__ or ""
    return Case(case_id, ATTACK, doc, declaration(case_id, columns), tuple(records), tuple(dict.fromkeys(planted)))


CASES = [
    _defaults_of_treated(),
    _defaults_of_released(),
    _free_text(),
    _struct_names(),
    _type_names(),
    _null_key_schemas(),
    _enum_symbols(),
]
