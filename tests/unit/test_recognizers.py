"""Recognizers and validators: what fires, and the lookalikes that must not."""

from __future__ import annotations

import pytest

from detectors.recognizers import default_recognizers
from detectors.validators import card_scheme, iban_ok, luhn_ok, ssn_ok

RECOGNIZERS = default_recognizers()


def strong_entities(value: str) -> set[str]:
    return {r.entity for r in RECOGNIZERS if (r.match_value(value) or 0) >= 0.5}


FIRES = [
    ("anne.kretchmar@example.com", "EMAIL_ADDRESS"),
    ("o'brien+tag@mail.co.uk", "EMAIL_ADDRESS"),
    ("x_y@sub.example.org", "EMAIL_ADDRESS"),
    ("+44 20 7946 0958", "PHONE_NUMBER"),
    ("+1 (415) 555-0123", "PHONE_NUMBER"),
    ("0049 30 12345678", "PHONE_NUMBER"),
    ("(415) 555-0123", "PHONE_NUMBER"),
    ("4111 1111 1111 1111", "CREDIT_CARD"),  # Visa
    ("2221000000000009", "CREDIT_CARD"),  # Mastercard 2-series
    ("5555555555554444", "CREDIT_CARD"),  # Mastercard
    ("4000000000000000006", "CREDIT_CARD"),  # 19-digit Visa
    ("6759649826438453", "CREDIT_CARD"),  # Maestro
    ("3530111333300000", "CREDIT_CARD"),  # JCB
    ("378282246310005", "CREDIT_CARD"),  # Amex
    ("DE89 3704 0044 0532 0130 00", "IBAN_CODE"),
    ("GB29NWBK60161331926819", "IBAN_CODE"),
    ("536-90-4399", "US_SSN"),
    ("192.168.10.44", "IP_ADDRESS"),
    ("2001:db8:85a3::8a2e:370:7334", "IP_ADDRESS"),
    ("https://example.com/u/anne", "URL"),
    ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "CRYPTO"),
    # separators and forms the normaliser leaves to the recognizers
    ("5555.5555.5555.4444", "CREDIT_CARD"),
    ("4111/1111/1111/1111", "CREDIT_CARD"),
    ("536 90 4399", "US_SSN"),
    ("536.90.4399", "US_SSN"),
    ("+1 415 555 0123 ext. 42", "PHONE_NUMBER"),
    ("415-555-0123x42", "PHONE_NUMBER"),
    ("(415) 555-0123 #7", "PHONE_NUMBER"),
    ("011 44 20 7946 0958", "PHONE_NUMBER"),
    ("+ 44 20 7946 0958", "PHONE_NUMBER"),
    ("+44 (0) 20 7946 0958", "PHONE_NUMBER"),
    ("de89 3704 0044 0532 0130 00", "IBAN_CODE"),
    ("DE89-3704-0044-0532-0130-00", "IBAN_CODE"),
]


@pytest.mark.parametrize(
    ("value", "entity"),
    FIRES,
    ids=[f"{entity}-{i}" for i, (_, entity) in enumerate(FIRES)],
)
def test_fires(value: str, entity: str | None) -> None:
    got = strong_entities(value)
    if entity is None:
        assert got == set()
    else:
        assert entity in got, got


@pytest.mark.parametrize(
    "value",
    [
        "4111111111111112",  # 16-digit reference failing Luhn
        "1234567812345678",
        "0000000000000000",
        "9999999999999995",  # passes Luhn, no issuer starts with 9
        "1.2.3.4",  # version string shaped like an IP
        "10.0.3",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",  # UUID
        "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",  # SHA-256
        "d41d8cd98f00b204e9800998ecf8427e",  # MD5
        "db01.prod.example.com",  # host name
        "2024-01-15T10:00:00Z INFO request served in 12ms",  # log line
        "13:51:30",  # clock time
        "078-05-1120",  # the Woolworth wallet SSN
        "000-12-3456",
        "666-12-3456",
        "912-34-5678",
        "DE89 3704 0044 0532 0130 01",  # IBAN with a wrong check
        "2024-01-15",
        "INV-2024-000123",
        "user@localhost",
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",  # bitcoin-shaped, bad checksum
        # numbers that parse as phone numbers somewhere but are amounts, places, codes
        "12345678.90",  # an amount
        "1234567.89",  # a balance
        "1 234 567.89",  # a balance with grouped thousands
        "-1234567.89",
        "51.507351",  # a latitude
        "-0.127758",
        "40.712776 -74.005974",  # a coordinate pair
        "94105-1234",  # a ZIP+4 code
        "c0ffee00-2125-5501-4700",  # UUID fragments
        "5501-2345-0a1b",
        "536904399",  # nine bare digits: weak evidence only
        "4155550123",  # ten bare digits: weak evidence only
        "5555.5555.5555.4445",  # dotted, failing Luhn
    ],
)
def test_lookalikes_do_not_fire(value: str) -> None:
    assert strong_entities(value) == set()


SPANS = [
    (
        "Mail anne@example.com or call +44 20 7946 0958.",
        [("EMAIL_ADDRESS", "anne@example.com"), ("PHONE_NUMBER", "+44 20 7946 0958")],
    ),
    ("card 4111 1111 1111 1111 exp 12/27", [("CREDIT_CARD", "4111 1111 1111 1111")]),
    ("SSN on file: 536-90-4399", [("US_SSN", "536-90-4399")]),
    ("upgraded to v10.2.0.1 yesterday", []),
    ("version 10.20.30.40 released", []),
    ("request from 203.0.113.77 blocked", [("IP_ADDRESS", "203.0.113.77")]),
    ("order 4155550100 shipped", []),
    ("phone: 4155550100", [("PHONE_NUMBER", "4155550100")]),
    ("born 1984-07-21 in Leeds", [("DATE_OF_BIRTH", "1984-07-21")]),
    ("meeting on 2024-05-01", []),
    ("ref 4111111111111112 refunded", []),
    ("2024-01-15 10:00:00 INFO user=42 GET /api", []),
    ("IBAN DE89370400440532013000 please", [("IBAN_CODE", "DE89370400440532013000")]),
    # UUIDs hold digit runs shaped like phone numbers; none of them is one.
    ("payment 6f1c2d3e-4155-5501-2345-0a1b2c3d4e5f settled", []),
    ("id c0ffee00-2125-5501-4700-123456789012", []),
    # bare SSNs and phones need context; decimals, coordinates and postal codes never are phones
    ("SSN 536904399 on file", [("US_SSN", "536904399")]),
    ("social security no. 536 90 4399", [("US_SSN", "536 90 4399")]),
    ("order 536904399 shipped", []),
    ("call me 4155550123 tonight", [("PHONE_NUMBER", "4155550123")]),
    ("call 415-555-0123x42 now", [("PHONE_NUMBER", "415-555-0123x42")]),
    ("dial 0044 20 7946 0958", [("PHONE_NUMBER", "0044 20 7946 0958")]),
    ("7 +44 20 7946 0958", [("PHONE_NUMBER", "+44 20 7946 0958")]),
    ("balance 4155550100.25 due", []),
    ("paid 1,234,567.89 today", []),
    ("lat 51.5073509 lon -0.1277583", []),
    ("at 40.712776 -74.005974 now", []),
    ("ship to 94105-1234 today", []),
    ("total 12345678.90 EUR", []),
    # stray digits next to a card do not hide it
    ("card 4111 1111 1111 1111 2 items", [("CREDIT_CARD", "4111 1111 1111 1111")]),
    ("card 5555.5555.5555.4444 ok", [("CREDIT_CARD", "5555.5555.5555.4444")]),
    ("IBAN de89 3704 0044 0532 0130 00.", [("IBAN_CODE", "de89 3704 0044 0532 0130 00")]),
    # UUIDs whose hyphen-joined tails pass a country's IBAN length and mod-97 check
    ("order 3e5a470c-dfbb-44f2-be79-d5139c094671 paid", []),
    ("id=73b83be3-ad88-4181-8aa9-8337fc5ddd2f", []),
]


@pytest.mark.parametrize(
    ("text", "spans"),
    SPANS,
    ids=[f"row{i}-" + "+".join(e for e, _ in spans) for i, (_, spans) in enumerate(SPANS)],
)
def test_spans_in_text(text: str, spans: list[tuple[str, str]]) -> None:
    found = sorted((f.entity, f.start, f.end) for r in RECOGNIZERS for f in r.find(text))
    expected = sorted((entity, text.index(value), text.index(value) + len(value)) for entity, value in spans)
    assert found == expected  # entities and offsets: no value in a failure message


def test_validators() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert card_scheme("2720990000000007") == "mastercard" and card_scheme("2721000000000000") is None
    assert iban_ok("GB29NWBK60161331926819") and not iban_ok("GB29NWBK60161331926818")
    assert not iban_ok("XX29NWBK60161331926819")
    assert ssn_ok("536", "90", "4399") and not ssn_ok("536", "00", "4399") and not ssn_ok("536", "90", "0000")


@pytest.mark.parametrize("digits", ["180012345678908", "213112345678909", "3502123412341238", "060412345678"])
def test_legacy_jcb_and_maestro_ranges_are_cards(digits: str) -> None:
    from detectors.validators import card_scheme, luhn_ok

    # make the last digit the Luhn check digit
    body = digits[:-1]
    check = next(d for d in "0123456789" if luhn_ok(body + d))
    assert card_scheme(body + check) in ("jcb", "maestro")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("My driver's license number is D4821-55-0391, expiring soon.", "D4821-55-0391"),
        ("Driving licence no. 7730215 was suspended.", "7730215"),
        ("DL# K88120934 on file", "K88120934"),
        ("Order 55120934 was shipped.", None),  # the same shape without the words: a reference
        ("The license plate is ABC1234.", None),
    ],
)
def test_driver_licence_numbers_need_the_words_that_name_them(text: str, found: str | None) -> None:
    spans = [text[f.start : f.end] for r in RECOGNIZERS for f in r.find(text) if f.entity == "US_DRIVER_LICENSE"]
    assert spans == ([found] if found else []), "driver's licence spans"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Accountant\n\nPhone:\n61 424 55 90\n\nE-mail: on file", "61 424 55 90"),  # a label beats 'Account...'
        ("Cape Town 8001\n072 318 4456-Office\\,2137704812-Fax", "072 318 4456"),
        ("Cape Town 8001\n072 318 4456-Office\\,2137704812-Fax", "2137704812"),
        ("Tel. 33 41 62 07 58", "33 41 62 07 58"),
        ("She asked about the balance invoice. Call back on (332) 889-8959 after 5pm.", "(332) 889-8959"),
        ("Asked about the account. Her number is +1 883 650 9487.", "+1 883 650 9487"),
    ],
)
def test_phone_numbers_under_a_label_count_in_any_country(text: str, found: str) -> None:
    spans = [text[f.start : f.end] for r in RECOGNIZERS for f in r.find(text) if f.entity == "PHONE_NUMBER"]
    assert found in spans, "a labelled phone number stayed in the text"


@pytest.mark.parametrize("text", ["Order 61 424 55 90 shipped", "Invoice total 1,234,567.89 due", "ref 2137704812-A"])
def test_unlabelled_groups_of_digits_are_not_phones(text: str) -> None:
    spans = [f for r in RECOGNIZERS for f in r.find(text) if f.entity == "PHONE_NUMBER"]
    assert spans == [], "a reference was taken for a phone number"


@pytest.mark.parametrize(
    "number", ["030/12345678", "0171/1234567", "(11) 91234-5678", "010-1234-5678", "06 12 34 56 78", "090-1234-5678"]
)
def test_national_phone_numbers_as_written_in_their_countries(number: str) -> None:
    """A slash after the area code (Germany), and the numbering plans of Brazil, Korea,
    France and Japan."""
    spans = [f for r in RECOGNIZERS for f in r.find(f"reach her at {number}") if f.entity == "PHONE_NUMBER"]
    assert spans, "a national phone number stayed in the text"


@pytest.mark.parametrize("text", ["due 2024/01/15", "on 15/01/2024", "see docs/2024/0115/report", "page 12/345"])
def test_dates_and_paths_with_slashes_are_not_phones(text: str) -> None:
    spans = [f for r in RECOGNIZERS for f in r.find(text) if f.entity == "PHONE_NUMBER"]
    assert spans == [], "a date or a path was taken for a phone number"
