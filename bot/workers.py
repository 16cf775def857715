"""Webhook workers side by side on PostgreSQL: every process takes updates, one of them leads.

Behind a load balancer, each `peoplezones run --webhook` process handles whatever update reaches
it (bot.pipeline makes that safe: a person's row lock orders their updates across processes, and
a redelivered update is recognised). What must happen once in a deployment stays with the process
that holds the lead (bot.leader), started when it takes the lead and stopped when it loses it:

- registering the webhook and the command list with Telegram;
- the repeating jobs (reminders and notices, messages to other people, broadcasts, follow-ups,
  retention: `bot.handlers.start_timed_jobs`);
- all sending from the outboxes. A handler that queues a message wakes a sender at once; on a
  worker that does not lead, that wake becomes a PostgreSQL NOTIFY (sent once the update's
  transaction has committed, so the rows are there to see), and the leader, which LISTENs, runs
  the sender. Why not let every worker send: the pace Telegram allows is the bot's, not a
  process's, and the Pacer that keeps to it lives in one process; and a new leader's `take_over`
  (claims back to pending at once, sends in flight marked unknown) is only right when nobody
  else sends. Should the NOTIFY be lost (the leader changing at that moment), the leader's
  repeating check sends it a little later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from telegram import Update
from telegram.ext import Application, Job, JobQueue

from bot.app import set_commands
from bot.context import KEY
from bot.handlers import start_timed_jobs
from bot.senders import announcements, notices, outgoing
from bot.services import outbox
from db.models import Delivery, OutgoingMessage, Reminder
from db.session import current_unit_of_work

log = logging.getLogger(__name__)
WAKE_CHANNEL = "peoplezones_wake"
# the senders a worker may wake, by the name the NOTIFY carries
SENDERS: dict[str, Callable[[Any], Awaitable[None]]] = {
    "outgoing": outgoing.outgoing_job,
    "notices": notices.notice_job,
    "broadcasts": announcements.broadcast_job,
}
_NAMES = {callback: name for name, callback in SENDERS.items()}
OUTBOXES = (Reminder, Delivery, OutgoingMessage)  # every table the leader sends from


async def take_over_outboxes(app: Application) -> None:
    """A process starts to lead, and only the leader sends: what an old leader held goes back to
    pending at once, and its sends in flight are marked in doubt (bot.services.outbox)."""
    async with app.bot_data[KEY].sessions.begin() as session:
        for model in OUTBOXES:
            released, unknown = await outbox.take_over(session, model)
            if released or unknown:
                log.info(
                    "took over %s: %d claims released, %d sends in doubt",
                    model.__tablename__, released, unknown,
                )  # fmt: skip


class WorkerJobQueue(JobQueue):
    """PTB's job queue, except that on a worker that does not lead, waking a sender asks the
    leader to run it (see above) instead of sending from here."""

    def __init__(self) -> None:
        super().__init__()
        self.leading = False
        self._waking: set[str] = set()  # NOTIFYs not sent yet: another wake adds nothing
        self._tasks: set[asyncio.Task[None]] = set()

    def run_once(self, callback: Any, when: Any, *args: Any, **kwargs: Any) -> Job[Any]:
        name = _NAMES.get(callback)
        if self.leading or name is None:
            return super().run_once(callback, when, *args, **kwargs)
        if name not in self._waking:
            self._waking.add(name)
            work = current_unit_of_work()
            if work is not None:  # inside an update: once its transaction has committed
                work.committed.append(lambda: self._notify(name))
            else:
                task = asyncio.get_running_loop().create_task(self._notify(name))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        return Job(callback, name=kwargs.get("name"))  # never scheduled here

    async def _notify(self, name: str) -> None:
        self._waking.discard(name)
        engine: AsyncEngine = self.application.bot_data["database"]
        try:
            async with engine.connect() as connection:
                await connection.execute(
                    text("SELECT pg_notify(:channel, :name)"), {"channel": WAKE_CHANNEL, "name": name}
                )
                await connection.commit()
        except Exception as error:  # the leader's repeating check sends it a little later
            log.warning("could not wake the leader's sender (%s)", type(error).__name__)


class LeaderDuties:
    """What the leading worker does on top of taking updates; `start` when the lead is taken,
    `stop` when it is lost or the process stops."""

    def __init__(self, app: Application, webhook_url: str, path: str, secret: str) -> None:
        self.app = app
        self.webhook_url = webhook_url.rstrip("/") + path
        self.secret = secret
        self._jobs: list[Job[Any]] = []
        self._listening: AsyncConnection | None = None

    @property
    def queue(self) -> WorkerJobQueue:
        queue = self.app.job_queue
        if not isinstance(queue, WorkerJobQueue):
            raise RuntimeError("a worker's application is built with a WorkerJobQueue")
        return queue

    async def start(self) -> None:
        await take_over_outboxes(self.app)  # nobody else sends (see above)
        self.queue.leading = True
        await self._listen()
        self._jobs = start_timed_jobs(self.app)
        await set_commands(self.app)
        await self.app.bot.set_webhook(
            self.webhook_url, secret_token=self.secret, allowed_updates=Update.ALL_TYPES
        )

    async def stop(self) -> None:
        self.queue.leading = False
        for job in self._jobs:
            job.schedule_removal()
        self._jobs = []
        connection, self._listening = self._listening, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()  # not back to the pool with a LISTEN on it

    async def _listen(self) -> None:
        engine: AsyncEngine = self.app.bot_data["database"]
        if engine.dialect.driver != "asyncpg":
            log.info("workers' wakes need asyncpg; the leader's repeating checks send instead")
            return
        connection = await engine.connect()
        raw = (await connection.get_raw_connection()).driver_connection
        if raw is None:
            await connection.close()
            return
        await raw.add_listener(WAKE_CHANNEL, self._woken)
        self._listening = connection

    def _woken(self, _connection: object, _pid: int, _channel: str, name: str) -> None:
        callback = SENDERS.get(name)
        if callback is None or not self.queue.leading:
            return
        if callback is outgoing.outgoing_job:
            outgoing.wake(self.app)  # coalesced with a wake already waiting
        else:
            self.queue.run_once(callback, when=timedelta(0))
