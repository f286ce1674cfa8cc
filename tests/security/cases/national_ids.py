"""Identity numbers from outside the US (Spanish DNI and NIE, Brazilian CPF, Italian
codice fiscale, French NIR, UK National Insurance number; Chinese resident id, Singapore
NRIC, Swedish personnummer, Swiss AHV), each valid by its own check
digits: in a column declared ``none`` (an honest mistake), in declared free text, and as
new "categories" of a released categorical column (a National Insurance number has six
digits only, under the category digit bound)."""

from __future__ import annotations

from collections.abc import Callable
from random import Random

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.cases.schema_changes import LOUD, QUIET, TIERS
from tests.security.events import Rec, change, key
from tests.security.ledger import Case

ATTACK = "disguised-values"
KINDS: dict[str, Callable[[Random], str]] = {
    "dni": v.dni,
    "nie": v.nie,
    "cpf": v.cpf,
    "codice-fiscale": v.codice_fiscale,
    "nir": v.nir,
    "nino": v.nino,
    "cn-resident-id": v.cn_resident_id,
    "sg-nric": v.sg_nric,
    "se-personnummer": v.se_personnummer,
    "ch-ahv": v.ch_ahv,
}


def _declared_none(kind: str) -> Case:
    case_id = f"national-id-{kind}-declared-none"
    r = v.rng(case_id)
    make = KINDS[kind]
    planted = [make(r) for _ in range(LOUD)]
    records = [Rec(key(n), change(table(case_id), {"id": n, "ref": p})) for n, p in enumerate(planted)]
    return Case(
        case_id,
        ATTACK,
        f"a column declared none (an honest mistake) holding {kind} identity numbers",
        declaration(case_id, "id: {pii: none}\nref: {pii: none}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
    )


def _free_text() -> Case:
    case_id = "national-ids-in-free-text"
    r = v.rng(case_id)
    kinds = list(KINDS)
    records, planted = [], []
    for n in range(4 * len(kinds)):
        number = KINDS[kinds[n % len(kinds)]](r)
        planted.append(number)
        notes = f"Identity document {number} checked at the desk"
        records.append(Rec(key(n), change(table(case_id), {"id": n, "notes": notes})))
    return Case(
        case_id,
        ATTACK,
        "declared free text (redact_detected) quoting identity numbers of ten countries",
        declaration(case_id, "id: {pii: none}\nnotes: {pii: free_text, treatment: redact_detected}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
    )


def _categorical(kind: str) -> Case:
    case_id = f"categorical-turns-{kind}"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(QUIET):
        records.append(Rec(key(n), change(table(case_id), {"id": n, "tier": TIERS[n % len(TIERS)]})))
    for n in range(QUIET, QUIET + LOUD):
        number = KINDS[kind](r).replace(" ", "")
        planted.append(number)
        records.append(Rec(key(n), change(table(case_id), {"id": n, "tier": number})))
    return Case(
        case_id,
        ATTACK,
        f"a released categorical column that starts holding compact {kind} numbers",
        declaration(case_id, "id: {pii: none}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
    )


CASES = [
    *(_declared_none(k) for k in KINDS),
    _free_text(),
    _categorical("nino"),
    _categorical("codice-fiscale"),
]
