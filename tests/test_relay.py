"""Messages through a live introduction, through the emulation: the conversation stays open after a
message is passed on, so "thank you so much x" reaches the other side instead of being taken as a
search (and logged as an unmet need); someone who types instead of tapping Reply is asked first."""

import pytest
from sqlalchemy import func, select

from bot.config import Settings, default_zones
from db.models import Need
from tests.conversation import close_conversation, open_conversation
from tests.test_privacy import introduced

ADMIN_ID = 4242  # approves the volunteer (tests.test_volunteering.approved_driver)


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(ADMIN_ID,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


def labels(message) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


async def unmet_needs(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count(Need.id)).where(Need.answered.is_(False)))


async def test_the_conversation_stays_open_so_thanks_are_passed_on_not_logged(chat, sessions):
    ann, vic, _request, accepted = await introduced(chat, sessions)
    needs_before = await unmet_needs(sessions)
    await chat.press(ann, "✉️ Send a message", accepted)
    [passed] = await chat.say(ann, "see you tuesday at 2")
    assert "passed that on" in passed.plain and "until you tap Done" in passed.plain
    assert labels(passed) == ["Done", "🚪 Quick exit"]
    mark = chat.telegram.mark()
    [passed] = await chat.say(ann, "thank you so much x")
    assert "passed that on" in passed.plain
    [relayed] = chat.telegram.bot_messages_since(vic, mark)
    assert relayed.plain == "💬 A message from the neighbour you're helping:\n\nthank you so much x"
    assert await unmet_needs(sessions) == needs_before  # not a search that found nothing

    [stopped] = await chat.press(ann, "Done", passed)
    assert "stop passing on" in stopped.plain
    mark = chat.telegram.mark()
    [results] = await chat.say(ann, "food bank")  # a search again
    assert "Here's what I found" in results.plain and chat.telegram.bot_messages_since(vic, mark) == []


async def test_typing_instead_of_tapping_reply_asks_before_passing_it_on(chat, sessions):
    ann, vic, _request, accepted = await introduced(chat, sessions)
    await chat.press(ann, "✉️ Send a message", accepted)
    [passed] = await chat.say(ann, "see you tuesday at 2")
    await chat.press(ann, "Done", passed)
    needs_before = await unmet_needs(sessions)
    [question] = await chat.say(vic, "thank you so much x")  # typed, not a tap on Reply
    assert question.plain.startswith("Is this for the neighbour you're helping?")
    assert "thank you so much x" in question.plain
    assert labels(question) == ["✉️ Yes, pass it on", "🔎 No, search for it"]
    mark = chat.telegram.mark()
    [passed] = await chat.press(vic, "✉️ Yes, pass it on", question)
    assert "passed that on" in passed.plain
    [relayed] = chat.telegram.bot_messages_since(ann, mark)
    assert relayed.plain == "💬 A message from your volunteer:\n\nthank you so much x"
    [stale] = await chat.press(vic, "✉️ Yes, pass it on", question)  # not twice
    assert "old message" in stale.plain
    mark = chat.telegram.mark()
    await chat.say(vic, "I'll bring a blanket")  # the conversation is open now
    [relayed] = chat.telegram.bot_messages_since(ann, mark)
    assert "I'll bring a blanket" in relayed.plain
    assert await unmet_needs(sessions) == needs_before

    # Ann had tapped Done; she types without tapping Reply, and it is a search: her choice
    [question] = await chat.say(ann, "food bank")
    assert question.plain.startswith("Is this for your volunteer?")
    mark = chat.telegram.mark()
    [results] = await chat.press(ann, "🔎 No, search for it", question)
    assert "Here's what I found for food bank" in results.plain
    assert chat.telegram.bot_messages_since(vic, mark) == []


async def test_long_after_the_last_message_the_bot_asks_or_searches(chat, sessions):
    ann, vic, _request, accepted = await introduced(chat, sessions)
    await chat.press(ann, "✉️ Send a message", accepted)
    await chat.say(ann, "see you tuesday at 2")
    chat.clock.advance(hours=2)  # the relay was left open: she may have moved on
    mark = chat.telegram.mark()
    [question] = await chat.say(ann, "food bank near LE4")
    assert question.plain.startswith("Is this for your volunteer?")
    assert chat.telegram.bot_messages_since(vic, mark) == []
    chat.clock.advance(days=2)  # Vic reads Ann's message days later and searches
    [results] = await chat.say(vic, "food bank")
    assert "Here's what I found for food bank" in results.plain
