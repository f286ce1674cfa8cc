"""Does a treatment fit a column's type? The same limits the operators enforce at run
time (:mod:`pipeline.core.treatments.operators`), checked before the records arrive: a
``generalize`` that cannot read the type, ``redact_detected`` on a number, JSON paths on
a column that is not JSON, all of which would dead-letter every record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.core import logical
from pipeline.core.treatments.spec import TreatmentSpec

_NUMBERS = frozenset({"int8", "int16", "int32", "int64", "float", "float32", "float64", "double"})


def describe(field: Mapping[str, Any]) -> str:
    name = field.get("name")
    return f"{field.get('type')} ({name})" if name else str(field.get("type"))


def misfit(spec: TreatmentSpec, field: Mapping[str, Any], has_paths: bool = False) -> str | None:
    """Why ``spec`` cannot treat values of the Connect ``field`` (None: it can)."""
    kind = field.get("type")
    name = logical.logical_name(dict(field))
    is_json = name == logical.JSON_TEXT
    if has_paths and not (is_json or (kind == "string" and name is None)):
        return f"JSON paths are declared but the column is {describe(field)}, not JSON"
    if spec.kind == "redact_detected" and kind not in ("string", "map", "array"):
        return f"redact_detected scans text; the column is {describe(field)}"
    if spec.kind != "generalize":
        return None
    if spec.param("to") is not None:
        dated = kind == "int32" and name in logical.DATE_DAYS
        stamped = kind == "int64" and name in logical.TIMESTAMP_UNITS
        if not (dated or stamped or kind == "string"):
            return (
                f"generalize to {spec.param('to')} needs a date, timestamp or ISO text; the column is {describe(field)}"
            )
    elif spec.param("bucket") is not None:
        decimal = name in (logical.DECIMAL, logical.VARIABLE_SCALE_DECIMAL)
        if kind not in _NUMBERS and not decimal and kind != "string":  # text: parsed per value
            return f"generalize bucket needs a number; the column is {describe(field)}"
    elif spec.param("prefix") is not None and (kind != "string" or is_json):
        return f"generalize prefix needs text; the column is {describe(field)}"
    return None
