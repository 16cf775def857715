"""Coordinators' event files, CSV or iCalendar (.ics), read into plain records without the database.

Every row becomes either an `EventRecord` or a `RejectedRow` whose reason a coordinator can act on;
only a file that cannot be read at all raises `SourceFormatError`, so one bad row never loses the rest.
Times in a file are clock times where the events happen (`tz`); records hold aware UTC. Repeats take
the shape `bot.services.recurrence` expands: freq "WEEKLY"/"MONTHLY", an interval and an RRULE byday.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser
from dateutil.rrule import FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, rrule, weekday
from icalendar import Calendar, vRecur

from db.importers.csv_sheet import read_text
from db.importers.record import SourceFormatError
from db.sheet import unneutralise
from db.text import clean_text, normalise_postcode

CSV_COLUMNS = (
    "id", "title", "description", "starts", "ends", "venue", "postcode", "zone", "capacity",
    "repeats", "every", "days", "until", "categories", "asset",
)  # fmt: skip
CSV_REQUIRED = ("title", "starts")
TEMPLATE = "db/data/event_template.csv"
MAX_TITLE = 500
MAX_INTERVAL = 52

_RRULE_DAYS: dict[str, weekday] = {"MO": MO, "TU": TU, "WE": WE, "TH": TH, "FR": FR, "SA": SA, "SU": SU}
_BYDAY_PART = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_FREQ = {"WEEKLY": WEEKLY, "MONTHLY": MONTHLY}


@dataclass(frozen=True)
class EventRecord:
    """An event as read from a file, before it meets the database."""

    external_id: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    description: str = ""
    venue: str = ""
    postcode: str = ""
    zone: str = ""
    capacity: int | None = None
    freq: str = ""
    interval: int = 1
    byday: str = ""
    repeat_until: datetime | None = None
    categories: tuple[str, ...] = ()
    asset: str = ""  # the directory asset it belongs to: its id, or its id in the source file


@dataclass(frozen=True)
class RejectedRow:
    row: str  # "row 7" or "event 3 (UID abc)": how a coordinator finds it in their file
    reason: str


@dataclass(frozen=True)
class EventFile:
    records: list[EventRecord]
    rejected: list[RejectedRow]


class _Reject(ValueError):
    """This row cannot be used; the message is the reason the coordinator sees."""


def read_event_file(path: Path, tz: ZoneInfo) -> EventFile:
    """Read a .csv or .ics events file; per-row problems are in `rejected`, not raised."""
    readers = {".csv": _read_csv, ".ics": _read_ics}
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise SourceFormatError(f"{path.name} is not a .csv or .ics events file")
    try:
        return reader(path, tz)
    except OSError as exc:
        raise SourceFormatError(f"{path.name} cannot be opened ({exc.strerror or exc})") from None


class _Collector:
    """Keeps records and rejections in file order, and refuses a second row with the same id."""

    def __init__(self) -> None:
        self.records: list[EventRecord] = []
        self.rejected: list[RejectedRow] = []
        self._first_seen: dict[str, str] = {}

    def reject(self, ref: str, reason: str) -> None:
        self.rejected.append(RejectedRow(ref, reason))

    def add(self, ref: str, short_ref: str, record: EventRecord, same_what: str) -> None:
        earlier = self._first_seen.get(record.external_id)
        if earlier:
            self.reject(ref, f"the same {same_what} as {earlier}")
            return
        self._first_seen[record.external_id] = short_ref
        self.records.append(record)

    def result(self) -> EventFile:
        return EventFile(self.records, self.rejected)


# --- CSV ---------------------------------------------------------------------------------------


def _read_csv(path: Path, tz: ZoneInfo) -> EventFile:
    rows = _csv_rows(path)
    header = [_header_name(c) for c in rows[0]]
    _check_header(header, path.name)
    found = _Collector()
    for number, cells in enumerate(rows[1:], start=2):  # spreadsheet rows: the header is row 1
        if not any(c.strip() for c in cells):
            continue
        ref = f"row {number}"
        if any(c.strip() for c in cells[len(header) :]):
            found.reject(ref, f"has {len(cells)} cells but the header has {len(header)}")
            continue
        row = {h: unneutralise(c.strip()) for h, c in zip(header, cells, strict=False) if h}
        try:
            record = _csv_event(row, tz)
        except _Reject as exc:
            found.reject(ref, str(exc))
            continue
        same_what = "id" if row.get("id") else "title and start"
        found.add(ref, ref, record, same_what)
    return found.result()


def _csv_rows(path: Path) -> list[list[str]]:
    text = read_text(path)
    if not text.strip():
        raise SourceFormatError(f"{path.name} is empty")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as exc:
        raise SourceFormatError(
            f"{path.name} stops being readable CSV near row {reader.line_num + 1} ({exc})"
        ) from None


def _header_name(cell: str) -> str:
    """The rule csv_sheet uses: 'Repeat Until' and 'repeat-until' both mean repeat_until."""
    return "_".join(cell.strip().lower().replace("-", " ").split())


def _check_header(header: list[str], name: str) -> None:
    named = [h for h in header if h]
    if len(set(named)) != len(named):
        twice = sorted({h for h in named if named.count(h) > 1})
        raise SourceFormatError(f"{name} has a column named twice ({', '.join(twice)})")
    missing = [c for c in CSV_REQUIRED if c not in named]
    unknown = [h for h in named if h not in CSV_COLUMNS]
    if not missing and not unknown:
        return
    problems = []
    if missing:
        problems.append(f"no {' or '.join(repr(c) for c in missing)} column")
    if unknown:
        problems.append(f"unknown columns: {', '.join(unknown[:8])}")
    raise SourceFormatError(f"{name} does not have the event columns ({'; '.join(problems)}); see {TEMPLATE}")


def _csv_event(cell: dict[str, str], tz: ZoneInfo) -> EventRecord:
    title = _title(cell.get("title", ""))
    starts_at = _csv_start(cell.get("starts", ""), tz)
    local_start = starts_at.astimezone(tz).replace(tzinfo=None)
    ends_at = _csv_end(cell.get("ends", ""), starts_at, tz)
    freq, interval, byday = _csv_repeat(cell)
    repeat_until = _csv_until(cell.get("until", ""), tz) if freq else None
    if freq:
        _check_first_date(local_start, freq, interval, byday, cell.get("days", ""))
        _check_until(repeat_until, starts_at, tz)
    return EventRecord(
        external_id=cell.get("id", "") or _digest(title, starts_at),
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        description=clean_text(cell.get("description", ""), keep_lines=True),
        venue=clean_text(cell.get("venue", "")),
        postcode=_postcode(cell.get("postcode", "")),
        zone=clean_text(cell.get("zone", "")),
        capacity=_capacity(cell.get("capacity", "")),
        freq=freq,
        interval=interval,
        byday=byday,
        repeat_until=repeat_until,
        categories=_categories([cell.get("categories", "")]),
        asset=clean_text(cell.get("asset", "")),
    )


def _digest(title: str, starts_at: datetime) -> str:
    """An id for a row without one, stable across re-imports of the same file (or the same row)."""
    blob = f"{title.casefold()}\n{starts_at.isoformat()}".encode()
    return "csv-" + hashlib.sha256(blob).hexdigest()[:16]


def _csv_start(text: str, tz: ZoneInfo) -> datetime:
    example = "like 2026-12-04 18:00"
    if not text:
        raise _Reject(f"no start: give a date and time {example}")
    day, clock = _read_moment(text, f"the start '{text}' is not a date and time {example}")
    if day is None:
        raise _Reject(f"the start '{text}' is not a date and time {example}")
    if clock is None:
        raise _Reject(f"the start '{text}' has no time: give a time as well as a date, {example}")
    return _to_utc(datetime.combine(day, clock), tz, "the start")


def _csv_end(text: str, starts_at: datetime, tz: ZoneInfo) -> datetime | None:
    """An end of '20:00' alone means the same day as the start."""
    if not text:
        return None
    shape = "a time like 20:00 or a date and time like 2026-12-04 20:00"
    day, clock = _read_moment(text, f"the end '{text}' is not {shape}")
    if clock is None:
        raise _Reject(f"the end '{text}' has no time: give {shape}")
    ends_at = _to_utc(datetime.combine(day or starts_at.astimezone(tz).date(), clock), tz, "the end")
    hint = "" if day else "; if it ends the next day, give the date as well"
    _check_end(ends_at, starts_at, tz, hint)
    return ends_at


def _csv_until(text: str, tz: ZoneInfo) -> datetime | None:
    """A date alone means the repeats run to the end of that day."""
    if not text:
        return None
    day, clock = _read_moment(text, f"until '{text}' is not a date like 2027-03-31")
    if day is None:
        raise _Reject(f"until '{text}' is not a date like 2027-03-31")
    return _to_utc(datetime.combine(day, clock or time(23, 59, 59)), tz, "until")


_REPEATS = {
    "": ("", 1), "no": ("", 1), "none": ("", 1), "never": ("", 1), "once": ("", 1), "one-off": ("", 1),
    "weekly": ("WEEKLY", 1), "fortnightly": ("WEEKLY", 2), "monthly": ("MONTHLY", 1),
}  # fmt: skip


def _csv_repeat(cell: dict[str, str]) -> tuple[str, int, str]:
    """(freq, interval, byday) from the repeats, every and days cells."""
    said = cell.get("repeats", "").strip().lower()
    if said not in _REPEATS:
        raise _Reject(f"repeats '{said}' is not weekly, fortnightly or monthly (or empty for a one-off)")
    freq, interval = _REPEATS[said]
    every, days = cell.get("every", ""), cell.get("days", "")
    if not freq:
        if every or days or cell.get("until", ""):
            raise _Reject("every, days or until is filled in but repeats is empty: say weekly or monthly")
        return "", 1, ""
    if every:
        interval = _every(every, said)
    return freq, interval, _csv_days(days, freq)


def _every(text: str, said: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_INTERVAL:
        raise _Reject(f"every '{text}' is not a whole number from 1 to {MAX_INTERVAL}")
    if said == "fortnightly" and number != 2:
        raise _Reject("fortnightly already means every 2 weeks: for another gap say weekly and every N")
    return number


def _csv_days(text: str, freq: str) -> str:
    if not text:
        return ""
    byday = _parse_days(text)
    numbered = [d for d in byday.split(",") if d[:-2]]
    if freq == "WEEKLY" and numbered:
        raise _Reject(f"days '{text}': a day like 'last Friday' only fits a monthly repeat")
    if freq == "MONTHLY" and len(numbered) < len(byday.split(",")):
        raise _Reject(f"days '{text}': say which one in the month, like 'first Tuesday' or 'last Tuesday'")
    return byday


_DAY_WORDS = {
    "MO": ("mo", "mon", "monday"), "TU": ("tu", "tue", "tues", "tuesday"),
    "WE": ("we", "wed", "weds", "wednesday"), "TH": ("th", "thu", "thur", "thurs", "thursday"),
    "FR": ("fr", "fri", "friday"), "SA": ("sa", "sat", "saturday"), "SU": ("su", "sun", "sunday"),
}  # fmt: skip
_DAY_NAMES = {word: code for code, words in _DAY_WORDS.items() for word in words}
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5,
}  # fmt: skip
_FILLER = {"every", "each", "the", "on", "of", "month", "in", "to"}


def _parse_days(text: str) -> str:
    """'Mon, Thu' or 'Monday and Thursday' -> 'MO,TH'; 'last Friday' -> '-1FR'; '1st Tue' -> '1TU'.

    '2nd and 4th Tuesday' -> '2TU,4TU'; anything else rejects the row.
    """
    parts = re.split(r"[,;/&+]|\band\b", text.lower())
    codes: list[str] = []
    pending: list[str] = []  # ordinals waiting for their day, as in '2nd and 4th Tuesday'
    for part in (p.strip() for p in parts if p.strip()):
        number, day = _day_part(part, text)
        if day is None:
            pending.append(number)
            continue
        codes.extend(f"{n}{day}" for n in (*pending, number))
        pending = []
    if pending or not codes:
        raise _Reject(f"days '{text}' are not days like 'Mon, Thu' or 'last Friday'")
    return ",".join(dict.fromkeys(codes))


def _day_part(part: str, text: str) -> tuple[str, str | None]:
    """One piece of the days cell: ('-1', 'FR') for 'last friday'; ('2', None) for a bare '2nd'."""
    bad = _Reject(f"days '{text}' are not days like 'Mon, Thu' or 'last Friday'")
    if match := _BYDAY_PART.match(part.upper().replace(" ", "")):
        return (match.group(1) or "").lstrip("+"), match.group(2)
    words = [w for w in part.split() if w not in _FILLER]
    if not words:
        raise bad
    day = _DAY_NAMES.get(words[-1]) or _DAY_NAMES.get(words[-1].removesuffix("s"))
    ordinal_words = words[:-1] if day else words
    if ordinal_words == ["last"]:
        return "-1", day
    if ordinal_words and ordinal_words[0] in _ORDINALS and ordinal_words[1:] in ([], ["last"]):
        value = _ORDINALS[ordinal_words[0]]
        return str(-value if ordinal_words[1:] else value), day
    if ordinal_words or day is None:
        raise bad
    return "", day


def _check_first_date(local_start: datetime, freq: str, interval: int, byday: str, said: str) -> None:
    """The bot shows the start as the first date, so it must be one of the repeat's own dates."""
    if not byday:
        return
    rule = rrule(_FREQ[freq], dtstart=local_start, interval=interval, byweekday=_rrule_days(byday), count=1)
    if rule[0] != local_start:
        raise _Reject(f"the start ({local_start:%a %d %b %Y}) is not one of the repeat days ('{said}')")


# --- iCalendar ---------------------------------------------------------------------------------


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
        end = start + duration if all_day else starts_at + duration
    elif end is None and all_day:
        end = start + timedelta(days=1)
    if end is None:
        return None
    ends_at = _ics_to_utc(end, tz, "the end")
    _check_end(ends_at, starts_at, tz, "")
    return ends_at


_RRULE_PARTS = {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"}


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
    dates = list(rule)
    if dates[0] != local_start:
        dates = [local_start, *dates][:count]
    return dates[-1]


def _ics_categories(event: Any) -> tuple[str, ...]:
    found = event.get("CATEGORIES")
    props = found if isinstance(found, list) else [found] if found is not None else []
    names = [str(c) for prop in props for c in (getattr(prop, "cats", None) or [prop])]
    return _categories(names)


# --- shared cell rules -------------------------------------------------------------------------


def _title(text: str) -> str:
    title = clean_text(text)
    if not title:
        raise _Reject("no title")
    if len(title) > MAX_TITLE:
        raise _Reject(f"the title is longer than {MAX_TITLE} characters")
    return title


def _capacity(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise _Reject(f"the capacity '{text}' is not a whole number above 0")
    return number


def _postcode(text: str) -> str:
    """'le1 5ww' -> 'LE1 5WW'; a value not shaped like a postcode is kept, uppercased."""
    return normalise_postcode(text) or clean_text(text).upper()


def _categories(cells: list[str]) -> tuple[str, ...]:
    names = (clean_text(part).lower() for cell in cells for part in re.split(r"[;,]", cell))
    return tuple(dict.fromkeys(name for name in names if name))


def _rrule_days(byday: str) -> list[weekday]:
    days = []
    for part in byday.split(","):
        match = _BYDAY_PART.match(part)
        if match:
            number = match.group(1)
            days.append(_RRULE_DAYS[match.group(2)](int(number)) if number else _RRULE_DAYS[match.group(2)])
    return days


# --- times -------------------------------------------------------------------------------------

_YEAR_FIRST = re.compile(r"^\d{4}-")
_ZONE_NAMES: dict[str, Any] = {"Z": UTC, "UTC": UTC, "GMT": UTC, "BST": 3600}
# Two parses with different defaults: a part that differs between them was not in the text.
_DEFAULTS = (datetime(2001, 1, 1, 0, 0), datetime(2004, 2, 2, 1, 0))


def _read_moment(text: str, not_a_date: str) -> tuple[date | None, time | None]:
    """The date and the clock time written in a cell, each None when absent; the time keeps any zone.

    ISO dates are read year first; everything else day first, as people in the UK write them.
    """
    year_first = bool(_YEAR_FIRST.match(text))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an unknown zone name is ignored, not a warning
            first, second = (
                date_parser.parse(
                    text, default=d, dayfirst=not year_first, yearfirst=year_first, tzinfos=_ZONE_NAMES
                )
                for d in _DEFAULTS
            )
    except (ValueError, OverflowError):
        raise _Reject(not_a_date) from None
    day = first.date() if first.date() == second.date() else None
    clock = first.timetz() if first.time() == second.time() else None
    if day is None and clock is None:
        raise _Reject(not_a_date)
    return day, clock


def _to_utc(moment: datetime, tz: ZoneInfo, what: str) -> datetime:
    """A clock time where the event is -> aware UTC; the earlier of two in the autumn's repeated hour."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    aware = moment.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != moment:
        raise _Reject(f"{what} {moment:%Y-%m-%d %H:%M} does not exist in {tz}: the clocks go forward then")
    return aware.astimezone(UTC)


def _local(moment: datetime, tz: tzinfo) -> str:
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"


def _check_end(ends_at: datetime, starts_at: datetime, tz: ZoneInfo, hint: str) -> None:
    if ends_at <= starts_at:
        raise _Reject(
            f"the end ({_local(ends_at, tz)}) is not after the start ({_local(starts_at, tz)}){hint}"
        )


def _check_until(until: datetime | None, starts_at: datetime, tz: ZoneInfo) -> None:
    if until is not None and until < starts_at:
        raise _Reject(
            f"the repeats end ({_local(until, tz)}) before the first date ({_local(starts_at, tz)})"
        )
