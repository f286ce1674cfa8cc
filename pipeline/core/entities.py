"""The personal-data vocabulary: entity names a declaration's ``pii`` may use, and the
treatment each gets when the declaration does not name one."""

from __future__ import annotations

from types import MappingProxyType

NONE = "none"
FREE_TEXT = "free_text"

BUILTIN_ENTITIES: tuple[str, ...] = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "PERSON",
    "LOCATION",
    "US_SSN",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "DATE_OF_BIRTH",
    "US_BANK_NUMBER",
    "US_PASSPORT",
    "US_DRIVER_LICENSE",
    "CRYPTO",
    "URL",
    "NRP",
    "MEDICAL_LICENSE",
    "NATIONAL_ID",
    "DEVICE_ID",
    "VEHICLE_ID",
    "CREDENTIAL",
    "TAX_ID",
)

# Identifiers are hashed (keyed, deterministic: joins and compaction keep working);
# descriptive values that nobody joins on are redacted; dates of birth keep the year.
BUILTIN_DEFAULT_TREATMENTS: MappingProxyType[str, object] = MappingProxyType(
    {
        NONE: "pass",
        FREE_TEXT: "redact_detected",
        "EMAIL_ADDRESS": "hash",
        "PHONE_NUMBER": "hash",
        "PERSON": "hash",
        "LOCATION": "redact",
        "US_SSN": "hash",
        "CREDIT_CARD": "hash",
        "IBAN_CODE": "hash",
        "IP_ADDRESS": "hash",
        "DATE_OF_BIRTH": {"generalize": {"to": "year"}},
        "US_BANK_NUMBER": "hash",
        "US_PASSPORT": "hash",
        "US_DRIVER_LICENSE": "hash",
        "CRYPTO": "hash",
        "URL": "redact",
        "NRP": "redact",
        "MEDICAL_LICENSE": "hash",
        "NATIONAL_ID": "hash",
        "DEVICE_ID": "hash",
        "VEHICLE_ID": "hash",
        "CREDENTIAL": "redact",
        "TAX_ID": "hash",
    }
)
