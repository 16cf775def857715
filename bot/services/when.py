"""Reading a date and time as a coordinator types it in a chat, and a length.

Dates: "Fri 4 Dec 18:00", "Friday 4th December at 6pm", "4 Dec 2026 18:00", "Dec 4 6pm", "4/12 6pm",
"04/12/2026 18:00", "2026-12-04 18:00", "tomorrow 10:30", "tonight 7.30pm", "sat 2pm", "this friday
7pm", "next tuesday 10am", "the 4th at noon". Day before month, as in the UK; no year means the
next such date; local time in the bot's time zone. A weekday that disagrees with the date ("Thu 4
Dec" when 4 December is a Friday) is asked again, with the reason, never quietly moved; so is
anything the reader does not understand, rather than guessed around.

"next Tuesday" is the first Tuesday after today (a week today when today is a Tuesday); "Tuesday"
and "this Tuesday" are the coming one, today included while the time is still ahead. The preview
before publishing shows the date in full, so a reading the coordinator did not mean is caught there.

Lengths: "90 minutes", "2 hours", "1.5h", "2h30", "an hour and a half", "half an hour".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from bot import messages as m
from bot.i18n import formats
from bot.i18n.current import speaking
from bot.i18n.languages import ENGLISH

YEARS_AHEAD = 5  # an event further ahead than this is a mistyped year, not a plan
LONGEST = timedelta(hours=24)  # a length longer than a day is a mistyped one

_A = re.ASCII | re.IGNORECASE
_DAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip
_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_RELATIVE = {"today": 0, "tonight": 0, "tomorrow": 1}
_FILLER = {"at", "on", "the", "of", "from", "starting", "starts", "start", "begins", "@", "-"}
_DAY = "|".join(sorted(_DAYS, key=len, reverse=True))
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)"

_ISO = re.compile(r"\b([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:t|\b)", _A)
_NUMERIC = re.compile(
    r"\b([0-9]{1,2})/([0-9]{1,2})(?:/([0-9]{2}|[0-9]{4}))?\b"  # 4/12, 4/12/26, 04/12/2026
    r"|\b([0-9]{1,2})[.-]([0-9]{1,2})[.-]([0-9]{2}|[0-9]{4})\b",  # 04.12.2026, 4-12-26
    _A,
)
_DAY_MONTH = re.compile(rf"\b([0-9]{{1,2}}){_ORDINAL}?\s+(?:of\s+)?({_MONTH})\.?(?:\s+([0-9]{{4}}))?\b", _A)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+([0-9]{{1,2}}){_ORDINAL}?(?:\s+([0-9]{{4}}))?\b", _A)
_DAY_ONLY = re.compile(rf"\b([0-9]{{1,2}}){_ORDINAL}\b", _A)
_WEEKDAY = re.compile(rf"\b(?:(this|next)\s+)?({_DAY})\.?(?=\s|$)", _A)
_WORD_DAY = re.compile(r"\b(today|tonight|tomorrow)\b", _A)
_NOON = re.compile(r"\b(?:12\s*)?(noon|midday)\b", _A)
# a time, and the end of a range after it ("6-8pm", "18:00 to 20:00"): the start is the one wanted
_CLOCK = r"([0-9]{1,2})(?:[:.]([0-9]{2}))?(?:\s*([ap])\.?m\b\.?)?"
_RANGE = re.compile(rf"\b{_CLOCK}\s*(?:-|–|to|until|till)\s*{_CLOCK}", _A)
_TIME = re.compile(r"\b([0-9]{1,2})(?:[:.]([0-9]{2}))?\s*([ap])\.?m\b\.?|\b([0-9]{1,2})[:.]([0-9]{2})\b", _A)


def too_far_ahead(moment: datetime, now: datetime) -> bool:
    """Whether MOMENT is more than YEARS_AHEAD years after NOW (typed, or in a file)."""
    return moment > now + relativedelta(years=YEARS_AHEAD)


class WhenError(ValueError):
    """Not a date and time the bot can be sure of; the message says why, and what to type."""


def exists_locally(local: datetime) -> bool:
    """False for a wall time skipped when the clocks go forward (01:30 on the last Sunday of March)."""
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


@dataclass
class _Reading:
    """What was found in the text so far, and the text with it taken out."""

    rest: str
    day: date | None = None  # a date named outright (or by today / tomorrow)
    year_given: bool = False
    weekday: int | None = None
    which: str = ""  # "this" or "next", before a weekday
    day_of_month: int | None = None  # "the 4th", with no month
    clock: time | None = None

    def take(self, match: re.Match[str]) -> None:
        self.rest = self.rest[: match.start()] + " " + self.rest[match.end() :]


def read_when(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """The moment TEXT names, as aware UTC; raises WhenError when it is unclear or already past."""
    today = now.astimezone(tz).date()
    reading = _Reading(" ".join(text.replace(",", " ").split()))
    named = _read_numeric_dates(reading)  # first: "04.12.2026" is a date, not 04:12
    _read_time(reading)
    _read_date(reading, today, named)
    leftover = [word for word in reading.rest.lower().split() if word not in _FILLER]
    numbers = [word for word in leftover if word.isdigit()]
    if words := [word for word in leftover if not word.isdigit()]:
        raise WhenError(m.WHEN_UNKNOWN_WORD.format(word=words[0][:30]))
    if numbers:  # "fri 7": seven in the morning or the evening?
        raise WhenError(m.WHEN_BARE_NUMBER.format(number=numbers[0][:6]))
    if reading.clock is None:
        raise WhenError(m.WHEN_NO_TIME)
    local = _moment(reading, today, now, tz)
    try:
        moment = local.astimezone(UTC)
    except (OverflowError, ValueError):  # the first or last moment a computer's calendar has
        raise WhenError(m.WHEN_TOO_FAR.format(years=m.counted(YEARS_AHEAD, "year"))) from None
    if not exists_locally(local):
        raise WhenError(m.WHEN_CLOCKS_GO_FORWARD)
    if moment <= now:
        raise WhenError(m.WHEN_PASSED)
    if too_far_ahead(moment, now):
        raise WhenError(m.WHEN_TOO_FAR.format(years=m.counted(YEARS_AHEAD, "year")))
    return moment


def _read_time(reading: _Reading) -> None:
    """The start time: "18:00", "6pm", "6.30 pm", "noon"; of a range ("6-8pm"), the start."""
    if noon := _NOON.search(reading.rest):
        reading.take(noon)
        reading.clock = time(12, 0)
    if (ranged := _RANGE.search(reading.rest)) and any(ranged[g] for g in (2, 3, 5, 6)):
        reading.take(ranged)  # "6-8pm", "18:00 to 20:00" (and never 4-12: no minutes, no am or pm)
        meridiem = ranged[3] or ranged[6]
        if (
            not ranged[3]
            and ranged[6]
            and ranged[6].lower() == "p"
            and int(ranged[1]) % 12 > int(ranged[4]) % 12
        ):
            meridiem = "a"  # "11-1pm" starts at 11 in the morning
        _set_clock(reading, int(ranged[1]), int(ranged[2] or 0), meridiem)
    found = list(_TIME.finditer(reading.rest))
    if len(found) + (reading.clock is not None) > 1:
        raise WhenError(m.WHEN_TWO_TIMES)
    if found:
        match = found[0]
        reading.take(match)
        if match[1] is not None:
            _set_clock(reading, int(match[1]), int(match[2] or 0), match[3])
        else:
            _set_clock(reading, int(match[4]), int(match[5]), None)


def _set_clock(reading: _Reading, hour: int, minute: int, meridiem: str | None) -> None:
    if meridiem:
        if not 1 <= hour <= 12:
            raise WhenError(m.WHEN_BAD_TIME.format(time=f"{hour}{meridiem.lower()}m"))
        hour = hour % 12 + (12 if meridiem.lower() == "p" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise WhenError(m.WHEN_BAD_TIME.format(time=f"{hour}:{minute:02d}"))
    reading.clock = time(hour, minute)


def _read_numeric_dates(reading: _Reading) -> list[tuple[int | None, int, int]]:
    """Dates in figures: 2026-12-04, 4/12, 4/12/26, 04.12.2026, as (year or None, month, day)."""
    named: list[tuple[int | None, int, int]] = []
    while iso := _ISO.search(reading.rest):
        reading.take(iso)
        named.append((int(iso[1]), int(iso[2]), int(iso[3])))
    while match := _NUMERIC.search(reading.rest):
        reading.take(match)
        day, month, year = (match[1], match[2], match[3]) if match[1] else (match[4], match[5], match[6])
        named.append(
            (None if not year else int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))
        )
    return named


def _read_date(reading: _Reading, today: date, named: list[tuple[int | None, int, int]]) -> None:
    """The day: a date (in figures, 4 Dec, Dec 4), today or tomorrow, a weekday, "the 4th"."""
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        while match := pattern.search(reading.rest):
            reading.take(match)
            if pattern is _DAY_MONTH:
                day, month, year = match[1], _MONTHS[match[2].lower()], match[3]
            else:
                day, month, year = match[2], _MONTHS[match[1].lower()], match[3]
            named.append((None if not year else int(year), month, int(day)))
    while word := _WORD_DAY.search(reading.rest):
        reading.take(word)
        relative = today + timedelta(days=_RELATIVE[word[1].lower()])
        named.append((relative.year, relative.month, relative.day))
    while weekday := _WEEKDAY.search(reading.rest):
        reading.take(weekday)
        if reading.weekday is not None and reading.weekday != _DAYS[weekday[2].lower()]:
            raise WhenError(m.WHEN_TWO_DAYS)
        reading.weekday, reading.which = _DAYS[weekday[2].lower()], (weekday[1] or "").lower()
    if not named and (only := _DAY_ONLY.search(reading.rest)):
        reading.take(only)
        reading.day_of_month = int(only[1])
    if len(set(named)) > 1:
        raise WhenError(m.WHEN_TWO_DAYS)
    if named:
        year, month, day = named[0]
        reading.year_given = year is not None
        reading.day = _date(year, month, day, today)


def _date(year: int | None, month: int, day: int, today: date) -> date:
    """The date named; with no year, the next one on or after today (4 Jan typed in December)."""
    if not 1 <= month <= 12:
        raise WhenError(m.WHEN_BAD_DATE.format(date=f"{day}/{month}"))
    if year is not None:
        if _valid(year, month, day):
            return date(year, month, day)
    else:  # this year's if still to come, else the next year that has it (29 February)
        for following in range(today.year, today.year + 9):
            if _valid(following, month, day) and date(following, month, day) >= today:
                return date(following, month, day)
    raise WhenError(m.WHEN_BAD_DATE.format(date=f"{day} {formats.month_name(month)}"))


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except (ValueError, OverflowError):
        return False
    return True


def _moment(reading: _Reading, today: date, now: datetime, tz: ZoneInfo) -> datetime:
    """The local moment the reading names."""
    clock = reading.clock or time(0, 0)
    if reading.day is not None or reading.day_of_month is not None:
        day = reading.day or _next_day_of_month(reading.day_of_month or 0, today)
        if reading.weekday is not None and day.weekday() != reading.weekday:  # "Thu 4 Dec", a Friday
            with speaking(ENGLISH):  # a date to type again, in the English this module reads
                retype = f"{formats.weekday(day.weekday())} {_day_month(day, today, reading.year_given)}"
            raise WhenError(
                m.WHEN_WEEKDAY_CLASH.format(
                    date=_day_month(day, today, reading.year_given),
                    actual=formats.weekday(day.weekday()),
                    typed=formats.weekday(reading.weekday),
                    retype=f"{retype} {formats.clock(clock)}",
                )
            )
    elif reading.weekday is not None:
        ahead = (reading.weekday - today.weekday()) % 7
        if reading.which == "next":
            ahead = ahead or 7  # "next Tuesday" on a Tuesday: a week today
        day = today + timedelta(days=ahead)
        if reading.which != "next" and datetime.combine(day, clock, tz) <= now:
            day += timedelta(days=7)  # "Friday 7pm" on a Friday evening: next week's
    else:
        day = today
    return datetime.combine(day, clock, tz)


def _next_day_of_month(day: int, today: date) -> date:
    """ "The 4th": this month's if it is still to come, else the next month that has it."""
    if not 1 <= day <= 31:
        raise WhenError(m.WHEN_BAD_DATE.format(date=m.WHEN_THE_DAY.format(day=day)))
    month = date(today.year, today.month, 1)
    for _ in range(13):
        if _valid(month.year, month.month, day) and date(month.year, month.month, day) >= today:
            return date(month.year, month.month, day)
        month = (month + timedelta(days=32)).replace(day=1)
    raise WhenError(
        m.WHEN_BAD_DATE.format(date=m.WHEN_THE_DAY.format(day=day))
    )  # pragma: no cover - every month has a 28th


def _day_month(day: date, today: date, with_year: bool) -> str:
    return formats.day_month_year(day) if with_year or day.year != today.year else formats.day_month_name(day)


_HOURS = r"(?:h|hr|hrs|hour|hours)"
_MINUTES = r"(?:m|min|mins|minute|minutes)"
_AN_HOUR_AND_A_HALF = r"(?:an|one|1) (?:hour and a half|and a half hours?)"
_LENGTHS = (
    (re.compile(r"half an? hour", _A), lambda _: timedelta(minutes=30)),
    (re.compile(_AN_HOUR_AND_A_HALF, _A), lambda _: timedelta(minutes=90)),
    (re.compile(r"an? hour", _A), lambda _: timedelta(hours=1)),
    (
        re.compile(rf"([0-9]+(?:\.[0-9]+)?)\s*{_HOURS}(?:\s*(?:and\s*)?([0-9]+)\s*{_MINUTES}?)?", _A),
        lambda match: timedelta(hours=float(match[1]), minutes=int(match[2] or 0)),
    ),
    (re.compile(rf"([0-9]+)\s*{_MINUTES}", _A), lambda match: timedelta(minutes=int(match[1]))),
)


def read_duration(text: str) -> timedelta | None:
    """'90 minutes', '2 hours', '1.5h', '2h30', '1 hour 30 minutes', 'an hour and a half', 'half an
    hour' -> a length; None when it is not one, or not a length an event could have (none, or
    more than a day)."""
    cleaned = " ".join(text.lower().replace(",", " ").split())
    for pattern, length in _LENGTHS:
        if match := pattern.fullmatch(cleaned):
            try:
                found = length(match)
            except OverflowError:
                return None
            return found if timedelta(0) < found <= LONGEST else None
    return None


def read_length(text: str, start: datetime, tz: ZoneInfo) -> timedelta | None:
    """How long an event that starts at START lasts: a length ("90 minutes", see read_duration), or
    the time it ends that day ("20:00", "8pm", "until 8.30pm"); None when it is neither, or the end
    is not after the start."""
    if (length := read_duration(text)) is not None:
        return length
    reading = _Reading(re.sub(r"^(?:until|till|to|ends?(?:\s+at)?)\s+", "", text.strip(), flags=_A))
    try:
        _read_time(reading)
    except WhenError:
        return None
    if reading.clock is None or reading.rest.strip():
        return None
    end = datetime.combine(start.astimezone(tz).date(), reading.clock, tz)
    found = end.astimezone(UTC) - start
    return found if timedelta(0) < found <= LONGEST else None
