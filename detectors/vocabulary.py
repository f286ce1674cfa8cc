"""Column names as evidence: tokenised (snake_case, camelCase, spaces, UPPER, digits,
accents folded), glued words split (``CUSTOMERNAME``, ``billingaddress``), abbreviations
expanded (dob, ssn, tel, addr, fname, nm, lic, dl, cc...), matched against a vocabulary of
what teams call personal-data columns, in English and a few other languages.

A clearly personal name (``date_of_birth``, ``card_number``, ``drivers_license``) scores
0.85 or more: enough to hold a column sensitive whatever its sampled values look like.
Ambiguous words (``name``, ``card``, ``city``) score lower and need the values to agree.
:func:`quasi_identifier` names columns that identify people only in combination (city,
zip, gender, job, birth year...) for the policy to decide about.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from detectors.shortcache import short_lru

FREE_TEXT = "free_text"

# Month and weekday names: capitalised words that are not people or places.
CALENDAR_WORDS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: A name evidence weight at or above this holds a column sensitive on its own.
STRONG = 0.85

_SPLIT = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

# Whole tokens that are abbreviations, other languages' words or glued words, expanded
# before matching.
_EXPAND: dict[str, tuple[str, ...]] = {
    "fname": ("first", "name"),
    "firstname": ("first", "name"),
    "forename": ("first", "name"),
    "givenname": ("given", "name"),
    "mname": ("middle", "name"),
    "lname": ("last", "name"),
    "lastname": ("last", "name"),
    "surname": ("last", "name"),
    "familyname": ("last", "name"),
    "fullname": ("full", "name"),
    "vorname": ("first", "name"),
    "nachname": ("last", "name"),
    "familienname": ("last", "name"),
    "prenom": ("first", "name"),
    "nombre": ("name",),
    "apellido": ("last", "name"),
    "apellidos": ("last", "name"),
    "cognome": ("last", "name"),
    "achternaam": ("last", "name"),
    "voornaam": ("first", "name"),
    "nm": ("name",),
    "nme": ("name",),
    "dob": ("date", "of", "birth"),
    "birthdate": ("birth", "date"),
    "birthday": ("birth", "date"),
    "bday": ("birth", "date"),
    "bdate": ("birth", "date"),
    "geburtsdatum": ("birth", "date"),
    "geburtstag": ("birth", "date"),
    "geboortedatum": ("birth", "date"),
    "geboorte": ("birth",),
    "nacimiento": ("birth",),
    "naissance": ("birth",),
    "nascita": ("birth",),
    "nascimento": ("birth",),
    "fecha": ("date",),
    "datum": ("date",),
    "dt": ("date",),
    "yob": ("birth", "year"),
    "birthyear": ("birth", "year"),
    "tel": ("phone",),
    "telephone": ("phone",),
    "telefon": ("phone",),
    "telefono": ("phone",),
    "telefone": ("phone",),
    "phoneno": ("phone", "number"),
    "phonenumber": ("phone", "number"),
    "mobile": ("phone",),
    "mob": ("phone",),
    "cell": ("phone",),
    "cellphone": ("phone",),
    "msisdn": ("phone",),
    "fax": ("phone",),
    "handy": ("phone",),
    "addr": ("address",),
    "adr": ("address",),
    "adresse": ("address",),
    "direccion": ("address",),
    "indirizzo": ("address",),
    "adres": ("address",),
    "endereco": ("address",),
    "strasse": ("street",),
    "emailaddress": ("email",),
    "emailaddr": ("email",),
    "mail": ("email",),
    "ipaddr": ("ip",),
    "ipaddress": ("ip",),
    "ssn": ("ssn",),
    "socsec": ("ssn",),
    "pan": ("card", "number"),
    "ccnum": ("card", "number"),
    "ccn": ("card", "number"),
    "cc": ("card",),
    "cardno": ("card", "number"),
    "cardnum": ("card", "number"),
    "acct": ("account",),
    "acc": ("account",),
    "no": ("number",),
    "num": ("number",),
    "nbr": ("number",),
    "nr": ("number",),
    "zipcode": ("zip",),
    "postcode": ("zip",),
    "postalcode": ("zip",),
    "plz": ("zip",),
    "dl": ("driver", "license"),
    "dln": ("driver", "license", "number"),
    "drivers": ("driver",),
    "driving": ("driver",),
    "licence": ("license",),
    "lic": ("license",),
    "btc": ("wallet",),
    "bitcoin": ("wallet",),
    "desc": ("description",),
    "msg": ("message",),
    "txt": ("text",),
}

# Words a glued lower- or upper-case token may be made of (CUSTOMERNAME, homephone,
# billingaddress, dateofbirth). Three letters or more, plus a few short ones.
_PARTS = _words(
    """
    first last middle full given family maiden name names customer cust contact holder client patient
    employee person member owner recipient sender beneficiary guardian spouse emergency user
    date birth born year day place phone mobile cell fax email mail address street line home work
    billing shipping mailing primary secondary postal post zip code city state country county
    region province card credit debit number account bank routing social security driver license
    licence passport national tax insurance wallet ip url website homepage gender sex job title
    occupation profession nationality ethnicity race religion age marital status id of no dob ssn
    """
)

# (tokens that must all be present) -> (entity, weight, tokens that rule it out).
# The strongest match wins.
_Rule = tuple[tuple[str, ...], str, float, frozenset[str]]
_NOT_A_PERSON = _words(
    """
    product company business brand org organization organisation merchant vendor supplier store
    shop city country state county region street file table column host server domain app
    application plan category item service team group project role bank branch department dept
    field event campaign tag label key model device place venue hotel school university database
    db schema queue topic job task site package image class module feature metric attribute
    property page channel source course game menu list folder document doc stage step level tier
    color colour size unit currency language locale timezone zone display screen nick nickname
    """
)
_NOT_A_BIRTH = frozenset(
    {"year", "place", "country", "city", "weight", "rate", "order", "control", "certificate", "name"}
)
_NOT_AN_ADDRESS = frozenset(
    {
        "email",
        "ip",
        "mac",
        "web",
        "url",
        "wallet",
        "hardware",
        "server",
        "host",
        "bluetooth",
        "bt",
        "memory",
        "contract",
    }
)
_NOT_A_DRIVER = frozenset(
    {"medical", "business", "software", "product", "plate", "vehicle", "key", "npi", "music", "liquor"}
)
_NONE: frozenset[str] = frozenset()


def _rules() -> tuple[_Rule, ...]:
    people = [
        "customer",
        "cust",
        "contact",
        "holder",
        "client",
        "patient",
        "employee",
        "person",
        "member",
        "owner",
        "recipient",
        "sender",
        "beneficiary",
        "guardian",
        "spouse",
        "emergency",
        "account",
    ]
    out: list[_Rule] = [
        (("email",), "EMAIL_ADDRESS", 0.95, _NONE),
        (("phone",), "PHONE_NUMBER", 0.9, _NONE),
        (("contact", "number"), "PHONE_NUMBER", 0.85, _NONE),
        (("first", "name"), "PERSON", 0.9, _NONE),
        (("last", "name"), "PERSON", 0.9, _NONE),
        (("full", "name"), "PERSON", 0.9, _NONE),
        (("middle", "name"), "PERSON", 0.9, _NONE),
        (("maiden", "name"), "PERSON", 0.9, _NONE),
        (("given", "name"), "PERSON", 0.9, _NONE),
        (("family", "name"), "PERSON", 0.9, _NONE),
        (("name",), "PERSON", 0.5, _NOT_A_PERSON),
        (("date", "of", "birth"), "DATE_OF_BIRTH", 0.95, _NONE),
        (("birth", "date"), "DATE_OF_BIRTH", 0.95, _NONE),
        (("birth",), "DATE_OF_BIRTH", 0.85, _NOT_A_BIRTH),
        (("born",), "DATE_OF_BIRTH", 0.85, _NOT_A_BIRTH),
        (("ssn",), "US_SSN", 0.95, _NONE),
        (("social", "security"), "US_SSN", 0.95, _NONE),
        (("card", "number"), "CREDIT_CARD", 0.9, frozenset({"gift", "loyalty", "library", "id", "sim"})),
        (("credit", "card"), "CREDIT_CARD", 0.9, _NONE),
        (("debit", "card"), "CREDIT_CARD", 0.9, _NONE),
        (("card",), "CREDIT_CARD", 0.6, frozenset({"gift", "loyalty", "library", "sim", "business", "report"})),
        (("iban",), "IBAN_CODE", 0.95, _NONE),
        (("account", "number"), "US_BANK_NUMBER", 0.85, frozenset({"phone", "email"})),
        (("bank", "account"), "US_BANK_NUMBER", 0.85, _NONE),
        (("routing", "number"), "US_BANK_NUMBER", 0.7, _NONE),
        (("ip",), "IP_ADDRESS", 0.9, _NONE),
        (("address",), "LOCATION", 0.85, _NOT_AN_ADDRESS),
        (("street",), "LOCATION", 0.85, _NONE),
        (("city",), "LOCATION", 0.6, _NONE),
        (("zip",), "LOCATION", 0.7, _NONE),
        (("latitude",), "LOCATION", 0.8, _NONE),
        (("longitude",), "LOCATION", 0.8, _NONE),
        (("lat",), "LOCATION", 0.6, _NONE),
        (("lon",), "LOCATION", 0.6, _NONE),
        (("lng",), "LOCATION", 0.6, _NONE),
        (("geo",), "LOCATION", 0.6, _NONE),
        (("url",), "URL", 0.8, _NONE),
        (("website",), "URL", 0.8, _NONE),
        (("homepage",), "URL", 0.8, _NONE),
        (("passport",), "US_PASSPORT", 0.9, _NONE),
        (("driver", "license"), "US_DRIVER_LICENSE", 0.9, _NONE),
        (("license", "number"), "US_DRIVER_LICENSE", 0.85, _NOT_A_DRIVER),
        (("license",), "US_DRIVER_LICENSE", 0.5, _NOT_A_DRIVER),
        (("wallet",), "CRYPTO", 0.8, _NONE),
        (("nationality",), "NRP", 0.8, _NONE),
        (("religion",), "NRP", 0.85, _NONE),
        (("ethnicity",), "NRP", 0.85, _NONE),
        (("medical", "license"), "MEDICAL_LICENSE", 0.9, _NONE),
        (("npi",), "MEDICAL_LICENSE", 0.7, _NONE),
        (("notes",), FREE_TEXT, 0.7, _NONE),
        (("note",), FREE_TEXT, 0.7, _NONE),
        (("comment",), FREE_TEXT, 0.7, _NONE),
        (("comments",), FREE_TEXT, 0.7, _NONE),
        (("description",), FREE_TEXT, 0.6, _NONE),
        (("message",), FREE_TEXT, 0.7, _NONE),
        (("body",), FREE_TEXT, 0.6, _NONE),
        (("text",), FREE_TEXT, 0.5, _NONE),
        (("remarks",), FREE_TEXT, 0.7, _NONE),
        (("memo",), FREE_TEXT, 0.7, _NONE),
        (("feedback",), FREE_TEXT, 0.7, _NONE),
        (("subject",), FREE_TEXT, 0.5, _NONE),
    ]
    out += [((who, "name"), "PERSON", 0.85, _NOT_A_PERSON) for who in people]
    return tuple(out)


_RULES = _rules()

# Tokens that say "this is not the entity the other tokens suggest": ids, hashes,
# counts, flags, timestamps of record-keeping.
_NEGATIVE = frozenset(
    {
        "id",
        "uuid",
        "hash",
        "digest",
        "checksum",
        "count",
        "flag",
        "type",
        "status",
        "version",
        "created",
        "updated",
        "modified",
        "verified",
        "enabled",
        "is",
        "has",
        "sku",
        "code",
        "length",
        "format",
        "domain",
    }
)


def _fold(column: str) -> str:
    column = column.replace("ß", "ss").replace("ẞ", "SS")
    return "".join(ch for ch in unicodedata.normalize("NFKD", column) if not unicodedata.combining(ch))


_LONGEST_GLUED = 64  # characters of a token read as glued words (no word of a name is longer)


@lru_cache(maxsize=8192)
def _segment(word: str) -> tuple[str, ...] | None:
    """A glued word as known parts (longest parts first), or None if it is not one."""
    if not word:
        return ()
    for cut in range(len(word), 1, -1):
        head = word[:cut]
        if head in _PARTS or head in _EXPAND:
            rest = _segment(word[cut:])
            if rest is not None:
                return (head, *rest)
    return None


def tokens(column: str) -> tuple[str, ...]:
    raw = [t.lower() for part in re.split(r"[^A-Za-z0-9]+", _fold(column)) for t in _SPLIT.findall(part)]
    out: list[str] = []
    for i, tok in enumerate(raw):
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        if tok == "add" and (nxt.isdigit() or nxt == "line"):
            out.append("address")  # ADD1, add_line1
            continue
        if tok in _EXPAND:
            out.extend(_EXPAND[tok])
            continue
        if tok in _PARTS or len(tok) < 6:
            out.append(tok)
            continue
        parts = _segment(tok) if len(tok) <= _LONGEST_GLUED else None  # _segment keeps what it reads
        if parts is None or len(parts) < 2:
            out.append(tok)
            continue
        for part in parts:
            out.extend(_EXPAND.get(part, (part,)))
    return tuple(out)


@short_lru(maxsize=4096, longest=256)
def name_evidence(column: str) -> dict[str, float]:
    """Entity (or ``free_text``) -> weight in [0, 1] that the column's name suggests.
    Weights of :data:`STRONG` or more hold a column sensitive on their own."""
    toks = tokens(column)
    present = set(toks)
    out: dict[str, float] = {}
    for needed, entity, weight, unless in _RULES:
        if all(t in present for t in needed) and not present & unless:
            out[entity] = max(out.get(entity, 0.0), weight)
    if out and present & _NEGATIVE:
        # email_verified, phone_type, name_hash, card_count: about the entity, not it.
        last = toks[-1] if toks else ""
        damp = 0.2 if last in _NEGATIVE else 0.6
        out = {e: round(w * damp, 3) for e, w in out.items()}
    return out


# Quasi-identifiers: columns that identify a person only in combination with others.
# (tokens that must all be present, category, tokens that rule it out)
_PROCESS = _words(
    """
    order payment job task workflow machine process run connection session subscription ticket
    sync transaction shipment batch build deploy deployment pipeline queue step item invoice
    account app device server job request review approval loan claim case
    """
)
_QUASI: tuple[tuple[tuple[str, ...], str, frozenset[str]], ...] = (
    (("birth", "year"), "birth_year", _NONE),
    (("year", "of", "birth"), "birth_year", _NONE),
    (("city",), "city", _NONE),
    (("town",), "city", _NONE),
    (("municipality",), "city", _NONE),
    (("ciudad",), "city", _NONE),
    (("ville",), "city", _NONE),
    (("ort",), "city", _NONE),
    (("zip",), "postcode", _NONE),
    (("postal",), "postcode", _NONE),
    (("state",), "region", _PROCESS),
    (("province",), "region", _NONE),
    (("county",), "region", _NONE),
    (("region",), "region", frozenset({"aws", "cloud", "server", "datacenter", "availability"})),
    (("country",), "country", _NONE),
    (("gender",), "gender", _NONE),
    (("sex",), "gender", _NONE),
    (("occupation",), "occupation", _NONE),
    (("profession",), "occupation", _NONE),
    (("job", "title"), "occupation", _NONE),
    (("job",), "occupation", (_PROCESS - {"job"}) | frozenset({"name", "status", "state", "type"})),
    (
        ("title",),
        "occupation",
        frozenset({"book", "page", "product", "item", "ticket", "issue", "movie", "song", "post"}),
    ),
    (("employer",), "occupation", _NONE),
    (("age",), "age", _NONE),
    (("nationality",), "nationality", _NONE),
    (("citizenship",), "nationality", _NONE),
    (("ethnicity",), "ethnicity", _NONE),
    (("ethnic",), "ethnicity", _NONE),
    (("race",), "ethnicity", _NONE),
    (("marital",), "marital_status", _NONE),
    (("religion",), "religion", _NONE),
)
_QUASI_NEGATIVE = frozenset({"id", "uuid", "hash", "count", "flag", "is", "has", "enabled", "verified", "updated"})


@short_lru(maxsize=4096, longest=256)
def quasi_identifier(column: str) -> str | None:
    """The quasi-identifier category the column's name suggests (``city``, ``region``,
    ``postcode``, ``country``, ``gender``, ``occupation``, ``birth_year``, ``age``,
    ``nationality``, ``ethnicity``, ``marital_status``, ``religion``), or None. Keys
    and counts of those (``city_id``, ``country_count``) are not quasi-identifiers."""
    toks = tokens(column)
    present = set(toks)
    if present & _QUASI_NEGATIVE or not toks:
        return None
    for needed, category, unless in _QUASI:
        if all(t in present for t in needed) and not present & unless:
            return category
    return None


# Tokens in a column name that contradict what its values look like: a column called
# app_version holding 10.2.0.41 is a version, not an IP address.
_CONTRADICT: dict[str, frozenset[str]] = {
    "IP_ADDRESS": frozenset({"version", "ver", "build", "release", "firmware", "rev", "semver"}),
    "PHONE_NUMBER": frozenset({"order", "invoice", "ref", "reference", "sku", "serial", "amount"}),
    "CREDIT_CARD": frozenset({"order", "invoice", "tracking", "reference", "ref", "serial"}),
    "DATE_OF_BIRTH": frozenset({"created", "updated", "shipped", "ordered", "paid", "due", "expires", "expiry"}),
}


@short_lru(maxsize=4096, longest=256)
def contradicted(column: str) -> frozenset[str]:
    """Entities the column's name argues against."""
    present = set(tokens(column))
    return frozenset(e for e, words in _CONTRADICT.items() if present & words)
