"""What a search tells the resident and what it counts, through the Bot API emulation: "open now"
puts what is open first; a need is answered only by something near enough that fits well
enough (bot.matching.rank.GOOD_MATCH), otherwise it is a gap; and /gaps and /stats count the
searches that found nothing the same way, whatever the resident pressed."""

from pathlib import Path

import pytest

import db
from bot.config import Settings, default_zones
from tests.conversation import close_conversation, open_conversation

CORA = 9001  # an admin: every zone
DEMO_EXAMPLES = Path(db.__file__).with_name("data") / "demo_examples.csv"


def first_card(reply) -> str:
    return reply.plain.split("\n\n")[1]


def buttons(message) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


async def set_area(chat, user, area):
    await chat.say(user, "/area")
    await chat.say(user, area)


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


@pytest.fixture
async def demo_chat(sessions, database_url):
    """The demo's invented examples (lunch clubs, tai chi in Oadby, cafés in Hinckley...)."""
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    conversation = await open_conversation(sessions, database_url, str(DEMO_EXAMPLES), settings)
    yield conversation
    await close_conversation(conversation)


async def gaps_and_stats(chat) -> tuple[str, str]:
    cora = chat.telegram.user("Cora", user_id=CORA)
    [gaps, *_] = await chat.say(cora, "/gaps")
    [numbers] = await chat.say(cora, "/stats")
    return gaps.plain, numbers.plain


async def test_open_now_puts_what_is_open_first(chat):
    """Thursday 10:30: Hamilton Food Bank, the nearest to LE5, opens at 13:00."""
    ann = chat.telegram.user("Ann")
    await set_area(chat, ann, "LE5")
    [plain] = await chat.say(ann, "food bank")
    assert first_card(plain).startswith("1. Hamilton Food Bank")
    [now] = await chat.say(ann, "any food bank open now?")
    assert now.plain.startswith("Here's what I found")
    assert "Open now" in first_card(now) and "Hamilton" not in first_card(now)


async def test_a_weak_result_far_away_is_a_gap_not_an_answer(demo_chat):
    ann = demo_chat.telegram.user("Ann")
    [reply] = await demo_chat.say(ann, "my nan keeps falling, she lives in Hinckley")
    assert reply.plain.startswith("Sorry, I couldn't find anything near Hinckley for")
    assert "These fit, but they're further away:" in reply.plain
    assert "1. Oadby Tai Chi for Over-60s" in reply.plain and "20.4 km away" in reply.plain
    [far] = await demo_chat.say(ann, "lunch club near LE13")  # the nearest lunch club is 15 km off
    assert far.plain.startswith("Sorry, I couldn't find anything near LE13 for")
    assert "1. Oakham Tuesday Lunch Club" in far.plain and "15.0 km away" in far.plain
    [near] = await demo_chat.say(ann, "lunch club near LE15")
    assert near.plain.startswith("Here's what I found") and "1. Oakham Tuesday Lunch Club" in near.plain
    gaps, numbers = await gaps_and_stats(demo_chat)
    assert "2 searches found nothing" in gaps
    assert "Falls and staying steady: 1" in gaps
    assert "Searches: 3 (1 found something, 2 found nothing)" in numbers


async def test_gaps_and_stats_agree_on_what_found_nothing(chat):
    ann = chat.telegram.user("Ann")
    [answered] = await chat.say(ann, "food bank")
    await chat.press(ann, "Not what I need", answered)  # it did not answer after all: counted once
    [guesses] = await chat.say(ann, "scuba diving lessons")
    assert "couldn't find anything" in guesses.plain
    await chat.say(ann, "lunch club")
    await chat.say(ann, "/menu")
    [groups] = await chat.press(ann, "Housing")
    [empty] = await chat.press(ann, "Homeless or nowhere to sleep", groups)  # nothing in this directory
    assert "I don't have anything for" in empty.plain
    gaps, numbers = await gaps_and_stats(chat)
    assert "3 searches found nothing" in gaps
    assert "Searches: 4 (1 found something, 3 found nothing)" in numbers
    [lunch] = await chat.say(ann, "lunch club")
    await chat.press(ann, "Not what I need", lunch)
    await chat.press(ann, "Not what I need", lunch)  # pressed twice: still one search
    gaps, numbers = await gaps_and_stats(chat)
    assert "4 searches found nothing" in gaps
    assert "Searches: 5 (1 found something, 4 found nothing)" in numbers
