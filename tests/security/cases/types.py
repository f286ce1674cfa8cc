"""Every undeclared type must be withheld from its first event: bytes, decimals,
numbers, dates, JSON documents, maps and arrays, not only strings."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, time
from random import Random
from typing import Any

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import Rec, change, field, key
from tests.security.ledger import Case

ATTACK = "undeclared-types"
N = 150  # past the profiler's default sample


def _typed_case(
    case_id: str,
    description: str,
    column: dict[str, Any] | None,
    make: Callable[[Random], tuple[Any, list[str]]],
    service: bool = False,
    known_leak: str | None = None,
) -> Case:
    """N records whose undeclared column (schema ``column``, or schemaless when None)
    holds ``make``'s value; ``make`` also says which raw forms are planted."""
    r = v.rng(case_id)
    fields = [field("id", "int32"), column] if column is not None else None
    name = column["field"] if column is not None else "val"
    records, planted = [], []
    for n in range(N):
        value, raw = make(r)
        planted.extend(raw)
        records.append(Rec(key(n), change(table(case_id), {"id": n, name: value}, fields=fields)))
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, "id: {pii: none}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        service=service,
        known_leak=known_leak,
    )


def _blob(r: Random) -> tuple[str, list[str]]:
    email, ssn = v.email(r), v.ssn_dashed(v.ssn(r))
    encoded = v.b64(f"contact {email}; ssn {ssn}")
    return encoded, [encoded, email, ssn]


def _latitude(r: Random) -> tuple[float, list[str]]:
    degrees = round(r.uniform(25.0, 48.0), 6)
    return degrees, [f"{degrees:.6f}".rstrip("0")]


def _longitude_text(r: Random) -> tuple[str, list[str]]:
    text = f"{r.uniform(-122.0, -71.0):.6f}"
    return text, [text.lstrip("-")]


def _decimal_ssn(r: Random) -> tuple[str, list[str]]:
    ssn = v.ssn(r)
    encoded = v.decimal_b64(int(ssn))
    return encoded, [encoded, ssn]


def _decimal_card(r: Random) -> tuple[str, list[str]]:
    card = v.card(r)
    encoded = v.decimal_b64(int(card))
    return encoded, [encoded, card]


def _millis(r: Random) -> tuple[int, list[str]]:
    born = datetime.combine(v.birth_date(r), time(0), UTC)
    ms = int(born.timestamp() * 1000)
    return ms, [str(ms)]


def _zoned(r: Random) -> tuple[str, list[str]]:
    text = v.birth_date(r).isoformat() + "T00:00:00Z"
    return text, [text]


def _json_doc(r: Random) -> tuple[str, list[str]]:
    email, phone = v.email(r), v.phone(r)
    return json.dumps({"contact": {"email": email, "mobile": phone}, "plan": "gold"}), [email, phone]


def _map(r: Random) -> tuple[dict[str, str], list[str]]:
    email, phone = v.email(r), v.phone(r)
    return {"email": email, "mobile": phone, "plan": "gold"}, [email, phone]


def _array(r: Random) -> tuple[list[str], list[str]]:
    emails = [v.email(r, n) for n in (1, 2)]
    return emails, emails


def _int(make: Callable[[Random], str]) -> Callable[[Random], tuple[int, list[str]]]:
    def build(r: Random) -> tuple[int, list[str]]:
        digits = make(r)
        return int(digits), [digits]

    return build


DECIMAL = "org.apache.kafka.connect.data.Decimal"
CASES = [
    _typed_case(
        "bytes-base64-text",
        "a bytes column: base64 of text with an e-mail and an SSN",
        field("blob", "bytes"),
        _blob,
        service=True,
    ),
    _typed_case(
        "decimal-ssn",
        "a numeric(9,0) column (Connect Decimal, base64) of SSNs",
        field("n9", "bytes", DECIMAL, version=1, parameters={"scale": "0", "connect.decimal.precision": "9"}),
        _decimal_ssn,
    ),
    _typed_case(
        "decimal-card",
        "a numeric(16,0) column (Connect Decimal, base64) of card numbers",
        field("n16", "bytes", DECIMAL, version=1, parameters={"scale": "0", "connect.decimal.precision": "16"}),
        _decimal_card,
    ),
    _typed_case("int64-phone", "an int64 column of 10-digit phone numbers", field("n1", "int64"), _int(v.phone)),
    _typed_case("int64-card", "an int64 column of card numbers", field("n2", "int64"), _int(v.card)),
    _typed_case("schemaless-int-ssn", "a schemaless JSON number column of SSNs", None, _int(v.ssn)),
    _typed_case(
        "timestamp-dob",
        "an io.debezium.time.Timestamp column of dates of birth",
        field("d1", "int64", "io.debezium.time.Timestamp", version=1),
        _millis,
    ),
    _typed_case(
        "zoned-timestamp-dob",
        "an io.debezium.time.ZonedTimestamp column of dates of birth",
        field("d2", "string", "io.debezium.time.ZonedTimestamp", version=1),
        _zoned,
    ),
    _typed_case(
        "json-document",
        "an io.debezium.data.Json column holding contact e-mails and phones",
        field("doc", "string", "io.debezium.data.Json", version=1),
        _json_doc,
        service=True,
    ),
    _typed_case(
        "map-hstore",
        "a map<string,string> column (hstore as map) with an e-mail and a phone",
        {"type": "map", "keys": {"type": "string"}, "values": {"type": "string"}, "optional": True, "field": "attrs"},
        _map,
    ),
    _typed_case(
        "array-emails",
        "an array<string> column of e-mails",
        {"type": "array", "items": {"type": "string"}, "optional": True, "field": "aliases"},
        _array,
    ),
    _typed_case("schemaless-map", "a schemaless nested object with an e-mail and a phone", None, _map),
    _typed_case(
        "double-home-latitude",
        "a float64 column named home_latitude: homes to six decimals (a position, not a measure)",
        field("home_latitude", "double"),
        _latitude,
    ),
    _typed_case(
        "double-unnamed-coordinates",
        "degrees to six decimals in a float64 column whose name says nothing ('x')",
        field("x", "double"),
        _latitude,
        known_leak="with no place in the column's name, six-decimal degrees are as much a measure as a price",
    ),
    _typed_case(
        "decimal-string-longitude",
        "longitudes as decimal strings (decimal.handling.mode=string) in a column named lng",
        field("lng", "string"),
        _longitude_text,
    ),
]
