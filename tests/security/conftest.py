"""The security tier: the attack ledger's fixtures and its closing tally line."""

from __future__ import annotations

import pytest

from tests.kafka_fixtures import kafka_bootstrap, new_topic
from tests.security.ledger import AVRO_TALLY, TALLY

__all__ = ["kafka_bootstrap", "new_topic"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """``security ledger: held H / tried T``, then the failing case ids by attack class;
    the same for the Avro run on its own line, with its skipped cases by reason."""
    if TALLY.runs or AVRO_TALLY.runs or AVRO_TALLY.skipped:
        terminalreporter.section("attack ledger")
        for tally in (TALLY, AVRO_TALLY):
            if tally.runs or tally.skipped:
                for line in tally.lines():
                    terminalreporter.write_line(line)
