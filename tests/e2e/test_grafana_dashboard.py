"""Every query of the Grafana dashboard (deploy/grafana/cdr-pipeline.json) runs in the
stack's real Prometheus, which scrapes the service under database traffic; the panels
an operator looks at first show data."""

from __future__ import annotations

import json
import time

import pytest

from devstack.prometheus import LocalPrometheus
from devstack.stack import Stack
from tests.support import REPO

pytestmark = pytest.mark.e2e

DASHBOARD = REPO / "deploy" / "grafana" / "cdr-pipeline.json"
# Grafana's variables, as Grafana fills them in with every instance selected.
VARIABLES = {"$__rate_interval": "1m", '"$instance"': '".*"'}
# Panels that must show data on a running pipeline with traffic.
MUST_SHOW = {
    "Events per second, in and out",
    "Consumer lag",
    "Processing time per record",
    "End-to-end latency",
    "Personal data treated per second",
    "Field values treated per second",
    "Column verdicts",
    "Undeclared PII columns",
    "Declarations loaded",
    "Ready and assigned partitions",
    "Commits and transactions",
}


def expand(expr: str) -> str:
    for name, value in VARIABLES.items():
        expr = expr.replace(name, value)
    assert "$" not in expr, f"unfilled variable in {expr!r}"
    return expr


def test_every_dashboard_query_runs_and_the_main_panels_show_data(stack: Stack) -> None:
    prom = LocalPrometheus(stack.run_dir / "prometheus", [], port=stack.state["prometheus"]["port"])
    panels = [p for p in json.loads(DASHBOARD.read_text())["panels"] if p["type"] != "row"]
    assert {p["title"] for p in panels} >= MUST_SHOW
    empty: set[str] = set()
    deadline = time.monotonic() + 60  # rate() needs a minute's worth of one-second scrapes at the start
    while True:
        empty = set()
        for panel in panels:
            results = [prom.query(expand(t["expr"])) for t in panel["targets"]]  # raises on a bad query
            if panel["title"] in MUST_SHOW and not any(results):
                empty.add(panel["title"])
        if not empty or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert not empty, f"panels without data on a running pipeline: {sorted(empty)}"
