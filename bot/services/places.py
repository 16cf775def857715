"""Where things are: postcode districts to coordinates, and places to People Zones."""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.config import Zone
from db.text import normalise_postcode, postcode_district


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@lru_cache(maxsize=1)
def district_points() -> dict[str, Point]:
    """LLR postcode district centroids (ONS NSPL, OGL v3), loaded once."""
    import db

    path = Path(db.__file__).with_name("data") / "postcode_districts.csv"
    with path.open(encoding="utf-8") as handle:
        return {
            row["district"]: Point(float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
        }


def district_point(postcode_or_district: str) -> Point | None:
    return district_points().get(postcode_district(postcode_or_district))


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance; plenty accurate at neighbourhood scale."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


_POSTCODE_IN_TEXT = re.compile(r"\b([A-Za-z]{1,2}\d[A-Za-z\d]?)(?:\s*(\d[A-Za-z]{2}))?\b")


def find_postcode(text: str) -> str:
    """The first LLR postcode or district mentioned in free text ('food banks in le4' -> 'LE4')."""
    for match in _POSTCODE_IN_TEXT.finditer(text):
        candidate = normalise_postcode("".join(g for g in match.groups() if g))
        if candidate and postcode_district(candidate) in district_points():
            return candidate
    return ""


class ZoneMap:
    """Resolves a town or postcode to the People Zone that covers it."""

    def __init__(self, zones: tuple[Zone, ...]) -> None:
        self._by_district: dict[str, str] = {}
        self._by_place: dict[str, str] = {}
        self._districts_of: dict[str, tuple[str, ...]] = {}
        for zone in zones:
            self._districts_of[zone.name] = zone.postcode_districts
            for district in zone.postcode_districts:
                self._by_district.setdefault(district.upper(), zone.name)
            for place in zone.places:
                self._by_place.setdefault(place.lower(), zone.name)

    def zone_for(self, town: str = "", postcode: str = "") -> str:
        if town and (zone := self._by_place.get(town.strip().lower())):
            return zone
        return self._by_district.get(postcode_district(postcode), "")

    def place_districts(self) -> dict[str, tuple[str, ...]]:
        """Each configured place name -> the postcode districts of its zone."""
        return {place: self._districts_of[zone] for place, zone in self._by_place.items()}

    def zone_districts(self) -> dict[str, tuple[str, ...]]:
        return dict(self._districts_of)
