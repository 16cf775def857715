"""The postcode-district table: where each district used in LLR is, and its attribution text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from db.reference.common import format_coordinate, read_rows
from db.text import normalise_postcode, postcode_district

POSTCODE_COLUMNS = ("district", "latitude", "longitude", "postcodes")

# Outcodes for PO boxes and bulk mail: no neighbourhood to resolve to (see the data README).
NON_GEOGRAPHIC = frozenset({"LE87", "LE94", "LE95"})
# Every LE6 address in the LLR files is in sector LE6 0 (Groby, Ratby). The NSPL also carries
# LE6 1-7: old postcodes lying in Coalville and Ashby (LE67 and LE65 today), kept with their
# coordinates; averaged in, they put "LE6" 9 km from Groby. Such districts are averaged over
# their live sectors from the full postcode files instead.
LIVE_SECTORS: dict[str, tuple[str, ...]] = {"LE6": ("0",)}
POSTCODE_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0; "
    "Contains OS data © Crown copyright and database right 2025; "
    "Contains Royal Mail data © Royal Mail copyright and database right 2025."
)


def district_sort_key(district: str) -> tuple[str, int, str]:
    """LE2 before LE10: area letters, then the number."""
    match = re.match(r"^([A-Z]+)(\d+)(.*)$", district)
    return (match.group(1), int(match.group(2)), match.group(3)) if match else (district, 0, "")


def llr_districts(llr: Path, centroids: dict[str, dict[str, str]], extra: Iterable[str] = ()) -> set[str]:
    """Every LE district, PE9, and any other outcode an LLR file's postcodes use (DE74, NG13...)."""
    wanted = {d for d in centroids if re.match(r"^LE\d+$", d)} | {"PE9"}
    for name, column in (
        ("libraries.csv", "Postcode"),
        ("gp_practices.csv", "postcode"),
        ("foodbanks.csv", "postcode"),
    ):
        wanted |= {postcode_district(r.get(column, "")) for r in read_rows(llr / name)}
    wanted |= {postcode_district(p) for p in extra}
    wanted.discard("")
    missing = sorted(wanted - set(centroids))
    if missing:
        raise ValueError(f"no centroid for postcode district(s): {', '.join(missing)}")
    return wanted - NON_GEOGRAPHIC


def read_postcodes(llr: Path) -> dict[str, tuple[float, float]]:
    """Full postcode -> (lat, lon) from the LE and PE9 files; rows without a position are skipped.

    The LE file writes 'LE1 1AA' but also 'LE100AA' (no space): both become 'LE10 0AA'.
    """
    found: dict[str, tuple[float, float]] = {}
    for name in ("postcodes_LE.csv", "postcodes_PE9.csv"):
        for row in read_rows(llr / name):
            postcode = normalise_postcode(row.get("Postcode"))
            lat, lon = format_coordinate(row.get("lat", "")), format_coordinate(row.get("long", ""))
            if " " in postcode and lat and lon:
                found[postcode] = (float(lat), float(lon))
    return found


def _sector_centroid(
    postcodes: dict[str, tuple[float, float]], district: str, sectors: Sequence[str]
) -> dict[str, str]:
    points = [
        position
        for postcode, position in postcodes.items()
        if postcode.split(" ")[0] == district and postcode.split(" ")[1][0] in sectors
    ]
    if not points:
        raise ValueError(f"no postcodes in {district} sectors {', '.join(sectors)}")
    return {
        "latitude": str(sum(p[0] for p in points) / len(points)),
        "longitude": str(sum(p[1] for p in points) / len(points)),
        "n_postcodes": str(len(points)),
    }


def postcode_district_rows(llr: Path, extra_postcodes: Iterable[str] = ()) -> list[dict[str, str]]:
    """The mean position of each LLR postcode district, from the ONS-derived centroid table."""
    centroids = {r["outcode"].upper(): r for r in read_rows(llr / "uk_outcode_centroids.csv")}
    wanted = llr_districts(llr, centroids, extra_postcodes)
    if wanted & set(LIVE_SECTORS):
        postcodes = read_postcodes(llr)
        for district in wanted & set(LIVE_SECTORS):
            centroids[district] = _sector_centroid(postcodes, district, LIVE_SECTORS[district])
    rows = []
    for district in sorted(wanted, key=district_sort_key):
        source = centroids[district]
        rows.append(
            {
                "district": district,
                "latitude": format_coordinate(source["latitude"]),
                "longitude": format_coordinate(source["longitude"]),
                "postcodes": str(int(source["n_postcodes"])),
            }
        )
    return rows


def attribution_text() -> str:
    return (
        "postcode_districts.csv: the mean latitude and longitude of all postcodes (including\n"
        "closed ones) in each postcode district used in Leicester, Leicestershire and Rutland,\n"
        "and how many postcodes that is. Derived by db/reference from a table of outcode\n"
        "centroids computed from the ONS National Statistics Postcode Lookup (NSPL), May 2025.\n"
        f"Non-geographic districts are left out: {', '.join(sorted(NON_GEOGRAPHIC))}.\n"
        "LE6 is averaged over sector LE6 0 only, from the full postcode list (same source): its\n"
        "other sectors are old Coalville and Ashby postcodes, now LE67 and LE65.\n"
        "\n"
        f"{POSTCODE_ATTRIBUTION}\n"
    )
