"""Shape classification never fails open (issue 9, item 3).

A value on a declared table is an envelope whenever it carries envelope markers (with
any extra keys, with or without a schema, whatever the schema's name), a row only when
it has none (or only ones the declaration lists as columns), and dead-lettered with a
reason when it is neither. Every record is published, dead-lettered or skipped and
counted; a table declared ``flattened`` never loses a row that looks like a marker.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.change import Kind
from pipeline.core.events import DeadLetter, Skipped
from pipeline.errors import DecodeError
from pipeline.formats.json import debezium
from pipeline.formats.json.debezium import SHAPE_REASONS, classify, decode_doc
from pipeline.runtime.filemode import process_file
from pipeline.runtime.metrics import Metrics
from tests.support import assert_no_raw, digest, doc, make_processor, record, record_blobs

TOPIC = "pg.public.people"
PLANTED = "planted.person@example.org"
EXTRA_COLUMNS = {
    "": "",
    "op": "  op: {pii: none}\n",
    "status": "  status: {pii: none}\n",
    "ddl": "  ddl: {pii: none}\n",
    "ts_ms": "  ts_ms: {pii: none}\n",
    "after": "  after: {pii: none}\n",
    "no id": "",
}


ID_COLUMN = "  id: {pii: none}\n"


def declaration(fmt: str = "auto", extra: str = "") -> str:
    # undeclared: pass is the worst case: a value taken for an undeclared column goes out
    # as it came, so only the right shape keeps the declared hash on email.
    return (
        f"table: public.people\nsource_topic: {TOPIC}\ncdr_topic: cdr.people\nowner: t\n"
        f"undeclared: pass\nformat: {fmt}\ncolumns:\n{'' if extra == 'no id' else ID_COLUMN}"
        f"  email: {{pii: EMAIL_ADDRESS, treatment: hash}}\n{EXTRA_COLUMNS[extra]}"
    )


@pytest.fixture
def people(tmp_path: Path):
    """A processor per (format, extra column), built once per test."""
    built: dict[tuple[str, str], Any] = {}

    def get(fmt: str = "auto", extra: str = ""):
        if (fmt, extra) not in built:
            built[fmt, extra] = make_processor(tmp_path / f"{fmt}-{extra}", {"p.yaml": declaration(fmt, extra)})
        return built[fmt, extra]

    return get


ROW = {"id": 1, "email": PLANTED}
SOURCE = {"connector": "postgresql", "ts_ms": 1700000000000}


def env(**fields: Any) -> dict[str, Any]:
    return {"before": None, "after": ROW, "source": SOURCE, "op": "c", "ts_ms": 1700000000001, **fields}


def without(value: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in value.items() if k not in keys}


ROW_SCHEMA = {
    "type": "struct",
    "optional": True,
    "name": "pg.public.people.Value",
    "fields": [
        {"type": "int32", "optional": False, "field": "id"},
        {"type": "string", "optional": True, "field": "email"},
    ],
}
SOURCE_SCHEMA = {
    "type": "struct",
    "optional": False,
    "name": "io.debezium.connector.postgresql.Source",
    "fields": [{"type": "string", "optional": False, "field": "connector"}, {"type": "int64", "field": "ts_ms"}],
}


def envelope_schema(name: str | None, extra_fields: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "struct",
        "optional": False,
        "fields": [
            {**ROW_SCHEMA, "field": "before"},
            {**ROW_SCHEMA, "field": "after"},
            {**SOURCE_SCHEMA, "field": "source"},
            {"type": "string", "optional": False, "field": "op"},
            {"type": "int64", "optional": True, "field": "ts_ms"},
            *extra_fields,
        ],
    }
    if name is not None:
        schema["name"] = name
    return schema


SMT_FIELD = {"type": "string", "optional": True, "field": "__smt_added"}

# (case id, format, declared extra column, value, expected: a Kind or a dead-letter reason)
CASES: list[tuple[str, str, str, Any, Kind | str]] = [
    # -- the three leaks of the issue: the declared hash must apply (or nothing goes out)
    ("leak: schemaless, no op", "auto", "", without(env(), "op"), "envelope_without_op"),
    ("leak: schemaless, no op, before only", "auto", "", {"before": ROW, "source": SOURCE}, "envelope_without_op"),
    ("leak: one extra top-level key", "auto", "", env(__smt_added="x"), Kind.CHANGE),
    ("leak: extra key holding data", "auto", "", env(kafka_meta={"who": PLANTED}), Kind.CHANGE),
    ("leak: newer connector field", "auto", "", env(ts_ps=5, origin={"a": 1}), Kind.CHANGE),
    (
        "leak: schema named .Value",
        "auto",
        "",
        {"schema": envelope_schema("pg.public.people.Value"), "payload": env()},
        Kind.CHANGE,
    ),
    ("leak: schema without a name", "auto", "", {"schema": envelope_schema(None), "payload": env()}, Kind.CHANGE),
    (
        "leak: schema renamed, extra field",
        "auto",
        "",
        {"schema": envelope_schema("custom.Renamed", (SMT_FIELD,)), "payload": env(__smt_added="x")},
        Kind.CHANGE,
    ),
    # -- envelopes
    ("schemaless envelope", "auto", "", env(), Kind.CHANGE),
    ("envelope, no before key", "auto", "", without(env(), "before"), Kind.CHANGE),
    ("delete", "auto", "", env(op="d", before=ROW, after=None), Kind.CHANGE),
    ("truncate", "auto", "", {"op": "t", "source": SOURCE, "ts_ms": 1}, Kind.TRUNCATE),
    ("truncate with extra key", "auto", "", {"op": "t", "source": SOURCE, "__x": 1}, Kind.TRUNCATE),
    ("message", "auto", "", {"op": "m", "source": SOURCE, "message": {"prefix": "p", "content": "eA=="}}, Kind.MESSAGE),
    ("envelope, op declared as column", "auto", "op", env(), Kind.CHANGE),
    (
        "named .Envelope schema",
        "auto",
        "",
        {"schema": envelope_schema("a.b.c.Envelope"), "payload": env()},
        Kind.CHANGE,
    ),
    # -- ambiguous or broken envelopes
    ("unknown op", "auto", "", env(op="x"), "unknown_op"),
    ("op not text", "auto", "", env(op=1), "envelope_without_op"),
    ("op null", "auto", "", env(op=None), "envelope_without_op"),
    (
        "named .Envelope, no op",
        "auto",
        "",
        {"schema": envelope_schema("a.Envelope"), "payload": without(env(), "op")},
        "envelope_without_op",
    ),
    ("envelope plus a declared column", "auto", "", env(email=PLANTED), "ambiguous_shape"),
    ("source not an object", "auto", "", env(source="text", after={"id": 1}), "schema_mismatch"),
    ("transaction not an object", "auto", "", env(transaction="text"), "schema_mismatch"),
    ("after not an object", "auto", "", env(after=PLANTED), "schema_mismatch"),
    ("c with neither side", "auto", "", env(after=None), "schema_mismatch"),
    ("row with an op column", "auto", "", {"id": 1, "email": PLANTED, "op": "c"}, "ambiguous_shape"),
    ("row with a ts_ms column", "auto", "", {"id": 1, "email": PLANTED, "ts_ms": 5}, "ambiguous_shape"),
    ("row with a source object", "auto", "", {"id": 1, "email": PLANTED, "source": {"a": 1}}, "ambiguous_shape"),
    ("lone ts_ms off the heartbeat topic", "auto", "", {"ts_ms": 5}, "ambiguous_shape"),
    ("op and ts only", "auto", "", {"op": "c", "ts_ms": 5}, "ambiguous_shape"),
    ("row with an after object", "auto", "", {"id": 1, "after": {"email": PLANTED}}, "envelope_without_op"),
    # -- rows
    ("plain row", "auto", "", ROW, Kind.ROW),
    ("row with its schema", "auto", "", {"schema": ROW_SCHEMA, "payload": ROW}, Kind.ROW),
    ("row, op column declared", "auto", "op", {**ROW, "op": "c"}, Kind.ROW),
    ("row, ts_ms column declared", "auto", "ts_ms", {**ROW, "ts_ms": 5}, Kind.ROW),
    ("row, after column declared", "auto", "after", {**ROW, "after": {"x": 1}}, Kind.ROW),
    ("row, source as text is a column", "auto", "", {**ROW, "source": "web", "message": "hi"}, Kind.ROW),
    ("row, before as text is a column", "auto", "", {**ROW, "before": "x", "after": "y"}, Kind.ROW),
    ("row, ExtractNewRecordState fields", "auto", "", {**ROW, "__op": "c", "__source_ts_ms": "1"}, Kind.ROW),
    # -- markers by shape (schemaless): skipped, unless the table declares their keys
    ("transaction marker", "auto", "no id", {"status": "BEGIN", "id": "7", "ts_ms": 1}, Kind.TRANSACTION),
    ("status/id row, declared", "auto", "status", {"status": "END", "id": 3, "email": PLANTED}, Kind.ROW),
    ("status/id row, id declared", "auto", "", {"status": "BEGIN", "id": 3}, Kind.ROW),
    ("status/id/ts_ms row, id declared", "auto", "", {"status": "BEGIN", "id": 3, "ts_ms": 1}, "ambiguous_shape"),
    ("schema change", "auto", "", {"ddl": "CREATE", "databaseName": "d", "source": SOURCE}, Kind.SCHEMA_CHANGE),
    ("ddl row, declared", "auto", "ddl", {"ddl": "x", "databaseName": "d", "email": PLANTED}, Kind.ROW),
    # -- format: flattened: rows only; only a schema name makes a marker
    ("flattened: row", "flattened", "", ROW, Kind.ROW),
    ("flattened: transaction-shaped row", "flattened", "", {"status": "BEGIN", "id": "7", "ts_ms": 1}, Kind.ROW),
    ("flattened: ddl-shaped row", "flattened", "", {"ddl": "x", "databaseName": "d", "email": PLANTED}, Kind.ROW),
    ("flattened: op column", "flattened", "", {**ROW, "op": "c"}, Kind.ROW),
    ("flattened: op column, source text", "flattened", "", {**ROW, "op": "c", "source": "web"}, Kind.ROW),
    ("flattened: declared after object", "flattened", "after", {**ROW, "after": {"x": 1}}, Kind.ROW),
    ("flattened: envelope", "flattened", "", env(), "not_a_row"),
    ("flattened: envelope without op", "flattened", "", without(env(), "op"), "not_a_row"),
    ("flattened: after object", "flattened", "", {"id": 1, "after": {"email": PLANTED}}, "not_a_row"),
    (
        "flattened: named envelope",
        "flattened",
        "",
        {"schema": envelope_schema("a.Envelope"), "payload": env()},
        "not_a_row",
    ),
    (
        "flattened: named transaction marker",
        "flattened",
        "",
        {
            "schema": {
                "type": "struct",
                "name": "io.debezium.connector.common.TransactionMetadataValue",
                "fields": [{"type": "string", "field": "status"}, {"type": "string", "field": "id"}],
            },
            "payload": {"status": "BEGIN", "id": "7"},
        },
        Kind.TRANSACTION,
    ),
    # -- format: envelope: envelopes only
    ("envelope: envelope", "envelope", "", env(), Kind.CHANGE),
    ("envelope: extra key", "envelope", "", env(__smt_added="x"), Kind.CHANGE),
    ("envelope: row", "envelope", "", ROW, "not_an_envelope"),
    ("envelope: row with a declared op", "envelope", "op", {**ROW, "op": "c"}, "not_an_envelope"),
    ("envelope: no op", "envelope", "", without(env(), "op"), "envelope_without_op"),
    ("envelope: partial markers", "envelope", "", {"id": 1, "ts_ms": 5}, "not_an_envelope"),
    ("envelope: transaction marker", "envelope", "no id", {"status": "BEGIN", "id": "7"}, Kind.TRANSACTION),
    ("envelope: transaction marker, id declared", "envelope", "", {"status": "BEGIN", "id": "7"}, "not_an_envelope"),
    ("envelope: status/id row, declared", "envelope", "status", {"status": "BEGIN", "id": "7"}, "not_an_envelope"),
]


BY_ID = {c[0]: c[1:] for c in CASES}


def outcome_name(outcome: Any) -> str:
    """What a processor outcome was, in words that hold no value (for assertions)."""
    if isinstance(outcome, DeadLetter):
        return f"dead-letter {outcome.reason}"
    if isinstance(outcome, Skipped):
        return f"skipped {outcome.reason}"
    return "published"


def classified(raw: bytes, fmt: str, columns: set[str]) -> str:
    try:
        return classify(decode_doc(raw, "value"), TOPIC, fmt, columns).value
    except DecodeError as exc:
        return exc.reason


# Parametrised by case id only: a failure report names the case, never prints its value.
@pytest.mark.parametrize("case", list(BY_ID))
def test_shape(people, case: str) -> None:
    fmt, extra, value, expected = BY_ID[case]
    raw = json.dumps(value, separators=(",", ":")).encode()
    columns = {"email", *([] if extra == "no id" else ["id"]), *([extra] if extra and extra != "no id" else [])}
    assert classified(raw, fmt, columns) == str(expected)
    outcome = people(fmt, extra).process(record(TOPIC, raw))
    if not isinstance(expected, Kind):
        assert outcome_name(outcome) == f"dead-letter {expected}"
        assert expected in SHAPE_REASONS
        assert isinstance(outcome, DeadLetter)
        assert PLANTED not in outcome.message, "planted e-mail in a dead-letter message"
        assert "email" not in outcome.message, "a column name in a dead-letter message"
    elif expected in (Kind.TRANSACTION, Kind.SCHEMA_CHANGE, Kind.HEARTBEAT):
        assert outcome_name(outcome) == f"skipped {expected.value}"
    else:
        assert outcome_name(outcome) == "published"
        assert_no_raw([PLANTED], *record_blobs(outcome.records[0]))


def published_payload(outcome: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    assert outcome_name(outcome) == "published"
    out = doc(outcome.records[0].value)
    if isinstance(out, dict) and set(out) == {"schema", "payload"}:
        return out["payload"], out["schema"]
    return out, None


@pytest.mark.parametrize(
    "value",
    [
        env(__smt_added="x"),
        {"schema": envelope_schema("pg.public.people.Value"), "payload": env()},
        {"schema": envelope_schema(None), "payload": env()},
        {"schema": envelope_schema("custom.Renamed", (SMT_FIELD,)), "payload": env(__smt_added="x")},
    ],
    ids=["extra key", "schema .Value", "schema unnamed", "schema renamed + SMT field"],
)
def test_leak_cases_get_the_declared_hash(people, value: Any) -> None:
    payload, schema = published_payload(people().process(record(TOPIC, value)))
    assert payload["after"]["email"] == digest(PLANTED), "declared hash not applied to email"
    assert payload["op"] == "c"
    assert "__smt_added" not in payload
    if schema is not None:
        names = [f["field"] for f in schema["fields"]]
        assert names == ["before", "after", "source", "op", "ts_ms"]  # the SMT's field is gone too
        after = next(f for f in schema["fields"] if f["field"] == "after")
        email = next(f for f in after["fields"] if f["field"] == "email")
        assert email["parameters"]["cdr.treatment"] == "hash"


def test_unknown_top_level_keys_of_an_envelope_are_dropped(people) -> None:
    value = env(kafka_meta={"who": PLANTED}, note=PLANTED, ts_ps=5)
    payload, _ = published_payload(people().process(record(TOPIC, value)))
    assert list(payload) == ["before", "after", "source", "op", "ts_ms"]


def test_an_envelope_timestamp_that_is_not_a_number_is_nulled(people) -> None:
    # a quoted number stays (Debezium's own examples quote them); digits with a leading
    # zero are no number ('078051120' is an SSN)
    value = env(ts_ms=PLANTED, ts_us="078051120", ts_ns=17)
    outcome = people().process(record(TOPIC, value))
    payload, _ = published_payload(outcome)
    assert payload["ts_ms"] is None and payload["ts_us"] is None and payload["ts_ns"] == 17
    assert_no_raw(["078051120"], *record_blobs(outcome.records[0]))
    quoted = published_payload(people().process(record(TOPIC, env(ts_us="1700000000000001"))))[0]
    assert quoted["ts_us"] == "1700000000000001"
    assert_no_raw([PLANTED], *record_blobs(outcome.records[0]))


def test_null_payload_under_an_unnamed_envelope_schema_keeps_the_envelope_schema(people) -> None:
    value = {"schema": envelope_schema("custom.Renamed"), "payload": None}
    outcome = people().process(record(TOPIC, value))
    payload, schema = published_payload(outcome)
    assert payload is None and schema is not None
    after = next(f for f in schema["fields"] if f["field"] == "after")
    assert after["type"] == "struct"  # not treated as an undeclared column of a row


# -- every shape, every format: never a raw value out, never a table row skipped ---------

SIDE = (None, "absent", ROW)
OPS = ("absent", "c", "t", "x", 1)
SOURCES = ("absent", SOURCE, "text")
TOP_EMAIL = ("absent", PLANTED)
EXTRA = ("absent", 7)
IDS = ("absent", 1)


def sweep() -> list[dict[str, Any]]:
    values = []
    product = itertools.product(IDS, SIDE, SIDE, OPS, SOURCES, TOP_EMAIL, EXTRA)
    for ident, before, after, op, source, email, extra in product:
        value: dict[str, Any] = {}
        pairs = (("id", ident), ("before", before), ("after", after), ("op", op), ("source", source), ("email", email))
        for key, v in pairs:
            if not (isinstance(v, str) and v == "absent"):
                value[key] = v
        if extra != "absent":
            value["__extra"] = extra
        values.append(value)
    return values


@pytest.mark.parametrize("fmt", ["auto", "flattened", "envelope"])
@pytest.mark.parametrize("extra", ["", "op"])
def test_no_shape_publishes_a_raw_declared_value(people, fmt: str, extra: str) -> None:
    proc = people(fmt, extra)
    counts = {"published": 0, "dead": 0}
    for i, value in enumerate(sweep()):
        outcome = proc.process(record(TOPIC, value, offset=i))
        assert not isinstance(outcome, Skipped), f"case #{i} skipped: a row lost"
        if isinstance(outcome, DeadLetter):
            counts["dead"] += 1
            assert PLANTED not in outcome.message, f"case #{i}: planted value in a dead-letter message"
            continue
        counts["published"] += 1
        for blob in record_blobs(outcome.records[0]):
            assert blob is None or PLANTED.encode() not in blob, f"case #{i}: planted e-mail published raw"
    assert counts["published"] and counts["dead"]  # both ways are exercised


SWEEP_SCHEMAS = {
    "named envelope": envelope_schema("pg.public.people.Envelope"),
    "unnamed envelope": envelope_schema(None),
    "row": ROW_SCHEMA,
}


def test_a_remembered_classification_is_the_one_worked_out_afresh() -> None:
    """classify remembers its answer per schema, keys, field types, op, format and
    columns: across the sweep under three schemas, in every format and with every
    column set, the answer it remembered for earlier values is never the wrong one for
    a later value."""
    raws = [
        json.dumps({"schema": schema, "payload": value}, separators=(",", ":")).encode()
        for schema in SWEEP_SCHEMAS.values()
        for value in sweep()
    ]
    cases = [
        (fmt, {"email", *([] if extra == "no id" else ["id"]), *([extra] if extra and extra != "no id" else [])}, i)
        for fmt in ("auto", "flattened", "envelope")
        for extra in EXTRA_COLUMNS
        for i in range(len(raws))
    ]
    debezium._classified.clear()
    remembered = [classified(raws[i], fmt, columns) for fmt, columns, i in cases]  # one memo for all
    for (fmt, columns, i), answer in zip(cases, remembered, strict=True):
        debezium._classified.clear()
        assert answer == classified(raws[i], fmt, columns), f"{fmt} case #{i}: remembered answer differs"


# -- skipped records are counted -----------------------------------------------------------

MARKERS = [
    ("__debezium-heartbeat.pg", {"ts_ms": 1}, "heartbeat"),
    ("pg.transaction", {"status": "BEGIN", "id": "7", "ts_ms": 1, "event_count": None}, "transaction"),
    ("pg", {"ddl": "CREATE TABLE t", "databaseName": "d", "source": SOURCE, "ts_ms": 1}, "schema_change"),
]


def default_processor(tmp_path: Path):
    return make_processor(tmp_path / "d", {"p.yaml": declaration()}, default_topics=True)


def test_skipped_markers_are_counted_in_service_metrics(tmp_path: Path) -> None:
    proc = default_processor(tmp_path)
    metrics = Metrics()
    for topic, value, _reason in MARKERS:
        metrics.record_outcome(proc.process(record(topic, value)))
    for topic, _value, reason in MARKERS:
        got = metrics.registry.get_sample_value("cdr_records_skipped_total", {"topic": topic, "reason": reason})
        assert got == 1, reason


def test_file_mode_accounts_for_every_line(tmp_path: Path) -> None:
    proc = default_processor(tmp_path)
    lines = [{"topic": topic, "value": value} for topic, value, _ in MARKERS]
    lines += [
        {"topic": TOPIC, "value": env()},  # published
        {"topic": TOPIC, "value": without(env(), "op")},  # dead-lettered
        {"topic": TOPIC, "value": {"id": 1, "email": PLANTED, "op": "c"}},  # dead-lettered
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(line) + "\n" for line in lines))
    stats = process_file(proc, src, tmp_path / "out.jsonl", tmp_path / "dlq.jsonl")
    assert dict(stats.skipped) == {"heartbeat": 1, "transaction": 1, "schema_change": 1}
    assert stats.published == 1
    assert dict(stats.dead_reasons) == {"envelope_without_op": 1, "ambiguous_shape": 1}
    assert stats.lines == stats.published + stats.dead_lettered + stats.malformed + sum(stats.skipped.values())
    assert PLANTED not in (tmp_path / "out.jsonl").read_text(), "planted e-mail published raw"


def test_no_cache_keeps_a_hostile_records_key_names(tmp_path: Path) -> None:
    """Names are input: a schemaless row or envelope with megabytes of key names is
    treated, and nothing keyed by those names outlives the record (every resource a
    record can consume is bounded)."""
    from pipeline.core.transform import _PLAN_NAMES_MAX
    from pipeline.formats import documents

    proc = make_processor(tmp_path / "s", {"p.yaml": declaration()})
    long_name = "k" * (_PLAN_NAMES_MAX + 1)
    for i, value in enumerate([{"id": 1, "email": PLANTED, long_name: 1}, env(**{long_name: 1})]):
        outcome = proc.process(record(TOPIC, value, offset=i))
        assert outcome_name(outcome) == "published", f"case #{i}"
        assert_no_raw([PLANTED], *record_blobs(outcome.records[0]))
    table = proc.table_for(TOPIC)
    assert table is not None
    held = sum(long_name in columns for columns in table._schemaless_row._plans)
    assert held == 0, "a row's huge column names were kept in the plan cache"
    assert not hasattr(documents, "_envelopes"), "envelope fields are remembered by payload keys"
