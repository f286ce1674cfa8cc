"""Connector metadata that goes out as it came, and the shapes its values must have.

Debezium writes its own metadata next to the row: the ``source`` and ``transaction``
blocks of an envelope, and with ``add.headers`` (ExtractNewRecordState) headers such as
``__op``, ``__db``, ``__table``, ``__lsn`` that ``headers_passthrough`` copies. A record
can hold anything its producer wrote, though, so a metadata value goes out only when it
has the shape of what its name stands for:

- codes and markers (``op``, ``__deleted``, ``snapshot``): one of their values;
- the connector's counters and positions (``lsn``, ``txId``, ``sequence``, ``gtid``,
  ``file``, ``pos``, a transaction's ``id``...): numbers, or text in the notation its
  connectors write it in (digits; hex digit groups; a GTID set; a binlog file name
  ending in its number), never a word. A MariaDB GTID (``0-1-270``: three dashed digit
  groups) stays indistinguishable from a dashed SSN or phone number, in ``gtid`` and a
  transaction's ``id``, and so does a number in a numeric position (``lsn``, ``txId``,
  ``scn``, ``sequence``...) from a card or phone number written as one: the connector
  writes these, any number can be one, and nulling every one that validates as a card
  would take the position off about one LSN of 12 to 19 digits in forty. A binlog file's name (before its
  number) is checked like a name;
- names (``db``, ``schema``, ``table``, ``name``, ``version``... and any other field):
  text that :func:`pipeline.core.safenames.looks_personal` does not take for personal
  data (an e-mail, a phone number, a person's name), at most 128 characters.

A header whose value does not fit is left out (like a header not listed); a ``source``
or ``transaction`` text value that does not fit is masked, its type kept (the block's
schema may require the field); a number that does not fit (outside the positions above,
where any number fits) is nulled.

A field's *name* is data too: a field of a block goes out only under a plain name
(:func:`pipeline.core.safenames.is_plain`: a short identifier that does not look like an
e-mail, a phone number, a person's name...), and only holding a scalar (a connector's
metadata is text, numbers and flags; a nested object or list could hold anything).
Any other field is dropped, from the payload here and from the block's schema
(:func:`block_schema`), so the two still agree. Every connector's own fields are plain.
"""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any

from pipeline.core.safenames import is_plain, looks_personal

MAX_VALUE_CHARS = 128  # longer values are no connector metadata
_SNAPSHOT = frozenset(
    {"true", "false", "first", "last", "first_in_data_collection", "last_in_data_collection", "incremental"}
)
_ENUMS = {
    "op": frozenset({"c", "u", "d", "r", "t", "m"}),
    "deleted": frozenset({"true", "false"}),
    "snapshot": _SNAPSHOT,
}
# Counters, clocks and log positions, by name without the SMT's "__" / "__source_"
# prefix, each with the notation its connectors write it in as text (any number fits).
# A free-form "word characters and separators" rule would let through a dashed SSN in
# ``lsn``, a phone number in ``txId`` or "Maria_Gonzalez" in ``sequence``: a position is
# digits, or digit groups in its connector's own notation, never a word.
_DIGITS = r"-?\d{1,40}"
# SQL Server/Db2 LSNs (three groups), "txId:lsn"; never the eight of an IPv6 address
_HEX_GROUPS = r"(?=[^:]*\d)[0-9A-Fa-f]{1,40}(?::[0-9A-Fa-f]{1,40}){0,3}"
_UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_ONE_GTID = rf"(?:{_UUID}(?::\d{{1,20}}(?:-\d{{1,20}})?)+|\d{{1,10}}-\d{{1,10}}-\d{{1,20}})"  # MySQL, MariaDB
_GTID_SET = rf"{_ONE_GTID}(?:,\s?{_ONE_GTID}){{0,64}}"
_SEQUENCE = r'\[(?:null|"\d{1,20}")(?:,(?:null|"\d{1,20}")){0,7}\]'  # PostgreSQL: [last commit, current]
_BINLOG_FILE = r"[A-Za-z0-9_-]{1,100}(?:\.[A-Za-z0-9_-]{1,100})?\.\d{1,10}"  # mysql-bin.000003
_RS_ID = r" ?0x[0-9A-Fa-f]{1,40}(?:\.[0-9A-Fa-f]{1,40}){0,4} ?"  # Oracle
_TIMESTAMP = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z?"  # Spanner


def _notation(*forms: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{form})" for form in forms))


_COUNTER = _notation(_DIGITS)
_POSITION_NOTATIONS: dict[str, re.Pattern[str]] = {
    **dict.fromkeys(
        (
            "ts_ms", "ts_us", "ts_ns", "lsn", "txId", "xmin", "pos", "row", "server_id", "thread",
            "event_serial_no", "scn", "ssn", "redo_thread", "ord", "h", "total_order",
            "data_collection_order", "wallTime", "txnNumber", "record_sequence",
        ),
        _COUNTER,
    ),
    **dict.fromkeys(("change_lsn", "commit_lsn", "commit_scn", "tord"), _notation(_DIGITS, _HEX_GROUPS)),
    **dict.fromkeys(("commit_timestamp", "low_watermark", "read_at_timestamp"), _notation(_DIGITS, _TIMESTAMP)),
    "sequence": _notation(_SEQUENCE),
    "gtid": _notation(_GTID_SET),
    "file": _notation(_BINLOG_FILE),
    "rs_id": _notation(_RS_ID),
    "id": _notation(_DIGITS, _HEX_GROUPS, _GTID_SET),  # a transaction's: "571:53195832", a GTID, hex
}  # fmt: skip
_POSITIONS = frozenset(_POSITION_NOTATIONS)


def _bare(name: str) -> str:
    for prefix in ("__source_", "__"):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def shaped(name: str, text: str) -> bool:
    """True when a metadata text value fits the field (or header) it is found under."""
    if len(text) > MAX_VALUE_CHARS:
        return False
    field = _bare(name)
    allowed = _ENUMS.get(field)
    if allowed is not None:
        return text in allowed
    notation = _POSITION_NOTATIONS.get(field)
    if notation is not None:
        if notation.fullmatch(text) is None:
            return False
        # a binlog file is named by its server's settings: 'mysql-bin', never an IBAN or a phone
        return field != "file" or not looks_personal(text.rsplit(".", 1)[0])
    return "@" not in text and not looks_personal(text)


_FITS: dict[tuple[str, str], bool] = {}  # (field or header, value) -> shaped(): what repeats
_FITS_MAX = 4096


def _fits(name: str, text: str) -> bool:
    """:func:`shaped`, remembered for the names and values that repeat on every record of
    a table (every record pays this check). Bounded: at most :data:`_FITS_MAX` answers,
    none for a position (a new value each record) nor for a name or value over
    :data:`MAX_VALUE_CHARS` (a value is as long as a record can be)."""
    if len(text) > MAX_VALUE_CHARS:
        return False
    key = (name, text)
    fits = _FITS.get(key)
    if fits is None:
        fits = shaped(name, text)
        if len(name) <= MAX_VALUE_CHARS and _bare(name) not in _POSITIONS:
            if len(_FITS) >= _FITS_MAX:
                _FITS.clear()
            _FITS[key] = fits
    return fits


def header_shaped(name: str, raw: bytes | None, hidden: Container[str] = ()) -> bool:
    """True when a passthrough header's value may be copied as it is. ``hidden``: texts
    that never go out (casefolded, :func:`topic_parts`)."""
    if raw is None:
        return True
    if len(raw) > 4 * MAX_VALUE_CHARS:
        return False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]  # a JSON header converter's string
    return bool(text) and _fits(name, text) and not (hidden and text.casefold() in hidden)


def topic_parts(topic: str) -> frozenset[str]:
    """The parts of a topic shown in its safe form, casefolded: the source block and the
    connector's headers name them one by one (``schema``, ``table``, ``__table``), and the
    parts of a person's name each pass a check alone but together spell the topic."""
    return frozenset(part.casefold() for part in topic.split(".") if part)


# field name -> what it is: the names of a block repeat on every record
_NAMES: dict[str, int] = {}
_NAMES_MAX = 4096
_DROPPED, _PLAIN, _POSITIONAL = 0, 1, 2
_NESTED_TYPES = frozenset({"struct", "array", "map"})


def _name_class(name: str) -> int:
    """Whether a block's field goes out under its name (plain) and, if so, whether it is a
    position (any number fits). Remembered, bounded: at most :data:`_NAMES_MAX` answers,
    none for a name over :data:`MAX_VALUE_CHARS`."""
    found = _NAMES.get(name)
    if found is None:
        found = _DROPPED if not is_plain(name) else _POSITIONAL if _bare(name) in _POSITIONS else _PLAIN
        if len(name) <= MAX_VALUE_CHARS:
            if len(_NAMES) >= _NAMES_MAX:
                _NAMES.clear()
            _NAMES[name] = found
    return found


def field_name_fits(name: str) -> bool:
    """True when a block's field may go out under its name."""
    return _name_class(name) != _DROPPED


# (field name, text, hidden parts) -> whether the text goes out as it is under that name:
# a block's texts repeat on every record of a table (connector, database, table, version)
_PASSES: dict[tuple[str, str, frozenset[str]], bool] = {}
_PASSES_MAX = 4096


def block(values: dict[str, Any], hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A ``source`` or ``transaction`` block with every text value that does not fit its
    field, or is one of ``hidden`` (casefolded, :func:`topic_parts`), masked, every number outside the connector's positions that does not fit
    nulled (a phone number written as an integer), and every field under a name that is
    not plain, or holding an object or a list, dropped (the same dict when all fit: the
    common case costs no copy)."""
    out = None
    names = _NAMES
    passes = _PASSES
    for name, value in values.items():
        kind = type(value)
        if kind is str and passes.get((name, value, hidden)):
            continue  # a text seen under this name before, that went out as it is
        found = names.get(name)
        if found is None:
            found = _name_class(name)
        if found == _DROPPED or kind is dict or kind is list:
            if out is None:
                out = dict(values)
            del out[name]
        elif kind is str:
            if _fits(name, value) and not (hidden and value.casefold() in hidden):
                if len(name) <= MAX_VALUE_CHARS and len(value) <= MAX_VALUE_CHARS and found != _POSITIONAL:
                    if len(passes) >= _PASSES_MAX:
                        passes.clear()
                    passes[(name, value, hidden)] = True
                continue
            if out is None:
                out = dict(values)
            out[name] = "*" * min(len(value), MAX_VALUE_CHARS)
        elif found == _PLAIN and (kind is int or kind is float) and not _fits(name, str(value)):
            if out is None:
                out = dict(values)
            out[name] = None  # a number outside the positions, shaped like a phone number
    return values if out is None else out


def block_schema(field: dict[str, Any]) -> dict[str, Any]:
    """A ``source`` or ``transaction`` block's schema field without the fields
    :func:`block` drops whatever they hold: those under a name that is not plain, and
    those of a nested type (the same dict when none is dropped)."""
    fields = field.get("fields")
    if not isinstance(fields, list):
        return field
    kept = [
        f
        for f in fields
        if isinstance(f, dict)
        and isinstance(f.get("field"), str)
        and field_name_fits(f["field"])
        and f.get("type") not in _NESTED_TYPES
    ]
    return field if len(kept) == len(fields) else {**field, "fields": kept}
