"""Opening hours in Europe/London, holidays, and the clock changes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.services.opening import opening_state
from db.hours import parse_hours

LONDON = ZoneInfo("Europe/London")
HOURS = parse_hours("Mon-Fri 09:00-17:00; Sat 10:00-13:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


def test_open_now_and_closing_time():
    state = opening_state(HOURS, [], at("2026-11-26 10:30"), LONDON)  # a Thursday
    assert state.open_now and state.closes_at.strftime("%H:%M") == "17:00"


def test_closed_until_next_session():
    state = opening_state(HOURS, [], at("2026-11-28 14:00"), LONDON)  # Saturday afternoon
    assert not state.open_now
    assert state.opens_at.strftime("%a %H:%M") == "Mon 09:00"


def test_holiday_closure_skips_a_day():
    closures = [{"start": "2026-11-26", "end": "2026-11-26", "closed": True, "opens": "", "closes": ""}]
    state = opening_state(HOURS, closures, at("2026-11-26 10:30"), LONDON)
    assert not state.open_now
    assert state.opens_at.strftime("%a %d %H:%M") == "Fri 27 09:00"


def test_local_time_is_used_across_the_clock_change():
    # 08:30 UTC on a summer Monday is 09:30 in London: open. In winter it is 08:30: not yet.
    summer = opening_state(HOURS, [], datetime(2026, 6, 1, 8, 30, tzinfo=UTC), LONDON)
    winter = opening_state(HOURS, [], datetime(2026, 12, 7, 8, 30, tzinfo=UTC), LONDON)
    assert summer.open_now
    assert not winter.open_now and winter.opens_at.strftime("%H:%M") == "09:00"


def test_unknown_hours():
    assert not opening_state([], [], at("2026-11-26 10:30"), LONDON).known


def test_a_place_open_day_and_night_never_says_it_closes_at_midnight():
    state = opening_state(
        parse_hours("Mon-Sun 00:00-24:00"), [], datetime(2026, 12, 4, 21, 0, tzinfo=UTC), LONDON
    )
    assert state.open_now and state.closes_at is None


def test_a_session_past_midnight_closes_when_the_next_day_s_part_ends():
    hours = parse_hours("Fri 20:00-24:00; Sat 00:00-03:00")
    state = opening_state(hours, [], datetime(2026, 12, 4, 21, 0, tzinfo=UTC), LONDON)
    assert state.open_now and state.closes_at == datetime(2026, 12, 5, 3, 0, tzinfo=LONDON)
