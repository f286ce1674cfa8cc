"""Reading PostgreSQL dump text for the detection corpus (bench/corpus/sources/sqldump.py):
COPY blocks and INSERT statements come back as the values a database would hold."""

from __future__ import annotations

import pytest

from bench.corpus.sources.sqldump import DumpError, copy_blocks, create_columns, insert_rows, labelled_table, values

DUMP = "\n".join(
    [
        "SET standard_conforming_strings = on;",
        "CREATE TABLE public.things (",
        "    thing_id integer NOT NULL,",
        "    label character varying(40),",
        "    CONSTRAINT things_pkey PRIMARY KEY (thing_id)",
        ");",
        "COPY public.things (thing_id, label) FROM stdin;",
        "1\tfirst\\tline\\nsecond",
        "2\t\\N",
        "3\tback\\\\slash",
        "\\.",
        "COPY public.other (a) FROM stdin;",
        "x",
        "\\.",
        "INSERT INTO things VALUES (4, 'it''s, here');",
        "INSERT INTO things VALUES (5, NULL);",
        "INSERT INTO things VALUES (6, 'a\\nb');",
        "INSERT INTO things VALUES (7, E'a\\nb');",
    ]
)


def test_copy_blocks_unescape_and_keep_nulls() -> None:
    blocks = copy_blocks(DUMP, {"things"}, max_rows=10)
    assert list(blocks) == ["things"]
    names, rows = blocks["things"]
    assert names == ["thing_id", "label"]
    assert rows == [["1", "first\tline\nsecond"], ["2", None], ["3", "back\\slash"]]


def test_copy_blocks_stop_at_max_rows_and_reject_a_ragged_line() -> None:
    assert copy_blocks(DUMP, {"things"}, max_rows=1)["things"][1] == [["1", "first\tline\nsecond"]]
    with pytest.raises(DumpError, match="line 2: 2 fields for 1 columns"):
        copy_blocks("COPY t (a) FROM stdin;\nx\ty\n\\.", {"t"}, 10)
    with pytest.raises(DumpError, match="no end marker"):
        copy_blocks("COPY t (a) FROM stdin;\nx", {"t"}, 10)


def test_create_table_columns_keep_their_types_and_skip_constraints() -> None:
    assert create_columns(DUMP) == {"things": [("thing_id", "integer"), ("label", "character varying(40)")]}
    text = (
        "CREATE TABLE t (\n    a integer DEFAULT nextval('s'::regclass) NOT NULL,\n    b timestamp with time zone\n);"
    )
    assert create_columns(text) == {"t": [("a", "integer"), ("b", "timestamp with time zone")]}


def test_insert_values_read_as_standard_conforming_strings() -> None:
    rows = insert_rows(DUMP, {"things"}, max_rows=10)["things"]
    assert rows == [["4", "it's, here"], ["5", None], ["6", "a\\nb"], ["7", "a\nb"]]
    assert values("1.5 , 'x',NULL") == ["1.5", "x", None]


def test_an_insert_over_several_lines_fails_instead_of_being_skipped() -> None:
    with pytest.raises(DumpError, match="line 1: an INSERT"):
        insert_rows("INSERT INTO things VALUES (1, 'two\nlines');", {"things"}, 10)
    assert insert_rows("INSERT INTO other VALUES (1,\n2);", {"things"}, 10) == {}


@pytest.mark.parametrize("body", ["'open", "1,,2", "'a' 'b'"])
def test_malformed_values_are_refused(body: str) -> None:
    with pytest.raises(DumpError):
        values(body)


def test_a_column_without_a_label_fails_the_build_and_dropped_ones_are_left_out() -> None:
    table = labelled_table(
        "t", ["a", "b", "pic"], [["1", "x", "\\x"]], {"a": "none", "b": "PERSON"}, frozenset({"pic"})
    )
    assert [c.name for c in table.columns] == ["a", "b"] and table.rows == [["1", "x"]]
    assert [c.truth for c in table.columns] == ["none", "PERSON"]
    with pytest.raises(DumpError, match="no label in the manifest for b"):
        labelled_table("t", ["a", "b"], [], {"a": "none"}, frozenset())
