"""Messages between a coordinator and a volunteer interested in their opportunity, through the
emulation: like an introduction's relay (tests/test_relay.py), the conversation stays open after a
message is passed on, so a second message reaches the other side instead of being taken as a
search (and logged as an unmet need), until Done."""

import pytest

from bot.config import Settings, default_zones
from tests.conversation import close_conversation, open_conversation
from tests.test_relay import labels, unmet_needs
from tests.test_volunteering import ADMIN_ID, approved_driver


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(ADMIN_ID,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


async def interested(chat, sessions):
    """The coordinator posted an opportunity; Vic, an approved driver reached through the bot only,
    said he is interested. Returns the coordinator, Vic, and the coordinator's message about it."""
    vic = await approved_driver(chat, sessions)
    coordinator = chat.telegram.user("Coordinator", user_id=ADMIN_ID)
    await chat.say(coordinator, "/opportunity")
    await chat.say(coordinator, "Food bank needs Saturday drivers")
    mark = chat.telegram.mark()
    await chat.say(coordinator, "LE4")
    [notice] = chat.telegram.bot_messages_since(vic, mark)
    mark = chat.telegram.mark()
    await chat.press(vic, "I'm interested", notice)
    [interest] = chat.telegram.bot_messages_since(coordinator, mark)
    return coordinator, vic, interest


async def test_the_conversation_stays_open_until_done_then_typing_is_a_search(chat, sessions):
    coordinator, vic, interest = await interested(chat, sessions)
    needs_before = await unmet_needs(sessions)
    await chat.press(coordinator, "✉️ Send a message", interest)
    mark = chat.telegram.mark()
    [passed] = await chat.say(coordinator, "Can you do this Saturday at 9?")
    assert "passed that on" in passed.plain and "until you tap Done" in passed.plain
    assert labels(passed) == ["Done", "🚪 Quick exit"]
    [passed] = await chat.say(coordinator, "thank you so much x")  # a second message, no tap
    assert "passed that on" in passed.plain
    first, second = chat.telegram.bot_messages_since(vic, mark)
    about = "💬 A message from the coordinator about Food bank needs Saturday drivers:"
    assert first.plain == f"{about}\n\nCan you do this Saturday at 9?"
    assert second.plain == f"{about}\n\nthank you so much x"
    assert await unmet_needs(sessions) == needs_before  # not a search that found nothing

    [stopped] = await chat.press(coordinator, "Done", passed)
    assert "stop passing on" in stopped.plain
    mark = chat.telegram.mark()
    [results] = await chat.say(coordinator, "food bank")  # a search again
    assert "Here's what I found" in results.plain
    assert chat.telegram.bot_messages_since(vic, mark) == []


async def test_the_volunteer_replies_twice_and_both_reach_the_coordinator(chat, sessions):
    coordinator, vic, interest = await interested(chat, sessions)
    await chat.press(coordinator, "✉️ Send a message", interest)
    mark = chat.telegram.mark()
    await chat.say(coordinator, "Can you do this Saturday at 9?")
    [relayed] = chat.telegram.bot_messages_since(vic, mark)
    needs_before = await unmet_needs(sessions)
    await chat.press(vic, "✉️ Reply", relayed)
    mark = chat.telegram.mark()
    await chat.say(vic, "Yes, 9 is fine")
    await chat.say(vic, "thanks, see you then")
    first, second = chat.telegram.bot_messages_since(coordinator, mark)
    assert first.plain.endswith("\n\nYes, 9 is fine") and second.plain.endswith("\n\nthanks, see you then")
    assert first.plain.startswith("💬 A message from the volunteer interested in Food bank needs")
    assert "Vic" not in first.plain + second.plain
    assert await unmet_needs(sessions) == needs_before


async def test_long_after_the_last_message_the_bot_asks_before_passing_it_on(chat, sessions):
    coordinator, vic, interest = await interested(chat, sessions)
    await chat.press(coordinator, "✉️ Send a message", interest)
    await chat.say(coordinator, "Can you do this Saturday at 9?")
    chat.clock.advance(hours=2)  # the relay was left open: they may have moved on
    mark = chat.telegram.mark()
    [question] = await chat.say(coordinator, "thanks again")
    assert question.plain.startswith("Is this for the volunteer interested in Food bank needs")
    assert "thanks again" in question.plain
    assert labels(question) == ["✉️ Yes, pass it on", "🔎 No, search for it"]
    assert chat.telegram.bot_messages_since(vic, mark) == []
    [passed] = await chat.press(coordinator, "✉️ Yes, pass it on", question)
    assert "passed that on" in passed.plain
    [relayed] = chat.telegram.bot_messages_since(vic, mark)
    assert relayed.plain.endswith("\n\nthanks again")
    mark = chat.telegram.mark()
    await chat.say(coordinator, "and bring a hi-vis")  # open again
    [relayed] = chat.telegram.bot_messages_since(vic, mark)
    assert relayed.plain.endswith("\n\nand bring a hi-vis")

    chat.clock.advance(hours=2)
    [question] = await chat.say(coordinator, "food bank")
    mark = chat.telegram.mark()
    [results] = await chat.press(coordinator, "🔎 No, search for it", question)
    assert "Here's what I found for food bank" in results.plain
    assert chat.telegram.bot_messages_since(vic, mark) == []
