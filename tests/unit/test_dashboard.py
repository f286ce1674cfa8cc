"""The Grafana dashboard (deploy/grafana/cdr-pipeline.json) is well formed and every
metric it charts is one the service registers. The end-to-end tier evaluates its
queries against the live Prometheus."""

from __future__ import annotations

import itertools
import json
import re

from prometheus_client import CollectorRegistry

from detectors.profiler import Profiler
from pipeline.core.declaration import DeclarationSet
from pipeline.runtime.metrics import Metrics
from tests.support import REPO

DASHBOARD = REPO / "deploy" / "grafana" / "cdr-pipeline.json"
_SUFFIXES = re.compile(r"_(total|bucket|sum|count|info|created)$")


def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def queries(dash: dict) -> list[str]:
    return [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]


def metric_names(expr: str) -> set[str]:
    return {_SUFFIXES.sub("", name) for name in re.findall(r"\b(cdr_[a-z_]+)\b", expr)}


def registered() -> set[str]:
    metrics = Metrics(CollectorRegistry())
    metrics.watch_detection(Profiler(), DeclarationSet({}))
    return {family.name for family in metrics.registry.collect()}


def test_panels_have_ids_places_and_queries() -> None:
    dash = dashboard()
    panels = dash["panels"]
    assert dash["uid"] == "cdr-pipeline" and panels
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    for panel in panels:
        g = panel["gridPos"]
        assert g["x"] >= 0 and g["x"] + g["w"] <= 24, panel["title"]
        if panel["type"] != "row":
            assert panel["targets"] and all(t["expr"].strip() for t in panel["targets"]), panel["title"]
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
    # No two panels cover the same cell of the grid.
    cells = [
        {
            (x, y)
            for x in range(p["gridPos"]["x"], p["gridPos"]["x"] + p["gridPos"]["w"])
            for y in range(p["gridPos"]["y"], p["gridPos"]["y"] + p["gridPos"]["h"])
        }
        for p in panels
    ]
    for (i, a), (j, b) in itertools.combinations(enumerate(cells), 2):
        assert not a & b, f"panels {panels[i]['title']!r} and {panels[j]['title']!r} overlap"


def test_every_charted_metric_is_registered_by_the_service() -> None:
    used = set().union(*(metric_names(q) for q in queries(dashboard())))
    used = {name for name in used if not name.startswith("cdr_audit_")}  # written by `cdr audit`
    known = registered()
    assert used, "the dashboard charts no cdr_ metric"
    assert used <= known, f"the dashboard charts metrics the service does not register: {sorted(used - known)}"


def test_the_dashboard_covers_the_metrics_ops_alert_on() -> None:
    used = set().union(*(metric_names(q) for q in queries(dashboard())))
    rules = (REPO / "deploy" / "prometheus" / "rules.yml").read_text()
    alerted = metric_names(rules)
    assert alerted <= used, f"alerting rules use metrics the dashboard does not show: {sorted(alerted - used)}"
