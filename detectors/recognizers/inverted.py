"""Names as registers write them: the surname first, a comma, then the given names
(``Adeyemi, Oluwaseun``, ``ADEYEMI, OLUWASEUN``, ``Roe, Jane A.``). The comma turns two
words a reader might take for a brand or a place into a person: read as ``given surname``,
a pair the name lists know is a name, and so is one whose words no English has (the
lists hold few names from outside the US census). English words on either side
(``Gold, Plus``, ``Paris, Texas``, ``Smith, Wesson``... a listed pair aside) are left
alone, and so is any word with a digit."""

from __future__ import annotations

import re

from detectors import english
from detectors.recognizers.base import Recognizer
from detectors.recognizers.person import person_value_score

_WORD = r"[^\W\d_][^\W\d_'\u2019-]*[^\W\d_]"
_INITIAL = r"[^\W\d_]\."
INVERTED = re.compile(
    rf"(?<![\w,-])(?P<surname>{_WORD}(?:[- ]{_WORD})?), (?P<given>{_WORD}(?: (?:{_WORD}|{_INITIAL}))?)(?![\w-]|\.\w)"
)
_KNOWN = 0.9


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and (word[1:].islower() or word.isupper())


def inverted_name_score(surname: str, given: str) -> float | None:
    """How surely ``surname, given`` is a person (None: it is not read as one)."""
    words = [w for w in re.split(r"[- ]", f"{surname} {given}") if not w.endswith(".")]
    if len(words) < 2 or not all(_capitalised(w) for w in words):
        return None
    if (person_value_score(f"{given.title()} {surname.title()}") or 0.0) >= _KNOWN:
        return 0.85
    if english.available() and all(len(w) >= 3 and not english.is_english(w.lower()) for w in words):
        return 0.6
    return None


def is_inverted_name(value: str) -> bool:
    """A whole value that is a name written surname first (``Adeyemi, Oluwaseun``)."""
    m = INVERTED.fullmatch(value.strip())
    return m is not None and inverted_name_score(m["surname"], m["given"]) is not None


class InvertedNameRecognizer(Recognizer):
    entity = "PERSON"
    name = "inverted_name"
    needs = ","
    reads_key_as_context = False
    pattern = INVERTED

    def validate(self, match: re.Match[str]) -> float | None:
        return inverted_name_score(match["surname"], match["given"])
