"""Events read from a coordinator's file, before they meet the database: the record, a rejected
row with its reason, and the rules every cell follows whatever the format (titles, capacity,
postcodes, dates and times in the events' own time zone, repeats)."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser
from dateutil.rrule import FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, weekday

from db.text import clean_text, normalise_postcode

MAX_TITLE = 500
MAX_INTERVAL = 52
MAX_CAPACITY = 10_000  # as many places as /newevent and /myevents accept
FIRST_YEAR = 1970  # an event before this is a typo, and before year 1 cannot be held at all

_RRULE_DAYS: dict[str, weekday] = {"MO": MO, "TU": TU, "WE": WE, "TH": TH, "FR": FR, "SA": SA, "SU": SU}
_BYDAY_PART = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
# rrule() takes its frequency as one of dateutil's constants YEARLY (0) .. SECONDLY (6).
_FREQ: dict[str, Literal[0, 1, 2, 3, 4, 5, 6]] = {"WEEKLY": WEEKLY, "MONTHLY": MONTHLY}


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
    ref: str = field(default="", compare=False)  # "row 7" or "event 3 (UID abc)", once collected


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
        self.records.append(replace(record, ref=ref))

    def result(self) -> EventFile:
        return EventFile(self.records, self.rejected)


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
    too_many = _Reject(f"the capacity '{text[:20]}' is more than {MAX_CAPACITY:,} places")
    if text.isascii() and text.isdigit() and len(text.lstrip("0")) > len(str(MAX_CAPACITY)):
        raise too_many  # never a number the database cannot hold (nor a slow 5,000-digit one)
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise _Reject(f"the capacity '{text[:20]}' is not a whole number above 0")
    if number > MAX_CAPACITY:
        raise too_many
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
    """A clock time where the event is -> aware UTC; the earlier of two in the autumn's repeated hour.

    A year before FIRST_YEAR, or one at the very edge of the calendar, is refused (never an
    OverflowError).
    """
    try:
        if moment.tzinfo is not None:
            utc = moment.astimezone(UTC)
        else:
            aware = moment.replace(tzinfo=tz, fold=0)
            if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != moment:
                raise _Reject(
                    f"{what} {moment:%Y-%m-%d %H:%M} does not exist in {tz}: the clocks go forward then"
                )
            utc = aware.astimezone(UTC)
        utc.astimezone(tz)  # shown where the event is: that must be a date too
    except OverflowError:
        raise _Reject(f"{what} {moment.date().isoformat()} is not a date the bot can use") from None
    if utc.year < FIRST_YEAR:
        raise _Reject(f"{what} {moment.date().isoformat()} is before {FIRST_YEAR}: is the year right?")
    return utc


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
