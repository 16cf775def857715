"""End-to-end updates per second through the whole Application: residents' searches on a
10,000-asset directory, against an echo bot measured in the same run on the same emulation.

    .venv/bin/python bench/updates.py [--assets 10000] [--updates 500] [--rounds 3]
                                      [--database-url URL] [--postgres URL] [--statements]

    .venv/bin/python bench/updates.py                                 # a fresh SQLite file
    .venv/bin/python bench/updates.py --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/DB
                                                              # SQLite and PostgreSQL, one run

Both bots run python-telegram-bot's Application with updates handed in as Telegram would send
them (`bot.emulation.deliver`) and replies going through the Bot API emulation; the echo bot
answers every message with its text, which is the floor of what any PTB bot costs. The search bot
does everything a resident meets: safety check, reading the need, ranking, cards with buttons,
saving the search state, counting the search for /stats. The index is built before timing.

The search bot runs on --database-url (default: a fresh SQLite file) and, with --postgres, on
that PostgreSQL database too. The echo bot runs in the same process, in rounds taken turn about
with the search bot's (echo, then search, --rounds times), so a busy moment of the machine slows
both; each rate is the median of its rounds. Give
each an empty database: the directory is imported into it. For each database it also prints,
counted over the timed updates only, the SQL statements per update (every statement the bot's
engine sends to the driver), the sessions per update (connections taken from the pool) and the
transactions per update (BEGINs); --statements lists the statements themselves, most frequent
first, without their parameters. Last, the database floor: as many trivial statements and a
commit as the steady path sends, timed alone, and the share of a search's time they take. It is
the least an update that keeps its state in the database can cost on that driver.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

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
STATEMENT_CHARS = 150  # of each statement listed by --statements
FLOOR_STATEMENTS = 3  # the steady path's: claim the conversation, read the resident, save


def feed_writer() -> Callable[[Path, int], None]:
    """bench/import.py's synthetic Open Referral feed (its file name is not importable as a module)."""
    spec = importlib.util.spec_from_file_location("bench_import", Path(__file__).with_name("import.py"))
    if spec is None or spec.loader is None:
        raise SystemExit("bench/import.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    writer: Callable[[Path, int], None] = module.write_feed
    return writer


async def timed_updates(
    app: Application, telegram: EmulatedTelegram, count: int, rng: random.Random
) -> float:
    users = [telegram.user(f"Resident {n}") for n in range(50)]
    updates = [rng.choice(users).send(rng.choice(QUERIES)) for _ in range(count)]
    started = time.perf_counter()
    for update in updates:
        await deliver(app, update)
    return count / (time.perf_counter() - started)


def echo_app(telegram: EmulatedTelegram) -> Application:
    """The floor of what any PTB bot costs: every text answered with itself."""
    app = ApplicationBuilder().token(telegram.token).request(EmulatedRequest(telegram)).build()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, message = update.effective_chat, update.effective_message
        if chat is not None and message is not None and message.text is not None:  # TEXT messages only
            await context.bot.send_message(chat.id, message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


@dataclass
class DatabaseUse:
    """What the bot asked of its database while it was being timed: statements sent to the driver,
    connections taken from the pool (a session that ran SQL takes one) and transactions begun."""

    statements: Counter[str] = field(default_factory=Counter)
    checkouts: int = 0
    begins: int = 0
    counting: bool = False

    def watch(self, engine: AsyncEngine) -> None:
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._statement)
        event.listen(sync, "checkout", self._checkout)
        event.listen(sync, "begin", self._begin)

    def _statement(self, _conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if self.counting:
            self.statements[" ".join(statement.split())] += 1

    def _checkout(self, *_args: object) -> None:
        if self.counting:
            self.checkouts += 1

    def _begin(self, *_args: object) -> None:
        if self.counting:
            self.begins += 1


@dataclass
class SearchRun:
    rate: float  # searches per second, the median of the rounds
    echo: float  # the echo bot's, measured in the same rounds
    use: DatabaseUse
    updates: int  # counted in `use`
    floor: float  # seconds for FLOOR_STATEMENTS trivial statements and a commit on this database


async def search_rate(url: str, assets: int, count: int, rounds: int, rng: random.Random) -> SearchRun:
    """ROUNDS of COUNT searches, each right after COUNT echoes on the same loop, so both meet the
    same machine at the same moment; the medians make the ratio."""
    await migrate.upgrade(url)
    with tempfile.TemporaryDirectory() as folder:
        feed = Path(folder) / "feed.json"
        feed_writer()(feed, assets)
        async with open_database(url, system_clock) as sessions:
            await import_directory(sessions, str(feed), ZoneMap(default_zones()), source="bench")
    telegram = EmulatedTelegram(rate_limits=False)
    settings = Settings(database_url=url, zones=default_zones(), flood_per_minute=0)  # one sender, many users
    app = build_application(settings, telegram.token, request=EmulatedRequest(telegram), rate_limiter=False)
    echo_telegram = EmulatedTelegram(rate_limits=False)
    echo = echo_app(echo_telegram)
    use = DatabaseUse()
    use.watch(app.bot_data["database"])
    await start_bot(app)
    await echo.initialize()
    try:
        async with app.bot_data[KEY].sessions() as session:
            await app.bot_data[KEY].engine.get(session)  # the index, built before timing
        await timed_updates(app, telegram, 20, rng)  # warm-up
        await timed_updates(echo, echo_telegram, 20, rng)
        searches, echoes = [], []
        for _ in range(rounds):
            echoes.append(await timed_updates(echo, echo_telegram, count, rng))
            use.counting = True
            searches.append(await timed_updates(app, telegram, count, rng))
            use.counting = False
        floor = await database_floor(app.bot_data[KEY].sessions.maker, count)
        return SearchRun(statistics.median(searches), statistics.median(echoes), use, count * rounds, floor)
    finally:
        await echo.shutdown()
        await stop_bot(app)


async def database_floor(maker: async_sessionmaker[AsyncSession], count: int) -> float:
    """What the steady path's statements cost at the least on this database and driver: as many
    `SELECT 1`s and a commit, in a session of their own, per update."""
    started = time.perf_counter()
    for _ in range(count):
        async with maker() as session:
            for _ in range(FLOOR_STATEMENTS):
                await session.execute(text("SELECT 1"))
            await session.commit()
    return (time.perf_counter() - started) / count


def report(name: str, assets: int, run: SearchRun, statements: bool) -> None:
    use, search, count = run.use, run.rate, run.updates
    print(f"{'echo bot (baseline)':34} {run.echo:8.1f} updates/s")
    print(f"{f'searches, {assets:,} assets ({name})':34} {search:8.1f} updates/s")
    ratio = search / run.echo
    print(f"{'ratio to the echo bot':34} {ratio:8.3f}  ({1 / ratio:.1f}x its cost per update)")
    print(f"{'SQL statements per update':34} {sum(use.statements.values()) / count:8.2f}")
    print(f"{'sessions per update':34} {use.checkouts / count:8.2f}  (connections taken from the pool)")
    print(f"{'transactions per update':34} {use.begins / count:8.2f}")
    share = run.floor * search
    print(
        f"{'of which the database floor':34} {run.floor * 1000:8.2f} ms  ({share:.0%} of a search's time: "
        f"{FLOOR_STATEMENTS} x SELECT 1 and a commit)"
    )
    if statements:
        for statement, times in use.statements.most_common():
            print(f"    {times / count:6.2f}  {statement[:STATEMENT_CHARS]}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=500, help="in each round, of each bot")
    parser.add_argument("--rounds", type=int, default=3, help="echo then search, this many times")
    parser.add_argument("--database-url", help="an empty database; default: a fresh SQLite file")
    parser.add_argument("--postgres", metavar="URL", help="also run on this (empty) PostgreSQL database")
    parser.add_argument("--statements", action="store_true", help="list the SQL statements sent")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        urls = [args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"]
        if args.postgres:
            if make_url(args.postgres).get_backend_name() != "postgresql":
                parser.error("--postgres takes a PostgreSQL URL (postgresql+asyncpg://...)")
            urls.append(args.postgres)
        runs = [
            (url, asyncio.run(search_rate(url, args.assets, args.updates, args.rounds, random.Random(1))))
            for url in urls
        ]
    for n, (url, run) in enumerate(runs):
        if n:
            print()
        report(make_url(url).get_backend_name(), args.assets, run, args.statements)


if __name__ == "__main__":
    main()
