"""SQL Server install scripts for the detection corpus: alias types, bracketed CREATE TABLE
columns and BULK INSERT options come back as SQL Server reads them, and the data files as
those options split them (bench/corpus/sources/bulkinsert.py), typed as Debezium's SQL
Server connector publishes them (bench/corpus/sqlservertypes.py), in events with the SQL
Server connector's source block that the real processor accepts; the AdventureWorks source
reads its pinned snapshot when this machine has it (bench/corpus/sources/adventureworks.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

import orjson
import pytest

from bench.corpus.build import DEFAULT_MIRROR
from bench.corpus.model import Column, Source, Table, Unavailable, personal
from bench.corpus.pgtypes import ValueTypeError
from bench.corpus.run import declaration
from bench.corpus.sources import Context, manifest, registry
from bench.corpus.sources.adventureworks import load
from bench.corpus.sources.bulkinsert import BulkLoad, alias_types, bulk_loads, create_columns, data_rows, terminator
from bench.corpus.sources.sqldump import DumpError, labelled_table
from bench.corpus.sqlservertypes import UnmappedType, field_for, value_of
from bench.corpus.store import read, write
from pipeline.config import Config, DetectionConfig
from pipeline.core.declaration import DeclarationSet
from pipeline.core.events import Published, SourceRecord
from pipeline.core.logical import decode_decimal_bytes
from pipeline.runtime.bootstrap import build_processor
from tests.support import HASH_KEY

SCRIPT = """\ufeff-- a comment: CREATE TABLE [X].[Y]( is not a table here
CREATE TYPE [Label] FROM nvarchar(50) NULL;
CREATE TYPE [Flag] FROM bit NOT NULL;
GO
CREATE TABLE [Shop].[Visit](
    [VisitID] [int] IDENTITY (1, 1) NOT NULL,
    [Code] [nvarchar](15) NOT NULL,
\t[Node] [hierarchyid] NULL,
\t[Level] AS Node.GetLevel(),
    [Kind] [Label] NOT NULL,
    [Active] [Flag] NOT NULL CONSTRAINT [DF_Visit_Active] DEFAULT (1),
    [At] [datetime] NOT NULL CONSTRAINT [DF_Visit_At] DEFAULT (GETDATE()),
    [Day] [date] NULL,
    [Fee] [money] NULL,
    [Ref] uniqueidentifier ROWGUIDCOL NOT NULL,
    [Note] [nvarchar](max) NULL,
    CONSTRAINT [CK_Visit_Fee] CHECK ([Fee] >= 0)
) ON [PRIMARY];
GO
BULK INSERT [Shop].[Visit] FROM '$(SqlSamplesSourceDataPath)Visit.csv'
WITH (
    CHECK_CONSTRAINTS,
    CODEPAGE = '65001',
    DATAFILETYPE = 'char',
    FIELDTERMINATOR = '+|',
    ROWTERMINATOR = '&|\\n',
    KEEPIDENTITY,
    TABLOCK
);
BULK INSERT [Shop].[Plain] FROM '$(SqlSamplesSourceDataPath)Plain.csv'
WITH (CODEPAGE = '65001', DATAFILETYPE = 'char', FIELDTERMINATOR= '\\t', ROWTERMINATOR = '0x0a');
"""

VISITS = (
    "1+|A-1+|+|+|walk+|1+|2020-01-07 00:00:00.000+|1969-01-29+|125.5000+|F01251E5-96A3-448D-981E-0F99D789110D+|x&|\n"
    "2+|B\\2+|58+|1+|ride+|0+|1970-01-01 00:00:01.5+|+|+|45E8F437-670D-4409-93CB-F9424A40D6EE+|a|b&|\r\n"
)


def _visit_rows() -> list[list[str | None]]:
    load = bulk_loads(SCRIPT)["Shop.Visit"]
    return data_rows(VISITS.encode("utf-8"), load, create_columns(SCRIPT)["Shop.Visit"], max_rows=10)


def test_create_table_reads_bracketed_columns_alias_types_computed_columns_and_defaults() -> None:
    assert alias_types(SCRIPT) == {"label": "nvarchar(50)", "flag": "bit"}
    columns = create_columns(SCRIPT)
    assert list(columns) == ["Shop.Visit"]
    cols = columns["Shop.Visit"]
    expected = ["VisitID", "Code", "Node", "Level", "Kind", "Active", "At", "Day", "Fee", "Ref", "Note"]
    assert [c.name for c in cols] == expected
    by_name = {c.name: c for c in cols}
    assert by_name["Code"].sql_type == "nvarchar(15)" and by_name["Kind"].sql_type == "Label"
    assert by_name["Ref"].sql_type == "uniqueidentifier" and by_name["Note"].sql_type == "nvarchar(max)"
    assert by_name["Level"].computed and not by_name["Node"].computed
    assert by_name["Active"].has_default and by_name["At"].has_default and not by_name["Fee"].has_default


def test_bulk_insert_options_give_each_table_its_terminators() -> None:
    loads = bulk_loads(SCRIPT)
    assert loads["Shop.Visit"] == BulkLoad("Shop.Visit", "Visit.csv", "+|", "&|\n")
    assert loads["Shop.Plain"] == BulkLoad("Shop.Plain", "Plain.csv", "\t", "\n")
    assert terminator("\\r\\n") == "\r\n" and terminator("0x7c") == "|" and terminator("a\\b") == "a\\b"


@pytest.mark.parametrize(
    "options",
    [
        "CODEPAGE = '65001', DATAFILETYPE = 'widechar'",  # UTF-16 data
        "CODEPAGE = 'ACP', DATAFILETYPE = 'char'",
        "CODEPAGE = '65001', FIRSTROW = '2'",
        "CODEPAGE = '65001', FORMATFILE = 'f.fmt'",
        "CODEPAGE = '65001', KEEPNULLS = 'x'",
    ],
)
def test_bulk_insert_options_it_does_not_read_fail_with_the_table(options: str) -> None:
    script = f"BULK INSERT [S].[T] FROM '$(P)T.csv' WITH ({options});"
    with pytest.raises(DumpError, match=r"^S\.T: "):
        bulk_loads(script)


def test_data_files_split_as_bulk_insert_splits_them() -> None:
    rows = _visit_rows()
    guid = "F01251E5-96A3-448D-981E-0F99D789110D"
    assert rows[0] == [
        "1",
        "A-1",
        None,
        None,
        "walk",
        "1",
        "2020-01-07 00:00:00.000",
        "1969-01-29",
        "125.5000",
        guid,
        "x",
    ]
    # a backslash is a character, a field terminator's first character alone is text, CR LF ends a row
    assert rows[1][1] == "B\\2" and rows[1][-1] == "a|b" and rows[1][7] is None
    load = bulk_loads(SCRIPT)["Shop.Visit"]
    cols = create_columns(SCRIPT)["Shop.Visit"]
    assert len(data_rows(VISITS.encode("utf-8"), load, cols, max_rows=1)) == 1
    unterminated = VISITS.removesuffix("&|\r\n").encode("utf-8")
    assert data_rows(unterminated, load, cols, max_rows=10)[1][-1] == "a|b"


def test_a_ragged_row_or_an_empty_field_with_a_default_fails_without_the_value() -> None:
    load = bulk_loads(SCRIPT)["Shop.Visit"]
    cols = create_columns(SCRIPT)["Shop.Visit"]
    ragged = VISITS.replace("+|x&|", "&|")
    with pytest.raises(DumpError, match=r"row 1 has 10 fields for 11 columns") as info:
        data_rows(ragged.encode("utf-8"), load, cols, max_rows=10)
    assert "walk" not in str(info.value)
    defaulted = VISITS.replace("+|1+|2020", "+|+|2020")
    with pytest.raises(DumpError, match=r"empty field in Active, which has a DEFAULT") as info:
        data_rows(defaulted.encode("utf-8"), load, cols, max_rows=10)
    assert "walk" not in str(info.value)


@pytest.mark.parametrize(
    ("sql_type", "kind", "logical"),
    [
        ("bit", "boolean", None),
        ("tinyint", "int16", None),
        ("smallint", "int16", None),
        ("int", "int32", None),
        ("bigint", "int64", None),
        ("real", "float", None),
        ("float", "double", None),
        ("nvarchar(50)", "string", None),
        ("nchar(1)", "string", None),
        ("varchar(max)", "string", None),
        ("uniqueidentifier", "string", None),
        ("date", "int32", "io.debezium.time.Date"),
        ("datetime", "int64", "io.debezium.time.Timestamp"),
        ("smalldatetime", "int64", "io.debezium.time.Timestamp"),
        ("decimal(8, 2)", "bytes", "org.apache.kafka.connect.data.Decimal"),
        ("money", "bytes", "org.apache.kafka.connect.data.Decimal"),
    ],
)
def test_sql_server_types_map_as_the_connector_maps_them(sql_type: str, kind: str, logical: str | None) -> None:
    field = field_for(sql_type)
    assert field["type"] == kind and field.get("name") == logical


@pytest.mark.parametrize("sql_type", ["hierarchyid", "geography", "xml", "varbinary(max)", "datetime2(7)", "Unknown"])
def test_a_type_without_a_mapping_here_is_refused_not_guessed(sql_type: str) -> None:
    with pytest.raises(UnmappedType):
        field_for(sql_type, {"label": "nvarchar(50)"})


def test_values_become_what_the_sql_server_connector_publishes() -> None:
    aliases = alias_types(SCRIPT)
    cols = create_columns(SCRIPT)["Shop.Visit"]
    keep = [c for c in cols if c.name not in ("Node", "Level")]
    index = {c.name: i for i, c in enumerate(cols)}
    fields = {c.name: field_for(c.sql_type, aliases) for c in keep}
    first, second = _visit_rows()
    assert fields["Kind"] == {"type": "string"} and fields["Active"] == {"type": "boolean"}
    assert fields["Fee"]["parameters"] == {"scale": "4", "connect.decimal.precision": "19"}
    assert value_of(first[index["At"]], fields["At"]) == 1_578_355_200_000  # 2020-01-07T00:00:00Z in ms
    assert value_of(second[index["At"]], fields["At"]) == 1_500  # a fraction of one digit is tenths
    assert value_of(first[index["Day"]], fields["Day"]) == -337
    assert value_of(first[index["Active"]], fields["Active"]) is True
    assert value_of(second[index["Active"]], fields["Active"]) is False
    fee = value_of(first[index["Fee"]], fields["Fee"])
    assert decode_decimal_bytes(fee, 4) == Decimal("125.5")  # type: ignore[arg-type]
    assert value_of(first[index["VisitID"]], fields["VisitID"]) == 1
    assert value_of(None, fields["Fee"]) is None


@pytest.mark.parametrize(
    ("value", "sql_type"),
    [
        ("2020-13-07 00:00:00.000", "datetime"),
        ("07/01/2020", "datetime"),
        ("2020-01-07", "datetime"),
        ("1.23456", "money"),  # more decimals than the column holds
        ("ten", "money"),
        ("2", "bit"),
        ("true", "bit"),
    ],
)
def test_a_value_that_is_not_its_type_is_refused_without_the_value(value: str, sql_type: str) -> None:
    with pytest.raises(ValueTypeError) as info:
        value_of(value, field_for(sql_type))
    assert value not in str(info.value)


def test_sql_server_typed_events_publish_through_the_real_processor(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CDR_HASH_KEY", HASH_KEY)
    aliases = alias_types(SCRIPT)
    cols = create_columns(SCRIPT)["Shop.Visit"]
    names = [c.name for c in cols]
    gone = frozenset({"Node", "Level"})
    fields = [{"type": "string"} if c.name in gone else field_for(c.sql_type, aliases) for c in cols]
    labels = dict.fromkeys(names, "none")
    table = labelled_table("Shop.Visit", names, _visit_rows() * 20, labels, gone, fields, value_of)
    assert [c.name for c in table.columns][:3] == ["VisitID", "Code", "Kind"]
    plain = [Column(c.name, c.truth) for c in table.columns]
    source = Source("ss", {"origin": "unit test"}, [Table("Shop.Visit", plain, table.rows, table.fields)])
    source.connector = "sqlserver"
    write(source, tmp_path)
    built = read(tmp_path, "ss")
    assert built is not None
    opaque = built.tables[1]
    assert opaque.slug == "shop_visit"
    lines = opaque.path.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])["value"]
    src_schema = next(f for f in first["schema"]["fields"] if f["field"] == "source")
    assert src_schema["name"] == "io.debezium.connector.sqlserver.Source"
    src = first["payload"]["source"]
    assert src["connector"] == "sqlserver" and src["schema"] == "ss_opaque" and src["commit_lsn"]
    assert {f["field"] for f in src_schema["fields"]} == set(src)
    decls = DeclarationSet(MappingProxyType({t.topic: declaration(t) for t in built.tables}))
    proc = build_processor(Config(detection=DetectionConfig(ner=False)), decls)
    for offset, line in enumerate(lines):
        doc = json.loads(line)
        rec = SourceRecord(opaque.topic, 0, offset, orjson.dumps(doc["key"]), orjson.dumps(doc["value"]))
        assert isinstance(proc.process(rec), Published), "a SQL Server-typed corpus record was not published"


def test_the_manifest_labels_the_personal_columns_and_drops_only_unmapped_types() -> None:
    man = manifest("adventureworks")
    assert "adventureworks" in registry()
    listed = [t for script in man["scripts"] for t in script["tables"]]
    assert sorted(listed) == sorted(man["tables"])
    assert man["tables"]["Sales.CreditCard"]["CardNumber"] == "CREDIT_CARD"
    assert man["tables"]["HumanResources.Employee"]["BirthDate"] == "DATE_OF_BIRTH"
    assert {man["tables"]["dbo.ProspectiveBuyer"][c] for c in ("FirstName", "LastName")} == {"PERSON"}
    dropped = {c for cols in man["drop"].values() for c in cols}
    assert dropped == {"OrganizationNode", "OrganizationLevel", "SpatialLocation"}


# what each labelled entity's values look like here (AdventureWorksDW has e-mails without a TLD)
SHAPES: dict[str, Callable[[object], bool]] = {
    "EMAIL_ADDRESS": lambda v: isinstance(v, str) and re.fullmatch(r"[^@\s]+@[\w-]+(?:\.[\w-]+)*", v) is not None,
    "PHONE_NUMBER": lambda v: isinstance(v, str) and re.fullmatch(r"[\d ()+-]{12,20}", v) is not None,
    "CREDIT_CARD": lambda v: isinstance(v, str) and re.fullmatch(r"\d{14}", v) is not None,
    "DATE_OF_BIRTH": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "PERSON": lambda v: isinstance(v, str) and re.fullmatch(r"[^\d@]{2,50}", v) is not None,
    "LOCATION": lambda v: isinstance(v, str) and " " in v.strip(),  # a street line: words, a number or not
}


def test_the_pinned_snapshot_reads_as_typed_labelled_tables() -> None:
    """Reads the real data files when this machine has the snapshot (CI has none: skipped)."""
    try:
        src = load(Context(Path(DEFAULT_MIRROR), Path("/nonexistent-downloads"), 40))
    except Unavailable as exc:
        if "snapshot" in str(exc) or "--mirror" in str(exc):
            pytest.skip("no snapshot of microsoft/sql-server-samples on this machine")
        raise
    if src.notes:  # a snapshot taken at another commit: its files may differ from the pinned ones
        pytest.skip("the snapshot of microsoft/sql-server-samples lacks the pinned commit")
    man = manifest("adventureworks")
    assert src.connector == "sqlserver"
    assert [t.name for t in src.tables] == [t for s in man["scripts"] for t in s["tables"]]
    for table in src.tables:
        assert table.fields is not None and len(table.rows) == 40, f"{table.name}: untyped or short"
        for i, column in enumerate(table.columns):
            # counts only: a failure message shows no cell
            present = [row[i] for row in table.rows if row[i] is not None]
            full = len(present) == len(table.rows)
            if personal(column.truth):  # a personal column holds values in its first rows
                assert full, f"{table.name}: a {column.truth} column with empty cells"
            shape = SHAPES.get(column.truth)
            if shape is not None:  # the label fits the values: no column shifted by a misread terminator
                fits = sum(1 for v in present if shape(v))
                every = fits == len(present)
                assert every, f"{table.name}: {column.truth} column, {fits} of {len(present)} values fit"
    buyers = next(t for t in src.tables if t.name == "dbo.ProspectiveBuyer")
    birth = [c.name for c in buyers.columns].index("BirthDate")
    assert buyers.fields is not None and buyers.fields[birth]["name"] == "io.debezium.time.Timestamp"
    timestamps = all(isinstance(row[birth], int) for row in buyers.rows)
    assert timestamps, "a buyer's birth date is not a millisecond Timestamp"
