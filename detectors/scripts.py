"""The writing systems a text's letters are in, and which of them the detectors read.

The name lists (US Census), spaCy's English model and the pattern recognizers read
Latin script only: a name in Cyrillic, Greek, Arabic, Hebrew, Han or Hangul letters is
no hit for any of them, and that absence is no evidence the value is not a person's
name. So:

- a category written in a script the detectors do not read is no evidence of a
  categorical column (:func:`unread`);
- a column released on its categories keeps the scripts they were written in, and a new
  value written in another script breaks the release (:func:`letter_scripts`);
- two to four capitalised words of one cased script the detectors do not read
  (``Ольга Петрова``, ``Ελένη Γεωργίου``) are shaped as a person's name
  (:func:`name_shaped`);
- declared free text keeps no run of words it cannot read (:func:`unread_runs`).

ASCII letters and the other Latin letters (``é``, ``ł``, ``ş``) are told apart: the
name lists hold ASCII names only, so a released column of ASCII categories that starts
holding ``Łukasz Wójcik`` holds something new. Letters are looked at after NFKC, so
full-width Latin is Latin. No value is kept: only script tags.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ASCII = "ASCII"
LATIN = "LATIN"
UNREAD_TEXT = "UNREAD_TEXT"  # the entity of a free-text span in a script no detector reads
UNREAD_SCORE = 0.5  # below every detector's hit: a span both cover keeps the detector's label
READ = frozenset({ASCII, LATIN})  # what the name lists, English NER and patterns read
CASED = frozenset({"CYRILLIC", "GREEK", "ARMENIAN", "COPTIC", "GLAGOLITIC", "DESERET"})
_MAX_NAME_LEN = 80
_WORD_SPLIT = re.compile(r"[\s\u00a0]+")
_INVISIBLE = frozenset({"Cf", "Mn", "Me"})  # format characters and combining marks
_JOINERS = frozenset("-'\u2019\u00b7\u30fb")  # inside a name: Анна-Мария, O'Neil, 山田・太郎


@lru_cache(maxsize=4096)
def _script_of(ch: str) -> str | None:
    """The script tag of one letter (None: not a letter)."""
    if not unicodedata.category(ch).startswith("L"):
        return None
    if ch.isascii():
        return ASCII
    name = unicodedata.name(ch, "")
    if not name:
        return "UNKNOWN"
    word = name.split(" ", 1)[0]
    if word in ("FULLWIDTH", "HALFWIDTH", "MODIFIER", "SMALL", "CIRCLED", "PARENTHESIZED"):
        return LATIN if "LATIN" in name else "OTHER"
    if word == "CJK" or word.startswith("CJK"):
        return "HAN"
    return word


def letter_scripts(text: str) -> frozenset[str]:
    """The script tags of the letters in ``text`` (after NFKC)."""
    if text.isascii():
        return frozenset((ASCII,)) if any(c.isalpha() for c in text) else frozenset()
    norm = unicodedata.normalize("NFKC", text)
    return frozenset(s for s in map(_script_of, norm) if s is not None)


def unread(scripts: frozenset[str] | set[str]) -> bool:
    """Letters in a script the detectors do not read."""
    return not scripts <= READ


def name_shaped(value: str) -> bool:
    """Two to four capitalised words, each of letters of one cased script the detectors
    do not read: ``Ольга Петрова``, ``ПЕТРОВА Ольга``. A single word is not enough (a
    Russian product or a status word), nor is a lower-case second word (``Новый заказ``).
    Read as a reader sees it: format characters (zero-width) and combining marks (stress
    accents) are dropped, and Latin look-alikes inside a word (a Cyrillic name ending in a
    Latin ``a``) count with the word's own script when they are the fewer letters."""
    if value.isascii() or len(value) > _MAX_NAME_LEN:
        return False
    text = "".join(c for c in unicodedata.normalize("NFKC", value) if unicodedata.category(c) not in _INVISIBLE)
    words = _WORD_SPLIT.split(text.strip())
    if not 2 <= len(words) <= 4:
        return False
    script: str | None = None
    for word in words:
        letters = [c for c in word if c not in _JOINERS and c != "."]
        if len(letters) < 2 and not (len(letters) == 1 and word.endswith(".")):  # an initial and its dot
            return False
        tags = [_script_of(c) for c in letters]
        own = {t for t in tags if t != ASCII}
        if len(own) != 1:
            return False
        tag = own.pop()
        if tag not in CASED or (script is not None and tag != script) or 2 * tags.count(ASCII) > len(tags):
            return False
        script = tag
        if not letters[0].isupper():
            return False
    return True


def unread_runs(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` (offsets into it) holding words with letters in a script the
    detectors do not read; neighbouring words (joined by spaces and punctuation that sits
    inside names) make one span."""
    if text.isascii():
        return []
    spans: list[tuple[int, int]] = []
    start = -1
    end = -1
    for i, ch in enumerate(text):
        tag = _script_of(unicodedata.normalize("NFKC", ch)[:1] or ch) if not ch.isascii() else None
        if tag is not None and tag not in READ:
            if start < 0:
                start = i
            elif i - end > 1 and not text[end:i].strip(" \u00a0-'\u2019\u00b7\u30fb.,"):
                pass  # the gap is spaces or name punctuation: one run
            elif i - end > 1:
                spans.append((start, end))
                start = i
            end = i + 1
        elif tag is None and start >= 0 and unicodedata.category(ch).startswith("M"):
            end = i + 1  # a combining mark on the run's last letter
    if start >= 0:
        spans.append((start, end))
    return spans
