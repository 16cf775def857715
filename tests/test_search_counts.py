"""Searches counted for /stats are gathered for a few seconds and written together
(bot.services.search_counts): none is lost on the way, whoever reads them and however the bot stops."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select

from bot import messages as m
from bot.app import stop_bot
from bot.context import KEY
from bot.i18n.current import speaking
from bot.services.search_counts import SearchCounts
from db.models import Need, SearchTally
from tests.conversation import close_conversation, open_conversation


async def tallies_by_language(sessions) -> list[tuple[str, bool, int]]:
    async with sessions() as session:
        rows = await session.execute(
            select(SearchTally.language, SearchTally.answered, SearchTally.count).where(SearchTally.count > 0)
        )
        return sorted((language, answered, count) for language, answered, count in rows)


async def tallies(sessions) -> list[tuple[str, bool, int]]:
    async with sessions() as session:
        rows = await session.execute(select(SearchTally.category, SearchTally.answered, SearchTally.count))
        return sorted((category, answered, count) for category, answered, count in rows)


async def test_counts_are_written_a_moment_after_the_searches(sessions, database_url):
    chat = await open_conversation(sessions, database_url)
    pz = chat.app.bot_data[KEY]
    pz.search_counts = SearchCounts(pz.sessions.maker, delay_seconds=0.05)
    try:
        ann = chat.telegram.user("Ann")
        await chat.say(ann, "food bank")
        await chat.say(ann, "food bank")
        await chat.say(ann, "alpaca grooming for my nan")
        for _ in range(100):  # the timer writes them (maybe in two goes); nothing here reads the tally
            if sum(count for *_, count in await tallies(sessions)) == 3:
                break
            await asyncio.sleep(0.02)
        counted = await tallies(sessions)
        assert sum(count for _, answered, count in counted if answered) == 2
        assert sum(count for _, answered, count in counted if not answered) == 1
    finally:
        await close_conversation(chat)


async def test_counts_still_pending_are_written_when_the_bot_stops(sessions, database_url):
    chat = await open_conversation(sessions, database_url)
    ann = chat.telegram.user("Ann")
    await chat.say(ann, "food bank")
    assert await tallies(sessions) == []  # not yet: it waits a few seconds
    await stop_bot(chat.app)
    assert [(answered, count) for _, answered, count in await tallies(sessions)] == [(True, 1)]


async def test_not_what_i_need_takes_back_a_count_still_pending(sessions, database_url):
    chat = await open_conversation(sessions, database_url)
    try:
        ann = chat.telegram.user("Ann")
        await chat.say(ann, "food bank")
        await chat.press(ann, "Not what I need")
        assert [(answered, count) for _, answered, count in await tallies(sessions) if count] == [(False, 1)]
    finally:
        await close_conversation(chat)


async def test_searches_are_counted_in_the_language_the_bot_spoke(sessions, database_url):
    chat = await open_conversation(sessions, database_url)
    try:
        uma = chat.telegram.user("Uma", language_code="ur")
        pia = chat.telegram.user("Pia", language_code="pl")
        await chat.say(uma, "food bank")
        await chat.say(uma, "alpaca grooming for my nan")
        [found] = await chat.say(pia, "food bank")
        # Pia chooses English, then says the Polish search was not what she needed: it is taken
        # back from the Polish count and noted as a Polish search that found nothing
        [choose] = await chat.say(pia, "/language")
        await chat.press(pia, "English", choose)
        with speaking("pl"):
            not_what_i_need = m.BUTTON_NOT_WHAT_I_NEED
        await chat.press(pia, not_what_i_need, found)
        await chat.say(pia, "food bank")  # in English now
        await chat.app.bot_data[KEY].search_counts.flush()
        assert await tallies_by_language(sessions) == [
            ("en", True, 1),
            ("pl", False, 1),
            ("ur", False, 1),
            ("ur", True, 1),
        ]
        async with sessions() as session:
            needs = await session.execute(select(Need.language, Need.telegram_user_id).order_by(Need.id))
            assert needs.all() == [("ur", uma.id), ("pl", pia.id)]
    finally:
        await close_conversation(chat)


async def test_two_processes_counting_the_same_need_both_count(sessions):
    day = date(2026, 11, 26)
    first, second = SearchCounts(sessions), SearchCounts(sessions)
    for counts, times in ((first, 3), (second, 2)):
        for _ in range(times):
            counts.add(day, "Rutland", "food-banks", True, "en")
    await asyncio.gather(first.flush(), second.flush())
    first.add(day, "Rutland", "food-banks", True, "en")
    second.add(day, "Rutland", "food-banks", True, "so")  # another language: a counter of its own
    await asyncio.gather(first.close(), second.close())
    assert await tallies(sessions) == [("food-banks", True, 1), ("food-banks", True, 6)]
    assert await tallies_by_language(sessions) == [("en", True, 6), ("so", True, 1)]
