"""Coordinators' events as an iCalendar (.ics) file, as calendar apps export them: weekly and
monthly RRULEs are read; anything else is reported by name rather than guessed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule
from icalendar import Calendar, vRecur

from db.importers.csv_sheet import read_text
from db.importers.event_record import (
    _BYDAY_PART,
    _FREQ,
    MAX_INTERVAL,
    EventFile,
    EventRecord,
    _capacity,
    _categories,
    _check_end,
    _check_until,
    _Collector,
    _postcode,
    _Reject,
    _rrule_days,
    _title,
    _to_utc,
)
from db.importers.record import SourceFormatError
from db.text import clean_text


def _read_ics(path: Path, tz: ZoneInfo) -> EventFile:
    found = _Collector()
    for number, event in enumerate(_ics_events(path), start=1):
        uid = _ics_text(event, "UID")
        short_ref = f"event {number}"
        ref = f"{short_ref} (UID {uid})" if uid else short_ref
        try:
            record = _ics_event(event, uid, tz)
        except _Reject as exc:
            found.reject(ref, str(exc))
            continue
        found.add(ref, short_ref, record, "UID")
    return found.result()


def _ics_events(path: Path) -> list[Any]:
    if b"\x00" in path.read_bytes()[:65536]:
        raise SourceFormatError(f"{path.name} looks like a binary file, not iCalendar text")
    text = read_text(path)
    if not text.strip():
        raise SourceFormatError(f"{path.name} is empty")
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        detail = " ".join(str(exc).split())[:160]
        raise SourceFormatError(f"{path.name} is not readable iCalendar ({detail})") from None
    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    if not events:
        raise SourceFormatError(f"{path.name} has no events (VEVENT) in it")
    return events


def _ics_event(event: Any, uid: str, tz: ZoneInfo) -> EventRecord:
    if "RECURRENCE-ID" in event:
        raise _Reject("changes one date of a repeating event (not supported yet)")
    if _ics_text(event, "STATUS").upper() == "CANCELLED":
        raise _Reject("cancelled in the file")
    if not uid:
        raise _Reject("no UID, so it could not be matched when the file is imported again")
    title = _title(_ics_text(event, "SUMMARY"))
    start = _ics_moment(event, "DTSTART")
    if start is None:
        raise _Reject("no start (DTSTART)")
    starts_at = _ics_to_utc(start, tz, "the start")
    freq, interval, byday, until = _ics_repeat(event, starts_at.astimezone(tz).replace(tzinfo=None), tz)
    _check_until(until, starts_at, tz)
    return EventRecord(
        external_id=uid,
        title=title,
        starts_at=starts_at,
        ends_at=_ics_end(event, start, starts_at, tz),
        description=_ics_text(event, "DESCRIPTION", keep_lines=True),
        venue=_ics_text(event, "LOCATION"),
        postcode=_postcode(_ics_text(event, "X-PZ-POSTCODE")),
        zone=_ics_text(event, "X-PZ-ZONE"),
        capacity=_capacity(_ics_text(event, "X-PZ-CAPACITY")),
        freq=freq,
        interval=interval,
        byday=byday,
        repeat_until=until,
        categories=_ics_categories(event),
        asset=_ics_text(event, "X-PZ-ASSET"),
    )


def _ics_text(event: Any, name: str, keep_lines: bool = False) -> str:
    value = event.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return clean_text(str(value) if value is not None else "", keep_lines=keep_lines)


def _ics_moment(event: Any, name: str) -> date | None:
    """DTSTART or DTEND as icalendar decodes it (a date, or a datetime with or without a zone)."""
    prop = event.get(name)
    if prop is None:
        return None
    if isinstance(prop, list):
        raise _Reject(f"has more than one {name}")
    value = event.decoded(name)
    if not isinstance(value, date):
        raise _Reject(f"{name} '{value}' is not a date and time")
    tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
    if tzid and isinstance(value, datetime) and value.tzinfo is None:
        raise _Reject(f"{name} is in the time zone '{tzid}', which the bot does not know")
    return value


def _ics_to_utc(value: date, tz: ZoneInfo, what: str) -> datetime:
    """A DATE is midnight where the event is; a floating time is a clock time where it is."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return _to_utc(value, tz, what)


def _ics_end(event: Any, start: date, starts_at: datetime, tz: ZoneInfo) -> datetime | None:
    """DTEND, else DTSTART + DURATION; an all-day event with neither ends at the next midnight."""
    all_day = not isinstance(start, datetime)
    end = _ics_moment(event, "DTEND")
    if end is None and event.get("DURATION") is not None:
        duration = event.decoded("DURATION")
        if not isinstance(duration, timedelta):
            raise _Reject(f"DURATION '{duration}' is not a length of time")
        try:
            end = start + duration if all_day else starts_at + duration
        except OverflowError:
            raise _Reject(f"DURATION ({duration.days} days) ends past the year 9999") from None
    elif end is None and all_day:
        end = start + timedelta(days=1)
    if end is None:
        return None
    ends_at = _ics_to_utc(end, tz, "the end")
    _check_end(ends_at, starts_at, tz, "")
    return ends_at


_RRULE_PARTS = {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"}
MAX_COUNT = 2000  # every day for five years and more; a larger COUNT ran past the calendar's end


def _ics_repeat(event: Any, local_start: datetime, tz: ZoneInfo) -> tuple[str, int, str, datetime | None]:
    """(freq, interval, byday, repeat_until) from RRULE; anything the bot cannot show is a rejection."""
    for name in ("RDATE", "EXDATE", "EXRULE"):
        if name in event:
            raise _cannot_show(name)
    rule = event.get("RRULE")
    if isinstance(rule, list):
        raise _cannot_show("more than one RRULE")
    if rule is None:
        return "", 1, "", None
    if not isinstance(rule, vRecur):
        raise _Reject(f"the repeat rule (RRULE) '{rule}' cannot be read")
    extra = sorted(set(rule) - _RRULE_PARTS)
    if extra:
        raise _cannot_show(", ".join(extra))
    freq = str(_one(rule, "FREQ", "")).upper()
    if freq not in _FREQ:
        raise _cannot_show(f"FREQ={freq}")
    interval = _ics_interval(rule)
    byday = _ics_byday(rule, freq, interval)
    until = _ics_until(rule, local_start, freq, interval, byday, tz)
    return freq, interval, byday, until


def _cannot_show(feature: str) -> _Reject:
    return _Reject(f"repeats in a way the bot cannot show ({feature})")


def _one(rule: vRecur, part: str, default: Any) -> Any:
    values = rule.get(part) or [default]
    if len(values) != 1:
        raise _cannot_show(f"{part} given {len(values)} times")
    return values[0]


def _ics_interval(rule: vRecur) -> int:
    interval = _one(rule, "INTERVAL", 1)
    if not isinstance(interval, int) or not 1 <= interval <= MAX_INTERVAL:
        raise _cannot_show(f"INTERVAL={interval}")
    return interval


def _ics_byday(rule: vRecur, freq: str, interval: int) -> str:
    days = [str(d).upper().lstrip("+") for d in rule.get("BYDAY", [])]
    if any(not _BYDAY_PART.match(d) for d in days):
        raise _cannot_show(f"BYDAY={','.join(days)}")
    if freq == "WEEKLY" and any(d[:-2] for d in days):
        raise _cannot_show(f"BYDAY={','.join(days)} with FREQ=WEEKLY")
    week_start = str(_one(rule, "WKST", "MO")).upper()
    if week_start != "MO" and freq == "WEEKLY" and interval > 1 and len(days) > 1:
        raise _cannot_show(f"WKST={week_start}")  # only then does the first day of the week matter
    return ",".join(dict.fromkeys(days))


def _ics_until(
    rule: vRecur, local_start: datetime, freq: str, interval: int, byday: str, tz: ZoneInfo
) -> datetime | None:
    if "UNTIL" in rule and "COUNT" in rule:
        raise _cannot_show("COUNT and UNTIL together")
    if "COUNT" in rule:
        count = _one(rule, "COUNT", 0)
        if not isinstance(count, int) or count < 1:
            raise _cannot_show(f"COUNT={count}")
        if count > MAX_COUNT:
            raise _cannot_show(f"COUNT={str(count)[:20]}: more than {MAX_COUNT} dates")
        return _to_utc(_last_occurrence(local_start, freq, interval, byday, count), tz, "the last date")
    if "UNTIL" not in rule:
        return None
    until = _one(rule, "UNTIL", None)
    if not isinstance(until, datetime):
        until = datetime.combine(until, time(23, 59, 59))  # a DATE: to the end of that day
    return _to_utc(until, tz, "the repeats' end (UNTIL)")


def _last_occurrence(local_start: datetime, freq: str, interval: int, byday: str, count: int) -> datetime:
    """The local start of the COUNT-th date; RFC 5545 counts DTSTART first even off the rule."""
    rule = rrule(
        _FREQ[freq], dtstart=local_start, interval=interval, byweekday=_rrule_days(byday) or None, count=count
    )
    try:
        dates = list(rule)
    except (ValueError, OverflowError):  # past the year 9999
        raise _cannot_show(f"COUNT={count}: the dates run past the end of the calendar") from None
    if dates[0] != local_start:
        dates = [local_start, *dates][:count]
    return dates[-1]


def _ics_categories(event: Any) -> tuple[str, ...]:
    found = event.get("CATEGORIES")
    props = found if isinstance(found, list) else [found] if found is not None else []
    names = [str(c) for prop in props for c in (getattr(prop, "cats", None) or [prop])]
    return _categories(names)
