"""Connector metadata (pipeline.core.metadata): what a ``source`` or ``transaction``
block lets out, and what it remembers to do so quickly."""

from __future__ import annotations

import pytest

from pipeline.core import metadata

SOURCE = {
    "version": "3.3.1.Final",
    "connector": "postgresql",
    "name": "shop",
    "ts_ms": 1732000000002,
    "snapshot": "false",
    "db": "payments",
    "schema": "public",
    "table": "customers",
    "txId": 24700,
    "lsn": 24000217,
    "sequence": '["24023928","24023928"]',
}


def test_a_block_of_connector_metadata_goes_out_as_it_came() -> None:
    for _ in range(2):  # the second time from what the first remembered
        assert metadata.block(dict(SOURCE)) == SOURCE


def test_a_value_not_shaped_like_its_field_is_masked_the_second_time_too() -> None:
    planted = {**SOURCE, "db": "ada.lovelace@example.org", "sequence": "call +1 415 555 0123"}
    for _ in range(2):
        out = metadata.block(planted)
        assert out["db"] != planted["db"] and set(out["db"]) == {"*"}
        assert out["sequence"] != planted["sequence"]
        assert out["table"] == "customers"


def test_what_a_block_remembers_is_bounded_and_holds_no_long_value() -> None:
    """Every record pays the block's check, so its verdicts are remembered; a value is as
    long as a record can be, so a long one (or one under a long name) is not."""
    long_value, long_name = "x" * 100_000, "n" * 100_000
    metadata.block({**SOURCE, "db": long_value, long_name: "shop"})
    assert all(len(name) <= metadata.MAX_VALUE_CHARS for name, _ in metadata._FITS)
    assert all(len(value) <= metadata.MAX_VALUE_CHARS for _, value in metadata._FITS)
    assert all(
        len(name) <= metadata.MAX_VALUE_CHARS and len(value) <= metadata.MAX_VALUE_CHARS
        for name, value, _ in metadata._PASSES
    )
    for i in range(max(metadata._FITS_MAX, metadata._PASSES_MAX) + 10):
        metadata.block({"db": f"db_{i}"})
    assert len(metadata._FITS) <= metadata._FITS_MAX
    assert len(metadata._PASSES) <= metadata._PASSES_MAX


def test_a_text_that_went_out_for_one_table_is_masked_for_a_table_whose_topic_names_it() -> None:
    """What a block remembers passing is remembered with the topic parts it was checked
    against: a default table whose topic is named after a person hides that name."""
    for _ in range(2):
        assert metadata.block({**SOURCE, "table": "harriet"})["table"] == "harriet"
        hidden = metadata.topic_parts("pg.public.harriet")
        assert set(metadata.block({**SOURCE, "table": "harriet"}, hidden)["table"]) == {"*"}


# Field names of the connectors' source and transaction blocks (PostgreSQL, MySQL,
# SQL Server, Oracle, Db2, MongoDB, Cassandra, Vitess, Spanner).
CONNECTOR_FIELDS = [
    "version",
    "connector",
    "name",
    "ts_ms",
    "ts_us",
    "ts_ns",
    "snapshot",
    "db",
    "sequence",
    "schema",
    "table",
    "txId",
    "lsn",
    "xmin",
    "server_id",
    "gtid",
    "file",
    "pos",
    "row",
    "thread",
    "query",
    "change_lsn",
    "commit_lsn",
    "event_serial_no",
    "scn",
    "commit_scn",
    "rs_id",
    "ssn",
    "redo_thread",
    "user_name",
    "row_id",
    "collection",
    "ord",
    "lsid",
    "txnNumber",
    "wallTime",
    "h",
    "tord",
    "stxnid",
    "rs",
    "keyspace",
    "shard",
    "vgtid",
    "cluster",
    "id",
    "total_order",
    "data_collection_order",
    "project_id",
    "instance_id",
    "database_id",
    "change_stream_name",
    "commit_timestamp",
    "record_sequence",
    "server_transaction_id",
    "low_watermark",
    "read_at_timestamp",
    "session_id",
]


def test_every_connector_field_name_goes_out() -> None:
    block = {n: "true" if n == "snapshot" else 1 for n in CONNECTOR_FIELDS}  # the one enum: text
    assert metadata.block(block) == block
    schema = {"type": "struct", "field": "source", "fields": [{"type": "int64", "field": n} for n in CONNECTOR_FIELDS]}
    assert metadata.block_schema(schema) == schema


def test_a_field_named_with_personal_data_or_holding_an_object_is_dropped_from_payload_and_schema() -> None:
    names = ("ada.lovelace@example.org", "ada_lovelace", "+1 415 555 0123", "n" * 300)
    planted = {**SOURCE, **dict.fromkeys(names, "x"), "contact": {"mobile": "x"}, "tags": ["x"]}
    for _ in range(2):  # the second time from what the first remembered
        assert metadata.block(planted) == SOURCE
    fields = [{"type": "string", "field": n} for n in (*SOURCE, *names)]
    fields += [{"type": "struct", "field": "contact", "fields": []}, {"type": "array", "field": "tags"}]
    kept = metadata.block_schema({"type": "struct", "field": "source", "fields": fields})
    assert [f["field"] for f in kept["fields"]] == list(SOURCE)


def test_what_the_name_check_remembers_is_bounded() -> None:
    metadata.block({**SOURCE, "n" * 100_000: 1})
    assert all(len(name) <= metadata.MAX_VALUE_CHARS for name in metadata._NAMES)
    for i in range(metadata._NAMES_MAX + 10):
        metadata.block({f"field_{i}": 1})
    assert len(metadata._NAMES) <= metadata._NAMES_MAX


def test_a_number_shaped_like_personal_data_is_nulled_outside_the_positions() -> None:
    planted = {**SOURCE, "owner_phone": 4155550123, "ratio": 0.5, "flag": True, "wallTime": 1732000000002}
    out = metadata.block(planted)
    assert out["owner_phone"] is None
    assert {k: v for k, v in out.items() if k != "owner_phone"} == {
        k: v for k, v in planted.items() if k != "owner_phone"
    }


# Positions as the connectors write them as text (PostgreSQL, MySQL, MariaDB, SQL Server,
# Oracle, Spanner), and words or formatted numbers under the same names.
REAL_POSITIONS = [
    ("sequence", '["24023119","24023128"]'),
    ("sequence", '[null,"24023128"]'),
    ("lsn", "24023128"),
    ("__txId", "571"),
    ("file", "mysql-bin.000003"),
    ("gtid", "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5"),
    ("gtid", "0-1-270"),
    ("id", "0e4d5dcd-a33b-11ea-80f1-02010a22a99e:10"),
    ("id", "571:53195832"),
    ("id", "0a001b00c3240000"),
    ("change_lsn", "00000027:00000758:0003"),
    ("commit_lsn", "00000000:0000150f:0000000000048fca"),
    ("file", "binlog.000012"),
    ("file", "mariadb-bin.000001"),
    ("rs_id", " 0x00000d.000049a5.0010 "),
    ("commit_timestamp", "2024-05-01T10:00:00.123456Z"),
]
NOT_POSITIONS = [
    ("__lsn", "219-09-9999"),
    ("__txId", "212-555-0147"),
    ("lsn", "(212) 555-0147"),
    ("sequence", "Ada_Lovelace"),
    ("gtid", "Ada.Lovelace"),
    ("file", "Ada.Lovelace"),
    ("id", "Ada"),
    ("__source_ts_ms", "Ada_Lovelace"),
    ("change_lsn", "Ada:Lovelace"),
    # hostile review: a position's notation held these
    ("commit_lsn", "2001:db8:85a3:1:2:8a2e:370:7334"),  # an IPv6 address: eight hex groups
    ("file", "DE89370400440532013000.1"),  # an IBAN, a phone number as a binlog file's name
    ("file", "415-555-0147.1"),
    ("file", "Ada_Lovelace.000003"),
]


@pytest.mark.parametrize(("name", "text"), REAL_POSITIONS)
def test_a_position_in_its_connectors_notation_fits(name: str, text: str) -> None:
    assert metadata.shaped(name, text)


@pytest.mark.parametrize(("name", "text"), NOT_POSITIONS)
def test_a_word_or_a_formatted_number_is_no_position(name: str, text: str) -> None:
    assert not metadata.shaped(name, text), f"{name} took a value that is no position"
    assert not metadata.header_shaped(name, text.encode())
