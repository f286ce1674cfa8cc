"""Keyed hashing (HMAC-SHA256) for pseudonyms that still join.

The key never comes from a declaration: it is read from the environment
(``CDR_HASH_KEY``) or from a key file named in the config. Output is
``<key id>:<64 hex>``; the key id lets consumers tell pseudonyms made under different
keys apart when a key is rotated.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path

HASH_KEY_ENV = "CDR_HASH_KEY"
MIN_KEY_BYTES = 16


class HashKeyError(ValueError):
    """The hash key is missing or unusable (the message never contains the key)."""


CACHE_ENTRIES = 65_536


@dataclass(frozen=True)
class HashKey:
    secret: bytes
    key_id: str
    # Change streams repeat values (every update of a row carries its e-mail again):
    # recent digests are kept, bounded, and dropped wholesale when full.
    _cache: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self) -> str:  # never print the secret
        return f"HashKey(key_id={self.key_id!r})"

    def digest(self, text: str) -> str:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        mac = hmac.digest(self.secret, text.encode("utf-8", "surrogatepass"), hashlib.sha256)
        out = f"{self.key_id}:{mac.hex()}"
        if len(self._cache) >= CACHE_ENTRIES:
            self._cache.clear()
        self._cache[text] = out
        return out


def parse_key_material(material: str, origin: str) -> bytes:
    """``base64:...``, ``hex:...`` or the raw text itself."""
    material = material.strip()
    try:
        if material.startswith("base64:"):
            secret = base64.b64decode(material[7:], validate=True)
        elif material.startswith("hex:"):
            secret = bytes.fromhex(material[4:])
        else:
            secret = material.encode("utf-8")
    except (binascii.Error, ValueError):
        raise HashKeyError(f"hash key from {origin} is not valid base64/hex") from None
    if len(secret) < MIN_KEY_BYTES:
        raise HashKeyError(f"hash key from {origin} is shorter than {MIN_KEY_BYTES} bytes")
    return secret


def default_key_id(secret: bytes) -> str:
    """A short public fingerprint of the key (a hash of a hash: reveals nothing usable)."""
    return "k" + hashlib.sha256(b"cdr-key-id:" + hashlib.sha256(secret).digest()).hexdigest()[:8]


def load_hash_key(key_file: str | None, key_id: str | None) -> HashKey | None:
    """The key from ``CDR_HASH_KEY`` if set, else from ``key_file``; None if neither."""
    env = os.environ.get(HASH_KEY_ENV)
    if env:
        secret = parse_key_material(env, HASH_KEY_ENV)
    elif key_file:
        try:
            secret = parse_key_material(Path(key_file).read_text(encoding="utf-8"), key_file)
        except OSError as exc:
            raise HashKeyError(f"cannot read hash key file {key_file}: {exc.strerror}") from None
    else:
        return None
    return HashKey(secret, key_id or default_key_id(secret))
