"""Which values of the passthrough headers go out.

Debezium's ``add.headers`` (ExtractNewRecordState) writes the connector's metadata as
headers (``__op``, ``__db``, ``__table``, ``__lsn``...), and ``headers_passthrough`` copies
them to the CDR record. A header can hold anything its producer wrote, though: a value
is copied only when it has the shape of the metadata its name stands for (an ``op``
code, a boolean or snapshot marker, a number, or a plain identifier: the rule of
:func:`pipeline.core.safenames.is_plain` for each dot-separated part). Any other value
leaves the header out of the CDR record, like any header not listed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.core.safenames import is_plain

MAX_VALUE_BYTES = 128  # longer values are no connector metadata
_ENUMS = {
    "__op": frozenset({"c", "u", "d", "r", "t", "m"}),
    "__deleted": frozenset({"true", "false"}),
    "__snapshot": frozenset(
        {"true", "false", "first", "last", "first_in_data_collection", "last_in_data_collection", "incremental"}
    ),
}
# the connector's counters and clocks: source ts_ms/us/ns, lsn, txId, pos, row, server_id...
_NUMERIC = re.compile(r"__(?:source_)?(?:ts_ms|ts_us|ts_ns|lsn|txId|xmin|pos|row|server_id|thread|sequence)")
_NUMBER = re.compile(r"-?\d{1,20}")


def metadata_shaped(name: str, raw: bytes | None) -> bool:
    """True when a passthrough header's value may be copied as it is."""
    if raw is None:
        return True
    if len(raw) > MAX_VALUE_BYTES:
        return False
    return _shaped(name, raw)


@lru_cache(maxsize=4096)  # bounded: names are the configured few, values at most 128 bytes
def _shaped(name: str, raw: bytes) -> bool:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]  # a JSON header converter's string
    allowed = _ENUMS.get(name)
    if allowed is not None:
        return text in allowed
    if _NUMERIC.fullmatch(name):
        return _NUMBER.fullmatch(text) is not None
    return bool(text) and all(is_plain(part) for part in text.split("."))
