"""Keyed hashing (HMAC-SHA256) for pseudonyms that still join.

The key never comes from a declaration: it is read from the environment
(``CDR_HASH_KEY``) or from a key file named in the config. Output is
``<key id>:<64 hex>``; the key id lets consumers tell pseudonyms made under different
keys apart when a key is rotated.

A weak key makes every pseudonym reversible by guessing (hash each candidate e-mail
under the guessed key), so start-up refuses: a key under :data:`MIN_KEY_BYTES` bytes, a
key whose estimated entropy (:func:`estimated_entropy_bits`) is under
:data:`MIN_ENTROPY_BITS`, and the local stack's published demo key unless the config says
it runs the local stack (``local_stack: true``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import os
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import CdrError

HASH_KEY_ENV = "CDR_HASH_KEY"
MIN_KEY_BYTES = 32
MIN_ENTROPY_BITS = 128
# SHA-256 of devstack's DEMO_HASH_KEY (public: it is in the repository). Only its digest
# is kept here, so the service does not import the dev stack.
DEMO_KEY_SHA256 = "f1b8e7778d70472bf49d271aea001cf33cfbadd47c434ce71e5ed07b7256f06c"


class HashKeyError(CdrError, ValueError):
    """The hash key is missing or unusable (the message never contains the key)."""


CACHE_ENTRIES = 65_536
CACHED_LENGTH = 256  # characters: a longer value is hashed each time (a value is as long as a record)


@dataclass(frozen=True)
class HashKey:
    secret: bytes
    key_id: str
    # Change streams repeat values (every update of a row carries its e-mail again):
    # recent digests are kept, bounded, and dropped wholesale when full.
    _cache: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    # HMAC's two keyed states (RFC 2104), made once: each value then costs two copies and
    # two updates, not the key schedule again (about a third of ``hmac.digest``'s time).
    _pads: tuple[Any, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pads", hmac_pads(self.secret))

    def __repr__(self) -> str:  # never print the secret
        return f"HashKey(key_id={self.key_id!r})"

    def __reduce__(self) -> tuple[type[HashKey], tuple[bytes, str]]:
        return HashKey, (self.secret, self.key_id)  # hash states do not pickle: made anew

    def digest(self, text: str) -> str:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        inner_pad, outer_pad = self._pads
        inner = inner_pad.copy()
        inner.update(text.encode("utf-8", "surrogatepass"))
        outer = outer_pad.copy()
        outer.update(inner.digest())
        out = f"{self.key_id}:{outer.hexdigest()}"
        if len(text) <= CACHED_LENGTH:
            if len(self._cache) >= CACHE_ENTRIES:
                self._cache.clear()
            self._cache[text] = out
        return out


_BLOCK = hashlib.sha256().block_size
_INNER = bytes(b ^ 0x36 for b in range(256))  # byte -> byte ^ ipad, for bytes.translate
_OUTER = bytes(b ^ 0x5C for b in range(256))  # ... ^ opad


def hmac_pads(secret: bytes) -> tuple[Any, Any]:
    """SHA-256 states after HMAC's inner and outer padded keys: ``outer(inner(msg))``
    of copies of them is ``hmac.digest(secret, msg, sha256)``."""
    key = hashlib.sha256(secret).digest() if len(secret) > _BLOCK else secret
    key = key.ljust(_BLOCK, b"\0")
    return (
        hashlib.sha256(key.translate(_INNER)),
        hashlib.sha256(key.translate(_OUTER)),
    )


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


def estimated_entropy_bits(secret: bytes) -> float:
    """An upper estimate of the key's entropy, small for keys a person typed or a pattern
    made: the least of (a) its length times the Shannon entropy of its bytes, (b) the same
    over the differences of consecutive bytes (catches ``0123...``, ``abcabc``), and (c) 8
    bits per byte of its zlib-compressed form (catches repeated phrases). 32 random bytes
    score over 140; ``Summer2024!`` repeated scores about 100."""
    n = len(secret)
    if n < 2:
        return 0.0
    deltas = bytes((secret[i + 1] - secret[i]) % 256 for i in range(n - 1))
    shannon = n * min(_shannon(secret), _shannon(deltas))
    compressed = 8 * (len(zlib.compress(secret, 9)) - len(zlib.compress(b"", 9)))
    return min(shannon, float(compressed))


def _shannon(data: bytes) -> float:
    total = len(data)
    return -sum(c / total * math.log2(c / total) for c in Counter(data).values())


def is_demo_key(secret: bytes) -> bool:
    return hmac.compare_digest(hashlib.sha256(secret).hexdigest(), DEMO_KEY_SHA256)


def check_key_strength(secret: bytes, origin: str, local_stack: bool = False) -> None:
    """Raise :class:`HashKeyError` for a key start-up must refuse (never quoting it)."""
    if is_demo_key(secret):
        if local_stack:
            return
        raise HashKeyError(
            f"hash key from {origin} is the local stack's public demo key; set a secret key "
            "(e.g. base64: of 32 random bytes), or local_stack: true in a config for the local stack only"
        )
    bits = estimated_entropy_bits(secret)
    if bits < MIN_ENTROPY_BITS:
        raise HashKeyError(
            f"hash key from {origin} looks guessable (estimated entropy {bits:.0f} bits < {MIN_ENTROPY_BITS}); "
            "use 32 random bytes, e.g. base64:$(openssl rand -base64 32)"
        )


def default_key_id(secret: bytes) -> str:
    """A short public fingerprint of the key (a hash of a hash: reveals nothing usable)."""
    return "k" + hashlib.sha256(b"cdr-key-id:" + hashlib.sha256(secret).digest()).hexdigest()[:8]


def load_hash_key(key_file: str | None, key_id: str | None, local_stack: bool = False) -> HashKey | None:
    """The key from ``CDR_HASH_KEY`` if set, else from ``key_file``; None if neither.
    A weak key raises :class:`HashKeyError` (:func:`check_key_strength`)."""
    env = os.environ.get(HASH_KEY_ENV)
    if env:
        origin = HASH_KEY_ENV
        secret = parse_key_material(env, origin)
    elif key_file:
        origin = key_file
        try:
            with Path(key_file).open("rb") as stream:  # bounded: a key file is a line
                raw = stream.read(4097)
            if len(raw) > 4096:
                raise HashKeyError(f"hash key file {key_file} is larger than 4096 bytes")
            secret = parse_key_material(raw.decode("utf-8"), key_file)
        except UnicodeDecodeError:
            raise HashKeyError(f"hash key file {key_file} is not UTF-8 text; use hex: or base64:") from None
        except OSError as exc:
            raise HashKeyError(f"cannot read hash key file {key_file}: {exc.strerror}") from None
    else:
        return None
    check_key_strength(secret, origin, local_stack)
    return HashKey(secret, key_id or default_key_id(secret))
