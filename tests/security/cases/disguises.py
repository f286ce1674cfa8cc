"""Disguised values in a declared free-text column and in JSON: separators and digits a
reader reads through, invisible and confusable characters, encodings, JSON numbers,
personal data as map keys, base64 text."""

from __future__ import annotations

import json
from collections.abc import Callable
from random import Random

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import Rec, change, key
from tests.security.ledger import Case, with_fragments

ATTACK = "disguised-values"
N = 30
COLUMNS = """\
id: {pii: none}
notes: {pii: free_text, treatment: redact_detected}
"""
FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + d) for d in range(10)))
CONFUSABLE = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e"})  # Cyrillic look-alikes


def _grouped(number: str, sep: str) -> str:
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def _text_case(
    case_id: str, description: str, make: Callable[[Random], tuple[str, list[str]]], service: bool = False
) -> Case:
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(N):
        text, raw = make(r)
        planted.extend(raw)
        records.append(Rec(key(n), change(table(case_id), {"id": n, "notes": text})))
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, COLUMNS),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        service=service,
    )


def _card_with(sep: str) -> Callable[[Random], tuple[str, list[str]]]:
    def make(r: Random) -> tuple[str, list[str]]:
        card = v.card(r)
        shown = _grouped(card, sep)
        return f"Customer paid with {shown} on the phone, please refund.", [shown, card]

    return make


def _card_fullwidth(r: Random) -> tuple[str, list[str]]:
    card = v.card(r)
    shown = _grouped(card, " ").translate(FULLWIDTH)
    return f"Card on file: {shown}.", [shown, card]


def _email_zero_width(r: Random) -> tuple[str, list[str]]:
    email = v.email(r)
    local, domain = email.split("@")
    shown = f"{local[:3]}\u200b{local[3:]}@\u200d{domain}"
    return f"Reach me at {shown} after six.", [shown, email]


def _email_confusable(r: Random) -> tuple[str, list[str]]:
    email = v.email(r)
    local, domain = email.split("@")
    shown = f"{local.translate(CONFUSABLE)}@{domain}"
    return f"New address {shown} from today.", [shown]


def _email_percent(r: Random) -> tuple[str, list[str]]:
    email = v.email(r)
    shown = email.replace("@", "%40")
    return f"unsubscribe link mailto:{shown} clicked", [shown, email]


def _email_spelled(r: Random) -> tuple[str, list[str]]:
    email = v.email(r)
    local, domain = email.split("@")
    name, tld = domain.rsplit(".", 1)
    shown = f"{local} [at] {name} [dot] {tld}" if r.random() < 0.5 else f"{local}(at){name}(dot){tld}"
    return f"Write to {shown} please.", [shown, email]


def _email_quoted(r: Random) -> tuple[str, list[str]]:
    email = v.email(r)
    quote = r.choice(("'{}'", '"{}"', "<{}>", "`{}`", "({})"))
    return f"Contact: {quote.format(email)} (preferred)", [email]


def _email_address_literal(r: Random) -> tuple[str, list[str]]:
    email = v.email(r)
    local = email.split("@")[0]
    literal = f"{local}@[{r.choice(('192.0.2', '198.51.100', '203.0.113'))}.{r.randrange(1, 255)}]"
    return f"Bounce from {literal}, please check the account.", [literal, local]


def _ssn_bare(r: Random) -> tuple[str, list[str]]:
    ssn = v.ssn(r)
    return f"Member {ssn} called about the invoice.", [ssn]


def _phone_bare(r: Random) -> tuple[str, list[str]]:
    phone = v.phone(r)
    return f"call back on {phone} after 5pm", [phone]


def _json_numbers(r: Random) -> tuple[str, list[str]]:
    ssn, card, phone = v.ssn(r), v.card(r), v.phone(r)
    doc = {"ssn": int(ssn), "card": int(card), "mobile": int(phone), "visits": 3}
    return json.dumps(doc), [ssn, card, phone]


def _json_keys(r: Random) -> tuple[str, list[str]]:
    email, phone = v.email(r), v.phone(r)
    doc = {email: {"visits": 3}, phone: "mobile", "plan": "gold"}
    return json.dumps(doc), [email, phone]


def _base64_text(r: Random) -> tuple[str, list[str]]:
    email, ssn = v.email(r), v.ssn_dashed(v.ssn(r))
    encoded = v.b64(f"{email} {ssn}")
    return f"attachment (base64): {encoded}", [encoded, email, ssn]


def _hidden(shape: Callable[[str], str], what: str) -> Callable[[Random], tuple[str, list[str]]]:
    """A sentence holding an e-mail (``what="email"``) or a card number written whole
    in a disguise the span scanner does not read through (:mod:`detectors.unwrap`)."""

    def make(r: Random) -> tuple[str, list[str]]:
        raw = v.email(r) if what == "email" else v.card(r)
        shown = shape(raw)
        return f"Forwarded from the contact form: {shown} (as received).", [shown, raw]

    return make


def _letters_for_digits(card: str) -> str:
    grouped = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    return grouped.replace("0", "O").replace("1", "l")


def _name_alone(r: Random) -> tuple[str, list[str]]:
    """A value that is a name no list knows and nothing else, as people write one in a
    field meant for notes: quoted, beside an emoji, in capitals, parts joined by hyphens,
    with an initial."""
    first, last = r.choice(v.UNLISTED_FIRST), r.choice(v.UNLISTED_LAST)
    form = r.randrange(6)
    if form == 0:
        name = f"{first} {last}"
        return f'"{name}"', [name]
    if form == 1:
        name = f"{first} {last}"
        return f"{name} \U0001f642", [name]
    if form == 2:
        name = f"{first} {last}".upper()
        return name, [name]
    if form == 3:
        name = f"{first}-{r.choice(v.UNLISTED_FIRST)} {last}"
        return name, [name]
    if form == 4:
        name = f"{first} {last}-{r.choice(v.UNLISTED_LAST)}"
        return name, [name]
    name = f"{first[0]}. {last}"
    return name, [name]


CASES = [
    _text_case(
        "email-percent-encoded-whole", "e-mails with every byte percent-encoded", _hidden(v.percent_all, "email")
    ),
    _text_case("email-quoted-printable", "e-mails quoted-printable throughout", _hidden(v.qp_all, "email")),
    _text_case("email-entities-whole", "e-mails with every character an HTML entity", _hidden(v.entities_all, "email")),
    _text_case(
        "card-letters-for-digits", "card numbers with O for 0 and l for 1", _hidden(_letters_for_digits, "card")
    ),
    _text_case(
        "email-gzip-base64",
        "e-mails gzipped then base64-encoded in free text",
        _hidden(lambda e: v.gzip_b64(f"contact {e}"), "email"),
    ),
    _text_case("card-nbsp", "card numbers grouped with no-break spaces", _card_with("\u00a0"), service=True),
    _text_case("card-en-dash", "card numbers grouped with en dashes", _card_with("\u2013")),
    _text_case("card-dots", "card numbers grouped with dots", _card_with(".")),
    _text_case("card-slashes", "card numbers grouped with slashes", _card_with("/")),
    _text_case("card-fullwidth", "card numbers in full-width digits", _card_fullwidth),
    _text_case("email-zero-width", "e-mails with zero-width characters inside", _email_zero_width, service=True),
    _text_case("email-confusable", "e-mails with Cyrillic look-alike letters", _email_confusable),
    _text_case(
        "email-address-literal",
        "e-mails whose domain is an address literal (user@[203.0.113.5])",
        _email_address_literal,
    ),
    _text_case("email-percent-encoded", "e-mails with %40 for @", _email_percent),
    _text_case("email-at-dot-spelled", "e-mails spelled with [at]/[dot] and (at)/(dot)", _email_spelled),
    _text_case("email-quoted", "e-mails inside quotes, brackets and backticks", _email_quoted),
    _text_case("ssn-bare-digits", "bare 9-digit SSNs in a sentence", _ssn_bare),
    _text_case("phone-bare-digits", "bare 10-digit phone numbers in a sentence", _phone_bare),
    _text_case("json-number-values", "SSN, card and phone as JSON numbers in free text", _json_numbers),
    _text_case("json-map-keys", "e-mails and phones as JSON map keys", _json_keys, service=True),
    _text_case("base64-in-text", "base64 of an e-mail and an SSN inside free text", _base64_text),
    _text_case(
        "names-alone-marked",
        "a name no list knows as the whole value: quoted, beside an emoji, in capitals, hyphen-joined, initialled",
        _name_alone,
    ),
]
CASES = with_fragments(CASES)  # a partial leak (a surname, the last six digits) counts too
