"""Open Referral tabular data packages (HSDS 1.1 and 3.0 / ORUK v3): datapackage.json + CSVs, or
a folder of the CSVs alone under their standard names (services.csv, organizations.csv…).

The tables are joined in memory by id (one dict per table, so 100,000 services load in linear
time) into the nested service shape of HSDS 3.0 JSON, then mapped by `hsds_common` exactly as the
JSON importer maps them.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from db.importers.hsds_common import dicts, json_int, service_row
from db.importers.record import ParsedRow, SourceFormatError

Row = dict[str, Any]

# Our table -> the names HSDS 1.1, ORUK v1 and HSDS 3.0 give it (resource names and file stems).
TABLES = {
    "service": ("service", "services"),
    "organization": ("organization", "organizations"),
    "service_at_location": ("service_at_location", "services_at_location", "service_at_locations"),
    "location": ("location", "locations"),
    "address": ("address", "addresses", "physical_address", "physical_addresses"),
    "accessibility": ("accessibility", "accessibility_for_disabilities"),
    "phone": ("phone", "phones"),
    "contact": ("contact", "contacts"),
    "schedule": ("schedule", "schedules", "regular_schedule", "regular_schedules"),
    "holiday_schedule": ("holiday_schedule", "holiday_schedules"),
    "attribute": ("attribute", "attributes", "service_attribute", "service_attributes"),
    "taxonomy_term": ("taxonomy_term", "taxonomy_terms"),
    "taxonomy": ("taxonomy", "taxonomies"),
    "service_taxonomy": ("service_taxonomy", "service_taxonomies", "service_taxonomys"),
    "language": ("language", "languages"),
    "cost_option": ("cost_option", "cost_options"),
    "eligibility": ("eligibility", "eligibilities", "eligibilitys"),
}


def _package_file(path: Path) -> Path | None:
    """The package's datapackage.json; None for a folder of the tables alone (no description)."""
    if path.is_file():
        return path
    if path.is_dir():
        candidates = [path / "datapackage.json", *sorted(path.glob("*datapackage*.json"))]
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        return None
    raise SourceFormatError(f"{path} does not exist.")


def _resources(package: Path) -> list[Row]:
    try:
        meta = json.loads(package.read_text(encoding="utf-8-sig"), parse_int=json_int)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceFormatError(f"{package.name} is not valid JSON ({exc}).") from None
    except RecursionError:
        raise SourceFormatError(f"{package.name} is nested too deeply to be a data package.") from None
    resources = meta.get("resources") if isinstance(meta, dict) else None
    if not isinstance(resources, list):
        raise SourceFormatError(f"{package.name} has no list of resources, so it is not a data package.")
    return [r for r in resources if isinstance(r, dict)]


def _inside(base: Path, relative: str) -> Path | None:
    """A file under the package folder; a path climbing out of it is ignored (untrusted input)."""
    try:
        candidate = (base / relative).resolve()
        return candidate if candidate.is_relative_to(base) and candidate.is_file() else None
    except (OSError, ValueError):  # a NUL byte or an impossible name
        return None


def _locate(base: Path, resources: list[Row]) -> dict[str, Path]:
    """Our table -> its CSV: the resource's path if it exists, else the usual places for it."""
    declared: dict[str, str] = {}
    for resource in resources:
        path = resource.get("path")
        path = path[0] if isinstance(path, list) and path else path
        declared[str(resource.get("name", "")).lower()] = path if isinstance(path, str) else ""
    found: dict[str, Path] = {}
    for table, names in TABLES.items():
        guesses: list[str] = []
        for name in names:
            if declared.get(name):
                file = Path(declared[name]).name
                guesses += [declared[name], file, f"csv/{file}"]
        guesses += [f"{folder}{name}.csv" for name in names for folder in ("", "csv/")]
        for guess in guesses:
            if hit := _inside(base, guess):
                found[table] = hit
                break
    return found


def _lines(handle: Iterable[str]) -> Iterator[str]:
    """Lines without the phantom blank line that CR CR LF endings (seen in the ORUK examples) make."""
    previous = ""
    for line in handle:
        if not (line == "\r\n" and previous.endswith("\r") and not previous.endswith("\r\n")):
            yield line
        previous = line


def _read(path: Path) -> tuple[list[str], list[tuple[int, Row]]]:
    """Header and (row number, row) pairs; row 1 is the header, as a spreadsheet numbers them."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(_lines(handle))
            header = [h.strip().lower() for h in next(reader, [])]
            rows = [
                (n, {k: v.strip() for k, v in zip(header, cells, strict=False)})
                for n, cells in enumerate(reader, start=2)
                if any(c.strip() for c in cells)
            ]
    except UnicodeDecodeError:
        raise SourceFormatError(f"{path.name} is not valid UTF-8 text.") from None
    except csv.Error as exc:
        raise SourceFormatError(f"{path.name} is not a readable CSV file ({exc}).") from None
    return header, rows


def _group(rows: list[Row], key: str) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.get(key):
            groups[row[key]].append(row)
    return groups


def _by_id(rows: list[Row]) -> dict[str, Row]:
    return {row["id"]: row for row in rows if row.get("id")}


class _Tables:
    """The package's tables, read once; an absent table reads as empty."""

    def __init__(self, found: dict[str, Path]) -> None:
        self.found = found
        self._cache: dict[str, list[Row]] = {}

    def rows(self, table: str) -> list[Row]:
        if table not in self._cache:
            rows = _read(self.found[table])[1] if table in self.found else []
            self._cache[table] = [row for _, row in rows]
        return self._cache[table]


def _attach_places(t: _Tables) -> tuple[dict[str, Row], dict[str, Row]]:
    """Locations (with addresses, accessibility, phones, schedules) and services_at_location."""
    phones, contacts = t.rows("phone"), t.rows("contact")
    phones_by_contact = _group(phones, "contact_id")
    for contact in contacts:
        contact["phones"] = phones_by_contact.get(contact.get("id", ""), [])
    locations = _by_id(t.rows("location"))
    sals = _by_id(t.rows("service_at_location"))
    for table, key in (("address", "addresses"), ("accessibility", "accessibility")):
        for row in t.rows(table):
            if row.get("location_id") in locations:
                locations[row["location_id"]].setdefault(key, []).append(row)
    # A row naming a service belongs to that service alone (joined in _services), not to a
    # location other services share; a phone may belong to both its service and its place.
    for table, key in (
        ("phone", "phones"),
        ("schedule", "schedules"),
        ("holiday_schedule", "holiday_schedules"),
        ("language", "languages"),  # spoken at the place, by every service there
    ):
        for row in t.rows(table):
            owner = sals.get(row.get("service_at_location_id", ""))
            if owner is None and not row.get("service_id"):
                owner = locations.get(row.get("location_id", ""))
            if owner is not None and (table == "phone" or not row.get("service_id")):
                owner.setdefault(key, []).append(row)
    for sal in sals.values():
        sal["location"] = locations.get(sal.get("location_id", ""))
    return sals, {
        "contacts": _group(contacts, "service_id"),
        "phones": _group(phones, "service_id"),
    }


def _terms(t: _Tables) -> dict[str, Row]:
    """Taxonomy terms by id: 3.0 taxonomy_term rows (with their taxonomy), or 1.1 taxonomy rows."""
    taxonomies = _by_id(t.rows("taxonomy"))
    terms = _by_id(t.rows("taxonomy_term"))
    for term in terms.values():
        term["taxonomy_detail"] = taxonomies.get(term.get("taxonomy_id", ""))
    return terms or taxonomies


def _services(t: _Tables) -> Iterator[tuple[int, Row]]:
    header, services = _read(t.found["service"])
    missing = [column for column in ("id", "name") if column not in header]
    if missing:
        raise SourceFormatError(f"The services table has no {' or '.join(missing)} column.")
    organizations = _by_id(t.rows("organization"))
    sals, by_service = _attach_places(t)
    for org_id, phones in _group(t.rows("phone"), "organization_id").items():
        if org_id in organizations:
            organizations[org_id]["phones"] = phones
    terms = _terms(t)
    grouped = {
        "service_at_locations": _group(list(sals.values()), "service_id"),
        "schedules": _group(t.rows("schedule"), "service_id"),
        "holiday_schedules": _group(t.rows("holiday_schedule"), "service_id"),
        "languages": _group(t.rows("language"), "service_id"),
        "cost_options": _group(t.rows("cost_option"), "service_id"),
        "eligibilitys": _group(t.rows("eligibility"), "service_id"),
        "attributes": _group(
            [{**a, "link_id": a.get("link_id") or a.get("service_id")} for a in t.rows("attribute")],
            "link_id",
        ),
        "service_taxonomys": _group(t.rows("service_taxonomy"), "service_id"),
        **by_service,
    }
    for n, service in services:
        sid = service.get("id", "")
        nested = {key: rows.get(sid, []) for key, rows in grouped.items()} if sid else {}
        service.update(nested, organization=organizations.get(service.get("organization_id", "")))
        term_ids = [row.get("taxonomy_id", "") for row in dicts(service.get("service_taxonomys"))]
        term_ids += [i.strip() for i in service.get("taxonomy_ids", "").split(",")]
        service["service_taxonomys"] = [{"taxonomy": terms[i]} for i in term_ids if i in terms]
        for attribute in dicts(service.get("attributes")):
            term_id = attribute.get("taxonomy_term_id") or attribute.get("taxonomy_id") or ""
            attribute["taxonomy_term"] = terms.get(term_id)
        yield n, service


def parse_datapackage(path: Path) -> Iterator[ParsedRow]:
    """One ParsedRow per services row; package-level problems raise before anything is yielded."""
    package = _package_file(Path(path))
    if package is None:  # a folder of the table files, as the Open Referral examples ship them
        base = Path(path).resolve()
        tables = _Tables(_locate(base, []))
        if "service" not in tables.found:
            raise SourceFormatError(
                f"{base.name} has no datapackage.json and no services.csv, so it is not an "
                "Open Referral data package."
            )
    else:
        base = package.parent.resolve()
        tables = _Tables(_locate(base, _resources(package)))
        if "service" not in tables.found:
            raise SourceFormatError(f"The data package in {base.name} has no services table.")
    services = list(_services(tables))  # join every table now, so a bad CSV fails the whole import
    name = tables.found["service"].name
    return (service_row(service, f"{name} row {n}") for n, service in services)
