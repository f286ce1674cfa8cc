"""Fixtures for every tier."""

from __future__ import annotations

import pytest

from tests.support import HASH_KEY


@pytest.fixture(autouse=True)
def hash_key_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CDR_HASH_KEY", HASH_KEY)
    return HASH_KEY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The reliability tier's figure lines (records, faults, lost, duplicated, dead-lettered)."""
    from tests.reliability.ledger import FIGURES

    if FIGURES:
        terminalreporter.section("fault test figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
