"""The connector's position fields (``lsn``, ``txId``, ``sequence``, ``gtid``, ``file``, a
transaction's ``id``...) holding personal data, as ``add.headers`` headers the CDR record
copies and in an envelope's ``source`` and ``transaction`` blocks. Any number fits a
position, so the values are text: dashed SSNs and phone numbers, names joined by ``_``
or ``.``."""

from __future__ import annotations

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import Rec, change
from tests.security.ledger import Case

ATTACK = "schema-changes"
N = 40
WHY_GTID = (
    "a MariaDB GTID is three dashed digit groups (0-1-270): a dashed SSN in 'gtid' or a "
    "transaction's 'id' has the notation of a position"
)


def _dashed_phone(r: object) -> str:
    p = v.phone(r)  # type: ignore[arg-type]
    return f"{p[:3]}-{p[3:6]}-{p[6:]}"


def _positions() -> Case:
    """Dashed SSNs and phone numbers, and names joined by '_' or '.', in position fields:
    the headers ``__lsn``, ``__txId``, ``__source_ts_ms``; the source block's ``lsn``,
    ``txId``, ``sequence``, ``gtid``, ``file``; a transaction's ``id``."""
    case_id = "metadata-positions-hold-data"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(N):
        ssn, phone = v.ssn_dashed(v.ssn(r)), _dashed_phone(r)
        first, last = v.name(r).split(" ", 1)
        under, dotted = f"{first}_{last}", f"{first}.{last}"
        planted += [ssn, phone, under, dotted]
        headers = (("__lsn", ssn), ("__txId", phone), ("__source_ts_ms", under))
        value = change(table(case_id), {"id": n}, extra={"transaction": {"id": under, "total_order": 1}})
        source = {"lsn": phone, "txId": ssn, "sequence": under, "gtid": dotted, "file": dotted}
        value["source"] = {**value["source"], **source}
        records.append(Rec({"id": n}, value, headers))
    doc = _positions.__doc__ or ""
    return Case(
        case_id,
        ATTACK,
        doc,
        declaration(case_id, "id: {pii: none}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        service=True,
    )


def _gtid_shaped() -> Case:
    """Dashed SSNs in the source block's ``gtid`` and a transaction's ``id``."""
    case_id = "metadata-gtid-shaped-ssn"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(N):
        ssn = v.ssn_dashed(v.ssn(r))
        planted.append(ssn)
        value = change(table(case_id), {"id": n}, extra={"transaction": {"id": ssn, "total_order": 1}})
        value["source"] = {**value["source"], "gtid": ssn}
        records.append(Rec({"id": n}, value))
    doc = _gtid_shaped.__doc__ or ""
    return Case(
        case_id,
        ATTACK,
        doc,
        declaration(case_id, "id: {pii: none}"),
        tuple(records),
        tuple(planted),
        known_leak=WHY_GTID,
    )


CASES = [_positions(), _gtid_shaped()]
