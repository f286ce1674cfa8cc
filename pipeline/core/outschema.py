"""What of a source Connect schema goes out in the CDR schema: its structure, and no
free text.

A record's Connect schema is input like its values: a producer (a connector, an SMT, a
hand-written JsonConverter document, an Avro schema read back) can put anything in a
field's ``doc``, its ``parameters``, its ``default``, its struct ``name``, or keys no
Connect schema has. The CDR schema (embedded in JSON records, registered as Avro) is
built from the source schema by :func:`structural`, which keeps:

- ``type``, ``optional``, ``field``, and ``fields``/``items``/``keys``/``values``
  rebuilt the same way (nesting bounded by :data:`MAX_DEPTH`); a nested struct's field
  whose name the text check finds personal data in is dropped, whatever the column's
  treatment (its name would go out in the schema even with its values withheld);
- ``version`` when it is a small integer (Connect's are 1, 2...);
- ``name`` when it is shaped like a Connect or Avro name (dotted identifiers) and the
  text check finds no personal data in it (``io.debezium.time.Date``, ``<topic>.Value``);
- these ``parameters``: decimal scale and precision, bit and truncation lengths, the
  propagated source column length and scale (digits), Debezium's ``masked`` flag, the
  propagated source column type (shaped like a SQL type name, checked), and the
  ``allowed`` symbols of ``io.debezium.data.Enum``/``EnumSet``, on a column released as
  it is, when every symbol is checked clean;
- ``default`` on a column released as it is (``pass``/``tag``), when it is a boolean, a
  number of at most six digits (any integer on a date or timestamp logical type), or a
  short text checked clean: a default is a value of the column that no per-value guard
  sees. A treated required field's default is the treatment's output for the source
  default (``treated_default``: the operator made it, the source's never goes out).

Everything else is dropped: ``doc``, every other parameter (a column comment, a custom
key, incoming ``cdr.*`` properties, which only the transform sets), unknown keys. The
check is the per-value guard's (:func:`detectors.guard.holds`, side-effect free); with
detection off there is no check, and defaults and symbols of released columns stay.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from detectors.guard import implausible_time
from detectors.identifiers import holds_listed_name
from detectors.recognizers.person import person_value_score
from pipeline.core import logical
from pipeline.core.safenames import looks_personal
from pipeline.errors import DecodeError
from pipeline.vocabulary import DeadLetterReason

if TYPE_CHECKING:
    from detectors.textscan import TextScanner

Field = dict[str, Any]
Clean = Callable[[Any], bool]  # True: no personal data found in this value

_CLEANERS: weakref.WeakKeyDictionary[Any, Clean] = weakref.WeakKeyDictionary()
_MEMO_SIZE = 4096  # answers kept per scanner
_MEMO_TEXT = 256  # characters: a longer text is checked each time
MAX_DEPTH = 64  # nested structs, arrays and maps in one field's schema
_NESTED = ("items", "keys", "values")
# JsonConverter's type names (float, double) and Connect's own (float32, float64)
CONNECT_TYPES = frozenset(
    {"int8", "int16", "int32", "int64", "float", "double", "float32", "float64", "boolean", "string", "bytes"}
    | {"array", "map", "struct"}
)
_PRIMITIVE = frozenset(
    {"int8", "int16", "int32", "int64", "float", "double", "float32", "float64", "boolean", "string"}
)
_NAME = re.compile(r"[A-Za-z_$][\w$-]*(?:\.[\w$-]+)*", re.ASCII)
_MAX_NAME = 255
# A name part of words joined by '_' that reads as a person's name this surely is dropped:
# a lower bar than the guard's for values (a struct is rarely named 'Grace_Period', and a
# dropped name only makes the struct anonymous).
_NAME_PERSON = 0.6
_DIGITS = re.compile(r"-?\d{1,10}", re.ASCII)
_SMALL_PARAM = 10**6  # lengths, scales, precisions: fewer digits, or a type's maximum (2**n - 1)
_DIGIT_PARAMS = frozenset(
    {
        "scale",
        "connect.decimal.precision",
        "length",
        "truncateLength",
        "__debezium.source.column.length",
        "__debezium.source.column.scale",
    }
)
_FLAG_PARAMS = frozenset({"masked"})
_TYPE_PARAM = "__debezium.source.column.type"
# One identifier (VARCHAR, int4, _int4, a user type), then only the words SQL types use
# ('character varying', 'double precision', 'INT UNSIGNED', 'timestamp with time zone').
_SQL_TYPE = re.compile(
    r"[A-Za-z_]\w*(?: (?:varying|precision|unsigned|zerofill|with|without|local|time|zone))*"
    r"(?:\(\d{1,6}(?:, ?\d{1,6})?\))?(?:\[\])?",
    re.ASCII | re.IGNORECASE,
)
_MAX_TYPE = 64
SYMBOLS = "allowed"
ENUMS = frozenset({"io.debezium.data.Enum", "io.debezium.data.EnumSet"})
_MAX_SYMBOLS = 256  # symbols checked; a longer list is not kept
_MAX_SYMBOLS_TEXT = 16_384
_SYMBOL_SPLIT = re.compile(r"(?<!\\),")  # Debezium escapes a comma inside a label as '\,'
_MAX_DEFAULT_TEXT = 128
_SMALL = 10**6  # a default of fewer digits cannot be a card, an SSN, a phone or an account
_TEMPORAL = logical.DATE_DAYS | frozenset(logical.TIMESTAMP_UNITS)


def cleaner(scanner: TextScanner | None) -> Clean | None:
    """The text check of a scanner (None: detection is off, nothing is checked), one per
    scanner. A check costs 0.05-0.7 ms and every compiled schema asks it of the same
    logical and struct names again: answers for short texts and numbers are kept
    (bounded, forgotten together when full). The check holds its scanner weakly (the
    caller's profiler keeps it): once the scanner is gone, nothing is clean."""
    if scanner is None:
        return None
    known = _CLEANERS.get(scanner)
    if known is not None:
        return known
    from detectors.guard import holds

    memo: dict[Any, bool] = {}
    held = weakref.ref(scanner)  # the check must not keep its scanner alive

    def clean(value: Any) -> bool:
        kept = type(value) in (int, float) or (type(value) is str and len(value) <= _MEMO_TEXT)
        if kept:
            hit = memo.get(value)
            if hit is not None:
                return hit
        live = held()
        answer = live is not None and holds(value, live) is None
        if kept:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[value] = answer
        return answer

    _CLEANERS[scanner] = clean
    return clean


def structural(
    field: Field, clean: Clean | None, *, released: bool = False, treated_default: bool = False, depth: int = 0
) -> Field:
    """The CDR form of one Connect schema (a field, a struct, an array's items...), its
    keys in their order. ``released``: its values go out as they are, so a clean
    default and clean enum symbols may too. ``treated_default``: the field's default
    (not a nested one) is its treatment's output for the source default, kept when it is
    a scalar."""
    if depth > MAX_DEPTH:
        raise DecodeError(DeadLetterReason.SCHEMA_INVALID, "a field schema is nested too deeply")
    out: Field = {}
    kind = field.get("type")
    if "type" in field and (not isinstance(kind, str) or kind not in CONNECT_TYPES):
        raise DecodeError(DeadLetterReason.SCHEMA_INVALID, "a field schema has a type Kafka Connect does not have")
    name = field.get("name")
    name_kept = isinstance(name, str) and _is_name(name, clean)
    for key, value in field.items():
        if key == "type":
            out[key] = value
        elif key == "field":
            if not isinstance(value, str):
                raise DecodeError(DeadLetterReason.SCHEMA_INVALID, "a field schema's name is not text")
            out[key] = value
        elif key == "optional":
            if isinstance(value, bool):
                out[key] = value
        elif key == "name":
            if name_kept:
                out[key] = value
        elif key == "version":
            if type(value) is int and 0 <= value < _SMALL_PARAM:  # a version, not a phone number
                out[key] = value
        elif key == "parameters":
            params = _parameters(value, name if name_kept else None, clean, released)
            if params:
                out[key] = params
        elif key == "default":
            kept = released and _default_kept(kind, value, clean, name if name_kept else None)
            if kept or (treated_default and isinstance(value, str | int | float | bool)):
                out[key] = value
        elif key == "fields":
            if not isinstance(value, list) or not all(isinstance(f, dict) for f in value):
                raise DecodeError(DeadLetterReason.SCHEMA_INVALID, "a struct schema's fields are not a list of fields")
            # a nested field's name is input like a value, and goes out in the schema even
            # when the column's values do not: one that holds personal data is dropped
            out[key] = [
                structural(f, clean, released=released, depth=depth + 1) for f in value if _field_named_clean(f, clean)
            ]
        elif key in _NESTED and isinstance(value, dict):
            out[key] = structural(value, clean, released=released, depth=depth + 1)
        # doc, and any key a Connect schema does not have: dropped
    return out


# What of a released value its CDR schema keeps, where :func:`structural` dropped nested
# fields: ("struct", {kept name: what of it is kept, None for all}), ("array", items),
# ("map", (keys, values)).
Projection = tuple[str, Any]


def projection(field: Field, clean: Clean | None, depth: int = 0) -> Projection | None:
    """What of a value of ``field`` goes out under its CDR schema (None: a value of no
    nested type, all of it): the fields its schema names, less those :func:`structural`
    dropped for a name holding personal data, at every depth. A released value is cut to
    it (:func:`project`), so the payload holds no key its schema does not."""
    if depth > MAX_DEPTH:
        return None  # past the depth, structural refused the schema
    kind = field.get("type")
    if kind == "struct":
        fields = field.get("fields")
        kept: dict[str, Projection | None] = {}
        for f in fields if isinstance(fields, list) else ():
            if (
                isinstance(f, dict)
                and isinstance(f.get("field"), str)
                and (clean is None or _field_named_clean(f, clean))
            ):
                kept[f["field"]] = projection(f, clean, depth + 1)
        return ("struct", kept)
    if kind == "array" and isinstance(field.get("items"), dict):
        items = projection(field["items"], clean, depth + 1)
        return None if items is None else ("array", items)
    if kind == "map":
        keys = projection(field["keys"], clean, depth + 1) if isinstance(field.get("keys"), dict) else None
        values = projection(field["values"], clean, depth + 1) if isinstance(field.get("values"), dict) else None
        return None if keys is None and values is None else ("map", (keys, values))
    return None


def project(value: Any, cut: Projection | None) -> Any:
    """``value`` with only what ``cut`` keeps (:func:`projection`); a value not shaped as
    its schema says where a struct, an array or a map is nested is null (it could hold
    anything)."""
    if cut is None or value is None:
        return value
    kind, inner = cut
    if kind == "struct":
        if not isinstance(value, dict):
            return None
        return {k: project(v, inner[k]) for k, v in value.items() if k in inner}
    if kind == "array":
        return [project(v, inner) for v in value] if isinstance(value, list) else None
    keys, values = inner
    if isinstance(value, dict) and keys is None:  # string keys: a JSON object
        return {k: project(v, values) for k, v in value.items()}
    if isinstance(value, list):  # other keys: [key, value] pairs
        return [
            [project(p[0], keys), project(p[1], values)] if isinstance(p, list) and len(p) == 2 else None for p in value
        ]
    return None


def struct(schema: Field, fields: list[Field], clean: Clean | None) -> Field:
    """A struct's CDR schema around fields already made CDR (a row, a key, an envelope)."""
    out = structural({**schema, "fields": []}, clean)  # the fields keep their place
    out["fields"] = fields
    return out


_FOLD = re.compile(r"[^0-9a-z]+")


def _folded(text: str) -> str:
    """Lower case, every run of other characters one ``_`` (Debezium's name adjuster
    turns a topic's ``-`` and ``.`` into ``_`` or keeps them: either way alike)."""
    return _FOLD.sub("_", text.casefold())


def topic_texts(topic: str) -> tuple[str, ...]:
    """What a schema name made from ``topic`` holds of it (folded): the topic, and its
    last two segments (``<schema>.<table>``, what Debezium's ``<prefix>.<schema>.<table>.Value``
    names hold whatever the topic is routed to)."""
    return tuple(dict.fromkeys(_folded(t) for t in (topic, ".".join(topic.split(".")[-2:]))))


def hiding(clean: Clean | None, hidden: tuple[str, ...]) -> Clean | None:
    """``clean`` that also refuses any text holding one of ``hidden`` (:func:`topic_texts`
    of a topic shown in its safe form): Debezium names a record's structs after its topic,
    and a topic named after a person must not go out in the CDR schema (the JSON
    record's, an Avro record name, the registry). The struct is then anonymous."""
    if not hidden:
        return clean

    def check(value: Any) -> bool:
        if isinstance(value, str):
            text = _folded(value)
            if any(h in text for h in hidden):
                return False
        return clean is None or clean(value)

    return check


def name_shaped(name: Any) -> bool:
    """Shaped like a Connect or Avro name (dotted identifiers): what a schema name may
    be where no text check runs (the contracts the tools print)."""
    return isinstance(name, str) and len(name) <= _MAX_NAME and _NAME.fullmatch(name) is not None


def _is_name(name: str, clean: Clean | None) -> bool:
    """Shaped like a Connect/Avro name, and clean, whole and part by part with its
    underscores read as spaces (an Avro record named ``Jane_Roe`` is a person's name)."""
    if not name_shaped(name):
        return False
    if clean is None:
        return True
    parts = name.split(".")
    return (
        clean(name)
        and all(_words_clean(part, clean) for part in parts if "_" in part)
        and not any(holds_listed_name(part) for part in parts)  # com.JohnSmith.Addr
    )


def _words_clean(identifier: str, clean: Clean) -> bool:
    """An identifier of words joined by '_', read as those words."""
    words = identifier.replace("_", " ").strip()
    return clean(words) and not (" " in words and (person_value_score(words) or 0.0) >= _NAME_PERSON)


def _field_named_clean(field: Field, clean: Clean | None) -> bool:
    """A nested field whose name the text check finds clean and that does not look like
    personal data as a column's name would (:func:`~pipeline.core.safenames.looks_personal`:
    also names no list knows, ``Kenji Okafor``); with detection off, every one. The guard
    judges the same names as keys of a released column's values by its own rules (listed
    names, as identifiers too); a released value is cut to what its schema keeps
    (:func:`projection`), so a name only this reads leaves the payload too."""
    name = field.get("field")
    if clean is None or not isinstance(name, str):
        return True  # a name that is not text is refused by structural
    # not _words_clean's lower bar for struct names: a field name is a column's name
    # ('ts_us' reads 0.6 as a person's name there), looks_personal reads its words
    return clean(name) and not looks_personal(name)


def _parameters(params: Any, name: Any, clean: Clean | None, released: bool) -> dict[str, str]:
    if not isinstance(params, dict):
        return {}
    out: dict[str, str] = {}
    for key, value in params.items():
        if not isinstance(value, str):
            continue
        if key in _DIGIT_PARAMS:
            kept = _DIGITS.fullmatch(value) is not None and _small_or_maximum(int(value))
        elif key in _FLAG_PARAMS:
            kept = value in ("true", "false")
        elif key == _TYPE_PARAM:
            kept = len(value) <= _MAX_TYPE and _SQL_TYPE.fullmatch(value) is not None
            kept = kept and (clean is None or (clean(value) and _words_clean(value, clean)))
        elif key == SYMBOLS:
            kept = released and name in ENUMS and _symbols_clean(value, clean)
        else:
            kept = False
        if kept:
            out[key] = value
    return out


def _small_or_maximum(n: int) -> bool:
    """A length, scale or precision: a few digits, or a type's maximum such as
    2147483647 (a longer number could be anything: a phone, an account)."""
    n = abs(n)
    return n < _SMALL_PARAM or (n + 1) & n == 0


def _symbols_clean(text: str, clean: Clean | None) -> bool:
    if clean is None:
        return True
    if len(text) > _MAX_SYMBOLS_TEXT:
        return False
    symbols = _SYMBOL_SPLIT.split(text)
    return len(symbols) <= _MAX_SYMBOLS and all(clean(s.replace("\\,", ",")) for s in symbols if s)


def _a_time(value: int, name: str) -> bool:
    """An integer of the date or timestamp type ``name`` is a time of records
    (:func:`detectors.guard.implausible_time`)."""
    per_day = 1 if name in logical.DATE_DAYS else 86_400 * logical.TIMESTAMP_UNITS[name]
    return implausible_time(value, per_day) is None


def _default_kept(kind: Any, default: Any, clean: Clean | None, name: str | None) -> bool:
    if default is None:
        return True
    if kind not in _PRIMITIVE:
        return False  # bytes (base64 text), structs, arrays, maps: not looked into
    if isinstance(default, bool):
        return True
    if isinstance(default, int):
        # a date or a timestamp by its logical type that is a time of records (Avro needs
        # a new required field's default to stay compatible; a card number as a time is
        # none); any other long number could be anything
        return -_SMALL < default < _SMALL or (name in _TEMPORAL and _a_time(default, name))
    if isinstance(default, float):
        return abs(default) < _SMALL
    if isinstance(default, str):
        return len(default) <= _MAX_DEFAULT_TEXT and (clean is None or clean(default))
    return False
