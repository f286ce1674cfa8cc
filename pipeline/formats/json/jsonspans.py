"""The members of a JSON object as raw byte spans, their values left unparsed.

File mode reads lines ``{"topic": ..., "key": <document>, "value": <document>, ...}`` and
hands the key and value to the processing core as the bytes a Kafka record would carry:
the text of the line itself. A value nobody can parse (an integer of 5,000 digits, a
lone surrogate, deep nesting) then reaches the same decoder, and becomes the same dead
letter, as in the service. Only the object's own structure is checked here; a member's
extent is found by matching its strings and brackets, without recursion and in one pass
(every string is matched once, so the time is linear in the line's length).

That match runs in Python, about 150 us per KB. An object or array member is first read
by the standard library's C scanner instead (a tenth of the time): when it reads a valid
JSON value, that value ends where the bracket match would end it; whatever it refuses
(invalid or deeply nested text, huge integers, control characters, bytes that are not
UTF-8) falls back to the bracket match, so the spans, and the errors, are the same.

Before either, a line in canonical compact form (what Kafka's JsonConverter, orjson and
this project's own tools write) is read whole by orjson: when writing the parsed object
back gives the very same bytes, each member's span follows from the lengths of its
name and value written alone (a few microseconds for a 3 KB line, where the scanner
takes a hundred). Any difference (whitespace, another escaping, a float written another
way, a name given twice, which orjson keeps once) leaves the line to the two readers
above, so the spans and the errors never depend on which path read the line. The
Kafka Connect schemas a line repeats from earlier lines (most of its bytes) are cut
out before that check and not parsed at all (:mod:`.knownschemas`). A member that is
such an envelope, ``{"schema":<a schema cut>,"payload":P}``, is handed over with P as
parsed, so its reader (file mode, then the JSON codec) need not parse it again.
"""

from __future__ import annotations

import json
import re

import orjson

from pipeline.errors import CdrError
from pipeline.formats.json.knownschemas import OPEN, KnownSchemas

_WS = re.compile(rb"[ \t\r\n]*")
# A JSON string, unrolled so that a long one is matched without backtracking.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_SCALAR = re.compile(rb"-?(?:[0-9][0-9.eE+-]*|Infinity)|true|false|null|NaN")
_STRUCTURE = re.compile(rb'[\[\]{}"]')
_CLOSE = {ord("{"): ord("}"), ord("["): ord("]")}
_WS_BYTES = frozenset(b" \t\r\n")
_CONTROL = re.compile(rb"[\x00-\x1f]")  # not allowed raw in a JSON string


# The schemas of earlier lines, for the canonical path (bounded; the spans never depend on it)
KNOWN_SCHEMAS = KnownSchemas()
# member name -> the length of its JSON string (the names of a file's lines repeat)
_NAME_LENGTHS: dict[str, int] = {}
_NAME_LENGTHS_MAX = 1024

_OPEN_LENGTH = len(OPEN)  # of '{"schema":', before a placeholder
_scan_once = json.JSONDecoder().scan_once  # the C scanner: (value, end index) of the value at an index


class SpanError(CdrError, ValueError):
    """The bytes are not a JSON object (the message names a position, never content)."""


def object_members(
    raw: bytes,
    start: int = 0,
    end: int | None = None,
    scalars: dict[str, object] | None = None,
    envelopes: dict[str, tuple[bytes, object]] | None = None,
) -> dict[str, tuple[int, int]]:
    """``{name: (start, end)}`` of the members of the object that ``raw[start:end]`` holds
    (whitespace around it allowed). A name given twice is refused: which one counts is
    not clear, and the input is then ambiguous. ``scalars``, when given, receives the
    members that are not objects or arrays, parsed, if the canonical path read the
    object (each is what its span parses to); it is left empty otherwise. ``envelopes``
    likewise receives the members that are ``{"schema":S,"payload":P}`` with S a schema
    of earlier lines: ``(S's bytes, P parsed)``, what the member's span holds."""
    stop = len(raw) if end is None else end
    canonical = _canonical_members(raw, start, stop, scalars, envelopes)
    if canonical is not None:
        return canonical
    pos = _skip_ws(raw, start, stop)
    if pos >= stop or raw[pos] != ord("{"):
        raise SpanError("not a JSON object")
    pos = _skip_ws(raw, pos + 1, stop)
    members: dict[str, tuple[int, int]] = {}
    text = _text(raw, start, stop)
    if pos < stop and raw[pos] == ord("}"):
        pos += 1
    else:
        while True:
            m = _STRING.match(raw, pos, stop)
            if m is None:
                raise SpanError(f"expected a member name at byte {pos}")
            name = _name(m.group())
            pos = _skip_ws(raw, m.end(), stop)
            if pos >= stop or raw[pos] != ord(":"):
                raise SpanError(f"expected ':' at byte {pos}")
            value_start = _skip_ws(raw, pos + 1, stop)
            value_end = _scanned_extent(raw, text, start, value_start, stop) if text is not None else None
            if value_end is None:
                value_end = value_extent(raw, value_start, stop)
            if name in members:
                raise SpanError(f"member name given twice (byte {m.start()})")
            members[name] = (value_start, value_end)
            pos = _skip_ws(raw, value_end, stop)
            if pos < stop and raw[pos] == ord(","):
                pos = _skip_ws(raw, pos + 1, stop)
                continue
            if pos < stop and raw[pos] == ord("}"):
                pos += 1
                break
            raise SpanError(f"expected ',' or '}}' at byte {pos}")
    if _skip_ws(raw, pos, stop) != stop:
        raise SpanError(f"unexpected data after the object at byte {pos}")
    return members


def _canonical_members(
    raw: bytes,
    start: int,
    stop: int,
    scalars: dict[str, object] | None = None,
    envelopes: dict[str, tuple[bytes, object]] | None = None,
) -> dict[str, tuple[int, int]] | None:
    """The members' spans when ``raw[start:stop]`` is an object exactly as orjson writes
    it; None otherwise (the readers below decide). The schemas it repeats from earlier
    lines are not parsed again: each is cut down to a placeholder first, and the spans
    of the reduced object moved back by the bytes cut before them (:mod:`.knownschemas`
    says why that is exact, and why a reduced line that is not canonical means the
    whole line is not either)."""
    piece = raw if start == 0 and stop == len(raw) else raw[start:stop]
    if not piece.startswith(b"{"):
        return None
    reduced = KNOWN_SCHEMAS.reduce(piece)
    line, cuts = reduced if reduced is not None else (piece, ())
    dumps = orjson.dumps
    try:
        obj = orjson.loads(line)
        if type(obj) is not dict or dumps(obj) != line:
            return None
        members: dict[str, tuple[int, int]] = {}
        pos = 1  # in ``line``
        shift = start  # where ``line`` byte ``pos`` is in ``raw``, less ``pos``
        cut, ncuts = 0, len(cuts)
        for name, value in obj.items():
            quoted = _NAME_LENGTHS.get(name)
            if quoted is None:
                quoted = len(dumps(name))
                if len(_NAME_LENGTHS) < _NAME_LENGTHS_MAX and len(name) <= 64:
                    _NAME_LENGTHS[name] = quoted
            pos += quoted + 1  # the quoted name and ':'
            value_start = pos + shift
            end = pos + len(dumps(value))
            first = cut
            while cut < ncuts and cuts[cut][0] < end:  # the placeholders in this value
                shift += cuts[cut][1]
                cut += 1
            members[name] = (value_start, end + shift)
            if type(value) is dict:
                if type(value.get("schema")) is dict:
                    KNOWN_SCHEMAS.learn(value)
                elif (
                    envelopes is not None
                    and cut - first == 1  # one placeholder in the member: its own schema's
                    and cuts[first][0] == pos + _OPEN_LENGTH
                    and len(value) == 2
                    and "payload" in value
                ):
                    envelopes[name] = (cuts[first][2], value["payload"])
            elif scalars is not None and type(value) is not list:
                scalars[name] = value
            pos = end + 1  # ',' or the closing brace
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        # orjson reads deeper nesting than it writes (1,024 vs 255 levels): the readers decide
        return None
    return members


def value_extent(raw: bytes, start: int, stop: int) -> int:
    """Where the JSON value starting at ``start`` ends: strings and bracket pairs are
    matched; what is inside them is for the value's reader to judge."""
    if start >= stop:
        raise SpanError(f"expected a value at byte {start}")
    first = raw[start]
    if first == ord('"'):
        m = _STRING.match(raw, start, stop)
        if m is None:
            raise SpanError(f"unterminated string at byte {start}")
        return m.end()
    if first not in _CLOSE:
        m = _SCALAR.match(raw, start, stop)
        if m is None:
            raise SpanError(f"expected a value at byte {start}")
        return m.end()
    expected: list[int] = []
    pos = start
    while True:
        m = _STRUCTURE.search(raw, pos, stop)
        if m is None:
            raise SpanError(f"unclosed {'object' if first == ord('{') else 'array'} from byte {start}")
        c = raw[m.start()]
        if c == ord('"'):
            s = _STRING.match(raw, m.start(), stop)
            if s is None:
                raise SpanError(f"unterminated string at byte {m.start()}")
            pos = s.end()
            continue
        if c in _CLOSE:
            expected.append(_CLOSE[c])
        elif not expected or expected.pop() != c:
            raise SpanError(f"mismatched bracket at byte {m.start()}")
        pos = m.end()
        if not expected:
            return pos


def _text(raw: bytes, start: int, stop: int) -> str | None:
    """``raw[start:stop]`` decoded, for the scanner; None when it is not UTF-8."""
    try:
        return (raw[start:stop] if start or stop != len(raw) else raw).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _scanned_extent(raw: bytes, text: str, base: int, start: int, stop: int) -> int | None:
    """Where the object or array at byte ``start`` ends, read by the C scanner (``text``
    is ``raw[base:stop]`` decoded); None for any other value or whatever the scanner
    refuses."""
    if start >= stop or raw[start] not in _CLOSE:
        return None
    ascii_only = len(text) == stop - base
    index = start - base if ascii_only else len(raw[base:start].decode("utf-8"))
    try:
        _, end_index = _scan_once(text, index)
    except Exception:  # StopIteration, ValueError, RecursionError: the bracket match decides
        return None
    return base + end_index if ascii_only else start + len(text[index:end_index].encode("utf-8"))


def _skip_ws(raw: bytes, pos: int, stop: int) -> int:
    if pos < stop and raw[pos] not in _WS_BYTES:
        return pos  # compact JSON: nothing to skip
    m = _WS.match(raw, pos, stop)
    return m.end() if m is not None else pos


def _name(quoted: bytes) -> str:
    inner = quoted[1:-1]
    if b"\\" not in inner and _CONTROL.search(inner) is None:  # nothing to unescape
        try:
            return inner.decode("utf-8", "surrogatepass")  # as json.loads reads bytes
        except UnicodeDecodeError:
            raise SpanError("a member name is not a valid JSON string") from None
    try:
        name = json.loads(quoted)
    except ValueError:
        raise SpanError("a member name is not a valid JSON string") from None
    assert isinstance(name, str)
    return name
