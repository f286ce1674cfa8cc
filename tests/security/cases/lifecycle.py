"""Lifecycle attacks: one source stream over time, across declaration changes, CDR topic
version bumps and dead-letter replays. Each scenario is several ``cdr process`` runs (or
one run with several declaration files), which a ledger :class:`~tests.security.ledger.Case`
cannot hold: they run in ``tests/security/test_lifecycle.py`` and are judged as cases are.
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random

from tests.security import values as v
from tests.security.cases.common import SEALED, declaration, table
from tests.security.events import Rec, change, key
from tests.security.lifecycle import Scenario, Step

SUNSET = "2999-01-01"  # a retiring version still published during the test
N = 40


def _records(case_id: str, column: str, make: Callable[[Random], str], n: int = N) -> tuple[tuple[Rec, ...], list[str]]:
    r = v.rng(case_id)
    records, planted = [], []
    for i in range(n):
        value = make(r)
        planted.append(value)
        records.append(Rec(key(i), change(table(case_id), {"id": i, column: value})))
    return tuple(records), planted


def _bump(case_id: str, old_columns: str, new_columns: str, old_undeclared: str = "detect") -> dict[str, str]:
    """Two declaration files of one source topic: v2 replaces v1 (still published until
    its sunset, under its own rules)."""
    old = declaration(case_id, old_columns, old_undeclared).replace("{cdr}", f"cdr.sec.{case_id}.v1")
    new = declaration(case_id, new_columns).replace("{cdr}", f"cdr.sec.{case_id}.v2")
    new += f"replaces: {{cdr_topic: cdr.sec.{case_id}.v1, sunset: '{SUNSET}'}}\n"
    return {"v1.yaml": old, "v2.yaml": new}


def _bump_case(
    case_id: str, description: str, old_columns: str, new_columns: str, refused: bool = True, **kw: str
) -> Scenario:
    """A column of names the new version hashes: refused at start-up while the retiring
    version would publish it raw (``refused``), else run and judged."""
    records, planted = _records(case_id, "holder", lambda r: v.name(r))
    return Scenario(
        case_id,
        description,
        (Step(_bump(case_id, old_columns, new_columns, **kw), records),),
        tuple(dict.fromkeys(planted)),
        refused="v2.yaml" if refused else None,
    )


def _redeclare_case(case_id: str, description: str, before: str, after: str, make: Callable[[Random], str]) -> Scenario:
    first, planted_a = _records(case_id + "-a", "contact", make)
    second, planted_b = _records(case_id, "contact", make)
    return Scenario(
        case_id,
        description,
        (
            Step({"t.yaml": declaration(case_id, before).replace("{cdr}", f"cdr.sec.{case_id}")}, first),
            Step({"t.yaml": declaration(case_id, after).replace("{cdr}", f"cdr.sec.{case_id}")}, second),
        ),
        tuple(dict.fromkeys(planted_a + planted_b)),
    )


SCENARIOS = [
    _bump_case(
        "bump-none-to-hash-names",
        "a version bump declares a column of names personal; the retiring version declared it none",
        "id: {pii: none}\nholder: {pii: none}",
        "id: {pii: none}\nholder: {pii: PERSON, treatment: hash}",
    ),
    _bump_case(
        "bump-pass-to-hash-names",
        "a version bump declares a column of names personal; the retiring version passed it as undeclared",
        "id: {pii: none}",
        "id: {pii: none}\nholder: {pii: PERSON, treatment: hash}",
        old_undeclared="pass",
    ),
    _bump_case(
        "bump-tag-to-hash-names",
        "a version bump hashes a column of names the retiring version tagged (kept raw)",
        "id: {pii: none}\nholder: {pii: PERSON, treatment: tag}",
        "id: {pii: none}\nholder: {pii: PERSON, treatment: hash}",
    ),
    _redeclare_case(
        "redeclare-hash-to-none-emails",
        "a column of e-mails re-declared from hash to none",
        "id: {pii: none}\ncontact: {pii: EMAIL_ADDRESS, treatment: hash}",
        "id: {pii: none}\ncontact: {pii: none}",
        lambda r: v.email(r),
    ),
    _redeclare_case(
        "redeclare-removed-under-pass-ssn",
        "a column of dashed SSNs removed from a declaration whose undeclared policy is pass",
        "id: {pii: none}\ncontact: {pii: US_SSN, treatment: hash}",
        "id: {pii: none}",
        lambda r: v.ssn_dashed(v.ssn(r)),
    ),
]


def _key_case(case_id: str, description: str, before: str, after: str) -> Scenario:
    """The primary key is an e-mail: updates that change it (``__debezium.oldkey``),
    deletes and tombstones, first under ``before``, then under ``after``."""
    r = v.rng(case_id)
    planted: list[str] = []

    def records(n0: int) -> tuple[Rec, ...]:
        out = []
        for i in range(n0, n0 + N // 2):
            old, new = v.email(r, i + 1), v.email(r, i + 101)
            planted.extend((old, new))
            row_ = {"login": new, "tier": "gold"}
            out.append(
                Rec({"login": new}, change(table(case_id), row_, op="u"), (("__debezium.oldkey", {"login": old}),))
            )
            out.append(Rec({"login": new}, change(table(case_id), None, op="d", before=row_)))
            out.append(Rec({"login": new}, None))
        return tuple(out)

    def decl(columns: str) -> dict[str, str]:
        return {"t.yaml": declaration(case_id, columns).replace("{cdr}", f"cdr.sec.{case_id}")}

    first, second = records(0), records(N)
    return Scenario(case_id, description, (Step(decl(before), first), Step(decl(after), second)), tuple(planted))


def _replay_case(
    case_id: str, description: str, after: str, after_undeclared: str, make: Callable[[Random], str]
) -> Scenario:
    """Records dead-lettered under ``undeclared: block``, replayed (the dead-letter file as
    the next run's input) under a declaration that now lets the column through."""
    records, planted = _records(case_id, "contact", make)
    blocked = declaration(case_id, "id: {pii: none}", "block").replace("{cdr}", f"cdr.sec.{case_id}")
    opened = declaration(case_id, after, after_undeclared).replace("{cdr}", f"cdr.sec.{case_id}")
    return Scenario(
        case_id,
        description,
        (Step({"t.yaml": blocked}, records), Step({"t.yaml": opened}, (), replay=True)),
        tuple(dict.fromkeys(planted)),
    )


SCENARIOS += [
    _bump_case(
        "bump-detect-to-hash-names",
        "a version bump declares a column of names personal; the retiring version left it to detection",
        "id: {pii: none}",
        "id: {pii: none}\nholder: {pii: PERSON, treatment: hash}",
        refused=False,
    ),
    _bump_case(
        "bump-both-hash-names",
        "a version bump of a table whose column of names both versions treat (v1 masks, v2 hashes)",
        "id: {pii: none}\nholder: {pii: PERSON, treatment: redact}",
        "id: {pii: none}\nholder: {pii: PERSON, treatment: hash}",
        refused=False,
    ),
    _key_case(
        "key-email-redeclared-none",
        "an e-mail primary key (changed, deleted, tombstoned) re-declared from hash to none",
        "login: {pii: EMAIL_ADDRESS, treatment: hash}\ntier: {pii: none}",
        "login: {pii: none}\ntier: {pii: none}",
    ),
    _key_case(
        "key-email-undeclared-pass",
        "an e-mail primary key (changed, deleted, tombstoned) dropped from a declaration that passes the rest",
        "login: {pii: EMAIL_ADDRESS, treatment: hash}\ntier: {pii: none}",
        "tier: {pii: none}",
    ),
    _replay_case(
        "replay-unblocked-pass-emails",
        "e-mails dead-lettered by undeclared: block, replayed under undeclared: pass",
        "id: {pii: none}",
        "pass",
        lambda r: v.email(r),
    ),
    _replay_case(
        "replay-unblocked-none-ssn",
        "dashed SSNs dead-lettered by undeclared: block, replayed with the column declared none",
        "id: {pii: none}\ncontact: {pii: none}",
        "detect",
        lambda r: v.ssn_dashed(v.ssn(r)),
    ),
]


def _released_key_case(case_id: str) -> Scenario:
    """An undeclared key column released as small numbers over 150 records, whose key then
    turns into e-mails: in the record key, the row and ``__debezium.oldkey`` of a key change."""
    r = v.rng(case_id)
    records, planted = [], []
    for i in range(150):
        records.append(Rec({"ref": i}, change(table(case_id), {"ref": i, "tier": "gold"})))
    for i in range(150, 150 + N):
        email = v.email(r, i)
        planted.append(email)
        value = change(table(case_id), {"ref": email, "tier": "gold"}, op="u")
        records.append(Rec({"ref": email}, value, (("__debezium.oldkey", {"ref": i}),)))
    decl = declaration(case_id, "tier: {pii: none}").replace("{cdr}", f"cdr.sec.{case_id}")
    return Scenario(
        case_id, "a released key column turns into e-mails", (Step({"t.yaml": decl}, tuple(records)),), tuple(planted)
    )


def _sealed_replay_case(case_id: str) -> Scenario:
    """Sealed dead letters fed back to ``cdr process`` (a replay by hand) under a declaration
    that would pass the column: still sealed, nothing published, nothing opened."""
    records, planted = _records(case_id, "contact", lambda r: v.email(r))
    blocked = declaration(case_id, "id: {pii: none}", "block").replace("{cdr}", f"cdr.sec.{case_id}")
    opened = declaration(case_id, "id: {pii: none}", "pass").replace("{cdr}", f"cdr.sec.{case_id}")
    return Scenario(
        case_id,
        "sealed dead letters replayed by hand through cdr process",
        (Step({"t.yaml": blocked}, records, SEALED), Step({"t.yaml": opened}, (), SEALED, replay=True)),
        tuple(dict.fromkeys(planted)),
        must_publish=False,
        sealed=True,
    )


SCENARIOS += [_released_key_case("key-released-then-emails"), _sealed_replay_case("replay-sealed-by-hand")]


def _restarts_case(case_id: str, restarts: int, remembered: bool = False) -> Scenario:
    """A column of names declared none, read by ``restarts`` runs in turn (a service
    restarted, a replay, one file after another): a guard hit withholds the column for
    good, but only in the process that saw it, unless the runs share a verdicts file
    (``remembered``: ``detection.verdicts_file``, one file beside every run's folder)."""
    records, planted = _records(case_id, "holder", lambda r: v.name(r))
    decl = {
        "t.yaml": declaration(case_id, "id: {pii: none}\nholder: {pii: none}").replace("{cdr}", f"cdr.sec.{case_id}")
    }
    per = len(records) // restarts
    config = {"detection": {"verdicts_file": "../verdicts.jsonl"}} if remembered else {}
    steps = tuple(Step(decl, records[i * per : (i + 1) * per], config) for i in range(restarts))
    return Scenario(
        case_id,
        f"names in a column declared none, read by {restarts} runs in turn",
        steps,
        tuple(dict.fromkeys(planted)),
        known_leak=(
            "a withheld verdict lives in one process: each run starts with the column released "
            "again, and names the per-value guard does not flag alone go out until one it flags"
            if restarts > 1 and not remembered
            else None
        ),
    )


SCENARIOS += [
    _restarts_case("names-none-one-run", 1),
    _restarts_case("names-none-four-restarts", 4),
    _restarts_case("names-none-four-restarts-remembered", 4, remembered=True),
]
