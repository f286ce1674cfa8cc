"""The attack ledger's cases, one module per attack class."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.cases import (
    columns,
    composite_columns,
    disguises,
    envelopes,
    guard_disguises,
    json_paths,
    keys,
    metadata_positions,
    names,
    national_ids,
    obfuscations,
    partial_spans,
    quasi,
    resources,
    resources_shape,
    schema_changes,
    schema_metadata,
    scripts,
    smuggling,
    types,
    valueforms,
)
from tests.security.ledger import Case

ALL: tuple[Case, ...] = (
    *columns.CASES,
    *types.CASES,
    *composite_columns.CASES,
    *envelopes.CASES,
    *keys.CASES,
    *disguises.CASES,
    *guard_disguises.CASES,
    *json_paths.CASES,
    *names.CASES,
    *national_ids.CASES,
    *obfuscations.CASES,
    *resources.CASES,
    *resources_shape.CASES,
    *schema_changes.CASES,
    *schema_metadata.CASES,
    *metadata_positions.CASES,
    *scripts.CASES,
    *valueforms.CASES,
    *partial_spans.CASES,
    *quasi.CASES,
    *smuggling.CASES,
)


def params(cases: tuple[Case, ...] | list[Case]) -> list[Any]:
    """The cases as pytest parameters: a known leak is a strict xfail (its fix turns it
    into a failure to look at, not a silent pass)."""
    return [
        pytest.param(c, id=c.id, marks=pytest.mark.xfail(strict=True, reason=c.known_leak)) if c.known_leak else c
        for c in cases
    ]


BY_ID = {case.id: case for case in ALL}
assert len(BY_ID) == len(ALL), "case ids must be unique"
assert all(len(p) >= 6 for case in ALL for p in case.planted), "a short planted value would match by chance"
