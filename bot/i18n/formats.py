"""Dates, times, weekdays and numbers in the reader's language, from CLDR through Babel (not the
machine's locale, which `strftime` would follow): "Fri 04 Dec, 18:05", "pt. 04 gru, 18:05",
"الجمعة 04 ديسمبر, 18:05". Digits stay the Western ones every language here reads, so times,
phone numbers and postcodes look the same in every message.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, tzinfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_day_names, get_month_names
from babel.numbers import format_decimal

from bot.i18n.current import current
from bot.i18n.languages import ENGLISH

BRITISH = "en_GB"  # the English the bot writes


@functools.cache
def _locale(code: str) -> Locale:
    return Locale.parse(BRITISH if code == ENGLISH else code)


def locale() -> Locale:
    return _locale(current())


def day_date_time(moment: datetime, tz: tzinfo) -> str:
    """ "Fri 04 Dec, 18:05": a moment people will be at."""
    return format_datetime(moment, "EEE dd MMM, HH:mm", tzinfo=tz, locale=locale())


def date_time(moment: datetime, tz: tzinfo) -> str:
    """ "04 Dec 2026, 18:05"."""
    return format_datetime(moment, "dd MMM yyyy, HH:mm", tzinfo=tz, locale=locale())


def short_date_time(moment: datetime, tz: tzinfo) -> str:
    """ "04 Dec 18:05"."""
    return format_datetime(moment, "dd MMM HH:mm", tzinfo=tz, locale=locale())


def day_month(day: date) -> str:
    """ "4 Dec"."""
    return format_date(day, "d MMM", locale=locale())


def full_date(day: date) -> str:
    """ "04 Dec 2026"."""
    return format_date(day, "dd MMM yyyy", locale=locale())


def day_month_name(day: date) -> str:
    """ "4 December"."""
    return format_date(day, "d MMMM", locale=locale())


def day_month_year(day: date) -> str:
    """ "4 December 2026"."""
    return format_date(day, "d MMMM y", locale=locale())


def day_month_year_short(day: date) -> str:
    """ "28 Oct 2026"."""
    return format_date(day, "d MMM y", locale=locale())


def month_name(number: int) -> str:
    """The month's name (1 January ... 12 December), as a date would use it."""
    return str(get_month_names("wide", context="format", locale=locale())[number])


def clock(moment: datetime | time) -> str:
    """ "18:05": the 24-hour clock, as the bot writes times everywhere."""
    return format_time(moment, "HH:mm", locale=locale())


def weekday(number: int) -> str:
    """The weekday's name (0 Monday ... 6 Sunday), as a sentence would use it: "Monday"."""
    return str(get_day_names("wide", context="format", locale=locale())[number])


def decimal(number: float, places: int = 1) -> str:
    """ "2.5" in English, "2,5" in Polish."""
    return format_decimal(number, "0." + "0" * places if places else "0", locale=locale())
