"""`cdr scan --dsn` against the sample database, and the stack's own CLI on the running stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from devstack.stack import REPO, Stack

pytestmark = pytest.mark.e2e

CDR = (sys.executable, "-m", "pipeline")  # the tree under test, not whichever `cdr` script is installed


def test_scan_dsn_proposes_declarations_and_fails_on_undeclared_pii(stack: Stack, tmp_path: Path, planted) -> None:
    out = tmp_path / "proposals"
    proc = subprocess.run(
        [
            *CDR,
            "scan",
            "--dsn",
            stack.postgres_dsn(),
            "--out",
            str(out),
            "--schemas",
            str(REPO / "schemas" / "shop"),
            "--topic-prefix",
            "shop",
            "--sample",
            "500",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]  # customers.phone and date_of_birth are not declared
    tables = {p.stem for p in out.glob("*.yaml")}
    assert {"public.customers", "public.accounts", "public.payments", "public.fx_rates"} <= tables
    customers = yaml.safe_load((out / "public.customers.yaml").read_text())
    assert customers["source_topic"] == "shop.public.customers"
    pii = {name: col["pii"] for name, col in customers["columns"].items()}
    assert pii["phone"] == "PHONE_NUMBER" and pii["date_of_birth"] == "DATE_OF_BIRTH"
    assert pii["email"] == "EMAIL_ADDRESS" and pii["id"] == "none"
    # 30 rows are too few to show positive evidence: segment is left undeclared, never "none"
    assert "segment" not in pii and "# segment: too few values" in (out / "public.customers.yaml").read_text()
    assert "contacts[].email" in customers["columns"]["profile"]["paths"]
    payments = yaml.safe_load((out / "public.payments.yaml").read_text())
    assert payments["columns"]["card_number"]["pii"] == "CREDIT_CARD"
    fx = yaml.safe_load((out / "public.fx_rates.yaml").read_text())
    assert {col["pii"] for col in fx["columns"].values()} <= {"none"}
    # Proposals are declarations: they validate as they are.
    valid = subprocess.run([*CDR, "validate", str(out)], capture_output=True, text=True, check=False)
    assert valid.returncode == 0, valid.stdout[-2000:]
    # The report and the proposals name columns and evidence, never a value.
    text = proc.stdout + proc.stderr + "".join(p.read_text() for p in out.glob("*.yaml"))
    assert not [v for v in planted if len(v) >= 6 and v in text], "cdr scan printed a sampled value"


def test_stack_cli_reports_status_and_logs(stack: Stack) -> None:
    status = subprocess.run(
        [sys.executable, "-m", "devstack.stack", "--run-dir", str(stack.run_dir), "status"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert status.returncode == 0, status.stdout
    for component in ("postgres", "kafka", "connect", "service", "prometheus"):
        assert component in status.stdout
    assert status.stdout.count("running") >= 5
    assert "connector shop: RUNNING" in status.stdout
    logs = subprocess.run(
        [sys.executable, "-m", "devstack.stack", "--run-dir", str(stack.run_dir), "logs", "service", "-n", "5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert logs.returncode == 0 and len(logs.stdout.splitlines()) == 5
