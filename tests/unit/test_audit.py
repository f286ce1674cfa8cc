"""cdr audit flags raw personal data in CDR-shaped records, by field, never by value."""

from __future__ import annotations

import json

from detectors.textscan import TextScanner
from pipeline.audit import Auditor, textfile


def record(after: dict, pii: dict | None = None, key: dict | None = None) -> tuple[bytes, bytes, list]:
    value = {"before": None, "after": after, "op": "c", "source": {"db": "shop", "table": "t"}}
    headers = [("cdr.pii", json.dumps(pii or {}).encode()), ("cdr.source", b"t/0/1")]
    return json.dumps(key or {"id": 1}).encode(), json.dumps(value).encode(), headers


def test_treated_records_are_clean_and_raw_ones_are_flagged_by_field() -> None:
    auditor = Auditor(TextScanner())
    treated = {
        "id": 1,
        "email": "k6fd4c230:" + "ab" * 32,
        "phone": "**********0134",
        "profile": json.dumps({"contact": {"email": "<REDACTED>"}}),
        "note": "call <PERSON> on <PHONE_NUMBER>",
        "ref": "6f1c2d3e-4155-5501-2345-0a1b2c3d4e5f",
    }
    auditor.add("cdr.t", *record(treated))
    assert auditor.report.leaks == 0
    raw = {
        "id": 2,
        "email": "anne.kretchmar@example.com",
        "profile": json.dumps({"contact": {"phone": "+44 20 7946 0958"}}),
        "card": "4111 1111 1111 1111",
        "city": "anne.tag@example.com",  # tagged: kept on purpose, not a leak
    }
    auditor.add("cdr.t", *record(raw, pii={"city": "tag"}, key={"email": "bob@example.org"}))
    found = dict(auditor.report.findings)
    assert found == {
        ("cdr.t", "email", "EMAIL_ADDRESS"): 2,  # the key's e-mail column and the row's
        ("cdr.t", "profile.contact.phone", "PHONE_NUMBER"): 1,
        ("cdr.t", "card", "CREDIT_CARD"): 1,
    }
    assert auditor.report.tagged == {("cdr.t", "city"): 1}
    exposition = textfile(auditor.report)
    assert 'cdr_audit_raw_pii_values{topic="cdr.t",field="card",entity="CREDIT_CARD"} 1' in exposition
    assert "4111" not in exposition and "example.com" not in exposition


def test_key_headers_and_tombstones_are_read() -> None:
    auditor = Auditor(TextScanner())
    headers = [("__debezium.oldkey", json.dumps({"email": "old.address@example.com"}).encode())]
    auditor.add("cdr.t", json.dumps({"email": "k1:" + "0" * 64}).encode(), None, headers)
    assert dict(auditor.report.findings) == {("cdr.t", "email", "EMAIL_ADDRESS"): 1}
    auditor.add("cdr.t", b"not json", None, [])
    assert auditor.report.undecodable == 1
