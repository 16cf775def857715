"""A resident's own events, through the emulation: /going lists what they said they are going to,
soonest first, each with "not going after all"; an event card says when they are going."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services.event_changes import cancel_event
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


def labels(message) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


async def go(chat, who, listing, label):
    [card] = await chat.press(who, label, listing)
    [going] = await chat.press(who, "✅ I'm going", card)
    assert "you're going" in going.plain
    return going


async def test_going_lists_my_events_soonest_first_each_with_not_going_after_all(chat, sessions):
    async with sessions.begin() as session:
        await create_event(session, "Litter Pick", local("2026-11-29 10:00"), venue="Braunstone Park")
        await create_event(session, "Repair Café", local("2026-11-28 10:00"), venue="Hall")
        await create_event(session, "Quiz Night", local("2026-11-27 19:00"), venue="The Bell")
        cancelled = await create_event(session, "Carol Singing", local("2026-12-01 18:00"))
    ann, bob = chat.telegram.user("Ann"), chat.telegram.user("Bob")
    [nothing] = await chat.say(ann, "/going")
    assert "haven't said you're going to anything" in nothing.plain
    assert labels(nothing) == ["🗓 What's on"]
    [listing] = await chat.press(ann, "🗓 What's on", nothing)
    assert "Quiz Night" in listing.plain and "🎟 Events I'm going to" not in labels(listing)
    going = await go(chat, ann, listing, "3 · Litter Pick")
    assert "/going" in going.plain and labels(going) == ["🎟 Events I'm going to"]
    await go(chat, ann, listing, "2 · Repair Café")
    await go(chat, ann, listing, "4 · Carol Singing")
    [bobs] = await chat.say(bob, "/whatson")
    await go(chat, bob, bobs, "1 · Quiz Night")  # Bob's, not Ann's
    async with sessions.begin() as session:
        await cancel_event(session, cancelled.id, chat.clock())  # she will have been told

    [mine] = await chat.say(ann, "/going")
    assert mine.plain.split("\n") == [
        "You're going to:",
        "1. Repair Café — Sat 28 Nov, 10:00",
        "2. Litter Pick — Sun 29 Nov, 10:00",
    ]
    assert labels(mine) == [
        "1 · Repair Café",
        "1 · Not going after all",
        "2 · Litter Pick",
        "2 · Not going after all",
    ]
    [card] = await chat.press(ann, "2 · Litter Pick", mine)
    assert "You're going." in card.plain
    assert "Not going after all" in labels(card) and "✅ I'm going" not in labels(card)

    [off] = await chat.press(ann, "1 · Not going after all", mine)
    assert "not going after all" in off.plain
    [mine] = await chat.say(ann, "/going")
    assert "Repair Café" not in mine.plain and "1. Litter Pick" in mine.plain
    [listing] = await chat.say(ann, "/whatson")
    assert "Litter Pick — Sun 29 Nov, 10:00 ✅ you're going" in listing.plain
    assert "Repair Café — Sat 28 Nov, 10:00\n" in listing.plain + "\n"  # no longer marked
    [card] = await chat.press(ann, "2 · Repair Café", listing)
    assert "You're going" not in card.plain and "✅ I'm going" in labels(card)
    async with sessions() as session:
        statuses = {r.status for r in await session.scalars(select(Reminder))}
    assert "cancelled" in statuses  # the reminders for the Repair Café went with it

    chat.clock.now = local("2026-11-29 11:00")  # past dates drop off the list
    [after] = await chat.press(ann, "🎟 Events I'm going to", going)
    assert "haven't said you're going to anything" in after.plain


async def test_going_is_in_the_help_and_the_command_list(chat):
    ann = chat.telegram.user("Ann")
    [help_text] = await chat.say(ann, "/help")
    assert "/going shows the ones you're going to" in help_text.plain
    commands = chat.telegram.commands[('{"type": "default"}', "")]  # the list for every language but ours
    assert {"command": "going", "description": "Events you're going to"} in commands
