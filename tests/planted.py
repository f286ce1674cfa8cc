"""Failing a test without showing the personal data it planted: pytest's long
tracebacks print every frame's arguments and the operands of a failed ``assert``, so a
test holding planted values fails through :func:`expect` (no traceback) and searches
through :func:`none_found` (the ledger's normalised search, indices in the message)."""

from __future__ import annotations

import pytest

from tests.security.ledger import Forms, Haystack


def expect(ok: bool, message: str) -> None:
    """Fail with ``message`` alone when ``ok`` is false."""
    if not ok:
        pytest.fail(message, pytrace=False)


def none_found(planted: list[str], *blobs: bytes | str | None, where: str = "the output") -> None:
    """No planted value (raw or normalised) in any blob; the message names indices."""
    hay = Haystack(blobs)
    found = [i for i, value in enumerate(planted) if hay.holds(Forms.of(value)) is not None]
    expect(not found, f"planted values #{found} found in {where}")
