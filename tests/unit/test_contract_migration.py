"""cdr check --migration: PostgreSQL DDL (parsed by PostgreSQL's own parser, pglast)
against the declarations; one row per statement kind -> findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import default_treatments
from pipeline.contracts.check import shown_name
from pipeline.contracts.migration import MigrationError, check_migration, parse_migration
from pipeline.contracts.typefit import misfit
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.core.safenames import SafeNames
from pipeline.core.treatments.spec import parse_treatment
from pipeline.declarations.loader import load_declarations
from tests.support import write_declarations

DECL = """\
table: public.customers
source_topic: shop.public.customers
cdr_topic: cdr.shop.customers.v1
owner: crm
undeclared: {undeclared}
key: [id]
columns:
  id:       {{pii: none}}
  email:    {{pii: EMAIL_ADDRESS, treatment: hash}}
  born:     {{pii: DATE_OF_BIRTH, treatment: {{generalize: {{to: year}}}}}}
  score:    {{pii: none}}
  profile:  {{pii: none, paths: {{a.email: {{pii: EMAIL_ADDRESS, treatment: hash}}}}}}
"""


def decls(tmp_path: Path, undeclared: str = "detect"):
    root = write_declarations(tmp_path / "s", {"customers.yaml": DECL.format(undeclared=undeclared)})
    return load_declarations(root, BUILTIN_ENTITIES, default_treatments())


def run(tmp_path: Path, sql: str, undeclared: str = "detect"):
    findings, proposals = check_migration(
        parse_migration(sql), decls(tmp_path, undeclared), default_treatments(), "m.sql"
    )
    return [(f.rule, str(f.severity), f.subject, f.line) for f in findings], proposals


CASES = [
    ("-- nothing\nSELECT 1;\n", []),
    ("ALTER TABLE public.customers DROP COLUMN email;", [("MIGRATION_COLUMN_DROP", "error", "email", 1)]),
    ("ALTER TABLE customers DROP COLUMN IF EXISTS score CASCADE;", [("MIGRATION_COLUMN_DROP", "error", "score", 1)]),
    ("ALTER TABLE public.orders DROP COLUMN email;", []),  # not a declared table
    ("ALTER TABLE public.customers DROP COLUMN nickname;", []),  # not a declared column
    ("DROP TABLE IF EXISTS public.customers CASCADE;", [("MIGRATION_TABLE_DROP", "error", "public.customers", 1)]),
    ("ALTER TABLE public.customers RENAME TO clients;", [("MIGRATION_TABLE_DROP", "error", "public.customers", 1)]),
    (
        "ALTER TABLE public.customers RENAME COLUMN email TO mail;",
        [("MIGRATION_COLUMN_RENAME", "error", "email", 1)],
    ),
    # the treatment outputs text whatever the type: no change for consumers
    ("ALTER TABLE public.customers ALTER COLUMN email TYPE varchar(400);", []),
    # a passed-through column changes type
    ("ALTER TABLE public.customers ALTER COLUMN score TYPE bigint;", [("MIGRATION_COLUMN_TYPE", "error", "score", 1)]),
    # generalize to year cannot read a boolean: every record would be dead-lettered
    (
        "ALTER TABLE public.customers ALTER COLUMN born TYPE boolean USING false;",
        [("MIGRATION_COLUMN_TYPE", "error", "born", 1)],
    ),
    ("ALTER TABLE public.customers ALTER COLUMN born TYPE timestamp;", [("MIGRATION_COLUMN_TYPE", "error", "born", 1)]),
    ("ALTER TABLE public.customers ALTER COLUMN born TYPE text;", [("MIGRATION_COLUMN_TYPE", "error", "born", 1)]),
    (
        "ALTER TABLE public.customers ALTER COLUMN profile TYPE integer USING 0;",
        [("MIGRATION_COLUMN_TYPE", "error", "profile", 1)],
    ),
    (
        "ALTER TABLE public.customers ADD COLUMN loyalty text;",
        [("MIGRATION_COLUMN_UNDECLARED", "warning", "loyalty", 1)],
    ),
    (
        "ALTER TABLE public.customers ADD PRIMARY KEY (id, email);",
        [("KEY_SAME_FIELDS", "error", "key", 1)],
    ),
    (
        "-- two commands, two lines down\n\nALTER TABLE ONLY public.customers\n  DROP COLUMN score,\n  ADD COLUMN tier int NOT NULL;",
        [("MIGRATION_COLUMN_DROP", "error", "score", 3), ("MIGRATION_COLUMN_UNDECLARED", "warning", "tier", 3)],
    ),
    # nullability: the CDR field's optional flag follows the source column (BACKWARD: made
    # required breaks; FORWARD/FULL: made optional breaks; the hashed email keeps its nulls)
    (
        "ALTER TABLE public.customers ALTER COLUMN email DROP NOT NULL;",
        [("FIELD_NO_MAKE_OPTIONAL", "info", "email", 1)],
    ),
    (
        "ALTER TABLE public.customers ALTER COLUMN score SET NOT NULL;",
        [("FIELD_NO_MAKE_REQUIRED", "error", "score", 1)],
    ),
    ("ALTER TABLE public.customers ALTER COLUMN nickname SET NOT NULL;", []),  # not declared
    # a declared column added NOT NULL is a new required field
    (
        "ALTER TABLE public.customers ADD COLUMN score int NOT NULL DEFAULT 0;",
        [("FIELD_NO_ADD_REQUIRED", "error", "score", 1)],
    ),
    ("ALTER TABLE public.customers ADD COLUMN score int;", []),
    # the table moves out of its schema (or the schema goes, with it): the declaration no longer matches
    ("ALTER TABLE public.customers SET SCHEMA archive;", [("MIGRATION_TABLE_DROP", "error", "public.customers", 1)]),
    ("DROP SCHEMA IF EXISTS public CASCADE;", [("MIGRATION_TABLE_DROP", "error", "public.customers", 1)]),
    ("DROP SCHEMA archive CASCADE;", []),
    # the primary key dropped (PostgreSQL's default name) and not re-created: keyless records
    (
        "ALTER TABLE public.customers DROP CONSTRAINT customers_pkey;",
        [("KEY_SAME_FIELDS", "error", "key", 1)],
    ),
    (
        "ALTER TABLE public.customers DROP CONSTRAINT customers_pkey;\nALTER TABLE public.customers ADD PRIMARY KEY (id);",
        [],
    ),
    ("ALTER TABLE public.customers DROP CONSTRAINT customers_email_key;", []),
    (
        "/* è non-ASCII comment, several\nlines */ SELECT 1;\n-- é\nALTER TABLE public.customers DROP COLUMN email;",
        [("MIGRATION_COLUMN_DROP", "error", "email", 4)],
    ),
]


@pytest.mark.parametrize(("sql", "expected"), CASES)
def test_migration_table(tmp_path: Path, sql: str, expected: list) -> None:
    findings, _ = run(tmp_path, sql)
    assert sorted(findings) == sorted(expected)


@pytest.mark.parametrize(
    ("undeclared", "severity"), [("detect", "warning"), ("mask", "warning"), ("pass", "error"), ("block", "error")]
)
def test_new_column_severity_follows_the_undeclared_policy(tmp_path: Path, undeclared: str, severity: str) -> None:
    findings, proposals = run(tmp_path, "ALTER TABLE public.customers ADD COLUMN tier smallint NOT NULL;", undeclared)
    assert findings == [("MIGRATION_COLUMN_UNDECLARED", severity, "tier", 1)]
    (proposal,) = proposals
    assert "tier: {pii: ...}" in proposal and "int16" in proposal and "NOT NULL" in proposal


def test_declared_new_column_with_a_treatment_that_does_not_fit(tmp_path: Path) -> None:
    text = DECL.format(undeclared="detect") + "  active:   {pii: none, treatment: {generalize: {bucket: 10}}}\n"
    root = write_declarations(tmp_path / "s2", {"customers.yaml": text})
    d = load_declarations(root, BUILTIN_ENTITIES, default_treatments())
    findings, proposals = check_migration(
        parse_migration("ALTER TABLE public.customers ADD COLUMN active boolean;"), d, default_treatments(), "m.sql"
    )
    assert [f.rule for f in findings] == ["MIGRATION_COLUMN_TYPE"] and proposals == []
    assert "generalize bucket needs a number" in findings[0].message


def test_compatibility_none_reports_at_info(tmp_path: Path) -> None:
    text = DECL.format(undeclared="detect").replace("key: [id]\n", "key: [id]\ncompatibility: NONE\n")
    root = write_declarations(tmp_path / "s3", {"customers.yaml": text})
    d = load_declarations(root, BUILTIN_ENTITIES, default_treatments())
    findings, _ = check_migration(
        parse_migration("ALTER TABLE public.customers DROP COLUMN email;"), d, default_treatments(), "m.sql"
    )
    assert [(f.rule, str(f.severity), f.note) for f in findings] == [
        ("MIGRATION_COLUMN_DROP", "info", "compatibility NONE")
    ]


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(MigrationError, match=r"^m\.sql:3: SQL syntax error"):
        parse_migration("SELECT 1;\n\nALTER TABLE x DROP COLUMN;\n", "m.sql")


def test_a_syntax_error_never_shows_the_sql_it_quotes() -> None:
    """An unterminated literal makes PostgreSQL quote the rest of the file, over lines."""
    sql = "INSERT INTO t (note) VALUES ('call +1 415 555 0123\nabout card 4111 1111 1111 1111);\n"
    with pytest.raises(MigrationError) as raised:
        parse_migration(sql, "m.sql")
    assert "4111" not in str(raised.value) and "415" not in str(raised.value)


def test_a_table_moved_to_a_schema_named_with_personal_data_does_not_show_it(tmp_path: Path) -> None:
    findings, _ = check_migration(
        parse_migration('ALTER TABLE public.customers SET SCHEMA "jane.roe@example.com";'),
        decls(tmp_path, "detect"),
        default_treatments(),
        "m.sql",
        shown_name(SafeNames(b"test-key-0123456789abcdef0123456789")),
    )
    assert findings and all("jane.roe" not in f.message for f in findings)


@pytest.mark.parametrize(
    ("treatment", "field", "fits"),
    [
        ({"generalize": {"to": "year"}}, {"type": "int32", "name": "io.debezium.time.Date"}, True),
        ({"generalize": {"to": "year"}}, {"type": "int64", "name": "io.debezium.time.MicroTimestamp"}, True),
        ({"generalize": {"to": "year"}}, {"type": "string", "name": "io.debezium.time.ZonedTimestamp"}, True),
        ({"generalize": {"to": "year"}}, {"type": "int32"}, False),
        ({"generalize": {"bucket": 5}}, {"type": "bytes", "name": "org.apache.kafka.connect.data.Decimal"}, True),
        ({"generalize": {"bucket": 5}}, {"type": "boolean"}, False),
        ({"generalize": {"prefix": 3}}, {"type": "string"}, True),
        ({"generalize": {"prefix": 3}}, {"type": "int64"}, False),
        ("redact_detected", {"type": "string"}, True),
        ("redact_detected", {"type": "int32"}, False),
        ("hash", {"type": "boolean"}, True),
        ("mask", {"type": "bytes"}, True),
    ],
)
def test_treatment_fits_type(treatment, field, fits: bool) -> None:
    assert (misfit(parse_treatment(treatment), field) is None) is fits


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SET search_path TO crm, public;\nALTER TABLE customers DROP COLUMN email;", [("MIGRATION_COLUMN_DROP", 2)]),
        ('SET LOCAL search_path = "$user", crm;\nDROP TABLE customers;', [("MIGRATION_TABLE_DROP", 2)]),
        ("SET search_path TO crm;\nRESET search_path;\nALTER TABLE customers DROP COLUMN email;", []),
        ("ALTER TABLE customers DROP COLUMN email;", []),  # public.customers: not declared here
    ],
)
def test_unqualified_names_follow_the_migrations_search_path(tmp_path: Path, sql: str, expected: list) -> None:
    """A migration that sets search_path and then names tables unqualified changes the
    tables of that schema, not public's."""
    text = DECL.format(undeclared="detect").replace("table: public.customers", "table: crm.customers")
    root = write_declarations(tmp_path / "crm", {"customers.yaml": text})
    d = load_declarations(root, BUILTIN_ENTITIES, default_treatments())
    findings, _ = check_migration(parse_migration(sql), d, default_treatments(), "m.sql")
    assert [(f.rule, f.line) for f in findings] == expected


@pytest.mark.parametrize(("mode", "severity"), [("BACKWARD", "info"), ("FORWARD", "error"), ("FULL", "error")])
def test_drop_not_null_depends_on_the_mode(tmp_path: Path, mode: str, severity: str) -> None:
    text = DECL.format(undeclared="detect").replace("key: [id]\n", f"key: [id]\ncompatibility: {mode}\n")
    root = write_declarations(tmp_path / mode, {"customers.yaml": text})
    d = load_declarations(root, BUILTIN_ENTITIES, default_treatments())
    sql = "ALTER TABLE public.customers ALTER COLUMN score DROP NOT NULL;"
    findings, _ = check_migration(parse_migration(sql), d, default_treatments(), "m.sql")
    assert [(f.rule, str(f.severity)) for f in findings] == [("FIELD_NO_MAKE_OPTIONAL", severity)]
    assert "score" in findings[0].message and "NOT NULL" in findings[0].message


def test_a_renamed_personal_data_column_says_what_the_undeclared_policy_does_with_it(tmp_path: Path) -> None:
    """Under undeclared: pass the renamed e-mail column goes out raw under its new name:
    the finding must say so, not only that a field was renamed."""
    sql = "ALTER TABLE public.customers RENAME COLUMN email TO contact;"
    findings, _ = check_migration(parse_migration(sql), decls(tmp_path, "pass"), default_treatments(), "m.sql")
    (f,) = findings
    assert f.rule == "MIGRATION_COLUMN_RENAME" and "'contact'" in f.message
    assert "EMAIL_ADDRESS" in f.message and "undeclared: pass publishes it unchecked" in f.message


V1_PASS = DECL.format(undeclared="pass")  # cdr.shop.customers.v1, every column not listed published


def test_an_older_version_still_published_is_checked_too(tmp_path: Path) -> None:
    """v1 is published until its sunset under its own rules (undeclared: pass): a column
    the migration adds goes out raw there, whatever v2's policy says."""
    v2 = DECL.format(undeclared="detect").replace(
        "cdr_topic: cdr.shop.customers.v1\n",
        'cdr_topic: cdr.shop.customers.v2\nreplaces: {cdr_topic: cdr.shop.customers.v1, sunset: "2999-01-01"}\n',
    )
    root = write_declarations(tmp_path / "v", {"customers.v1.yaml": V1_PASS, "customers.v2.yaml": v2})
    d = load_declarations(root, BUILTIN_ENTITIES, default_treatments())
    sql = "ALTER TABLE public.customers ADD COLUMN ssn2 text;\nALTER TABLE public.customers DROP COLUMN score;"
    findings, proposals = check_migration(parse_migration(sql), d, default_treatments(), "m.sql")
    got = {(f.rule, str(f.severity), f.topic, f.line) for f in findings}
    assert got == {
        ("MIGRATION_COLUMN_UNDECLARED", "warning", "cdr.shop.customers.v2", 1),
        ("MIGRATION_COLUMN_UNDECLARED", "error", "cdr.shop.customers.v1", 1),
        ("MIGRATION_COLUMN_DROP", "error", "cdr.shop.customers.v2", 2),
        ("MIGRATION_COLUMN_DROP", "error", "cdr.shop.customers.v1", 2),
    }
    assert any("customers.v1.yaml" in p for p in proposals) and any("customers.v2.yaml" in p for p in proposals)


def test_a_do_block_is_not_read_and_says_so() -> None:
    """PostgreSQL's parser does not open DO bodies (PL/pgSQL): a DROP COLUMN inside one
    cannot be judged, so the check says which line it did not read."""
    sql = "SELECT 1;\nDO $$ BEGIN\n  ALTER TABLE public.customers DROP COLUMN email;\nEND $$;\n"
    (change,) = parse_migration(sql)
    assert (change.kind, change.line) == ("unread", 2)
