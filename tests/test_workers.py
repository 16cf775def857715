"""Webhook workers side by side: three real `peoplezones run --webhook` processes on one
PostgreSQL database, the emulated Telegram pushing updates to them in turn (a load balancer's
round robin) and redelivering what was not answered 200. Residents go through a three-step flow
(/area, a place the bot does not know, then a postcode district) with their steps spread over the
workers: every flow completes, every update is answered exactly once, each person's replies
in order. Then a worker is killed with updates in flight and another started in its place."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select, text

from bot.emulation import EmulatedTelegram, EmulatedUser
from bot.emulation.http import serve
from bot.emulation.processes import WebhookWorkers, until
from bot.emulation.webhook import WebhookPusher, replies_per_message
from db.models import Resident
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="workers side by side need PostgreSQL (set PEOPLEZONES_TEST_POSTGRES_URL)"
)
FAILURE_BOUND = 60.0  # seconds before a wait counts as a failure; not a performance target
FLOW = ("/area", "Narnia", "LE4")


class Fleet:
    def __init__(self, telegram: EmulatedTelegram, workers: WebhookWorkers, pusher: WebhookPusher) -> None:
        self.telegram, self.workers, self.pusher = telegram, workers, pusher
        self.updates: dict[str, list[int]] = {}  # each resident's update ids, in order

    async def say(self, user: EmulatedUser, words: str) -> None:
        """Send WORDS and wait until the update is answered (200 only once handled)."""
        update_id = user.send(words)["update_id"]
        self.updates.setdefault(user.name, []).append(update_id)
        await until(lambda: self.pusher.answered[update_id] >= 1, FAILURE_BOUND)


@pytest.fixture
async def fleet(database_url, tmp_path) -> AsyncIterator[Fleet]:
    telegram = EmulatedTelegram(token="123456:TEST", rate_limits=False)
    server, port = serve(telegram)
    workers = WebhookWorkers(3, f"http://127.0.0.1:{port}/bot", database_url, tmp_path)
    pusher = WebhookPusher(telegram, workers.urls)
    try:
        await workers.start()
        pusher.start()
        await until(lambda: telegram.webhook is not None, FAILURE_BOUND)  # the leader set it
        assert telegram.webhook["url"] == "https://bot.example.org/telegram"
        yield Fleet(telegram, workers, pusher)
    finally:
        await pusher.close()
        await workers.stop()
        server.stop()


async def baseline(fleet: Fleet) -> list[int]:
    """The flow once, alone: how many replies each step has, and that it went as it should."""
    first = fleet.telegram.user("First")
    for words in FLOW:
        await fleet.say(first, words)
    assert went_in_order(fleet.telegram, first)
    counts = replies_per_message(fleet.telegram, first)
    assert len(counts) == len(FLOW) and all(counts)
    return counts


def check_exactly_once(fleet: Fleet, expected: list[int]) -> None:
    for name, update_ids in fleet.updates.items():
        user = fleet.telegram.user(name)
        assert [fleet.pusher.answered[u] for u in update_ids] == [1] * len(update_ids), name
        assert replies_per_message(fleet.telegram, user) == expected, name  # none twice, none lost
        assert went_in_order(fleet.telegram, user), name


def went_in_order(telegram: EmulatedTelegram, user: EmulatedUser) -> bool:
    """Each step's replies answer that step: the unknown place, then the district."""
    steps: list[str] = []
    for message in telegram.transcript(user):
        if not message.from_bot:
            steps.append("")
        else:
            steps[-1] += message.plain
    remembered = "remember LE4"
    return len(steps) == 3 and "Narnia" in steps[1] and remembered not in steps[1] and remembered in steps[2]


async def settled_areas(sessions) -> list[str]:
    async with sessions() as session:
        return list(await session.scalars(select(Resident.postcode_district).order_by(Resident.id)))


async def test_residents_flows_spread_over_three_workers_each_answered_once(fleet, sessions):
    expected = await baseline(fleet)
    residents = [fleet.telegram.user(f"R{n}") for n in range(12)]

    async def flow(user: EmulatedUser) -> None:
        for words in FLOW:
            await fleet.say(user, words)

    await asyncio.gather(*(flow(user) for user in residents))
    check_exactly_once(fleet, expected)
    assert len([url for url, n in fleet.pusher.answered_by.items() if n]) == 3  # all three took some
    assert await settled_areas(sessions) == ["LE4"] * 13


async def test_a_worker_killed_with_updates_in_flight_loses_none_and_repeats_none(fleet, sessions):
    expected = await baseline(fleet)
    residents = [fleet.telegram.user(f"R{n}") for n in range(9)]
    await asyncio.gather(*(fleet.say(user, FLOW[0]) for user in residents))

    # the residents' rows are held, so their next updates are in flight at every worker, none
    # handled yet (a reply sent and then not committed would be a duplicate nobody can prevent)
    async with sessions() as session:
        await session.execute(
            text("SELECT 1 FROM conversation_states WHERE telegram_user_id = ANY(:ids) FOR UPDATE"),
            {"ids": [user.id for user in residents]},
        )
        steps = [asyncio.create_task(fleet.say(user, FLOW[1])) for user in residents]
        await until(lambda: len(fleet.pusher.in_flight) == len(residents), FAILURE_BOUND)
        victim = fleet.workers.leader()  # the leader, so the lead moves too
        assert victim is not None
        held = [u for u, url in fleet.pusher.in_flight.items() if url == fleet.workers.urls[victim]]
        assert held  # round robin: the victim holds some of them
        fleet.workers.processes[victim].kill()
        # what it held is redelivered (to the others, or refused at its port and tried again)
        await until(lambda: all(fleet.pusher.attempts[u] >= 2 for u in held), FAILURE_BOUND)
        replacement = await fleet.workers.restart(victim)
        await until_healthy(fleet.workers.urls[victim])
        await session.rollback()  # the rows are free: the redelivered updates go ahead
    await asyncio.gather(*steps)
    await asyncio.gather(*(fleet.say(user, FLOW[2]) for user in residents))

    check_exactly_once(fleet, expected)
    assert fleet.pusher.answered_by[fleet.workers.urls[victim]] > 0  # the restarted worker took some
    assert "taking updates as a webhook worker" in replacement.log()
    await until(lambda: fleet.workers.leader() is not None, FAILURE_BOUND)  # someone leads again
    assert await settled_areas(sessions) == ["LE4"] * 10


async def until_healthy(url: str) -> None:
    async def up() -> bool:
        try:
            async with httpx.AsyncClient(base_url=url) as client:
                return (await client.get("/health")).status_code == 200
        except httpx.HTTPError:
            return False

    async with asyncio.timeout(FAILURE_BOUND):
        while not await up():
            await asyncio.sleep(0.1)
