"""Fault injection for the reliability tests (tests/reliability): off unless the
``CDR_FAULT_INJECTION`` environment variable is set, e.g.
``recognizer_error_on=BOOM;loop_error_after=500``:

- ``recognizer_error_on=TEXT``: a recognizer that raises on any text containing TEXT
  (a detector bug): the record must go to the dead-letter topic, never out raw.
- ``loop_error_after=N``: the service loop raises once it has handled N records (an
  unhandled bug): the service must commit nothing more and exit non-zero.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from detectors.recognizers.base import Finding, Recognizer
from pipeline.errors import CdrError

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


class InjectedFault(CdrError, RuntimeError):
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
