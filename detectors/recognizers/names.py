"""Person names the small spaCy model misses or mislabels: two or three capitalised
words next to words that introduce a person ("spoke with", "escalate to", "... asked").
A heuristic for free text only; columns of names are found by their name and by NER
votes over sampled values."""

from __future__ import annotations

import re

from detectors.recognizers.base import Recognizer

_NOT_NAMES = frozenset(
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
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
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
        text = match.string
        before = text[max(0, match.start() - 24) : match.start()]
        after = text[match.end() : match.end() + 16]
        if _BEFORE.search(before) or _AFTER.match(after):
            return 0.9
        return None

    def match_value(self, value: str) -> float | None:
        return None  # whole values: the profiler's NER votes decide
