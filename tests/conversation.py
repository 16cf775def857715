"""A real bot on the emulation, over a test database with a small directory, for conversation tests."""

from __future__ import annotations

from dataclasses import replace

from bot.app import build_application, start_bot, stop_bot
from bot.clock import FakeClock
from bot.config import Settings, default_zones
from bot.emulation import EmulatedRequest, EmulatedTelegram, deliver
from bot.senders.outgoing import WAKE_JOB, send_due_messages
from bot.services.directory import import_directory
from bot.services.pacing import FastForwardTimer
from bot.services.places import ZoneMap
from tests.conftest import FIXTURES, THURSDAY_MORNING

# A Thursday morning in November: Mon-Fri services are open.


class Conversation:
    """The bot, its Telegram, and the clock, ready for users to talk to.

    After each update, what the job queue would do next is done: if the update's commit woke the
    sender of messages to other people (bot.senders.outgoing), it runs, so the coordinator told
    of a report has the message when `say` returns. A test that drives the sender itself (to stop
    it half-way, say) sets `send_woken = False`."""

    def __init__(
        self,
        app,
        telegram: EmulatedTelegram,
        clock: FakeClock,
        timer: FastForwardTimer,
        settings: Settings | None = None,
    ) -> None:
        self.app = app
        self.telegram = telegram
        self.clock = clock
        self.timer = timer  # the pacer's, and the emulation's flood-limit clock when limits are on
        self.send_woken = True
        self.settings = settings  # what the bot was started with (to start another process)

    async def say(self, user, text: str):
        return await self.act(user, user.send(text))

    async def press(self, user, label: str, message=None):
        return await self.act(user, user.press(label, message))

    async def act(self, user, update: dict):
        mark = self.telegram.mark()
        await deliver(self.app, update)
        if self.send_woken:
            await run_woken_sender(self.app)
        return self.telegram.bot_messages_since(user, mark)


async def run_woken_sender(app) -> bool:
    """Run the outgoing sender if a commit woke it (the job queue is not started in tests, so the
    job waits); False when nothing woke it."""
    woken = app.job_queue.get_jobs_by_name(WAKE_JOB)
    for job in woken:
        job.schedule_removal()
    if woken:
        await send_due_messages(app)
    return bool(woken)


async def open_conversation(
    sessions,
    database_url: str,
    assets: str = "conversation_assets.csv",
    settings: Settings | None = None,
    flood_control: bool = False,
    rate_limits: bool = False,
):
    """FLOOD_CONTROL off by default: tests send a whole conversation in no time on the fake clock,
    which a real person could not; tests/test_abuse.py turns it on."""
    settings = settings or Settings(database_url=database_url, zones=default_zones())
    if not flood_control:
        settings = replace(settings, flood_per_minute=0)
    await import_directory(sessions, str(FIXTURES / assets), ZoneMap(settings.zones))
    timer = FastForwardTimer()
    # RATE_LIMITS: Telegram's flood limits on, on the pacer's clock (waits are skipped, not slept)
    telegram = EmulatedTelegram(token="123456:TEST", rate_limits=rate_limits, clock=timer.monotonic)
    clock = FakeClock(THURSDAY_MORNING)
    app = await second_app(settings, telegram, clock, timer)
    return Conversation(app, telegram, clock, timer, settings)


async def second_app(
    settings: Settings, telegram: EmulatedTelegram, clock: FakeClock, timer: FastForwardTimer | None = None
):
    """Another bot process on the same database and Telegram: a restart, or a second scheduler.
    Its rate limiter is production's (the pacer), on TIMER."""
    app = build_application(
        settings, "123456:TEST", request=EmulatedRequest(telegram), clock=clock,
        timer=timer or FastForwardTimer(),
    )  # fmt: skip
    await start_bot(app)
    return app


async def close_conversation(conversation: Conversation) -> None:
    await stop_bot(conversation.app)
