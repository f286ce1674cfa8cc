"""The list-counted histogram exposes what prometheus_client's own would, for the same
observations: the same cumulative buckets by ``le``, count and sum."""

from __future__ import annotations

import random

import pytest
from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from pipeline.runtime.histogram import ListHistogram
from pipeline.runtime.metrics import E2E_BUCKETS, LATENCY_BUCKETS, Metrics


def _samples(registry: CollectorRegistry, name: str) -> dict[tuple[str, str], float]:
    text = generate_latest(registry).decode()
    out = {}
    for family in text_string_to_metric_families(text):
        if family.name != name:
            continue
        for s in family.samples:
            if s.name.endswith("_created"):
                continue
            out[(s.name, s.labels.get("le", ""))] = s.value
    return out


@pytest.mark.parametrize("buckets", [LATENCY_BUCKETS, E2E_BUCKETS, (1.0,), (0.1, 0.25, 0.5)])
def test_the_same_series_as_prometheus_clients_histogram(buckets: tuple[float, ...]) -> None:
    rng = random.Random(7)
    ours, theirs = CollectorRegistry(), CollectorRegistry()
    mine = ListHistogram("h_seconds", "doc", buckets, ours)
    reference = Histogram("h_seconds", "doc", buckets=buckets, registry=theirs)
    values = [rng.choice([0.0, *buckets]) for _ in range(200)]  # on the bounds: le is inclusive
    values += [rng.uniform(0, 2 * max(buckets)) for _ in range(500)] + [1e12]
    for v in values:
        mine.observe(v)
        reference.observe(v)
    for v, n in [(0.00042, 37), (max(buckets), 5), (0.0, 3)]:
        mine.observe_many(v, n)
        for _ in range(n):
            reference.observe(v)
    mine.observe_many(0.3, 0)
    got, want = _samples(ours, "h_seconds"), _samples(theirs, "h_seconds")
    assert got.keys() == want.keys()
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=1e-9), key


def test_the_services_histograms_are_scraped_with_their_buckets() -> None:
    metrics = Metrics()
    metrics.processing.observe_many(0.0003, 40)
    metrics.produced_to("cdr.users", 0)  # committed at the epoch: in the +Inf bucket only
    samples = _samples(metrics.registry, "cdr_processing_seconds")
    assert samples[("cdr_processing_seconds_bucket", "0.00025")] == 0
    assert samples[("cdr_processing_seconds_bucket", "0.0005")] == 40
    assert samples[("cdr_processing_seconds_count", "")] == 40
    e2e = _samples(metrics.registry, "cdr_end_to_end_latency_seconds")
    assert e2e[("cdr_end_to_end_latency_seconds_bucket", "3600.0")] == 0
    assert e2e[("cdr_end_to_end_latency_seconds_bucket", "+Inf")] == 1


def test_nan_is_counted_in_no_bucket() -> None:
    registry = CollectorRegistry()
    mine = ListHistogram("h_seconds", "doc", (0.1, 1.0), registry)
    mine.observe(float("nan"))
    mine.observe_many(float("nan"), 5)
    mine.observe(0.05)
    samples = _samples(registry, "h_seconds")
    assert samples[("h_seconds_bucket", "0.1")] == 1 and samples[("h_seconds_count", "")] == 1
