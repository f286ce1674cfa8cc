"""The Synthea source of the detection corpus (bench/corpus/sources/synthea.py): its
manifest labels every column of the CSV export it reads, and the reader turns a snapshot's
CSVs into labelled tables, typed as a loader would, capped, with what it left out said."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.corpus.build import DEFAULT_MIRROR
from bench.corpus.debezium import column_type
from bench.corpus.model import ANY, NONE, QUASI, Unavailable, personal
from bench.corpus.sources import Context, manifest, registry
from bench.corpus.sources.synthea import load
from pipeline.core.entities import BUILTIN_ENTITIES
from tests.snapshot_support import git_snapshot

MAN = manifest("synthea")
# a made-up export in Synthea's layout: two patients, one provider (the other tables empty)
SAMPLE = {
    "patients": (
        "Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,LAST,SUFFIX,MAIDEN,MARITAL,RACE,ETHNICITY,"
        "GENDER,BIRTHPLACE,ADDRESS,CITY,STATE,COUNTY,ZIP,LAT,LON,HEALTHCARE_EXPENSES,HEALTHCARE_COVERAGE\n"
        "a1,1950-01-02,,999-00-1111,S90000001,X10000001X,Mrs.,Quilla12,Vornhal345,,Edsby67,M,white,"
        "nonhispanic,F,Brakvale  Arden  US,12 Tollen Row,Brakvale,Arden,Arden County,01234,42.1,-71.2,10.5,2.25\n"
        "a2,1961-03-04,2001-05-06,999-00-2222,,,,Orun8,Telvik90,,,,white,nonhispanic,M,Brakvale  Arden  US,"
        "3 Quay Lane Apt 4,Brakvale,Arden,Arden County,,42.2,-71.3,20.0,4.5\n"
        "a3,1970-01-01,,999-00-3333,,,,Short,Row\n"
    ),
    "providers": (
        "Id,ORGANIZATION,NAME,GENDER,SPECIALITY,ADDRESS,CITY,STATE,ZIP,LAT,LON,UTILIZATION\n"
        "p1,o1,Ysolde44 Marrick55,F,GENERAL PRACTICE,9 MILL STREET,BRAKVALE,AR,02703,41.9,-71.2,46\n"
    ),
    "organizations": "Id,NAME,ADDRESS,CITY,STATE,ZIP,LAT,LON,PHONE,REVENUE,UTILIZATION\n"
    "o1,BRAKVALE CLINIC,9 MILL STREET,BRAKVALE,AR,02703,41.9,-71.2,5550000000,0.0,46\n",
}


def _files(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Every table of the manifest as a CSV under the manifest's folder (header only where
    the sample has no rows)."""
    out = {}
    for table, labels in MAN["tables"].items():
        body = SAMPLE.get(table, ",".join(labels) + "\n")
        out[f"{MAN['folder']}/{table}.csv"] = (overrides or {}).get(table, body)
    return out


def test_the_manifest_pins_a_licensed_commit_and_labels_with_known_entities() -> None:
    assert "synthea" in registry() and MAN["name"] == "synthea"
    assert len(MAN["commit"]) == 40 and MAN["licence"].startswith("Apache-2.0")
    truths = {t for labels in MAN["tables"].values() for t in labels.values()}
    unknown = truths - set(BUILTIN_ENTITIES) - {NONE, QUASI, ANY}
    assert not unknown, f"labels outside the vocabulary: {sorted(unknown)}"
    patients = MAN["tables"]["patients"]
    assert [patients[c] for c in ("FIRST", "LAST", "MAIDEN")] == ["PERSON"] * 3
    assert (patients["SSN"], patients["BIRTHDATE"], patients["ADDRESS"]) == ("US_SSN", "DATE_OF_BIRTH", "LOCATION")
    keys = [labels[c] for labels in MAN["tables"].values() for c in ("Id", "PATIENT") if c in labels]
    assert keys and set(keys) == {NONE}, "random UUID keys are not personal data here"


def test_the_reader_labels_caps_and_says_what_it_left_out(tmp_path: Path) -> None:
    git_snapshot(tmp_path, MAN["repository"], _files())
    src = load(Context(tmp_path, tmp_path / "downloads", 10))
    assert [t.name for t in src.tables] == list(MAN["tables"])
    assert any("not in the snapshot" in n for n in src.notes), "reading another commit than the pin is said"
    assert any(n.startswith("patients: 1 rows") for n in src.notes), "the malformed row is counted"
    patients = src.tables[0]
    assert [c.name for c in patients.columns] == list(MAN["tables"]["patients"])
    assert all(c.by == "cdr-pipeline" and c.truth == MAN["tables"]["patients"][c.name] for c in patients.columns)
    assert len(patients.rows) == 2, "the short row is left out"
    row = dict(zip([c.name for c in patients.columns], patients.rows[1], strict=True))
    assert row["FIRST"] == "Orun8" and row["DRIVERS"] is None and row["SUFFIX"] is None
    orgs = next(t for t in src.tables if t.name == "organizations")
    phone = [c.name for c in orgs.columns].index("PHONE")
    assert column_type([r[phone] for r in orgs.rows]) == "int64", "ten digits are a number to a loader"
    zips = [c.name for c in patients.columns].index("ZIP")
    assert column_type([r[zips] for r in patients.rows]) == "string", "a leading zero keeps a ZIP code text"
    capped = load(Context(tmp_path, tmp_path / "downloads", 1))
    assert len(capped.tables[0].rows) == 1


def test_a_column_without_a_label_fails_the_build_without_naming_it(tmp_path: Path) -> None:
    extra = SAMPLE["providers"].replace("UTILIZATION\n", "UTILIZATION,Ysolde44\n", 1).replace("46\n", "46,x\n")
    git_snapshot(tmp_path, MAN["repository"], _files({"providers": extra}))
    with pytest.raises(Unavailable) as caught:
        load(Context(tmp_path, tmp_path / "downloads", 10))
    assert "providers" in str(caught.value) and "Ysolde44" not in str(caught.value)


def test_a_missing_table_makes_the_source_unavailable(tmp_path: Path) -> None:
    files = _files()
    del files[f"{MAN['folder']}/payers.csv"]
    git_snapshot(tmp_path, MAN["repository"], files)
    with pytest.raises(Unavailable, match=r"payers\.csv"):
        load(Context(tmp_path, tmp_path / "downloads", 10))


def test_the_pinned_snapshot_reads_as_labelled_tables_whose_personal_columns_hold_values() -> None:
    """Reads the real export when this machine has the snapshot (CI has none: skipped)."""
    try:
        src = load(Context(Path(DEFAULT_MIRROR), Path("/nonexistent-downloads"), 500))
    except Unavailable as exc:
        if "snapshot" in str(exc) or "--mirror" in str(exc):
            pytest.skip("no snapshot of OHDSI/dbt-synthea on this machine")
        raise
    if src.notes:
        pytest.skip("the snapshot of OHDSI/dbt-synthea lacks the pinned commit or reads differently")
    rows = {t.name: len(t.rows) for t in src.tables}
    assert rows["patients"] == 27 and rows["providers"] > 100, rows
    for table in src.tables:
        for i, column in enumerate(table.columns):
            if personal(column.truth):  # counts only: a failure message shows no cell
                present = sum(row[i] is not None for row in table.rows)
                assert present, f"{table.name}: a {column.truth} column with no value"
