"""People's names in the scripts the detectors do not read (Cyrillic, Greek, Han,
Arabic, Hebrew) and Latin names with letters outside ASCII: a released categorical
column that starts holding them, a handful of them repeated from the first record (a
column that looks categorical), a column declared ``none`` holding them, declared free
text (``redact_detected``, plain or JSON) mentioning them, and undeclared columns named
with them. The name lists and the English NER
model know none of these names: their silence must not let them out."""

from __future__ import annotations

import json

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.cases.schema_changes import LOUD, QUIET, TIERS
from tests.security.events import Rec, change, key
from tests.security.ledger import Case

NAMES = 200
FEW = 5  # distinct names in a column that repeats them (three sales reps, five drivers)
REPEATS = 300

_UNCASED = (
    "no per-value guard reads a name in an uncased script: a column declared none holding "
    "Han, Arabic or Hebrew names is never flagged (its declaration is trusted)"
)
_LATIN_NONE = (
    "a Latin name outside the census lists ('Ayşe Öztürk') in a column declared none is "
    "not flagged by the per-value guard: the shape alone would flag product names too"
)


def _categorical_turns(script: str, service: bool = False) -> Case:
    case_id = f"categorical-turns-{script}-names"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(QUIET):
        records.append(Rec(key(n), change(table(case_id), {"id": n, "tier": TIERS[n % len(TIERS)]})))
    for n in range(QUIET, QUIET + LOUD):
        if script.startswith("unlisted"):
            person = v.unlisted_name(r).lower() if script == "unlisted-lower-case" else v.unlisted_name(r)
        else:
            person = v.name_in(r, script)
        planted.append(person)
        records.append(Rec(key(n), change(table(case_id), {"id": n, "tier": person})))
    return Case(
        case_id,
        "schema-changes",
        f"a released categorical column (tiers) that starts holding {script} names",
        declaration(case_id, "id: {pii: none}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        service=service,
    )


def _few_names(script: str) -> Case:
    case_id = f"few-{script}-names-repeated"
    r = v.rng(case_id)
    people = list(dict.fromkeys(v.name_in(r, script) for _ in range(40)))[:FEW]
    records = [
        Rec(key(n), change(table(case_id), {"id": n, "driver": people[n % len(people)]})) for n in range(REPEATS)
    ]
    return Case(
        case_id,
        "undeclared-columns",
        f"an undeclared column of {len(people)} {script} names repeated from the first record (looks categorical)",
        declaration(case_id, "id: {pii: none}"),
        tuple(records),
        tuple(people),
    )


def _declared_none(script: str, known_leak: str | None = None) -> Case:
    case_id = f"none-{script}-names"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(NAMES):
        person = v.name_in(r, script)
        planted.append(person)
        records.append(Rec(key(n), change(table(case_id), {"id": n, "holder": person})))
    return Case(
        case_id,
        "disguised-values",
        f"a column declared none (an honest mistake) holding {script} names",
        declaration(case_id, "id: {pii: none}\nholder: {pii: none}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        known_leak=known_leak,
    )


def _disguised(person: str, n: int) -> str:
    """A Cyrillic name as a hostile writer keys it: a zero-width space inside the first
    word, a stress accent after its first letter, or Latin look-alikes for its vowels."""
    first, last = person.split(" ", 1)
    kind = n % 3
    if kind == 0:
        return f"{first[:2]}\u200b{first[2:]} {last}"
    if kind == 1:
        return f"{first[0]}\u0301{first[1:]} {last}"
    look_alikes = str.maketrans({"\u0430": "a", "\u043e": "o", "\u0435": "e"})
    return f"{first} {last}".translate(look_alikes)


def _declared_none_disguised() -> Case:
    case_id = "none-cyrillic-names-disguised"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(NAMES):
        person = _disguised(v.name_in(r, "cyrillic"), n)
        planted.append(person)
        records.append(Rec(key(n), change(table(case_id), {"id": n, "holder": person})))
    return Case(
        case_id,
        "disguised-values",
        "a column declared none holding Cyrillic names with zero-width spaces, stress accents or Latin look-alikes",
        declaration(case_id, "id: {pii: none}\nholder: {pii: none}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
    )


def _free_text(script: str) -> Case:
    case_id = f"text-{script}-names"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(LOUD):
        person = v.name_in(r, script)
        planted.append(person)
        notes = f"Customer {person} called about the refund for order {1000 + n}"
        records.append(Rec(key(n), change(table(case_id), {"id": n, "notes": notes})))
    return Case(
        case_id,
        "disguised-values",
        f"declared free text (redact_detected) naming people in {script}",
        declaration(case_id, "id: {pii: none}\nnotes: {pii: free_text, treatment: redact_detected}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
    )


def _json_text() -> Case:
    case_id = "json-text-unread-names"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(LOUD):
        leaf, name_key = v.name_in(r, "han"), v.name_in(r, "arabic")
        planted += [leaf, name_key]
        notes = json.dumps({"contact": leaf, "visits": {name_key: n % 3}}, ensure_ascii=False)
        records.append(Rec(key(n), change(table(case_id), {"id": n, "notes": notes})))
    return Case(
        case_id,
        "disguised-values",
        "declared free text (redact_detected) holding JSON: Han names as leaves, Arabic names as keys",
        declaration(case_id, "id: {pii: none}\nnotes: {pii: free_text, treatment: redact_detected}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
    )


def _named_columns(script: str) -> Case:
    """Undeclared columns named with people's names (a pivoted table: one flag column per
    customer), holding harmless flags: no name may be published as a field name."""
    case_id = f"columns-named-{script}-names"
    r = v.rng(case_id)
    people = list(dict.fromkeys(v.name_in(r, script) for _ in range(20)))[:8]
    records = [
        Rec(key(n), change(table(case_id), {"id": n, **{p: (n + i) % 2 for i, p in enumerate(people)}}))
        for n in range(LOUD)
    ]
    return Case(
        case_id,
        "names-are-data",
        f"undeclared columns named with {script} names (a pivoted table), holding 0/1 flags",
        declaration(case_id, "id: {pii: none}"),
        tuple(records),
        tuple(people),
    )


def _idn_emails(case_id: str, where: str, punycode: bool = False) -> Case:
    """Internationalised e-mail addresses (every script's test domain, in turn) in a
    column declared none, a released categorical column or declared free text."""
    r = v.rng(case_id)
    scripts = list(v.IDN_DOMAINS)
    records, planted = [], []
    quiet = QUIET if where == "categorical" else 0
    for n in range(quiet):
        records.append(Rec(key(n), change(table(case_id), {"id": n, "contact": TIERS[n % len(TIERS)]})))
    for n in range(quiet, quiet + LOUD):
        address = v.idn_email(r, scripts[n % len(scripts)], punycode)
        planted.append(address)
        value = f"Reply to {address} before Friday" if where == "text" else address
        records.append(Rec(key(n), change(table(case_id), {"id": n, "contact": value})))
    columns = {
        "none": "id: {pii: none}\ncontact: {pii: none}",
        "categorical": "id: {pii: none}",
        "text": "id: {pii: none}\ncontact: {pii: free_text, treatment: redact_detected}",
    }[where]
    kind = "punycode" if punycode else "internationalised"
    return Case(
        case_id,
        "disguised-values",
        f"{kind} e-mail addresses (RFC 6531) in {'a column declared none' if where == 'none' else where}",
        declaration(case_id, columns),
        tuple(records),
        tuple(dict.fromkeys(planted)),
    )


def _lower_case_unlisted() -> Case:
    case_id = "text-lower-case-unlisted-names"
    r = v.rng(case_id)
    records, planted = [], []
    for n in range(LOUD):
        person = v.unlisted_name(r).lower()
        planted.append(person)
        notes = f"spoke with {person} about the late delivery"
        records.append(Rec(key(n), change(table(case_id), {"id": n, "notes": notes})))
    return Case(
        case_id,
        "disguised-values",
        "declared free text naming people in lower case whose names no list holds",
        declaration(case_id, "id: {pii: none}\nnotes: {pii: free_text, treatment: redact_detected}"),
        tuple(records),
        tuple(dict.fromkeys(planted)),
        known_leak=(
            "a lower-case name is read by the name lists only ('maria gonzalez'); the English "
            "NER model needs capitals, so 'oluwaseun adeyemi' in a sentence is no span"
        ),
    )


CASES = [
    _categorical_turns("cyrillic", service=True),
    *(
        _categorical_turns(s)
        for s in ("greek", "han", "arabic", "hebrew", "latin-accented", "unlisted", "unlisted-lower-case")
    ),
    _few_names("cyrillic"),
    _few_names("han"),
    _declared_none("cyrillic"),
    _declared_none("greek"),
    _declared_none_disguised(),
    _declared_none("han", known_leak=_UNCASED),
    _declared_none("arabic", known_leak=_UNCASED),
    _declared_none("latin-accented", known_leak=_LATIN_NONE),
    *(_free_text(s) for s in ("cyrillic", "greek", "han", "arabic", "hebrew")),
    _json_text(),
    *(_named_columns(s) for s in ("cyrillic", "han", "arabic", "hebrew")),
    _idn_emails("idn-emails-declared-none", "none"),
    _idn_emails("idn-emails-released-categorical", "categorical"),
    _idn_emails("idn-emails-in-free-text", "text"),
    _idn_emails("punycode-emails-declared-none", "none", punycode=True),
    _idn_emails("punycode-emails-in-free-text", "text", punycode=True),
    _lower_case_unlisted(),
]
