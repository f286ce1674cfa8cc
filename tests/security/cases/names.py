"""Names are data: a column named with an e-mail, an SSN or a person's name must not
reach metric labels, logs, headers or dead-letter headers (sealed or not); columns named
like connector metadata are columns like any other unless declared as the connector's."""

from __future__ import annotations

from tests.security import values as v
from tests.security.cases.common import SEALED, declaration, table
from tests.security.events import Rec, change, field, key, row
from tests.security.ledger import CDR, Case

ATTACK = "names-are-data"
N = 150


def _named_column_case(
    case_id: str, description: str, column: str, sealed: bool = False, service: bool = False
) -> Case:
    """N records with a column called ``column`` (harmless small numbers), then one whose
    payload carries the column where its schema does not (dead-lettered, and the reason
    names the column), then one whose op is unknown (dead-lettered whole)."""
    fields = [field("id", "int32"), field(column, "int32")]
    records = [Rec(key(n), change(table(case_id), {"id": n, column: n % 3}, fields=fields)) for n in range(N)]
    records.append(
        Rec(key(N), change(table(case_id), {"id": N, column: 1}, fields=[field("id", "int32")]))
    )  # payload column not in the schema
    records.append(Rec(key(N + 1), change(table(case_id), {"id": N + 1, column: 2}, op="x")))
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, "id: {pii: none}"),
        tuple(records),
        (column,),
        config=SEALED if sealed else {},
        allowed=frozenset({CDR}),  # the published payload names its columns
        service=service,
    )


def _metadata_case(case_id: str, description: str, columns: tuple[str, ...], service: bool = False) -> Case:
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(N):
        values = {"id": n}
        for i, col in enumerate(columns):
            values[col] = v.email(r) if i % 2 == 0 else v.ssn_dashed(v.ssn(r))
            planted.append(values[col])
        values["__op"] = "c"
        records.append(Rec(key(n), row(values)))
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, "id: {pii: none}", fmt="flattened"),
        tuple(records),
        tuple(planted),
        service=service,
    )


_r = v.rng("names-are-data")
CASES = [
    _named_column_case("column-named-email", "a column named with an e-mail address", v.email(_r), service=True),
    _named_column_case("column-named-ssn", "a column named with a dashed SSN", v.ssn_dashed(v.ssn(_r))),
    _named_column_case(
        "column-named-person", "a column named with a person's name", v.name(_r).lower().replace(" ", "_")
    ),
    _named_column_case(
        "sealed-column-named-email",
        "a column named with an e-mail, dead letters sealed",
        v.email(_r),
        sealed=True,
        service=True,
    ),
    _named_column_case(
        "sealed-column-named-phone", "a column named with a phone number, dead letters sealed", v.phone(_r), sealed=True
    ),
    _metadata_case(
        "metadata-named-source-columns",
        "'__source_*' columns holding e-mails and SSNs, not declared connector metadata",
        ("__source_contact", "__source_ref"),
        service=True,
    ),
    _metadata_case(
        "metadata-named-deleted",
        "a '__deleted' column holding e-mails, not declared connector metadata",
        ("__deleted",),
    ),
]
