"""When a repeating event happens: HSDS schedule ideas (freq, interval, byday) expanded in local
time, so "every Tuesday at 18:00" stays at 18:00 on the clock across the clock changes.

dateutil's rrule does the calendar arithmetic on naive local times; each occurrence is then
given the time zone, which is what makes 18:00 in March and 18:00 in April both 18:00.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, YEARLY, rrule, weekday

# rrule() takes its frequency as one of dateutil's constants YEARLY (0) .. SECONDLY (6).
FREQUENCIES: dict[str, Literal[0, 1, 2, 3, 4, 5, 6]] = {
    "DAILY": DAILY,
    "WEEKLY": WEEKLY,
    "MONTHLY": MONTHLY,
    "YEARLY": YEARLY,
}
_DAYS = {"MO": MO, "TU": TU, "WE": WE, "TH": TH, "FR": FR, "SA": SA, "SU": SU}
MAX_OCCURRENCES = 500


class RecurrenceError(ValueError):
    """The repeat rule cannot be read; the message says which part."""


def parse_byday(byday: str) -> list[weekday]:
    """'MO,TH' -> Mondays and Thursdays; '-1FR' -> the last Friday; '2SA' -> the second Saturday."""
    days = []
    for part in (p.strip().upper() for p in byday.split(",") if p.strip()):
        code, number = part[-2:], part[:-2]
        if code not in _DAYS or (number and not number.lstrip("+-").isdigit()):
            raise RecurrenceError(f"'{part}' is not a day like MO, TH or -1FR")
        days.append(_DAYS[code](int(number)) if number else _DAYS[code])
    return days


def occurrences(
    first_start: datetime,
    tz: ZoneInfo,
    freq: str = "",
    interval: int = 1,
    byday: str = "",
    until: datetime | None = None,
    after: datetime | None = None,
    limit: int = 10,
) -> list[datetime]:
    """The next LIMIT starts (aware, UTC) at or after AFTER; a one-off event without FREQ."""
    start_local = first_start.astimezone(tz).replace(tzinfo=None)
    if not freq:
        starts = [first_start.astimezone(UTC)]
    else:
        if freq.upper() not in FREQUENCIES:
            raise RecurrenceError(f"'{freq}' is not one of {', '.join(FREQUENCIES)}")
        if interval < 1:
            raise RecurrenceError("interval must be 1 or more")
        rule = rrule(
            FREQUENCIES[freq.upper()],
            dtstart=start_local,
            interval=interval,
            byweekday=parse_byday(byday) or None,
            until=until.astimezone(tz).replace(tzinfo=None) if until else None,
            count=None if until else MAX_OCCURRENCES,
        )
        wanted_from = (after or first_start).astimezone(tz).replace(tzinfo=None)
        starts = []
        for moment in rule.xafter(wanted_from, count=limit, inc=True):
            starts.append(moment.replace(tzinfo=tz).astimezone(UTC))
    if after is not None:
        starts = [s for s in starts if s >= after.astimezone(UTC)]
    return starts[:limit]


def occurrence_key(start: datetime) -> str:
    """How one occurrence is named when a single date is called off: its UTC start, ISO 8601."""
    return start.astimezone(UTC).isoformat(timespec="minutes")
