"""Reading a date and time, and a length, as coordinators type them (bot/services/when.py): direct
tests of the readers, and the weekday that disagrees with its date asked again in /newevent."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Settings, default_zones
from bot.services.when import WhenError, read_duration, read_length, read_when
from tests.conftest import THURSDAY_MORNING
from tests.conversation import close_conversation, open_conversation

LONDON = ZoneInfo("Europe/London")
NOW = THURSDAY_MORNING  # Thursday 26 November 2026, 10:30 in London
CORA = 9001


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


def read(text: str, now: datetime = NOW) -> str:
    return read_when(text, now, LONDON).astimezone(LONDON).strftime("%a %d %b %Y %H:%M")


def refused(text: str, now: datetime = NOW) -> str:
    with pytest.raises(WhenError) as problem:
        read_when(text, now, LONDON)
    return str(problem.value)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Fri 4 Dec 18:00", "Fri 04 Dec 2026 18:00"),
        ("Friday 4th December at 6pm", "Fri 04 Dec 2026 18:00"),
        ("fri, 4 dec, 6.30 pm", "Fri 04 Dec 2026 18:30"),
        ("4 Dec 2026 18:00", "Fri 04 Dec 2026 18:00"),
        ("Dec 4 6pm", "Fri 04 Dec 2026 18:00"),
        ("4/12 6pm", "Fri 04 Dec 2026 18:00"),
        ("04/12/2026 18:00", "Fri 04 Dec 2026 18:00"),
        ("4/12/26 18:00", "Fri 04 Dec 2026 18:00"),
        ("04.12.2026 18:00", "Fri 04 Dec 2026 18:00"),  # a date, not 04:12
        ("2026-12-04 18:00", "Fri 04 Dec 2026 18:00"),
        ("2026-12-04T18:00", "Fri 04 Dec 2026 18:00"),
        ("tomorrow 10:30", "Fri 27 Nov 2026 10:30"),
        ("tonight 7.30pm", "Thu 26 Nov 2026 19:30"),
        ("18:00", "Thu 26 Nov 2026 18:00"),  # a time alone: today
        ("this friday 7pm", "Fri 27 Nov 2026 19:00"),
        ("friday 7pm", "Fri 27 Nov 2026 19:00"),
        ("next tuesday 10am", "Tue 01 Dec 2026 10:00"),
        ("next thursday 10am", "Thu 03 Dec 2026 10:00"),  # said on a Thursday: a week today
        ("thursday 2pm", "Thu 26 Nov 2026 14:00"),  # today, still ahead
        ("thursday 9am", "Thu 03 Dec 2026 09:00"),  # today's has passed: next week's
        ("sat 2pm", "Sat 28 Nov 2026 14:00"),
        ("Saturday 2 p.m.", "Sat 28 Nov 2026 14:00"),
        ("2pm on Saturday", "Sat 28 Nov 2026 14:00"),
        ("sun 12 noon", "Sun 29 Nov 2026 12:00"),
        ("the 4th at midday", "Fri 04 Dec 2026 12:00"),
        ("Fri 4th 6pm", "Fri 04 Dec 2026 18:00"),
        ("fri 6-8pm", "Fri 27 Nov 2026 18:00"),  # a range: it starts at the first time
        ("sat 11-1pm", "Sat 28 Nov 2026 11:00"),
        ("sat 18:00 to 20:00", "Sat 28 Nov 2026 18:00"),
        ("4 jan 10am", "Mon 04 Jan 2027 10:00"),  # no year: the next 4 January
        ("29/2 6pm", "Tue 29 Feb 2028 18:00"),  # the next 29 February
        ("FRI 4 DEC 6PM", "Fri 04 Dec 2026 18:00"),
    ],
)
def test_common_ways_of_typing_a_day_and_time(typed, meant):
    assert read(typed) == meant


def test_a_weekday_that_disagrees_with_the_date_is_refused_with_the_reason():
    assert refused("Thu 4 Dec 18:00") == (
        "4 December is a Friday, not a Thursday. Please check which you meant and type it again, "
        "like Friday 4 December 18:00"
    )
    assert "4 December is a Friday, not a Saturday" in refused("Sat 4/12 6pm")
    assert "4 December is a Friday, not a Thursday" in refused("thursday the 4th 6pm")
    # typed after this year's 4 December has gone: next year's, which is a Saturday
    assert "4 December 2027 is a Saturday, not a Friday" in refused(
        "Fri 4 Dec 18:00", local("2026-12-05 09:00")
    )
    assert "is a Friday, not a Monday" in refused("Mon 2026-12-04 18:00")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("Friday", "give a time as well as a day"),
        ("", "give a time as well as a day"),
        ("fri 7", 'couldn\'t tell what "7" means'),
        ("fri 4 decmber 6pm", 'couldn\'t read "decmber"'),
        ("next week 6pm", 'couldn\'t read "next"'),
        ("31/11 6pm", "there is no 31 November"),
        ("30/2/2027 6pm", "there is no 30 February"),
        ("4/13 6pm", "there is no 4/13"),
        ("25:00 fri", 'there is no time "25:00"'),
        ("13pm fri", 'there is no time "13pm"'),
        ("fri 6pm 7pm", "more than one time"),
        ("tomorrow 4 Dec 6pm", "more than one day"),
        ("fri sat 6pm", "more than one day"),
        ("1/1/2020 10:00", "already passed"),
        ("9:00", "already passed"),
        ("28/03/2027 01:30", "clocks go forward"),
        ("4/12/2040 6pm", "more than 5 years ahead"),
        ("4/12/9999 6pm", "more than 5 years ahead"),
    ],
)
def test_what_cannot_be_read_is_asked_again_with_the_reason(typed, reason):
    assert reason in refused(typed)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.from_regex(r"[a-z0-9 /:.\-]{0,30}", fullmatch=True))
def test_anything_typed_is_a_moment_ahead_or_a_reason(typed):
    try:
        moment = read_when(typed, NOW, LONDON)
    except WhenError as problem:
        assert str(problem)
    else:
        assert moment > NOW and moment.tzinfo is not None


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("90 minutes", 90),
        ("90 mins", 90),
        ("45m", 45),
        ("2 hours", 120),
        ("2 hrs", 120),
        ("1.5h", 90),
        ("2h30", 150),
        ("1h30m", 90),
        ("1 hour 30 minutes", 90),
        ("1 hour and 30 minutes", 90),
        ("an hour", 60),
        ("half an hour", 30),
        ("an hour and a half", 90),
        ("1 and a half hours", 90),
        ("24 hours", 24 * 60),
    ],
)
def test_lengths(typed, minutes):
    assert read_duration(typed) == timedelta(minutes=minutes)


@pytest.mark.parametrize("typed", ["ages", "", "0 minutes", "25 hours", "9" * 30 + " hours", "20:00", "2"])
def test_what_is_not_a_length(typed):
    assert read_duration(typed) is None


def test_a_length_or_an_end_time_after_the_start():
    start = local("2026-12-04 18:00")
    assert read_length("90 minutes", start, LONDON) == timedelta(minutes=90)
    assert read_length("20:00", start, LONDON) == timedelta(hours=2)
    assert read_length("8.30pm", start, LONDON) == timedelta(hours=2, minutes=30)
    assert read_length("until 9pm", start, LONDON) == timedelta(hours=3)
    assert read_length("17:00", start, LONDON) is None  # before it starts
    assert read_length("soon", start, LONDON) is None
    # across the clocks going back: 00:30 to 02:30 on 25 October 2026 is three hours
    assert read_length("02:30", local("2026-10-25 00:30"), LONDON) == timedelta(hours=3)


@pytest.fixture
async def chat(sessions, database_url):
    config = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    conversation = await open_conversation(sessions, database_url, settings=config)
    yield conversation
    await close_conversation(conversation)


async def test_new_event_asks_again_when_the_weekday_and_date_disagree(chat):
    cora = chat.telegram.user("Cora", user_id=CORA)
    await chat.say(cora, "/newevent")
    await chat.say(cora, "Coffee Morning")
    [again] = await chat.say(cora, "Thu 4 Dec 18:00")
    assert again.plain == (
        "Sorry, 4 December is a Friday, not a Thursday. Please check which you meant and type it "
        "again, like Friday 4 December 18:00."
    )
    [length] = await chat.say(cora, "this friday 7pm")
    assert "How long" in length.plain
    [repeat] = await chat.say(cora, "until 9pm")
    [where] = await chat.press(cora, "No, just once", repeat)
    [places] = await chat.say(cora, "Braunstone Library, LE3 1JJ")
    [about] = await chat.press(cora, "No limit", places)
    [preview] = await chat.press(cora, "Skip", about)
    assert "Fri 27 Nov, 19:00 (120 minutes)" in preview.plain
    assert where.plain.startswith("Where is it")
