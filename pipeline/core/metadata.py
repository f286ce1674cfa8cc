"""Connector metadata that goes out as it came, and the shapes its values must have.

Debezium writes its own metadata next to the row: the ``source`` and ``transaction``
blocks of an envelope, and with ``add.headers`` (ExtractNewRecordState) headers such as
``__op``, ``__db``, ``__table``, ``__lsn`` that ``headers_passthrough`` copies. A record
can hold anything its producer wrote, though, so a metadata value goes out only when it
has the shape of what its name stands for:

- codes and markers (``op``, ``__deleted``, ``snapshot``): one of their values;
- the connector's counters and positions (``lsn``, ``txId``, ``sequence``, ``gtid``,
  ``file``, ``pos``, a transaction's ``id``...): numbers, or text of word characters and
  the separators positions are written with, no spaces, no ``@``;
- names (``db``, ``schema``, ``table``, ``name``, ``version``... and any other field):
  text that :func:`pipeline.core.safenames.looks_personal` does not take for personal
  data (an e-mail, a phone number, a person's name), at most 128 characters.

A header whose value does not fit is left out (like a header not listed); a ``source``
or ``transaction`` text value that does not fit is masked, its type kept (the block's
schema may require the field).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pipeline.core.safenames import looks_personal

MAX_VALUE_CHARS = 128  # longer values are no connector metadata
_SNAPSHOT = frozenset(
    {"true", "false", "first", "last", "first_in_data_collection", "last_in_data_collection", "incremental"}
)
_ENUMS = {
    "op": frozenset({"c", "u", "d", "r", "t", "m"}),
    "deleted": frozenset({"true", "false"}),
    "snapshot": _SNAPSHOT,
}
# counters, clocks and log positions, by name without the SMT's "__" / "__source_" prefix
_POSITIONS = frozenset(
    {
        "ts_ms", "ts_us", "ts_ns", "lsn", "txId", "xmin", "sequence", "gtid", "file", "pos", "row",
        "server_id", "thread", "change_lsn", "commit_lsn", "event_serial_no", "scn", "commit_scn",
        "rs_id", "ssn", "redo_thread", "ord", "h", "id", "total_order", "data_collection_order",
    }
)  # fmt: skip
_POSITION = re.compile(r'[\w.:,\[\]"/+=-]{1,128}')


def _bare(name: str) -> str:
    for prefix in ("__source_", "__"):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@lru_cache(maxsize=4096)  # bounded: names are the connector's few, values at most 128 characters
def shaped(name: str, text: str) -> bool:
    """True when a metadata text value fits the field (or header) it is found under."""
    if len(text) > MAX_VALUE_CHARS:
        return False
    field = _bare(name)
    allowed = _ENUMS.get(field)
    if allowed is not None:
        return text in allowed
    if field in _POSITIONS:
        return _POSITION.fullmatch(text) is not None
    return "@" not in text and not looks_personal(text)


def header_shaped(name: str, raw: bytes | None) -> bool:
    """True when a passthrough header's value may be copied as it is."""
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
    return bool(text) and shaped(name, text)


_BLOCK_FITS: dict[tuple[str, str], bool] = {}  # (field, value) -> shaped(); bounded like its cache
_BLOCK_FITS_MAX = 4096


def block(values: dict[str, Any]) -> dict[str, Any]:
    """A ``source`` or ``transaction`` block with every text value that does not fit its
    field masked (the same dict when all fit: the common case costs no copy). Positions
    change with every record: matched as they are, not remembered. The rest repeat on
    every record of a table, and are looked up in a plain dict (every record pays this:
    half the cost of going through :func:`shaped`'s cache each time)."""
    out = None
    position = _POSITION.fullmatch
    remembered = _BLOCK_FITS
    for name, value in values.items():
        if type(value) is not str:
            continue
        if name in _POSITIONS:
            fits = position(value) is not None
        elif len(value) > MAX_VALUE_CHARS or len(name) > MAX_VALUE_CHARS:
            fits = False  # never remembered: a value is as long as a record
        else:
            fits = remembered.get((name, value))  # type: ignore[assignment]
            if fits is None:
                fits = shaped(name, value)
                if len(remembered) >= _BLOCK_FITS_MAX:
                    remembered.clear()
                remembered[(name, value)] = fits
        if not fits:
            if out is None:
                out = dict(values)
            out[name] = "*" * min(len(value), MAX_VALUE_CHARS)
    return values if out is None else out
