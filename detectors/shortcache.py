"""Memo caches for functions of one word or one column name.

Words of free text and column names repeat, so the detectors remember what they work
out per word or name. Both are input, though, as long as a record can make them: an
``lru_cache`` bounded by entries alone kept 16,384 "words" of a megabyte each. A
:func:`short_lru` cache keeps only keys of at most ``longest`` characters (no word or
database column name is longer); a longer one is worked out on each call, at a cost
bounded by its length.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

R = TypeVar("R")


def short_lru(maxsize: int, longest: int) -> Callable[[Callable[[str], R]], Callable[[str], R]]:
    def decorate(fn: Callable[[str], R]) -> Callable[[str], R]:
        cached = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def call(text: str) -> R:
            return cached(text) if len(text) <= longest else fn(text)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call

    return decorate
