"""Hostile declarations and config: rules that reveal most of an identifier, keep the
whole value, pass a high-risk entity, pass undeclared columns, or hash with a weak key.
``cdr validate`` must refuse the rule; if ``cdr process`` runs it anyway, the revealed
part is planted and must not come out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from random import Random
from typing import Any

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import Rec, change, key
from tests.security.ledger import Case

ATTACK = "hostile-declarations"
N = 20


@dataclass(frozen=True)
class RuleCase:
    case: Case
    hash_key: str | None = None  # CDR_HASH_KEY for the run (a weak key), else the tests' key
    validate_must_fail: bool = True  # False where `cdr validate` has no way to see the problem (the key)


def _rule_case(
    case_id: str,
    description: str,
    columns: str,
    make: Callable[[Random], tuple[dict[str, Any], list[str]]],
    undeclared: str = "detect",
    config: dict[str, Any] | None = None,
) -> Case:
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(N):
        after, raw = make(r)
        planted.extend(raw)
        records.append(Rec(key(n), change(table(case_id), {"id": n, **after})))
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, "id: {pii: none}\n" + columns, undeclared),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        config=config or {},
    )


def _card_head(r: Random) -> tuple[dict[str, Any], list[str]]:
    card = v.card(r)
    return {"card": card}, [card[:12]]


def _ssn_tail(r: Random) -> tuple[dict[str, Any], list[str]]:
    ssn = v.ssn(r)
    return {"ssn": ssn}, [ssn[-7:]]


def _email(r: Random) -> tuple[dict[str, Any], list[str]]:
    email = v.email(r)
    return {"email": email}, [email]


def _ssn(r: Random) -> tuple[dict[str, Any], list[str]]:
    ssn = v.ssn_dashed(v.ssn(r))
    return {"ssn": ssn}, [ssn]


def _weak_digest(secret: str) -> Callable[[Random], tuple[dict[str, Any], list[str]]]:
    """The e-mail hashed with a guessable key is as good as the e-mail: the digest is planted."""
    from pipeline.core.treatments.hashing import HashKey, default_key_id

    key_ = HashKey(secret.encode(), default_key_id(secret.encode()))

    def make(r: Random) -> tuple[dict[str, Any], list[str]]:
        email = v.email(r)
        return {"email": email}, [email, key_.digest(email)]

    return make


LOW_ENTROPY_KEY = "a" * 32
DEMO_KEY = "local-stack-hash-key-not-a-secret"  # devstack.stack.DEMO_HASH_KEY, public in the repo
HASHED_EMAIL = "email: {pii: EMAIL_ADDRESS, treatment: hash}"

CASES = [
    RuleCase(
        _rule_case(
            "mask-keeps-most-of-card",
            "mask keep_first 12 on a card number (12 of 16 digits shown)",
            "card: {pii: CREDIT_CARD, treatment: {mask: {keep_first: 12}}}",
            _card_head,
        )
    ),
    RuleCase(
        _rule_case(
            "mask-keeps-most-of-ssn",
            "mask keep_last 7 on an SSN (7 of 9 digits shown)",
            "ssn: {pii: US_SSN, treatment: {mask: {keep_last: 7}}}",
            _ssn_tail,
        )
    ),
    RuleCase(
        _rule_case(
            "prefix-keeps-whole-email",
            "generalize prefix 64 on e-mails (the whole value kept)",
            "email: {pii: EMAIL_ADDRESS, treatment: {generalize: {prefix: 64}}}",
            _email,
        )
    ),
    RuleCase(
        _rule_case(
            "pass-on-us-ssn", "treatment pass on US_SSN, no override", "ssn: {pii: US_SSN, treatment: pass}", _ssn
        )
    ),
    RuleCase(
        _rule_case(
            "undeclared-mask-pass",
            "config undeclared_mask: pass on a table whose undeclared columns are masked",
            "",
            _email,
            undeclared="mask",
            config={"undeclared_mask": "pass"},
        )
    ),
    RuleCase(
        _rule_case(
            "weak-hash-key-low-entropy", "hash with a 32 x 'a' key", HASHED_EMAIL, _weak_digest(LOW_ENTROPY_KEY)
        ),
        hash_key=LOW_ENTROPY_KEY,
        validate_must_fail=False,
    ),
    RuleCase(
        _rule_case(
            "weak-hash-key-demo", "hash with the local stack's published demo key", HASHED_EMAIL, _weak_digest(DEMO_KEY)
        ),
        hash_key=DEMO_KEY,
        validate_must_fail=False,
    ),
]
