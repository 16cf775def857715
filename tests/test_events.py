"""What's on, RSVPs with capacity, and reminders from the database — through the emulation."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.senders.notices import send_due_notices
from bot.services.events import create_event
from db.models import Reminder
from tests.conversation import close_conversation, open_conversation

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
async def chat(sessions, database_url):
    conversation = await open_conversation(sessions, database_url)
    yield conversation
    await close_conversation(conversation)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


async def test_whats_on_rsvp_and_reminders_at_local_times(chat, sessions):
    async with sessions.begin() as session:
        await create_event(
            session, "Friday Youth Club", local("2026-11-27 18:00"), venue="Station Road, LE4", freq="WEEKLY"
        )
    ann = chat.telegram.user("Ann")
    [listing] = await chat.say(ann, "/whatson")
    assert "Friday Youth Club — Fri 27 Nov, 18:00" in listing.plain
    assert "04 Dec" not in listing.plain  # the next repeat is more than a week ahead
    [details] = await chat.press(ann, "1 · Friday Youth Club", listing)
    assert "Station Road, LE4" in details.plain
    [going] = await chat.press(ann, "✅ I'm going", details)
    assert "you're going" in going.plain
    [again] = await chat.press(ann, "✅ I'm going", details)
    assert "already down as going" in again.plain
    async with sessions() as session:
        due = sorted(r.due_at for r in await session.scalars(select(Reminder)))
    # the day before and two hours before, in local time (it is Thursday 10:30 now)
    assert [d.astimezone(LONDON).strftime("%a %H:%M") for d in due] == ["Thu 18:00", "Fri 16:00"]
    assert (await send_due_notices(chat.app)).sent == 0
    chat.clock.now = local("2026-11-26 18:01")
    mark = chat.telegram.mark()
    assert (await send_due_notices(chat.app)).sent == 1
    assert (await send_due_notices(chat.app)).sent == 0  # claimed and sent: never twice
    [reminder] = chat.telegram.bot_messages_since(ann, mark)
    assert "Reminder: Friday Youth Club" in reminder.plain and "18:00" in reminder.plain


async def test_a_reminder_overdue_after_the_event_began_is_dropped(chat, sessions):
    async with sessions.begin() as session:
        await create_event(session, "Coffee Morning", local("2026-11-27 10:00"), venue="Hall")
    ann = chat.telegram.user("Ann")
    [listing] = await chat.say(ann, "/whatson")
    [details] = await chat.press(ann, "1 · Coffee Morning", listing)
    await chat.press(ann, "✅ I'm going", details)
    chat.clock.now = local("2026-11-27 11:00")  # the bot was down through both reminders
    assert (await send_due_notices(chat.app)).sent == 0
    async with sessions() as session:
        assert {r.status for r in await session.scalars(select(Reminder))} == {"dropped"}


async def test_capacity_and_not_going_after_all(chat, sessions):
    async with sessions.begin() as session:
        await create_event(session, "Repair Café", local("2026-11-28 10:00"), capacity=1)
    ann, bob = chat.telegram.user("Ann"), chat.telegram.user("Bob")
    [listing] = await chat.say(ann, "/whatson")
    [details] = await chat.press(ann, "1 · Repair Café", listing)
    assert "Places left: 1" in details.plain
    await chat.press(ann, "✅ I'm going", details)
    [listing_b] = await chat.say(bob, "/whatson")
    [details_b] = await chat.press(bob, "1 · Repair Café", listing_b)
    [full] = await chat.press(bob, "✅ I'm going", details_b)
    assert "it's full" in full.plain
    [details] = await chat.press(ann, "1 · Repair Café", listing)  # the card as it is now
    [cancelled] = await chat.press(ann, "Not going after all", details)
    assert "not going after all" in cancelled.plain
    async with sessions() as session:
        assert {r.status for r in await session.scalars(select(Reminder))} == {"cancelled"}
    [now_going] = await chat.press(bob, "✅ I'm going", details_b)
    assert "you're going" in now_going.plain


async def test_stale_and_forged_event_buttons(chat):
    ann = chat.telegram.user("Ann")
    [old] = await chat.say(ann, "/help")
    past = int((datetime(2020, 1, 1, tzinfo=UTC)).timestamp() // 60)
    for data in ("ev:999:1000", f"eg:999:{past}", "eg:1:abc"):
        replies = await chat.act(ann, ann.press_data(data, old))
        assert "old message" in replies[-1].plain


async def test_nothing_on(chat):
    ann = chat.telegram.user("Ann")
    [reply] = await chat.say(ann, "/whatson")
    assert "don't know of anything on" in reply.plain


async def test_add_to_calendar_sends_an_ics_file(chat, sessions):
    async with sessions.begin() as session:
        await create_event(session, "Litter Pick", local("2026-11-29 10:00"), venue="Braunstone Park")
    ann = chat.telegram.user("Ann")
    [listing] = await chat.say(ann, "/whatson")
    [details] = await chat.press(ann, "1 · Litter Pick", listing)
    [document] = await chat.press(ann, "📅 Add to calendar", details)
    assert document.kind == "document" and document.filename == "event.ics"
    content = document.document.decode()
    assert "SUMMARY:Litter Pick" in content
    assert "DTSTART:20261129T100000Z" in content  # 10:00 in London in November is 10:00 UTC
    assert "LOCATION:Braunstone Park" in content


async def test_a_poster_link_opens_the_event(chat, sessions):
    from bot.handlers.events import deep_link

    async with sessions.begin() as session:
        event = await create_event(session, "Know Your Rights", local("2026-12-02 14:00"), venue="Library")
    assert deep_link("PeopleZonesBot", event.id) == f"https://t.me/PeopleZonesBot?start=ev{event.id}"
    ann = chat.telegram.user("Ann")
    replies = await chat.say(ann, f"/start ev{event.id}")
    assert "People Zones Connect" in replies[0].plain
    assert replies[1].plain.startswith("Know Your Rights") and "Wed 02 Dec, 14:00" in replies[1].plain
    [gone] = (await chat.say(ann, "/start ev99999"))[1:]
    assert "isn't on any more" in gone.plain


@pytest.mark.parametrize(
    "payload",
    ["ev" + "9" * 24, "ev2147483648", "ev0", "ev" + "1" * 400, "ev000000000000000000042"],
)
async def test_a_poster_link_with_an_id_no_event_can_have_says_it_is_gone(chat, payload):
    """Deep links are range-checked as buttons are: never the error handler (issue 13, item 10)."""
    ann = chat.telegram.user("Ann")
    replies = await chat.say(ann, f"/start {payload}")
    assert "People Zones Connect" in replies[0].plain
    assert [r.plain for r in replies[1:]] == [
        "Sorry, that event isn't on any more. Have a look at /whatson for other things on."
    ]
    assert all("went wrong" not in r.plain for r in replies)


async def test_a_start_payload_with_other_digits_is_not_an_event_link(chat):
    ann = chat.telegram.user("Ann")
    replies = await chat.say(ann, "/start ev²")  # str.isdigit() says yes; int() says no
    assert all("went wrong" not in r.plain for r in replies)
    assert "People Zones Connect" in replies[0].plain
    assert replies[-1].plain.startswith("What can I help you find?")  # the welcome and the menu
