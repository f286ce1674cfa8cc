"""Values smuggled where a reader did not look (a hostile review; the attack ledger's
``cases/smuggling.py`` runs them end to end): the mechanisms, one by one, in the pure
core. Messages never print a planted value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from detectors import guard
from detectors.profiler import DetectionSettings, Profiler
from detectors.textscan import TextScanner
from pipeline.core import outschema
from pipeline.core.events import DeadLetter, Published
from pipeline.core.safenames import is_plain, is_plain_topic, looks_personal
from tests.support import PATTERNS_ONLY, assert_no_raw, doc, make_processor, record, record_blobs

TOPIC = "pg.public.accounts"
DECL = """\
table: public.accounts
source_topic: pg.public.accounts
cdr_topic: cdr.accounts.v1
owner: ledger
undeclared: detect
columns:
  id:   {pii: none}
  plan: {pii: none}
  tags: {pii: none}
  created_at: {pii: none}
"""
SCANNER = TextScanner(ner=None)
NAME = "Margaret Thompson"  # a first name and a surname the public lists know
EMAIL = "hortensia.quist@example.org"


def processor(tmp_path: Path):
    return make_processor(tmp_path / "s", {"a.yaml": DECL}, detection=PATTERNS_ONLY)


def change(after: dict[str, Any] | None, op: str = "c", **extra: Any) -> dict[str, Any]:
    return {"op": op, "before": None, "after": after, "source": {"ts_ms": 1}, "ts_ms": 2, **extra}


# -- guard: documents --------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        [NAME, *["x"] * 5000],  # before 5,000 items
        {**{f"k{i}": 1 for i in range(4100)}, "owner": NAME},  # after 4,100 keys
        ["Margaret", "Thompson"],
        {"first": "Margaret", "last": "Thompson"},
        {"Margaret": "Thompson"},
    ],
    ids=["past-5000-items", "past-4100-keys", "array-of-parts", "object-of-parts", "key-and-value"],
)
def test_a_listed_name_anywhere_in_a_document_breaks_the_guard(document: Any) -> None:
    assert guard.holds(document, SCANNER) == "PERSON"


def test_documents_of_words_that_are_no_name_pass() -> None:
    for document in (["red", "blue", "green"], {"a": 1, "b": "gold"}, {"status": "open", "tier": "silver"}):
        assert guard.holds(document, SCANNER) is None, "a document of plain words was taken for a name"


# -- guard: temporal shapes --------------------------------------------------------------


def test_iso_shapes_hold_times_not_digit_runs() -> None:
    zoned = guard.LOGICAL_SHAPES["io.debezium.time.ZonedTimestamp"]
    for good in ("2016-11-04T11:51:30.123456Z", "2024-01-01T10:00:00+01:00", "+21016-11-04T06:51:30Z", "infinity"):
        assert zoned.match(good), good
    for bad in ("2024-01-01T4111111111111111Z", "2024-01-01T078.05.1120Z", "2024-01-01 415.555.0199"):
        assert zoned.match(bad) is None, "a date with digits where the time goes passed as a timestamp"
    assert guard.LOGICAL_SHAPES["io.debezium.time.ZonedTime"].match("10:15:30.4111111111111111Z") is None


def _profile(logical: str, kind: str = "int64"):
    profiler = Profiler(DetectionSettings(), SCANNER)
    return profiler.profile("public.t", "paid_at", {"type": kind, "name": logical})


def test_a_timestamp_no_calendar_holds_is_checked_as_a_number() -> None:
    prof = _profile("org.apache.kafka.connect.data.Timestamp")
    assert guard.check(prof, 1_700_000_000_000, SCANNER) is None  # 2023
    assert guard.check(prof, 5555555555554444, SCANNER) == "CREDIT_CARD"  # the year 178,000: a card
    assert guard.check(prof, 9_999_999_999_999_999, SCANNER) == guard.SHAPE  # no card, no time either
    date = _profile("io.debezium.time.Date", "int32")
    assert guard.check(date, 19_000, SCANNER) is None and guard.check(date, 4_000_000, SCANNER) == guard.SHAPE


@pytest.mark.parametrize("logical", ["io.debezium.time.MicroTimestamp", "io.debezium.time.NanoTimestamp"])
def test_a_card_number_as_micro_or_nanoseconds_breaks_the_guard(logical: str) -> None:
    """16 card digits as microseconds are the years 2033-2191, as nanoseconds early 1970:
    a time, but none of today's records. A timestamp of today stays one, Luhn or not."""
    prof = _profile(logical)
    for card in (4111111111111111, 5555555555554444, 2223000048400011, 6011111111111117):
        assert guard.check(prof, card, SCANNER) == "CREDIT_CARD", "a card number passed as a time"
    now = 1_764_000_000_000_000 if "Micro" in logical else 1_764_000_000_000_000_000
    assert guard.check(prof, now, SCANNER) is None
    assert all(guard.check(prof, t, SCANNER) is None for t in range(now, now + 20))  # two pass Luhn
    later = 2_100_000_000_000_000 if "Micro" in logical else 2_100_000_000_000_000_000  # 2036, no card
    assert guard.check(prof, later, SCANNER) is None


# -- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["margaretThompson", "MargaretThompson", "thompsonMargaret", "kenjiOkafor", "margaretthompson", "JOHNSMITH"],
)
def test_a_name_in_camel_case_or_run_together_is_personal(name: str) -> None:
    assert looks_personal(name) and not is_plain(name), "a person's name written as one word passed as plain"


@pytest.mark.parametrize(
    "name",
    ["firstName", "createdAt", "billingAddress", "maxPrice", "UnitsInStock", "connector", "children", "readall"],
)
def test_column_words_in_camel_case_or_run_together_stay_plain(name: str) -> None:
    assert not looks_personal(name), name


def test_a_topic_whose_table_is_a_name_in_camel_case_is_not_plain() -> None:
    assert not is_plain_topic("crm.public.margaretThompson")
    assert is_plain_topic("crm.public.orderItems")


# -- schemas -------------------------------------------------------------------------------


def test_a_nested_field_named_with_personal_data_leaves_the_schema() -> None:
    clean = outschema.cleaner(SCANNER)
    nested = {
        "type": "struct",
        "optional": True,
        "field": "meta",
        "fields": [
            {"type": "string", "optional": True, "field": EMAIL},
            {"type": "int32", "optional": True, "field": NAME},
            {"type": "int32", "optional": True, "field": "JohnSmith"},
            {"type": "int32", "optional": True, "field": "kenjiOkafor"},
            {"type": "int32", "optional": True, "field": "visits"},
        ],
    }
    for released in (True, False):
        out = outschema.structural(nested, clean, released=released)
        assert [f["field"] for f in out["fields"]] == ["visits"]
    # with detection off nothing is checked, so nothing is dropped
    assert len(outschema.structural(nested, None)["fields"]) == 5


def test_a_released_value_is_cut_to_what_its_schema_keeps() -> None:
    """What the CDR schema leaves out of a nested struct leaves the payload too: in a
    struct, in an array of structs, in a map's values and in a map keyed by structs."""
    clean = outschema.cleaner(SCANNER)
    inner = {"type": "struct", "fields": [{"type": "int32", "field": "kenjiOkafor"}, {"type": "int32", "field": "n"}]}
    field = {
        "type": "struct",
        "field": "stats",
        "fields": [
            {**inner, "field": "one"},
            {"type": "array", "field": "many", "items": inner},
            {"type": "map", "field": "by", "keys": {"type": "string"}, "values": inner},
            {"type": "map", "field": "pairs", "keys": inner, "values": {"type": "int32"}},
            {"type": "int32", "field": "plain"},
        ],
    }
    cut = outschema.projection(field, clean)
    hidden = {"kenjiOkafor": 1, "n": 2}
    value = {"one": hidden, "many": [hidden, None], "by": {"x": hidden}, "pairs": [[hidden, 3]], "plain": 4}
    out = outschema.project(value, cut)
    assert out == {
        "one": {"n": 2},
        "many": [{"n": 2}, None],
        "by": {"x": {"n": 2}},
        "pairs": [[{"n": 2}, 3]],
        "plain": 4,
    }
    assert outschema.project({"n": 1, "extra": 2}, outschema.projection(inner, clean)) == {"n": 1}  # not in the schema
    assert outschema.project([{"n": 1}], outschema.projection(inner, clean)) is None  # not shaped as its schema
    assert outschema.projection({"type": "int32"}, clean) is None
    kept = outschema.project(value, outschema.projection(field, None))  # detection off: names are not judged
    assert kept["one"] == hidden


def test_a_released_struct_goes_out_without_the_keys_its_schema_left_out(tmp_path: Path) -> None:
    proc = processor(tmp_path)
    person = "kenjiOkafor"  # a name no list knows: the guard passes it, the schema does not
    fields = [
        {"type": "int32", "field": "id"},
        {"type": "struct", "optional": True, "field": "plan", "fields": [{"type": "int32", "field": person}]},
    ]
    value = {
        "schema": {
            "type": "struct",
            "fields": [{"type": "struct", "optional": True, "field": "after", "fields": fields}],
        },
        "payload": change({"id": 1, "plan": {person: 3}}),
    }
    outcome = proc.process(record(TOPIC, value, key={"id": 1}))
    assert isinstance(outcome, Published), type(outcome).__name__
    assert_no_raw([person], *record_blobs(outcome.records[0]))


# -- the processor -------------------------------------------------------------------------


def test_a_message_block_on_a_change_or_a_truncate_is_treated(tmp_path: Path) -> None:
    proc = processor(tmp_path)
    block = {"prefix": EMAIL, "content": "aG9ydGVuc2lh", "note": f"call 415-555-0199, {NAME}"}
    for i, value in enumerate(
        [change({"id": 1, "plan": "gold"}, message=block), change(None, op="t", message=block), change(None, "t")]
    ):
        outcome = proc.process(record(TOPIC, value, key={"id": 1}, offset=i))
        assert isinstance(outcome, Published), type(outcome).__name__
        assert_no_raw([EMAIL, NAME, "415-555-0199", "aG9ydGVuc2lh"], *record_blobs(outcome.records[0]))
        payload = doc(outcome.records[0].value)
        message = payload.get("message")
        assert message is None or set(message) <= {"prefix", "content"}
    # a message that is no struct: dead-lettered by the decoder, or published without it
    text = proc.process(record(TOPIC, change({"id": 2, "plan": "gold"}, message=EMAIL), key={"id": 2}, offset=9))
    if isinstance(text, Published):
        assert doc(text.records[0].value).get("message") is None
    else:
        assert isinstance(text, DeadLetter) and EMAIL not in text.message


def test_a_key_is_written_from_what_was_read_never_from_its_bytes(tmp_path: Path) -> None:
    proc = processor(tmp_path)
    smuggled = b'{"schema":null,"payload":{"id":"' + EMAIL.encode() + b'"},"payload":null}'
    outcome = proc.process(
        record(TOPIC, change({"id": 1, "plan": "gold"}), key=smuggled, headers=(("__debezium.oldkey", smuggled),))
    )
    assert isinstance(outcome, Published), type(outcome).__name__
    out = outcome.records[0]
    assert out.key == b'{"schema":null,"payload":null}'
    assert_no_raw([EMAIL], *record_blobs(out))


def _zoned(value: str) -> dict[str, Any]:
    fields = [
        {"type": "int64", "field": "id"},
        {"type": "string", "optional": True, "field": "created_at", "name": "io.debezium.time.ZonedTimestamp"},
    ]
    row = {"type": "struct", "optional": True, "field": "after", "name": "pg.public.accounts.Value", "fields": fields}
    schema = {
        "type": "struct",
        "name": "pg.public.accounts.Envelope",
        "fields": [row, {"type": "string", "field": "op"}],
    }
    return {"schema": schema, "payload": {"op": "c", "after": {"id": 1, "created_at": value}}}


def test_a_logical_string_not_shaped_as_its_type_is_dead_lettered(tmp_path: Path) -> None:
    proc = processor(tmp_path)
    ok = proc.process(record(TOPIC, _zoned("2024-01-01T10:00:00.123Z"), key={"id": 1}))
    assert isinstance(ok, Published), type(ok).__name__
    bad = proc.process(record(TOPIC, _zoned("2024-01-01T4111111111111111Z"), key={"id": 1}, offset=1))
    assert isinstance(bad, DeadLetter) and bad.reason == "type_mismatch", type(bad).__name__
    assert "4111111111111111" not in bad.message


# -- identifiers (a second review) --------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["robert_brown_notes", "customer_john_smith", "Margaret_Thompson_2020", "JohnQSmith", "notes_bob_jones"],
)
def test_a_listed_name_among_other_words_is_personal(name: str) -> None:
    assert looks_personal(name) and not is_plain(name), "a person's name among other words passed as plain"
    assert not is_plain_topic(f"shop.public.{name}")


@pytest.mark.parametrize("value", ["mary_johnson", "Robert-Brown", "MariaGonzalez", '{"JohnSmith": 1}'])
def test_a_listed_name_written_as_an_identifier_breaks_the_guard(value: str) -> None:
    assert guard.holds(value, SCANNER) == "PERSON"


@pytest.mark.parametrize("value", ["gold_plus", "order_items", "JSONData", "HTTPRequestId", '{"tier": "gold"}'])
def test_identifiers_of_plain_words_pass_the_guard(value: str) -> None:
    assert guard.holds(value, SCANNER) is None, value


def test_name_parts_apart_in_a_document_are_read_together() -> None:
    for document in (["Margaret", None, "Thompson"], [["Margaret"], ["Thompson"]], [{"a": "Margaret"}, "Thompson"]):
        assert guard.holds(document, SCANNER) == "PERSON"


def test_a_time_of_day_column_released_for_its_type_breaks_on_no_time_of_day() -> None:
    prof = _profile("io.debezium.time.Time", "int32")
    assert guard.check(prof, 32_400_000, SCANNER) is None  # 09:00
    assert guard.check(prof, 536_228_741, SCANNER) == guard.SHAPE  # 149 hours: something else
    micro = _profile("io.debezium.time.MicroTime")
    assert guard.check(micro, 32_400_000_000, SCANNER) is None


def test_schema_metadata_holding_a_name_as_an_identifier_is_dropped() -> None:
    clean = outschema.cleaner(SCANNER)
    field = {
        "type": "string",
        "optional": True,
        "field": "d",
        "name": "com.JohnSmith.Addr",
        "default": "mary_johnson",
        "parameters": {"__debezium.source.column.type": "JohnSmith"},
    }
    out = outschema.structural(field, clean, released=True)
    assert "name" not in out and "default" not in out and "parameters" not in out, sorted(out)
    kept = outschema.structural(
        {**field, "name": "io.debezium.time.ZonedTimestamp", "default": "gold"}, clean, released=True
    )
    assert kept["name"] == "io.debezium.time.ZonedTimestamp" and kept["default"] == "gold"


# -- a third review: Avro and identifier shapes --------------------------------------------


@pytest.mark.parametrize("name", ["smith_john_notes", "brown_robert_notes", "johnson_mary_2020", "Johnsmith"])
def test_a_listed_name_surname_first_or_capitalised_run_together_is_personal(name: str) -> None:
    assert looks_personal(name), "a person's name passed as plain"


@pytest.mark.parametrize("value", ["Smith-John", "smith.john", "Jo\u200bhn_Smith", "j\u043ehn_smith"])
def test_a_name_value_surname_first_or_disguised_breaks_the_guard(value: str) -> None:
    assert guard.holds(value, SCANNER) == "PERSON"


@pytest.mark.parametrize("name", ["Theodora", "Ingeborg", "Mercedes-Benz", "Land-Rover"])
def test_one_first_name_or_a_brand_is_no_person_as_an_identifier(name: str) -> None:
    assert guard.holds(name, SCANNER) is None, name


def test_an_avro_fixed_decimal_is_read_as_the_number_it_holds() -> None:
    from pipeline.formats.avro import connect

    fixed = {"type": "fixed", "name": "F", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 0}
    schema, _ = connect.reader_for({"type": "record", "name": "r", "fields": [{"name": "d", "type": fixed}]})
    field = schema["fields"][0]
    assert field["name"] == "org.apache.kafka.connect.data.Decimal" and field["parameters"]["scale"] == "0"


def test_debeziums_own_field_names_stay_in_the_schema() -> None:
    # ts_us reads 0.6 as a person's name with its underscore as a space: a struct name's
    # bar, not a field's (dropping it broke every Avro record of a PostgreSQL source)
    clean = outschema.cleaner(SCANNER)
    names = ["version", "connector", "name", "ts_ms", "snapshot", "db", "sequence", "ts_us", "ts_ns"]
    names += ["schema", "table", "txId", "lsn", "xmin", "id", "total_order", "data_collection_order"]
    source = {"type": "struct", "field": "source", "fields": [{"type": "string", "field": n} for n in names]}
    assert [f["field"] for f in outschema.structural(source, clean)["fields"]] == names


# -- schema claims: what a producer's schema says of a column ------------------------------


def test_a_logical_name_on_a_base_type_no_connector_writes_it_on_is_no_logical_type() -> None:
    from detectors.logical_types import logical_name

    assert logical_name({"type": "string", "name": "io.debezium.data.Uuid"}) == "io.debezium.data.Uuid"
    assert logical_name({"type": "int64", "name": "io.debezium.data.Uuid"}) == ""
    assert logical_name({"type": "string", "name": "io.debezium.time.Date"}) == ""
    prof = Profiler(DetectionSettings(), SCANNER).profile(
        "public.t", "ref", {"type": "int64", "name": "io.debezium.data.Enum"}
    )
    assert prof.type_hint != "type" and prof.logical == ""  # judged on its values, not released at once


def test_bytes_are_opaque_unless_bits_whose_values_the_guard_reads_as_text() -> None:
    profiler = Profiler(DetectionSettings(), SCANNER)
    blob = profiler.profile("public.t", "blob", {"type": "bytes", "name": "io.debezium.data.Enum"})
    assert blob.type_hint == "opaque"  # a name that is not bytes' own releases nothing
    bits = profiler.profile("public.t", "flags", {"type": "bytes", "name": "io.debezium.data.Bits"})
    assert bits.type_hint == "type"
    import base64

    assert guard.check(bits, base64.b64encode(b"\x05\x00").decode(), SCANNER) is None
    assert guard.check(bits, base64.b64encode("Margaret Thompson".encode("utf-16-le")).decode(), SCANNER) == "PERSON"


def test_an_enum_value_outside_its_symbols_breaks_the_guard() -> None:
    field = {"type": "string", "name": "io.debezium.data.Enum", "parameters": {"allowed": "gold,silver"}}
    prof = Profiler(DetectionSettings(), SCANNER).profile("public.t", "tier", field)
    assert guard.check(prof, "gold", SCANNER) is None
    assert guard.check(prof, "2127203318", SCANNER) is not None


def test_a_change_of_a_decimals_scale_makes_a_new_profile() -> None:
    from detectors.profiler import type_key

    def decimal(scale: int) -> dict[str, Any]:
        return {"type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "parameters": {"scale": str(scale)}}

    assert type_key(decimal(2)) != type_key(decimal(0))


@pytest.mark.parametrize(
    ("raw", "entity"),
    [
        ("Margaret Thompson".encode("utf-16-le"), "PERSON"),
        ("Margaret Thompson".encode("utf-16-be"), "PERSON"),
        (EMAIL.encode("cp037"), "EMAIL_ADDRESS"),
        (b"4111111111111111".decode().encode("cp037"), "CREDIT_CARD"),
        (EMAIL.encode().ljust(32, b"\x00"), "EMAIL_ADDRESS"),
        ("Margaret Thompson".encode("utf-16"), "PERSON"),
    ],
    ids=["utf-16-le", "utf-16-be", "ebcdic", "ebcdic-digits", "nul-padded", "utf-16-bom"],
)
def test_bytes_are_read_as_the_text_or_number_they_hold(raw: bytes, entity: str) -> None:
    assert guard.bytes_entity(raw, SCANNER) == entity


def test_bytes_of_no_text_hold_nothing() -> None:
    """Random 8-byte values read as integers were valid card numbers one time in forty:
    bytes are read as text only."""
    assert guard.bytes_entity(bytes(range(0, 256, 7)), SCANNER) is None
    assert guard.bytes_entity(b"\x00\x01", SCANNER) is None
    assert guard.bytes_entity((4111111111111111).to_bytes(8, "big"), SCANNER) is None  # known limit


def test_a_temporal_default_is_kept_only_as_a_time_of_records() -> None:
    ts = {"type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "field": "ts_ms", "optional": True}
    micros = {**ts, "name": "io.debezium.time.MicroTimestamp"}
    clean = outschema.cleaner(SCANNER)
    assert (
        outschema.structural({**ts, "default": 1_700_000_000_000}, clean, released=True)["default"] == 1_700_000_000_000
    )
    for field, card in ((ts, 5555555555554444), (micros, 4111111111111111)):
        assert "default" not in outschema.structural({**field, "default": card}, clean, released=True)


def test_an_interval_in_text_is_shaped_as_iso_8601() -> None:
    shape = guard.LOGICAL_SHAPES["io.debezium.time.Interval"]
    assert shape.match("P1Y2M3DT4H5M6.78S") and shape.match("-P1D") and shape.match("PT0S")
    assert not shape.match("Kenji Okafor") and not shape.match("P4111111111111111Y")


# -- keys ---------------------------------------------------------------------------------


def test_a_key_column_named_with_personal_data_goes_out_under_its_safe_form(tmp_path: Path) -> None:
    """A key cannot drop a column (its records would merge): the value is hashed and the
    name digested, in the key, its schema and the old-key header alike."""
    proc = processor(tmp_path)
    key_schema = {
        "type": "struct",
        "fields": [{"type": "int32", "field": "id"}, {"type": "int32", "field": EMAIL}],
    }
    outcome = proc.process(
        record(
            TOPIC,
            change({"id": 1, "plan": "gold"}, op="u"),
            key={"schema": key_schema, "payload": {"id": 1, EMAIL: 7}},
            headers=[("__debezium.oldkey", b'{"id": 1, "' + EMAIL.encode() + b'": 7}')],
        )
    )
    assert isinstance(outcome, Published), type(outcome).__name__
    out = outcome.records[0]
    assert_no_raw([EMAIL], *record_blobs(out))
    key = doc(out.key)
    names = [f["field"] for f in key["schema"]["fields"]]
    assert names[0] == "id" and names[1].startswith("col_") and list(key["payload"]) == names


def test_an_email_made_an_identifier_is_personal() -> None:
    assert looks_personal("amara_haddad25_example_com") and looks_personal("j_roe_mail_net")
    assert not looks_personal("customer_id") and not looks_personal("site_com")


@pytest.mark.parametrize("value", ["José García", "Hans Müller", "María González"])
def test_a_listed_name_with_its_accents_breaks_the_guard(value: str) -> None:
    assert guard.is_person_value(value), "an accented listed name passed"


@pytest.mark.parametrize(
    "value",
    ["Customer: Mary Johnson", "Mary Johnson (VIP)", "Sales - Linda Davis", "Manager Mary Johnson approved it."],
)
def test_a_listed_name_with_a_label_around_it_breaks_the_guard(value: str) -> None:
    assert guard.is_person_value(value), "a labelled name passed"


@pytest.mark.parametrize(
    "value", ["Virginia Beach", "Kelly Green", "Martin Luther King Blvd", "Jack Daniels Whiskey", "Gold Plus"]
)
def test_a_place_or_a_brand_named_after_people_alone_is_no_labelled_name(value: str) -> None:
    from detectors.identifiers import holds_labelled_name

    assert not holds_labelled_name(value)


def test_places_named_after_people_stay_places_in_a_place_column() -> None:
    """A city column released as a quasi-identifier: 'Benito Juárez' and 'Santa Mónica'
    are places. The accent-folded and labelled readings are not applied there."""
    from detectors.profiler import QUASI, Verdict

    prof = Profiler(DetectionSettings(), SCANNER).profile("public.t", "city", {"type": "string"})
    prof.verdict = Verdict(QUASI, "city", 1.0, 200, ())
    for place in ("Benito Juárez", "Santa Mónica", "Nicolás Romero"):
        assert guard.check(prof, place, SCANNER) is None, "a place read as a person"
    assert guard.check(prof, "4155550123", SCANNER) is not None  # nine digits or more: no city


@pytest.mark.parametrize("value", ["Store: Virginia Beach", "Brand: Calvin Klein", "Team: Kelly Green"])
def test_a_labelled_thing_named_after_people_is_no_labelled_name(value: str) -> None:
    from detectors.identifiers import holds_labelled_name

    assert not holds_labelled_name(value)


@pytest.mark.parametrize("value", ["12.03.85", "13-Oct-1989", "July 28, 1956", "1985-03-12", "3/12/85"])
def test_a_date_is_no_new_category(value: str) -> None:
    prof = Profiler(DetectionSettings(), SCANNER).profile("public.t", "tier", {"type": "string"})
    prof.release = "categorical"
    assert guard.check(prof, value, SCANNER) is not None, "a date passed as a category"


@pytest.mark.parametrize("column", ["birth_year", "age", "city", "zip_code", "occupation"])
@pytest.mark.parametrize("value", ["1985-03-12", "12/03/1985", "March 12, 1985", "13-Oct-1989"])
def test_a_whole_date_breaks_a_quasi_identifiers_release(column: str, value: str) -> None:
    """A birth year or an age released as a quasi-identifier that starts to hold whole
    dates holds dates of birth: withheld at the first one, not at the profiler's next
    sample."""
    from detectors.profiler import QUASI, Verdict
    from detectors.vocabulary import quasi_identifier

    prof = Profiler(DetectionSettings(), SCANNER).profile("public.t", column, {"type": "string"})
    prof.verdict = Verdict(QUASI, quasi_identifier(column), 1.0, 200, ())
    assert guard.check(prof, value, SCANNER) is not None, "a whole date passed a quasi-identifier's guard"


@pytest.mark.parametrize(("column", "value"), [("birth_year", "1985"), ("age", "34"), ("zip_code", "1000-001")])
def test_a_quasi_identifiers_own_values_are_no_dates(column: str, value: str) -> None:
    from detectors.profiler import QUASI, Verdict
    from detectors.vocabulary import quasi_identifier

    prof = Profiler(DetectionSettings(), SCANNER).profile("public.t", column, {"type": "string"})
    prof.verdict = Verdict(QUASI, quasi_identifier(column), 1.0, 200, ())
    assert guard.check(prof, value, SCANNER) is None, "a quasi-identifier's own value was withheld"


@pytest.mark.parametrize("value", ["1.2.33", "Zone 3", "Gold Plus", "v2"])
def test_versions_and_categories_are_no_dates(value: str) -> None:
    from detectors.recognizers.temporal import is_date

    assert not is_date(value)


@pytest.mark.parametrize("value", ["Chidi Okonkwo", "Kenji Okafor", "Margaret Thompson"])
def test_a_free_text_value_that_is_a_name_alone_is_redacted(value: str) -> None:
    assert [(f.entity, f.start, f.end) for f in SCANNER.find_in_free_text(value)] == [("PERSON", 0, len(value))]


@pytest.mark.parametrize("value", ["Gold Plus", "Next Day Delivery", "Order shipped"])
def test_a_free_text_value_of_english_words_is_no_name(value: str) -> None:
    assert SCANNER.find_in_free_text(value) == []


def test_letters_unicode_does_not_decompose_are_folded_too() -> None:
    assert guard._unaccented("Søren Łukasz Æsir Straße") == "Soren Lukasz Aesir Strasse"
