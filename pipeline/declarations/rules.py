"""Dangerous treatments: rules a declaration (or the config) must not break without an
explicit, recorded override.

A rule looks only at the entity and the treatment, never at data:

- ``reveals_most``: a ``mask`` keeps (``keep_first`` + ``keep_last``), or a
  ``generalize: {prefix: N}`` keeps (N), more characters than the entity allows
  (:data:`ENTITY_BOUNDS`: about a third of its typical length, or the field's own
  convention: the last 4 of an SSN, card or account number, a ZIP's first 3, a birth
  date's year).
- ``keeps_whole_value``: a ``generalize`` prefix at least as long as the entity's typical
  value keeps all of it.
- ``high_risk_kept``: ``pass`` or ``tag`` (both publish the value unchanged) on a
  :data:`HIGH_RISK` entity.

A column (or JSON path) that must break one carries
``override: {rule: <rule>, reason: "...", approved_by: "..."}``; the override names the
rule it covers, so it cannot silently cover a later, different change, and an override
that covers nothing is an error too.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.entities import FREE_TEXT, NONE
from pipeline.core.treatments.spec import TreatmentSpec

REVEALS_MOST = "reveals_most"
KEEPS_WHOLE_VALUE = "keeps_whole_value"
HIGH_RISK_KEPT = "high_risk_kept"
RULES = (REVEALS_MOST, KEEPS_WHOLE_VALUE, HIGH_RISK_KEPT)

# Identifiers whose raw value alone opens an account, a payment or an identity.
HIGH_RISK = frozenset(
    {
        "US_SSN",
        "CREDIT_CARD",
        "IBAN_CODE",
        "US_BANK_NUMBER",
        "US_PASSPORT",
        "US_DRIVER_LICENSE",
        "MEDICAL_LICENSE",
        "NATIONAL_ID",
        "CREDENTIAL",
        "CRYPTO",
    }
)

# Treatments that publish the value unchanged.
KEEPS_VALUE = frozenset({"pass", "tag"})


@dataclass(frozen=True, slots=True)
class EntityBound:
    typical_length: int  # characters of a typical value, separators included
    max_revealed: int  # characters a mask or prefix may keep without an override
    basis: str


ENTITY_BOUNDS: dict[str, EntityBound] = {
    "US_SSN": EntityBound(9, 4, "last-4 convention"),
    "CREDIT_CARD": EntityBound(16, 4, "PCI DSS last-4 (stricter than first-6 + last-4)"),
    "IBAN_CODE": EntityBound(22, 4, "last-4 convention"),
    "US_BANK_NUMBER": EntityBound(10, 4, "last-4 convention"),
    "US_PASSPORT": EntityBound(9, 3, "a third"),
    "US_DRIVER_LICENSE": EntityBound(8, 2, "a third"),
    "MEDICAL_LICENSE": EntityBound(8, 2, "a third"),
    "NATIONAL_ID": EntityBound(11, 4, "last-4 convention"),
    "DEVICE_ID": EntityBound(15, 4, "a third"),
    "VEHICLE_ID": EntityBound(8, 2, "a third"),
    "CREDENTIAL": EntityBound(40, 0, "a secret: nothing of it"),
    "TAX_ID": EntityBound(11, 4, "last-4 convention"),
    "CRYPTO": EntityBound(34, 4, "a high-risk identifier: as a last-4"),
    "EMAIL_ADDRESS": EntityBound(24, 8, "a third"),
    "PHONE_NUMBER": EntityBound(12, 4, "a third"),
    "PERSON": EntityBound(14, 4, "a third"),
    "LOCATION": EntityBound(10, 3, "a third; HIPAA Safe Harbor keeps a ZIP's first 3"),
    "IP_ADDRESS": EntityBound(13, 4, "a third"),
    "DATE_OF_BIRTH": EntityBound(10, 4, "the year"),
    "URL": EntityBound(30, 10, "a third"),
    "NRP": EntityBound(10, 3, "a third"),
}
# Entities added in the config's `entities` list.
CUSTOM_ENTITY_BOUND = EntityBound(12, 4, "a third")


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    message: str  # names the entity, the treatment's parameters and the bound; never a value


def bound_for(entity: str) -> EntityBound:
    return ENTITY_BOUNDS.get(entity, CUSTOM_ENTITY_BOUND)


def revealed_characters(spec: TreatmentSpec) -> int:
    """How many characters of the value ``spec`` publishes (0: none, or not character-wise)."""
    if spec.kind == "mask":
        return int(spec.param("keep_first", 0)) + int(spec.param("keep_last", 0))
    if spec.kind == "generalize" and spec.param("prefix") is not None:
        return int(spec.param("prefix"))
    return 0


def treatment_violation(entity: str, spec: TreatmentSpec) -> Violation | None:
    """The rule ``spec`` breaks on a value of ``entity``, if any."""
    if entity in (NONE, FREE_TEXT):
        return None
    if spec.kind in KEEPS_VALUE and entity in HIGH_RISK:
        return Violation(HIGH_RISK_KEPT, f"{spec.kind} publishes a {entity} unchanged ({entity} is high-risk)")
    bound = bound_for(entity)
    kept = revealed_characters(spec)
    if spec.kind == "generalize" and kept >= bound.typical_length:
        return Violation(
            KEEPS_WHOLE_VALUE,
            f"generalize prefix {kept} keeps the whole value of a typical {entity} ({bound.typical_length} characters)",
        )
    if kept > bound.max_revealed:
        return Violation(
            REVEALS_MOST,
            f"{spec.label} reveals {kept} characters of a {entity}; at most {bound.max_revealed} ({bound.basis})",
        )
    return None


def undeclared_mask_problem(spec: TreatmentSpec) -> str | None:
    """The config's ``undeclared_mask`` treats columns nobody looked at, which may hold any
    entity: it must publish none of the value."""
    if spec.kind in KEEPS_VALUE:
        return f"{spec.kind} would publish undeclared columns unchanged; use mask, redact, hash, null or drop"
    if spec.kind == "generalize":
        return "generalize keeps part of the value and fails on other types; use mask, redact, hash, null or drop"
    if revealed_characters(spec):
        return f"{spec.label} reveals characters of undeclared columns; an undeclared column may hold any entity"
    return None
