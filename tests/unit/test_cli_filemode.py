"""`cdr process` and `cdr validate` run as a user runs them (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import HASH_KEY, assert_no_raw, digest, example, write_declarations

CDR = str(Path(sys.executable).with_name("cdr"))
DECL = """\
table: inventory.customers
source_topic: dbserver1.inventory.customers
cdr_topic: cdr.customers.v1
owner: crm
columns:
  id: {pii: none}
  first_name: {pii: PERSON}
  last_name: {pii: PERSON}
  email: {pii: EMAIL_ADDRESS}
"""


def cdr(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "CDR_HASH_KEY": HASH_KEY, "COLUMNS": "200", **(env or {})}
    return subprocess.run([CDR, *args], capture_output=True, text=True, env=full_env, check=False, timeout=60)


def test_process_file(tmp_path: Path) -> None:
    schemas = write_declarations(tmp_path / "schemas", {"crm/customers.yaml": DECL})
    create = example("pg_create_full_schema.json")
    lines = [
        {
            "topic": "dbserver1.inventory.customers",
            "partition": 0,
            "offset": 0,
            "key": {"id": 1},
            "value": create,
        },
        {
            "topic": "dbserver1.inventory.customers",
            "partition": 0,
            "offset": 1,
            "key": {"id": 1},
            "value": None,
        },
        {
            "topic": "dbserver1.transaction",
            "partition": 0,
            "offset": 0,
            "key": None,
            "value": example("pg_transaction_begin.json"),
        },
        {
            "topic": "dbserver1.inventory.customers",
            "partition": 0,
            "offset": 2,
            "key": None,
            "value": {"op": "zz", "after": {"email": "annek@noanswer.org"}},
        },
    ]
    src = tmp_path / "in.jsonl"
    text = (
        "\n".join(json.dumps(line) for line in lines)
        + '\n{"topic": "dbserver1.inventory.customers", "value": {"email": "annek@noan\n[1]\n'
    )
    src.write_text(text)
    out = tmp_path / "out.jsonl"
    res = cdr("process", "--schemas", str(schemas), "--input", str(src), "--output", str(out))
    assert res.returncode == 0, res.stderr
    assert "2 published" in res.stderr and "3 dead-lettered" in res.stderr
    records = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["topic"] for r in records] == ["cdr.customers.v1", "cdr.customers.v1"]
    assert records[0]["value"]["payload"]["after"]["email"] == digest("annek@noanswer.org")
    assert records[0]["headers"]["cdr.pii"] == {"first_name": "hash", "last_name": "hash", "email": "hash"}
    assert records[0]["headers"]["cdr.source"] == "dbserver1.inventory.customers/0/0"
    assert records[1]["value"] is None and records[1]["key"] == {"id": 1}
    assert_no_raw(["annek@noanswer.org", "Kretchmar"], out.read_text())
    dead = [json.loads(x) for x in (tmp_path / "out.dlq.jsonl").read_text().splitlines()]
    assert [d["error"]["reason"] for d in dead] == ["unknown_op", "invalid_json", "bad_line"]
    assert [d["line"] for d in dead] == [4, 5, 6]
    assert_no_raw(["annek@noanswer.org"], res.stderr, res.stdout)


def test_process_refuses_invalid_declarations(tmp_path: Path) -> None:
    schemas = write_declarations(tmp_path / "schemas", {"c.yaml": DECL.replace("PERSON}", "PERSN}", 1)})
    src = tmp_path / "in.jsonl"
    src.write_text("")
    res = cdr("process", "--schemas", str(schemas), "--input", str(src), "--output", str(tmp_path / "o.jsonl"))
    assert res.returncode == 3
    assert f"{schemas}/c.yaml:7: column 'first_name': unknown pii 'PERSN'" in res.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_process_bad_arguments(tmp_path: Path) -> None:
    assert cdr("process", "--input", str(tmp_path / "missing"), "--output", str(tmp_path / "o")).returncode == 2
    assert cdr("process").returncode == 2


def test_process_needs_a_hash_key(tmp_path: Path) -> None:
    schemas = write_declarations(tmp_path / "schemas", {"c.yaml": DECL})
    src = tmp_path / "in.jsonl"
    src.write_text("")
    res = cdr(
        "process",
        "--schemas",
        str(schemas),
        "--input",
        str(src),
        "--output",
        str(tmp_path / "o.jsonl"),
        env={"CDR_HASH_KEY": ""},
    )
    assert res.returncode == 3 and "no hash key" in res.stderr


def test_validate(tmp_path: Path) -> None:
    good = write_declarations(tmp_path / "good", {"c.yaml": DECL})
    res = cdr("validate", str(good))
    assert res.returncode == 0 and "inventory.customers" in res.stdout
    bad = write_declarations(tmp_path / "bad", {"c.yaml": DECL + "extra: 1\n", "d.yaml": "table: x\n"})
    res = cdr("validate", str(bad))
    assert res.returncode == 3
    problems = [line for line in res.stderr.splitlines() if ".yaml:" in line]
    assert problems[0] == f"{bad}/c.yaml:10: unknown key 'extra'"
    assert all(line.startswith(f"{bad}/d.yaml:1: ") for line in problems[1:])
    assert len(problems) == 6  # c.yaml: 1; d.yaml: the table pattern and 4 missing keys
