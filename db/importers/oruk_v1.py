"""Open Referral UK v1 services: the `/services` page object, a bare list, or paged URLs.

Real council feeds are summary records (no locations); full records carry service_at_locations,
regular_schedules, eligibilitys, contacts and service_taxonomys. Both are read. Fields that v1
cannot hold (kind, zone, keywords, provenance) travel in a `pz_asset` extension, so our own
export reads back without loss.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from db.importers.hsds_common import access_modes, dicts, service_record, service_row, shown_id, text
from db.importers.recognise import NotAService
from db.importers.record import AssetRecord, ParsedRow, SourceFormatError


def services_in(data: Any) -> list[Any]:
    """The services of a page object or a bare list; anything else is not an ORUK v1 feed."""
    if isinstance(data, dict) and isinstance(data.get("content"), list):
        return data["content"]
    if isinstance(data, list):
        return data
    raise SourceFormatError(
        "this JSON is not an Open Referral UK services feed (expected a page with 'content' or a list)"
    )


def unmapped_access(*cells: Any) -> list[str]:
    """Attending words that name no access mode ('Self referral', 'Assessment'): kept as notes."""
    words = [w.strip() for cell in cells for w in text(cell).split(",") if w.strip()]
    return [w for w in words if not access_modes(w) and w.lower() != "venue"]


def service_to_record(service: dict[str, Any]) -> AssetRecord:
    """One v1 service: the shared Open Referral mapping plus what only UK v1 feeds carry."""
    record = service_record(service)
    extension = service.get("pz_asset") if isinstance(service.get("pz_asset"), dict) else {}
    notes = [record.eligibility] if record.eligibility else []
    other = unmapped_access(service.get("attending_type"), service.get("attending_access"))
    if other:
        notes.append("How to access: " + ", ".join(other))
    if extra := text(service.get("pc_attendingAccess_additionalInfo")):
        notes.append(extra)
    record.eligibility = "\n".join(notes)
    record.audiences = [text(a.get("audienceType")) for a in dicts(service.get("pc_targetAudience"))]
    if extension:
        record.kind = text(extension.get("kind")) or "service"
        record.zone = text(extension.get("zone"))
        record.source = text(extension.get("source"))
        record.attribution = text(extension.get("attribution"))
        record.is_example = extension.get("is_example") is True
        record.keywords = [text(k) for k in extension.get("keywords", []) if text(k)]
    elif deliverable := text(service.get("deliverable_type")):
        record.keywords = [deliverable]
    return record


def parse_services(services: list[Any], start: int = 0) -> Iterator[ParsedRow]:
    """ParsedRows for a page of services; `start` numbers them across pages."""
    for number, service in enumerate(services, start=start + 1):
        if isinstance(service, NotAService):
            yield ParsedRow(f"object {number}", error=service.reason)
            continue
        if not isinstance(service, dict):
            yield ParsedRow(f"service {number}", error="is not a JSON object")
            continue
        ref = f"service {number} (id {shown_id(service.get('id')) or '?'})"
        yield service_row(service, ref, service_to_record)
