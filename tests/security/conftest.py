"""The security tier: the attack ledger's fixtures and its closing tally line."""

from __future__ import annotations

import pytest

from tests.kafka_fixtures import kafka_bootstrap, new_topic
from tests.security.ledger import TALLY

__all__ = ["kafka_bootstrap", "new_topic"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """``security ledger: held H / tried T``, then the failing case ids by attack class."""
    if TALLY.runs:
        terminalreporter.section("attack ledger")
        for line in TALLY.lines():
            terminalreporter.write_line(line)
