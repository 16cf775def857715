"""Building the Telegram application: the same wiring for production, the terminal chat and tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url
from telegram import BotCommand
from telegram.ext import Application, ApplicationBuilder, JobQueue
from telegram.request import BaseRequest

from bot import logs
from bot import messages as m
from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.context import KEY, BotServices
from bot.handlers import register
from bot.i18n.current import speaking
from bot.i18n.languages import ENGLISH, spoken
from bot.pipeline.application import SESSIONS_KEY, PipelineApplication
from bot.senders.sending import PacedRateLimiter
from bot.services.directory import LiveEngine
from bot.services.offer_matching import LiveOffers
from bot.services.pacing import Pacer, Timer
from bot.services.places import ZoneMap
from bot.services.search_counts import SearchCounts
from db.session import UpdateSessions, make_engine, make_sessionmaker

# updates handled at once by one process on PostgreSQL: fewer than the connection pool holds (5 + 10)
CONCURRENT_UPDATES = 8


def build_application(
    settings: Settings,
    token: str,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    clock: Clock = system_clock,
    rate_limiter: bool = True,
    timer: Timer | None = None,
    timed_jobs: bool = True,
    job_queue: JobQueue[Any] | None = None,
) -> Application:
    """The bot, talking to Telegram (or to whatever REQUEST stands in for it). A webhook worker
    builds it without TIMED_JOBS and with a JOB_QUEUE of its own (bot.workers)."""
    # Before anything is built: PTB logs the Bot API URL, token and all, as it makes the bot.
    logs.protect_logs(token)
    builder = ApplicationBuilder().application_class(PipelineApplication).token(token)
    if make_url(settings.database_url).get_backend_name() != "sqlite":
        # several people at once (each person's updates stay in order: bot.pipeline); SQLite has
        # one writer at a time, so there they are handled one after another
        builder = builder.concurrent_updates(CONCURRENT_UPDATES)
    if settings.telegram_api_url != Settings.telegram_api_url:
        api = settings.telegram_api_url
        builder = builder.base_url(api).base_file_url(api.removesuffix("/bot") + "/file/bot")
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    # one rate limiter: the pacer (bulk sends wait their turn; replies are counted, retried on 429)
    pacer = Pacer(settings.broadcast_rate_per_second, timer=timer)
    if rate_limiter:
        builder = builder.rate_limiter(PacedRateLimiter(pacer))
    if job_queue is not None:
        builder = builder.job_queue(job_queue)
    app = builder.build()
    zones = ZoneMap(settings.zones)
    database = make_engine(settings.database_url, clock)
    sessions = UpdateSessions(make_sessionmaker(database))
    app.bot_data[SESSIONS_KEY] = sessions
    app.bot_data[KEY] = BotServices(
        settings=settings,
        sessions=sessions,
        zones=zones,
        engine=LiveEngine(zones, clock=clock),
        search_counts=SearchCounts(sessions.maker),
        offers=LiveOffers(clock),
        clock=clock,
        pacer=pacer,
    )
    app.bot_data["database"] = database
    register(app, timed_jobs=timed_jobs)
    return app


async def start_bot(app: Application) -> None:
    """Initialise the app and tell Telegram the command list (what /-completion shows)."""
    await app.initialize()
    await set_commands(app)


async def set_commands(app: Application) -> None:
    """The command list, described in each language the bot speaks: Telegram shows a person the
    list for their app's language, and the English one to everyone else."""
    for code in spoken():
        with speaking(code):
            commands = [BotCommand(name, about) for name, about in m.COMMANDS]
        await app.bot.set_my_commands(commands, language_code=None if code == ENGLISH else code)


async def stop_bot(app: Application) -> None:
    await app.shutdown()
    await close_database(app)


async def close_database(app: Application) -> None:
    """Once the application is shut down: write the counts still pending, then let the database go."""
    await app.bot_data[KEY].search_counts.close()
    await app.bot_data["database"].dispose()
