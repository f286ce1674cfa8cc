"""cdr check --dsn and --migration on a real PostgreSQL (Debian's server, started here on
127.0.0.1): the sample shop database and its declarations (schemas/shop). A migration
that drops a declared column and adds an undeclared one is caught by --migration before
it runs; once it has run, --dsn reports the same columns, and the processing core fed rows
shaped as Debezium publishes them from the migrated table does what the check predicted."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from devstack.ports import free_port
from devstack.postgres import LocalPostgres
from pipeline.core.events import Published
from pipeline.runtime.dbsample import debezium_field, debezium_value, list_tables
from pipeline.tools.main import main
from tests.support import REPO, doc, make_processor, record

pytestmark = pytest.mark.integration

SHOP = REPO / "schemas" / "shop"
MIGRATION = """\
-- release 42: segments move to the CRM; loyalty tiers arrive
ALTER TABLE public.customers DROP COLUMN segment;
ALTER TABLE public.customers ADD COLUMN loyalty_tier text NOT NULL DEFAULT 'bronze';
"""
# Planted values: the phone and birth-date columns are not declared in schemas/shop.
ROWS = [
    ("Ann", "Lee", f"ann{i}@example.com", f"+1 202 555 {1000 + i:04d}", f"19{60 + i % 30}-0{1 + i % 9}-1{i % 9}")
    for i in range(60)
]


@pytest.fixture(scope="module")
def shop_db(tmp_path_factory: pytest.TempPathFactory):
    pg = LocalPostgres(tmp_path_factory.mktemp("pg"), port=free_port())
    pg.start()
    try:
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.execute((REPO / "deploy" / "local" / "sample" / "schema.sql").read_text())
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO customers (first_name, last_name, email, phone, date_of_birth) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    ROWS,
                )
        yield pg
    finally:
        pg.stop()
        pg.remove()


def check(capsys, *args: str) -> tuple[int, dict]:
    code = main(["check", str(SHOP), "--no-revision", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def rules(report: dict) -> set[tuple[str, str]]:
    return {(f["rule"], f["subject"]) for f in report["findings"]}


def test_live_database_before_and_after_a_migration(shop_db: LocalPostgres, capsys, tmp_path: Path) -> None:
    dsn = shop_db.dsn()
    # 1. Today: the sample declarations leave phone and date_of_birth undeclared, on purpose.
    code, report = check(capsys, "--dsn", dsn)
    assert code == 0, report  # undeclared: detect withholds them: warnings, not errors
    assert rules(report) == {("LIVE_COLUMN_UNDECLARED", "phone"), ("LIVE_COLUMN_UNDECLARED", "date_of_birth")}
    (proposal,) = report["proposals"]
    assert "customers.yaml" in proposal
    assert "phone: {pii: PHONE_NUMBER}" in proposal  # from the sampled values, not the name alone
    assert "date_of_birth" in proposal

    # 2. The migration, before it runs.
    sql = tmp_path / "0042_release.sql"
    sql.write_text(MIGRATION)
    code, report = check(capsys, "--migration", str(sql))
    assert code == 1
    predicted = {(f["rule"], f["subject"], f["line"]) for f in report["findings"]}
    assert predicted == {("MIGRATION_COLUMN_DROP", "segment", 2), ("MIGRATION_COLUMN_UNDECLARED", "loyalty_tier", 3)}

    # 3. It runs; the live check now sees what the migration check predicted.
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(MIGRATION)
    code, report = check(capsys, "--dsn", dsn)
    assert code == 1
    live = rules(report)
    assert ("LIVE_COLUMN_MISSING", "segment") in live and ("LIVE_COLUMN_UNDECLARED", "loyalty_tier") in live
    missing = next(f for f in report["findings"] if f["rule"] == "LIVE_COLUMN_MISSING")
    assert missing["file"].endswith("customers.yaml") and missing["line"] == 19

    # 4. The processing core on a row shaped as Debezium publishes it from the migrated table.
    with psycopg.connect(dsn, autocommit=True) as conn:
        info = next(t for t in list_tables(conn) if t.name == "customers")
        cur = conn.execute("SELECT * FROM customers ORDER BY id LIMIT 1")
        names = [d.name for d in cur.description or []]
        values = cur.fetchone()
    assert values is not None
    by_name = {c.name: c for c in info.columns}
    # NOT NULL is read from the catalog: Debezium publishes those fields as required
    assert by_name["email"].not_null and not by_name["phone"].not_null
    assert debezium_field(by_name["email"])["optional"] is False

    after = {n: debezium_value(v, by_name[n]) for n, v in zip(names, values, strict=True)}
    fields = [debezium_field(by_name[n]) for n in names]
    event = {
        "schema": {
            "type": "struct",
            "fields": [
                {"type": "struct", "fields": fields, "optional": True, "field": "before"},
                {"type": "struct", "fields": fields, "optional": True, "field": "after"},
                {"type": "string", "optional": False, "field": "op"},
            ],
        },
        "payload": {"before": None, "after": after, "op": "c"},
    }
    proc = make_processor(tmp_path / "schemas", {p.name: p.read_text() for p in SHOP.glob("*.yaml")})
    out = proc.process(record("shop.public.customers", event))
    assert isinstance(out, Published), out
    assert out.report.missing_columns == ("segment",)  # the field the check said leaves the topic
    assert "loyalty_tier" in out.report.undeclared_columns  # the column the check said to declare
    value = doc(out.records[0].value)
    published = {f["field"] for f in next(f for f in value["schema"]["fields"] if f["field"] == "after")["fields"]}
    assert "segment" not in published
    assert value["payload"]["after"]["loyalty_tier"] != "bronze"  # withheld until declared or cleared
