"""A hostile review of schema changes mid-stream (the shape of a column's values changes
after the column was released or declared ``none``): each test plants values of its own
making after a harmless start, drives the real Processor and asserts that no planted
value reaches a CDR key, value or header, with messages that never print one."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from detectors.recognizers.person import person_value_score
from pipeline.core.events import CdrRecord, Published
from tests.support import PATTERNS_ONLY, assert_no_raw, make_processor, record, record_blobs

TOPIC = "pg.public.orders"
DECL = """\
table: public.orders
source_topic: pg.public.orders
cdr_topic: cdr.orders.v1
owner: ledger
undeclared: detect
{format}columns:
  id: {{pii: none}}
"""
QUIET = 60  # harmless records first: past PATTERNS_ONLY's min_samples, so columns are released
# Ten-digit North American numbers and e-mails on reserved domains, made up for these tests.
PHONES = [
    f"{area}{exchange}{line:04d}" for area, exchange, line in ((415, 382, 1907), (212, 647, 3310), (617, 923, 4471))
]
EMAILS = ["quill.harrow71@example.org", "tamsin.vale38@example.net", "odo.brack52@example.com"]


def processor(tmp_path: Path, fmt: str | None = None):
    text = DECL.format(format=f"format: {fmt}\n" if fmt else "")
    return make_processor(tmp_path / "s", {"o.yaml": text}, detection=PATTERNS_ONLY)


def envelope(after: dict[str, Any]) -> dict[str, Any]:
    return {"before": None, "after": after, "source": {"table": "orders"}, "op": "c", "ts_ms": 1}


def run(proc, items: list[tuple[Any, Any]]) -> list[CdrRecord]:
    out = []
    for i, (key, value) in enumerate(items):
        outcome = proc.process(record(TOPIC, value, key=key, offset=i))
        assert isinstance(outcome, Published), f"record {i} not published: {type(outcome).__name__}"
        out.extend(outcome.records)
    return out


def blobs(recs: list[CdrRecord]) -> list[bytes | None]:
    return [b for r in recs for b in record_blobs(r)]


def test_declared_none_id_that_starts_holding_emails_never_publishes_one(tmp_path: Path) -> None:
    # Attack: `id` is declared none and holds integers (released as an id by its name);
    # then the source starts keying rows by e-mail. The guard's shape hit withheld nothing
    # on a declared column, and its memo passed the same value on the record's next pass.
    proc = processor(tmp_path)
    quiet = [({"id": n}, envelope({"id": n})) for n in range(QUIET)]
    loud = [({"id": e}, envelope({"id": e})) for e in EMAILS]
    recs = run(proc, quiet + loud)
    assert_no_raw(EMAILS, *blobs(recs))


def test_declared_none_value_that_breaks_its_shape_is_still_checked(tmp_path: Path) -> None:
    # Attack: the e-mail arrives in the value only (no key), after the same integer start.
    proc = processor(tmp_path)
    quiet = [(None, envelope({"id": n})) for n in range(QUIET)]
    recs = run(proc, quiet + [(None, envelope({"id": e})) for e in EMAILS])
    assert_no_raw(EMAILS, *blobs(recs))


def test_phone_numbers_as_text_in_a_column_released_for_small_numbers(tmp_path: Path) -> None:
    # Attack: schemaless `code` holds JSON integers under 100 (released: small numbers),
    # then the source starts sending ten-digit phone numbers as strings. Digits as text
    # passed the numeric release's shape check and no bare-digit recognizer fired.
    proc = processor(tmp_path)
    quiet = [({"id": n}, envelope({"id": n, "code": n % 40})) for n in range(QUIET)]
    recs = run(
        proc, quiet + [({"id": QUIET + i}, envelope({"id": QUIET + i, "code": p})) for i, p in enumerate(PHONES)]
    )
    assert_no_raw(PHONES, *blobs(recs))


def test_flattened_rows_of_a_released_table_switch_to_phone_text(tmp_path: Path) -> None:
    # Attack: the same table arrives as envelopes, then as ExtractNewRecordState rows
    # (`__deleted` added) whose released `code` now holds phone numbers as text.
    proc = processor(tmp_path, fmt="auto")
    quiet = [({"id": n}, envelope({"id": n, "code": n % 40})) for n in range(QUIET)]
    rows = [({"id": QUIET + i}, {"id": QUIET + i, "code": p, "__deleted": "false"}) for i, p in enumerate(PHONES)]
    assert_no_raw(PHONES, *blobs(run(proc, quiet + rows)))


def message_event(prefix: str, with_schema: bool) -> dict[str, Any]:
    """A PostgreSQL logical-decoding message (op m): no row, a prefix and base64 content."""
    payload = {
        "op": "m",
        "ts_ms": 1,
        "source": {"connector": "postgresql", "name": "pg", "db": "shop", "schema": "", "table": ""},
        "message": {"prefix": prefix, "content": "aGVsbG8="},
    }
    if not with_schema:
        return payload
    message = {
        "type": "struct",
        "field": "message",
        "optional": False,
        "name": "io.debezium.connector.postgresql.Message",
        "fields": [{"type": "string", "field": "prefix", "optional": False}, {"type": "bytes", "field": "content"}],
    }
    schema = {
        "type": "struct",
        "name": "io.debezium.connector.postgresql.MessageValue",
        "optional": False,
        "fields": [
            {"type": "string", "field": "op", "optional": False},
            {"type": "int64", "field": "ts_ms", "optional": True},
            {"type": "struct", "field": "source", "optional": False, "fields": []},
            message,
        ],
    }
    return {"schema": schema, "payload": payload}


def test_message_prefix_is_treated_like_the_prefix_in_its_key(tmp_path: Path) -> None:
    # Attack: an application emits logical-decoding messages whose prefix is an e-mail.
    # The key's `prefix` column was treated; the same text in the value's message went out.
    proc = processor(tmp_path)
    items = [({"prefix": e}, message_event(e, with_schema=n % 2 == 1)) for n, e in enumerate(EMAILS * 2)]
    recs = run(proc, items)
    assert_no_raw(EMAILS, *blobs(recs))
    schema = json.loads(recs[1].value)["schema"]  # null when dropped: the field is optional
    message = next(f for f in schema["fields"] if f["field"] == "message")
    assert all(f["optional"] for f in message["fields"])


def test_passthrough_headers_go_out_only_shaped_like_their_metadata(tmp_path: Path) -> None:
    # Attack: a producer writes personal data into the SMT metadata headers the CDR record
    # copies (`__db`, `__table`, `__op`, `__deleted`); their values went out as they came.
    proc = processor(tmp_path)
    planted = [EMAILS[0], "Quill Harrow", EMAILS[1], "(415) 382-1907"]
    hostile = list(zip(("__db", "__table", "__op", "__deleted"), (p.encode() for p in planted), strict=True))
    legit = [("__db", b"shop"), ("__table", b"orders"), ("__op", b"c"), ("__deleted", b"false"), ("__lsn", b"4652")]
    out = []
    for i, headers in enumerate((hostile, legit)):
        outcome = proc.process(record(TOPIC, envelope({"id": i}), key={"id": i}, offset=i, headers=headers))
        assert isinstance(outcome, Published)
        out.extend(outcome.records)
    assert_no_raw(planted, *blobs(out))
    assert [n for n, _ in out[0].headers if n.startswith("__")] == []
    assert [(n, v) for n, v in out[1].headers if n.startswith("__")] == legit, "metadata-shaped values are copied"


def test_hex_encoded_emails_in_a_declared_none_column_are_caught(tmp_path: Path) -> None:
    # Attack: a column declared none holds short codes, then e-mails hex-encoded (a client
    # library's "safe" transport form): base64 was decoded and scanned, hex was not.
    text = DECL.replace("columns:\n", "columns:\n  ref: {{pii: none}}\n").format(format="")
    proc = make_processor(tmp_path / "s", {"o.yaml": text}, detection=PATTERNS_ONLY)
    hexed = [e.encode().hex() for e in EMAILS]
    quiet = [({"id": n}, envelope({"id": n, "ref": f"R{n:04d}"})) for n in range(QUIET)]
    loud = [({"id": QUIET + i}, envelope({"id": QUIET + i, "ref": h})) for i, h in enumerate(hexed)]
    assert_no_raw(hexed, *blobs(run(proc, quiet + loud)))


def test_hex_that_is_not_text_is_not_decoded() -> None:
    from detectors.textscan import decode_hex

    assert decode_hex(EMAILS[0].encode().hex().upper()) == EMAILS[0]
    assert decode_hex(hashlib.sha256(b"x").hexdigest()) is None  # a digest is random bytes
    assert decode_hex("0a1b2c3d4e5f60718293a4b5c6d7e8f9") is None  # a UUID without its dashes
    assert decode_hex("6a6F65") is None  # mixed case: not one hex string


def test_a_declared_none_column_that_turns_into_a_map_of_names_is_caught(tmp_path: Path) -> None:
    # Attack: a column declared none holds short text, then schemaless JSON objects with a
    # person's name as a key or a leaf. A text value gets the known-person check; a map's
    # keys and leaves were matched by patterns only, which find no names.
    names = ["Fatima Whitfield", "Olga Haddad", "Maria Kowalski"]
    assert all((person_value_score(n) or 0.0) >= 0.9 for n in names), "precondition: names the guard knows"
    text = DECL.replace("columns:\n", "columns:\n  note: {{pii: none}}\n").format(format="")
    proc = make_processor(tmp_path / "s", {"o.yaml": text}, detection=PATTERNS_ONLY)
    quiet = [({"id": n}, envelope({"id": n, "note": "ok"})) for n in range(QUIET)]
    maps = [{names[0]: 3}, {"contact": {"who": names[1]}}, [{"owner": names[2]}]]
    loud = [({"id": QUIET + i}, envelope({"id": QUIET + i, "note": m})) for i, m in enumerate(maps)]
    assert_no_raw(names, *blobs(run(proc, quiet + loud)))


def test_a_renamed_email_column_under_undeclared_pass_is_guarded_like_a_declared_none_one(tmp_path: Path) -> None:
    # Attack: `email` is declared (hash) and the team passes undeclared columns; a migration
    # renames it (`Email`, `contact`). The new name was undeclared, so it passed unguarded.
    text = DECL.replace("undeclared: detect", "undeclared: pass").replace(
        "columns:\n", "columns:\n  email: {{pii: EMAIL_ADDRESS, treatment: hash}}\n"
    )
    proc = make_processor(tmp_path / "s", {"o.yaml": text.format(format="")}, detection=PATTERNS_ONLY)
    quiet = [({"id": n}, envelope({"id": n, "email": EMAILS[n % 3], "tier": "gold"})) for n in range(QUIET)]
    loud = [
        ({"id": QUIET + i}, envelope({"id": QUIET + i, new: e, "tier": "gold"}))
        for i, (new, e) in enumerate(zip(("Email", "contact", "EMAIL"), EMAILS, strict=True))
    ]
    recs = run(proc, quiet + loud)
    assert_no_raw(EMAILS, *blobs(recs))
    assert all(json.loads(r.value)["after"]["tier"] == "gold" for r in recs), "undeclared columns still pass"


def test_a_field_a_message_does_not_have_is_dropped(tmp_path: Path) -> None:
    # Attack: a producer adds a field of its own to the message struct; the message went
    # out with every field it had, only the content nulled.
    proc = processor(tmp_path)
    items = []
    for n, e in enumerate(EMAILS * 2):
        value = message_event("audit", with_schema=n % 2 == 1)
        payload = value.get("payload", value)
        payload["message"]["reply_to"] = e
        if "schema" in value:
            message = next(f for f in value["schema"]["fields"] if f["field"] == "message")
            message["fields"].append({"type": "string", "field": "reply_to", "optional": True})
        items.append(({"prefix": "audit"}, value))
    recs = run(proc, items)
    assert_no_raw(EMAILS, *blobs(recs))
    schema = json.loads(recs[1].value)["schema"]
    message = next(f for f in schema["fields"] if f["field"] == "message")
    assert [f["field"] for f in message["fields"]] == ["prefix", "content"]


def test_source_and_transaction_blocks_go_out_only_shaped_like_metadata(tmp_path: Path) -> None:
    # Attack: a producer writes personal data into the envelope's connector metadata: the
    # source block's `db`, a field of its own in `source`, the transaction's `id`. Only the
    # SQL text of `source` was nulled; the rest went out as it came.
    proc = processor(tmp_path)
    person = "Quill Harrow"
    items = []
    for i, e in enumerate(EMAILS):
        value = envelope({"id": i})
        value["source"] = {"connector": "postgresql", "db": e, "schema": "public", "table": "orders", "owner": person}
        value["transaction"] = {"id": e, "total_order": 1, "data_collection_order": 1}
        items.append(({"id": i}, value))
    legit = envelope({"id": 9})
    legit["source"] = {"version": "2.7.0.Final", "db": "shop", "sequence": '["26717416","26717576"]', "lsn": 33816576}
    legit["transaction"] = {"id": "571:53195832", "total_order": 1, "data_collection_order": 1}
    recs = run(proc, [*items, ({"id": 9}, legit)])
    assert_no_raw([*EMAILS, person], *blobs(recs))
    out = json.loads(recs[-1].value)
    assert (out["source"], out["transaction"]) == (legit["source"], legit["transaction"]), "metadata passes as it came"
