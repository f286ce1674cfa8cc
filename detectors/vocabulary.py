"""Column names as evidence: tokenised (snake_case, camelCase, digits), abbreviations
expanded (dob, ssn, tel, addr, fname, nm, pan, iban...), matched against a vocabulary of
what teams call personal-data columns."""

from __future__ import annotations

import re
from functools import lru_cache

FREE_TEXT = "free_text"

_SPLIT = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

# Whole tokens that are abbreviations or glued words, expanded before matching.
_EXPAND: dict[str, tuple[str, ...]] = {
    "fname": ("first", "name"),
    "firstname": ("first", "name"),
    "givenname": ("first", "name"),
    "lname": ("last", "name"),
    "lastname": ("last", "name"),
    "surname": ("last", "name"),
    "familyname": ("last", "name"),
    "fullname": ("full", "name"),
    "nm": ("name",),
    "nme": ("name",),
    "dob": ("date", "of", "birth"),
    "birthdate": ("birth", "date"),
    "birthday": ("birth", "date"),
    "bday": ("birth", "date"),
    "tel": ("phone",),
    "telephone": ("phone",),
    "phoneno": ("phone",),
    "mobile": ("phone",),
    "cell": ("phone",),
    "msisdn": ("phone",),
    "fax": ("phone",),
    "addr": ("address",),
    "adr": ("address",),
    "emailaddress": ("email",),
    "emailaddr": ("email",),
    "mail": ("email",),
    "ipaddr": ("ip",),
    "ipaddress": ("ip",),
    "ssn": ("ssn",),
    "socsec": ("ssn",),
    "pan": ("card", "number"),
    "ccnum": ("card", "number"),
    "cc": ("card",),
    "cardno": ("card", "number"),
    "acct": ("account",),
    "acc": ("account",),
    "no": ("number",),
    "num": ("number",),
    "nbr": ("number",),
    "zipcode": ("zip",),
    "postcode": ("zip",),
    "postalcode": ("zip",),
    "dl": ("driver", "license"),
    "licence": ("license",),
    "btc": ("wallet",),
    "bitcoin": ("wallet",),
    "desc": ("description",),
    "msg": ("message",),
    "txt": ("text",),
}

# (tokens that must all be present) -> (entity, weight). The strongest match wins.
_RULES: tuple[tuple[tuple[str, ...], str, float], ...] = (
    (("email",), "EMAIL_ADDRESS", 0.95),
    (("phone",), "PHONE_NUMBER", 0.9),
    (("first", "name"), "PERSON", 0.9),
    (("last", "name"), "PERSON", 0.9),
    (("full", "name"), "PERSON", 0.9),
    (("middle", "name"), "PERSON", 0.9),
    (("maiden", "name"), "PERSON", 0.9),
    (("customer", "name"), "PERSON", 0.85),
    (("cust", "name"), "PERSON", 0.85),
    (("contact", "name"), "PERSON", 0.85),
    (("holder", "name"), "PERSON", 0.85),
    (("name",), "PERSON", 0.5),
    (("date", "of", "birth"), "DATE_OF_BIRTH", 0.95),
    (("birth", "date"), "DATE_OF_BIRTH", 0.95),
    (("birth",), "DATE_OF_BIRTH", 0.8),
    (("born",), "DATE_OF_BIRTH", 0.8),
    (("ssn",), "US_SSN", 0.95),
    (("social", "security"), "US_SSN", 0.95),
    (("card", "number"), "CREDIT_CARD", 0.9),
    (("credit", "card"), "CREDIT_CARD", 0.9),
    (("card",), "CREDIT_CARD", 0.6),
    (("iban",), "IBAN_CODE", 0.95),
    (("account", "number"), "US_BANK_NUMBER", 0.85),
    (("bank", "account"), "US_BANK_NUMBER", 0.85),
    (("routing", "number"), "US_BANK_NUMBER", 0.7),
    (("ip",), "IP_ADDRESS", 0.9),
    (("address",), "LOCATION", 0.8),
    (("street",), "LOCATION", 0.85),
    (("city",), "LOCATION", 0.6),
    (("zip",), "LOCATION", 0.7),
    (("latitude",), "LOCATION", 0.8),
    (("longitude",), "LOCATION", 0.8),
    (("lat",), "LOCATION", 0.6),
    (("lon",), "LOCATION", 0.6),
    (("lng",), "LOCATION", 0.6),
    (("geo",), "LOCATION", 0.6),
    (("url",), "URL", 0.8),
    (("website",), "URL", 0.8),
    (("homepage",), "URL", 0.8),
    (("passport",), "US_PASSPORT", 0.9),
    (("driver", "license"), "US_DRIVER_LICENSE", 0.9),
    (("wallet",), "CRYPTO", 0.8),
    (("nationality",), "NRP", 0.8),
    (("religion",), "NRP", 0.85),
    (("ethnicity",), "NRP", 0.85),
    (("medical", "license"), "MEDICAL_LICENSE", 0.9),
    (("npi",), "MEDICAL_LICENSE", 0.7),
    (("notes",), FREE_TEXT, 0.7),
    (("note",), FREE_TEXT, 0.7),
    (("comment",), FREE_TEXT, 0.7),
    (("comments",), FREE_TEXT, 0.7),
    (("description",), FREE_TEXT, 0.6),
    (("message",), FREE_TEXT, 0.7),
    (("body",), FREE_TEXT, 0.6),
    (("text",), FREE_TEXT, 0.5),
    (("remarks",), FREE_TEXT, 0.7),
    (("memo",), FREE_TEXT, 0.7),
    (("feedback",), FREE_TEXT, 0.7),
    (("subject",), FREE_TEXT, 0.5),
)

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


def tokens(column: str) -> tuple[str, ...]:
    raw = [t.lower() for part in re.split(r"[^A-Za-z0-9]+", column) for t in _SPLIT.findall(part)]
    out: list[str] = []
    for tok in raw:
        out.extend(_EXPAND.get(tok, (tok,)))
    return tuple(out)


@lru_cache(maxsize=4096)
def name_evidence(column: str) -> dict[str, float]:
    """Entity (or ``free_text``) -> weight in [0, 1] that the column's name suggests."""
    toks = tokens(column)
    present = set(toks)
    out: dict[str, float] = {}
    for needed, entity, weight in _RULES:
        if all(t in present for t in needed):
            out[entity] = max(out.get(entity, 0.0), weight)
    if out and present & _NEGATIVE:
        # email_verified, phone_type, name_hash, card_count: about the entity, not it.
        last = toks[-1] if toks else ""
        damp = 0.2 if last in _NEGATIVE else 0.6
        out = {e: w * damp for e, w in out.items()}
    return out


# Tokens in a column name that contradict what its values look like: a column called
# app_version holding 10.2.0.41 is a version, not an IP address.
_CONTRADICT: dict[str, frozenset[str]] = {
    "IP_ADDRESS": frozenset({"version", "ver", "build", "release", "firmware", "rev", "semver"}),
    "PHONE_NUMBER": frozenset({"order", "invoice", "ref", "reference", "sku", "serial", "amount"}),
    "CREDIT_CARD": frozenset({"order", "invoice", "tracking", "reference", "ref", "serial"}),
    "DATE_OF_BIRTH": frozenset({"created", "updated", "shipped", "ordered", "paid", "due", "expires", "expiry"}),
}


@lru_cache(maxsize=4096)
def contradicted(column: str) -> frozenset[str]:
    """Entities the column's name argues against."""
    present = set(tokens(column))
    return frozenset(e for e, words in _CONTRADICT.items() if present & words)
