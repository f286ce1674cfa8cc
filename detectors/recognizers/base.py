"""Recognizer base class: a pattern on the class, a ``validate`` hook, context words.

A recognizer answers two questions: is this whole value an X (``match_value``, used by
the column profiler on sampled values), and where are the Xs in this text (``find``,
used by the value scanner on free text and JSON leaves).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import ClassVar

_DIGIT = re.compile(r"\d")


def _unaccented(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@cache
def read_forms(words: tuple[str, ...]) -> tuple[str, ...]:
    """Context words as the scanner reads text: normalisation folds accents away
    ('né le' is read 'ne le'), so each word counts in both forms."""
    return tuple(dict.fromkeys([*words, *(_unaccented(w) for w in words)]))


@dataclass(frozen=True, slots=True)
class Finding:
    entity: str
    start: int
    end: int
    score: float
    recognizer: str


class Recognizer:
    entity: ClassVar[str]
    name: ClassVar[str]
    pattern: ClassVar[re.Pattern[str]]
    #: characters one of which a candidate must contain (a cheap prefilter), or "".
    needs: ClassVar[str] = ""
    #: whether every match holds a digit (``\d``, any script): a text without one is
    #: not scanned (a necessary condition, tested in ``tests/unit/test_fast_patterns.py``).
    needs_digit: ClassVar[bool] = False
    #: words near a match that make it more likely / unlikely.
    context: ClassVar[tuple[str, ...]] = ()
    negative_context: ClassVar[tuple[str, ...]] = ()
    context_window: ClassVar[int] = 40
    #: matches scoring at least this ignore negative context (unambiguous formats).
    overrides_negative: ClassVar[float] = 0.8
    #: findings under this score are dropped from text scans (they may still count as
    #: weak evidence on whole column values).
    min_text_score: ClassVar[float] = 0.5
    #: whether the field or key name is put before a value as context ("phone: 0151...").
    #: Recognizers whose cues are words before a name ("name: X") must not read a key
    #: called ``name`` as such a cue: they see the value alone.
    reads_key_as_context: ClassVar[bool] = True

    def validate(self, match: re.Match[str]) -> float | None:
        """Score of a candidate match, or None to reject it (lookalike)."""
        raise NotImplementedError

    def _prefilter(self, text: str) -> bool:
        if self.needs_digit and _DIGIT.search(text) is None:
            return False
        return not self.needs or any(ch in text for ch in self.needs)

    def match_value(self, value: str) -> float | None:
        """Score if the whole (stripped) value is an instance of the entity."""
        value = value.strip()
        if not value or not self._prefilter(value):
            return None
        m = self.pattern.fullmatch(value)
        return self.validate(m) if m else None

    def find(self, text: str) -> list[Finding]:
        if not self._prefilter(text):
            return []
        out = []
        lowered: str | None = None
        for m in self.pattern.finditer(text):
            score = self.validate(m)
            if score is None:
                continue
            if self.context or self.negative_context:
                lowered = lowered if lowered is not None else text.lower()
                before = lowered[max(0, m.start() - self.context_window) : m.start()]
                after = lowered[m.end() : m.end() + 12]
                if score < self.overrides_negative and any(
                    word in before for word in read_forms(self.negative_context)
                ):
                    continue  # an ambiguous match next to words that explain it otherwise
                if any(word in before or word in after for word in read_forms(self.context)):
                    score = min(1.0, score + 0.35)
            if score >= self.min_text_score:
                out.append(Finding(self.entity, m.start(), m.end(), score, self.name))
        return out
