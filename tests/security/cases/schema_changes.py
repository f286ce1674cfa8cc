"""Schema changes mid-stream: a column whose values change shape after it was released
or declared ``none``, a type change, a column added or renamed, the same table with and
without schemas and flattened, deletes, TOAST placeholders, and the non-row parts of a
record (a logical-decoding message's prefix, the SMT metadata headers)."""

from __future__ import annotations

from collections.abc import Callable
from random import Random
from typing import Any

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import SOURCE, TS, Rec, change, field, key, row
from tests.security.ledger import Case

ATTACK = "schema-changes"
QUIET = 150  # past the profiler's default sample: the harmless start is released
LOUD = 40
TIERS = ("bronze", "silver", "gold", "platinum")
ID_ONLY = "id: {pii: none}"
PLACEHOLDER = "__debezium_unavailable_value"

Value = Callable[[Random, int], Any]  # (rng, record number) -> the column's value


def _switch_case(
    case_id: str,
    description: str,
    column: str,
    quiet: Value,
    loud: Callable[[Random], str],
    *,
    quiet_field: dict[str, Any] | None = None,
    loud_field: dict[str, Any] | None = None,
    loud_shape: str = "envelope",  # envelope | schemaless | flattened | delete
    columns: str = ID_ONLY,
    fmt: str | None = None,
    as_number: bool = False,
    undeclared: str = "detect",
    service: bool = False,
) -> Case:
    """QUIET records whose ``column`` holds ``quiet``'s harmless values (with the schema
    field ``quiet_field`` when given), then LOUD records where it holds ``loud``'s planted
    values (schema field ``loud_field``), in the ``loud_shape`` form."""
    r = v.rng(case_id)
    name = table(case_id)
    records, planted = [], []
    for n in range(QUIET):
        fields = [field("id", "int32"), quiet_field] if quiet_field is not None else None
        records.append(Rec(key(n), change(name, {"id": n, column: quiet(r, n)}, fields=fields)))
    for n in range(QUIET, QUIET + LOUD):
        raw = loud(r)
        planted.append(raw)
        after = {"id": n, column: int(raw) if as_number else raw}
        fields = [field("id", "int32"), loud_field] if loud_field is not None else None
        if loud_shape == "flattened":
            value = row({**after, "__deleted": "false"}, fields, name)
        elif loud_shape == "delete":
            value = change(name, None, op="d", before=after, fields=fields)
        else:
            value = change(name, after, fields=fields)
        records.append(Rec(key(n), value))
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, columns, undeclared, fmt=fmt),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        service=service,
    )


def _tier(r: Random, n: int) -> str:
    return TIERS[n % len(TIERS)]


def _small(r: Random, n: int) -> int:
    return n % 40


DECIMAL_FIELD = {
    **field("code", "bytes"),
    "name": "org.apache.kafka.connect.data.Decimal",
    "parameters": {"scale": "0"},
}


def _id_turns_email() -> Case:
    """A declared-none ``id`` (integers, released as an id by its name) that the source
    starts keying by e-mail: key and value both carry it."""
    case_id = "declared-none-id-turns-email"
    r = v.rng(case_id)
    name = table(case_id)
    records = [Rec({"id": n}, change(name, {"id": n, "tier": _tier(r, n)})) for n in range(QUIET)]
    planted = [v.email(r, n) for n in range(1, LOUD + 1)]
    records += [Rec({"id": e}, change(name, {"id": e, "tier": "gold"})) for e in planted]
    doc = _id_turns_email.__doc__ or ""
    return Case(case_id, ATTACK, doc, declaration(case_id, ID_ONLY), tuple(records), tuple(planted), service=True)


def _message_prefix() -> Case:
    """Logical-decoding messages whose prefix is an e-mail (key and value)."""
    case_id = "message-prefix-email"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(LOUD):
        prefix = v.email(r, n + 1)
        planted.append(prefix)
        value = {
            "op": "m",
            "ts_ms": TS,
            "source": {**SOURCE, "schema": "", "table": ""},
            "message": {"prefix": prefix, "content": v.b64("opaque")},
        }
        records.append(Rec({"prefix": prefix}, value))
    return Case(
        case_id, ATTACK, _message_prefix.__doc__ or "", declaration(case_id, ID_ONLY), tuple(records), tuple(planted)
    )


def _metadata_headers() -> Case:
    """E-mails and names in the SMT metadata headers the CDR record copies."""
    case_id = "metadata-headers-hold-data"
    r = v.rng(case_id)
    name = table(case_id)
    records, planted = [], []
    for n in range(LOUD):
        email, person = v.email(r, n + 1), v.name(r)
        planted += [email, person]
        headers = (("__db", email), ("__table", person), ("__op", email), ("__deleted", person))
        records.append(Rec(key(n), change(name, {"id": n}), headers))
    return Case(
        case_id,
        ATTACK,
        _metadata_headers.__doc__ or "",
        declaration(case_id, ID_ONLY),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        service=True,
    )


def _metadata_blocks() -> Case:
    """E-mails and names in an envelope's source block (its db, a field of the producer's
    own) and in its transaction block's id."""
    case_id = "metadata-blocks-hold-data"
    r = v.rng(case_id)
    name = table(case_id)
    records, planted = [], []
    for n in range(LOUD):
        email, person = v.email(r, n + 1), v.name(r)
        planted += [email, person]
        value = change(name, {"id": n}, extra={"transaction": {"id": email, "total_order": 1}})
        value["source"] = {**value["source"], "db": email, "owner": person}
        records.append(Rec(key(n), value))
    return Case(
        case_id,
        ATTACK,
        _metadata_blocks.__doc__ or "",
        declaration(case_id, ID_ONLY),
        tuple(records),
        tuple(dict.fromkeys(planted)),
    )


def _metadata_block_names() -> Case:
    """Fields a producer added to an envelope's source and transaction blocks: named with
    an e-mail or a person's name, or holding an object with a phone number in it; half
    the records carry the block's schema (with those fields in it), half are schemaless."""
    case_id = "metadata-block-names-hold-data"
    r = v.rng(case_id)
    name = table(case_id)
    records, planted = [], []
    for n in range(LOUD):
        email, person, phone = v.email(r, n + 1), v.name(r), v.phone(r)
        planted += [email, person, phone]
        added = {email: "yes", person.replace(" ", "_").lower(): "no", "contact": {"mobile": phone}}
        value = change(name, {"id": n}, fields=[field("id", "int32")] if n % 2 else None, extra={"transaction": None})
        payload = value["payload"] if n % 2 else value
        payload["source"] = {**payload["source"], **added}
        payload["transaction"] = {"id": "571:53195832", "total_order": 1, email: 2}
        if n % 2:
            source_schema = next(f for f in value["schema"]["fields"] if f["field"] == "source")
            source_schema["fields"] += [
                field(email),
                field(person.replace(" ", "_").lower()),
                {"type": "struct", "optional": True, "field": "contact", "fields": [field("mobile")]},
            ]
            value["schema"]["fields"].append(
                {
                    "type": "struct",
                    "optional": True,
                    "field": "transaction",
                    "fields": [field("id"), field("total_order", "int64"), field(email, "int64")],
                }
            )
        records.append(Rec(key(n), value))
    return Case(
        case_id,
        ATTACK,
        _metadata_block_names.__doc__ or "",
        declaration(case_id, ID_ONLY),
        tuple(records),
        tuple(dict.fromkeys(planted)),
    )


CASES = [
    _switch_case(
        "decimal-codes-turn-cards",
        "a NUMERIC column declared none (small codes, Connect Decimal) that starts carrying card numbers",
        "code",
        lambda r, n: v.decimal_b64(n % 40),
        lambda r: v.decimal_b64(int(v.card(r))),
        quiet_field=DECIMAL_FIELD,
        loud_field=DECIMAL_FIELD,
        columns=f"{ID_ONLY}\ncode: {{pii: none}}",
    ),
    _switch_case(
        "decimal-codes-turn-phones",
        "an undeclared NUMERIC column (small codes, Connect Decimal, released) that starts carrying phone numbers",
        "code",
        lambda r, n: v.decimal_b64(n % 40),
        lambda r: v.decimal_b64(int("".join(c for c in v.phone(r) if c.isdigit()))),
        quiet_field=DECIMAL_FIELD,
        loud_field=DECIMAL_FIELD,
    ),
    _metadata_block_names(),
    _id_turns_email(),
    _switch_case(
        "small-numbers-turn-phone-text",
        "a schemaless column of small integers (released) that starts carrying phone numbers as strings",
        "code",
        _small,
        v.phone,
        service=True,
    ),
    _switch_case(
        "flattened-rows-turn-phone-text",
        "envelopes of small integers, then flattened rows (__deleted) whose column holds phone numbers as text",
        "code",
        _small,
        v.phone,
        loud_shape="flattened",
        fmt="auto",
    ),
    _switch_case(
        "schema-int-turns-string-emails",
        "an int32 column (released) whose schema changes to string, holding e-mails",
        "code",
        _small,
        v.email,
        quiet_field=field("code", "int32"),
        loud_field=field("code"),
    ),
    _switch_case(
        "schema-string-turns-int64-phones",
        "a categorical string column whose schema changes to int64, holding phone numbers",
        "code",
        _tier,
        v.phone,
        quiet_field=field("code"),
        loud_field=field("code", "int64"),
        as_number=True,
    ),
    _switch_case(
        "schema-then-schemaless-emails",
        "a released categorical column with schemas, then schemaless records holding e-mails",
        "tier",
        _tier,
        v.email,
        quiet_field=field("tier"),
    ),
    _switch_case(
        "categorical-turns-emails",
        "a released categorical column that starts holding e-mails",
        "tier",
        _tier,
        v.email,
    ),
    _switch_case(
        "categorical-turns-known-names",
        "a released categorical column that starts holding full names",
        "tier",
        _tier,
        v.name,
    ),
    _switch_case(
        "categorical-turns-json-emails",
        "a released categorical column that starts holding JSON text with an e-mail inside",
        "tier",
        _tier,
        lambda r: f'{{"contact": "{v.email(r)}"}}',
    ),
    _switch_case(
        "added-column-after-release",
        "a column added by a schema change once the others were released, holding e-mails",
        "contact",
        lambda r, n: None,
        v.email,
        quiet_field=field("contact"),
        loud_field=field("contact"),
    ),
    _switch_case(
        "renamed-declared-email-column",
        "a column declared EMAIL_ADDRESS (hash) renamed upstream: the new name is undeclared",
        "contact_addr",
        lambda r, n: None,
        v.email,
        columns=f"{ID_ONLY}\nemail: {{pii: EMAIL_ADDRESS, treatment: hash}}",
    ),
    _switch_case(
        "renamed-email-under-undeclared-pass",
        "a declared e-mail column renamed upstream while the declaration passes undeclared columns",
        "Email",
        lambda r, n: None,
        v.email,
        columns=f"{ID_ONLY}\nemail: {{pii: EMAIL_ADDRESS, treatment: hash}}",
        undeclared="pass",
    ),
    _switch_case(
        "new-column-in-delete-before-only",
        "a new column that first appears in the before image of deletes, holding e-mails",
        "contact",
        lambda r, n: None,
        v.email,
        loud_shape="delete",
    ),
    _switch_case(
        "toast-placeholders-then-emails",
        "a column that holds only TOAST placeholders (never sampled), then e-mails",
        "notes",
        lambda r, n: PLACEHOLDER,
        v.email,
    ),
    _switch_case(
        "declared-none-turns-ssn-text",
        "a column declared none (short codes) that starts holding dashed SSNs",
        "ref",
        lambda r, n: f"R{n:04d}",
        lambda r: v.ssn_dashed(v.ssn(r)),
        columns=f"{ID_ONLY}\nref: {{pii: none}}",
    ),
    _switch_case(
        "declared-none-turns-hex-emails",
        "a column declared none (short codes) that starts holding hex-encoded e-mails",
        "ref",
        lambda r, n: f"R{n:04d}",
        lambda r: v.email(r).encode().hex(),
        columns=f"{ID_ONLY}\nref: {{pii: none}}",
    ),
    _message_prefix(),
    _metadata_headers(),
    _metadata_blocks(),
]
