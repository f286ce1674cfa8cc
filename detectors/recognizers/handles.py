"""Social handles made of a person's name: ``@maria_gonzalez``, ``@maria.gonzalez71``.

A handle is not an entity of its own (the project's entities have none), but one whose
two parts are a known first name and a known surname names a person as plainly as the
e-mail local part ``maria.gonzalez71`` the guard already reads as one: it is a PERSON.
A handle whose parts the name lists do not know (``@kenji_osei``, ``@qwerty``) or glued
into one word (``@mariagonzalez``) has no shape that tells it from a brand or a bot's
name, and passes (README, the guard's known limits)."""

from __future__ import annotations

import re

from detectors.recognizers.base import Recognizer
from detectors.recognizers.person import person_value_score

KNOWN_PERSON = 0.9  # person_value_score of a known first name and a known surname


class HandleNameRecognizer(Recognizer):
    entity = "PERSON"
    name = "handle_name"
    needs = "@"
    pattern = re.compile(r"(?<![\w@.+-])@([A-Za-z]{2,30})[._-]([A-Za-z]{2,30})[._]?\d{0,4}(?![\w@-]|\.\w)")

    def validate(self, match: re.Match[str]) -> float | None:
        first, last = match.group(1), match.group(2)
        score = person_value_score(f"{first.capitalize()} {last.capitalize()}") or 0.0
        return 0.85 if score >= KNOWN_PERSON else None
