"""Canonical lines read with the schemas of earlier lines cut out (:mod:`.knownschemas`)
give exactly the spans, and the refusals, of the bracket match, on every input: real
Debezium envelopes, generated lines, and lines built to fool the cut."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.formats.json import jsonspans
from pipeline.formats.json.jsonspans import SpanError, object_members
from pipeline.formats.json.knownschemas import MIN_LENGTH, OPEN, PAUSE, TAIL, THEN, KnownSchemas
from tests.support import SHARED_EVENTS

Spans = dict[str, tuple[int, int]] | str


def _schema(name: str, fields: int, kind: str = "int32") -> bytes:
    return orjson.dumps(
        {
            "type": "struct",
            "optional": False,
            "name": name,
            "fields": [{"type": kind, "optional": True, "field": f"f{i}"} for i in range(fields)],
        }
    )


STRUCT = _schema("db.public.orders.Value", 4)
STRUCT_TWIN = _schema("db.public.orders.Value", 4, "int64")  # same length, same last bytes
assert len(STRUCT) == len(STRUCT_TWIN) and STRUCT[-TAIL:] == STRUCT_TWIN[-TAIL:] and STRUCT != STRUCT_TWIN
KEY = _schema("db.public.orders.Key", 1)
# the bytes ',"payload":' inside the schema itself: remembered, never found by the cut
WITH_PAYLOAD = orjson.dumps({"type": "struct", "default": {"a": 1, "payload": 2}, "fields": [], "name": "x" * 40})
assert THEN in WITH_PAYLOAD
DEEP = orjson.dumps({"type": "struct", "parameters": json.loads('{"a":' * 200 + "1" + "}" * 200)})
SHORT = b'{"type":"int32"}'
SCHEMAS = [STRUCT, STRUCT_TWIN, KEY, WITH_PAYLOAD, DEEP, SHORT]
REMEMBERED = [STRUCT, KEY, WITH_PAYLOAD, DEEP]  # STRUCT_TWIN is never seen before it is read


def _known(*schemas: bytes) -> KnownSchemas:
    known = KnownSchemas()
    for schema in schemas:
        known.remember(schema)
    return known


@contextmanager
def _reading_with(known: KnownSchemas) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jsonspans, "KNOWN_SCHEMAS", known)
        yield


def _spans(raw: bytes, start: int = 0, end: int | None = None) -> Spans:
    try:
        return object_members(raw, start, end)
    except SpanError as exc:
        return f"SpanError: {exc}"


def _bracket_match_spans(raw: bytes, start: int = 0, end: int | None = None) -> Spans:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jsonspans, "_canonical_members", lambda *_: None)
        mp.setattr(jsonspans, "_scanned_extent", lambda *_: None)
        mp.setattr(jsonspans, "_text", lambda *_: None)
        return _spans(raw, start, end)


def _check(raw: bytes, known: KnownSchemas) -> None:
    """The spans with ``known`` are the bracket match's; whatever the canonical path
    reads whole it reads the same with the schemas cut (a reduced line that is not
    canonical: neither is the line). A failure shows spans and positions, not the line."""
    __tracebackhide__ = True
    with _reading_with(KnownSchemas()):
        canonical_alone = jsonspans._canonical_members(raw, 0, len(raw))
    with _reading_with(known):
        canonical_cut = jsonspans._canonical_members(raw, 0, len(raw))
        envelopes: dict[str, tuple[bytes, object]] = {}
        try:
            fast: Spans = object_members(raw, envelopes=envelopes)
        except SpanError as exc:
            fast = f"SpanError: {exc}"
    slow = _bracket_match_spans(raw)
    if canonical_alone is not None:
        assert canonical_cut == canonical_alone, "the cut changed what the whole-line reader reads"
    assert fast == slow, "spans or error differ from the bracket match"
    for name, (schema, payload) in envelopes.items():
        assert isinstance(fast, dict)
        start, end = fast[name]
        held = raw[start:end]
        assert held.startswith(OPEN + schema + THEN), f"member {name!r}: not its schema's bytes"
        assert orjson.loads(held[len(OPEN) + len(schema) + len(THEN) : -1]) == payload, f"member {name!r}: payload"
        assert held.endswith(b"}")


def _envelope(schema: bytes, payload: bytes = b'{"id":1}') -> bytes:
    return OPEN + schema + THEN + payload + b"}"


def _line(*members: tuple[str, bytes]) -> bytes:
    return b"{" + b",".join(orjson.dumps(name) + b":" + value for name, value in members) + b"}"


CLEAN = _line(("topic", b'"t"'), ("key", _envelope(KEY)), ("value", _envelope(STRUCT)), ("timestamp", b"1"))
HOSTILE = {
    "clean": CLEAN,
    "twin schema, same length and ending": _line(("key", _envelope(KEY)), ("value", _envelope(STRUCT_TWIN))),
    "schema text in a string": _line(("value", orjson.dumps(_envelope(STRUCT).decode())), ("k", _envelope(KEY))),
    "schema bytes raw in a string": b'{"a":"x' + _envelope(STRUCT) + b'","k":' + _envelope(KEY) + b"}",
    "'{\"schema\":' in strings": _line(
        ("a", b'"{\\"schema\\":1}"'), ("b", b'"\\"{\\"schema\\":"'), ("k", _envelope(KEY))
    ),
    "escaped quotes around": _line(("a", b'"\\\\"'), ("v", _envelope(STRUCT, b'{"s":"\\"}\\\\"}'))),
    "a name twice": _line(("value", _envelope(STRUCT)), ("value", _envelope(STRUCT))),
    "a name twice, once cut": _line(("value", _envelope(STRUCT)), ("value", _envelope(STRUCT_TWIN))),
    "not followed by payload": _line(("value", OPEN + STRUCT + b',"payloads":1}'), ("k", _envelope(KEY))),
    "followed by the end": _line(("value", OPEN + STRUCT + b"}"), ("k", OPEN + KEY + b',"payload" :1}')),
    "payload name escaped": _line(("value", OPEN + STRUCT + b',"\\u0070ayload":1}')),
    "schema not first": _line(("value", b'{"payload":1,"schema":' + STRUCT + b"}")),
    "a third member after payload": _line(("value", _envelope(STRUCT, b'1,"x":2'))),
    "nested envelopes": _line(("value", b'{"after":[' + _envelope(STRUCT) + b"," + _envelope(KEY) + b"]}")),
    "schema with ',\"payload\":' inside": _line(("value", _envelope(WITH_PAYLOAD))),
    "deep schema, deep place": _line(("value", b'{"a":' * 100 + _envelope(DEEP) + b"}" * 100)),
    "over 255 levels once cut": _line(("value", b"[" * 300 + b"]" * 300), ("k", _envelope(STRUCT))),
    "over 1,024 levels once cut": _line(("value", b"[" * 1100 + b"]" * 1100), ("k", _envelope(STRUCT))),
    "not UTF-8 in a payload": _line(("value", _envelope(STRUCT, b'{"s":"\xff"}')), ("k", _envelope(KEY))),
    "not UTF-8 in a schema's place": _line(("value", _envelope(STRUCT[:-2] + b"\xff}")), ("k", _envelope(KEY))),
    "whitespace": _line(("value", _envelope(STRUCT)), ("k", b" 1")),
    "unclosed": CLEAN[:-1],
    "trailing data": CLEAN + b"}",
    "a placeholder-like payload": _line(("value", _envelope(STRUCT, b"0")), ("z", b"0")),
    "a zero schema around an envelope": _line(("value", b'{"schema":0,"payload":' + _envelope(KEY) + b"}")),
    "schema and a number": _line(("value", OPEN + STRUCT + b"0" + THEN + b"1}")),
    "two schemas back to back": _line(("value", OPEN + STRUCT + KEY + THEN + b"1}")),
    "empty object": b"{}",
    "an array": b"[" + _envelope(STRUCT) + b"]",
}


@pytest.mark.parametrize("raw", HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_lines_read_as_the_bracket_match_reads_them(raw: bytes) -> None:
    _check(raw, _known(*REMEMBERED))


def test_the_cut_is_taken_on_lines_that_repeat_a_schema() -> None:
    known = _known(STRUCT, KEY)
    reduced = known.reduce(CLEAN)
    assert reduced is not None
    line, cuts = reduced
    assert line == _line(("topic", b'"t"'), ("key", _envelope(b"0")), ("value", _envelope(b"0")), ("timestamp", b"1"))
    assert [removed for _, removed, _ in cuts] == [len(KEY) - 1, len(STRUCT) - 1]
    assert [schema for _, _, schema in cuts] == [KEY, STRUCT]
    assert known.reduce(HOSTILE["twin schema, same length and ending"]) == (
        _line(("key", _envelope(b"0")), ("value", _envelope(STRUCT_TWIN))),
        [(len(b'{"key":' + OPEN), len(KEY) - 1, KEY)],
    )
    assert known.reduce(HOSTILE["schema with ',\"payload\":' inside"]) is None


def test_a_member_that_is_an_envelope_of_a_known_schema_is_handed_over_parsed() -> None:
    """What the line's read parsed of a ``{"schema":S,"payload":P}`` member: S's bytes and
    P (file mode hands them to the codec). Only a member whose one cut schema is its own:
    a member holding other envelopes inside, or a schema not cut, gives none."""
    with _reading_with(_known(STRUCT, KEY)):
        for raw, expected in (
            (CLEAN, {"key": (KEY, {"id": 1}), "value": (STRUCT, {"id": 1})}),
            (_line(("value", _envelope(STRUCT, b'{"a":' + _envelope(KEY) + b"}"))), {}),
            (_line(("value", _envelope(STRUCT_TWIN)), ("key", _envelope(KEY, b"null"))), {"key": (KEY, None)}),
            (HOSTILE["nested envelopes"], {}),
            (HOSTILE["a zero schema around an envelope"], {}),
            (HOSTILE["a third member after payload"], {}),
            (HOSTILE["whitespace"], {}),
        ):
            envelopes: dict[str, tuple[bytes, object]] = {}
            object_members(raw, envelopes=envelopes)
            assert envelopes == expected


def test_schemas_are_learned_from_canonical_lines_only() -> None:
    known = KnownSchemas()
    with _reading_with(known):
        object_members(_line(("value", _envelope(STRUCT)), ("k", b" 1")))  # not canonical
        assert len(known) == 0
        object_members(_line(("value", _envelope(SHORT)), ("k", _envelope(KEY))))
        assert known.reduce(_line(("k", _envelope(KEY)))) is not None
        assert len(known) == 1  # SHORT is not worth remembering
        first = object_members(CLEAN)  # learns STRUCT, reads KEY cut
        assert len(known) == 2 and known.reduce(CLEAN) is not None
        assert object_members(CLEAN) == first == _bracket_match_spans(CLEAN)


def test_memory_is_bounded_and_the_oldest_go_first() -> None:
    schemas = [_schema(f"t{i}", 3) for i in range(5)]
    known = KnownSchemas(max_schemas=3)
    for schema in schemas:
        known.remember(schema)
        assert known.reduce(_line(("v", _envelope(schema)))) is not None  # seen again: learning pays
    assert len(known) == 3
    assert [known.reduce(_line(("v", _envelope(s)))) is not None for s in schemas] == [False, False, True, True, True]
    small = KnownSchemas(max_bytes=2 * len(schemas[0]) + 1)
    for schema in schemas:
        small.remember(schema)
        assert small.size <= 2 * len(schemas[0]) + 1
    assert len(small) == 2
    huge = _schema("huge", 200)
    small.remember(huge)  # larger than all the room there is: not kept
    assert len(small) == 2 and small.reduce(_line(("v", _envelope(huge)))) is None


def test_the_comparison_budget_stops_the_cut_and_the_spans_stay() -> None:
    raw = _line(("key", _envelope(KEY)), ("a", _envelope(STRUCT)), ("b", _envelope(STRUCT)))
    roomy, tight = KnownSchemas(), KnownSchemas(compare_budget=0.1)
    for known in (roomy, tight):
        for schema in (KEY, STRUCT, STRUCT_TWIN):  # the twin is tried first, and misses
            known.remember(schema)
    cut_roomy, cut_tight = roomy.reduce(raw), tight.reduce(raw)
    assert cut_roomy is not None and len(cut_roomy[1]) == 3
    assert cut_tight is not None and len(cut_tight[1]) == 2  # one miss spent the budget
    _check(raw, tight)
    _check(raw, roomy)


def test_spans_of_a_sub_object_are_moved_by_its_start() -> None:
    inner = _line(("a", _envelope(KEY)), ("b", _envelope(STRUCT, b"[1]")))
    raw = b'{"pre":"\xc3\xa9","headers":' + inner + b',"z":' + _envelope(STRUCT) + b"}"
    with _reading_with(_known(KEY, STRUCT)):
        start, end = object_members(raw)["headers"]
        assert raw[start:end] == inner
        got = object_members(raw, start, end)
    assert got == _bracket_match_spans(raw, start, end)
    assert {name: raw[s:e] for name, (s, e) in got.items()} == {"a": _envelope(KEY), "b": _envelope(STRUCT, b"[1]")}


def _shared_envelopes() -> dict[str, dict[str, Any]]:
    """The Kafka Connect envelopes (``{"schema":{..},"payload":..}``) of the shared
    examples, by file (and member) name."""
    found = {}
    for path in sorted(SHARED_EVENTS.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        parts = {"": doc, **({f":{k}": v for k, v in doc.items()} if isinstance(doc, dict) else {})}
        for where, part in parts.items():
            if isinstance(part, dict) and isinstance(part.get("schema"), dict) and "payload" in part:
                found[path.name + where] = part
    return found


SHARED = _shared_envelopes()


def test_the_shared_examples_carry_envelopes() -> None:
    assert len(SHARED) >= 8


@pytest.mark.parametrize("where", list(SHARED))
def test_real_debezium_schemas_are_cut_and_read_exactly(where: str) -> None:
    """Their schemas, with payloads of our own (the examples' rows stay out of any
    failure message)."""
    schema = SHARED[where]["schema"]
    payloads = [{"before": None, "after": {"id": 1}}, None, {"after": {"id": 2, "s": '{"schema":'}}]
    lines = [
        orjson.dumps({"topic": "t", "offset": n, "value": {"schema": schema, "payload": p}, "timestamp": n})
        for n, p in enumerate(payloads)
    ]
    known = KnownSchemas()
    assert known.reduce(lines[0]) is None
    for raw in lines:
        _check(raw, known)  # the first line teaches the schema; the others are read cut
        assert known.reduce(raw) is not None
    assert len(known) == 1


# -- generated lines ---------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
_NAMES = st.sampled_from(["topic", "key", "value", "headers", "schema", "payload", 'a"b', "é", ""])


@st.composite
def _member_value(draw: st.DrawFn) -> bytes:
    schema = draw(st.sampled_from(SCHEMAS))
    payload = orjson.dumps(draw(_JSON))
    shape = draw(st.sampled_from(["envelope", "nested", "in list", "as text", "plain", "deep"]))
    if shape == "envelope":
        return _envelope(schema, payload)
    if shape == "nested":
        return b'{"after":' + _envelope(schema, payload) + b',"n":' + payload + b"}"
    if shape == "in list":
        return b"[" + _envelope(schema, payload) + b"," + _envelope(draw(st.sampled_from(SCHEMAS))) + b"]"
    if shape == "as text":
        return orjson.dumps(_envelope(schema, payload).decode())
    if shape == "deep":
        depth = draw(st.sampled_from([1, 60, 254, 300]))
        return b"[" * depth + _envelope(schema, payload) + b"]" * depth
    return payload


@st.composite
def _lines(draw: st.DrawFn) -> bytes:
    raw = _line(*draw(st.lists(st.tuples(_NAMES, _member_value()), max_size=4)))
    mutation = draw(st.sampled_from(["none", "none", "insert", "replace", "truncate", "payload name"]))
    at = draw(st.integers(0, len(raw)))
    if mutation == "insert":
        raw = raw[:at] + draw(st.sampled_from([b" ", b"\xff", b"0", b'"', b"{", b"}", b"\\", b","])) + raw[at:]
    elif mutation == "replace" and at < len(raw):
        raw = raw[:at] + draw(st.sampled_from([b" ", b"\xff", b"1", b'"', b"]", b"}", b"\\"])) + raw[at + 1 :]
    elif mutation == "truncate":
        raw = raw[:at]
    elif mutation == "payload name":
        raw = raw.replace(THEN, draw(st.sampled_from([b',"payloads":', b',"payload" :', b"}", b',"Payload":'])), 1)
    return raw


@settings(max_examples=300, deadline=None)
@given(_lines())
def test_generated_lines_read_as_the_bracket_match_reads_them(raw: bytes) -> None:
    _check(raw, _known(*REMEMBERED))


@settings(max_examples=100, deadline=None)
@given(st.lists(_lines(), min_size=2, max_size=6))
def test_a_sequence_of_lines_learning_as_it_goes(lines: list[bytes]) -> None:
    known = KnownSchemas(max_schemas=2)  # evictions on the way
    for raw in lines:
        _check(raw, known)
        assert len(known) <= 2


def test_schemas_under_the_minimum_are_not_remembered() -> None:
    assert len(SHORT) < MIN_LENGTH
    assert len(_known(SHORT)) == 0


def test_the_schema_that_followed_last_time_is_a_hint_only() -> None:
    line_a = _line(("key", _envelope(KEY)), ("value", _envelope(STRUCT)))
    line_b = _line(("key", _envelope(KEY)), ("value", _envelope(STRUCT_TWIN)))
    line_c = _line(("key", _envelope(KEY)), ("value", OPEN + STRUCT[:-1] + b"]" + THEN + b"1}"))  # not JSON
    known = _known(KEY, STRUCT, STRUCT_TWIN)
    for raw in (line_a, line_b, line_a, line_c, line_b, line_c):
        without_hints = _known(KEY, STRUCT, STRUCT_TWIN).reduce(raw)
        assert known.reduce(raw) == without_hints
        _check(raw, known)


def test_hints_hold_only_schemas_held() -> None:
    known = KnownSchemas(max_schemas=2)
    known.remember(KEY)
    known.remember(STRUCT)
    assert known.reduce(CLEAN) is not None
    for i in range(3):
        known.remember(_schema(f"other{i}", 2))
    assert known.reduce(CLEAN) is None
    assert all(schema is None or schema in known._held for schema in known._follows)


def test_learning_pauses_when_no_schema_learned_is_seen_again() -> None:
    known = KnownSchemas(max_schemas=2)
    lines = [_line(("v", _envelope(_schema(f"churn{i}", 2)))) for i in range(3)]
    with _reading_with(known):
        for raw in lines:  # each line a schema never seen before: three learned, none used
            assert object_members(raw) == _bracket_match_spans(raw)
        assert known.reduce(lines[-1]) is None  # held, but the cut is paused
        new = _line(("v", _envelope(STRUCT)))
        for _ in range(PAUSE - 2):
            object_members(new)
        assert len(known) == 2 and known.reduce(new) is None  # nothing learned while paused
        object_members(new)  # the pause is over: learned again
        assert known.reduce(new) is not None
