"""Disguised values against the per-value guard: a column declared ``none`` (short codes)
and an undeclared column released by detection (a few categories) that start holding
personal data a reader reads through its disguise: encodings of an e-mail (percent,
HTML/XML entities, quoted-printable, ``mailto:``, URL queries, tags, full-width,
zero-width and confusable characters), numbers in other digits, with odd separators or
spelled with letters, values wrapped in hex, base64, gzip and JSON text, and new
"categories" that are short personal values."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from functools import cache
from random import Random

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import Rec, change, key
from tests.security.ledger import Case

ATTACK = "disguised-values"
QUIET = 150  # past the profiler's default sample: the harmless start is released
LOUD = 30
TIERS = ("bronze", "silver", "gold", "platinum")
NONE = "id: {pii: none}\nref: {pii: none}"
RELEASED = "id: {pii: none}"

Loud = Callable[[Random], tuple[str, list[str]]]  # rng -> (the value, the planted forms)

FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x0660 + d) for d in range(10)))
DEVANAGARI = str.maketrans("0123456789", "".join(chr(0x0966 + d) for d in range(10)))
CONFUSABLE = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440"})
LETTERS = str.maketrans({"0": "O", "1": "l"})


def _guarded(
    case_id: str, description: str, released: bool, loud: Loud, bounded: bool = False, document: bool = False
) -> Case:
    """QUIET harmless records (``ref`` codes declared none, or ``tier`` categories left
    undeclared to be released), then LOUD records whose column holds ``loud``'s values
    (each value a leaf of a small JSON document when ``document``)."""
    r = v.rng(case_id)
    name = table(case_id)
    column = "tier" if released else "ref"
    records, planted = [], []
    for n in range(QUIET):
        quiet = TIERS[n % len(TIERS)] if released else f"R{n:04d}"
        records.append(Rec(key(n), change(name, {"id": n, column: {"refs": [quiet]} if document else quiet})))
    for n in range(QUIET, QUIET + LOUD):
        value, forms = loud(r)
        planted.extend(forms)
        records.append(Rec(key(n), change(name, {"id": n, column: {"refs": [value]} if document else value})))
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, RELEASED if released else NONE),
        tuple(records),
        tuple(dict.fromkeys(p for p in planted if len(p) >= 6)),
        bounded=bounded,
    )


def _pair(case_id: str, description: str, loud: Loud) -> list[Case]:
    """The attack in a column declared none and in a released undeclared one."""
    return [
        _guarded(f"guard-none-{case_id}", f"declared none: {description}", False, loud),
        _guarded(f"guard-released-{case_id}", f"released categorical: {description}", True, loud),
    ]


def _mail(shape: Callable[[str], str]) -> Loud:
    def make(r: Random) -> tuple[str, list[str]]:
        email = v.email(r)
        return shape(email), [shape(email), email]

    return make


def _number(make_raw: Callable[[Random], str], shape: Callable[[str], str]) -> Loud:
    def make(r: Random) -> tuple[str, list[str]]:
        raw = make_raw(r)
        return shape(raw), [shape(raw), raw]

    return make


def _dashed_phone(p: str) -> str:
    return f"{p[:3]}-{p[3:6]}-{p[6:]}"


def _grouped(card: str, sep: str) -> str:
    return sep.join(card[i : i + 4] for i in range(0, len(card), 4))


# Names the public lists know (a first name, a common surname): a new name neither list
# knows passes until a known one trips the guard (a known limit, README "The guard").
KNOWN_FIRST = ("Maria", "James", "Aisha", "Carlos", "Fatima", "Olga")
KNOWN_LAST = ("Gonzalez", "Nakamura", "Whitfield", "Haddad", "Moreau", "Kowalski")


def _short_category(r: Random) -> tuple[str, list[str]]:
    """Initials and a surname, an e-mail's local part: short, few digits."""
    first, last = r.choice(KNOWN_FIRST), r.choice(KNOWN_LAST)
    value = f"{first.lower()}.{last.lower()}{r.randrange(10, 99)}" if r.random() < 0.5 else f"{first[0]}. {last}"
    return value, [value]


@cache
def _zeros_member() -> bytes:
    """A gzip member of 64 MB of zeros (about 64 KB)."""
    return gzip.compress(b"\0" * (64 << 20), compresslevel=9, mtime=0)


def _gzip_bomb(r: Random) -> tuple[str, list[str]]:
    """A gzip member holding an e-mail, then one of 64 MB of zeros: base64 of about 85 KB."""
    email = v.email(r)
    value = base64.b64encode(gzip.compress(email.encode(), mtime=0) + _zeros_member()).decode()
    return value, [value[:64], email]


CASES = [
    # 1. e-mails
    *_pair("email-percent-at", "e-mails with %40 for @", _mail(lambda e: e.replace("@", "%40"))),
    *_pair("email-percent-all", "e-mails percent-encoded byte by byte", _mail(v.percent_all)),
    *_pair("email-entity-at", "e-mails with &#64; for @", _mail(lambda e: e.replace("@", "&#64;"))),
    *_pair("email-commat", "e-mails with &commat; for @", _mail(lambda e: e.replace("@", "&commat;"))),
    *_pair("email-entity-all", "e-mails as HTML numeric entities, character by character", _mail(v.entities_all)),
    *_pair("email-mailto", "e-mails in mailto: links", _mail(lambda e: f"mailto:{e}")),
    *_pair("email-url-query", "e-mails in a URL's query", _mail(lambda e: f"https://x.example/u?m={e}&r=1")),
    *_pair("email-zero-width", "e-mails with zero-width characters", _mail(lambda e: e.replace("@", "\u200b@\u200d"))),
    *_pair("email-confusable", "e-mails with Cyrillic look-alikes", _mail(lambda e: e.translate(CONFUSABLE))),
    *_pair("email-fullwidth", "e-mails in full-width forms", _mail(lambda e: e.translate(FULLWIDTH))),
    *_pair("email-xml-tag", "e-mails wrapped in an XML tag", _mail(lambda e: f"<e>{e}</e>")),
    *_pair("email-quoted-printable-at", "e-mails with =40 for @", _mail(lambda e: e.replace("@", "=40"))),
    *_pair("email-quoted-printable-all", "e-mails quoted-printable byte by byte", _mail(v.qp_all)),
    # 2. numbers
    *_pair("card-fullwidth", "card numbers in full-width digits", _number(v.card, lambda c: c.translate(FULLWIDTH))),
    *_pair("card-devanagari", "card numbers in Devanagari digits", _number(v.card, lambda c: c.translate(DEVANAGARI))),
    *_pair("card-underscores", "card numbers grouped with underscores", _number(v.card, lambda c: _grouped(c, "_"))),
    *_pair("card-pipes", "card numbers grouped with pipes", _number(v.card, lambda c: _grouped(c, "|"))),
    *_pair("card-colons", "card numbers grouped with colons", _number(v.card, lambda c: _grouped(c, ":"))),
    *_pair("card-letters", "card numbers with O for 0 and l for 1", _number(v.card, lambda c: c.translate(LETTERS))),
    *_pair(
        "ssn-arabic-indic",
        "dashed SSNs in Arabic-Indic digits",
        _number(v.ssn, lambda s: v.ssn_dashed(s).translate(ARABIC_INDIC)),
    ),
    *_pair(
        "ssn-letters",
        "dashed SSNs with O for 0 and l for 1",
        _number(v.ssn, lambda s: v.ssn_dashed(s).translate(LETTERS)),
    ),
    *_pair("ssn-key-value", "SSNs in key=value strings", _number(v.ssn, lambda s: f"ssn={s};dob=1980-02-03")),
    *_pair(
        "phone-slashes", "phone numbers grouped with slashes", _number(v.phone, lambda p: f"{p[:3]}/{p[3:6]}/{p[6:]}")
    ),
    *_pair(
        "phone-arabic-indic",
        "dashed phones in Arabic-Indic digits",
        _number(v.phone, lambda p: _dashed_phone(p).translate(ARABIC_INDIC)),
    ),
    *_pair(
        "phone-letters",
        "dashed phones with O for 0 and l for 1",
        _number(v.phone, lambda p: _dashed_phone(p).translate(LETTERS)),
    ),
    *_pair("phone-tel-url", "phone numbers in tel: URLs", _number(v.phone, lambda p: f"tel:+1{p}")),
    *_pair(
        "phone-csv-line",
        "CSV lines with a name and a phone",
        _number(v.phone, lambda p: f"Jane,Roe,{_dashed_phone(p)}"),
    ),
    # 3. wrapped
    *_pair("email-hex", "e-mails as hex", _mail(lambda e: e.encode().hex())),
    *_pair("email-base64-json", "base64 of JSON holding an e-mail", _mail(lambda e: v.b64(json.dumps({"e": e})))),
    *_pair(
        "email-base64url",
        "URL-safe base64 of an e-mail",
        _mail(lambda e: base64.urlsafe_b64encode(f"{e}?>".encode()).decode()),
    ),
    *_pair("email-gzip-base64", "gzip+base64 of an e-mail", _mail(v.gzip_b64)),
    *_pair("email-json-text", "JSON text holding an e-mail", _mail(lambda e: json.dumps({"email": e}))),
    *_pair(
        "email-json-twice",
        "JSON text of JSON text holding an e-mail",
        _mail(lambda e: json.dumps(json.dumps({"e": e}))),
    ),
    # 4. categories
    *_pair("short-personal-categories", "initials and surnames, e-mail local parts", _short_category),
    # JSON documents in a column declared none: the leaves are read through too
    *(
        _guarded(f"guard-none-document-{kind}", f"declared none, JSON leaves: {what}", False, loud, document=True)
        for kind, what, loud in (
            ("email-percent-all", "e-mails percent-encoded byte by byte", _mail(v.percent_all)),
            ("card-underscores", "card numbers grouped with underscores", _number(v.card, lambda c: _grouped(c, "_"))),
            ("email-gzip-base64", "gzip+base64 of an e-mail", _mail(v.gzip_b64)),
            ("short-names", "initials and surnames, e-mail local parts", _short_category),
        )
    ),
    _guarded(
        "guard-none-gzip-bomb", "declared none: gzip+base64 of an e-mail and 64 MB of zeros", False, _gzip_bomb, True
    ),
]
