"""The fast paths of file mode's span reader (a canonical line read whole by orjson; the
C scanner) give exactly the spans, and the refusals, of the bracket match they stand in
for."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.formats.json import jsonspans
from pipeline.formats.json.jsonspans import SpanError, object_members

CASES = [
    b'{"topic":"t","key":{"id":1},"value":{"before":null,"after":{"name":"Chlo\xc3\xa9 \\" ] }","n":[1,2.5e3]}}}',
    b'{ "value" : { "a" : [ { } , [ ] ] } , "k" : "x" }',
    b'{"v":{"s":"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},"w":["\xc3\xa9",{"\xc3\xa9":1}],"z":0}',
    b'{"\\u00e9":{"a":1},"plain":{"b":"\\ud800"}}',
    b'{"bad":{"s":"\xff"},"next":{"a":1}}',  # not UTF-8: the bracket match reads it
    b'{"deep":' + b"[" * 5000 + b"]" * 5000 + b',"x":{}}',  # too deep for the scanner
    b'{"big":{"n":' + b"9" * 5000 + b'},"x":[]}',  # over the int digit limit
    b'{"ctl":{"s":"a\tb"},"x":[1]}',  # a raw tab: the scanner's strict mode refuses it
    b'{"nan":[NaN,Infinity,-Infinity],"x":{}}',
    b'{"a":{"b":1}',  # unclosed
    b'{"a":{"b":1}}}',  # trailing data
    b'{"a":{"b":tru},"c":1}',  # invalid inside: still delimited by brackets
    b'{"a":{"b":1},"a":{"b":2}}',  # a name twice
    b'{"a\x01":{}}',  # a control character in a name
    b'{"\xed\xa0\x80":{}}',  # an encoded lone surrogate in a name (json.loads takes it)
    b'{"a":[1,2}',  # mismatched bracket
    b'{"topic":"t","partition":0,"key":{"id":1},"value":{"after":{"s":"\\"}","n":-1.5}},"headers":{}}',
    b'{"a":1,"a":1}',  # canonical but for the name given twice: orjson keeps one
    b'{"a":{"b":1},"a":{"b":1}}',
    b'{"a":"\\u00e9"}',  # escaped where orjson writes the letter itself
    b'{"a":1.0e5}',  # a float written another way
    b'{"a":18446744073709551616}',  # wider than orjson reads
    b"{}",
    b"[]",
    b'{"deep":' + b'{"a":' * 900 + b"1" + b"}" * 900 + b"}",  # orjson reads it, and will not write it
]


def _bracket_match_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonspans, "_canonical_members", lambda *_: None)
    monkeypatch.setattr(jsonspans, "_scanned_extent", lambda *_: None)
    monkeypatch.setattr(jsonspans, "_text", lambda *_: None)


def _spans(raw: bytes) -> dict[str, tuple[int, int]] | str:
    try:
        return object_members(raw)
    except SpanError as exc:
        return f"SpanError: {exc}"


@pytest.mark.parametrize("raw", CASES)
def test_fast_path_matches_the_bracket_match(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _spans(raw)
    _bracket_match_only(monkeypatch)
    assert fast == _spans(raw)


def test_a_canonical_line_is_read_whole() -> None:
    raw = orjson.dumps({"topic": "t", "value": {"after": {"a": [1, {"b": "}"}]}}, "z": None})
    assert jsonspans._canonical_members(raw, 0, len(raw)) is not None
    assert jsonspans._canonical_members(b'{"a": 1}', 0, 8) is None  # a space: the readers decide


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=8), _JSON, max_size=6))
def test_canonical_spans_are_the_bracket_match_spans(obj: dict[str, object]) -> None:
    raw = orjson.dumps(obj)
    fast = jsonspans._canonical_members(raw, 0, len(raw))
    with pytest.MonkeyPatch.context() as mp:
        _bracket_match_only(mp)
        slow = _spans(raw)
    assert fast == slow


def test_sub_span_never_reaches_past_its_end() -> None:
    raw = b'{"headers":{"a":"1"},"after":{"b":2}}'
    outer = object_members(raw)
    start, end = outer["headers"]
    assert object_members(raw, start, end) == {"a": (start + 5, start + 8)}


@pytest.mark.parametrize(
    "quoted", [b'"a"', b'""', b'"caf\xc3\xa9"', b'"\\u0041b"', b'"\xed\xa0\x80"', b'"\xff"', b'"a\x1fb"', b'"a\\"b"']
)
def test_member_names_read_as_json_loads_reads_them(quoted: bytes) -> None:
    import json

    try:
        expected: str | None = json.loads(quoted)
    except ValueError:
        expected = None
    try:
        got: str | None = jsonspans._name(quoted)
    except SpanError:
        got = None
    assert got == expected


@pytest.mark.parametrize("inner", [b'{"a":{"b":[1]},"c":"\xc3\xa9"}', b'{"\xc3\xa9":{"x":"\xc3\xa9"},"y":[]}'])
def test_sub_spans_with_non_ascii_before_them(inner: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = b'{"pre":"\xc3\xa9\xc3\xa9","headers":' + inner + b',"z":1}'
    start, end = object_members(raw)["headers"]
    fast = object_members(raw, start, end)
    _bracket_match_only(monkeypatch)
    assert fast == object_members(raw, start, end)
