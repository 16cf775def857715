"""Open Referral UK v1 services: the `/services` page object, a bare list, or paged URLs.

Real council feeds are summary records (no locations); full records carry service_at_locations,
regular_schedules, eligibilitys, contacts and service_taxonomys. Both are read. Fields that v1
cannot hold (kind, zone, keywords, provenance) travel in a `pz_asset` extension, so our own
export reads back without loss.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from db.hours import HoursError, day_code, normalise_time, sort_sessions
from db.importers.record import AssetRecord, OrganisationRecord, ParsedRow, SourceFormatError
from db.text import clean_text, html_to_text

# Words councils use in attending_type / attending_access -> our access modes.
ACCESS_WORDS = {
    "drop-in": "drop-in", "drop in": "drop-in", "dropin": "drop-in", "venue": "drop-in",
    "appointment": "appointment", "by appointment": "appointment",
    "referral": "referral", "professional referral": "referral",
    "phone": "phone", "telephone": "phone", "online": "online", "home visit": "home visit",
    "membership": "membership",
}  # fmt: skip
STATUS_WORDS = {"active": "active", "inactive": "inactive", "defunct": "defunct",
                "temporarily closed": "temporarily closed", "closed": "inactive"}  # fmt: skip


def services_in(data: Any) -> list[Any]:
    """The services of a page object or a bare list; anything else is not an ORUK v1 feed."""
    if isinstance(data, dict) and isinstance(data.get("content"), list):
        return data["content"]
    if isinstance(data, list):
        return data
    raise SourceFormatError(
        "this JSON is not an Open Referral UK services feed (expected a page with 'content' or a list)"
    )


def _text(value: Any) -> str:
    return clean_text(value) if isinstance(value, str | int | float) else ""


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _age(value: Any) -> int | None:
    try:
        age = int(float(value))
    except (TypeError, ValueError):
        return None
    return age if 0 <= age <= 130 else None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def split_access(*cells: Any) -> tuple[list[str], list[str]]:
    """Access modes we know, and the words we don't (kept so nothing a council wrote is lost)."""
    known, other = [], []
    for cell in cells:
        for word in _text(cell).split(","):
            word = word.strip()
            if not word:
                continue
            mode = ACCESS_WORDS.get(word.lower())
            (known if mode else other).append(mode or word)
    return known, other


def weekly_sessions(schedules: list[dict[str, Any]]) -> list[dict[str, str]]:
    """regular_schedules -> opening-hours sessions; rows we can't read as weekly hours are skipped."""
    sessions = []
    for sched in schedules:
        try:
            opens = normalise_time(str(sched.get("opens_at") or ""))
            closes = normalise_time(str(sched.get("closes_at") or ""))
        except HoursError:
            continue
        if closes <= opens:
            continue
        days = []
        for token in [sched.get("weekday") or "", *str(sched.get("byday") or "").split(",")]:
            try:
                days.append(day_code(str(token)))
            except HoursError:
                continue
        sessions.extend({"day": d, "opens": opens, "closes": closes} for d in days)
    return sort_sessions(sessions)


def holiday_closures(schedules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    closures = []
    for sched in schedules:
        start, end = _date(sched.get("start_date")), _date(sched.get("end_date"))
        if not start:
            continue
        closed = bool(sched.get("closed", True))
        try:
            opens = "" if closed else normalise_time(str(sched.get("opens_at") or ""))
            closes = "" if closed else normalise_time(str(sched.get("closes_at") or ""))
        except HoursError:
            continue
        closures.append({"start": start.isoformat(), "end": (end or start).isoformat(),
                         "closed": closed, "opens": opens, "closes": closes})  # fmt: skip
    return closures


def service_to_record(service: dict[str, Any]) -> AssetRecord:
    """One v1 service object as an AssetRecord (not yet checked)."""
    org_data = service.get("organization") if isinstance(service.get("organization"), dict) else None
    organisation = None
    if org_data and _text(org_data.get("name")):
        organisation = OrganisationRecord(
            external_id=_text(org_data.get("id")) or _text(org_data.get("name")),
            name=_text(org_data.get("name")),
            description=html_to_text(org_data.get("description") or ""),
            website=_text(org_data.get("url")),
            email=_text(org_data.get("email")),
        )
    extension = service.get("pz_asset") if isinstance(service.get("pz_asset"), dict) else {}
    access, other_access = split_access(service.get("attending_type"), service.get("attending_access"))
    eligibility_rows = _dicts(service.get("eligibilitys"))
    eligibility = [_text(e.get("eligibility")) for e in eligibility_rows if _text(e.get("eligibility"))]
    if other_access:
        eligibility.append("How to access: " + ", ".join(other_access))
    extra = _text(service.get("pc_attendingAccess_additionalInfo"))
    if extra:
        eligibility.append(extra)
    ages = eligibility_rows[0] if eligibility_rows else {}

    location, address = {}, {}
    for sal in _dicts(service.get("service_at_locations")):
        if isinstance(sal.get("location"), dict):
            location = sal["location"]
            break
    addresses = _dicts(location.get("physical_addresses"))
    if addresses:
        address = addresses[0]
    schedules = _dicts(service.get("regular_schedules")) + _dicts(location.get("regular_schedules"))
    holidays = _dicts(service.get("holiday_schedules")) + _dicts(location.get("holiday_schedules"))
    phones = [
        _text(p.get("number"))
        for c in _dicts(service.get("contacts"))
        for p in _dicts(c.get("phones"))
        if _text(p.get("number"))
    ]
    terms = []
    for st in _dicts(service.get("service_taxonomys")):
        tax = st.get("taxonomy") if isinstance(st.get("taxonomy"), dict) else {}
        if _text(tax.get("name")):
            terms.append({"vocabulary": _text(tax.get("vocabulary")), "code": _text(tax.get("id")),
                          "name": _text(tax.get("name"))})  # fmt: skip
    keywords = [_text(k) for k in extension.get("keywords", []) if _text(k)]
    if _text(service.get("deliverable_type")) and not extension:
        keywords.append(_text(service.get("deliverable_type")))

    return AssetRecord(
        source=_text(extension.get("source")),
        external_id=_text(service.get("id")),
        name=_text(service.get("name")),
        kind=_text(extension.get("kind")) or "service",
        organisation=organisation,
        description=html_to_text(service.get("description") or ""),
        taxonomy_terms=terms,
        keywords=keywords,
        audiences=[_text(a.get("audienceType")) for a in _dicts(service.get("pc_targetAudience"))],
        min_age=_age(ages.get("minimum_age")),
        max_age=_age(ages.get("maximum_age")),
        eligibility="\n".join(eligibility),
        cost=_text(service.get("fees")),
        access=access,
        address=", ".join(_text(address.get(k)) for k in ("address_1", "address_2") if _text(address.get(k))),
        town=_text(address.get("city")),
        postcode=_text(address.get("postal_code")),
        latitude=_float(location.get("latitude")),
        longitude=_float(location.get("longitude")),
        zone=_text(extension.get("zone")),
        phone=phones[0] if phones else "",
        email=_text(service.get("email")),
        website=_text(service.get("url")),
        opening_hours=weekly_sessions(schedules),
        holiday_closures=holiday_closures(holidays),
        languages=[_text(lang.get("language")) for lang in _dicts(service.get("languages"))],
        accessibility="; ".join(
            _text(a.get("accessibility"))
            for a in _dicts(location.get("accessibility_for_disabilities"))
            if _text(a.get("accessibility"))
        ),
        status=STATUS_WORDS.get(_text(service.get("status")).lower(), "active"),
        last_verified=_date(service.get("assured_date")),
        attribution=_text(extension.get("attribution")),
        is_example=bool(extension.get("is_example", False)),
    )


def parse_services(services: list[Any], start: int = 0) -> Iterator[ParsedRow]:
    """ParsedRows for a page of services; `start` numbers them across pages."""
    for offset, service in enumerate(services, start=start + 1):
        if not isinstance(service, dict):
            yield ParsedRow(f"service {offset}", error="is not a JSON object")
            continue
        ref = f"service {offset} (id {_text(service.get('id')) or '?'})"
        record = service_to_record(service).normalise()
        problems = record.problems()
        yield ParsedRow(ref, record=None if problems else record, error="; ".join(problems))
