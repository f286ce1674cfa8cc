"""`cdr scan`: proposals that load as declarations, declared-vs-detected, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from devstack.sample_events import CustomerEvents
from pipeline.config import default_treatments
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.declarations.loader import load_declarations
from tests.support import HASH_KEY, assert_no_raw, write_declarations

CDR = (sys.executable, "-m", "pipeline")  # the tree under test, not whichever `cdr` script is installed


def sample_file(tmp_path: Path, n: int = 400) -> tuple[Path, list[dict]]:
    gen = CustomerEvents(prefix="shop", seed=9)
    records = list(gen.snapshot(n // 2)) + list(gen.changes(n // 2))
    for rec in records:  # a JSON profile column nobody declared, with an e-mail inside
        if rec["value"] and rec["value"]["payload"]["after"]:
            after = rec["value"]["payload"]["after"]
            after["profile"] = json.dumps({"contact": {"email": after["email"]}, "lang": "en"})
    for rec in records:  # schemaless, so the extra column needs no schema field
        if rec["value"] is not None:
            rec["value"] = rec["value"]["payload"]
        rec["key"] = rec["key"]["payload"]
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path, records


def cdr(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CDR_HASH_KEY": HASH_KEY, "COLUMNS": "200"}
    return subprocess.run([*CDR, *args], capture_output=True, text=True, env=env, check=False, timeout=120)


def test_scan_proposes_valid_declarations_with_evidence(tmp_path: Path) -> None:
    sample, records = sample_file(tmp_path)
    res = cdr("scan", "--input", str(sample), "--out", str(tmp_path / "proposals"))
    assert res.returncode == 0, res.stderr
    text = (tmp_path / "proposals" / "public.customers.yaml").read_text()
    assert "email: {pii: EMAIL_ADDRESS}  # pii, rows:EMAIL_ADDRESS=1" in text
    assert "ssn: {pii: US_SSN}" in text and "notes: {pii: free_text}" in text and "tier: {pii: none}" in text
    assert "contact.email: {pii: EMAIL_ADDRESS}" in text  # a JSON leaf, by path
    decls = load_declarations(tmp_path / "proposals", BUILTIN_ENTITIES, default_treatments())
    assert decls.for_topic("shop.public.customers").columns["email"].pii == "EMAIL_ADDRESS"
    emails = [r["value"]["after"]["email"] for r in records if r["value"] and r["value"]["after"]]
    assert_no_raw(emails, text, res.stdout, res.stderr)


def test_scan_against_declarations_fails_on_undeclared_pii(tmp_path: Path) -> None:
    sample, _ = sample_file(tmp_path)
    decl = """\
table: public.customers
source_topic: shop.public.customers
cdr_topic: cdr.customers
owner: crm
columns:
  id: {pii: none}
  first_name: {pii: PERSON}
  last_name: {pii: PERSON}
  email: {pii: none}
  phone: {pii: PHONE_NUMBER}
  date_of_birth: {pii: DATE_OF_BIRTH}
  notes: {pii: free_text}
"""
    schemas = write_declarations(tmp_path / "schemas", {"c.yaml": decl})
    res = cdr("scan", "--input", str(sample), "--schemas", str(schemas), "--no-ner")
    assert res.returncode == 1
    rows = {line.split("│")[2].strip(): line for line in res.stdout.splitlines() if line.count("│") >= 6}
    assert "drift" in rows["email"] and "undeclared-pii" in rows["ssn"] and "undeclared-pii" in rows["profile"]
    assert "ok" in rows["phone"]
    complete = decl.replace("email: {pii: none}", "email: {pii: EMAIL_ADDRESS}") + (
        "  ssn: {pii: US_SSN}\n  profile: {pii: free_text}\n"
    )
    write_declarations(schemas, {"c.yaml": complete})
    assert cdr("scan", "--input", str(sample), "--schemas", str(schemas), "--no-ner").returncode == 0


def test_scan_arguments(tmp_path: Path) -> None:
    assert cdr("scan", "--input", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path)).returncode == 2
    sample, _ = sample_file(tmp_path, 10)
    assert cdr("scan", "--input", str(sample)).returncode == 2  # neither --out nor --schemas


def test_scan_never_proposes_none_without_positive_evidence(tmp_path: Path) -> None:
    rows = [{"id": i, "code": f"K{i * 7919 % 100003:05d}-{i}", "status": ["open", "closed"][i % 2]} for i in range(300)]
    rows += [{"id": 900 + i, "code": f"Q{i}", "status": "open"} for i in range(3)]
    lines = [
        json.dumps(
            {
                "topic": "shop.public.tickets",
                "key": {"id": r["id"]},
                "value": {"op": "r", "before": None, "after": r, "source": {"schema": "public", "table": "tickets"}},
            }
        )
        for r in rows
    ]
    sample = tmp_path / "tickets.jsonl"
    sample.write_text("\n".join(lines) + "\n")
    few = tmp_path / "few.jsonl"
    few.write_text("\n".join(lines[:5]) + "\n")
    for src, out in ((sample, "many"), (few, "few")):
        res = cdr("scan", "--input", str(src), "--out", str(tmp_path / out), "--no-ner")
        assert res.returncode == 0, res.stderr
    text = (tmp_path / "many" / "public.tickets.yaml").read_text()
    assert "status: {pii: none}" in text  # two categories: positive evidence
    assert "code: {pii: none}" not in text and "# code: no positive evidence" in text
    few_text = (tmp_path / "few" / "public.tickets.yaml").read_text()
    assert "{pii: none}" not in few_text and "too few values" in few_text  # pending is never none
    load_declarations(tmp_path / "few", BUILTIN_ENTITIES, default_treatments())  # still a valid declaration
