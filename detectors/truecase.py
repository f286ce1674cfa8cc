"""What NER reads of a text written without capitals.

spaCy's small English model finds names mostly by their capitals: in ``called kwame
mensah about the loan`` it finds none. A text with no capital letter used to be left out
of NER altogether, so a name written in lower case went out in free text. Now NER reads
such a text with capitals put where a name's would be: on a word that is no English
word in any form (``kwame``, ``mensah``, ``agnieszka``), and on a listed first name
followed by such a word or by one of the most frequent surnames (``bob smith``, ``mark
twain``). Every other word stays as it is (``i will call`` is not ``i Will call``). Only
first letters change, and only to a single character, so each offset NER gives is an
offset of the text.
"""

from __future__ import annotations

import re

from detectors import english
from detectors.recognizers.person import is_first_name, is_top_surname

_WORD = re.compile(r"[^\W\d_]{2,}")


def for_ner(text: str) -> str | None:
    """The text NER reads for ``text``: itself when it has a capital letter, None when it
    has no letter at all (no name to find), else the text with capitals put on the
    words that would be a name's."""
    if any(c.isupper() for c in text):
        return text
    words = [m for m in _WORD.finditer(text) if m.group().isalpha()]
    if not words:
        return None if not any(c.isalpha() for c in text) else text
    unknown = [not english.is_english_form(m.group()) for m in words]
    named = list(unknown)
    for i in range(len(words) - 1):
        first, then = words[i].group(), words[i + 1].group()
        if (
            words[i + 1].start() - words[i].end() <= 2
            and is_first_name(first)
            and not english.is_function_word(first)
            and (unknown[i + 1] or is_top_surname(then))
        ):
            named[i] = named[i + 1] = True
    chars = list(text)
    for m, capital in zip(words, named, strict=True):
        upper = m.group()[0].upper()
        if capital and len(upper) == 1:
            chars[m.start()] = upper
    return "".join(chars)
