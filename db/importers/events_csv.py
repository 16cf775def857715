"""Coordinators' events as a CSV spreadsheet, in the columns of db/data/event_template.csv."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule

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
    _read_moment,
    _Reject,
    _rrule_days,
    _title,
    _to_utc,
)
from db.importers.record import SourceFormatError
from db.sheet import unneutralise
from db.text import clean_text

CSV_COLUMNS = (
    "id", "title", "description", "starts", "ends", "venue", "postcode", "zone", "capacity",
    "repeats", "every", "days", "until", "categories", "asset",
)  # fmt: skip
CSV_REQUIRED = ("title", "starts")
TEMPLATE = "db/data/event_template.csv"


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
    try:
        first = next(iter(rule), None)
    except (ValueError, OverflowError):  # the next such day is past the year 9999
        first = None
    if first != local_start:
        raise _Reject(f"the start ({local_start:%a %d %b %Y}) is not one of the repeat days ('{said}')")
