"""Searches counted for /stats are gathered for a few seconds and written together
(bot.services.search_counts): none is lost on the way, whoever reads them and however the bot stops."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select

from bot.app import stop_bot
from bot.context import KEY
from bot.services.search_counts import SearchCounts
from db.models import SearchTally
from tests.conversation import close_conversation, open_conversation


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


async def test_two_processes_counting_the_same_need_both_count(sessions):
    day = date(2026, 11, 26)
    first, second = SearchCounts(sessions), SearchCounts(sessions)
    for counts, times in ((first, 3), (second, 2)):
        for _ in range(times):
            counts.add(day, "Rutland", "food-banks", True)
    await asyncio.gather(first.flush(), second.flush())
    first.add(day, "Rutland", "food-banks", True)
    await first.close()
    assert await tallies(sessions) == [("food-banks", True, 6)]
