"""JSON bytes <-> Python values, exactly.

Integers stay integers (orjson parses int64 and uint64 exactly; Connect never writes
wider ones; the standard library parses wider ones up to Python's 4,300-digit limit, and a
document with a longer one is refused with ``number_too_long``).

orjson is the fast path. Kafka's JsonConverter can also write ``NaN`` and ``Infinity``
(double columns), which orjson rejects and would write back as ``null``; such documents
take the standard library path both ways, so no value changes on the way through.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from pipeline.errors import DecodeError, EncodeError
from pipeline.vocabulary import DeadLetterReason


def loads(raw: bytes, what: str) -> tuple[Any, bool]:
    """Parse ``raw``. Returns ``(value, exact_fast)``: ``exact_fast`` is False when the
    document needs the standard-library encoder to round-trip (non-finite floats)."""
    try:
        return orjson.loads(raw), True
    except orjson.JSONDecodeError:
        pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(DeadLetterReason.INVALID_UTF8, f"{what} is not valid UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DecodeError(
            DeadLetterReason.INVALID_JSON,
            f"{what} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
        ) from None
    except RecursionError:
        raise DecodeError(DeadLetterReason.INVALID_JSON, f"{what} is nested too deeply") from None
    except ValueError:
        # Python refuses to convert integers of more than sys.get_int_max_str_digits()
        # digits (the conversion is quadratic): such a record is refused, not a crash.
        raise DecodeError(DeadLetterReason.NUMBER_TOO_LONG, f"{what} holds an integer with too many digits") from None
    return value, False


def dumps(value: Any, exact_fast: bool = True) -> bytes:
    if exact_fast:
        try:
            return orjson.dumps(value)
        except (orjson.JSONEncodeError, TypeError):
            pass
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=True).encode()
    except (TypeError, ValueError) as exc:
        raise EncodeError(DeadLetterReason.UNENCODABLE, f"cannot encode output: {type(exc).__name__}") from None
