"""Debezium's "unavailable value" placeholder (unchanged TOASTed PostgreSQL columns).

It is not data: it must pass through untouched, never hashed or masked into a value
that looks real. It takes a different form for each column type (PostgreSQL connector's
``UnchangedToastedPlaceholder``): the string itself, its bytes as base64, a one-element
array of the string / its base64 / a fixed UUID, the array of its byte values, and an
hstore map of itself to itself.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

import orjson

DEFAULT_PLACEHOLDER = "__debezium_unavailable_value"


class UnavailableValues:
    def __init__(self, placeholder: str = DEFAULT_PLACEHOLDER) -> None:
        raw = bytes.fromhex(placeholder[4:]) if placeholder.startswith("hex:") else placeholder.encode("utf-8")
        text = raw.decode("utf-8", "replace")
        b64 = base64.b64encode(raw).decode("ascii")
        self.text = text
        # Debezium derives the uuid[] form with UUID.nameUUIDFromBytes (a version-3 UUID).
        uuid_form = str(uuid.UUID(bytes=_md5_v3(raw)))
        self._strings = frozenset({text, b64, orjson.dumps({text: text}).decode(), f'{{"{text}":"{text}"}}'})
        self._lists: tuple[list[Any], ...] = ([text], [b64], [uuid_form], list(raw))
        self._map = {text: text}

    def is_placeholder(self, value: Any) -> bool:
        if isinstance(value, str):
            return value in self._strings
        if isinstance(value, list):
            return any(value == form for form in self._lists)
        if isinstance(value, dict):
            return value == self._map
        return False


def _md5_v3(raw: bytes) -> bytes:
    digest = bytearray(hashlib.md5(raw, usedforsecurity=False).digest())
    digest[6] = (digest[6] & 0x0F) | 0x30
    digest[8] = (digest[8] & 0x3F) | 0x80
    return bytes(digest)
