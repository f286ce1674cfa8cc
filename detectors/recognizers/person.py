"""Person names as whole column values: shape rules plus a list of known names.

The list is the US Census Bureau's 1990 name frequency files (88,799 surnames, 5,494
first names; a work of the US government, public domain) as shipped inside the PyPI
package ``names`` 0.3.0 (MIT): installed with the project, read from the package's
files on first use, never fetched at run time.

Shapes (any case: Title, UPPER, lower): ``First [Middle|M.] Last [Jr.]``,
``Last, First [M]``, an honorific and a name (``Mr.``, ``Dr``, ``Mrs``, ``Ms``,
``Prof.``, ``Herr``, ``Mme``...), and single-token first names or surnames. Words that
make a value a place, an organisation, a product, a job, a street or a status (``Inc``,
``Street``, ``Manager``, ``Texas``, ``Premium``) rule it out, so do digits and
camel-case. Many surnames are also places or words (Houston, Price, Gold): a single
known token is moderate evidence only, and :func:`known_name_fraction` over a column is
the signal the profiler combines with NER and the column name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from detectors import english
from detectors.recognizers.placenames import NOT_PERSON_WORDS, PLACES, words
from detectors.shortcache import short_lru

_HONORIFICS = words(
    "mr mrs ms miss mx dr prof sir dame lady lord rev fr herr frau hr mme mlle m sr sra srta don dona doña "
    "sig sigra ra dott dottssa avv ing egr arch geom rag dipl univ mag dhr mevr mw drs ir pr me capt col gen lt "
    "sgt"
)
_SUFFIXES = words("jr sr ii iii iv phd md dds esq jnr snr mba ba bsc msc ma llm mphil dphil bed")
_PARTICLES = words("van von de der den del della di da du la le bin binti ibn al el dos das st mc mac ter ten")
_TOKEN = re.compile(r"[A-Za-z\u00C0-\u024F]+(?:['\u2019-][A-Za-z\u00C0-\u024F]+)*\.?")
_SPLIT = re.compile(r"\s+")
_MAX_LEN = 80

#: Only this many of the most frequent surnames count for a single-token value: the
#: rarer ones are mostly ordinary words and places as well.
COMMON_SURNAME_RANK = 20_000


#: A surname that is also an English word ('Read', 'List', 'Pay') is a surname in a value
#: with no other sign of a person ('bill.pay') only when it is this common ('Smith', 'Hill').
TOP_SURNAME_RANK = 1_000


def _read(name: str) -> list[str]:
    text = resources.files("names").joinpath(name).read_text(encoding="ascii")
    return [line.split(None, 1)[0].lower() for line in text.splitlines() if line.strip()]


@lru_cache(maxsize=1)
def _surnames_by_rank() -> tuple[str, ...]:
    """Every surname of the census list, most frequent first (read once)."""
    return tuple(_read("dist.all.last"))


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(first names, all surnames, common surnames); empty when the package is missing."""
    try:
        first = frozenset(_read("dist.male.first") + _read("dist.female.first"))
        last = _surnames_by_rank()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return frozenset(), frozenset(), frozenset()
    return first, frozenset(last), frozenset(last[:COMMON_SURNAME_RANK])


@lru_cache(maxsize=1)
def _top_surnames() -> frozenset[str]:
    try:
        return frozenset(_surnames_by_rank()[:TOP_SURNAME_RANK])
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return frozenset()


def is_top_surname(word: str) -> bool:
    """One of the :data:`TOP_SURNAME_RANK` most frequent surnames (any case)."""
    return _known(word.lower(), _top_surnames())


def _known(word: str, names: frozenset[str]) -> bool:
    """A word is in a list as written, without apostrophes (O'Brien: OBRIEN), or, when
    hyphenated, part by part (Smith-Jones)."""
    if word in names:
        return True
    bare = word.replace("'", "").replace("\u2019", "")
    if bare in names:
        return True
    return "-" in bare and all(part in names for part in bare.split("-") if part)


def known_pair(first_word: str, last_word: str) -> bool:
    """A known first name and a known surname (a cheap test before full scoring)."""
    return is_first_name(first_word) and _known(last_word.lower(), _lists()[1])


@short_lru(maxsize=16_384, longest=64)
def is_honorific(word: str) -> bool:
    """'Dr', 'mrs.', 'Herr': a title before a name, never a name (any case)."""
    return word.lower().rstrip(".") in _HONORIFICS


def is_first_name(word: str) -> bool:
    """A known first name (any case)."""
    return _known(word.lower(), _lists()[0])


@short_lru(maxsize=16_384, longest=64)
def is_common_surname(word: str) -> bool:
    """One of the :data:`COMMON_SURNAME_RANK` most frequent surnames (any case)."""
    return _known(word.lower(), _lists()[2])


def names_available() -> bool:
    return bool(_lists()[0])


def _case_ok(raw: str) -> bool:
    words = raw.split()
    while len(words) > 1 and _titled(words[0], _HONORIFICS):
        words = words[1:]  # "MR Smith", "dr. Jones": the honorific's case says nothing
    raw = " ".join(words)
    letters = _TOKEN.findall(raw)
    if not letters:
        return False
    if raw.upper() == raw or raw.lower() == raw:
        return True
    for w in letters:
        for core in re.split(r"[-'\u2019.]", w):
            if not core or core.lower() in _PARTICLES:
                continue
            if not core[0].isupper():
                return False
            # McDonald, DeVito, MacArthur are fine; iPhone and eBay are not
            if any(ch.isupper() for ch in core[1:]) and not re.match(r"(?:Mc|Mac|De|Di|La|Le|Van|Von)", core):
                return False
    return True


def is_place(text: str) -> bool:
    """A place the lists know ('Paris', 'new york', 'Lagos'), any case."""
    return " ".join(text.lower().replace(".", "").split()) in PLACES


def _titled(word: str, titles: frozenset[str]) -> bool:
    """An honorific or degree as written: Dr., Prof., Dipl.-Ing., Univ.Prof., B.A., Sig.ra"""
    pieces = [p for p in re.split(r"[.\-]", word.lower()) if p]
    if not pieces or len(word) > 14:
        return False
    return all(p in titles for p in pieces) or word.lower().replace(".", "") in titles


def _parts(value: str) -> tuple[list[str], bool, bool] | None:
    """Name words of a value (lower case, honorific/suffix/initials removed), whether it
    had an honorific, whether it was ``Last, First``; None if it is not name-shaped."""
    value = value.strip()
    if not value or len(value) > _MAX_LEN or any(ch.isdigit() for ch in value):
        return None
    if not _case_ok(value):
        return None
    if is_place(value):
        return None
    comma = value.count(",")
    if comma > 1:
        return None
    reordered = False
    if comma == 1:
        left, right = (p.strip() for p in value.split(","))
        right_words = _SPLIT.split(right) if right else []
        if right_words and right_words[-1].lower().rstrip(".") in _SUFFIXES and len(right_words) == 1:
            value = left + " " + right  # "Smith Jr., John" is rare; "John Smith, Jr." is common
        elif not left or not right:
            return None
        elif is_place(left) or is_place(right) or (right.isupper() and len(right) <= 3 and not left.isupper()):
            return None  # "Springfield, Illinois", "Paris, France", "Austin, TX"
        else:
            value = right + " " + left
            reordered = True
    words = [w for w in _SPLIT.split(value) if w]
    if not words or len(words) > 6:
        return None
    out: list[str] = []
    honorific = False
    while len(words) > 1 and _titled(words[0], _HONORIFICS):
        honorific = True
        words = words[1:]
    while len(words) > 1 and _titled(words[-1], _SUFFIXES):
        words = words[:-1]
    for i, w in enumerate(words):
        if not _TOKEN.fullmatch(w):
            return None
        low = w.lower().rstrip(".")
        if len(low) == 1:
            continue  # an initial
        if low in NOT_PERSON_WORDS:
            return None
        if low in _PARTICLES and i < len(words) - 1:
            continue
        out.append(low)
    if not out or len(out) > 4:
        return None
    return out, honorific, reordered


def person_value_score(value: str) -> float | None:
    """Score in [0, 1] that a whole value is a person's name, or None if its shape rules
    it out. 0.9: an honorific and a name, or a known first name and a known surname;
    0.75-0.8: two name words one of which is known; 0.6: a lone known first name;
    0.5: a lone common surname; 0.3: a name shape with no known word (weak)."""
    parsed = _parts(value)
    if parsed is None:
        return None
    words, honorific, reordered = parsed
    first, last, common = _lists()
    if honorific:
        return 0.9
    if len(words) == 1:
        word = words[0]
        if reordered:
            return None
        if _known(word, first):
            return 0.6
        if _known(word, common):
            return 0.5
        return None
    head, tail = words[0], words[-1]
    known_head, known_tail = _known(head, first), _known(tail, last)
    if known_head and known_tail:
        return 0.9
    if _phrase(words, first):
        return 0.3  # 'Credit Line', 'Gold Card': surnames too, but ordinary words and no first name
    if (known_head or known_tail) and all(_known(w, first) or _known(w, last) for w in words):
        return 0.8
    if known_head or known_tail:
        return 0.75 if reordered else 0.6
    return 0.5 if reordered else 0.3


def _phrase(words: list[str], first: frozenset[str]) -> bool:
    """Every word an ordinary English word and none a first name: a phrase ('Credit
    Line', 'Student Saver'), even where each word is also someone's surname. 'Will
    Smith' and 'Rose Hill' start with a first name and stay names."""
    return not any(_known(w, first) for w in words) and all(english.is_english(w) for w in words)


KNOWN = "known"  # a known first name or surname, not an ordinary lower-case word
SHAPED = "shaped"  # written like a name (capitalised), in no list and no English word


@short_lru(maxsize=16_384, longest=64)  # words of free text repeat; bounded, in memory only, never logged
def name_token(value: str) -> str | None:
    """What a one-word value says about a column of people's names: :data:`KNOWN`
    (a first name or common surname that is not a lower-case English word like 'white',
    or a rarer surname that is no English word at all),
    :data:`SHAPED` (capitalised, unknown to the lists and to English: 'Tratnik',
    'Desrosiers'), or None (anything else, including places and several words).

    Over a column's distinct values, a share of known names with most of the rest
    name-shaped is a column of first names or surnames from anywhere; colours, makes,
    statuses and cities are English words or places, or lack the known names."""
    parsed = _parts(value)
    if parsed is None:
        return None
    parts, _honorific, reordered = parsed
    if len(parts) != 1 or reordered:
        return None
    word = parts[0]
    raw = value.strip()
    first, last, common = _lists()
    english_word = english.is_english(word)
    if _known(word, first) or _known(word, common):
        return None if raw.islower() and english_word else KNOWN  # 'Adams', 'King'; not 'white'
    if english_word or raw.islower() or len(word) < 3:
        return None  # rarer surnames that are words too: 'Travel', 'Market'
    return KNOWN if _known(word, last) else SHAPED


def is_known_name(value: str) -> bool:
    """Every name word of the value is a known first name or surname (honorifics,
    initials and suffixes aside): the per-value test behind :func:`known_name_fraction`."""
    parsed = _parts(value)
    if parsed is None:
        return False
    words = parsed[0]
    first, last, common = _lists()
    if len(words) == 1:
        return _known(words[0], first) or _known(words[0], common)
    return all(_known(w, first) or _known(w, last) for w in words) and not _phrase(words, first)


def known_name_fraction(values: Iterable[str]) -> float:
    """Share of the non-empty values that are known first names or surnames (or made of
    them): a column of people's names scores 0.7 to 1.0, columns of cities, products,
    job titles and companies much less (see tests/unit/test_person.py)."""
    total = hits = 0
    for value in values:
        if not value or not value.strip():
            continue
        total += 1
        hits += is_known_name(value)
    return hits / total if total else 0.0
