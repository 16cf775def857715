"""Running on Telegram for real: long polling or a webhook, behind the leader election.

Every process waits to lead (`bot.leader`); the leader builds the Application, takes updates and
runs the timed jobs; standbys only answer the health check. If the leader loses its lock it stops
taking updates at once and goes back to standing by. In webhook mode one small HTTP server serves
both `/telegram` (updates, checked against the secret token; 503 on a standby, so Telegram retries
and reaches the leader) and `/health` (200 with the role and the database's state, 503 when the
database cannot be reached).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import signal
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from telegram import BotCommand, Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

from bot import logs
from bot import messages as m
from bot.app import build_application
from bot.config import Settings
from bot.context import KEY
from bot.leader import Leadership
from bot.services import outbox
from db.models import Delivery, Reminder

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram"


@dataclass
class Serving:
    """What the HTTP endpoints need to know about this process."""

    settings: Settings
    leadership: Leadership
    secret: str
    database: AsyncEngine
    app: Application | None = None  # set while this process leads


def run_telegram(
    settings: Settings, webhook_url: str | None = None, port: int = 8443, health_port: int | None = None
) -> None:
    """Blocks until stopped (Ctrl+C or SIGTERM)."""
    logs.configure(settings.log_format)
    asyncio.run(serve(settings, webhook_url, port, health_port))


async def serve(
    settings: Settings, webhook_url: str | None = None, port: int = 8443, health_port: int | None = None
) -> None:
    """WEBHOOK_URL: take updates there (the HTTP server listens on PORT); otherwise long polling,
    with /health on HEALTH_PORT if given."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    serving = Serving(
        settings, Leadership(settings.database_url), secrets.token_urlsafe(32),
        create_async_engine(settings.database_url, poolclass=NullPool),
    )  # fmt: skip
    listen = port if webhook_url else health_port
    server = _start_http(serving, listen) if listen else None
    try:
        while not stop.is_set():
            if not await serving.leadership.wait_until_leader(stop):
                break
            await _lead(serving, stop, webhook_url)
    finally:
        if server is not None:
            server.stop()
        await serving.leadership.close()
        await serving.database.dispose()


async def _lead(serving: Serving, stop: asyncio.Event, webhook_url: str | None) -> None:
    """Take updates and run the jobs until asked to stop or the lead is lost."""
    app = build_application(serving.settings, serving.settings.bot_token or "")
    async with app.bot_data[KEY].sessions.begin() as session:
        for model in (Reminder, Delivery):
            released, unknown = await outbox.take_over(session, model)
            if released or unknown:
                log.info(
                    "took over %s: %d claims released, %d sends in doubt",
                    model.__tablename__,
                    released,
                    unknown,
                )
    async with app:
        await app.bot.set_my_commands([BotCommand(name, about) for name, about in m.COMMANDS])
        await app.start()
        if webhook_url:
            await app.bot.set_webhook(
                webhook_url.rstrip("/") + WEBHOOK_PATH, secret_token=serving.secret,
                allowed_updates=Update.ALL_TYPES,
            )  # fmt: skip
        else:
            await app.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        serving.app = app
        try:
            while not stop.is_set() and await serving.leadership.still_leader():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), serving.leadership.poll_seconds)
        finally:
            serving.app = None
            if app.updater.running:
                await app.updater.stop()
            await app.stop()
    await app.bot_data["database"].dispose()
    await serving.leadership.step_down()


def _start_http(serving: Serving, port: int) -> HTTPServer:
    web = WebApplication(
        [
            (WEBHOOK_PATH, _UpdateHandler, {"serving": serving}),
            ("/health", _HealthHandler, {"serving": serving}),
        ]
    )
    server = HTTPServer(web)
    server.listen(port)
    return server


class _UpdateHandler(RequestHandler):
    def initialize(self, serving: Serving) -> None:
        self.serving = serving

    async def post(self) -> None:
        given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not secrets.compare_digest(given, self.serving.secret):
            self.set_status(403)
            return
        app = self.serving.app
        if (
            app is None or app.updater.running
        ):  # a standby (or polling): Telegram tries again: Telegram tries again, and the leader will be there
            self.set_status(503)
            return
        try:
            update = Update.de_json(json.loads(self.request.body), app.bot)
        except (ValueError, TypeError):
            self.set_status(400)
            return
        await app.update_queue.put(update)


class _HealthHandler(RequestHandler):
    def initialize(self, serving: Serving) -> None:
        self.serving = serving

    async def get(self) -> None:
        database = "ok"
        try:
            async with self.serving.database.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            database = "unreachable"
        role = "leader" if self.serving.app is not None else "standby"
        self.set_status(200 if database == "ok" else 503)
        self.finish({"status": "ok" if database == "ok" else "degraded", "role": role, "database": database})
