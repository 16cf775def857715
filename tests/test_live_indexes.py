"""The bot's live indexes (the directory's search engine and the volunteers' offers) are one
versioned cache: rebuilt at once after this process's own changes (explicit invalidation), and
after another process's when the version says so, asked at most every `fresh_seconds` of the
injectable clock. An offer's new words are what residents are matched with, not its old ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.clock import FakeClock
from bot.config import Settings, default_zones
from bot.context import KEY
from bot.services.live_cache import VersionedCache
from db.models import Offer
from tests.conftest import THURSDAY_MORNING
from tests.conversation import close_conversation, open_conversation
from tests.test_volunteering import ADMIN_ID, approved_driver

CAN_HELP = "Local volunteers may be able to help"
LIFT = "i need a lift to my hospital appointment"
DOG = "someone to walk my dog while i'm in hospital"


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(ADMIN_ID,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


async def volunteers_offered(chat, who, need: str) -> bool:
    replies = await chat.say(who, need)
    return any(CAN_HELP in r.plain for r in replies)


async def neighbour(chat):
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "/area")
    await chat.say(ann, "LE4")
    return ann


async def test_an_edited_offer_is_matched_by_its_new_words(chat, sessions):
    vic = await approved_driver(chat, sessions)
    ann = await neighbour(chat)
    assert await volunteers_offered(chat, ann, LIFT)  # the index is built, with Vic's lifts
    assert not await volunteers_offered(chat, ann, DOG)
    replies = await chat.say(vic, "/myoffers")
    await chat.press(vic, "Edit", replies[1])
    [saved] = await chat.say(vic, "I can walk dogs at weekends")
    assert saved.plain.startswith("Saved")
    # the same offer (same id, still open): only its words changed
    assert await volunteers_offered(chat, ann, DOG)
    assert not await volunteers_offered(chat, ann, LIFT)
    mark = chat.telegram.mark()
    await chat.press(ann, "🙋 Ask a volunteer")
    await chat.press(ann, "Through this bot only")
    [request] = chat.telegram.bot_messages_since(vic, mark)
    assert "walk my dog" in request.plain  # the request reaches the volunteer who walks dogs now


async def test_an_offer_reworded_by_another_process_is_seen_once_the_version_is_asked(chat, sessions):
    await approved_driver(chat, sessions)
    ann = await neighbour(chat)
    assert await volunteers_offered(chat, ann, LIFT)
    async with sessions.begin() as session:  # another process (or a hand in the database)
        await session.execute(update(Offer).values(text="I can walk dogs at weekends", skills=["pet-care"]))
    # within fresh_seconds the index is used as built; once they pass, the version is asked, and
    # it tells a reworded offer from an unchanged one (the same ids are open as before)
    chat.clock.advance(seconds=2)
    assert await volunteers_offered(chat, ann, DOG)
    assert not await volunteers_offered(chat, ann, LIFT)
    async with sessions() as session:
        assert (await session.scalars(select(Offer.text))).all() == ["I can walk dogs at weekends"]


async def test_a_paused_offer_is_matched_with_nobody_at_once(chat, sessions):
    vic = await approved_driver(chat, sessions)
    ann = await neighbour(chat)
    assert await volunteers_offered(chat, ann, LIFT)
    replies = await chat.say(vic, "/myoffers")
    await chat.press(vic, "Pause", replies[1])
    assert not await volunteers_offered(chat, ann, LIFT)  # the clock has not moved: invalidated
    replies = await chat.say(vic, "/myoffers")
    await chat.press(vic, "Resume", replies[1])
    assert await volunteers_offered(chat, ann, LIFT)


async def test_both_live_indexes_are_the_one_versioned_cache_on_the_bots_clock(chat):
    pz = chat.app.bot_data[KEY]
    for cache in (pz.engine, pz.offers):
        assert isinstance(cache, VersionedCache)
        assert cache.clock is chat.clock


class Counting:
    """A version and a build that count how often they are asked."""

    def __init__(self) -> None:
        self.version = 1
        self.asked = 0
        self.built = 0

    async def ask(self, session) -> int:  # type: ignore[no-untyped-def]
        self.asked += 1
        return self.version

    async def build(self, session) -> str:  # type: ignore[no-untyped-def]
        self.built += 1
        return f"index {self.built} at version {self.version}"


async def test_the_cache_asks_the_version_only_when_the_clock_says_it_is_time():
    clock = FakeClock(THURSDAY_MORNING)
    source = Counting()
    cache = VersionedCache(source.build, source.ask, clock, fresh_seconds=1.0)
    assert await cache.get(None) == "index 1 at version 1"
    assert await cache.get(None) == "index 1 at version 1"
    assert (source.asked, source.built) == (1, 1)  # fresh: not even asked
    source.version = 2  # another process changed the database
    assert await cache.get(None) == "index 1 at version 1"  # not yet asked
    clock.advance(seconds=1)
    assert await cache.get(None) == "index 2 at version 2"
    clock.advance(seconds=1)
    assert await cache.get(None) == "index 2 at version 2"  # asked: unchanged, not rebuilt
    assert (source.asked, source.built) == (3, 2)


async def test_invalidation_rebuilds_at_once_even_when_the_version_cannot_tell():
    clock = FakeClock(THURSDAY_MORNING)
    source = Counting()
    cache = VersionedCache(source.build, source.ask, clock, fresh_seconds=3600)
    await cache.get(None)
    cache.invalidate()  # this process changed what it is built from; the version looks the same
    assert await cache.get(None) == "index 2 at version 1"
    assert await cache.get(None) == "index 2 at version 1"
    assert source.built == 2 and clock() - THURSDAY_MORNING == timedelta(0)
