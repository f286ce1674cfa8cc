"""Oracle column types as Debezium's Oracle connector emits them through the JsonConverter
with its default settings (``decimal.handling.mode=precise``,
``time.precision.mode=adaptive``), for the types the corpus's Oracle scripts use, and
script values (strings, numbers, ``TO_DATE``/``TO_TIMESTAMP`` calls) turned into those
values. A type or call outside this table fails the build: it is not guessed.

Mappings (Debezium documentation, Oracle connector, "Data type mappings"):
``NUMBER(p[,0])`` by its digits: under 3 int8, under 5 int16, under 10 int32, under 19
int64, otherwise bytes/Decimal with scale 0 (so ``INTEGER``, which is ``NUMBER(38)``, is a
Decimal); ``NUMBER(p,s)`` with ``s > 0`` bytes/Decimal; ``NUMBER`` without a precision
VariableScaleDecimal; ``CHAR``/``VARCHAR2``/``NCHAR``/``NVARCHAR2`` string; ``DATE`` (which
holds a time of day) int64/Timestamp, milliseconds; ``TIMESTAMP(p)`` (p 6 when not given)
int64/Timestamp for p up to 3, MicroTimestamp up to 6, NanoTimestamp beyond; ``BLOB``
bytes.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bench.corpus.pgtypes import VARIABLE_SCALE, ValueTypeError, decimal, value_for
from bench.corpus.sources.oracledump import Call, Variable

_EPOCH = datetime(1970, 1, 1)
_NUMBER = re.compile(r"number\s*\(\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?\)")
_STRING = re.compile(r"(?:n?varchar2|n?char|varchar)\s*\(\s*\d+(?:\s+(?:char|byte))?\s*\)|n?char")
_TIMESTAMP = re.compile(r"timestamp(?:\s*\(\s*(\d)\s*\))?")
# Oracle datetime format models this reader knows, as strptime formats (the fraction, FF,
# is read apart: Oracle takes up to nine digits)
_FORMATS = {"DD-MM-YYYY": "%d-%m-%Y", "DD-MON-YYYY HH24.MI.SS.FF": "%d-%b-%Y %H.%M.%S"}


class UnmappedType(ValueError):
    """An Oracle column type or script value this table does not map (never the value)."""


def field_for(sql_type: str) -> dict[str, Any]:
    """The Debezium field schema (without ``field`` and ``optional``) of an Oracle type."""
    t = " ".join(sql_type.strip().lower().split())
    if t in ("integer", "int", "smallint"):
        return decimal(38, 0)
    if t == "number":
        return dict(VARIABLE_SCALE)
    m = _NUMBER.fullmatch(t)
    if m:
        precision, scale = int(m.group(1)), int(m.group(2) or 0)
        if scale > 0:
            return decimal(precision, scale)
        digits = precision - scale
        for limit, kind in ((3, "int8"), (5, "int16"), (10, "int32"), (19, "int64")):
            if digits < limit:
                return {"type": kind}
        return decimal(precision, 0)
    if _STRING.fullmatch(t):
        return {"type": "string"}
    if t == "date":
        return {"type": "int64", "name": "io.debezium.time.Timestamp", "version": 1}
    m = _TIMESTAMP.fullmatch(t)
    if m:
        p = int(m.group(1) or 6)
        name = "Timestamp" if p <= 3 else "MicroTimestamp" if p <= 6 else "NanoTimestamp"
        return {"type": "int64", "name": f"io.debezium.time.{name}", "version": 1}
    if t == "blob":
        return {"type": "bytes"}
    raise UnmappedType(f"no Debezium Oracle mapping for {sql_type!r} in this reader")


def value_of(value: object, field: dict[str, Any]) -> object:
    """The JSON value Debezium publishes for a script value of this field."""
    if value is None:
        return None
    name = field.get("name", "")
    if isinstance(value, Variable):
        raise UnmappedType(f"a PL/SQL variable in a {name or field['type']} column (its value is not in the script)")
    if isinstance(value, Call):
        if name.startswith("io.debezium.time.") and value.name in ("TO_DATE", "TO_TIMESTAMP"):
            return _epoch_units(value, name)
        raise UnmappedType(f"a {value.name} call in a {name or field['type']} column")
    if name.startswith("io.debezium.time."):
        raise UnmappedType(f"a bare literal in a {name} column")
    if field["type"] == "int8":
        try:
            return int(str(value))
        except ValueError:
            raise ValueTypeError("a value does not read as int8") from None
    return value_for(value, field)


def _epoch_units(call: Call, name: str) -> int:
    if len(call.args) != 2 or not all(isinstance(a, str) for a in call.args):
        raise UnmappedType(f"{call.name} with arguments this reader does not read")
    text, model = str(call.args[0]), str(call.args[1]).upper()
    if model not in _FORMATS:
        raise UnmappedType(f"{call.name} with a format model this reader does not read")
    fraction = Decimal(0)
    if model.endswith(".FF"):
        text, _, digits = text.rpartition(".")
        if not digits.isdigit() or len(digits) > 9:
            raise ValueTypeError(f"a {call.name} value without its fraction")
        fraction = Decimal(f"0.{digits}")
    try:
        at = datetime.strptime(text.title() if "MON" in model else text, _FORMATS[model])
    except ValueError:
        raise ValueTypeError(f"a {call.name} value that does not read as its format") from None
    seconds = Decimal((at - _EPOCH).days * 86_400 + (at - _EPOCH).seconds) + fraction
    unit = {"io.debezium.time.Timestamp": 1_000, "io.debezium.time.MicroTimestamp": 1_000_000}.get(name)
    if unit is None:  # NanoTimestamp or a date type: not used by these scripts
        raise UnmappedType(f"{call.name} into a {name} column")
    return int((seconds * unit).quantize(Decimal(1), rounding=ROUND_HALF_UP))
