"""JSON columns declared ``none`` with ``paths`` for the leaves a team knew about (an
honest mistake: the documents hold more). The guard finds personal data in the rest of
the document and the column drifts to ``redact_detected``; that redaction must then
catch what the guard caught: a leaf that is a person's name, not only patterns."""

from __future__ import annotations

import json
from collections.abc import Callable
from random import Random

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import Rec, change, field, key
from tests.security.ledger import Case, with_fragments

ATTACK = "schema-changes"
N = 60
# Common US names (both parts high in the census lists).
COMMON_FIRST = ("Maria", "James", "Linda", "Robert", "Susan", "Carlos")
COMMON_LAST = ("Gonzalez", "Johnson", "Miller", "Garcia", "Davis", "Whitfield")
DECLARED = "id: {pii: none}\nprofile: {pii: none, paths: {contact.email: {pii: EMAIL_ADDRESS}}}"


def _case(case_id: str, description: str, other: Callable[[Random], str], known_leak: str | None = None) -> Case:
    r = v.rng(case_id)
    fields = [field("id", "int32"), field("profile", "string", "io.debezium.data.Json")]
    records, planted = [], []
    for n in range(N):
        extra = other(r)
        planted.append(extra)
        doc = {"contact": {"email": v.email(r, n + 1), "other": extra}, "tier": "gold"}
        records.append(Rec(key(n), change(table(case_id), {"id": n, "profile": json.dumps(doc)}, fields=fields)))
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, DECLARED),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        known_leak=known_leak,
    )


CASES = [
    _case(
        "json-paths-other-leaf-names",
        "a Json column declared none with a path for its e-mail; another leaf holds full names",
        lambda r: f"{r.choice(COMMON_FIRST)} {r.choice(COMMON_LAST)}",
    ),
    _case(
        "json-paths-other-leaf-unlisted-names",
        "the same, the other leaf holding names no list knows",
        v.unlisted_name,
    ),
    _case(
        "json-paths-other-leaf-phones",
        "the same, the other leaf holding bare ten-digit phone numbers",
        v.phone,
        known_leak="ten bare digits under a key that says nothing ('other') are as often an id: no phone",
    ),
]
CASES = with_fragments(CASES)  # a partial leak (a surname, the last six digits) counts too
