"""Dates that could be dates of birth, stored as text: a valid calendar date whose age is
0 to 120 years at a reference year.

Formats: ISO ``1966-10-17`` (optionally with a midnight time), numeric day-month-year and
month-day-year with ``/``, ``-`` or ``.`` (``10/17/1966``, ``02-11-1967``, ``17.10.1966``,
``3/29/1982``, spaced ``02 / 29 / 1988``, or spaces alone ``19 12 1972``; both readings
are tried, one valid reading is enough), compact
``19661017``, and month names in English, German, French, Spanish, Italian and Dutch
(``Oct 17, 1966``, ``17 October 1966``, ``17th of October 1966``, ``17. Oktober 1966``,
``17-Oct-1966``). Dates said in words are read as these by the normaliser
(:func:`detectors.spoken.spoken_dates`).

Any date column matches, so a value alone is weak evidence (0.3): the column name (dob,
birth...), words nearby in text (born, birthday) or a spread of ages typical of people
(:func:`birth_distribution_score`) make it a date of birth.

The core reads no clock: ages are measured against ``reference_year``, by default
:data:`REFERENCE_YEAR`; a caller that wants this year passes it in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from detectors.recognizers.base import Recognizer

#: The year ages are measured against when the caller gives none. Raising it by a few
#: years changes nothing but the edges of the 0-120 range.
REFERENCE_YEAR = 2026
MAX_AGE = 120
WEAK_SCORE = 0.3

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan january januar janvier enero ene gennaio gen januari janv",
        "feb february februar février fevrier febrero febbraio februari fév fev févr",
        "mar march märz maerz mars marzo maart mär mrz",
        "apr april avril abril aprile avr",
        "may mai mayo maggio mei mag",
        "jun june juni juin junio giugno giu",
        "jul july juli juillet julio luglio juil lug",
        "aug august août aout agosto augustus ago aoû",
        "sep sept september septembre septiembre settembre set",
        "oct october oktober octobre octubre ottobre okt ott",
        "nov november novembre noviembre",
        "dec december dezember décembre decembre diciembre dicembre dez dic déc",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH = r"(?P<mon>[A-Za-z\u00C0-\u00FF]{3,10})\.?"
_Y = r"(?P<y>(?:1[89]|20)\d{2})"
_MIDNIGHT = r"(?:[ T]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?)?"
# A necessary condition of every shape below, checked once where one could start: a
# digit, or a month name (the whole run of its letters: a dot or a space follows it),
# a dot, a space and a digit. Possessive: no backtracking. Consumes nothing: where it
# fails no shape could match, where it holds they match as without it.
DATE_GATE = r"(?=\d|[A-Za-z\u00C0-\u00FF]{3,10}+\.?\s\d)"
_DATE = re.compile(
    r"(?<![\w/.:-])" + DATE_GATE + r"(?:"
    # ISO year first: 1966-10-17, 1966/10/17, 1966.10.17
    r"(?P<iy>(?:1[89]|20)\d{2})(?P<isep>[-/.])(?P<im>\d{1,2})(?P=isep)(?P<id>\d{1,2})" + _MIDNIGHT + r"|"
    # numeric with the year last: 10/17/1966, 17.10.1966, 02-11-1967
    r"(?P<a>\d{1,2})(?P<sep> ?[-/.] ?| )(?P<b>\d{1,2})(?P=sep)(?P<ny>(?:1[89]|20)\d{2})|"
    # compact 19661017
    r"(?P<cy>(?:19|20)\d{2})(?P<cm>0[1-9]|1[0-2])(?P<cd>0[1-9]|[12]\d|3[01])|"
    # month name first: Oct 17, 1966 / October 17th 1966
    r"(?P<mon1>[A-Za-z\u00C0-\u00FF]{3,10})\.?\s(?P<d1>\d{1,2})(?:st|nd|rd|th)?,?\s(?P<y1>(?:1[89]|20)\d{2})|"
    # day first: 17 October 1966 / 17. Oktober 1966 / 17-Oct-1966 / 17 de octubre de 1966
    r"(?P<d2>\d{1,2})(?:st|nd|rd|th|\.)?(?:\s(?:de\s|of\s)?|-)(?P<mon2>[A-Za-z\u00C0-\u00FF]{3,10})\.?(?:\s(?:de\s)?|-|,\s)"
    r"(?P<y2>(?:1[89]|20)\d{2})"
    r")(?![\w/:-]|\.\d)"
)


def _valid(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(match: re.Match[str]) -> dt.date | None:
    """The calendar date a match of the date pattern stands for, or None if it is not
    one (no 31 April, no 29 February outside leap years, no month 13)."""
    g = match.groupdict()
    if g["iy"]:
        return _valid(int(g["iy"]), int(g["im"]), int(g["id"]))
    if g["ny"]:
        a, b, year = int(g["a"]), int(g["b"]), int(g["ny"])
        # month-day (US) or day-month (most of the world): either valid reading will do
        return _valid(year, a, b) or _valid(year, b, a)
    if g["cy"]:
        return _valid(int(g["cy"]), int(g["cm"]), int(g["cd"]))
    if g["mon1"]:
        month = _MONTHS.get(g["mon1"].lower())
        return _valid(int(g["y1"]), month, int(g["d1"])) if month else None
    month = _MONTHS.get(g["mon2"].lower())
    return _valid(int(g["y2"]), month, int(g["d2"])) if month else None


# 12.03.85, 3/12/85 (dotted, two digits a part: 1.2.33 is a version)
_SHORT_YEAR = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{2})|(\d{2})(\.)(\d{2})\.(\d{2})")


def is_date(value: str) -> bool:
    """A whole value that is a calendar date in one of the shapes people write dates in
    (the date pattern's, or day and month with a two-digit year)."""
    text = value.strip()
    m = _DATE.fullmatch(text)
    if m is not None:
        return parse_date(m) is not None
    short = _SHORT_YEAR.fullmatch(text)
    if short is None:
        return False
    a, b, yy = (short[1], short[3], short[4]) if short[1] else (short[5], short[7], short[8])
    a, b, year = int(a), int(b), 1900 + int(yy)
    return _valid(year, a, b) is not None or _valid(year, b, a) is not None


def age_at(date: dt.date, reference_year: int = REFERENCE_YEAR) -> int:
    return reference_year - date.year


class DateOfBirthRecognizer(Recognizer):
    entity = "DATE_OF_BIRTH"
    name = "date_of_birth"
    needs_digit = True
    context = (
        "born",
        "birth",
        "dob",
        "d.o.b",
        "birthday",
        "geboren",
        "geb.",
        "geburtsdatum",
        "née le",
        "né le",
        "nacido",
        "nacida",
        "nato il",
        "nata il",
        "fecha de nacimiento",
        "date de naissance",
        "data di nascita",
        "data de nascimento",
        "geboortedatum",
        "födelsedatum",
        "fødselsdato",
        "syntymäaika",
    )
    pattern = _DATE

    def __init__(self, reference_year: int = REFERENCE_YEAR) -> None:
        self.reference_year = reference_year

    def validate(self, match: re.Match[str]) -> float | None:
        date = parse_date(match)
        if date is None or not 0 <= age_at(date, self.reference_year) <= MAX_AGE:
            return None
        return WEAK_SCORE

    def birth_year(self, value: str) -> int | None:
        """The year of a whole value that is a plausible date of birth, else None: what a
        column profile may count (by decade) for :func:`birth_distribution_score`."""
        m = self.pattern.fullmatch(value.strip())
        if m is None or self.validate(m) is None:
            return None
        date = parse_date(m)
        return None if date is None else date.year


def birth_distribution_score(year_counts: Mapping[int, int], reference_year: int = REFERENCE_YEAR) -> float:
    """How much a column's dates look like dates of birth rather than event dates, in
    [0, 1], from counts of values per year (or per decade start: 1960, 1970...).

    People's ages spread over decades and few are under 16; order, payment and login
    dates crowd into the last few years. The score is the share of dates with an age of
    16 to 100, scaled down when the dates span fewer than three decades. A bounded
    mapping (one key per decade) is enough.
    """
    total = sum(year_counts.values())
    if total <= 0:
        return 0.0
    adult = sum(n for year, n in year_counts.items() if 16 <= reference_year - year <= 100)
    decades = {year // 10 for year, n in year_counts.items() if n > 0 and 0 <= reference_year - year <= MAX_AGE}
    spread = min(1.0, len(decades) / 3)
    return round(adult / total * spread, 3)
