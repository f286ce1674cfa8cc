"""Connector metadata (pipeline.core.metadata): what a ``source`` or ``transaction``
block lets out, and what it remembers to do so quickly."""

from __future__ import annotations

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
    for i in range(metadata._FITS_MAX + 10):
        metadata.block({"db": f"db_{i}"})
    assert len(metadata._FITS) <= metadata._FITS_MAX
