"""A real bot on the emulation, over a test database with a small directory, for conversation tests."""

from __future__ import annotations

from dataclasses import replace

from bot.app import build_application, start_bot, stop_bot
from bot.clock import FakeClock
from bot.config import Settings, default_zones
from bot.emulation import EmulatedRequest, EmulatedTelegram, deliver
from bot.services.directory import import_directory
from bot.services.pacing import FastForwardTimer
from bot.services.places import ZoneMap
from tests.conftest import FIXTURES, THURSDAY_MORNING

# A Thursday morning in November: Mon-Fri services are open.


class Conversation:
    """The bot, its Telegram, and the clock, ready for users to talk to."""

    def __init__(self, app, telegram: EmulatedTelegram, clock: FakeClock) -> None:
        self.app = app
        self.telegram = telegram
        self.clock = clock

    async def say(self, user, text: str):
        mark = self.telegram.mark()
        await deliver(self.app, user.send(text))
        return self.telegram.bot_messages_since(user, mark)

    async def press(self, user, label: str, message=None):
        mark = self.telegram.mark()
        await deliver(self.app, user.press(label, message))
        return self.telegram.bot_messages_since(user, mark)

    async def act(self, user, update: dict):
        mark = self.telegram.mark()
        await deliver(self.app, update)
        return self.telegram.bot_messages_since(user, mark)


async def open_conversation(
    sessions,
    database_url: str,
    assets: str = "conversation_assets.csv",
    settings: Settings | None = None,
    flood_control: bool = False,
):
    """FLOOD_CONTROL off by default: tests send a whole conversation in no time on the fake clock,
    which a real person could not; tests/test_abuse.py turns it on."""
    settings = settings or Settings(database_url=database_url, zones=default_zones())
    if not flood_control:
        settings = replace(settings, flood_per_minute=0)
    await import_directory(sessions, str(FIXTURES / assets), ZoneMap(settings.zones))
    telegram = EmulatedTelegram(token="123456:TEST", rate_limits=False)
    clock = FakeClock(THURSDAY_MORNING)
    app = await second_app(settings, telegram, clock)
    return Conversation(app, telegram, clock)


async def second_app(settings: Settings, telegram: EmulatedTelegram, clock: FakeClock):
    """Another bot process on the same database and Telegram: a restart, or a second scheduler."""
    app = build_application(
        settings, "123456:TEST", request=EmulatedRequest(telegram), clock=clock, rate_limiter=False,
        timer=FastForwardTimer(),
    )  # fmt: skip
    await start_bot(app)
    return app


async def close_conversation(conversation: Conversation) -> None:
    await stop_bot(conversation.app)
