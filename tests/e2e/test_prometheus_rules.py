"""The alerting rules in deploy/prometheus/rules.yml are valid and name real metrics."""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.request

import pytest
import yaml

from devstack.prometheus import RULES
from devstack.stack import Stack

pytestmark = pytest.mark.e2e


def test_promtool_accepts_the_rules() -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool comes with Debian's prometheus package (deploy/local/install-system-deps.sh)"
    proc = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_metric_a_rule_uses_is_exported_by_the_service(stack: Stack) -> None:
    with urllib.request.urlopen(stack.metrics_url, timeout=5) as resp:
        text = resp.read().decode()
    # A family with no samples yet (no dead letter so far) still has its TYPE line.
    exported = set(re.findall(r"^# TYPE (\S+) ", text, flags=re.MULTILINE))
    rules = yaml.safe_load(RULES.read_text())["groups"][0]["rules"]
    used = {name for rule in rules for name in re.findall(r"\b(cdr_[a-z_]+)\b", rule["expr"])}
    used = {name for name in used if not name.startswith("cdr_audit_")}  # written by `cdr audit`, not the service
    assert used and used <= exported, f"rules use metrics the service does not export: {sorted(used - exported)}"
