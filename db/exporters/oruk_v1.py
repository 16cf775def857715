"""The directory as an Open Referral UK v1 `/services` page, readable by our importer and others."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, TextIO

from db.hours import DAYS
from db.importers.record import AssetRecord

WEEKDAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                "Saturday", "Sunday"), strict=True))  # fmt: skip
_ATTENDING_TYPE = {"phone": "Phone", "online": "Online", "home visit": "Home visit"}
_ATTENDING_ACCESS = {"drop-in": "Drop-in", "appointment": "Appointment", "referral": "Referral",
                     "membership": "Membership"}  # fmt: skip


def record_to_service(record: AssetRecord) -> dict[str, Any]:
    sid = record.external_id
    location: dict[str, Any] = {
        "id": f"{sid}:location",
        "latitude": record.latitude,
        "longitude": record.longitude,
        "physical_addresses": [{
            "id": f"{sid}:address", "address_1": record.address, "city": record.town,
            "postal_code": record.postcode, "country": "GB",
        }],
        "regular_schedules": [{
            "id": f"{sid}:hours:{i}", "weekday": WEEKDAY_NAMES[s["day"]], "opens_at": s["opens"],
            "closes_at": s["closes"], "freq": "WEEKLY", "interval": 1, "byday": s["day"][:2].upper(),
        } for i, s in enumerate(record.opening_hours)],
        "holiday_schedules": [{
            "id": f"{sid}:holiday:{i}", "closed": c["closed"], "opens_at": c["opens"],
            "closes_at": c["closes"], "start_date": c["start"], "end_date": c["end"],
        } for i, c in enumerate(record.holiday_closures)],
        "accessibility_for_disabilities": [
            {"id": f"{sid}:access", "accessibility": record.accessibility}
        ] if record.accessibility else [],
    }  # fmt: skip
    org = record.organisation
    return {
        "id": sid,
        "name": record.name,
        "description": record.description,
        "url": record.website,
        "email": record.email,
        "status": record.status,
        "fees": record.cost,
        "attending_type": ", ".join(_ATTENDING_TYPE[a] for a in record.access if a in _ATTENDING_TYPE),
        "attending_access": ", ".join(
            _ATTENDING_ACCESS[a] for a in record.access if a in _ATTENDING_ACCESS
        ),
        "assured_date": record.last_verified.isoformat() if record.last_verified else "",
        "organization": {
            "id": org.external_id, "name": org.name, "description": org.description,
            "url": org.website, "email": org.email,
            "phones": [{"id": f"{org.external_id}:phone", "number": org.phone}] if org.phone else [],
        } if org else None,
        "eligibilitys": [{
            "id": f"{sid}:eligibility", "eligibility": record.eligibility,
            "minimum_age": record.min_age, "maximum_age": record.max_age,
        }] if record.eligibility or record.min_age is not None or record.max_age is not None else [],
        "contacts": [{
            "id": f"{sid}:contact", "name": "", "phones": [{"id": f"{sid}:phone", "number": record.phone}],
        }] if record.phone else [],
        # ISO 639 codes ("ur"), the form Open Referral lists languages in
        "languages": [{"id": f"{sid}:lang:{i}", "language": lang} for i, lang in enumerate(record.languages)],
        "service_taxonomys": [{
            "id": f"{sid}:tax:{i}",
            "taxonomy": {"id": t.get("code", ""), "name": t["name"], "vocabulary": t.get("vocabulary", "")},
        } for i, t in enumerate(record.taxonomy_terms)],
        "service_at_locations": [{"id": f"{sid}:sal", "location": location}],
        "pc_targetAudience": [{"id": a, "audienceType": a} for a in record.audiences],
        "pz_asset": {
            "kind": record.kind, "zone": record.zone, "keywords": record.keywords,
            "source": record.source, "attribution": record.attribution, "is_example": record.is_example,
        },
    }  # fmt: skip


async def write_oruk(records: AsyncIterator[AssetRecord], out: TextIO) -> int:
    services = [record_to_service(r) async for r in records]
    page = {
        "totalElements": len(services), "totalPages": 1, "number": 1, "size": len(services),
        "first": True, "last": True, "content": services,
    }  # fmt: skip
    json.dump(page, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return len(services)
