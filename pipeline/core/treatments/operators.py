"""Operators: one small class per treatment, built by :func:`build_operator`.

An operator turns one non-null value into its treated value, given the field's Connect
schema when the record has one, and says what the field's schema becomes. Operators
never see nulls or the TOAST placeholder (the transform handles those), and their
errors never quote the value.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Protocol

import orjson

from pipeline.core import logical
from pipeline.core.treatments.hashing import HashKey
from pipeline.core.treatments.spec import TreatmentSpec
from pipeline.errors import TransformError
from pipeline.vocabulary import DeadLetterReason

Field = dict[str, Any]

REDACTED = "<REDACTED>"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # no text has them (tabs and line breaks aside)


class Operator:
    kind: ClassVar[str]
    #: True when the output is always a plain string (the field's schema becomes string).
    produces_text: ClassVar[bool] = False

    def apply(self, value: Any, field: Field | None) -> Any:
        raise NotImplementedError

    def out_field(self, field: Field) -> Field | None:
        """The output schema of ``field``; None removes it. The source's default never
        goes out; a required field gets :meth:`treated_default` instead."""
        if self.produces_text:
            out = _string_field(field)
        else:
            out = dict(field)
            out.pop("default", None)
        default = self.treated_default(field)
        if default is not None:
            out["default"] = default
        return out

    def treated_default(self, field: Field) -> Any:
        """A required field's default as this treatment writes it: the value a record
        holding the source default carries, so it says nothing a record does not. A
        required field added to a table keeps a default, so a registry under BACKWARD
        accepts the new CDR schema (readers of older records need one). None when the
        field is optional, has no default, or the treatment cannot read the default or
        makes it no scalar."""
        default = field.get("default")
        if field.get("optional") or default is None:
            return None
        try:
            out = self.apply(default, field)
        except Exception:  # a default no record could hold (a struct, a bad date): none, as before
            return None
        return out if isinstance(out, str | int | float | bool) else None


class Pass(Operator):
    kind = "pass"

    def apply(self, value: Any, field: Field | None) -> Any:
        return value

    def out_field(self, field: Field) -> Field | None:
        return field


class Tag(Pass):
    kind = "tag"


class Drop(Operator):
    kind = "drop"

    def apply(self, value: Any, field: Field | None) -> Any:  # pragma: no cover - never called
        raise AssertionError("drop removes the field; the transform never applies it")

    def out_field(self, field: Field) -> Field | None:
        return None


class Null(Operator):
    kind = "null"

    def apply(self, value: Any, field: Field | None) -> Any:
        return None

    def out_field(self, field: Field) -> Field | None:
        out = dict(field)
        out.pop("default", None)
        out["optional"] = True
        return out


class Redact(Operator):
    kind = "redact"
    produces_text = True

    def __init__(self, text: str) -> None:
        self.text = text

    def apply(self, value: Any, field: Field | None) -> Any:
        return self.text


class Mask(Operator):
    kind = "mask"
    produces_text = True

    def __init__(self, keep_first: int, keep_last: int, char: str) -> None:
        self.keep_first = keep_first
        self.keep_last = keep_last
        self.char = char

    def apply(self, value: Any, field: Field | None) -> Any:
        text = canonical_text(value, field)
        n = len(text)
        first, last = self.keep_first, self.keep_last
        if first + last >= n:
            # Keeping that much would reveal the whole value: mask all but what the
            # shorter of the two asks for, and never more than half.
            keep = min(first + last, n // 2)
            first, last = min(first, keep), max(0, keep - min(first, keep))
        return text[:first] + self.char * (n - first - last) + (text[n - last :] if last else "")


class Hash(Operator):
    kind = "hash"
    produces_text = True

    def __init__(self, key: HashKey) -> None:
        self.key = key

    def apply(self, value: Any, field: Field | None) -> Any:
        return self.key.digest(canonical_text(value, field))


class TextRedactor(Protocol):
    """What ``redact_detected`` needs from the value scanner (detectors.textscan)."""

    def redact(self, text: str) -> str: ...

    def redact_json(
        self, doc: Any, path_ops: dict[str, Callable[[Any], Any]] | None = None, *, free_text: bool = False
    ) -> Any:
        """The document with its spans redacted; None (free text) when it is withheld whole."""
        ...


class RedactDetected(Operator):
    """Free text: only detected spans become ``<ENTITY>``; JSON documents (a Json column,
    a string holding a JSON object, a map) keep their shape with every detected leaf or
    key redacted and declared paths treated. The field keeps its type. Without a scanner
    the whole value is withheld: fail closed."""

    kind = "redact_detected"

    def __init__(self, scanner: TextRedactor | None, paths: dict[str, Operator] | None = None) -> None:
        self.scanner = scanner
        self.path_ops: dict[str, Callable[[Any], Any]] = {
            path: (lambda leaf, op=op: op.apply(leaf, None)) for path, op in (paths or {}).items()
        }

    def apply(self, value: Any, field: Field | None) -> Any:
        is_json = logical.logical_name(field) == logical.JSON_TEXT
        if isinstance(value, str) and field is not None and field.get("type") == "bytes" and field.get("name") is None:
            return self._text_bytes(value)
        if isinstance(value, str):
            doc = _json_document(value) if is_json or value[:1] in "{[" else None
            if self.scanner is None:
                return None if is_json else REDACTED
            if doc is not None:
                out = self.scanner.redact_json(doc, self.path_ops, free_text=True)
                if out is None:  # it holds personal data its spans do not cover: withheld whole
                    return None if is_json else REDACTED
                return orjson.dumps(out).decode()
            return self.scanner.redact(value)
        if isinstance(value, dict | list) and self.scanner is not None:
            return self.scanner.redact_json(value, self.path_ops, free_text=True)
        return None

    def _text_bytes(self, value: str) -> str | None:
        """A bytes column of free text (base64 in JSON): UTF-8 text is redacted and goes
        out as bytes again; bytes that are not UTF-8 (Latin-1, UTF-16, anything else)
        are text this does not read, withheld (None): no span can be redacted in them."""
        try:
            text = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        if self.scanner is None or _CONTROL_CHARS.search(text):
            return None  # NULs between letters: UTF-16 (or binary) that happens to be valid UTF-8
        return base64.b64encode(self.scanner.redact(text).encode("utf-8", "surrogatepass")).decode("ascii")

    def out_field(self, field: Field) -> Field | None:
        out = dict(field)
        out.pop("default", None)
        out["optional"] = True
        return out


class JsonPaths(Operator):
    """A JSON column whose declaration lists leaves: those are treated, the rest pass."""

    kind = "json_paths"

    def __init__(self, paths: dict[str, Operator]) -> None:
        self.paths = paths

    def apply(self, value: Any, field: Field | None) -> Any:
        if isinstance(value, str):
            doc = _json_document(value)
            if doc is None:
                raise TransformError(
                    DeadLetterReason.NOT_JSON, _where(field, "has declared paths but is not a JSON document")
                )
            return orjson.dumps(self._walk(doc, "")).decode()
        if isinstance(value, dict | list):
            return self._walk(value, "")
        raise TransformError(DeadLetterReason.NOT_JSON, _where(field, "has declared paths but is not a JSON document"))

    def _walk(self, node: Any, path: str) -> Any:
        op = self.paths.get(path) if path else None
        if op is not None:
            return None if node is None else op.apply(node, None)
        if isinstance(node, dict):
            return {k: self._walk(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [self._walk(v, f"{path}[]") for v in node]
        return node


class Withhold(Operator):
    """A column the detector has not cleared yet: text is masked, anything else is
    nulled, and the field keeps its type, so clearing it later is not a schema break."""

    kind = "withhold"

    def apply(self, value: Any, field: Field | None) -> Any:
        if isinstance(value, str) and _plain_text(field):
            return "*" * len(value)
        return None  # numbers, bytes, decimals, JSON, maps, arrays: nulled

    def out_field(self, field: Field) -> Field | None:
        out = dict(field)
        out.pop("default", None)
        out["optional"] = True
        return out


def _plain_text(field: Field | None) -> bool:
    """A string field that is text (not bytes as base64, not a decimal, not JSON)."""
    if field is None:
        return True
    return field.get("type") == "string" and logical.logical_name(field) != logical.JSON_TEXT


def _json_document(value: str) -> Any:
    try:
        doc = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    return doc if isinstance(doc, dict | list) else None


class Generalize(Operator):
    """Type-preserving coarsening: the field keeps its type and logical type."""

    kind = "generalize"

    def __init__(self, to: str | None, bucket: float | None, prefix: int | None) -> None:
        self.to = to
        self.bucket = bucket
        self.prefix = prefix

    def apply(self, value: Any, field: Field | None) -> Any:
        if self.to is not None:
            return _truncate_time(value, field, self.to)
        if self.bucket is not None:
            return _bucket(value, field, self.bucket)
        return _prefix(value, self.prefix or 1)


def build_operator(
    spec: TreatmentSpec,
    hash_key: HashKey | None,
    scanner: TextRedactor | None = None,
    paths: dict[str, Operator] | None = None,
) -> Operator:
    kind = spec.kind
    if kind == "pass":
        return Pass()
    if kind == "tag":
        return Tag()
    if kind == "drop":
        return Drop()
    if kind == "null":
        return Null()
    if kind == "redact":
        return Redact(spec.param("text", REDACTED))
    if kind == "mask":
        return Mask(spec.param("keep_first", 0), spec.param("keep_last", 0), spec.param("char", "*"))
    if kind == "hash":
        if hash_key is None:
            raise ValueError("hash needs a key: set CDR_HASH_KEY or hashing.key_file in the config")
        return Hash(hash_key)
    if kind == "redact_detected":
        return RedactDetected(scanner, paths)
    if kind == "withhold":
        return Withhold()
    if kind == "generalize":
        return Generalize(spec.param("to"), spec.param("bucket"), spec.param("prefix"))
    raise ValueError(f"unknown treatment {kind!r}")


# --- value helpers ---------------------------------------------------------------------


def canonical_text(value: Any, field: Field | None) -> str:
    """The text a value is hashed or masked as. Numbers hash the same whichever Debezium
    encoding carried them (Decimal bytes, VariableScaleDecimal, plain number)."""
    if isinstance(value, str):
        scale = logical.decimal_scale(field)
        if scale is not None:
            try:
                return str(logical.decode_decimal_bytes(value, scale))
            except ValueError:
                raise TransformError(DeadLetterReason.SCHEMA_MISMATCH, _where(field, "is not Decimal bytes")) from None
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict) and logical.logical_name(field) == logical.VARIABLE_SCALE_DECIMAL:
        try:
            return str(logical.decode_variable_scale(value))
        except (ValueError, TypeError):
            raise TransformError(
                DeadLetterReason.SCHEMA_MISMATCH, _where(field, "is not a VariableScaleDecimal")
            ) from None
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError:
        raise TransformError(
            DeadLetterReason.UNENCODABLE, _where(field, "holds a value that cannot be hashed")
        ) from None


def _string_field(field: Field) -> Field:
    out: Field = {"type": "string", "optional": field.get("optional", True)}
    if "field" in field:
        out["field"] = field["field"]
    return out


def _where(field: Field | None, problem: str) -> str:
    name = field.get("field") if field else None
    return f"field {name!r} {problem}" if name else f"value {problem}"


_ISO_DATE = re.compile(r"^([+-]?\d{4,6})-(\d{2})-(\d{2})")
_TEXT_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def _truncate_time(value: Any, field: Field | None, to: str) -> Any:
    name = logical.logical_name(field)
    if isinstance(value, int) and not isinstance(value, bool):
        if name in logical.DATE_DAYS:
            return _truncate_days(value, to)
        unit = logical.TIMESTAMP_UNITS.get(name or "")
        if unit is not None:
            return _truncate_epoch(value, unit, to)
        raise TransformError(
            DeadLetterReason.GENERALIZE_TYPE,
            _where(
                field,
                "is a number without a date/timestamp logical type; generalize to "
                f"{to} needs one (enable schemas on the converter, or use bucket)",
            ),
        )
    if isinstance(value, str):
        if value in ("infinity", "-infinity"):
            return value
        m = _ISO_DATE.match(value)
        if not m:
            # A date written as text ('10/17/1966', '17.10.1966', 'Oct 17, 1966'): to a
            # year, its four-digit year is enough; the result is the ISO form of the year.
            year_only = _TEXT_YEAR.findall(value) if to == "year" else []
            if len(year_only) == 1:
                return f"{year_only[0]}-01-01"
            raise TransformError(DeadLetterReason.GENERALIZE_TYPE, _where(field, "is not an ISO-8601 date"))
        year, month = m.group(1), m.group(2)
        day = m.group(3)
        month_out = "01" if to == "year" else month
        day_out = day if to == "day" else "01"
        rest = value[m.end() :]
        if not rest:
            return f"{year}-{month_out}-{day_out}"
        suffix = "Z" if rest.endswith("Z") or name == "io.debezium.time.ZonedTimestamp" else ""
        return f"{year}-{month_out}-{day_out}T00:00:00{suffix}"
    raise TransformError(DeadLetterReason.GENERALIZE_TYPE, _where(field, f"cannot be generalized to {to}"))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SENTINEL = 9_223_372_036_000_000_000  # Debezium's +/-infinity timestamps sit beyond this


def _truncate_days(days: int, to: str) -> int:
    if to == "day":
        return days
    d = datetime.fromordinal(_EPOCH.toordinal() + days).date()
    d = d.replace(month=1, day=1) if to == "year" else d.replace(day=1)
    return d.toordinal() - _EPOCH.toordinal()


def _truncate_epoch(value: int, per_second: int, to: str) -> int:
    if abs(value) >= _SENTINEL:
        return value
    seconds, _ = divmod(value, per_second)
    try:
        dt = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise TransformError(DeadLetterReason.GENERALIZE_TYPE, "timestamp out of range for generalize") from None
    dt = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    if to in ("year", "month"):
        dt = dt.replace(day=1)
    if to == "year":
        dt = dt.replace(month=1)
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * per_second


def _bucket(value: Any, field: Field | None, bucket: float) -> Any:
    name = logical.logical_name(field)
    if isinstance(value, bool):
        raise TransformError(DeadLetterReason.GENERALIZE_TYPE, _where(field, "is a boolean; bucket needs a number"))
    if isinstance(value, int):
        width = bucket if isinstance(bucket, int) else Decimal(str(bucket))
        out = (value // width) * width
        return int(out)
    if isinstance(value, float):
        if not math.isfinite(value):
            return value
        return math.floor(value / bucket) * bucket
    step = Decimal(str(bucket))
    if isinstance(value, str):
        scale = logical.decimal_scale(field)
        if scale is not None:
            number = logical.decode_decimal_bytes(value, scale)
            return logical.encode_decimal_bytes(_floor_to(number, step), scale)
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise TransformError(DeadLetterReason.GENERALIZE_TYPE, _where(field, "is not a number")) from None
        if not number.is_finite():
            return value
        out = _floor_to(number, step)
        exponent = number.as_tuple().exponent
        return str(out.quantize(Decimal(1).scaleb(exponent))) if isinstance(exponent, int) else str(out)
    if isinstance(value, dict) and name == logical.VARIABLE_SCALE_DECIMAL:
        number = logical.decode_variable_scale(value)
        return logical.encode_variable_scale(_floor_to(number, step), int(value["scale"]))
    raise TransformError(DeadLetterReason.GENERALIZE_TYPE, _where(field, "is not a number"))


def _floor_to(number: Decimal, step: Decimal) -> Decimal:
    return (number / step).to_integral_value(rounding="ROUND_FLOOR") * step


def _prefix(value: Any, n: int) -> Any:
    if not isinstance(value, str):
        raise TransformError(DeadLetterReason.GENERALIZE_TYPE, "generalize prefix needs a text value")
    return value[:n]
