"""Dates that could be dates of birth: a plausible calendar date in the last 120 years.
Any date column matches, so on its own this is weak evidence: the column name (dob,
birth...) or words nearby (born, birthday) make it a date of birth."""

from __future__ import annotations

import datetime as dt
import re

from detectors.recognizers.base import Recognizer


class DateOfBirthRecognizer(Recognizer):
    entity = "DATE_OF_BIRTH"
    name = "date_of_birth"
    context = ("born", "birth", "dob", "d.o.b", "birthday")
    pattern = re.compile(
        r"(?<![\w/.-])(?:(?P<y1>(?:19|20)\d{2})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})"
        r"|(?P<d2>\d{1,2})[./](?P<m2>\d{1,2})[./](?P<y2>(?:19|20)\d{2}))(?![\w/-])"
    )

    def validate(self, match: re.Match[str]) -> float | None:
        g = match.groupdict()
        year, month, day = (g["y1"], g["m1"], g["d1"]) if g["y1"] else (g["y2"], g["m2"], g["d2"])
        try:
            date = dt.date(int(year), int(month), int(day))
        except ValueError:
            return None
        today = dt.date.today()
        if not today.year - 120 <= date.year <= today.year:
            return None
        return 0.3
