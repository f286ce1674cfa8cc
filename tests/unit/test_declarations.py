"""Declaration files: what loads, and every problem reported as file:line: what."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import default_treatments
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.core.treatments.spec import TreatmentSpec
from pipeline.declarations.loader import declaration_files, load_declarations
from pipeline.errors import InvalidFilesError
from tests.support import REPO, write_declarations

GOOD = """\
table: inventory.customers
source_topic: dbserver1.inventory.customers
owner: payments-core
cdr_topic: cdr.payments.customers.v1
undeclared: detect
columns:
  id:         {pii: none}
  email:      {pii: EMAIL_ADDRESS, treatment: hash}
  phone:      {pii: PHONE_NUMBER, treatment: {mask: {keep_last: 4}}}
  notes:      {pii: free_text, treatment: redact_detected}
  ssn:        {pii: US_SSN, treatment: drop}
  dob:        {pii: DATE_OF_BIRTH}
"""


def load(root: Path):
    return load_declarations(root, BUILTIN_ENTITIES, default_treatments())


def problems(tmp_path: Path, files: dict[str, str]) -> list[str]:
    root = write_declarations(tmp_path / "schemas", files)
    with pytest.raises(InvalidFilesError) as info:
        load(root)
    return [f"{Path(e.file).name}:{e.line}: {e.message}" for e in info.value.errors]


def test_design_example_loads(tmp_path: Path) -> None:
    decls = load(write_declarations(tmp_path / "s", {"payments/customers.yaml": GOOD}))
    decl = decls.for_topic("dbserver1.inventory.customers")
    assert decl is not None and decl.cdr_topic == "cdr.payments.customers.v1"
    assert decl.columns["phone"].treatment == TreatmentSpec("mask", (("keep_last", 4),))
    assert decl.columns["dob"].treatment is None  # the config's default applies
    assert decl.columns["ssn"].line == 11


def test_json_syntax_with_tabs_loads(tmp_path: Path) -> None:
    text = '{\n\t"table": "a.b",\n\t"source_topic": "p.a.b",\n\t"cdr_topic": "cdr.ab",\n\t"owner": "t",\n\t"columns": {\n\t\t"email": {"pii": "EMAIL_ADDRESS", "treatment": {"mask": {"keep_last": 3}}}\n\t}\n}\n'
    decls = load(write_declarations(tmp_path / "s", {"ab.json": text}))
    assert decls.for_topic("p.a.b").columns["email"].line == 7


def test_json_syntax_error_has_a_line(tmp_path: Path) -> None:
    assert problems(tmp_path, {"x.json": '{\n  "table": "a.b",\n  "owner": \n}\n'}) == [
        "x.json:4: JSON syntax error: Expecting value"
    ]


def test_repository_declarations_are_valid() -> None:
    assert len(load(REPO / "schemas")) >= 1


def test_schema_file_is_not_a_declaration() -> None:
    assert all(not p.name.endswith(".schema.json") for p in declaration_files(REPO / "schemas"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("owner: payments-core\n", ""), ["c.yaml:1: 'owner' is a required property"]),
        (GOOD + "colums: {}\n", ["c.yaml:13: unknown key 'colums'"]),
        (
            GOOD.replace("{pii: none}", "{pii: none, treatmnet: hash}"),
            ["c.yaml:7: unknown key 'treatmnet' in columns.id"],
        ),
        (
            GOOD.replace("PHONE_NUMBER", "PHONE"),
            ["c.yaml:9: column 'phone': unknown pii 'PHONE'; expected none, free_text or one of"],
        ),
        (
            GOOD.replace("treatment: hash", "treatment: hsah"),
            ["c.yaml:8: column 'email': unknown treatment 'hsah'"],
        ),
        (
            GOOD.replace("{mask: {keep_last: 4}}", "{mask: {keep_last: four}}"),
            ["c.yaml:9: column 'phone': mask keep_last must be a whole number"],
        ),
        (
            GOOD.replace("undeclared: detect", "undeclared: ignore"),
            ["c.yaml:5: undeclared: must be one of detect"],
        ),
        (
            GOOD.replace("inventory.customers\n", "customers\n", 1),
            ["c.yaml:1: table must be <schema>.<table>"],
        ),
        (
            GOOD.replace("{pii: US_SSN, treatment: drop}", "{pii: US_SSN, treatment: redact_detected}"),
            ["c.yaml:11: column 'ssn': redact_detected is for free text"],
        ),
        (GOOD + "  email: {pii: none}\n", ["c.yaml:13: duplicate key 'email'"]),
        ("table: [unclosed\n", ["c.yaml:2: YAML syntax error"]),
        ("- just\n- a list\n", ["c.yaml:1: a declaration must be a mapping"]),
    ],
)
def test_problems_name_file_and_line(tmp_path: Path, text: str, expected: list[str]) -> None:
    got = problems(tmp_path, {"c.yaml": text})
    assert len(got) == len(expected), got
    for line, want in zip(got, expected, strict=True):
        assert line.startswith(want), (line, want)


def test_every_problem_of_every_file_is_reported(tmp_path: Path) -> None:
    got = problems(
        tmp_path,
        {
            "a.yaml": GOOD.replace("hash", "hsah"),
            "b.yaml": GOOD.replace("PHONE_NUMBER", "PHONE").replace("owner: payments-core\n", ""),
        },
    )
    assert [g.split(":")[0] for g in got] == ["a.yaml", "b.yaml", "b.yaml"]


def test_the_same_topic_in_two_files(tmp_path: Path) -> None:
    got = problems(tmp_path, {"a.yaml": GOOD, "b.yaml": GOOD.replace("cdr.payments.customers.v1", "cdr.other")})
    assert got == [
        f"b.yaml:2: source_topic 'dbserver1.inventory.customers' is already declared in {tmp_path}/schemas/a.yaml"
    ]


def test_missing_default_treatment(tmp_path: Path) -> None:
    root = write_declarations(tmp_path / "s", {"c.yaml": GOOD.replace("DATE_OF_BIRTH", "EMPLOYEE_ID")})
    with pytest.raises(InvalidFilesError, match="no default treatment for EMPLOYEE_ID"):
        load_declarations(root, (*BUILTIN_ENTITIES, "EMPLOYEE_ID"), default_treatments())
    decls = load_declarations(root, (*BUILTIN_ENTITIES, "EMPLOYEE_ID"), default_treatments({"EMPLOYEE_ID": "hash"}))
    assert decls.for_topic("dbserver1.inventory.customers").columns["dob"].pii == "EMPLOYEE_ID"


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidFilesError, match="does not exist"):
        load(tmp_path / "nope")


def test_an_error_under_a_column_named_with_personal_data_does_not_show_the_name(tmp_path: Path) -> None:
    address = "quill.harrow71@example.org"
    bad = GOOD.replace("  dob:        {pii: DATE_OF_BIRTH}", f"  {address}: {{pii: 42}}")
    found = problems(tmp_path, {"payments/customers.yaml": bad})
    assert found, "the bad column loaded"
    assert not any("quill" in p or "harrow" in p for p in found), "an error message showed the column's name"
    assert any("columns.<not shown>.pii" in p for p in found), "the error no longer says where it is"


def test_a_plain_path_is_shown_as_it_is() -> None:
    from pipeline.core.safenames import NOT_SHOWN, shown_path

    assert shown_path(("columns", "email", "pii")) == "columns.email.pii"
    assert shown_path(("columns", "notes", "paths", 0)) == "columns.notes.paths.0"
    assert shown_path(("columns", "jane.doe@example.org", "pii")) == f"columns.{NOT_SHOWN}.pii"
    assert NOT_SHOWN in shown_path(("public", "mary", "lee"))
