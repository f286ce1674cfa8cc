"""cdr audit flags raw personal data in CDR-shaped records, by field, never by value."""

from __future__ import annotations

import base64
import json
import os
import random
import subprocess
import sys
from pathlib import Path

from detectors.normalize import normalize
from detectors.textscan import TextScanner
from pipeline.core.audit import Auditor, textfile
from tests.security.values import decimal_b64

CDR = (sys.executable, "-m", "pipeline")  # the tree under test, not whichever `cdr` script is installed


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


# -- every leak class, disguised ------------------------------------------------------------

CARDS = ["4111111111111111", "5555555555554444", "2221000000000009", "6011111111111117", "3530111333300000"]
SEPARATORS = ["\u00a0", "\u2013", ".", "/", "\u202f", "\u2009"]
ZW = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def _email(i: int) -> str:
    return f"client.{i}@mail{i % 7}.example.org"


def _disguised_email(i: int, rng: random.Random) -> str:
    value = _email(i)
    local, domain = value.split("@")
    kind = i % 8
    if kind == 0:
        return "".join(ch + (rng.choice(ZW) if rng.random() < 0.3 else "") for ch in value)
    if kind == 1:
        return value.translate({ord("a"): "\u0430", ord("e"): "\u0435", ord("o"): "\u043e"})
    if kind == 2:
        return f"{local}%40{domain}"
    if kind == 3:
        return f"{local}[at]{domain.replace('.', '[dot]')}"
    if kind == 4:
        return f"{local} at {domain.replace('.', ' dot ')}"
    if kind == 5:
        return f"{local}\uff20{domain}"
    if kind == 6:
        return f"'{value}'"
    return f"<{value}>"


def _disguised_card(i: int) -> str:
    card = CARDS[i % len(CARDS)]
    if i % 7 == 6:
        return card.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})
    sep = SEPARATORS[i % len(SEPARATORS)]
    return sep.join(card[k : k + 4] for k in range(0, 16, 4))


def planted_records(n: int) -> list[tuple[str, str, dict]]:
    """(leak class, kind, CDR record) with one planted value each, every leak class and
    disguise in turn."""
    rng = random.Random(9)
    out = []
    for i in range(n):
        cls = ("value", "number", "key", "header", "base64", "nested", "column", "phone", "ssn")[i % 9]
        j = i // 9  # the disguise, turning within each class
        after: dict = {"id": i, "status": "ok"}
        headers: dict = {"cdr.pii": {"email": "hash"}, "cdr.source": f"t/0/{i}"}
        if cls == "value":
            kind = "email" if j % 2 else "card"
            after["note"] = (
                f"contact {_disguised_email(j, rng)} today" if kind == "email" else f"card {_disguised_card(j)}"
            )
        elif cls == "number":
            kind = "card-number"
            after["ref"] = {"amount": 12.5, "pan": int(CARDS[j % len(CARDS)])}
        elif cls == "key":
            kind = "email-key"
            after["prefs"] = json.dumps({_disguised_email(j, rng): {"opt_in": True}})
        elif cls == "header":
            kind = "email-header"
            headers["x-forwarded-for-user"] = _disguised_email(j, rng)
        elif cls == "base64":
            kind = "base64-email"
            after["blob"] = base64.b64encode(json.dumps({"e": _email(i)}).encode()).decode()
        elif cls == "nested":
            kind = "nested-json"
            after["doc"] = json.dumps({"a": [{"b": _disguised_card(j)}]})
        elif cls == "column":
            kind = "email-column-name"
            after[_email(i)] = 1
        elif cls == "phone":
            kind = "phone"
            after["phone"] = [4155550123, "+44\u00a020\u00a07946\u00a00958 ext. 7", "0044 20 7946 0958"][j % 3]
        else:
            kind = "ssn"
            after["ssn"] = [536904399, "536904399", "536.90.4399"][j % 3]
        value = {"before": None, "after": after, "op": "c", "source": {"db": "shop", "table": "t"}}
        out.append((cls, kind, {"topic": "cdr.t", "key": {"id": i}, "value": value, "headers": headers}))
    return out


def _raw(rec: dict) -> tuple[bytes, bytes, list]:
    headers = [(k, (v if isinstance(v, str) else json.dumps(v)).encode()) for k, v in rec["headers"].items()]
    return json.dumps(rec["key"]).encode(), json.dumps(rec["value"]).encode(), headers


def test_every_planted_disguised_value_is_flagged_in_its_class() -> None:
    scanner = TextScanner()
    missed = []
    for i, (cls, kind, rec) in enumerate(planted_records(180)):
        auditor = Auditor(scanner)
        auditor.add("cdr.t", *_raw(rec))
        if auditor.report.leaks == 0:
            missed.append((i, cls, kind))
    assert missed == []  # record numbers and kinds only


def test_leak_classes_are_reported_without_values() -> None:
    auditor = Auditor(TextScanner())
    records = planted_records(18)
    for _, _, rec in records:
        auditor.add("cdr.t", *_raw(rec))
    classes = {cls for _, cls in auditor.report.classes}
    assert {"value+disguised", "number", "key+disguised", "header+disguised", "value+base64", "key"} <= classes
    fields = {f for _, f, _ in auditor.report.findings}
    assert "<EMAIL_ADDRESS>" in fields  # a column named with an e-mail is reported by entity
    exposition = textfile(auditor.report)
    leaked = any(_email(i) in normalize(exposition).text for i in range(18)) or "4111" in exposition
    assert not leaked, "the metrics file holds a planted value"


def cdr(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([*CDR, *args], capture_output=True, text=True, env=env, check=False, timeout=300)


def test_cdr_audit_exits_non_zero_on_hundreds_of_disguised_values(tmp_path: Path) -> None:
    records = planted_records(360)
    src = tmp_path / "cdr.jsonl"
    src.write_text("\n".join(json.dumps(rec, ensure_ascii=False) for _, _, rec in records) + "\n", encoding="utf-8")
    res = cdr("audit", "--input", str(src), "--metrics-file", str(tmp_path / "audit.prom"))
    assert res.returncode == 1, "cdr audit did not fail on planted values"
    assert "value(s) look like raw personal data" in res.stdout and "leak class" in res.stdout
    printed = normalize(res.stdout + res.stderr + (tmp_path / "audit.prom").read_text()).text
    leaked = [i for i in range(360) if _email(i) in printed] + [c for c in CARDS if c in printed.replace(" ", "")]
    assert not leaked, f"{len(leaked)} planted values printed"


def test_cdr_audit_passes_treated_output(tmp_path: Path) -> None:
    after = {
        "id": 1,
        "email": "k1:" + "ab" * 32,
        "note": "call <PERSON> on <PHONE_NUMBER>",
        "amount": 1234567.89,
        "lat": 51.507351,
        "zip": "94105-1234",
        "ref": "6f1c2d3e-4155-5501-2345-0a1b2c3d4e5f",
        "prefs": json.dumps({"<EMAIL_ADDRESS>": {"opt_in": True}}),
        "ts": 1700000000000,
    }
    rec = {
        "topic": "cdr.t",
        "key": {"id": 1},
        "value": {"before": None, "after": after, "op": "c"},
        "headers": {"cdr.pii": {"email": "hash"}},
    }
    src = tmp_path / "cdr.jsonl"
    src.write_text(json.dumps(rec) + "\n")
    res = cdr("audit", "--input", str(src))
    assert res.returncode == 0 and "no raw personal data found" in res.stdout, res.stdout


def _numeric_record(cells: dict[str, object]) -> tuple[bytes, bytes, list]:
    """An envelope whose row has a Connect Decimal and a VariableScaleDecimal column."""
    decimal = {"type": "bytes", "optional": True, "name": "org.apache.kafka.connect.data.Decimal"}
    variable = {"type": "struct", "optional": True, "name": "io.debezium.data.VariableScaleDecimal", "fields": []}
    row = {
        "type": "struct",
        "optional": True,
        "fields": [
            {**decimal, "parameters": {"scale": "2"}, "field": "balance"},
            {**variable, "field": "ref"},
        ],
    }
    schema = {"type": "struct", "fields": [{**row, "field": "before"}, {**row, "field": "after"}]}
    value = {"schema": schema, "payload": {"before": None, "after": cells, "op": "c"}}
    return b'{"id":1}', json.dumps(value).encode(), []


def test_a_numeric_column_is_read_as_its_number_not_as_its_base64_text() -> None:
    """Base64 of an amount can read like a cued name ('M/Yi'); a card number kept in a
    NUMERIC column is a number leak all the same."""
    auditor = Auditor(TextScanner())
    amount = base64.b64encode(b"3\xf6\x22").decode()  # 'M/Yi', an amount of 33,642.82
    assert TextScanner().find(amount)  # read as text, it looks like a name
    auditor.add("cdr.t", *_numeric_record({"balance": amount, "ref": {"scale": 0, "value": decimal_b64(7)}}))
    assert auditor.report.findings == {}
    card = {"scale": 0, "value": decimal_b64(int(CARDS[0]))}
    auditor.add("cdr.t", *_numeric_record({"balance": decimal_b64(int(CARDS[1]) * 100), "ref": card}))
    assert {(f, e) for (_, f, e) in auditor.report.findings} == {("balance", "CREDIT_CARD"), ("ref", "CREDIT_CARD")}
