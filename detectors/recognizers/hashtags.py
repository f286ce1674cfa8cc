"""A person's name glued into a hashtag: '#JohnnyWinter', '#RIPJohnnyWinter',
'#ShaneWatson'. NER reads a hashtag as one word and the name recognizers need words
apart, so the name goes out whole inside it.

The hashtag's body is split at its capitals (camel case); it is a person when two parts
next to each other are a known first name and a known surname by the census lists of
:mod:`detectors.recognizers.person`. The finding is the whole hashtag: what else is
glued to the name ('RIP', 'Team') is no reason to publish the name. A lower-case or
all-capitals hashtag cannot be split and is left alone; so are calendar words
('#MayDay') and @handles (a handle names an account, not always a person; the corpora
do not label them as people)."""

from __future__ import annotations

import re
from itertools import pairwise

from detectors.recognizers.base import Finding, Recognizer
from detectors.recognizers.person import known_pair
from detectors.vocabulary import CALENDAR_WORDS

#: longest hashtag body looked into (a bound on the work per hashtag)
MAX_BODY = 64
_PART = re.compile(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|[a-z]+|\d+")


class HashtagNameRecognizer(Recognizer):
    entity = "PERSON"
    name = "hashtag_name"
    needs = "#"
    pattern = re.compile(rf"(?<![\w&#])#([A-Za-z][A-Za-z0-9_]{{3,{MAX_BODY - 1}}})(?![\w#])")
    reads_key_as_context = False  # a key called 'name' is no cue

    def validate(self, match: re.Match[str]) -> float | None:
        parts = _PART.findall(match.group(1).replace("_", ""))
        for first, last in pairwise(parts):
            if not (first[:1].isupper() and first[1:].islower() and last[:1].isupper() and last[1:].islower()):
                continue  # camel-case words only: 'NBAFinals', 'iPhone' give no pair
            if first.lower() in CALENDAR_WORDS or last.lower() in CALENDAR_WORDS:
                continue
            if known_pair(first, last):
                return 0.8
        return None

    def find(self, text: str) -> list[Finding]:
        if "#" not in text:
            return []
        return [
            Finding(self.entity, m.start(), m.end(), score, self.name)
            for m in self.pattern.finditer(text)
            if (score := self.validate(m)) is not None
        ]

    def match_value(self, value: str) -> float | None:
        return None  # whole column values: the profiler's name tokens decide
