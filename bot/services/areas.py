"""Turning what a resident types or shares into an area: a postcode, a town, a zone or a pin."""

from __future__ import annotations

from bot.matching.engine import SearchEngine
from bot.matching.text import fold, words
from bot.services.places import Point, ZoneMap, district_point, find_postcode
from bot.services.residents import Area, nearest_district
from db.text import postcode_district


def area_from_text(text: str, zones: ZoneMap, engine: SearchEngine) -> Area | None:
    """'LE4', 'le1 6aa', 'Oakham', 'Rutland' -> an Area; None when it is nowhere we know."""
    if postcode := find_postcode(text):
        district = postcode_district(postcode)
        return Area(district, district, zones.zone_for(postcode=district), district_point(district))
    name = " ".join(words(text))
    for zone_name, districts in zones.zone_districts().items():
        if fold(zone_name) == name and districts:
            return Area(zone_name, districts[0], zone_name, district_point(districts[0]))
    point = engine.reader.places.get(name)
    if point is not None:
        district = nearest_district(point)
        return Area(
            text.strip().title(), district, zones.zone_for(town=text.strip(), postcode=district), point
        )
    return None


def area_from_location(latitude: float, longitude: float, zones: ZoneMap) -> Area:
    point = Point(latitude, longitude)
    district = nearest_district(point)
    return Area(district, district, zones.zone_for(postcode=district), district_point(district))
