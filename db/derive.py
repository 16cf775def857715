"""Regenerate the small reference tables the product ships, from the shared data beside the project.

`../shared/data` is on developer machines and in CI but not on a user's machine, so the bot reads
compact tables committed under `db/data/` instead. This module is how those tables are made:

    python -m db.derive --shared ../shared/data --out db/data

It writes `postcode_districts.csv` (+ its attribution), and `demo_directory.csv`: real LLR
libraries, GP practices and food banks (facts only), followed by the hand-written invented rows
of `demo_examples.csv`. Output is deterministic: running it twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from db.hours import DAYS, HoursError, day_code, format_hours, normalise_time, parse_hours
from db.models.directory import ACCESS_MODES, ASSET_KINDS, ASSET_STATUSES
from db.text import clean_text, normalise_postcode, postcode_district

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

COLUMNS = (
    "source", "external_id", "kind", "name", "organisation", "organisation_id", "description",
    "categories", "keywords", "audiences", "min_age", "max_age", "eligibility", "cost", "access",
    "address", "town", "postcode", "latitude", "longitude", "zone", "phone", "email", "website",
    "opening_hours", "holiday_closures", "languages", "accessibility", "status", "last_verified",
    "attribution", "is_example",
)  # fmt: skip
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

DEMO_SOURCE = "demo"
EXAMPLE_SOURCE = "demo-examples"
EXAMPLE_ATTRIBUTION = "Invented example for the demo — not a real service"
LIBRARY_ATTRIBUTION = "LibrariesHacked library data (CC0)"
GP_ATTRIBUTION = "NHS ODS epraccur, Open Government Licence v3.0"
FOODBANK_ATTRIBUTION = "Give Food (givefood.org.uk)"

# Not somewhere a resident can walk in or register: the Special Allocation Scheme takes patients
# by NHS referral only and its address is a PO box.
EXCLUDED_GP_CODES = frozenset({"Y03584"})

# Ofcom's numbers reserved for drama: safe to print because they can never ring anyone.
_RESERVED_PHONE = re.compile(r"^(?:01164960[0-9]{3}|01632960[0-9]{3})$")
_RESERVED_PHONE_FORM = re.compile(r"^(?:0116 496 0\d{3}|01632 960\d{3})$")
_EXAMPLE_WEB = re.compile(r"^https://example\.org(?:/[\w\-./]*)?$")
_EXAMPLE_EMAIL = re.compile(r"^[\w.+\-]+@example\.org$")

_REGIONS = frozenset(
    {
        "leicestershire", "rutland", "derbyshire", "lincolnshire", "nottinghamshire",
        "northamptonshire", "warwickshire", "east midlands", "england", "uk", "united kingdom",
    }
)  # fmt: skip
# Words that make an address line a street or a building rather than a village or suburb.
_NOT_PLACE_WORDS = frozenset(
    {
        "road", "rd", "street", "st", "lane", "ln", "avenue", "ave", "drive", "dr", "close", "way", "walk",
        "court", "gate", "place", "pl", "crescent", "square", "sq", "row", "terrace", "parade", "grove",
        "rise", "mews", "hill", "centre", "center", "ctr", "ctre", "house", "hse", "surgery", "church",
        "hall", "school", "library", "practice", "prac", "pract", "building", "office", "services", "unit",
        "sands", "nook", "banks", "stackyard", "box", "allocation",
    }
)  # fmt: skip
_NEAR = re.compile(r"^(?:nr\b\.?|near\b)", re.IGNORECASE)
_NOTE_DAYS = {"m": "mon", "w": "wed", "f": "fri"}  # the rest ('tu', 'th', 'wed' ...) are day_code's
_WEEKDAY_COLUMNS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- reading and writing -------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, str]]:
    """Every row as cleaned strings: the shared files are untrusted (stray spaces, BOMs, NBSPs)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {clean_text(k): clean_text(v) for k, v in row.items() if k is not None}
            for row in csv.DictReader(handle)
        ]


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> None:
    """UTF-8, `\\n` endings, minimal quoting: the same input always gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=list(columns), lineterminator="\n", quoting=csv.QUOTE_MINIMAL
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


# --- small cleaners --------------------------------------------------------------------------


def slugify(text: str) -> str:
    """'St. Matthews Library & Centre' -> 'st-matthews-library-centre': stable ids from names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")


def format_phone(text: str) -> str:
    """'01162793308' -> '0116 279 3308': UK numbers spaced the way people read them aloud."""
    digits = re.sub(r"\D", "", text or "")
    if digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    if len(digits) != 11 or not digits.startswith("0"):
        return clean_text(text)
    if digits.startswith("02"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if re.match(r"^01\d1|^011", digits) or digits[1] in "3589":
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return f"{digits[:5]} {digits[5:]}"


def format_coordinate(value: str) -> str:
    """Five decimal places (about a metre); blank when the source has no usable number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return f"{number:.5f}" if number == number else ""


def _is_locality(part: str) -> bool:
    """'Enderby' or 'Eyres Monsell' (a place), not '23 Kingsway' or 'Hinckley Health Centre'."""
    words = re.findall(r"[a-z]+", part.lower())
    return bool(words) and not re.search(r"\d", part) and not set(words) & _NOT_PLACE_WORDS


def split_address(lines: Iterable[str], postcode: str = "") -> tuple[str, str]:
    """Address lines -> (street address, town), dropping counties, 'Nr X' and the postcode.

    The town is the last line, or the village or suburb just before it when there is one:
    'Whitwick Road, Coalville, Leicester' is in Coalville, whatever the post town says.
    """
    parts: list[str] = []
    for line in lines:
        for part in (line or "").split(","):
            part = re.sub(r"(\w)&\s", r"\1 & ", clean_text(part))
            if not part or part.lower() in _REGIONS or _NEAR.match(part):
                continue
            if postcode and normalise_postcode(part) == postcode:
                continue
            parts.append(part)
    if not parts:
        return "", ""
    if len(parts) >= 3 and _is_locality(parts[-2]):
        return ", ".join(parts[:-2]), parts[-2]
    return ", ".join(parts[:-1]), parts[-1]


def join_list(values: Iterable[str]) -> str:
    return "; ".join(v for v in values if v)


# --- libraries -------------------------------------------------------------------------------


def _note_days(spec: str) -> list[str]:
    days: list[str] = []
    for part in re.split(r"&|,|\band\b", spec):
        part = part.strip()
        if not part:
            continue
        ends = [_NOTE_DAYS.get(p.strip().lower()) or day_code(p) for p in part.split("-", 1)]
        i, j = DAYS.index(ends[0]), DAYS.index(ends[-1])
        days.extend(DAYS[i : j + 1])
    return days


def closures_from_note(note: str) -> list[tuple[str, str, str]]:
    """Lunch-time closures written in a library's notes, as (day, from, to).

    Two spellings occur: `Hours closed: M&Tu 10:00-13:00 and 15:00-18:00; F 12:00-14:00`
    (Leicestershire) and `Closed 12.00 - 2.00 Wed & Fri` (Rutland, a 12-hour clock).
    """
    closures: list[tuple[str, str, str]] = []
    if match := re.search(r"Hours closed:\s*(.+)$", note):
        for clause in match.group(1).split(";"):
            parts = re.match(r"^\s*([A-Za-z&\-,\s]+?)\s*(\d.*)$", clause)
            if not parts:
                raise HoursError(f"'{clause.strip()}' is not a closure like 'W 12:00-14:00'")
            days = _note_days(parts.group(1))
            for span in re.split(r"\band\b|,", parts.group(2)):
                start, end = (normalise_time(t) for t in span.split("-", 1))
                closures.extend((day, start, end) for day in days)
    elif match := re.search(r"Closed\s+(\d{1,2}[.:]\d{2})\s*-\s*(\d{1,2}[.:]\d{2})\s+(.+)$", note):
        start, end = normalise_time(match.group(1)), normalise_time(match.group(2))
        if end <= start:  # '12.00 - 2.00' means until 14:00
            end = f"{int(end[:2]) + 12:02d}{end[2:]}"
        closures.extend((day, start, end) for day in _note_days(match.group(3)))
    return closures


def subtract_closures(
    sessions: list[dict[str, str]], closures: Iterable[tuple[str, str, str]]
) -> list[dict[str, str]]:
    """Cut closed periods out of the opening sessions ('10:00-17:00' less 12-14 -> two sessions)."""
    for day, start, end in closures:
        kept: list[dict[str, str]] = []
        for s in sessions:
            if s["day"] != day or s["closes"] <= start or s["opens"] >= end:
                kept.append(s)
                continue
            if s["opens"] < start:
                kept.append({"day": day, "opens": s["opens"], "closes": start})
            if end < s["closes"]:
                kept.append({"day": day, "opens": end, "closes": s["closes"]})
        sessions = kept
    return sessions


def library_hours(row: dict[str, str]) -> str:
    """The staffed hours per weekday, less any closures in the notes, in the readable form."""
    sessions: list[dict[str, str]] = []
    for day, column in zip(DAYS, _WEEKDAY_COLUMNS, strict=True):
        cell = row.get(f"{column} staffed hours", "")
        if cell:
            sessions.extend(parse_hours(f"{day} {cell}"))
    try:
        sessions = subtract_closures(sessions, closures_from_note(row.get("Notes", "")))
    except (HoursError, ValueError) as exc:
        print(f"warning: {row.get('Library name')}: closures not applied: {exc}", file=sys.stderr)
    return format_hours(sessions)


def library_name(row: dict[str, str]) -> str:
    """County rows are bare place names ('Anstey'): say what they are, in the town's own spelling."""
    name = row["Library name"]
    for field in ("Address 2", "Address 1"):
        if row.get(field, "").lower() == name.lower():
            name = row[field]
    return name if "library" in name.lower() else f"{name} Library"


def library_description(row: dict[str, str]) -> str:
    authority = row["Local authority"]
    if row.get("Type of library", "").upper().startswith("CRL"):
        return f"Community-run library in the {authority} library network."
    return f"Public library run by {authority}."


def library_rows(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Open libraries only (a 'Year closed' means it has gone)."""
    out: list[dict[str, str]] = []
    for row in rows:
        if row.get("Year closed") or not row.get("Library name"):
            continue
        postcode = normalise_postcode(row.get("Postcode"))
        address, town = split_address(
            [row.get("Address 1", ""), row.get("Address 2", ""), row.get("Address 3", "")],
            postcode,
        )
        if "library" not in row["Library name"].lower():
            # County libraries are named after their village; the post town is often elsewhere
            # ('Market Bosworth', post town Nuneaton).
            town = library_name(row).removesuffix(" Library")
        name = library_name(row)
        authority = row["Local authority"]
        out.append(
            {
                "external_id": "library:" + slugify(name).removesuffix("-library"),
                "kind": "place",
                "name": name,
                "organisation": authority,
                "organisation_id": slugify(authority),
                "description": library_description(row),
                "categories": "Libraries",
                "keywords": join_list(["library", "books", "reading"]),
                "address": address,
                "town": town,
                "postcode": postcode,
                "latitude": format_coordinate(row.get("latitude", "")),
                "longitude": format_coordinate(row.get("longitude", "")),
                "email": row.get("Email address", "").lower(),
                "website": row.get("URL", ""),
                "opening_hours": library_hours(row),
                "attribution": LIBRARY_ATTRIBUTION,
            }
        )
    return out


# --- GP practices ----------------------------------------------------------------------------

_ODS_NAME_FIXES = (
    (re.compile(r"'S\b"), "'s"),  # "Dr Nw Osborne'S Practice"
    (re.compile(r"\bMed\.?\s*Ct(?:re|r)\b\.?"), "Medical Centre"),
    (re.compile(r"\bMed(?:ical)?\.?\s*Pract?\b\.?"), "Medical Practice"),
    (re.compile(r"\bMed\.?\s+(Practice|Centre)\b"), r"Medical \1"),
    (re.compile(r"\b(Medical|Health)\s+Ct(?:re|r)\b\.?"), r"\1 Centre"),
    (re.compile(r"\bHlth\b"), "Health"),
    (re.compile(r"\bAnd\b"), "and"),
    (re.compile(r"\bDe La\b"), "de la"),
    (re.compile(r"-Upon-"), "-upon-"),
    (re.compile(r"\bGp\b"), "GP"),
    (re.compile(r"\bLlr\b"), "LLR"),
    (re.compile(r"(\S)\("), r"\1 ("),
)
_ODS_INITIALS = re.compile(r"(\bDr |\()([A-Z][a-z]{1,2})(?= [A-Z][a-z])")


def tidy_ods_name(name: str) -> str:
    """ODS title-cases its upper-case names badly: put back GP, initials and apostrophes.

    Also spells out its 35-character abbreviations ('Med.Pract.'), which read badly aloud.
    """
    for pattern, replacement in _ODS_NAME_FIXES:
        name = pattern.sub(replacement, name)
    # ODS keeps partners' initials only ("Dr Nw Osborne", "(Id Patchett)"): restore capitals.
    return clean_text(_ODS_INITIALS.sub(lambda m: m.group(1) + m.group(2).upper(), name))


def gp_rows(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for row in rows:
        code = row.get("ods_code", "").upper()
        if not code or code in EXCLUDED_GP_CODES or not row.get("name"):
            continue
        postcode = normalise_postcode(row.get("postcode"))
        lines = [tidy_ods_name(row.get(f"address_{i}", "")) for i in range(1, 6)]
        address, town = split_address(lines, postcode)
        name = tidy_ods_name(row["name"])
        out.append(
            {
                "external_id": f"gp:{code.lower()}",
                "kind": "service",
                "name": name,
                "organisation": name,
                "organisation_id": f"ods-{code.lower()}",
                "description": "NHS GP practice.",
                "categories": "GP practices",
                "keywords": join_list(["doctor", "GP", "surgery", "health"]),
                "address": address,
                "town": town,
                "postcode": postcode,
                "latitude": format_coordinate(row.get("latitude", "")),
                "longitude": format_coordinate(row.get("longitude", "")),
                "phone": format_phone(row.get("phone", "")),
                "attribution": GP_ATTRIBUTION,
            }
        )
    return out


# --- food banks ------------------------------------------------------------------------------


def foodbank_names(row: dict[str, str]) -> tuple[str, str]:
    """(asset name, organisation): Give Food lists Trussell Trust food banks by place only."""
    name = row["name"]
    if row.get("network", "").lower() == "trussell trust":
        organisation = name if "foodbank" in name.lower() else f"{name} Foodbank"
        return organisation, organisation
    return (name if "food" in name.lower() else f"{name} food bank"), name


def foodbank_description(row: dict[str, str]) -> str:
    network = row.get("network", "")
    if network.lower() == "independent" or not network:
        text = "Independent food bank."
    elif network.upper() == "IFAN":
        text = "Food bank (Independent Food Aid Network)."
    else:
        text = f"Food bank ({network} network)."
    if row.get("charity_number"):
        text += f" Registered charity {row['charity_number']}."
    return text


def foodbank_rows(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Food banks inside LLR that are still open (the file also holds neighbours)."""
    out: list[dict[str, str]] = []
    for row in rows:
        if row.get("in_llr", "").lower() != "yes":
            continue
        if row.get("closed", "").lower() not in ("", "false", "no", "0"):
            continue
        postcode = normalise_postcode(row.get("postcode"))
        address, town = split_address([row.get("address", "")], postcode)
        name, organisation = foodbank_names(row)
        out.append(
            {
                "external_id": "foodbank:" + (row.get("slug") or slugify(row["name"])),
                "kind": "service",
                "name": name,
                "organisation": organisation,
                "organisation_id": slugify(organisation),
                "description": foodbank_description(row),
                "categories": "Food banks",
                "keywords": join_list(["food bank", "food parcels", "emergency food"]),
                "address": address,
                "town": town,
                "postcode": postcode,
                "latitude": format_coordinate(row.get("latitude", "")),
                "longitude": format_coordinate(row.get("longitude", "")),
                "phone": format_phone(row.get("phone", "")),
                "email": row.get("email", "").lower(),
                "website": row.get("url", ""),
                "attribution": FOODBANK_ATTRIBUTION,
            }
        )
    return out


# --- the demo directory ----------------------------------------------------------------------


def real_rows(llr: Path) -> list[dict[str, str]]:
    """Libraries, GP practices and food banks as directory rows, sorted by kind then name."""
    rows = [
        *library_rows(read_rows(llr / "libraries.csv")),
        *gp_rows(read_rows(llr / "gp_practices.csv")),
        *foodbank_rows(read_rows(llr / "foodbanks.csv")),
    ]
    complete = [
        {c: row.get(c, "") for c in COLUMNS} | {"source": DEMO_SOURCE, "status": "active", "is_example": "no"}
        for row in rows
    ]
    seen: set[str] = set()
    for row in complete:
        if row["external_id"] in seen:
            raise ValueError(f"two real rows share the id {row['external_id']}")
        seen.add(row["external_id"])
    return sorted(complete, key=lambda r: (r["kind"], r["name"].casefold(), r["external_id"]))


def read_examples(path: Path) -> list[dict[str, str]]:
    """The hand-written invented rows, exactly as written (the header must match COLUMNS)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path.name}: the header must be exactly {','.join(COLUMNS)}")
        return [{c: row[c] or "" for c in COLUMNS} for row in reader]


def row_problems(row: dict[str, str], districts: set[str]) -> list[str]:
    """What is wrong with one directory row, for any source."""
    found: list[str] = []
    if row["kind"] not in ASSET_KINDS:
        found.append(f"kind '{row['kind']}'")
    if row["status"] not in ASSET_STATUSES:
        found.append(f"status '{row['status']}'")
    for mode in filter(None, row["access"].split("; ")):
        if mode not in ACCESS_MODES:
            found.append(f"access '{mode}'")
    if row["opening_hours"]:
        try:
            canonical = format_hours(parse_hours(row["opening_hours"]))
        except HoursError as exc:
            found.append(str(exc))
        else:
            if canonical != row["opening_hours"]:
                found.append(f"hours not canonical: write '{canonical}'")
    district = postcode_district(row["postcode"])
    if row["postcode"] and district not in districts:
        found.append(f"postcode district '{district}' is not in the district table")
    if bool(row["latitude"]) != bool(row["longitude"]):
        found.append("give both latitude and longitude, or neither")
    if row["is_example"] not in ("yes", "no"):
        found.append("is_example must be yes or no")
    return found


def example_problems(row: dict[str, str]) -> list[str]:
    """An invented row must be impossible to mistake for, or reach, a real service."""
    found: list[str] = []
    if row["is_example"] != "yes" or row["source"] != EXAMPLE_SOURCE:
        found.append(f"is_example must be yes and source {EXAMPLE_SOURCE}")
    if row["attribution"] != EXAMPLE_ATTRIBUTION:
        found.append("attribution must say it is an invented example")
    if row["phone"] and not (
        _RESERVED_PHONE_FORM.match(row["phone"]) and _RESERVED_PHONE.match(row["phone"].replace(" ", ""))
    ):
        found.append(f"phone {row['phone']} is not in Ofcom's drama ranges")
    if row["website"] and not _EXAMPLE_WEB.match(row["website"]):
        found.append(f"website {row['website']} is not on example.org")
    if row["email"] and not _EXAMPLE_EMAIL.match(row["email"]):
        found.append(f"email {row['email']} is not @example.org")
    return found


def demo_directory_rows(llr: Path, examples: Path, districts: set[str]) -> list[dict[str, str]]:
    """Real rows first, then the invented examples; refuses rows that break the rules."""
    rows = real_rows(llr)
    example_rows = read_examples(examples)
    errors = []
    for row in [*rows, *example_rows]:
        problems = row_problems(row, districts)
        if row["source"] == EXAMPLE_SOURCE or row["is_example"] == "yes":
            problems += example_problems(row)
        errors += [f"{row['source']}:{row['external_id']}: {p}" for p in problems]
    keys = [(r["source"], r["external_id"]) for r in [*rows, *example_rows]]
    errors += [f"{s}:{e}: duplicate id" for s, e in sorted(set(keys)) if keys.count((s, e)) > 1]
    if errors:
        raise ValueError("the demo directory has problems:\n  " + "\n  ".join(errors))
    return rows + example_rows


# --- postcode districts ----------------------------------------------------------------------


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
        "and how many postcodes that is. Derived by db/derive.py from a table of outcode\n"
        "centroids computed from the ONS National Statistics Postcode Lookup (NSPL), May 2025.\n"
        f"Non-geographic districts are left out: {', '.join(sorted(NON_GEOGRAPHIC))}.\n"
        "LE6 is averaged over sector LE6 0 only, from the full postcode list (same source): its\n"
        "other sectors are old Coalville and Ashby postcodes, now LE67 and LE65.\n"
        "\n"
        f"{POSTCODE_ATTRIBUTION}\n"
    )


# --- entry points ----------------------------------------------------------------------------


def derive_all(shared: Path, out: Path, examples: Path = DATA_DIR / "demo_examples.csv") -> list[Path]:
    """Write every derived table into `out`; return the paths written."""
    llr = shared / "llr"
    example_postcodes = [r["postcode"] for r in read_examples(examples)]
    districts = postcode_district_rows(llr, example_postcodes)
    directory = demo_directory_rows(llr, examples, {d["district"] for d in districts})
    out.mkdir(parents=True, exist_ok=True)
    written = [
        out / "postcode_districts.csv",
        out / "postcode_districts.ATTRIBUTION.txt",
        out / "demo_directory.csv",
    ]
    write_csv(written[0], POSTCODE_COLUMNS, districts)
    written[1].write_text(attribution_text(), encoding="utf-8", newline="\n")
    write_csv(written[2], COLUMNS, directory)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m db.derive", description="Regenerate db/data tables from ../shared/data."
    )
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="where to write the tables")
    parser.add_argument(
        "--examples",
        type=Path,
        default=DATA_DIR / "demo_examples.csv",
        help="the hand-written invented rows to append",
    )
    args = parser.parse_args(argv)
    if not (args.shared / "llr").is_dir():
        print(f"error: no llr/ folder in {args.shared}", file=sys.stderr)
        return 2
    try:
        written = derive_all(args.shared, args.out, args.examples)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
