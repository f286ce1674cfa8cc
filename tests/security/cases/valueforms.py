"""Personal data in forms the detectors may not recognise (postal addresses outside the
US, geo points as one string, credentials, device and vehicle identifiers, tax and bank
numbers, dates of birth written many ways, names as registers write them), each placed
four ways: a released categorical column that starts holding them, a column declared
``none`` (an honest mistake), declared free text (``redact_detected``) and a JSON leaf
of a column declared ``none``. Every value is made up from the case id."""

from __future__ import annotations

import base64
import json
import string
from collections.abc import Callable
from random import Random

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.cases.obfuscations import MONTHS
from tests.security.cases.schema_changes import LOUD, QUIET, TIERS
from tests.security.events import Rec, change, field, key
from tests.security.ledger import Case

ATTACK = "disguised-values"
# A form: the value as a column holds it, and the parts of it that must not come out.
Form = Callable[[Random], tuple[str, list[str]]]

UK_STREETS = ("Acacia Avenue", "Mill Lane", "Rowan Close", "Hazel Grove", "Ashby Road", "Fern Crescent")
UK_TOWNS = ("Leeds", "Bristol", "Norwich", "Derby", "Reading", "Exeter")
DE_STREETS = ("Hauptstraße", "Lindenallee", "Schillerweg", "Goethestr.", "Bahnhofplatz", "Am Mühlbach")
DE_TOWNS = ("Berlin", "München", "Köln", "Leipzig", "Bremen", "Kassel")
FR_STREETS = ("rue des Lilas", "avenue Victor Hugo", "boulevard Voltaire", "impasse du Moulin", "chemin des Vignes")
FR_TOWNS = ("Lyon", "Nantes", "Lille", "Rennes", "Dijon", "Nîmes")


def _pick(r: Random, chars: str, n: int) -> str:
    return "".join(r.choice(chars) for _ in range(n))


def uk_address(r: Random) -> tuple[str, list[str]]:
    street = f"{r.randrange(2, 240)} {r.choice(UK_STREETS)}"
    postcode = (
        f"{_pick(r, 'ABDEHLMNPS', 2)}{r.randrange(1, 20)} {r.randrange(1, 10)}{_pick(r, 'ABDEFGHJLNPQRSTUWXYZ', 2)}"
    )
    return f"{street}, {r.choice(UK_TOWNS)} {postcode}", [street, postcode]


def de_address(r: Random) -> tuple[str, list[str]]:
    street = f"{r.choice(DE_STREETS)} {r.randrange(2, 120)}"
    return f"{street}, {r.randrange(10000, 99999)} {r.choice(DE_TOWNS)}", [street]


def fr_address(r: Random) -> tuple[str, list[str]]:
    street = f"{r.randrange(2, 120)} {r.choice(FR_STREETS)}"
    return f"{street}, {r.randrange(10000, 95999)} {r.choice(FR_TOWNS)}", [street]


def po_box(r: Random) -> tuple[str, list[str]]:
    box = f"PO Box {r.randrange(1000, 99999)}"
    return f"{box}, {r.choice(UK_TOWNS)}", [box]


def geo_pair(r: Random) -> tuple[str, list[str]]:
    text = f"{r.uniform(-60, 70):.6f}, {r.uniform(-170, 170):.6f}"
    return text, [text]


def geo_uri(r: Random) -> tuple[str, list[str]]:
    text = f"geo:{r.uniform(-60, 70):.6f},{r.uniform(-170, 170):.6f}"
    return text, [text[4:]]


def conn_string(r: Random) -> tuple[str, list[str]]:
    pw = _pick(r, string.ascii_letters + string.digits, 14)
    return f"postgres://{r.choice(v.FIRST).lower()}:{pw}@db{r.randrange(1, 9)}.internal:5432/app", [pw]


def basic_auth_url(r: Random) -> tuple[str, list[str]]:
    pw = _pick(r, string.ascii_letters + string.digits, 14)
    return f"https://{r.choice(v.LAST).lower()}:{pw}@api.example.com/v1/orders", [pw]


def url_query(r: Random) -> tuple[str, list[str]]:
    person = v.unlisted_name(r)
    text = f"https://shop.example.com/track?ref={r.randrange(10**5, 10**6)}&name={person.replace(' ', '+')}"
    return text, [person.replace(" ", "+")]


def jwt(r: Random) -> tuple[str, list[str]]:
    def part(doc: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

    mail = v.email(r)
    token = ".".join(
        (
            part({"alg": "HS256", "typ": "JWT"}),
            part({"sub": mail, "iat": 1700000000}),
            _pick(r, string.ascii_letters, 43),
        )
    )
    return f"Bearer {token}", [token, mail]


def aws_secret(r: Random) -> tuple[str, list[str]]:
    key_id = "AKIA" + _pick(r, string.ascii_uppercase + "234567", 16)
    secret = _pick(r, string.ascii_letters + string.digits + "+/", 40)
    return f"{key_id}:{secret}", [key_id, secret]


def mac(r: Random) -> tuple[str, list[str]]:
    text = ":".join(f"{r.randrange(256):02x}" for _ in range(6))
    return text, [text]


def imei(r: Random) -> tuple[str, list[str]]:
    text = v.luhn_complete("35" + "".join(str(r.randrange(10)) for _ in range(12)))
    return text, [text]


def ipv6(r: Random) -> tuple[str, list[str]]:
    text = "2a02:" + ":".join(f"{r.randrange(1, 65536):x}" for _ in range(7))
    return text, [text]


_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
}
_VIN_VALUES.update({"P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10), strict=True))})
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(r: Random) -> tuple[str, list[str]]:
    chars = list(_pick(r, "ABCDEFGHJKLMNPRSTUVWXYZ0123456789", 13) + _pick(r, string.digits, 4))
    total = sum(_VIN_VALUES[c] * w for c, w in zip(chars, _VIN_WEIGHTS, strict=True))
    chars[8] = "X" if total % 11 == 10 else str(total % 11)
    text = "".join(chars)
    return text, [text]


def uk_plate(r: Random) -> tuple[str, list[str]]:
    age = r.choice((r.randrange(2, 25), r.randrange(51, 75)))
    text = f"{_pick(r, 'ABCDEFGHKLMNOPRSVWY', 2)}{age:02d} {_pick(r, 'ABCDEFGHJKLMNOPRSTUVWXYZ', 3)}"
    return text, [text]


def ein(r: Random) -> tuple[str, list[str]]:
    text = f"{r.randrange(10, 99)}-{r.randrange(1000000, 9999999)}"
    return text, [text]


def vat(r: Random) -> tuple[str, list[str]]:
    """German (MOD 11,10 check digit), British (mod 97) and Austrian VAT numbers."""
    kind = r.randrange(3)
    if kind == 0:
        body, product = [str(r.randrange(1, 10))] + [str(r.randrange(10)) for _ in range(7)], 10
        for d in body:
            product = (2 * ((int(d) + product) % 10 or 10)) % 11
        text = "DE" + "".join(body) + str((11 - product) % 10)
    elif kind == 1:
        while True:
            body = "".join(str(r.randrange(10)) for _ in range(7))
            check = (-sum(int(d) * w for d, w in zip(body, range(8, 1, -1), strict=True))) % 97
            if check < 100:
                break
        text = f"GB{body}{check:02d}"
    else:
        text = f"ATU{r.randrange(10**7, 10**8)}"
    return text, [text]


def sort_account(r: Random) -> tuple[str, list[str]]:
    account = f"{r.randrange(10**7, 10**8)}"
    return f"{r.randrange(10, 99)}-{r.randrange(10, 99)}-{r.randrange(10, 99)} {account}", [account]


def last_first_caps(r: Random) -> tuple[str, list[str]]:
    first, last = v.unlisted_name(r).split(" ")
    text = f"{last.upper()}, {first.upper()}"
    return text, [text]


def titled_name(r: Random) -> tuple[str, list[str]]:
    first, last = v.unlisted_name(r).split(" ")
    text = f"{r.choice(('Dr', 'Mrs', 'Prof.', 'Mr'))} {first[0]}. {last} {r.choice(('Jr.', 'III', 'PhD'))}"
    return text, [f"{first[0]}. {last}"]


FORMS: dict[str, Form] = {
    "uk-address": uk_address,
    "de-address": de_address,
    "fr-address": fr_address,
    "po-box": po_box,
    "geo-pair": geo_pair,
    "geo-uri": geo_uri,
    "conn-string": conn_string,
    "basic-auth-url": basic_auth_url,
    "url-query-name": url_query,
    "jwt": jwt,
    "aws-secret": aws_secret,
    "mac": mac,
    "imei": imei,
    "ipv6": ipv6,
    "vin": vin,
    "uk-plate": uk_plate,
    "ein": ein,
    "vat": vat,
    "sort-account": sort_account,
    "last-first-caps": last_first_caps,
    "titled-name": titled_name,
}


KNOWN_LEAKS: dict[tuple[str, str], str] = {}


def _case(placement: str, kind: str, description: str, columns: str, records: list[Rec], planted: list[str]) -> Case:
    case_id = f"vf-{placement}-{kind}"
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, columns),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        known_leak=KNOWN_LEAKS.get((placement, kind)),
    )


def _categorical(kind: str) -> Case:
    case_id = f"vf-categorical-{kind}"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(QUIET):
        records.append(Rec(key(n), change(table(case_id), {"id": n, "tier": TIERS[n % len(TIERS)]})))
    for n in range(QUIET, QUIET + LOUD):
        text, parts = FORMS[kind](r)
        planted += parts
        records.append(Rec(key(n), change(table(case_id), {"id": n, "tier": text})))
    return _case(
        "categorical",
        kind,
        f"a released categorical column that starts holding {kind} values",
        "id: {pii: none}",
        records,
        planted,
    )


def _none(kind: str) -> Case:
    case_id = f"vf-none-{kind}"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(LOUD):
        text, parts = FORMS[kind](r)
        planted += parts
        records.append(Rec(key(n), change(table(case_id), {"id": n, "ref": text})))
    return _case(
        "none",
        kind,
        f"a column declared none holding {kind} values",
        "id: {pii: none}\nref: {pii: none}",
        records,
        planted,
    )


def _text(kind: str) -> Case:
    case_id = f"vf-text-{kind}"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(LOUD):
        text, parts = FORMS[kind](r)
        planted += parts
        notes = f"Updated by support: {text} (see ticket)"
        records.append(Rec(key(n), change(table(case_id), {"id": n, "notes": notes})))
    return _case(
        "text",
        kind,
        f"declared free text quoting {kind} values",
        "id: {pii: none}\nnotes: {pii: free_text, treatment: redact_detected}",
        records,
        planted,
    )


def _json(kind: str) -> Case:
    case_id = f"vf-json-{kind}"
    r = v.rng(case_id)
    fields = [field("id", "int32"), field("profile", "string", "io.debezium.data.Json")]
    records, planted = [], []
    for n in range(LOUD):
        text, parts = FORMS[kind](r)
        planted += parts
        doc = {"contact": {"email": v.email(r, n + 1), "other": text}, "tier": "gold"}
        records.append(Rec(key(n), change(table(case_id), {"id": n, "profile": json.dumps(doc)}, fields=fields)))
    return _case(
        "json",
        kind,
        f"a JSON leaf of a column declared none holding {kind} values",
        "id: {pii: none}\nprofile: {pii: none, paths: {contact.email: {pii: EMAIL_ADDRESS}}}",
        records,
        planted,
    )


def _birth_date(r: Random, n: int) -> str:
    d = v.birth_date(r)
    forms = (
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.day:02d}.{d.month:02d}.{d.year}",
        f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
        f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
    )
    return forms[n % len(forms)]


def _birth_text(slug: str, cue: str) -> Case:
    """Dates of birth in free text after a German or French cue (a date alone says
    nothing of a birth: the cue does)."""
    case_id = f"vf-text-dob-{slug}"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(LOUD):
        born = _birth_date(r, n)
        planted.append(born)
        notes = f"Kundin {cue} {born}, Termin bestätigt"
        records.append(Rec(key(n), change(table(case_id), {"id": n, "notes": notes})))
    return _case(
        "text",
        f"dob-{slug}",
        f"declared free text with dates of birth after '{cue}'",
        "id: {pii: none}\nnotes: {pii: free_text, treatment: redact_detected}",
        records,
        planted,
    )


def _birth_column(name: str) -> Case:
    """An undeclared column named for what it holds, dates of birth written four ways."""
    slug = name.replace("_", "-")
    case_id = f"vf-column-{slug}"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(LOUD):
        born = _birth_date(r, n)
        planted.append(born)
        records.append(Rec(key(n), change(table(case_id), {"id": n, name: born})))
    return _case(
        "column", slug, f"an undeclared column '{name}' of dates of birth", "id: {pii: none}", records, planted
    )


CASES = [
    *(make(k) for k in FORMS for make in (_categorical, _none, _text, _json)),
    _birth_text("geb", "geb."),
    _birth_text("ne-le", "née le"),
    _birth_text("english", "born on"),
    _birth_column("geburtsdatum"),
    _birth_column("dob"),
]
