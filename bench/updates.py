"""End-to-end updates per second through the whole Application: residents' searches on a
10,000-asset directory, against an echo bot measured in the same run on the same emulation.

    .venv/bin/python bench/updates.py [--assets 10000] [--updates 1000] [--database-url URL]

Both bots run python-telegram-bot's Application with updates handed in as Telegram would send
them (`bot.emulation.deliver`) and replies going through the Bot API emulation; the echo bot
answers every message with its text, which is the floor of what any PTB bot costs. The search bot
does everything a resident meets: safety check, reading the need, ranking, cards with buttons,
saving the search state, counting the search for /stats. The index is built before timing.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bot.app import build_application, start_bot, stop_bot
from bot.clock import system_clock
from bot.config import Settings, default_zones
from bot.context import KEY
from bot.emulation import EmulatedRequest, EmulatedTelegram, deliver
from bot.services.directory import import_directory
from bot.services.places import ZoneMap
from db import migrate
from db.session import open_database

QUERIES = [
    "food bank near me", "my nan is lonely and needs company", "help with debt",
    "somewhere for my lad after school", "mental health support", "free meals", "housing advice",
    "carers support group", "walking group", "library", "cant pay my gas bill", "youth club",
    "benefits advice", "older people lunch club", "support for families",
]  # fmt: skip


def feed_writer():  # type: ignore[no-untyped-def]
    """bench/import.py's synthetic Open Referral feed (its file name is not importable as a module)."""
    spec = importlib.util.spec_from_file_location("bench_import", Path(__file__).with_name("import.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.write_feed


async def timed_updates(app, telegram: EmulatedTelegram, count: int, rng: random.Random) -> float:  # type: ignore[no-untyped-def]
    users = [telegram.user(f"Resident {n}") for n in range(50)]
    updates = [rng.choice(users).send(rng.choice(QUERIES)) for _ in range(count)]
    started = time.perf_counter()
    for update in updates:
        await deliver(app, update)
    return count / (time.perf_counter() - started)


async def echo_rate(count: int, rng: random.Random) -> float:
    telegram = EmulatedTelegram(rate_limits=False)
    app = ApplicationBuilder().token(telegram.token).request(EmulatedRequest(telegram)).build()

    async def echo(update, context) -> None:  # type: ignore[no-untyped-def]
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    try:
        return await timed_updates(app, telegram, count, rng)
    finally:
        await app.shutdown()


async def search_rate(url: str, assets: int, count: int, rng: random.Random) -> float:
    await migrate.upgrade(url)
    with tempfile.TemporaryDirectory() as folder:
        feed = Path(folder) / "feed.json"
        feed_writer()(feed, assets)
        async with open_database(url, system_clock) as sessions:
            await import_directory(sessions, str(feed), ZoneMap(default_zones()), source="bench")
    telegram = EmulatedTelegram(rate_limits=False)
    settings = Settings(database_url=url, zones=default_zones(), flood_per_minute=0)  # one sender, many users
    app = build_application(settings, telegram.token, request=EmulatedRequest(telegram), rate_limiter=False)
    await start_bot(app)
    try:
        async with app.bot_data[KEY].sessions() as session:
            await app.bot_data[KEY].engine.get(session)  # the index, built before timing
        await timed_updates(app, telegram, 20, rng)  # warm-up
        return await timed_updates(app, telegram, count, rng)
    finally:
        await stop_bot(app)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=1_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        echo = asyncio.run(echo_rate(args.updates, random.Random(1)))
        search = asyncio.run(search_rate(url, args.assets, args.updates, random.Random(1)))
    print(f"echo bot (baseline)        {echo:8.1f} updates/s")
    print(f"searches, {args.assets:,} assets  {search:8.1f} updates/s")
    print(f"ratio to the echo bot      {search / echo:8.3f}  ({echo / search:.1f}x its cost per update)")


if __name__ == "__main__":
    main()
