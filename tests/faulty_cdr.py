"""``python -m tests.faulty_cdr ARGS``: the real ``cdr`` command with the reliability
tests' fault hooks installed, read from the ``CDR_FAULT_INJECTION`` environment variable,
e.g. ``recognizer_error_on=BOOM;loop_error_after=500``:

- ``recognizer_error_on=TEXT``: a recognizer that raises on any text containing TEXT
  (a detector bug): the record must go to the dead-letter topic, never out raw.
- ``loop_error_after=N``: the service loop raises once it has handled N records (an
  unhandled bug): the service must commit nothing more and exit non-zero.

The hooks live here, not in the service: they wrap the real start-up and loop from the
outside, and the production modules know nothing of them.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from typing import Any

from detectors.recognizers.base import Finding, Recognizer
from detectors.textscan import TextScanner
from pipeline.core.events import SourceRecord
from pipeline.runtime import bootstrap
from pipeline.runtime.service import Service
from pipeline.tools.main import main

ENV = "CDR_FAULT_INJECTION"


@dataclass(frozen=True)
class Faults:
    recognizer_error_on: str | None = None
    loop_error_after: int | None = None

    @classmethod
    def from_env(cls) -> Faults:
        raw = os.environ.get(ENV, "")
        values = dict(part.split("=", 1) for part in raw.split(";") if "=" in part)
        after = values.get("loop_error_after")
        return cls(values.get("recognizer_error_on") or None, int(after) if after else None)


class InjectedFault(RuntimeError):
    pass


class RaisingRecognizer(Recognizer):
    entity = "FAULT"
    name = "injected-fault"
    pattern = re.compile(r"(?!)")

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def find(self, text: str) -> list[Finding]:
        if self.marker in text:
            raise InjectedFault("injected recognizer fault")
        return []

    def match_value(self, value: str) -> float | None:
        if self.marker in value:
            raise InjectedFault("injected recognizer fault")
        return None


def install(faults: Faults) -> None:
    """Wrap the real start-up (the value scanner it builds) and the real loop (the batches
    it handles) with the faults asked for."""
    if faults.recognizer_error_on:
        marker = faults.recognizer_error_on
        real_detection = bootstrap.build_detection

        def build_detection(config: Any) -> tuple[TextScanner | None, Any]:
            scanner, profiler = real_detection(config)
            if scanner is not None:
                scanner.recognizers = (*scanner.recognizers, RaisingRecognizer(marker))
            return scanner, profiler

        bootstrap.build_detection = build_detection
    if faults.loop_error_after is not None:
        limit = faults.loop_error_after
        handled = [0]
        real_process, real_transaction = Service._process, Service._handle_transaction

        def count(records: list[SourceRecord]) -> None:
            # Before the batch is touched, as a bug at the top of the loop would be.
            handled[0] += len(records)
            if handled[0] >= limit:
                raise InjectedFault("injected loop fault")

        def process(self: Service, records: list[SourceRecord], entries: list[Any]) -> None:
            if self.txn is None:  # a transaction counted its batch already
                count(records)
            real_process(self, records, entries)

        def handle_transaction(self: Service, records: list[SourceRecord]) -> None:
            count(records)
            real_transaction(self, records)

        Service._process = process  # type: ignore[method-assign]
        Service._handle_transaction = handle_transaction  # type: ignore[method-assign]


if __name__ == "__main__":
    install(Faults.from_env())
    sys.exit(main())
