"""Numbers written out the way people dictate them to slip past a filter: in number
words (``four one five, double five, oh one two three``), words and digits mixed
(``4 one 5``), one digit at a time with separators (``4-1-5-5-...``, ``4 / 1 / 5``),
teens and tens (``five five five, twelve thirty-four``).

:func:`spoken_numbers` finds such runs and gives, for each, the digits a reader hears,
written in the grouping people use for that many digits (``3-2-4`` for nine, ``3-3-4``
for ten, fours from thirteen on): nobody dictates an id or an amount digit by digit, so
a dictated number is written as the phone, SSN or card number it would be, and the
validators (checksum, allocation rules, numbering plans) decide whether it is one.

Bounded: a run is at most :data:`MAX_TOKENS` tokens, and only runs of at least
:data:`MIN_DIGITS` digits are rewritten. Runs of digit groups with no word and no
single-digit rhythm (``2023 2024``, ``10.20.30.40``) are left to the recognizers. A
text with no number word next to a number and no single digits between separators is
passed over by one regex search (:func:`might_hold`).

:func:`spoken_dates` reads a date said in words (``the fifth of March nineteen
eighty-two``, ``March fifth, two thousand and three``) as ``5 March 1982``, the shape the
date-of-birth recognizer reads (a date is a date of birth only next to its cue words).
"""

from __future__ import annotations

import re

MIN_DIGITS = 7  # fewer is a time, a count, a small amount: never a phone, an SSN or a card
MAX_TOKENS = 40  # a 19-digit card said with 'double' and 'triple' fits

UNITS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
TEENS = {
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
    "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
}  # fmt: skip
TENS = {
    "twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7", "eighty": "8",
    "ninety": "9",
}  # fmt: skip
REPEATS = {"double": 2, "triple": 3}
_WORDS = sorted([*UNITS, *TEENS, *TENS, *REPEATS, "hundred", "thousand"], key=len, reverse=True)


def _trie(words: list[str]) -> str:
    """One regex alternation of ``words`` as a trie: a branch fails on its first letter
    (a flat alternation of 35 words is tried word by word at every position)."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and len(alts[0]) == 1 else "(?:" + "|".join(alts) + ")"
        return body + ("?" if ends else "")

    return emit(tree)


_WORD = "(?:" + _trie(_WORDS) + ")"
_TOKEN = rf"(?:{_WORD}|\d{{1,4}})"
_SEP = r"(?:[ \t]*[,/.-][ \t]*|[ \t]+)"
# On the lower-cased text; starts on a token (a character class the engine skips ahead
# on), the character before it is checked in Python (not inside a word, a number, an
# address).
_RUN = re.compile(rf"{_TOKEN}(?:{_SEP}{_TOKEN}){{{MIN_DIGITS // 2 - 1},{MAX_TOKENS - 1}}}(?![\w@]|[.,/-][0-9])")
_RUN_AFTER = re.compile(r"[\w.,/@-]")
_PIECE = re.compile(rf"(?i){_WORD}|\d+")
_BETWEEN = re.compile(r"(?<=\d)[^\d]+(?=\d)")
# On the lower-cased text, two searches that each start on a character class (so the
# regex engine skips ahead in C; one alternation starting with a word boundary was twice
# as slow): a number word next to a number word or a digit; single digits between
# separators, seven digits spaced apart, a digit next to a number word.
_WORD_HINT = re.compile(rf"{_WORD}{_SEP}(?:{_WORD}\b|[0-9])")
_DIGITS_HINT = re.compile(rf"[0-9](?:[ \t]*[,/.-][ \t]*[0-9]){{3}}|[0-9](?: [0-9]){{6}}|[0-9]{_SEP}{_WORD}\b")
_NUMBER_WORDS = frozenset(_WORDS)
_APART = str.maketrans(dict.fromkeys(",./-;:!?()[]{}<>\"'_*#+=|\\\t\r\n", " "))


def might_hold(text: str) -> bool:
    """One cheap test: a number word next to a number or one, or single digits between
    separators. False for almost every text, and then :func:`spoken_numbers` finds nothing."""
    if " " not in text and "\t" not in text and not any(c in text for c in ",/.-"):
        return False  # one token with no separator ('bronze', 'R0042'): no run in it
    lowered = text.lower()
    if _DIGITS_HINT.search(lowered) is not None:
        return True
    # C-speed first: no number word at all, no run of them
    return not _NUMBER_WORDS.isdisjoint(lowered.translate(_APART).split()) and _WORD_HINT.search(lowered) is not None


def spoken_numbers(text: str, hinted: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, digits as grouped) for every dictated number in ``text`` (``hinted``:
    the caller has seen :func:`might_hold` say yes)."""
    if not hinted and not might_hold(text):
        return []
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer: offsets would move
        lowered = text
    out = []
    pos = 0
    while (m := _RUN.search(lowered, pos)) is not None:
        if m.start() and _RUN_AFTER.match(lowered, m.start() - 1):
            pos = m.start() + 1  # inside a word or a number: a run may start further on
            continue
        digits = heard(text[m.start() : m.end()])
        if digits is not None:
            out.append((m.start(), m.end(), grouped(digits)))
        pos = m.end()
    return out


def heard(run: str) -> str | None:
    """The digits a run of number words and digits says, or None when it is not a
    dictated number: no word and not one digit at a time, or fewer than MIN_DIGITS."""
    pieces = [p.lower() for p in _PIECE.findall(run)]
    words = sum(not p.isdigit() for p in pieces)
    if words == 0 and (any(len(p) > 1 for p in pieces) or len(set(_BETWEEN.findall(run))) > 1):
        # digit groups (a date, an address, a number already written), or single digits
        # apart by mixed separators (version lists '1.0.0 / 1.0.1'): one digit at a time
        # is said with one separator
        return None
    digits: list[str] = []
    i = 0
    while i < len(pieces):
        p = pieces[i]
        if p.isdigit():
            digits.append(p)
        elif p in REPEATS:
            nxt = pieces[i + 1] if i + 1 < len(pieces) else ""
            one = UNITS.get(nxt, nxt if len(nxt) == 1 and nxt.isdigit() else None)
            if one is None:
                return None  # 'double' with nothing to double: prose
            digits.append(one * REPEATS[p])
            i += 1
        elif p in UNITS:
            if i + 1 < len(pieces) and pieces[i + 1] == "hundred":
                digits.append(UNITS[p] + "00")
                i += 1
            else:
                digits.append(UNITS[p])
        elif p in TEENS:
            digits.append(TEENS[p])
        elif p in TENS:
            nxt = pieces[i + 1] if i + 1 < len(pieces) else ""
            if nxt in UNITS and nxt not in ("zero", "oh"):
                digits.append(TENS[p] + UNITS[nxt])
                i += 1
            else:
                digits.append(TENS[p] + "0")
        else:  # 'hundred' alone, 'thousand': an amount, not digits read out
            return None
        i += 1
    number = "".join(digits)
    return number if len(number) >= MIN_DIGITS else None


def grouped(digits: str) -> str:
    """Digits in the grouping people write that many in: an SSN's 3-2-4, a North
    American phone's 3-3-4 (1-3-3-4 with the country code), a card's fours."""
    n = len(digits)
    if n == 9:
        return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
    if n == 10:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if n == 11 and digits[0] == "1":
        return f"{digits[0]}-{digits[1:4]}-{digits[4:7]}-{digits[7:]}"
    if 13 <= n <= 19:
        return "-".join(digits[i : i + 4] for i in range(0, n, 4))
    return digits


# -- dates said in words ---------------------------------------------------------------------

_ORDINAL_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9,
}  # fmt: skip
_ORDINAL_TEENS = {
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)  # fmt: skip
_ORD = (
    r"(?:(?:twenty|thirty)[ -]?)?(?:"
    + "|".join(_ORDINAL_UNITS)
    + r")|"
    + "|".join(sorted(_ORDINAL_TEENS, key=len, reverse=True))
    + r"|\d{1,2}(?:st|nd|rd|th)"
)
_TENS_WORD = "(?:" + "|".join(TENS) + ")"
_UNIT_WORD = "(?:one|two|three|four|five|six|seven|eight|nine)"
_TEEN_WORD = "(?:" + "|".join(sorted(TEENS, key=len, reverse=True)) + ")"
_YEAR_REST = rf"(?:{_TENS_WORD}(?:[ -]{_UNIT_WORD})?|{_TEEN_WORD}|oh[ -]{_UNIT_WORD}|hundred)"
_YEAR = rf"(?:(?:nineteen|eighteen|twenty)[ -]{_YEAR_REST}|two thousand(?:(?: and)? (?:{_YEAR_REST}|{_UNIT_WORD}))?|\d{{4}})"
_MONTH_WORD = "(?:" + "|".join(_MONTH_NAMES) + ")"
_SPOKEN_DATE = re.compile(
    rf"(?i)\b(?:(?:the )?(?P<d1>{_ORD})(?: of)? (?P<m1>{_MONTH_WORD}),? (?P<y1>{_YEAR})"
    rf"|(?P<m2>{_MONTH_WORD}) (?:the )?(?P<d2>{_ORD}),? (?P<y2>{_YEAR}))\b"
)
_DATE_HINT = re.compile(rf"(?i)\b{_MONTH_WORD}\b")


def spoken_dates(text: str, hinted: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, 'D Month YYYY') for every date said in words with its year in words
    (or digits) in ``text`` (``hinted``: as for :func:`spoken_numbers`)."""
    if not (hinted or might_hold(text)) or not _DATE_HINT.search(text):
        return []
    out = []
    for m in _SPOKEN_DATE.finditer(text):
        day = _day(m.group("d1") or m.group("d2"))
        year = _year(m.group("y1") or m.group("y2"))
        if day is None or year is None or not 1 <= day <= 31:
            continue
        month = (m.group("m1") or m.group("m2")).capitalize()
        out.append((m.start(), m.end(), f"{day} {month} {year}"))
    return out


def _day(word: str) -> int | None:
    word = word.lower()
    if word[0].isdigit():
        return int(word[:-2])
    tens = 0
    for prefix, value in (("twenty", 20), ("thirty", 30)):
        if word.startswith(prefix) and word not in _ORDINAL_TEENS:
            tens, word = value, word[len(prefix) :].lstrip(" -")
    value = _ORDINAL_UNITS.get(word) or _ORDINAL_TEENS.get(word)
    return None if value is None else tens + value


def _year(words: str) -> str | None:
    words = words.lower()
    if words.isdigit():
        return words
    parts = words.replace("-", " ").split()
    if parts[:2] == ["two", "thousand"]:
        rest = [p for p in parts[2:] if p != "and"]
        low = _two_digits(rest) if rest else "00"
        return None if low is None else "20" + low
    century = {"nineteen": "19", "eighteen": "18", "twenty": "20"}[parts[0]]
    low = _two_digits(parts[1:])
    return None if low is None else century + low


def _two_digits(parts: list[str]) -> str | None:
    if parts == ["hundred"]:
        return "00"
    if len(parts) == 2 and parts[0] == "oh":
        return "0" + UNITS[parts[1]]
    if len(parts) == 1 and parts[0] in TEENS:
        return TEENS[parts[0]]
    if len(parts) == 1 and parts[0] in UNITS:
        return "0" + UNITS[parts[0]]
    if parts and parts[0] in TENS:
        if len(parts) == 1:
            return TENS[parts[0]] + "0"
        if len(parts) == 2 and parts[1] in UNITS:
            return TENS[parts[0]] + UNITS[parts[1]]
    return None
