"""The coordinators' spreadsheet: one row per asset, readable cells, read and written losslessly.

The column list is the contract documented in the README and in `db/data/asset_template.csv`.
Import and export both go through `row_to_record` / `record_to_row`, so a round trip is exact.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from db.hours import HoursError, format_hours, normalise_time, parse_hours
from db.importers.languages import spreadsheet_name
from db.importers.record import AssetRecord, OrganisationRecord

COLUMNS = (
    "source", "external_id", "kind", "name", "organisation", "organisation_id", "description",
    "categories", "keywords", "audiences", "min_age", "max_age", "eligibility", "cost", "access",
    "address", "town", "postcode", "latitude", "longitude", "zone", "phone", "email", "website",
    "opening_hours", "holiday_closures", "languages", "accessibility", "status", "last_verified",
    "attribution", "is_example",
)  # fmt: skip
# Who runs it, beyond the name: on every row of that organisation, so an export carries them and a
# correction in any one row is taken. (Not in COLUMNS: the demo directory's files keep that header.)
ORGANISATION_COLUMNS = (
    "organisation_description", "organisation_website", "organisation_email", "organisation_phone",
)  # fmt: skip
# What a spreadsheet may hold and what an export writes: the asset columns, organisation details
# after the organisation.
SHEET_COLUMNS = COLUMNS[:6] + ORGANISATION_COLUMNS + COLUMNS[6:]
REQUIRED_COLUMNS = ("name",)
# The record fields each column fills. A column that is not in the file leaves those fields as
# they are stored (an empty cell in a column that is there clears the field).
_COLUMN_FIELDS = {
    "organisation": ("organisation",), "categories": ("taxonomy_terms",),
    **{c: (f"organisation.{c.removeprefix('organisation_')}",) for c in ORGANISATION_COLUMNS},
    # identity, not content: a row without them is matched by its name and postcode
    "source": (), "external_id": (), "organisation_id": (),
}  # fmt: skip
LIST_SEPARATOR = "; "
_TERM = re.compile(r"^(?P<name>.*?)\s*\[(?P<vocabulary>[^:\]]*):(?P<code>[^\]]*)\]$")
_CLOSURE = re.compile(r"^(?P<start>\d{4}-\d{2}-\d{2})(?:\.\.(?P<end>\d{4}-\d{2}-\d{2}))?\s+(?P<what>.+)$")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}
_LARGEST_WHOLE = 2**31 - 1  # an INTEGER column holds no more


class CellError(ValueError):
    """One cell cannot be read; the message names the column."""


def absent_fields(header: list[str]) -> frozenset[str]:
    """The record fields a spreadsheet with this header does not carry."""
    return frozenset(
        name
        for column in SHEET_COLUMNS
        if column not in header
        for name in _COLUMN_FIELDS.get(column, (column,))
    )


def _shown(cell: str, limit: int = 40) -> str:
    """A cell quoted back in a message: the start of it, not 100,000 characters."""
    cell = " ".join(cell.split())
    return cell if len(cell) <= limit else cell[: limit - 1] + "…"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def split_list(cell: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", cell or "") if part.strip()]


def join_list(values: list[str]) -> str:
    return LIST_SEPARATOR.join(values)


def parse_terms(cell: str) -> list[dict[str, str]]:
    terms = []
    for part in split_list(cell):
        match = _TERM.match(part)
        if match:
            terms.append({k: match.group(k).strip() for k in ("vocabulary", "code", "name")})
        else:
            terms.append({"vocabulary": "", "code": "", "name": part})
    return terms


def format_terms(terms: list[dict[str, str]]) -> str:
    parts = []
    for term in terms:
        vocabulary, code = term.get("vocabulary", ""), term.get("code", "")
        parts.append(f"{term['name']} [{vocabulary}:{code}]" if vocabulary or code else term["name"])
    return join_list(parts)


def parse_closures(cell: str) -> list[dict[str, Any]]:
    """`2026-12-25 closed; 2026-12-24 10:00-13:00; 2026-12-27..2026-12-31 closed`."""
    closures = []
    for part in split_list(cell):
        match = _CLOSURE.match(part)
        if not match:
            raise CellError(f"holiday_closures: '{_shown(part)}' should look like '2026-12-25 closed'")
        start = _parse_date(match.group("start"), "holiday_closures")
        end = _parse_date(match.group("end") or match.group("start"), "holiday_closures")
        what = match.group("what").strip().lower()
        if what == "closed":
            closures.append({"start": start.isoformat(), "end": end.isoformat(), "closed": True,
                             "opens": "", "closes": ""})  # fmt: skip
            continue
        try:
            opens, closes = (normalise_time(t) for t in what.split("-", 1))
        except (HoursError, ValueError):
            raise CellError(
                f"holiday_closures: '{_shown(part)}' should end in 'closed' or 10:00-13:00"
            ) from None
        closures.append({"start": start.isoformat(), "end": end.isoformat(), "closed": False,
                         "opens": opens, "closes": closes})  # fmt: skip
    return closures


def format_closures(closures: list[dict[str, Any]]) -> str:
    parts = []
    for c in closures:
        span = c["start"] if c["end"] == c["start"] else f"{c['start']}..{c['end']}"
        parts.append(f"{span} closed" if c.get("closed") else f"{span} {c['opens']}-{c['closes']}")
    return join_list(parts)


def _parse_date(cell: str, column: str) -> date:
    try:
        return date.fromisoformat(cell.strip())
    except ValueError:
        raise CellError(f"{column}: '{_shown(cell)}' is not a date like 2026-01-31") from None


def _parse_int(cell: str, column: str) -> int | None:
    if not cell.strip():
        return None
    try:
        number = int(cell.strip())  # ValueError past 4,300 digits too
    except ValueError:
        raise CellError(f"{column}: '{_shown(cell)}' is not a whole number") from None
    if abs(number) > _LARGEST_WHOLE:
        raise CellError(f"{column}: '{_shown(cell)}' is far too big")
    return number


def _parse_float(cell: str, column: str) -> float | None:
    if not cell.strip():
        return None
    try:
        return float(cell.strip())
    except ValueError:
        raise CellError(f"{column}: '{_shown(cell)}' is not a number") from None


def _parse_bool(cell: str, column: str) -> bool:
    value = cell.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise CellError(f"{column}: '{_shown(cell)}' should be yes or no")


def row_to_record(row: dict[str, str], default_source: str) -> AssetRecord:
    """A spreadsheet row (header -> cell) as a record; raises CellError naming the bad column."""
    cell = {c: (row.get(c) or "").strip() for c in SHEET_COLUMNS}
    organisation = None
    if cell["organisation"]:
        organisation = OrganisationRecord(
            external_id=cell["organisation_id"] or slug(cell["organisation"]),
            name=cell["organisation"],
            description=cell["organisation_description"],
            website=cell["organisation_website"],
            email=cell["organisation_email"],
            phone=cell["organisation_phone"],
        )
    try:
        hours = parse_hours(cell["opening_hours"])
    except HoursError as exc:
        raise CellError(f"opening_hours: {exc}") from None
    external_id = cell["external_id"] or slug(f"{cell['name']} {cell['postcode']}")
    return AssetRecord(
        source=cell["source"] or default_source,
        external_id=external_id,
        kind=cell["kind"] or "service",
        name=cell["name"],
        organisation=organisation,
        description=cell["description"],
        taxonomy_terms=parse_terms(cell["categories"]),
        keywords=split_list(cell["keywords"]),
        audiences=split_list(cell["audiences"]),
        min_age=_parse_int(cell["min_age"], "min_age"),
        max_age=_parse_int(cell["max_age"], "max_age"),
        eligibility=cell["eligibility"],
        cost=cell["cost"],
        access=split_list(cell["access"]),
        address=cell["address"],
        town=cell["town"],
        postcode=cell["postcode"],
        latitude=_parse_float(cell["latitude"], "latitude"),
        longitude=_parse_float(cell["longitude"], "longitude"),
        zone=cell["zone"],
        phone=cell["phone"],
        email=cell["email"],
        website=cell["website"],
        opening_hours=hours,
        holiday_closures=parse_closures(cell["holiday_closures"]),
        languages=split_list(cell["languages"]),
        accessibility=cell["accessibility"],
        status=cell["status"] or "active",
        last_verified=_parse_date(cell["last_verified"], "last_verified") if cell["last_verified"] else None,
        attribution=cell["attribution"],
        is_example=_parse_bool(cell["is_example"], "is_example"),
    )


def _number(value: float | None) -> str:
    return "" if value is None else repr(round(value, 6))


def record_to_row(record: AssetRecord) -> dict[str, str]:
    """The inverse of `row_to_record`, cell for cell."""
    org = record.organisation
    return {
        "source": record.source,
        "external_id": record.external_id,
        "kind": record.kind,
        "name": record.name,
        "organisation": org.name if org else "",
        "organisation_id": org.external_id if org else "",
        "organisation_description": org.description if org else "",
        "organisation_website": org.website if org else "",
        "organisation_email": org.email if org else "",
        "organisation_phone": org.phone if org else "",
        "description": record.description,
        "categories": format_terms(record.taxonomy_terms),
        "keywords": join_list(record.keywords),
        "audiences": join_list(record.audiences),
        "min_age": "" if record.min_age is None else str(record.min_age),
        "max_age": "" if record.max_age is None else str(record.max_age),
        "eligibility": record.eligibility,
        "cost": record.cost,
        "access": join_list(record.access),
        "address": record.address,
        "town": record.town,
        "postcode": record.postcode,
        "latitude": _number(record.latitude),
        "longitude": _number(record.longitude),
        "zone": record.zone,
        "phone": record.phone,
        "email": record.email,
        "website": record.website,
        "opening_hours": format_hours(record.opening_hours),
        "holiday_closures": format_closures(record.holiday_closures),
        "languages": join_list([spreadsheet_name(lang) for lang in record.languages]),  # "Urdu; Punjabi"
        "accessibility": record.accessibility,
        "status": record.status,
        "last_verified": record.last_verified.isoformat() if record.last_verified else "",
        "attribution": record.attribution,
        "is_example": "yes" if record.is_example else "no",
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def neutralise(cell: str) -> str:
    """Stop a spreadsheet running a cell as a formula (OWASP CSV injection advice).

    Plain numbers such as a negative longitude are left alone; the importer strips the guard.
    A value that itself starts with quotes before a formula character ("'=x") gets the guard too,
    so the importer, which takes off exactly one quote, gives back what was stored.
    """
    if cell.lstrip("'").startswith(_FORMULA_START) and not _NUMBER.match(cell):
        return "'" + cell
    return cell


def unneutralise(cell: str) -> str:
    """The value `neutralise` guarded: one leading quote off, where quotes lead to a formula."""
    if cell.startswith("'") and cell.lstrip("'").startswith(_FORMULA_START):
        return cell[1:]
    return cell
