"""Public libraries (LibrariesHacked) as directory rows, with their staffed hours."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

from db.hours import DAYS, HoursError, day_code, format_hours, normalise_time, parse_hours
from db.reference.common import format_coordinate, split_address
from db.sheet import join_list, slug
from db.text import normalise_postcode

LIBRARY_ATTRIBUTION = "LibrariesHacked library data (CC0)"

_NOTE_DAYS = {"m": "mon", "w": "wed", "f": "fri"}  # the rest ('tu', 'th', 'wed' ...) are day_code's
_WEEKDAY_COLUMNS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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
                "external_id": "library:" + slug(name).removesuffix("-library"),
                "kind": "place",
                "name": name,
                "organisation": authority,
                "organisation_id": slug(authority),
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
