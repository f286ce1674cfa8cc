"""Versioned CDR topics with a sunset: which older versions are still published on a
given day, and, while the service runs, which consumer groups still read them (exported
as a gauge, so owners know whom to tell before the sunset)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

from pipeline.contracts.rules import Finding, Severity, finding
from pipeline.core.declaration import DeclarationSet
from pipeline.runtime.logs import log

logger = logging.getLogger("cdr.sunset")
POLL_S = 300.0  # consumer groups are asked again every 5 minutes
MAX_GROUPS_PER_TOPIC = 50  # label values per retiring topic: bounded


def sunset_findings(declarations: DeclarationSet, today: date) -> list[Finding]:
    """A warning per older version still declared after its sunset."""
    out = []
    for decls in declarations.retiring.values():
        for d in decls:
            if d.sunset is not None and date.fromisoformat(d.sunset) <= today:
                out.append(
                    finding(
                        "TOPIC_SUNSET_PASSED",
                        file=d.path,
                        line=d.lines.get("cdr_topic", 1),
                        topic=d.cdr_topic,
                        subject="",
                        message=f"{d.cdr_topic} was retired on {d.sunset}; its declaration is still here",
                        severity=Severity.WARNING,
                    )
                )
    return out


def retiring_topics(declarations: DeclarationSet) -> dict[str, str]:
    """Old CDR topic -> its sunset day."""
    return {d.cdr_topic: d.sunset or "" for decls in declarations.retiring.values() for d in decls}


class RetiringReaders:
    """Polls the broker for the consumer groups of each retiring topic and exports them:
    ``cdr_retiring_topic_readers{cdr_topic, sunset}`` (how many groups) and
    ``cdr_retiring_topic_reader{cdr_topic, group}`` (1 per group, at most 50 per topic)."""

    def __init__(
        self,
        settings: Mapping[str, Any],
        topics: Mapping[str, str],
        registry: CollectorRegistry,
        shown: Callable[[str], str],
    ) -> None:
        self.settings = dict(settings)
        self.topics = dict(topics)
        self.shown = shown  # a group id as a label may show it (SafeNames.group): ids are chosen by people
        self.readers = Gauge(
            "cdr_retiring_topic_readers",
            "Consumer groups with committed offsets on a CDR topic version past which a new one is published.",
            ["cdr_topic", "sunset"],
            registry=registry,
        )
        self.reader = Gauge(
            "cdr_retiring_topic_reader",
            "1 per consumer group still reading a retiring CDR topic (at most 50 per topic).",
            ["cdr_topic", "group"],
            registry=registry,
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self) -> dict[str, list[str]]:
        from pipeline.contracts.consumers import consumer_groups

        groups = consumer_groups(self.settings, self.topics)
        self.reader.clear()
        for topic, sunset in sorted(self.topics.items()):
            found = groups.get(topic, [])
            self.readers.labels(topic, sunset).set(len(found))
            for group in found[:MAX_GROUPS_PER_TOPIC]:
                self.reader.labels(topic, self.shown(group)).set(1)
        return groups

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="cdr-retiring-readers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        from pipeline.contracts.consumers import BrokerError

        while not self._stop.is_set():
            try:
                self.poll_once()
            except BrokerError as exc:
                log(logger, logging.WARNING, "retiring_topic_readers_unavailable", error=str(exc))
            self._stop.wait(POLL_S)
