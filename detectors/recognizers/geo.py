"""A position written as one value: a latitude and longitude pair (``52.520008,
13.404954``, ``geo:52.520008,13.404954``) or a WKT point (``POINT(13.404954
52.520008)``). Each coordinate needs four decimals (about eleven metres: a building,
not a region) and its range; the pair needs a comma or semicolon between them unless a
``geo:`` or ``POINT`` says what it is, so two measures side by side are not a place."""

from __future__ import annotations

import re

from detectors.recognizers.base import Recognizer

_COORD = r"[-+]?\d{1,3}\.\d{4,12}"


class GeoPointRecognizer(Recognizer):
    entity = "LOCATION"
    name = "geo_point"
    needs_digit = True
    context = ("lat", "lon", "lng", "gps", "location", "position", "coordinates")
    pattern = re.compile(
        rf"(?<![\w.-])(?:(?:geo:)?(?P<lat>{_COORD})\s?[,;]\s?(?P<lon>{_COORD})"
        rf"|(?i:point)\s?\(\s?(?P<wlon>{_COORD})\s(?P<wlat>{_COORD})\s?\))(?![\w-]|\.\d)",
    )

    def validate(self, match: re.Match[str]) -> float | None:
        lat = match.group("lat") or match.group("wlat")
        lon = match.group("lon") or match.group("wlon")
        if abs(float(lat)) > 90 or abs(float(lon)) > 180:
            return None
        if any(set(part.split(".")[1]) == {"0"} for part in (lat, lon)):
            return None  # 1.0000, 0.0000: a formatted round number (null island), not a fix
        return 0.75
