"""Whole names, never parts: a name span grows to the words it cut or stopped beside.

A span that covers part of a name lets the rest out, and the rest is the distinctive
part: ``Contact <PERSON>-Okafor``, ``Customer KENJI <PERSON>``, ``Jean-Baptiste``
redacted and ``Okonkwo-Adebayo`` left, ``<b>Kenji</b> <i><PERSON></i>``. So, after the
detectors and before redaction (:meth:`detectors.textscan.TextScanner.find`):

1. a PERSON or LOCATION span that starts or ends inside a word (letters joined by ``-``,
   ``'`` (straight or typographic) or ``_``: ``Adeyemi-Okafor``, ``O'Brien``, ``kenji_nakamura``) covers the
   whole word;
2. a PERSON span takes in the name words beside it, up to three on each side: a word
   separated by one or two spaces, by a comma (``Okafor, <PERSON>``: the surname first)
   or in parentheses (``Amara (Osei)``), becomes part of the span; a word separated by markup (``</b> <i>``) becomes a span of its own, so the
   markup stays. A name word is written as the span is (capitalised, or in capitals when
   the span is) and is no English word (unless a first name: ``Maria``, ``Mark``),
   function word, calendar word, place, street type or honorific in any of its
   hyphenated parts: ``Customer``, ``Bank``, ``Street``,
   ``Lisbon``, ``Dr`` and ``January`` stop it, ``Okonkwo-Adebayo`` and ``KENJI`` do not.

3. a span that ends or starts at a digit grows over the digit groups beside it on its
   line (number separators, letters written for digits: ``5O84``), and over a line break
   when that completes a card number: the other half of a number goes with the half a
   recognizer read.

Spans only grow over words that read as names next to a name, and digits next to a number; the detectors decide where
a name is, this decides that all of it goes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from detectors.english import is_english, is_function_word
from detectors.recognizers.address import is_street_type
from detectors.recognizers.base import Finding
from detectors.recognizers.person import is_first_name, is_honorific
from detectors.recognizers.placenames import NOT_PERSON_WORDS, PLACES
from detectors.validators import luhn_ok
from detectors.vocabulary import CALENDAR_WORDS

WHOLE_WORD = frozenset({"PERSON", "LOCATION"})
_NEIGHBOURS = 3  # name words taken in on each side
_LOOK_BACK = 120  # characters read before a span for its left neighbour

_JOINERS = "-'\u2019_"
_L = r"[^\W\d_]"
# A name word: letters, parts joined by a hyphen or an apostrophe (O'Brien, Okonkwo-Adebayo).
_NAME = rf"{_L}+(?:[-'\u2019]{_L}+)*"
_TAG = r"</?[A-Za-z][^<>\n]{0,40}>"
_GAP_RIGHT = re.compile(
    rf"(?:(?P<space>,?[ \t]{{1,2}})|(?P<open>[ \t]?\()|(?P<markup>(?:[ \t]*{_TAG})+[ \t]*))"
    rf"(?P<word>{_NAME})(?P<close>\))?"
)
_GAP_LEFT = re.compile(
    rf"(?P<open>\()?(?P<word>{_NAME})"
    rf"(?:(?P<space>,?[ \t]{{1,2}})|(?P<close>\)[ \t]?)|(?P<markup>(?:[ \t]*{_TAG})+[ \t]*))\Z"
)


def _letter(ch: str) -> bool:
    return ch.isalpha()


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``/``end`` moved out to the edges of the words they fall inside (letters, and
    a joiner between two letters)."""
    n = len(text)
    while 0 < start < n and _letter(text[start]):
        if _letter(text[start - 1]):
            start -= 1
        elif start >= 2 and text[start - 1] in _JOINERS and _letter(text[start - 2]):
            start -= 2
        else:
            break
    while 0 < end < n and _letter(text[end - 1]):
        if _letter(text[end]):
            end += 1
        elif end + 1 < n and text[end] in _JOINERS and _letter(text[end + 1]):
            end += 2
        else:
            break
    return start, end


def _capitals(words: str) -> bool:
    letters = [c for c in words if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def name_word(word: str, capitals: bool) -> bool:
    """A word that reads as part of a person's name beside one (see the module)."""
    if capitals:
        if not _capitals(word):
            return False
    elif not (word[0].isupper() and any(c.islower() for c in word)):
        return False
    for part in re.split(r"[-'\u2019]", re.sub(r"^[^\W\d_]['\u2019](?=[^\W\d_]{2})", "", word)):  # O'Brien
        low = part.lower()
        if len(low) < 2 or not part.isalpha():
            return False
        if is_function_word(low) or is_honorific(low) or (is_english(low) and not is_first_name(low)):
            return False  # 'Customer', 'Dr'; a first name that is a word too ('Maria', 'Mark') is a name here
        if is_street_type(low):
            return False
        if low in CALENDAR_WORDS or low in NOT_PERSON_WORDS or low in PLACES:
            return False
    return True


def _grow(text: str, f: Finding) -> list[Finding]:
    """A PERSON span with the name words beside it, and the words beyond markup as spans
    of their own."""
    start, end = f.start, f.end
    capitals = _capitals(text[start:end])
    apart: list[Finding] = []
    for _ in range(_NEIGHBOURS):
        m = _GAP_RIGHT.match(text, end)
        if m is None or not name_word(m["word"], capitals) or bool(m["open"]) != bool(m["close"]):
            break
        if m["markup"]:
            apart.append(Finding(f.entity, m.start("word"), m.end("word"), f.score, f.recognizer))
            break
        end = m.end()
    for _ in range(_NEIGHBOURS):
        lo = max(0, start - _LOOK_BACK)
        m = _GAP_LEFT.search(text, lo, start)
        if m is None or not name_word(m["word"], capitals) or bool(m["open"]) != bool(m["close"]):
            break
        if m.start("word") > 0 and _letter(text[m.start("word") - 1]):
            break  # the regex started inside a longer token
        if m["markup"]:
            apart.append(Finding(f.entity, m.start("word"), m.end("word"), f.score, f.recognizer))
            break
        start = m.start()
    return [Finding(f.entity, start, end, f.score, f.recognizer), *apart]


# A group of a number: digits, and the letters written for them ('5O84'), one digit at least.
_GROUP = r"[\dOoIl]*\d[\dOoIl]*"
_MORE_RIGHT = re.compile(rf"[ \t.\-/]{{0,2}}(?P<line>\r?\n[ \t]*)?{_GROUP}(?![^\W_])")
_MORE_LEFT = re.compile(rf"(?<![^\W_]){_GROUP}[ \t.\-/]{{0,2}}\Z")
_GROUPS = 4  # groups taken in on each side
_LINE_GROUPS = re.compile(rf"(?:[ \t.\-/]{{0,2}}{_GROUP}){{1,{_GROUPS}}}(?![^\W_])")
_DIGIT_FOR = str.maketrans("OoIl", "0011")


def _card_digits(text: str) -> bool:
    digits = "".join(c for c in text.translate(_DIGIT_FOR) if c.isdigit())
    return 13 <= len(digits) <= 19 and luhn_ok(digits)


def whole_number(text: str, start: int, end: int) -> tuple[int, int]:
    """A span that ends (starts) at a digit, grown over the digit groups right after
    (before) it on its line: a number is redacted whole, or its other half goes out
    ('<PHONE_NUMBER> 5O84 2298'). A group on the next line joins only when what it
    completes is a card number (Luhn): a postcode line above a phone number stays."""
    if end > start and text[end - 1].isdigit():
        for _ in range(_GROUPS):
            m = _MORE_RIGHT.match(text, end)
            if m is None or m.end() == end:
                break
            if m["line"]:
                rest = _LINE_GROUPS.match(text, m.end())
                stop = rest.end() if rest else m.end()
                if _card_digits(text[start:stop]):
                    end = stop
                break
            end = m.end()
    if end > start and text[start].isdigit():
        for _ in range(_GROUPS):
            m = _MORE_LEFT.search(text, max(0, start - 40), start)
            if m is None or m.start() == start:
                break
            start = m.start()
    return start, end


def widen(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """The findings with whole words, whole names and whole numbers (unmerged: the
    caller merges)."""
    out: list[Finding] = []
    for f in findings:
        if f.entity not in WHOLE_WORD:
            start, end = whole_number(text, f.start, f.end)
            out.append(f if (start, end) == (f.start, f.end) else Finding(f.entity, start, end, f.score, f.recognizer))
            continue
        start, end = whole_words(text, f.start, f.end)
        f = Finding(f.entity, start, end, f.score, f.recognizer)
        out.extend(_grow(text, f) if f.entity == "PERSON" else [f])
    return out


# -- readings of the same length ----------------------------------------------------------
#
# A name a person reads at once can be one the detectors do not: 'Kenji_Nakamura' is one
# token to them, '<b>Kenji</b> <i>Nakamura</i>' two words apart, 'CUSTOMER KENJI PETROV
# CALLED' no sentence the English model knows. Each reading below writes the text as it
# reads, character for character (same length: a span of the reading is a span of the
# text); the scanner reads them too and keeps the union of the spans.

_SNAKE_JOIN = re.compile(r"(?<=[^\W\d_])_(?=[^\W\d_])")  # an underscore between two letters
_MARKUP = re.compile(rf"{_TAG}|&nbsp;")
_CAPS_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_a-z]{2,}(?:['-][^\W\d_a-z]+)*(?![^\W\d_])")
_CAPS_RUN = re.compile(r"(?<![^\W\d_])[^\W\d_a-z]{2,}[ \t]+[^\W\d_a-z]{2,}(?![^\W\d_])")


def _name_like(word: str) -> bool:
    low = word.lower()
    return is_first_name(low) or not (is_english(low) or is_function_word(low))


def _cased(word: str) -> str:
    """A word in capitals as a sentence would write it: an English word in lower case, a
    name word capitalised ('KENJI' -> 'Kenji', 'CALLED' -> 'called')."""
    parts = re.split(r"(['-])", word)
    out = "".join(p if p in "'-" else (p.capitalize() if _name_like(p) else p.lower()) for p in parts)
    return out if len(out) == len(word) else word


def readings(text: str) -> list[tuple[str, list[tuple[int, int]]]]:
    """Other readings of ``text`` (same length) and, for each, the stretches that are no
    text (markup): a span of the reading is cut around them."""
    out: list[tuple[str, list[tuple[int, int]]]] = []
    if "_" in text and _SNAKE_JOIN.search(text):
        out.append((_SNAKE_JOIN.sub(" ", text), []))
    if ("<" in text or "&" in text) and _MARKUP.search(text):
        tags = [(m.start(), m.end()) for m in _MARKUP.finditer(text)]
        out.append((_MARKUP.sub(lambda m: " " * len(m.group()), text), tags))
    if _CAPS_RUN.search(text):
        out.append((_CAPS_WORD.sub(lambda m: _cased(m.group()), text), []))
    return out


def outside(text: str, findings: Sequence[Finding], cuts: Sequence[tuple[int, int]]) -> list[Finding]:
    """The findings with the ``cuts`` taken out (a span across markup becomes one span
    per stretch of text, so the markup stays); stretches without a letter or digit go."""
    if not cuts:
        return list(findings)
    out: list[Finding] = []
    for f in findings:
        pieces, pos = [], f.start
        for a, b in cuts:
            if b <= pos or a >= f.end:
                continue
            pieces.append((pos, a))
            pos = max(pos, b)
        pieces.append((pos, f.end))
        for a, b in pieces:
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if any(c.isalnum() for c in text[a:b]):
                out.append(Finding(f.entity, a, b, f.score, f.recognizer))
    return out
