"""MySQL dumps for the detection corpus: mysqldump's extended INSERT statements come back as
the values MySQL would hold (bench/corpus/sources/mysqldump.py), typed as Debezium's MySQL
connector publishes them (bench/corpus/mysqltypes.py), in events with the MySQL connector's
source block that the real processor accepts; a source pinned to a commit its snapshot
lacks is not read from another commit (bench/corpus/sources/mysql_employees.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import MappingProxyType

import orjson
import pytest

from bench.corpus.model import Column, Source, Table, Unavailable
from bench.corpus.mysqltypes import UnmappedType, field_for
from bench.corpus.pgtypes import value_for
from bench.corpus.run import declaration
from bench.corpus.sources import Context, manifest, registry
from bench.corpus.sources.mysql_employees import load
from bench.corpus.sources.mysqldump import insert_rows
from bench.corpus.sources.sqldump import DumpError, create_columns
from bench.corpus.store import read, write
from pipeline.config import Config, DetectionConfig
from pipeline.core.declaration import DeclarationSet
from pipeline.core.events import Published, SourceRecord
from pipeline.runtime.bootstrap import build_processor
from tests.support import HASH_KEY

SCHEMA = """
CREATE TABLE people (
    emp_no      INT             NOT NULL,
    birth_date  DATE            NOT NULL,
    name        VARCHAR(14)     NOT NULL,
    gender      ENUM ('M','F')  NOT NULL,
    PRIMARY KEY (emp_no),
    UNIQUE  KEY (name),
    FOREIGN KEY (emp_no) REFERENCES other (emp_no) ON DELETE CASCADE
);
"""

DUMP = "\n".join(
    [
        "INSERT INTO `people` VALUES (1,'1953-09-02','O\\'Hara','M'),",
        "",
        "(2,'1964-06-02','it''s','F'),",
        "(3,'1959-12-03','a\\\\b\\nc',NULL);",
        "INSERT INTO `other` VALUES (9,'x');",
        "INSERT INTO `people` (`emp_no`,`birth_date`,`name`,`gender`) VALUES (4,'1960-01-01','x;y','M'),(5, '1961-01-01' , 'z' , 'F');",
    ]
)


def test_extended_inserts_read_over_lines_with_mysql_escapes() -> None:
    rows = insert_rows(DUMP, {"people"}, max_rows=10)
    assert list(rows) == ["people"]
    assert rows["people"] == [
        ["1", "1953-09-02", "O'Hara", "M"],
        ["2", "1964-06-02", "it's", "F"],
        ["3", "1959-12-03", "a\\b\nc", None],
        ["4", "1960-01-01", "x;y", "M"],
        ["5", "1961-01-01", "z", "F"],
    ]


def test_max_rows_counts_across_statements_and_other_tables_are_left_out() -> None:
    assert [r[0] for r in insert_rows(DUMP, {"people"}, max_rows=4)["people"]] == ["1", "2", "3", "4"]
    assert [r[0] for r in insert_rows(DUMP, {"people"}, max_rows=1)["people"]] == ["1"]
    assert insert_rows(DUMP, {"other"}, max_rows=10) == {"other": [["9", "x"]]}
    assert insert_rows(DUMP, {"nothing"}, max_rows=10) == {}


@pytest.mark.parametrize(
    "text",
    [
        "INSERT INTO `t` VALUES (1,'open",  # unterminated string
        "INSERT INTO `t` VALUES (1,2)",  # no ';'
        "INSERT INTO `t` VALUES (1,,2);",  # empty value
        "INSERT INTO `t` VALUES (1,0x4142);",  # a literal this reader does not read
        "INSERT INTO `t` VALUES (1,2) (3,4);",  # no comma between rows
    ],
)
def test_dump_text_it_cannot_read_fails_instead_of_being_skipped(text: str) -> None:
    with pytest.raises(DumpError):
        insert_rows(text, {"t"}, max_rows=10)


def test_a_statement_of_a_wanted_table_is_read_to_its_end_even_past_max_rows() -> None:
    # a broken row after the cap is still an error: the reader does not stop reading blind
    with pytest.raises(DumpError):
        insert_rows("INSERT INTO `t` VALUES (1),(2),(3,;", {"t"}, max_rows=1)


def test_mysql_create_table_gives_each_column_its_type() -> None:
    assert create_columns(SCHEMA) == {
        "people": [("emp_no", "INT"), ("birth_date", "DATE"), ("name", "VARCHAR(14)"), ("gender", "ENUM ('M','F')")]
    }


@pytest.mark.parametrize(
    ("sql_type", "text", "kind", "logical", "value"),
    [
        ("INT", "10001", "int32", None, 10001),
        ("INT UNSIGNED", "4294967295", "int64", None, 4294967295),
        ("TINYINT", "-5", "int16", None, -5),
        ("SMALLINT UNSIGNED", "65535", "int32", None, 65535),
        ("BIGINT", "9007199254740993", "int64", None, 9007199254740993),
        ("DATE", "1953-09-02", "int32", "io.debezium.time.Date", -5965),
        ("DATE", "9999-01-01", "int32", "io.debezium.time.Date", 2932532),
        ("CHAR(4)", "d001", "string", None, "d001"),
        ("VARCHAR(40)", "Human Resources", "string", None, "Human Resources"),
        ("ENUM ('M','F')", "F", "string", "io.debezium.data.Enum", "F"),
        ("BOOLEAN", "1", "boolean", None, True),
    ],
)
def test_dump_values_become_what_the_mysql_connector_publishes(sql_type, text, kind, logical, value) -> None:
    field = field_for(sql_type)
    assert field["type"] == kind and field.get("name") == logical
    assert value_for(text, field) == value


def test_enum_labels_keep_their_case_and_quotes() -> None:
    assert field_for("ENUM ('M','F')")["parameters"] == {"allowed": "M,F"}
    assert field_for("enum('Yes','it''s')")["parameters"] == {"allowed": "Yes,it's"}
    assert field_for("DECIMAL(10,2)")["parameters"] == {"scale": "2", "connect.decimal.precision": "10"}


@pytest.mark.parametrize("sql_type", ["DATETIME", "TIMESTAMP", "BLOB", "SET('a','b')", "GEOMETRY"])
def test_a_type_without_a_mapping_here_is_refused_not_guessed(sql_type: str) -> None:
    with pytest.raises(UnmappedType):
        field_for(sql_type)


def test_mysql_typed_events_publish_through_the_real_processor(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CDR_HASH_KEY", HASH_KEY)
    columns = create_columns(SCHEMA)["people"]
    fields = [field_for(t) for _, t in columns]
    dumped = insert_rows(DUMP, {"people"}, max_rows=10)["people"]
    rows = [[value_for(v, f) for v, f in zip(row, fields, strict=True)] for row in dumped]
    cols = [Column(n, "none") for n, _ in columns]
    write(Source("my", {"origin": "unit test"}, [Table("people", cols, rows, fields)], connector="mysql"), tmp_path)
    built = read(tmp_path, "my")
    assert built is not None
    table = built.tables[0]
    lines = table.path.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])["value"]
    source_schema = next(f for f in first["schema"]["fields"] if f["field"] == "source")
    assert source_schema["name"] == "io.debezium.connector.mysql.Source"
    assert first["payload"]["source"]["connector"] == "mysql" and "lsn" not in first["payload"]["source"]
    assert first["payload"]["source"]["db"] == "my_named" and first["payload"]["source"]["table"] == "people"
    assert first["payload"]["after"]["birth_date"] == -5965
    decls = DeclarationSet(MappingProxyType({t.topic: declaration(t) for t in built.tables}))
    proc = build_processor(Config(detection=DetectionConfig(ner=False)), decls)
    for offset, line in enumerate(lines):
        doc = json.loads(line)
        rec = SourceRecord(table.topic, 0, offset, orjson.dumps(doc["key"]), orjson.dumps(doc["value"]))
        assert isinstance(proc.process(rec), Published), "a MySQL-typed corpus record was not published"


def test_the_manifest_labels_every_column_of_its_schema_and_says_where_each_dump_is() -> None:
    man = manifest("mysql-employees")
    assert "mysql-employees" in registry()
    assert set(man["files"]) == set(man["tables"])
    for where in man["files"].values():
        assert len(where["commit"]) == 40 and where["path"].endswith(".dump")
    assert man["tables"]["employees"]["birth_date"] == "DATE_OF_BIRTH"
    assert {man["tables"]["employees"][c] for c in ("first_name", "last_name")} == {"PERSON"}


def _git(git_dir: Path, *args: str) -> str:
    done = subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_snapshot_without_the_pinned_commit_is_not_read_at_another(tmp_path: Path) -> None:
    # the employees copy at its repository's HEAD is cut mid-row: only the pin may be read
    man = manifest("mysql-employees")
    git_dir = tmp_path / man["repository"].replace("/", "+") / "repo"
    subprocess.run(["git", "init", "--bare", "--quiet", str(git_dir)], check=True)
    blob = subprocess.run(
        ["git", "--git-dir", str(git_dir), "hash-object", "-w", "--stdin"],
        input=SCHEMA,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    tree = subprocess.run(
        ["git", "--git-dir", str(git_dir), "mktree"],
        input=f"100644 blob {blob}\t{man['schema_path']}\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    env_args = ["-c", "user.name=t", "-c", "user.email=t@t"]
    commit = subprocess.run(
        ["git", *env_args, "--git-dir", str(git_dir), "commit-tree", tree, "-m", "other"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    _git(git_dir, "update-ref", "HEAD", commit)
    with pytest.raises(Unavailable, match="not in the snapshot"):
        load(Context(tmp_path, tmp_path / "downloads", 10))
