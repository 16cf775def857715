"""The demo directory: real LLR rows merged with the hand-written examples, and the row checks."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from db.hours import HoursError, format_hours, parse_hours
from db.models.directory import ACCESS_MODES, ASSET_KINDS, ASSET_STATUSES
from db.reference.common import read_rows
from db.reference.foodbanks import foodbank_rows
from db.reference.gp_practices import gp_rows
from db.reference.libraries import library_rows
from db.sheet import COLUMNS, LIST_SEPARATOR
from db.text import postcode_district

DEMO_SOURCE = "demo"
EXAMPLE_SOURCE = "demo-examples"
# Real local services for people in danger (domestic and sexual abuse, mental health crisis),
# written by hand from their published details, so the demo's safety help has real places to follow.
SAFETY_SERVICES = Path(__file__).resolve().parents[1] / "data" / "demo_safety_services.csv"
EXAMPLE_ATTRIBUTION = "Invented example for the demo — not a real service"

# Ofcom's numbers reserved for drama: safe to print because they can never ring anyone.
_RESERVED_PHONE = re.compile(r"^(?:01164960[0-9]{3}|01632960[0-9]{3})$")
_RESERVED_PHONE_FORM = re.compile(r"^(?:0116 496 0\d{3}|01632 960\d{3})$")
_EXAMPLE_WEB = re.compile(r"^https://example\.org(?:/[\w\-./]*)?$")
_EXAMPLE_EMAIL = re.compile(r"^[\w.+\-]+@example\.org$")


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
    for mode in filter(None, row["access"].split(LIST_SEPARATOR)):
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


def demo_directory_rows(
    llr: Path, examples: Path, districts: set[str], safety: Path = SAFETY_SERVICES
) -> list[dict[str, str]]:
    """Real rows first (the LLR tables, then the hand-checked local safety services the help after
    a crisis can point to), then the invented examples; refuses rows that break the rules."""
    rows = sorted(
        real_rows(llr) + read_examples(safety),
        key=lambda r: (r["kind"], r["name"].casefold(), r["external_id"]),
    )
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
