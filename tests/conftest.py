"""Fixtures for every tier."""

from __future__ import annotations

import pytest

from tests.support import HASH_KEY


@pytest.fixture(autouse=True)
def hash_key_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CDR_HASH_KEY", HASH_KEY)
    return HASH_KEY
