"""Repeating events in Europe/London: weekly, every other week, the last Friday, clock changes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.recurrence import RecurrenceError, occurrences

LONDON = ZoneInfo("Europe/London")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def shown(starts) -> list[str]:
    return [s.astimezone(LONDON).strftime("%a %d %b %H:%M") for s in starts]


def test_a_one_off_event():
    assert shown(occurrences(local("2026-12-01 18:00"), LONDON)) == ["Tue 01 Dec 18:00"]


def test_weekly_stays_at_the_same_clock_time_across_the_spring_change():
    starts = occurrences(local("2027-03-16 18:00"), LONDON, "WEEKLY", limit=3)
    assert shown(starts) == ["Tue 16 Mar 18:00", "Tue 23 Mar 18:00", "Tue 30 Mar 18:00"]
    assert [s.hour for s in starts] == [18, 18, 17]  # in UTC the hour moves; on the clock it doesn't


def test_every_other_week_on_two_days():
    starts = occurrences(local("2026-11-02 10:00"), LONDON, "WEEKLY", interval=2, byday="MO,TH", limit=4)
    assert shown(starts) == ["Mon 02 Nov 10:00", "Thu 05 Nov 10:00", "Mon 16 Nov 10:00", "Thu 19 Nov 10:00"]


def test_the_last_friday_of_the_month():
    starts = occurrences(local("2026-10-30 19:00"), LONDON, "MONTHLY", byday="-1FR", limit=3)
    assert shown(starts) == ["Fri 30 Oct 19:00", "Fri 27 Nov 19:00", "Fri 25 Dec 19:00"]


def test_only_from_a_given_moment_and_until_an_end():
    after = datetime(2026, 11, 20, tzinfo=UTC)
    until = local("2026-12-10 23:59")
    starts = occurrences(local("2026-11-03 18:00"), LONDON, "WEEKLY", after=after, until=until, limit=10)
    assert shown(starts) == ["Tue 24 Nov 18:00", "Tue 01 Dec 18:00", "Tue 08 Dec 18:00"]


@pytest.mark.parametrize(
    ("freq", "byday", "interval"), [("FORTNIGHTLY", "", 1), ("WEEKLY", "XX", 1), ("WEEKLY", "", 0)]
)
def test_rules_that_cannot_be_read(freq, byday, interval):
    with pytest.raises(RecurrenceError):
        occurrences(local("2026-11-03 18:00"), LONDON, freq, interval=interval, byday=byday)
