"""One mapping from a nested Open Referral service (HSDS 3.0, also ORUK v1 keys) to an AssetRecord.

The JSON importer feeds it service_full objects; the data-package importer joins its CSV tables
into the same nested shape first, so both formats map identically. Feeds are untrusted: every
helper tolerates missing keys and wrong types, and unreadable parts are left out, not fatal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from db.hours import HoursError, day_code, normalise_time, sort_sessions
from db.importers.languages import language_code
from db.importers.record import AssetRecord, OrganisationRecord, ParsedRow
from db.text import clean_text, html_to_text

_STATUSES = {"active", "inactive", "defunct", "temporarily closed"}
_ACCESS_WORDS = (
    (re.compile(r"drop[\s-]?in|walk[\s-]?in"), "drop-in"),
    (re.compile(r"appointment"), "appointment"),
    # "Self referral" means anyone may get in touch, which is not the same as needing a referral.
    (re.compile(r"(?<!self[\s-])referr"), "referral"),
    (re.compile(r"\b(tele)?phone\b"), "phone"),
    (re.compile(r"online|video|remote|virtual"), "online"),
    (re.compile(r"\bhome\b"), "home visit"),
    (re.compile(r"member"), "membership"),
)
_AGE_KEYS = {"minimum_age": "min", "min_age": "min", "maximum_age": "max", "max_age": "max"}
_TRUE = {"true", "yes", "y", "1"}


def text(value: object) -> str:
    """A scalar as trimmed text; structures (a dict where a name belongs) count as empty."""
    if isinstance(value, str) and value.isprintable():
        return " ".join(value.split())  # clean_text's result, without its per-character pass
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return ""
    return clean_text(value)


def json_int(digits: str) -> int | str:
    """A JSON integer (`json.loads(..., parse_int=json_int)`); one too long for Python to read
    (4,300 digits) stays its digits, which no field takes as a number (an id that long is rejected
    with its row)."""
    return int(digits) if len(digits) <= 4000 else digits


def shown_id(value: object) -> str:
    """A service's id as a report names it: the start of it, whatever a feed put there."""
    sid = text(value)
    return sid if len(sid) <= 40 else sid[:39] + "…"


def long_text(value: object) -> str:
    """A description: HTML or plain text, paragraph breaks kept."""
    return html_to_text(value) if isinstance(value, str) else ""


def dicts(value: object) -> list[dict[str, Any]]:
    """The objects in a feed's list (a lone object counts as a list of one; anything else, none)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def first_of(obj: dict[str, Any], *keys: str) -> Any:
    """The first synonymous key that holds something (HSDS renamed fields between versions)."""
    for key in keys:
        value = obj.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def to_int(value: object) -> int | None:
    try:
        number = float(text(value))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def to_float(value: object) -> float | None:
    try:
        number = float(text(value))
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def to_date(value: object) -> date | None:
    """'2024-12-10' or a timestamp starting with a date; anything else is unknown."""
    try:
        return date.fromisoformat(text(value)[:10])
    except ValueError:
        return None


def map_status(value: object) -> str:
    status = re.sub(r"[\s_-]+", " ", text(value).lower())
    return status if status in _STATUSES else "active"


def access_modes(*values: object) -> list[str]:
    """Access modes named in free text or lists; 'Self referral' and 'Venue' name none."""
    words = " ".join(
        " ".join(text(v) for v in value) if isinstance(value, list) else text(value) for value in values
    ).lower()
    return [mode for pattern, mode in _ACCESS_WORDS if pattern.search(words)]


def cost_text(service: dict[str, Any]) -> str:
    parts = [text(first_of(service, "fees_description", "fees"))]
    for option in dicts(service.get("cost_options")):
        amount = to_float(option.get("amount"))
        price = ""
        if amount is not None:
            figure = f"{amount:.0f}" if amount.is_integer() else f"{amount:.2f}"
            currency = text(option.get("currency")).upper()
            price = f"£{figure}" if currency in ("", "GBP") else f"{figure} {currency}"
        detail = " ".join(p for p in (price, text(option.get("amount_description"))) if p)
        label = text(option.get("option"))
        parts.append(f"{label}: {detail}" if label and detail else label or detail)
    return "; ".join(p for p in parts if p)


def _days(schedule: dict[str, Any]) -> list[str]:
    byday = text(schedule.get("byday"))
    if byday:
        codes = [part.strip() for part in byday.split(",") if part.strip()]
        if any(not code.isalpha() for code in codes):
            raise HoursError(f"'{byday}' names days of the month, not of the week")
        return [day_code(code) for code in codes]
    return [day_code(text(schedule.get("weekday")))]


def schedule_sessions(schedules: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Weekly opening sessions; a schedule that is not plainly weekly hours is skipped."""
    sessions: list[dict[str, str]] = []
    for schedule in schedules:
        freq = text(schedule.get("freq")).upper()
        interval = to_int(schedule.get("interval"))
        if (freq and freq != "WEEKLY") or (interval is not None and interval != 1):
            continue
        try:
            days = _days(schedule)
            opens = normalise_time(text(schedule.get("opens_at")))
            closes = normalise_time(text(schedule.get("closes_at")))
        except HoursError:
            continue
        if closes > opens:
            sessions.extend({"day": d, "opens": opens, "closes": closes} for d in days)
    return sort_sessions(sessions)


def holiday_closures(schedules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """HSDS holiday_schedule rows in our closures shape; undated or unreadable rows are skipped."""
    closures = []
    for schedule in schedules:
        start = to_date(schedule.get("start_date"))
        end = to_date(schedule.get("end_date")) or start
        if start is None or end is None or end < start:
            continue
        opens = closes = ""
        if schedule.get("closed") is not True and text(schedule.get("closed")).lower() not in _TRUE:
            try:  # open on reduced hours
                opens = normalise_time(text(schedule.get("opens_at")))
                closes = normalise_time(text(schedule.get("closes_at")))
            except HoursError:
                continue
        closures.append(
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "closed": not opens,
                "opens": opens,
                "closes": closes,
            }
        )
    return sorted(closures, key=lambda c: (c["start"], c["end"]))


def taxonomy_terms(service: dict[str, Any]) -> list[dict[str, str]]:
    found: dict[tuple[str, str, str], None] = {}
    terms = [a.get("taxonomy_term") for a in dicts(service.get("attributes"))]
    terms += [t.get("taxonomy") for t in dicts(first_of(service, "service_taxonomys", "service_taxonomies"))]
    for term in dicts(terms):
        vocabulary = first_of(term, "taxonomy", "taxonomy_detail", "vocabulary")
        if isinstance(vocabulary, dict):
            vocabulary = first_of(vocabulary, "name", "id")
        name = text(first_of(term, "name", "term"))
        if name:
            found[(text(vocabulary), text(first_of(term, "code", "id")), name)] = None
    return [{"vocabulary": v, "code": c, "name": n} for v, c, n in found]


def _ages(service: dict[str, Any]) -> tuple[int | None, int | None]:
    ages: dict[str, int | None] = {"min": None, "max": None}
    sources = [service, *dicts(first_of(service, "eligibilitys", "eligibilities", "eligibility"))]
    for attribute in dicts(service.get("attributes")):
        term = attribute.get("taxonomy_term")
        key = text(first_of(term, "code", "name", "term")) if isinstance(term, dict) else ""
        sources.append({key.lower().replace(" ", "_"): attribute.get("value")})
    for source in sources:
        for key, which in _AGE_KEYS.items():
            age = to_int(source.get(key))
            if ages[which] is None and age is not None and 0 <= age <= 130:
                ages[which] = age  # 999 ("no upper limit") and the like mean unknown
    return ages["min"], ages["max"]


def _eligibility(service: dict[str, Any]) -> str:
    parts = [html_to_text(text(service.get("eligibility_description")))]
    eligibility = first_of(service, "eligibilitys", "eligibilities", "eligibility")
    if isinstance(eligibility, str):
        parts.append(eligibility)
    parts += [text(e.get("eligibility")) for e in dicts(eligibility)]
    return "; ".join(dict.fromkeys(p for p in parts if p))


def _sentences(parts: list[str]) -> str:
    unique = dict.fromkeys(p.strip() for p in parts if p and p.strip())
    return " ".join(p if p[-1] in ".!?" else f"{p}." for p in unique)


def _phone(*owners: dict[str, Any]) -> str:
    for owner in owners:
        for phone in dicts(owner.get("phones")):
            number = text(phone.get("number")).strip("\"' ")
            if number and text(phone.get("type")).lower() != "fax":
                extension = text(phone.get("extension"))
                return f"{number} ext. {extension}" if extension else number
    return ""


def _language(entry: object) -> str:
    """One entry of a `languages` list: a string, or an object (HSDS 3 name and code, ORUK v1
    language). The part that names a language we know wins ({"name": "Urdu", "code": "xx"} is
    Urdu); where none does, the first given, for the import to report."""
    if not isinstance(entry, dict):
        return text(entry)
    said = [text(entry.get(key)) for key in ("code", "name", "language")]
    said = [value for value in said if value]
    return next((value for value in said if language_code(value)), said[0] if said else "")


def spoken_languages(*owners: dict[str, Any]) -> list[str]:
    """The languages of a service and of its place (HSDS gives both), as the feed gives them."""
    found = []
    for owner in owners:
        entries = owner.get("languages")
        if not isinstance(entries, list):
            entries = [entries]  # one object, or one text ("English, Urdu")
        for entry in entries:
            if isinstance(entry, str | dict) and (value := _language(entry)):
                found.append(value)
    return found


def organisation(obj: object) -> OrganisationRecord | None:
    if not isinstance(obj, dict) or not text(obj.get("name")):
        return None
    return OrganisationRecord(
        external_id=text(obj.get("id")) or text(obj.get("name")),
        name=text(obj.get("name")),
        description=long_text(obj.get("description")),
        website=text(first_of(obj, "url", "website", "uri")),
        email=text(obj.get("email")),
        phone=_phone(obj),
    )


def _place(service: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first service_at_location that has a location, and that location."""
    for sal in dicts(service.get("service_at_locations")):
        if isinstance(sal.get("location"), dict):
            return sal, sal["location"]
    return {}, {}


def _own_schedules(service: dict[str, Any], sal: dict[str, Any], loc: dict[str, Any]) -> list:
    """Service schedules that are not tied to another of its locations, plus the chosen place's."""
    schedules = []
    for s in dicts(first_of(service, "schedules", "regular_schedules")):
        where = (text(s.get("location_id")), text(s.get("service_at_location_id")))
        if where[0] in ("", text(loc.get("id"))) and where[1] in ("", text(sal.get("id"))):
            schedules.append(s)
    for owner in (sal, loc):
        schedules += dicts(first_of(owner, "schedules", "regular_schedules"))
    return schedules


def service_record(service: dict[str, Any]) -> AssetRecord:
    sal, loc = _place(service)
    addresses = dicts(first_of(loc, "addresses", "physical_addresses", "address"))
    address = addresses[0] if addresses else {}
    lines = [text(address.get(k)) for k in ("address_1", "address_2")]
    latitude, longitude = to_float(loc.get("latitude")), to_float(loc.get("longitude"))
    if (
        latitude is None or longitude is None or (latitude, longitude) == (0, 0)
        or not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):  # fmt: skip
        latitude = longitude = None  # half a position, 0,0 or out of range: treat as unknown
    accessibility = []
    for item in dicts(first_of(loc, "accessibility", "accessibility_for_disabilities")):
        accessibility += [
            text(first_of(item, "description", "accessibility")),
            text(item.get("details")),
        ]
    schedules = _own_schedules(service, sal, loc)
    holidays = [h for owner in (service, sal, loc) for h in dicts(owner.get("holiday_schedules"))]
    min_age, max_age = _ages(service)
    attending = [service.get("attending_type"), service.get("attending_access")]
    return AssetRecord(
        external_id=text(service.get("id")),
        name=text(service.get("name")),
        organisation=organisation(service.get("organization")),
        description=long_text(service.get("description")),
        taxonomy_terms=taxonomy_terms(service),
        min_age=min_age,
        max_age=max_age,
        eligibility=_eligibility(service),
        cost=cost_text(service),
        access=access_modes(*attending, *(s.get("attending_type") for s in schedules)),
        address=", ".join(p for p in lines if p) or text(loc.get("name")),
        town=text(address.get("city")),
        postcode=text(first_of(address, "postal_code", "postcode")),
        latitude=latitude,
        longitude=longitude,
        phone=_phone(service, sal, loc, *dicts(service.get("contacts"))),
        email=text(service.get("email")),
        website=text(service.get("url")),
        opening_hours=schedule_sessions(schedules),
        holiday_closures=holiday_closures(holidays),
        languages=spoken_languages(service, sal, loc),
        accessibility=_sentences(accessibility),
        status=map_status(service.get("status")),
        last_verified=to_date(service.get("assured_date")),
    )


def service_row(
    service: dict[str, Any], ref: str, to_record: Callable[[dict[str, Any]], AssetRecord] = service_record
) -> ParsedRow:
    """A record or the reason there is none; one bad service never stops the rest."""
    missing = [what for what in ("id", "name") if not text(service.get(what))]
    if missing:
        return ParsedRow(ref, error=f"the service has no {' or '.join(missing)}")
    try:
        record = to_record(service).normalise()
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        return ParsedRow(ref, error=f"the service could not be read: {exc}")
    problems = record.problems()
    if problems:
        return ParsedRow(ref, error="; ".join(problems))
    return ParsedRow(ref, record=record)
