"""A PostgreSQL migration caught before it runs, on the real stack (PostgreSQL -> Debezium ->
Kafka -> cdr run): `cdr check --migration` predicts which declared column leaves the CDR
topic and which new column must be declared; `--dsn` sees the same once it has run; and
the running service does what was predicted (the field is gone and reported, the new
column is withheld until someone declares it)."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from devstack.stack import Stack
from pipeline.tools.main import main
from tests.e2e.conftest import TopicFollower

pytestmark = pytest.mark.e2e

FX = "cdr.shop.fx_rates"
MIGRATION = """\
-- treasury release 7: observation times move to the audit table; rates get a desk
ALTER TABLE public.fx_rates DROP COLUMN observed_at;
ALTER TABLE public.fx_rates ADD COLUMN source_desk text;
"""


def check(stack: Stack, capsys, *args: str) -> tuple[int, set[tuple[str, str]]]:
    code = main(["check", str(stack.schemas), "--no-revision", "--format", "json", *args])
    report = json.loads(capsys.readouterr().out)
    return code, {(f["rule"], f["subject"]) for f in report["findings"] if f["topic"] == FX}


def doc(raw: bytes | None) -> Any:
    """A CDR record's document: the payload of a {schema, payload} envelope."""
    if raw is None:
        return None
    parsed = json.loads(raw)
    return parsed["payload"] if isinstance(parsed, dict) and set(parsed) == {"schema", "payload"} else parsed


def _metrics(stack: Stack) -> str:
    with urllib.request.urlopen(stack.metrics_url, timeout=5) as resp:
        return resp.read().decode()


def test_migration_is_caught_before_it_runs_and_the_service_does_as_predicted(
    stack: Stack, cdr: TopicFollower, db: Any, capsys, tmp_path: Path
) -> None:
    sql = tmp_path / "0007_fx.sql"
    sql.write_text(MIGRATION)
    code, before = check(stack, capsys, "--dsn", stack.postgres_dsn())
    assert before == set()  # the declarations match the database today
    code, predicted = check(stack, capsys, "--migration", str(sql))
    assert code == 1
    assert predicted == {("MIGRATION_COLUMN_DROP", "observed_at"), ("MIGRATION_COLUMN_UNDECLARED", "source_desk")}

    db.execute(MIGRATION)
    code, live = check(stack, capsys, "--dsn", stack.postgres_dsn())
    assert code == 1
    assert live == {("LIVE_COLUMN_MISSING", "observed_at"), ("LIVE_COLUMN_UNDECLARED", "source_desk")}

    db.execute("INSERT INTO fx_rates (pair, rate, source_desk) VALUES ('XTS/XXX', 0.94120000, 'zurich-desk-3')")

    def migrated(r: Any) -> bool:  # the table's shape after the migration (the snapshot's rows predate it)
        after = (doc(r.value) or {}).get("after")
        return isinstance(after, dict) and "source_desk" in after

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not [r for r in cdr.snapshot(FX) if migrated(r)]:
        dead = [
            r
            for r in cdr.snapshot("cdr.dead-letter")
            if r.headers.get("__connect.errors.topic") == b"shop.public.fx_rates"
        ]
        reasons = sorted(
            {
                f"{(r.headers.get('cdr.error.reason') or b'?').decode()}: "
                f"{(r.headers.get('__connect.errors.exception.message') or b'').decode()}"
                for r in dead
            }
        )
        assert not dead, f"the migrated rows were dead-lettered: {reasons}"
        time.sleep(0.5)
    rec = cdr.wait(FX, migrated, timeout=1)[0]
    after = doc(rec.value)["after"]
    assert "observed_at" not in after  # MIGRATION_COLUMN_DROP: the field left the topic
    assert "source_desk" in after and after["source_desk"] != "zurich-desk-3"  # undeclared: withheld
    metrics = _metrics(stack)
    assert 'cdr_declared_column_missing{column="observed_at",table="public.fx_rates"} 1.0' in metrics
    assert 'cdr_undeclared_column_events_total{column="source_desk",table="public.fx_rates"}' in metrics
