"""Treatment operators: parametrised tables of (value, field schema, expected)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import pickle

import pytest

from pipeline.core.treatments.hashing import (
    HashKey,
    HashKeyError,
    default_key_id,
    load_hash_key,
    parse_key_material,
)
from pipeline.core.treatments.operators import REDACTED, build_operator, canonical_text
from pipeline.core.treatments.placeholder import UnavailableValues
from pipeline.core.treatments.spec import TreatmentSpec, parse_treatment
from pipeline.errors import TransformError
from tests.support import KEY, digest

DECIMAL2 = {
    "type": "bytes",
    "name": "org.apache.kafka.connect.data.Decimal",
    "parameters": {"scale": "2"},
    "field": "amount",
}
DATE = {"type": "int32", "name": "io.debezium.time.Date", "field": "dob"}
MICRO = {"type": "int64", "name": "io.debezium.time.MicroTimestamp", "field": "ts"}
NANO = {"type": "int64", "name": "io.debezium.time.NanoTimestamp", "field": "ts"}
ZONED = {"type": "string", "name": "io.debezium.time.ZonedTimestamp", "field": "ts"}
VSD = {"type": "struct", "name": "io.debezium.data.VariableScaleDecimal", "field": "n"}


def op(raw):
    return build_operator(parse_treatment(raw), KEY)


@pytest.mark.parametrize(
    ("treatment", "value", "field", "expected"),
    [
        ("pass", "a@b.co", None, "a@b.co"),
        ("tag", "a@b.co", None, "a@b.co"),
        ("null", "a@b.co", None, None),
        ("redact", "a@b.co", None, REDACTED),
        ({"redact": {"text": "<EMAIL>"}}, "a@b.co", None, "<EMAIL>"),
        ("mask", "secret", None, "******"),
        ({"mask": {"keep_last": 4}}, "+44 20 7946 0958", None, "************0958"),
        ({"mask": {"keep_first": 2, "char": "#"}}, "SW1A 1AA", None, "SW######"),
        ({"mask": {"keep_first": 1, "keep_last": 1}}, "ab", None, "a*"),  # never reveals it all
        ({"mask": {"keep_last": 4}}, "1234", None, "**34"),
        ({"mask": {"keep_last": 2}}, 123456, None, "****56"),  # numbers become text
        ("hash", "a@b.co", None, digest("a@b.co")),
        ("hash", 42, None, digest("42")),
        ("hash", True, None, digest("true")),
        ("hash", "bg==", DECIMAL2, digest("1.10")),
        ("hash", {"scale": 4, "value": "AYr3"}, VSD, digest("10.1111")),
        ("hash", {"b": 1, "a": [1, 2]}, None, digest('{"a":[1,2],"b":1}')),
        ("redact_detected", "call Anne on 555-0100", None, REDACTED),
        ({"generalize": {"to": "year"}}, 17109, DATE, 16801),
        ({"generalize": {"to": "month"}}, 17109, DATE, 17106),
        ({"generalize": {"to": "day"}}, 1478267490123456, MICRO, 1478217600000000),
        ({"generalize": {"to": "year"}}, 1478267490123456789, NANO, 1451606400000000000),
        ({"generalize": {"to": "month"}}, "2016-11-04T11:51:30.123456Z", ZONED, "2016-11-01T00:00:00Z"),
        ({"generalize": {"to": "year"}}, "1984-07-21", None, "1984-01-01"),
        ({"generalize": {"to": "year"}}, "infinity", ZONED, "infinity"),
        ({"generalize": {"bucket": 1000}}, 12345, None, 12000),
        ({"generalize": {"bucket": 1000}}, -1, None, -1000),
        ({"generalize": {"bucket": 0.5}}, 2.7, None, 2.5),
        (
            {"generalize": {"bucket": 10}},
            "AeIT",
            DECIMAL2,
            base64.b64encode((123000).to_bytes(3, "big", signed=True)).decode(),
        ),
        ({"generalize": {"bucket": 100}}, "1234.11", None, "1200.00"),
        ({"generalize": {"prefix": 4}}, "SW1A 1AA", None, "SW1A"),
    ],
)
def test_operator_table(treatment, value, field, expected) -> None:
    assert op(treatment).apply(value, field) == expected


@pytest.mark.parametrize(
    ("treatment", "value", "field", "reason"),
    [
        ({"generalize": {"to": "year"}}, 17109, None, "generalize_type"),  # a bare number: no date type
        ({"generalize": {"to": "year"}}, "not a date", None, "generalize_type"),
        ({"generalize": {"bucket": 10}}, "abc", None, "generalize_type"),
        ({"generalize": {"bucket": 10}}, True, None, "generalize_type"),
        ({"generalize": {"prefix": 2}}, 12, None, "generalize_type"),
        ("hash", "not base64!", DECIMAL2, "schema_mismatch"),
    ],
)
def test_operator_errors_never_quote_the_value(treatment, value, field, reason) -> None:
    with pytest.raises(TransformError) as info:
        op(treatment).apply(value, field)
    assert info.value.reason == reason
    assert str(value) not in info.value.message


@pytest.mark.parametrize(
    ("treatment", "field", "expected"),
    [
        (
            "pass",
            {"type": "int64", "optional": False, "field": "id"},
            {"type": "int64", "optional": False, "field": "id"},
        ),
        ("drop", {"type": "string", "field": "ssn"}, None),
        (
            "null",
            {"type": "string", "optional": False, "default": "x", "field": "a"},
            {"type": "string", "optional": True, "field": "a"},
        ),
        (
            "hash",
            {"type": "int64", "optional": False, "field": "acct"},
            {"type": "string", "optional": False, "field": "acct"},
        ),
        ("mask", DECIMAL2, {"type": "string", "optional": True, "field": "amount"}),
        (
            {"generalize": {"to": "year"}},
            {**DATE, "default": 19_000},
            {**DATE, "default": 18_993},
        ),  # 2022-01-07 -> 2022-01-01
        (
            {"mask": {"keep_last": 2}},
            {"type": "string", "optional": False, "default": "unknown", "field": "a"},
            {"type": "string", "optional": False, "default": "*****wn", "field": "a"},
        ),
        (
            {"mask": {"keep_last": 2}},
            {"type": "string", "optional": True, "default": "unknown", "field": "a"},
            {"type": "string", "optional": True, "field": "a"},
        ),
    ],
)
def test_output_schema(treatment, field, expected) -> None:
    assert op(treatment).out_field(field) == expected


def test_a_required_treated_field_keeps_its_default_as_the_treatment_writes_it() -> None:
    """Readers of records written before a required column was added need a default;
    the CDR schema gives the value a record holding the source default carries, never
    the source default itself."""
    field = {"type": "string", "optional": False, "default": "nobody@example.com", "field": "contact"}
    hashed = op("hash")
    out = hashed.out_field(field)
    assert out is not None and out["default"] == hashed.apply("nobody@example.com", field) != "nobody@example.com"
    assert op("redact").out_field(field) == {**field, "default": "<REDACTED>"}
    assert "default" not in (op("null").out_field(field) or {})  # optional now: null is its default
    undecodable = {"type": "int32", "optional": False, "default": "x", "name": "io.debezium.time.Date", "field": "d"}
    assert "default" not in (op({"generalize": {"to": "year"}}).out_field(undecodable) or {})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("scramble", "unknown treatment 'scramble'"),
        ("generalize", "generalize needs a parameter"),
        ({"mask": {"keep_last": -1}}, "keep_last must be a whole number >= 0"),
        ({"mask": {"keep": 1}}, "mask has no parameter 'keep'"),
        ({"mask": {"char": "**"}}, "single character"),
        ({"generalize": {"to": "week"}}, "year, month or day"),
        ({"generalize": {"to": "year", "prefix": 2}}, "exactly one"),
        ({"hash": {"salt": "x"}}, "it takes none"),
        (["hash"], "treatment must be a name"),
    ],
)
def test_treatment_spec_errors(raw, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_treatment(raw)


def test_spec_label() -> None:
    assert parse_treatment({"mask": {"keep_last": 4}}).label == "mask(keep_last=4)"
    assert parse_treatment("hash") == TreatmentSpec("hash")


def test_hash_is_keyed_deterministic_and_carries_key_id() -> None:
    other = HashKey(b"another-key-0123456789", "k2")
    assert KEY.digest("x") == KEY.digest("x")
    assert KEY.digest("x") != other.digest("x")
    assert other.digest("x").startswith("k2:")
    assert len(KEY.digest("x").split(":")[1]) == 64
    assert "another-key" not in repr(other)


@pytest.mark.parametrize("key_length", [0, 1, 31, 32, 63, 64, 65, 128, 200])
def test_hash_is_hmac_sha256_of_the_utf8_value_for_any_key_length(key_length: int) -> None:
    # the precomputed pads are RFC 2104's: the key hashed first past the block (64 bytes)
    secret = bytes((7 * i + 3) % 256 for i in range(key_length))
    key = HashKey(secret, "k")
    for text in ("", "x", "jane.roe@example.com", "Zoë Ångström \u2603", "a" * 300, "\ud800 lone"):
        expected = hmac.new(secret, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
        as_expected = key.digest(text) == f"k:{expected}"
        assert as_expected, f"key of {key_length} bytes: not HMAC-SHA256"
        as_expected = key.digest(text) == f"k:{expected}"
        assert as_expected, f"key of {key_length} bytes: the cached digest differs"


def test_a_hash_key_survives_pickling_for_worker_processes() -> None:
    copy = pickle.loads(pickle.dumps(KEY))
    assert copy == KEY and copy.digest("x") == KEY.digest("x")
    assert "another" not in repr(copy)


@pytest.mark.parametrize(
    ("material", "secret"),
    [
        ("0123456789abcdef" * 2, b"0123456789abcdef" * 2),
        ("hex:" + "ab" * 32, bytes([0xAB]) * 32),
        ("base64:" + base64.b64encode(b"k" * 40).decode(), b"k" * 40),
    ],
)
def test_key_material(material, secret) -> None:
    assert parse_key_material(material, "test") == secret


def test_short_or_bad_keys_are_refused_without_echoing_them(monkeypatch, tmp_path) -> None:
    with pytest.raises(HashKeyError, match="shorter than 32") as info:
        parse_key_material("shortkey", "CDR_HASH_KEY")
    assert "shortkey" not in str(info.value)
    with pytest.raises(HashKeyError, match="not valid"):
        parse_key_material("hex:zz", "CDR_HASH_KEY")
    monkeypatch.delenv("CDR_HASH_KEY")
    assert load_hash_key(None, None) is None
    key_file = tmp_path / "key"
    key_file.write_text("file-key-Vq8rT2xLm5NzW9pK3cYb7HdJ4gF6\n")
    key = load_hash_key(str(key_file), "rot2")
    assert key is not None and key.secret == b"file-key-Vq8rT2xLm5NzW9pK3cYb7HdJ4gF6" and key.key_id == "rot2"
    assert default_key_id(b"file-key-0123456789").startswith("k")


def test_canonical_text_of_float_and_text() -> None:
    assert canonical_text(1.5, None) == "1.5"
    assert canonical_text("x", None) == "x"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("__debezium_unavailable_value", True),
        (["__debezium_unavailable_value"], True),
        ({"__debezium_unavailable_value": "__debezium_unavailable_value"}, True),
        ("X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==", True),
        ("__debezium_unavailable", False),
        (["__debezium_unavailable_value", "x"], False),
        ([95, 95], False),
        (None, False),
    ],
)
def test_placeholder_forms(value, expected) -> None:
    assert UnavailableValues().is_placeholder(value) is expected


def test_custom_hex_placeholder() -> None:
    forms = UnavailableValues("hex:" + b"__gone".hex())
    assert forms.is_placeholder("__gone") and forms.is_placeholder(list(b"__gone"))


@pytest.mark.parametrize(
    ("value", "out"),
    [
        ("10/17/1966", "1966-01-01"),
        ("17.10.1966", "1966-01-01"),
        ("Oct 17, 1966", "1966-01-01"),
        ("1966-10-17", "1966-01-01"),
    ],
)
def test_generalize_to_year_reads_dates_written_as_text(value: str, out: str) -> None:
    from pipeline.core.treatments.operators import Generalize

    assert Generalize("year", None, None).apply(value, {"type": "string", "field": "dob"}) == out


def test_a_detected_date_of_birth_is_withheld_not_generalized(tmp_path) -> None:
    from pipeline.config import DetectionConfig
    from tests.support import doc, make_processor, record

    proc = make_processor(
        tmp_path,
        {"t.yaml": "table: public.t\nsource_topic: pg.public.t\ncdr_topic: cdr.t\nowner: o\ncolumns: {}\n"},
        detection=DetectionConfig(ner=False, min_samples=20, sample_every=1),
    )
    outs = [
        proc.process(record("pg.public.t", {"op": "c", "before": None, "after": {"id": i, "days_birth": -12000 - i}}))
        for i in range(30)
    ]
    assert all(doc(o.records[0].value)["after"]["days_birth"] is None for o in outs), "a DOB column went out"
