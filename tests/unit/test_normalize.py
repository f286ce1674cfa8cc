"""The normaliser and the scanner on disguised values: what a reader sees is what is
matched, and a redaction covers exactly the original characters.

Failure messages name the disguise, never the planted value (test ids are names, spans
are compared as offsets)."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detectors.normalize import _CONFUSABLES, normalize
from detectors.textscan import TextScanner

SCANNER = TextScanner()
EMAIL = "anne.kretchmar@example.com"
CARD = "4111111111111111"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u00ad\ufeff\u200e\u200f\u2062"
LOOKALIKE = {ascii_: other for other, ascii_ in _CONFUSABLES.items() if ascii_.isalpha()}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


MIME = base64.encodebytes(f"Dear team, please write to {EMAIL} about the invoice. ".encode() * 3).decode()


# -- the normaliser -------------------------------------------------------------------------

NORMALISED = [
    ("plain", "plain ascii text, nothing to do", "plain ascii text, nothing to do"),
    ("zero-width", "an\u200bne@exa\u200dmple.com", "anne@example.com"),
    ("soft hyphen and BOM", "\ufeffan\u00adne", "anne"),
    ("cyrillic", "\u0430nne@ex\u0430mple.c\u043em", "anne@example.com"),
    ("greek", "\u039f\u03a1\u0395\u039d", "OPEN"),
    ("full-width", "\uff14\uff11\uff11\uff11\uff20\uff45", "4111@e"),
    ("nbsp and thin spaces", "4111\u00a01111\u202f1111\u20091111", "4111 1111 1111 1111"),
    ("dashes", "4111\u20131111\u20141111\u22121111\u20111111", "4111-1111-1111-1111-1111"),
    ("arabic-indic digits", "\u0664\u0661\u0661\u0661", "4111"),
    ("accents", "Zo\u00eb Jos\u0065\u0301", "Zoe Jose"),
    ("percent", "anne%40example%2Ecom", "anne@example.com"),
    ("percent twice", "anne%2540example.com", "anne@example.com"),
    ("spelled local dots", "anne dot k at example dot com", "anne.k@example.com"),
    ("entities", "anne&#64;example&#x2e;com", "anne@example.com"),
    ("bracketed", "anne[at]example[dot]com", "anne@example.com"),
    ("bracketed spaced", "anne ( at ) example { dot } com", "anne@example.com"),
    ("spelled", "anne at example dot com", "anne@example.com"),
    ("spaced", "anne @ example . com", "anne@example.com"),
    ("spelled, dotted local", "anne.k at example.com", "anne.k@example.com"),
    ("prose at", "look at example.com tomorrow", "look at example.com tomorrow"),
    ("defanged ip", "10[.]20[.]30[.]40", "10.20.30.40"),
    ("space runs", "a  \t b", "a b"),
    ("spaced digits", "call 4 1 5 5 5 5 0 1 2 3", "call 415-555-0123"),  # dictated: grouped (detectors.spoken)
    ("four spaced digits", "pin 4 1 5 5", "pin 4155"),
    ("few spaced digits stay", "rooms 1 2 3", "rooms 1 2 3"),
]


@pytest.mark.parametrize(("text", "expected"), [row[1:] for row in NORMALISED], ids=[row[0] for row in NORMALISED])
def test_normalise(text: str, expected: str) -> None:
    assert normalize(text).text == expected


def test_plain_text_takes_the_fast_path() -> None:
    norm = normalize("Order 42 shipped to the customer on Monday.")
    assert not norm.changed and norm.text is norm.original


@pytest.mark.parametrize(
    ("text", "inner"),
    [
        ("mail an\u200bne@exa\u200dmple.com now", "an\u200bne@exa\u200dmple.com"),
        ("mail anne[at]example[dot]com now", "anne[at]example[dot]com"),
        ("card \uff14\uff11\uff11\uff11 1111 1111 1111!", "\uff14\uff11\uff11\uff11 1111 1111 1111"),
        ("x anne%40example.com y", "anne%40example.com"),
    ],
    ids=["zero-width", "bracketed", "full-width", "percent"],
)
def test_a_normalised_span_maps_to_exactly_the_original_characters(text: str, inner: str) -> None:
    norm = normalize(text)
    start = norm.text.index(normalize(inner).text)
    end = start + len(normalize(inner).text)
    assert norm.original_span(start, end) == (text.index(inner), text.index(inner) + len(inner))


# -- disguised values in free text ----------------------------------------------------------

SPANS = [
    (
        "card nbsp",
        "Refund 4111\u00a01111\u00a01111\u00a01111 today",
        [("CREDIT_CARD", "4111\u00a01111\u00a01111\u00a01111")],
    ),
    (
        "card en-dash",
        "card 4111\u20131111\u20131111\u20131111",
        [("CREDIT_CARD", "4111\u20131111\u20131111\u20131111")],
    ),
    ("card dots", "card 5555.5555.5555.4444 ok", [("CREDIT_CARD", "5555.5555.5555.4444")]),
    ("card slashes", "card 5555/5555/5555/4444 ok", [("CREDIT_CARD", "5555/5555/5555/4444")]),
    (
        "card full-width",
        "card \uff14\uff11\uff11\uff11" * 1 + "111111111111",
        [("CREDIT_CARD", "\uff14\uff11\uff11\uff11111111111111")],
    ),
    (
        "card zero-width",
        "pay 4111\u200b1111\u200b1111\u200b1111",
        [("CREDIT_CARD", "4111\u200b1111\u200b1111\u200b1111")],
    ),
    ("email zero-width", "mail an\u200bne@example.com", [("EMAIL_ADDRESS", "an\u200bne@example.com")]),
    ("email cyrillic", "mail \u0430nne@ex\u0430mple.com", [("EMAIL_ADDRESS", "\u0430nne@ex\u0430mple.com")]),
    ("email percent", "mail anne%40example.com", [("EMAIL_ADDRESS", "anne%40example.com")]),
    ("email [at]", "mail anne[at]example[dot]com", [("EMAIL_ADDRESS", "anne[at]example[dot]com")]),
    ("email (at)", "mail anne (at) example (dot) org", [("EMAIL_ADDRESS", "anne (at) example (dot) org")]),
    ("email spelled", "write to anne at example dot org", [("EMAIL_ADDRESS", "anne at example dot org")]),
    ("email single quotes", "'anne@example.com'", [("EMAIL_ADDRESS", "anne@example.com")]),
    ("email angle brackets", "Anne <anne@example.com>", [("EMAIL_ADDRESS", "anne@example.com")]),
    ("email full-width at", "anne\uff20example.com", [("EMAIL_ADDRESS", "anne\uff20example.com")]),
    ("ssn bare with context", "SSN 536904399 on file", [("US_SSN", "536904399")]),
    ("ssn dotted", "ssn: 536.90.4399", [("US_SSN", "536.90.4399")]),
    ("phone bare with context", "phone 4155550123", [("PHONE_NUMBER", "4155550123")]),
    ("phone extension", "call +1 415 555 0123 ext. 42", [("PHONE_NUMBER", "+1 415 555 0123 ext. 42")]),
    ("phone glued extension", "call 415-555-0123x42", [("PHONE_NUMBER", "415-555-0123x42")]),
    ("phone 00 prefix", "dial 0044 20 7946 0958", [("PHONE_NUMBER", "0044 20 7946 0958")]),
    ("phone 011 prefix", "dial 011 44 20 7946 0958", [("PHONE_NUMBER", "011 44 20 7946 0958")]),
    ("phone full-width", "tel \uff0b\uff14\uff14 20 7946 0958", [("PHONE_NUMBER", "\uff0b\uff14\uff14 20 7946 0958")]),
    ("iban lower case", "iban de89 3704 0044 0532 0130 00", [("IBAN_CODE", "de89 3704 0044 0532 0130 00")]),
    ("ip defanged", "from 203[.]0[.]113[.]77", [("IP_ADDRESS", "203[.]0[.]113[.]77")]),
    ("base64 email", f"blob {b64(EMAIL)} end", [("EMAIL_ADDRESS", b64(EMAIL))]),
    (
        "base64url card",
        "t " + base64.urlsafe_b64encode(b"card 4111111111111111").decode().rstrip("="),
        [("CREDIT_CARD", base64.urlsafe_b64encode(b"card 4111111111111111").decode().rstrip("="))],
    ),
    ("base64 wrapped (MIME)", f"att:\n{MIME}Thanks", [("EMAIL_ADDRESS", MIME.rstrip())]),
    ("prose at stays", "look at example.com tomorrow", []),
    ("decimal amount", "total 12345678.90 EUR", []),
    # a comma-separated pair is a position (geo point), never a phone; two numbers side by side are neither
    ("coordinates", "at 51.507351, -0.127758 and 40.712776 -74.005974", [("LOCATION", "51.507351, -0.127758")]),
    ("balance", "balance 1234567.89", []),
    ("zip+4", "ship to 94105-1234", []),
    ("uuid", "ref 6f1c2d3e-4155-5501-2345-0a1b2c3d4e5f", []),
    ("bare digits no context", "order 536904399 and 4155550123", []),
    ("long word not base64 text", "Internationalization considerations", []),
]


@pytest.mark.parametrize(("text", "spans"), [row[1:] for row in SPANS], ids=[row[0] for row in SPANS])
def test_disguised_spans(text: str, spans: list[tuple[str, str]]) -> None:
    expected = sorted((entity, text.index(value), text.index(value) + len(value)) for entity, value in spans)
    got = sorted((f.entity, f.start, f.end) for f in SCANNER.find(text))
    assert got == expected  # entities and offsets only: no value in the message
    redacted = SCANNER.redact(text)
    leaked = [i for i, (_, value) in enumerate(spans) if value in redacted]
    assert not leaked, f"planted values {leaked} survived redaction"


# -- JSON: numbers, keys, base64 -----------------------------------------------------------


def test_json_numbers_keys_and_base64() -> None:
    doc = {
        "phone": 4155550123,
        "n": 4111111111111111,
        "f": 4111111111111111.0,
        "ssn": 536904399,
        "amount": 4155550123,
        "count": 12,
        "blob": b64(json.dumps({"contact": EMAIL})),
        "anne\u200b@example.com": {"since": 2019},
        "notes for anne@example.com": "x",
        "<EMAIL_ADDRESS>": "an existing key that looks like a replacement",
    }
    found: list[tuple[str, str]] = []
    out = SCANNER.redact_json(doc, None, found)
    assert out["phone"] == "<PHONE_NUMBER>" and out["n"] == "<CREDIT_CARD>" and out["f"] == "<CREDIT_CARD>"
    assert out["ssn"] == "<US_SSN>" and out["amount"] == 4155550123 and out["count"] == 12
    assert out["blob"] == "<EMAIL_ADDRESS>"
    assert out["<EMAIL_ADDRESS>"] == "an existing key that looks like a replacement"
    assert out["<EMAIL_ADDRESS#2>"] == {"since": 2019}
    assert out["notes for <EMAIL_ADDRESS>"] == "x"
    text = json.dumps(out, ensure_ascii=False)
    leaked = "example.com" in normalize(text).text or "4111" in text or "536904399" in text
    assert not leaked, "a planted value survived JSON redaction"
    assert ("{key}", "EMAIL_ADDRESS") in found and all("example" not in path for path, _ in found)


def test_twenty_thousand_email_keys_are_redacted_distinctly_and_in_order() -> None:
    doc = {f"user{i}@example.com": i for i in range(20_000)}
    out = SCANNER.redact_json(doc)
    keys = list(out)
    assert len(keys) == 20_000 and len(set(keys)) == 20_000
    assert keys[0] == "<EMAIL_ADDRESS>" and keys[1] == "<EMAIL_ADDRESS#2>" and keys[-1] == "<EMAIL_ADDRESS#20000>"
    assert list(out.values()) == list(range(20_000))
    assert not any("@" in k for k in keys), "an e-mail key survived"
    assert SCANNER.redact_json(doc) == out  # deterministic


# -- properties -----------------------------------------------------------------------------

DISGUISE_ALPHABET = list(ZERO_WIDTH) + list("ab@.[]() 0129%4E&#;x\t\u00a0\u2013\u0430\u03bf\uff11\u0301\u1100\u1161")
texts = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from([*DISGUISE_ALPHABET, " at ", " dot ", "%40"]), max_size=40).map("".join),
)
surroundings = st.text(alphabet=st.sampled_from(list("abcdefghij KLMNOP,;:!?")), max_size=30)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(texts)
def test_normalise_is_idempotent_and_maps_inside_the_original(text: str) -> None:
    norm = normalize(text)
    assert normalize(norm.text).text == norm.text
    for i in range(len(norm.text)):
        start, end = norm.original_span(i, i + 1)
        assert 0 <= start < end <= len(text)
    if norm.text:
        assert norm.original_span(0, len(norm.text))[1] <= len(text)


def edits(n: int) -> st.SearchStrategy[list[tuple[bool, str]]]:
    """Per character: swap it for a lookalike?, and the format characters after it."""
    zero_width = st.text(alphabet=st.sampled_from(list(ZERO_WIDTH)), max_size=2)
    return st.lists(st.tuples(st.booleans(), zero_width), min_size=n, max_size=n)


def disguise(value: str, plan: list[tuple[bool, str]]) -> str:
    return "".join(
        (LOOKALIKE.get(ch, ch) if swap else ch) + inserted for ch, (swap, inserted) in zip(value, plan, strict=True)
    )


@settings(max_examples=300, deadline=None, derandomize=True)
@given(edits(len(EMAIL)), surroundings, surroundings)
def test_zero_width_and_confusables_do_not_hide_an_email(plan: list[tuple[bool, str]], before: str, after: str) -> None:
    planted = disguise(EMAIL, plan)
    redacted = SCANNER.redact(f"{before} {planted} {after}")
    leaked = planted in redacted or EMAIL in normalize(redacted).text
    assert not leaked, "a disguised e-mail survived redaction"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    edits(len(CARD)),
    surroundings,
    surroundings,
    st.sampled_from([" ", "\u00a0", "\u2013", ".", "/", "-", "\u2009", "\u202f", ""]),
    st.booleans(),
)
def test_separators_and_zero_width_do_not_hide_a_card(
    plan: list[tuple[bool, str]], before: str, after: str, sep: str, full_width: bool
) -> None:
    groups = [
        disguise(CARD[i : i + 4], [(False, inserted) for _, inserted in plan[i : i + 4]]) for i in range(0, 16, 4)
    ]
    planted = sep.join(groups)
    if full_width:
        planted = planted.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})
    redacted = SCANNER.redact(f"{before} {planted} {after}")
    leaked = planted in redacted or CARD in "".join(c for c in normalize(redacted).text if c.isdigit())
    assert not leaked, "a disguised card number survived redaction"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.text(max_size=60),
    st.text(max_size=60),
    st.sampled_from([EMAIL, "4111 1111 1111 1111", "536-90-4399", "+44 20 7946 0958"]),
)
def test_a_redacted_text_never_contains_the_planted_value(before: str, after: str, planted: str) -> None:
    redacted = SCANNER.redact(f"{before} {planted} {after}")
    leaked = planted in redacted
    assert not leaked, "the planted value survived redaction"


def test_phone_numbers_as_map_keys_are_renamed_and_ids_are_not() -> None:
    doc = {"4155550123": "mobile", "2125550123": {"visits": 3}, "123456789": 1, "1700000000": 2, "+44 20 7946 0958": 0}
    out = SCANNER.redact_json(doc)
    assert list(out) == ["<PHONE_NUMBER>", "<PHONE_NUMBER#2>", "123456789", "1700000000", "<PHONE_NUMBER#3>"]
    assert list(out.values()) == list(doc.values())
