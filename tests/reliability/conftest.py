"""The reliability tier: fault tests against the real broker. Each keeps a ledger of what
it sent, checks what came out, and reports one line of figures (printed at the end of
the session); each also scans the service's logs, /metrics and dead-letter headers for
the raw values it planted."""

from __future__ import annotations

from typing import Any

from tests.kafka_fixtures import kafka_bootstrap, new_topic, service

__all__ = ["fast", "kafka_bootstrap", "new_topic", "service"]

# Fast restarts: NER off (startup ~1 s), static membership (a restarted worker takes its
# old place at once instead of waiting out the session timeout), small batches.
FAST: dict[str, Any] = {
    "detection": {"ner": False},
    "consumer": {"group.instance.id": "rel", "session.timeout.ms": 10000},
    "batch": {"size": 200, "timeout_ms": 50},
}


def fast(static: bool = True, **overrides: Any) -> dict[str, Any]:
    config = {k: dict(v) for k, v in FAST.items()}
    if not static:
        del config["consumer"]["group.instance.id"]
    for key, value in overrides.items():
        if isinstance(value, dict) and key in config:
            config[key].update(value)
        else:
            config[key] = value
    return config
