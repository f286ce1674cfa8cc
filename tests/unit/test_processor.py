"""The processing core beyond the shared examples: policies, keys, headers, failures."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from pipeline.core.events import DeadLetter, Published, Skipped, SourceRecord
from pipeline.core.processor import PII_HEADER, POLICY_HEADER
from tests.support import assert_no_raw, digest, doc, make_processor, record, record_blobs

DECL = """\
table: public.users
source_topic: pg.public.users
cdr_topic: cdr.users.v1
owner: identity
undeclared: {undeclared}
columns:
  email: {{pii: EMAIL_ADDRESS}}
  name:  {{pii: PERSON, treatment: tag}}
  dob:   {{pii: DATE_OF_BIRTH, treatment: drop}}
  plan:  {{pii: none}}
"""


def users(tmp_path: Path, undeclared: str = "mask"):
    return make_processor(tmp_path / "s", {"users.yaml": DECL.format(undeclared=undeclared)})


def change(after, before=None, op="c"):
    return {
        "op": op,
        "before": before,
        "after": after,
        "source": {"ts_ms": 1700000000000},
        "ts_ms": 1700000000001,
    }


ROW = {
    "email": "ann@example.com",
    "name": "Ann Lee",
    "dob": "1990-04-01",
    "plan": "gold",
    "iban": "DE89370400440532013000",
}


@pytest.mark.parametrize(
    ("undeclared", "iban"),
    [("mask", "*" * 22), ("detect", "*" * 22), ("drop", None), ("pass", "DE89370400440532013000")],
)
def test_undeclared_policies(tmp_path: Path, undeclared: str, iban) -> None:
    outcome = users(tmp_path, undeclared).process(
        record("pg.public.users", change(ROW), key={"email": "ann@example.com"})
    )
    assert isinstance(outcome, Published)
    after = doc(outcome.records[0].value)["after"]
    assert after.get("iban") == iban
    assert "dob" not in after
    assert after["email"] == digest("ann@example.com") and after["name"] == "Ann Lee"
    assert outcome.report.undeclared_columns == ("iban",)
    pii = json.loads(dict(outcome.records[0].headers)[PII_HEADER])
    expected = {"email": "hash", "name": "tag", "dob": "drop"}
    if undeclared in ("mask", "detect"):
        expected["iban"] = "mask"
    elif undeclared == "drop":
        expected["iban"] = "drop"
    assert pii == expected


def test_a_declared_column_dropped_upstream_is_reported(tmp_path: Path) -> None:
    proc = users(tmp_path)
    full = proc.process(record("pg.public.users", change(ROW), key={"email": "ann@example.com"}))
    assert full.report.missing_columns == ()
    without_dob = {k: v for k, v in ROW.items() if k != "dob"}
    dropped = proc.process(record("pg.public.users", change(without_dob), key={"email": "ann@example.com"}))
    assert dropped.report.missing_columns == ("dob",)
    # A key lacks the non-key columns by nature: it reports nothing.
    tomb = proc.process(record("pg.public.users", None, key={"email": "ann@example.com"}))
    assert tomb.report.missing_columns == ()


def test_block_dead_letters_the_record(tmp_path: Path) -> None:
    outcome = users(tmp_path, "block").process(record("pg.public.users", change(ROW)))
    assert isinstance(outcome, DeadLetter)
    assert (outcome.stage, outcome.reason) == ("policy", "undeclared_column_blocked")
    assert "iban" in outcome.message and "DE89" not in outcome.message


def test_pii_key_is_hashed_deterministically(tmp_path: Path) -> None:
    proc = users(tmp_path)
    key = {"email": "ann@example.com"}
    a = proc.process(record("pg.public.users", change(ROW), key=key, offset=1))
    b = proc.process(record("pg.public.users", change(ROW, op="u"), key=key, offset=2))
    assert doc(a.records[0].key) == doc(b.records[0].key) == {"email": digest("ann@example.com")}


def test_dropped_column_in_key_is_hashed_not_dropped(tmp_path: Path) -> None:
    out = users(tmp_path).process(record("pg.public.users", None, key={"dob": "1990-04-01"}))
    assert doc(out.records[0].key) == {"dob": digest("1990-04-01")}  # keys stay distinct


def test_headers_are_filtered_and_key_headers_treated(tmp_path: Path) -> None:
    headers = [
        ("__op", b"c"),
        ("x-trace", b"ann@example.com"),
        ("__debezium.oldkey", {"email": "old@example.com"}),
    ]
    out = users(tmp_path).process(
        record("pg.public.users", change(ROW), key={"email": "ann@example.com"}, headers=headers)
    )
    got = dict(out.records[0].headers)
    assert got["__op"] == b"c"
    assert "x-trace" not in got  # unknown headers are not copied: they can hold anything
    assert doc(got["__debezium.oldkey"]) == {"email": digest("old@example.com")}
    assert got[POLICY_HEADER] == out.records[0].headers[-2][1]
    assert_no_raw(["ann@example.com", "old@example.com", "1990-04-01"], *record_blobs(out.records[0]))


def test_policy_header_changes_with_the_declaration(tmp_path: Path) -> None:
    a = users(tmp_path / "a").process(record("pg.public.users", change(ROW)))
    b = users(tmp_path / "b", "drop").process(record("pg.public.users", change(ROW)))
    assert dict(a.records[0].headers)[POLICY_HEADER] != dict(b.records[0].headers)[POLICY_HEADER]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b'{"op": "c", "after": {"email": "ann@exa', "invalid_json"),
        (b"\xff\xfe{}", "invalid_utf8"),
        (b"null", "null_json"),
        (b"[1, 2]", "not_an_object"),
        (b'{"op": "x", "after": {}, "source": {}}', "unknown_op"),
        (b'{"op": "c", "after": "ann@example.com", "source": {}}', "schema_mismatch"),
        (
            b'{"schema": {"type": "struct", "name": "a.Envelope", "fields": [{"type": "struct", "field": "after", "fields": [{"type": "string", "field": "email"}]}]}, "payload": {"op": "c", "after": {"email": "ann@example.com", "extra": 1}}}',
            "schema_mismatch",
        ),
        (b'{"schema": "nope", "payload": {}}', "schema_invalid"),
    ],
)
def test_malformed_values_are_dead_lettered_without_values(tmp_path: Path, value: bytes, reason: str) -> None:
    outcome = users(tmp_path).process(record("pg.public.users", value))
    assert isinstance(outcome, DeadLetter)
    assert outcome.reason == reason
    assert "ann@" not in outcome.message and "example" not in outcome.message


def test_an_operator_bug_fails_closed(tmp_path: Path, monkeypatch, caplog) -> None:
    from pipeline.core.treatments import operators

    def boom(self, value, field):
        raise RuntimeError(f"bad {value}")

    monkeypatch.setattr(operators.Hash, "apply", boom)
    with caplog.at_level(logging.DEBUG):
        outcome = users(tmp_path).process(record("pg.public.users", change(ROW)))
    assert isinstance(outcome, DeadLetter)
    assert (outcome.reason, outcome.error_class) == ("internal_error", "RuntimeError")
    assert "ann@" not in outcome.message and "ann@" not in caplog.text


def test_nan_and_infinity_round_trip_exactly(tmp_path: Path) -> None:
    value = b'{"op":"c","before":null,"after":{"plan":NaN,"score":Infinity},"source":{"ts_ms":1}}'
    proc = make_processor(tmp_path / "s", {"u.yaml": DECL.format(undeclared="pass")})
    out = proc.process(record("pg.public.users", value))
    assert isinstance(out, Published)
    assert b'"plan":NaN' in out.records[0].value and b'"score":Infinity' in out.records[0].value


def test_default_policy_for_undeclared_topics(tmp_path: Path) -> None:
    proc = make_processor(tmp_path / "s", {"users.yaml": DECL.format(undeclared="mask")}, default_topics=True)
    out = proc.process(record("other.public.things", change({"secret": "abc"})))
    assert isinstance(out, Published)
    assert out.records[0].topic == "cdr.default.other.public.things"
    assert doc(out.records[0].value)["after"] == {"secret": "***"}
    skipped = make_processor(tmp_path / "t", {"users.yaml": DECL.format(undeclared="mask")}).process(
        record("other.public.things", change({"secret": "abc"}))
    )
    assert isinstance(skipped, Skipped)


def test_payloads_that_contradict_their_schema_are_dead_lettered(tmp_path: Path) -> None:
    import copy

    from devstack.sample_events import CustomerEvents
    from tests.harness import declaration

    proc = make_processor(tmp_path / "s", declaration("src.public.customers", "cdr.customers"))
    base = next(iter(CustomerEvents(prefix="p", seed=1).snapshot(1)))

    def outcome(edit) -> object:
        value = copy.deepcopy(base["value"])
        edit(value)
        return proc.process(record("src.public.customers", value, key=base["key"]))

    assert isinstance(outcome(lambda v: None), Published)
    wrong = outcome(lambda v: v["payload"]["after"].update(id="seven"))
    assert isinstance(wrong, DeadLetter) and wrong.reason == "type_mismatch"
    assert wrong.message == "row column 'id' holds a JSON string; its schema says int64"
    flag = outcome(lambda v: v["payload"]["after"].update(email=True))  # a bool is not a string
    assert isinstance(flag, DeadLetter) and "email" in flag.message and "True" not in flag.message
    no_payload = outcome(lambda v: v.pop("payload"))
    assert isinstance(no_payload, DeadLetter) and no_payload.reason == "no_payload"


def test_rows_of_types_checked_before_still_have_their_shapes_and_placeholders_checked(tmp_path: Path) -> None:
    """A row whose values have the types of a row checked before has only its shapes
    checked again: a placeholder standing for an int never makes a text pass for one."""
    import copy

    from devstack.sample_events import CustomerEvents
    from tests.harness import declaration

    proc = make_processor(tmp_path / "s", declaration("src.public.customers", "cdr.customers"))
    base = next(iter(CustomerEvents(prefix="p", seed=1).snapshot(1)))

    def outcome(**after: object) -> object:
        value = copy.deepcopy(base["value"])
        value["payload"]["after"].update(after)
        return proc.process(record("src.public.customers", value, key=base["key"]))

    for _ in range(3):
        assert isinstance(outcome(), Published)  # these types are remembered
    assert isinstance(outcome(login_count="__debezium_unavailable_value"), Published)  # unchanged TOAST
    for _ in range(2):  # the placeholder's types were not remembered as allowed
        wrong = outcome(login_count="seven")
        assert isinstance(wrong, DeadLetter) and wrong.reason == "type_mismatch", "a text passed for an int"
    shaped = outcome(created_at="4111 1111 1111 1111")  # the remembered types, a string not shaped as one
    assert isinstance(shaped, DeadLetter) and shaped.reason == "type_mismatch", "a card passed as a timestamp"
    assert "1111" not in shaped.message
    flag = outcome(login_count=True)  # a bool is no int, whatever was remembered
    assert isinstance(flag, DeadLetter) and flag.reason == "type_mismatch"


def test_oversize_records_are_dead_lettered_unread(tmp_path: Path) -> None:
    import dataclasses

    proc = users(tmp_path)
    proc.settings = dataclasses.replace(proc.settings, max_record_bytes=2048)
    big = proc.process(record("pg.public.users", change({**ROW, "plan": "x" * 4096})))
    assert isinstance(big, DeadLetter) and big.reason == "record_too_large"
    assert "ann@" not in big.message
    assert isinstance(proc.process(record("pg.public.users", change(ROW))), Published)


def test_oversize_counts_key_and_value_to_the_byte() -> None:
    rec = SourceRecord("t", 0, 0, b"k" * 10, b"v" * 90)
    assert rec.oversize(None) is None and rec.oversize(100) is None
    assert rec.oversize(99) == "record is 100 bytes, over max_record_bytes (99); not processed"
    assert SourceRecord("t", 0, 0, None, None).oversize(0) is None
