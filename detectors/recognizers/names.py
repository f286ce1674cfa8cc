"""Person names in free text that the small spaCy model misses or mislabels:

- two or three capitalised words next to words that introduce a person ("spoke with",
  "escalate to", "... asked");
- the same words without a cue when the first is a known first name and the last a
  known surname (the census lists of :mod:`detectors.recognizers.person`);
- an honorific and one to three capitalised words ("Mr. Smith", "Dr Amara Okonkwo").

Whole column values are scored by :func:`detectors.recognizers.person.person_value_score`
and :func:`~detectors.recognizers.person.known_name_fraction`, not by ``match_value``:
a value recogniser hit would stop the profiler asking NER about the value."""

from __future__ import annotations

import re

from detectors.recognizers.base import Recognizer
from detectors.recognizers.person import known_pair, person_value_score
from detectors.recognizers.placenames import NOT_PERSON_WORDS, PLACES
from detectors.vocabulary import CALENDAR_WORDS

_NOT_NAMES = CALENDAR_WORDS | frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "please",
        "thanks",
        "thank",
        "dear",
        "hi",
        "hello",
        "customer",
        "client",
        "ticket",
        "her",
        "his",
        "their",
        "our",
        "your",
        "my",
        "refund",
        "reply",
        "call",
        "called",
        "closing",
        "follow",
        "no",
        "yes",
        "spoke",
        "ssn",
        "iban",
        "card",
        "visa",
        "mastercard",
        "support",
        "team",
        "branch",
        "bank",
        "account",
        "invoice",
        "order",
        "new",
        "street",
        "road",
        "avenue",
    ]
)
_BEFORE = re.compile(
    r"(?:\b(?:with|to|from|by|for|contact|cc|mr|mrs|ms|miss|dr|prof|customer|client|dear|hi|hello|"
    r"called|emailed|named|name is|signed|owner|holder|agent)\.?\s+)$",
    re.IGNORECASE,
)
_AFTER = re.compile(
    r"^\s+(?:asked|called|said|wrote|requested|confirmed|phoned|emailed|complained|reported|visited|"
    r"mentioned|wants|needs|is|was|has|had|will|would)\b",
    re.IGNORECASE,
)


class PersonNameRecognizer(Recognizer):
    entity = "PERSON"
    name = "person_name"
    pattern = re.compile(
        r"(?<![\w'])[A-Z][a-z\u00DF-\u00FF]+(?:[-'][A-Z][a-z\u00DF-\u00FF]+)?"
        r"(?: [A-Z][a-z\u00DF-\u00FF]+(?:[-'][A-Z][a-z\u00DF-\u00FF]+)?){1,2}(?![\w'])"
    )

    def validate(self, match: re.Match[str]) -> float | None:
        words = match.group(0).split()
        if words[0].lower() in _NOT_NAMES or words[-1].lower() in _NOT_NAMES:
            return None
        if any(w.lower() in NOT_PERSON_WORDS for w in words) or match.group(0).lower() in PLACES:
            return None  # "Northern Ireland", "Rose Bowl", "Sales Team"
        text = match.string
        before = text[max(0, match.start() - 24) : match.start()]
        after = text[match.end() : match.end() + 16]
        if _BEFORE.search(before) or _AFTER.match(after):
            return 0.9
        # a bare value is the profiler's to judge; look at a bounded window, not the whole text
        in_sentence = len((text[max(0, match.start() - 40) : match.start()] + " " + after).split()) >= 3
        if in_sentence and known_pair(words[0], words[-1]) and (person_value_score(match.group(0)) or 0.0) >= 0.9:
            return 0.7  # a known first name and a known surname
        return None

    def match_value(self, value: str) -> float | None:
        return None  # whole values: the profiler's NER votes decide


class HonorificNameRecognizer(Recognizer):
    """An honorific followed by one to three capitalised words: Mr. Smith, Dr Jane Doe."""

    entity = "PERSON"
    name = "honorific_name"
    pattern = re.compile(
        r"(?<![\w.])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Sr|Sra|Srta|Sig|Dott)\.?"
        r" (?:[A-Z]\. )?[A-Z][a-z\u00DF-\u00FF]+(?:[-'][A-Z][a-z\u00DF-\u00FF]+)?"
        r"(?: [A-Z][a-z\u00DF-\u00FF]+(?:[-'][A-Z][a-z\u00DF-\u00FF]+)?){0,2}(?![\w'])"
    )

    def validate(self, match: re.Match[str]) -> float | None:
        words = match.group(0).split()
        if any(w.lower() in _NOT_NAMES for w in words[1:]):
            return None
        return 0.85

    def match_value(self, value: str) -> float | None:
        return None  # whole values: person_value_score
