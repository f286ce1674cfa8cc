"""An example treated record for the catalog: made-up values per entity, put through the
treatment operators the service uses (a documentation hash key, never the deployment's),
so a consumer sees what each field looks like on the topic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.contracts.cdrschema import CdrSchema
from pipeline.core.declaration import Declaration
from pipeline.core.entities import FREE_TEXT, NONE
from pipeline.core.treatments.hashing import HashKey
from pipeline.core.treatments.operators import build_operator
from pipeline.core.treatments.spec import TreatmentSpec

# Invented, documentation-range values (example.com, 555-01xx, 192.0.2.0/24, test card).
EXAMPLE_VALUES: dict[str, str] = {
    "EMAIL_ADDRESS": "jane.doe@example.com",
    "PERSON": "Jane Doe",
    "PHONE_NUMBER": "+1 202 555 0143",
    "LOCATION": "12 Example Street",
    "DATE_OF_BIRTH": "1984-07-21",
    "US_SSN": "123-45-6789",
    "CREDIT_CARD": "4111 1111 1111 1111",
    "IBAN_CODE": "DE89 3704 0044 0532 0130 00",
    "US_BANK_NUMBER": "000123456789",
    "IP_ADDRESS": "192.0.2.10",
    "URL": "https://example.com/u/jane",
    FREE_TEXT: "Please call Jane Doe on +1 202 555 0143 or write to jane.doe@example.com.",
}
FALLBACK = "example value"
SOURCE = "(as in the source)"  # a column that is not personal data: not invented
DOCS_KEY = HashKey(b"cdr-docs-example-key: not a deployment key, for examples only", "docs")


def example_record(
    schema: CdrSchema, decl: Declaration, defaults: Mapping[str, TreatmentSpec]
) -> list[tuple[str, str, Any]]:
    """(field, example source value, treated value) for every field of ``schema``."""
    from detectors.textscan import TextScanner

    scanner = TextScanner(ner=None)
    rows: list[tuple[str, str, Any]] = []
    for field in schema.fields:
        col = decl.columns.get(field.name)
        if col is None or col.pii == NONE or col.paths:
            rows.append((field.name, SOURCE, SOURCE if field.format == "source" else f"({field.treatment})"))
            continue
        raw = EXAMPLE_VALUES.get(col.pii, FALLBACK)
        spec = col.treatment or defaults[col.pii]
        op = build_operator(spec, DOCS_KEY, scanner)
        try:
            treated = op.apply(raw, {"type": "string", "optional": True, "field": field.name})
        except Exception:  # an operator that needs the real column type (generalize bucket)
            treated = f"({field.treatment})"
        rows.append((field.name, raw, treated))
    return rows
