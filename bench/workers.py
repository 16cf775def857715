"""Updates per second through webhook workers side by side: residents' searches on a
10,000-asset directory, through 1 worker and then 2, on PostgreSQL, over real HTTP.

    .venv/bin/python bench/workers.py --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/DB
                                      [--assets 10000] [--residents 300] [--searches 2]

Each worker is a real `peoplezones run --webhook` process; the emulated Telegram (in this
process) pushes each update to them in turn, a chat's updates one at a time as Telegram does, and
up to 40 at once. An update counts once the worker has answered it 200, which it does only once
the update is handled and committed. Give it an empty database: its schema is dropped, and the
directory imported into it. Every worker is warmed up (index built) before timing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.updates import feed_writer  # bench/import.py's synthetic Open Referral feed
from bot.clock import system_clock
from bot.config import default_zones
from bot.emulation import EmulatedTelegram
from bot.emulation.http import serve
from bot.emulation.processes import WebhookWorkers, until
from bot.emulation.webhook import WebhookPusher
from bot.services.directory import import_directory
from bot.services.places import ZoneMap
from db import migrate
from db.session import open_database

QUERIES = [
    "food bank near me", "my nan is lonely and needs company", "help with debt",
    "somewhere for my lad after school", "mental health support", "free meals", "housing advice",
    "carers support group", "walking group", "library", "cant pay my gas bill", "youth club",
]  # fmt: skip
BOUND = 600.0  # seconds before a wait counts as a failure


async def fresh_database(url: str, assets: int) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    await migrate.upgrade(url)
    with tempfile.TemporaryDirectory() as folder:
        feed = Path(folder) / "feed.json"
        feed_writer()(feed, assets)
        async with open_database(url, system_clock) as sessions:
            await import_directory(sessions, str(feed), ZoneMap(default_zones()), source="bench")


async def healthy(url: str) -> bool:
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            return (await client.get("/health")).status_code == 200
    except httpx.HTTPError:
        return False


async def rate(url: str, count: int, residents: int, searches: int, first_user: int) -> float:
    rng = random.Random(count)
    telegram = EmulatedTelegram(rate_limits=False, first_user_id=first_user)
    server, port = serve(telegram)
    with tempfile.TemporaryDirectory() as folder:
        workers = WebhookWorkers(count, f"http://127.0.0.1:{port}/bot", url, Path(folder))
        pusher = WebhookPusher(telegram, workers.urls)
        try:
            await workers.start()
            pusher.start()
            await until(lambda: telegram.webhook is not None, BOUND)
            for worker in workers.urls:
                while not await healthy(worker):
                    await asyncio.sleep(0.1)

            async def say(user_name: str, words: str) -> None:
                update_id = telegram.user(user_name).send(words)["update_id"]
                await until(lambda: pusher.answered[update_id] >= 1, BOUND, step=0.01)

            # warm-up: every worker builds its index
            await asyncio.gather(*(say(f"warm{n}", rng.choice(QUERIES)) for n in range(6 * count)))

            async def resident(n: int) -> None:
                for _ in range(searches):
                    await say(f"R{n}", rng.choice(QUERIES))

            started = time.perf_counter()
            await asyncio.gather(*(resident(n) for n in range(residents)))
            seconds = time.perf_counter() - started
            total = residents * searches
            answered_once = sum(1 for n in pusher.answered.values() if n == 1)
            print(
                f"  {count} worker{'s' if count > 1 else ''}: {total} searches in {seconds:.1f} s = "
                f"{total / seconds:.1f} updates/s ({answered_once} answered once, {pusher.failures} retries)"
            )
            return total / seconds
        finally:
            await pusher.close()
            await workers.stop()
            server.stop()


async def run(url: str, assets: int, residents: int, searches: int) -> None:
    print(f"importing {assets} assets into a fresh database ...")
    await fresh_database(url, assets)
    one = await rate(url, 1, residents, searches, first_user=100_000)
    two = await rate(url, 2, residents, searches, first_user=200_000)
    print(f"2 workers / 1 worker: {two / one:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="an empty PostgreSQL database (asyncpg URL)")
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--residents", type=int, default=300)
    parser.add_argument("--searches", type=int, default=2, help="searches each resident makes, one by one")
    args = parser.parse_args()
    asyncio.run(run(args.postgres, args.assets, args.residents, args.searches))


if __name__ == "__main__":
    main()
