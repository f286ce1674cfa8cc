"""Fixtures for every tier."""

from __future__ import annotations

import pytest

from tests.support import HASH_KEY

FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """Remember on the item whether its setup or call failed, for fixtures that print
    diagnostics (service logs) in their teardown."""
    report: pytest.TestReport = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


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
