"""Building the Telegram application: the same wiring for production, the terminal chat and tests."""

from __future__ import annotations

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot import logs
from bot import messages as m
from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.context import KEY, BotServices
from bot.handlers import register
from bot.services.directory import LiveEngine
from bot.services.offer_matching import LiveOffers
from bot.services.pacing import Pacer, Timer
from bot.services.places import ZoneMap
from db.session import make_engine, make_sessionmaker


def build_application(
    settings: Settings,
    token: str,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    clock: Clock = system_clock,
    rate_limiter: bool = True,
    timer: Timer | None = None,
) -> Application:
    """The bot, talking to Telegram (or to whatever REQUEST stands in for it)."""
    # Before anything is built: PTB logs the Bot API URL, token and all, as it makes the bot.
    logs.protect_logs(token)
    builder = ApplicationBuilder().token(token)
    if settings.telegram_api_url != Settings.telegram_api_url:
        api = settings.telegram_api_url
        builder = builder.base_url(api).base_file_url(api.removesuffix("/bot") + "/file/bot")
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    if rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    zones = ZoneMap(settings.zones)
    database = make_engine(settings.database_url, clock)
    app.bot_data[KEY] = BotServices(
        settings=settings,
        sessions=make_sessionmaker(database),
        zones=zones,
        engine=LiveEngine(zones, clock=clock),
        offers=LiveOffers(clock),
        clock=clock,
        pacer=Pacer(settings.broadcast_rate_per_second, timer=timer),
    )
    app.bot_data["database"] = database
    register(app)
    return app


async def start_bot(app: Application) -> None:
    """Initialise the app and tell Telegram the command list (what /-completion shows)."""
    await app.initialize()
    await app.bot.set_my_commands([BotCommand(name, text) for name, text in m.COMMANDS])


async def stop_bot(app: Application) -> None:
    await app.shutdown()
    await app.bot_data["database"].dispose()
