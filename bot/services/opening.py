"""Is it open now, and if not, when does it open? From weekly hours and holiday closures.

All in the configured time zone (Europe/London), so the answer is right across the clock changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from db.hours import DAYS

LOOK_AHEAD_DAYS = 8


@dataclass(frozen=True)
class OpeningState:
    known: bool  # are there any hours to go on?
    open_now: bool = False
    closes_at: datetime | None = None  # local time, when open now
    opens_at: datetime | None = None  # local time, the next opening when closed


def _sessions_on(
    day: date, hours: list[dict[str, Any]], closures: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    for closure in closures:
        if closure["start"] <= day.isoformat() <= closure["end"]:
            return [] if closure.get("closed") else [(closure["opens"], closure["closes"])]
    code = DAYS[day.weekday()]
    return sorted((s["opens"], s["closes"]) for s in hours if s["day"] == code)


def _at(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    if hhmm == "24:00":
        return datetime.combine(day + timedelta(days=1), time(0, 0), tz)
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tz)


def _runs_on_until(
    end: datetime, hours: list[dict[str, Any]], closures: list[dict[str, Any]], tz: ZoneInfo
) -> datetime | None:
    """When a session that ends at END really closes: a next session starting the moment it ends
    (24:00 then 00:00) runs on. None when it never closes within the week: open all hours."""
    for _ in range(LOOK_AHEAD_DAYS * 4):
        day = end.astimezone(tz).date()
        following = [
            _at(d, closes, tz)
            for d in (day - timedelta(days=1), day)
            for opens, closes in _sessions_on(d, hours, closures)
            if _at(d, opens, tz) == end and _at(d, closes, tz) > end
        ]
        if not following:
            return end
        end = max(following)
    return None


def days_ahead(moment: datetime, now: datetime, tz: ZoneInfo) -> int:
    """Calendar days from NOW to MOMENT where the asset is: 0 today, 1 tomorrow, 7 this day next week
    (so "Thursday 09:30" said on a Thursday evening is next week's)."""
    return (moment.astimezone(tz).date() - now.astimezone(tz).date()).days


def opening_state(
    hours: list[dict[str, Any]], closures: list[dict[str, Any]], now: datetime, tz: ZoneInfo
) -> OpeningState:
    """Open now (until when), or when it next opens within about a week."""
    if not hours:
        return OpeningState(known=False)
    local = now.astimezone(tz)
    for offset in range(LOOK_AHEAD_DAYS):
        day = local.date() + timedelta(days=offset)
        for opens, closes in _sessions_on(day, hours, closures):
            start, end = _at(day, opens, tz), _at(day, closes, tz)
            if start <= local < end:
                until = _runs_on_until(end, hours, closures, tz)
                return OpeningState(known=True, open_now=True, closes_at=until)
            if local < start:
                return OpeningState(known=True, opens_at=start)
    return OpeningState(known=True)
