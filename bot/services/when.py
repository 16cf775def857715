"""Reading a date and time as a coordinator types it in a chat: "Fri 4 Dec 18:00", "4/12 6pm",
"tomorrow 10:30", "next Friday 7pm", "2026-12-04 18:00". Day before month, as in the UK; no year
means the next such date; local time in the bot's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta

_TIME = re.compile(r"\d{1,2}(:\d{2}|\.\d{2}|\s*[ap]\.?m\b)|\bnoon\b|\bmidday\b", re.I)
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_RELATIVE = {"today": 0, "tonight": 0, "tomorrow": 1}
YEARS_AHEAD = 5  # an event further ahead than this is a mistyped year, not a plan


def too_far_ahead(moment: datetime, now: datetime) -> bool:
    """Whether MOMENT is more than YEARS_AHEAD years after NOW (typed, or in a file)."""
    return moment > now + relativedelta(years=YEARS_AHEAD)


class WhenError(ValueError):
    """Not a date and time the bot can be sure of; the message says what to type."""


def exists_locally(local: datetime) -> bool:
    """False for a wall time skipped when the clocks go forward (01:30 on the last Sunday of March)."""
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def read_when(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """The moment TEXT names, as aware UTC; raises WhenError when it is unclear or already past."""
    cleaned = " ".join(text.lower().replace(",", " ").replace(" at ", " ").split())
    cleaned = re.sub(r"\b(noon|midday)\b", "12:00", cleaned)
    cleaned = re.sub(r"\bnext\b", "", cleaned)
    if not _TIME.search(cleaned):
        raise WhenError("give a time as well as a day, like Fri 4 Dec 18:00")
    today = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    default = today
    for word, days in _RELATIVE.items():
        if re.search(rf"\b{word}\b", cleaned):
            default = today + timedelta(days=days)
            cleaned = re.sub(rf"\b{word}\b", "", cleaned)
    try:
        local = _iso(cleaned) or date_parser.parse(cleaned.strip(), dayfirst=True, default=default)
    except (ValueError, OverflowError):
        raise WhenError("I couldn't read that; try a day and time like Fri 4 Dec 18:00") from None
    if local < today and not _YEAR.search(cleaned):
        local = local.replace(year=local.year + 1)  # "4 Jan" typed in December
    aware = local.replace(tzinfo=tz)
    if not exists_locally(aware):
        raise WhenError("that time doesn't exist here: the clocks go forward then")
    moment = aware.astimezone(UTC)
    if moment <= now:
        raise WhenError("that time has already passed")
    if too_far_ahead(moment, now):
        raise WhenError(f"that is more than {YEARS_AHEAD} years ahead: is the year right?")
    return moment


def _iso(text: str) -> datetime | None:
    """2026-12-04 18:00 is year-month-day whatever the day-first rule says."""
    try:
        parsed = datetime.fromisoformat(text.strip().upper())
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


def read_duration(text: str) -> timedelta | None:
    """'90 minutes', '2 hours', '1.5h', '2h30' -> a length; None when it is not one."""
    cleaned = text.lower().strip()
    hours = r"(\d+(?:\.\d+)?)\s*(h|hr|hrs|hour|hours)(?:\s*(\d+)\s*(m|min|mins|minutes)?)?"
    match = re.fullmatch(hours, cleaned)
    if match:
        return timedelta(hours=float(match[1]), minutes=int(match[3] or 0))
    match = re.fullmatch(r"(\d+)\s*(m|min|mins|minutes)", cleaned)
    return timedelta(minutes=int(match[1])) if match else None
