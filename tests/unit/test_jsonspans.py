"""Raw member spans of a JSON object (file mode's reader): exact bytes, no recursion,
linear time, and refusal of anything that is not one object."""

from __future__ import annotations

import json
import time

import pytest

from pipeline.formats.json.jsonspans import SpanError, object_members


def members(raw: bytes) -> dict[str, bytes]:
    return {name: raw[s:e] for name, (s, e) in object_members(raw).items()}


def test_members_are_the_exact_bytes() -> None:
    value = b'{"s": "a \\" ] } [ {", "n": [1, {"x": null}], "u": "\\ud800"}'
    raw = b' {"topic" : "t", "value":' + value + b' , "k": -1.5e3, "b": true, "z": null, "e": {}, "\\u0041": []}\n'
    got = members(raw)
    assert got == {
        "topic": b'"t"',
        "value": value,
        "k": b"-1.5e3",
        "b": b"true",
        "z": b"null",
        "e": b"{}",
        "A": b"[]",
    }
    assert members(b"{}") == {}


def test_values_nobody_can_parse_are_still_delimited() -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    big = b"9" * 5000
    raw = b'{"deep":' + deep + b',"big":' + big + b',"bad":"\xff"}'
    got = members(raw)
    assert got["deep"] == deep and got["big"] == big and got["bad"] == b'"\xff"'


@pytest.mark.parametrize(
    "raw",
    [
        b"[1]",
        b"",
        b'{"a": 1',
        b'{"a": "open}',
        b'{"a": [1, 2}',
        b'{"a": {"b": 1]]}',
        b'{"a": 1} x',
        b'{"a": 1, "a": 2}',
        b"{a: 1}",
        b'{"a" 1}',
        b'{"a": 1,}',
        b'{"a": }',
    ],
)
def test_not_one_object_is_refused(raw: bytes) -> None:
    with pytest.raises(SpanError):
        object_members(raw)


def test_time_is_linear_on_hostile_strings() -> None:
    # An unterminated string full of escaped quotes: a scanner that retries at every
    # quote is quadratic here (minutes); one pass is milliseconds.
    hostile = b'{"a": ["' + b'\\"' * 500_000 + b"]}"
    started = time.perf_counter()
    with pytest.raises(SpanError):
        object_members(hostile)
    many = b'{"a": [' + b",".join(b'"x"' for _ in range(200_000)) + b"]}"
    assert json.loads(members(many)["a"]) == ["x"] * 200_000
    assert time.perf_counter() - started < 10
