"""cdr check --dsn, the pure part: declarations against the tables a database has."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import default_treatments
from pipeline.contracts.livedb import LiveTable, check_live
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.declarations.loader import load_declarations
from pipeline.runtime.dbsample import Column
from tests.support import write_declarations

DECL = """\
table: public.customers
source_topic: shop.public.customers
cdr_topic: cdr.shop.customers.v1
owner: crm
undeclared: {undeclared}
key: [id]
columns:
  id:    {{pii: none}}
  email: {{pii: EMAIL_ADDRESS, treatment: hash}}
  born:  {{pii: DATE_OF_BIRTH, treatment: {{generalize: {{to: year}}}}}}
"""
GOOD = {"id": Column("id", "int8", "N"), "email": Column("email", "text", "S"), "born": Column("born", "date", "D")}


def run(tmp_path: Path, columns: dict[str, Column] | None, key=("id",), undeclared: str = "detect"):
    root = write_declarations(tmp_path / "s", {"c.yaml": DECL.format(undeclared=undeclared)})
    decls = load_declarations(root, BUILTIN_ENTITIES, default_treatments())
    tables = {} if columns is None else {"public.customers": LiveTable("public.customers", columns, key)}
    findings, undeclared_cols = check_live(decls, tables, default_treatments())
    return [(f.rule, str(f.severity), f.subject, f.line) for f in findings], undeclared_cols


@pytest.mark.parametrize(
    ("columns", "key", "undeclared", "expected"),
    [
        (GOOD, ("id",), "detect", []),
        (None, ("id",), "detect", [("LIVE_TABLE_MISSING", "error", "public.customers", 1)]),
        (
            {k: v for k, v in GOOD.items() if k != "email"},
            ("id",),
            "detect",
            [("LIVE_COLUMN_MISSING", "error", "email", 9)],
        ),
        (
            {**GOOD, "tier": Column("tier", "text", "S")},
            ("id",),
            "detect",
            [("LIVE_COLUMN_UNDECLARED", "warning", "tier", 7)],
        ),
        (
            {**GOOD, "tier": Column("tier", "text", "S")},
            ("id",),
            "pass",
            [("LIVE_COLUMN_UNDECLARED", "error", "tier", 7)],
        ),
        (
            {**GOOD, "born": Column("born", "bool", "B")},
            ("id",),
            "detect",
            [("LIVE_TREATMENT_INVALID", "error", "born", 10)],
        ),
        (GOOD, ("id", "email"), "detect", [("LIVE_KEY_MISMATCH", "error", "key", 6)]),
        # the primary key was dropped: Debezium publishes records with no key (compaction and
        # per-key partitioning of the CDR topic break)
        (GOOD, (), "detect", [("LIVE_KEY_MISMATCH", "error", "key", 6)]),
    ],
)
def test_live_table(tmp_path: Path, columns, key, undeclared: str, expected: list) -> None:
    findings, _ = run(tmp_path, columns, key, undeclared)
    assert findings == expected


def test_undeclared_columns_are_listed_for_the_proposal(tmp_path: Path) -> None:
    _, undeclared = run(tmp_path, {**GOOD, "tier": Column("tier", "text", "S"), "note": Column("note", "text", "S")})
    assert undeclared == {"public.customers": ["tier", "note"]}


def test_undeclared_names_in_revision_findings_are_shown_in_their_safe_form() -> None:
    from types import MappingProxyType

    from pipeline.contracts.check import _safe
    from pipeline.contracts.rules import finding
    from pipeline.core.declaration import DeclarationSet
    from pipeline.core.safenames import SafeNames

    name = "ann.lee@example.com"  # a column named with personal data (a pivot)
    found = finding(
        "FIELD_NO_DELETE", file="c.yaml", line=6, topic="t", subject=name, message=f"field {name!r} is removed from t"
    )
    (safe,) = _safe([found], [DeclarationSet(MappingProxyType({}))], SafeNames.ephemeral())
    assert name not in safe.subject and name not in safe.message, "a personal-data column name reached the report"
    assert safe.subject.startswith("col~") and safe.subject in safe.message


def test_not_null_columns_reach_the_revision_comparison_as_required_fields(tmp_path: Path) -> None:
    """The database says which columns are NOT NULL (Debezium publishes them as required
    fields): with --dsn, nulling a NOT NULL column's field breaks FORWARD consumers."""
    from pipeline.contracts.revdiff import Side, compare

    live = LiveTable("public.customers", {**GOOD, "email": Column("email", "text", "S", not_null=True)}, ("id",))
    assert live.fields["email"]["optional"] is False and live.fields["born"]["optional"] is True
    before = DECL.format(undeclared="detect").replace("key: [id]\n", "key: [id]\ncompatibility: FORWARD\n")
    after = before.replace("{pii: EMAIL_ADDRESS, treatment: hash}", "{pii: EMAIL_ADDRESS, treatment: null}")
    sides = [
        Side(
            load_declarations(write_declarations(tmp_path / n, {"c.yaml": t}), BUILTIN_ENTITIES, default_treatments()),
            default_treatments(),
        )
        for n, t in (("o", before), ("n", after))
    ]
    found = compare(*sides, {"public.customers": live.fields})
    assert ("FIELD_NO_MAKE_OPTIONAL", "error", "email") in {(f.rule, str(f.severity), f.subject) for f in found}


def test_an_older_version_still_published_is_checked_against_the_database(tmp_path: Path) -> None:
    v1 = DECL.format(undeclared="pass").replace("key: [id]\n", "")
    v2 = DECL.format(undeclared="detect").replace(
        "cdr_topic: cdr.shop.customers.v1\n",
        'cdr_topic: cdr.shop.customers.v2\nreplaces: {cdr_topic: cdr.shop.customers.v1, sunset: "2999-01-01"}\n',
    )
    root = write_declarations(tmp_path / "v", {"c.v1.yaml": v1, "c.v2.yaml": v2})
    decls = load_declarations(root, BUILTIN_ENTITIES, default_treatments())
    tables = {"public.customers": LiveTable("public.customers", {**GOOD, "ssn2": Column("ssn2", "text", "S")}, ("id",))}
    findings, undeclared = check_live(decls, tables, default_treatments())
    got = {(f.rule, str(f.severity), f.topic) for f in findings}
    assert got == {
        ("LIVE_COLUMN_UNDECLARED", "warning", "cdr.shop.customers.v2"),
        ("LIVE_COLUMN_UNDECLARED", "error", "cdr.shop.customers.v1"),  # published raw there until the sunset
    }
    assert undeclared == {"public.customers": ["ssn2"]}
