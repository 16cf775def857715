"""Running on Telegram for real: long polling or a webhook, behind the leader election.

Webhook mode on PostgreSQL runs workers side by side (bot.workers): every process builds the
Application and takes the updates a load balancer sends it; the one that holds the lead
(`bot.leader`) also registers the webhook and the commands, runs the timed jobs and does all the
sending from the outboxes. /telegram answers an update only once it has been handled and
committed (at most CONCURRENT_UPDATES at once a process; more wait their turn), so an update
whose worker died is never answered 200 and Telegram sends it again, to a worker that is there.

Polling (and SQLite, which serves one process): every process waits to lead; the leader builds
the Application, takes updates and runs the timed jobs; standbys only answer the health check.
If the leader loses its lock it stops taking updates at once and goes back to standing by.

In webhook mode one small HTTP server serves both `/telegram` (updates, checked against the secret
token; 503 on a standby, so Telegram retries and reaches the leader) and `/health` (200 with the
role and the database's state; 503 when the database does not answer within HEALTH_SECONDS, or when
this process stands by because it cannot reach the database to lead). `/health/leader` answers the
same, but 200 only on the leader: with workers, it says which one leads; with a single webhook
process behind a standby, it is what a load balancer should check, so that it sends updates to the
leader alone.

The HTTP server is ours (tornado, not PTB's webhook server), and it is on the internet, so it
decides everything it can from the headers before it reads a byte of a body: the secret token
(403), whether this process leads (503) and the announced size (413 over MAX_BODY). Whatever else
is sent to it is capped at MAX_BODY, and clients slower than HEADER_TIMEOUT for their headers or
BODY_TIMEOUT for their body are cut off. The secret is the same in every process of a deployment
(see `webhook_secret`), so an update that reaches a standby is answered 503, not 403.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
import signal
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from telegram import Update
from telegram.ext import Application, Updater
from tornado.http1connection import HTTP1Connection
from tornado.httpserver import HTTPServer
from tornado.httputil import HTTPHeaders
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler, stream_request_body

from bot import logs
from bot.app import build_application, close_database, set_commands
from bot.config import Settings
from bot.leader import Leadership
from bot.workers import LeaderDuties, WorkerJobQueue, take_over_outboxes

log = logging.getLogger(__name__)
access_log = logging.getLogger("bot.production.access")
WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few KB, and a few hundred KB at the very most (a 4,096-character message
# quoting another, with entities, every character escaped): 1 MB is several times the largest, and
# what an authenticated sender can make this process hold per connection.
MAX_BODY = 1024 * 1024
# Telegram sends its headers and a body of a few KB at once; a client that takes longer than this
# for either is cut off (and a kept-alive connection that sends nothing is closed after as long).
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0
# /health answers within HEALTH_SECONDS whatever the database does; a check that has not finished
# by then goes on in the background (one at a time, on a pool of one connection) and gives up
# after HEALTH_CHECK_SECONDS, so a database that never answers costs one connection, not one a
# request.
HEALTH_SECONDS = 2.0
HEALTH_CHECK_SECONDS = 5.0
DRAIN_SECONDS = 10.0  # how long a stopping worker waits for the updates it is handling
STARTING = "has the lead and is not taking updates yet"
# What the webhook's secret is derived from the token with (see webhook_secret).
SECRET_LABEL = b"peoplezones webhook secret token v1"


def webhook_secret(settings: Settings) -> str:
    """The secret registered with Telegram and checked on every update: `webhook_secret` from the
    settings, else an HMAC-SHA256 of a fixed label keyed by the bot token. Every process of one
    deployment computes the same one, so whichever process Telegram reaches knows it, and a standby
    answers 503 (try again) rather than 403; it reveals nothing of the token. 43 characters of
    Telegram's allowed alphabet (letters, digits, _ and -)."""
    if settings.webhook_secret:
        return settings.webhook_secret
    digest = hmac.new((settings.bot_token or "").encode(), SECRET_LABEL, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass
class Serving:
    """What the HTTP endpoints need to know about this process."""

    settings: Settings
    leadership: Leadership
    secret: str
    database: DatabaseCheck
    app: Application | None = None  # set while this process takes updates
    leading: bool = False  # the leader's duties are running here
    workers: bool = False  # webhook workers side by side (every process takes updates)
    turns: asyncio.Semaphore | None = None  # updates handled at once by the webhook
    in_flight: int = 0

    async def drain(self, limit: float = DRAIN_SECONDS) -> None:
        """Stop taking updates and let those being handled finish (within LIMIT), so a worker
        that is stopped answers what it took rather than leaving it to Telegram's retry."""
        self.app = None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(limit):
                while self.in_flight:
                    await asyncio.sleep(0.05)


class DatabaseCheck:
    """Whether the database answers `SELECT 1`, for /health. Requests that arrive while a check is
    running wait for the same answer, so however many there are at once, there is one check and
    one pooled connection; each waits at most HEALTH_SECONDS."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite":
            self.engine = create_async_engine(database_url)
        else:
            limits = {"timeout": HEALTH_CHECK_SECONDS, "command_timeout": HEALTH_CHECK_SECONDS}
            self.engine = create_async_engine(
                database_url, pool_size=1, max_overflow=0, pool_timeout=HEALTH_CHECK_SECONDS,
                pool_pre_ping=True, hide_parameters=True,
                connect_args=limits if url.get_driver_name() == "asyncpg" else {},
            )  # fmt: skip
        self._running: asyncio.Task[bool] | None = None
        self._answered = True  # last time; the log says when that changes

    async def answers(self) -> bool:
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._select_one())
        try:
            return await asyncio.wait_for(asyncio.shield(self._running), HEALTH_SECONDS)
        except TimeoutError:
            return False

    async def _select_one(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            if self._answered:
                log.warning("the database does not answer the health check (%s)", type(error).__name__)
            self._answered = False
            return False
        if not self._answered:
            log.info("the database answers the health check again")
        self._answered = True
        return True

    async def close(self) -> None:
        if self._running is not None and not self._running.done():
            self._running.cancel()
            await asyncio.wait([self._running], timeout=HEALTH_SECONDS)
        await self.engine.dispose()


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
    secret = webhook_secret(settings)
    logs.protect_logs(secret)  # redacted from every log line, like the token
    serving = Serving(
        settings, Leadership(settings.database_url), secret, DatabaseCheck(settings.database_url)
    )
    listen = port if webhook_url else health_port
    server = _start_http(serving, listen) if listen else None
    serving.workers = bool(webhook_url) and make_url(settings.database_url).get_backend_name() == "postgresql"
    try:
        if serving.workers and webhook_url:
            await _work(serving, stop, webhook_url)
        while not serving.workers and not stop.is_set():
            if not await serving.leadership.wait_until_leader(stop):
                break
            await _lead(serving, stop, webhook_url)
    finally:
        if server is not None:
            server.stop()
        await serving.leadership.close()
        await serving.database.close()


async def _lead(serving: Serving, stop: asyncio.Event, webhook_url: str | None) -> None:
    """Take updates and run the jobs until asked to stop or the lead is lost."""
    app = build_application(serving.settings, serving.settings.bot_token or "")
    await take_over_outboxes(app)
    async with app:
        await set_commands(app)
        await app.start()
        if webhook_url:
            await app.bot.set_webhook(
                webhook_url.rstrip("/") + WEBHOOK_PATH, secret_token=serving.secret,
                allowed_updates=Update.ALL_TYPES,
            )  # fmt: skip
        else:
            await _updater(app).start_polling(allowed_updates=Update.ALL_TYPES)
        serving.turns = asyncio.Semaphore(app.concurrent_updates)
        serving.app, serving.leading = app, True
        try:
            while not stop.is_set() and await serving.leadership.still_leader():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), serving.leadership.poll_seconds)
        finally:
            serving.leading = False
            await serving.drain()
            if _updater(app).running:
                await _updater(app).stop()
            await app.stop()
    await close_database(app)
    await serving.leadership.step_down()


async def _work(serving: Serving, stop: asyncio.Event, webhook_url: str) -> None:
    """A webhook worker: take updates from the start, and the leader's duties while leading."""
    queue = WorkerJobQueue()
    token = serving.settings.bot_token or ""
    app = build_application(serving.settings, token, timed_jobs=False, job_queue=queue)
    duties = LeaderDuties(app, webhook_url, WEBHOOK_PATH, serving.secret)
    async with app:
        await app.start()  # the job queue (the updater stays idle: updates come by webhook)
        serving.turns = asyncio.Semaphore(app.concurrent_updates)
        serving.app = app
        log.info("taking updates as a webhook worker")
        try:
            while not stop.is_set():
                if not await serving.leadership.wait_until_leader(stop):
                    break
                try:
                    await duties.start()
                    serving.leading = True
                    while not stop.is_set() and await serving.leadership.still_leader():
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop.wait(), serving.leadership.poll_seconds)
                finally:
                    serving.leading = False
                    await duties.stop()
                    await serving.leadership.step_down()
        finally:
            await serving.drain()
            await app.stop()
    await close_database(app)


def _updater(app: Application) -> Updater:
    """The application's updater: build_application always makes one (it polls, or stands idle
    while updates arrive by webhook)."""
    if app.updater is None:
        raise RuntimeError("the application was built without an updater")
    return app.updater


def _start_http(serving: Serving, port: int) -> HTTPServer:
    web = WebApplication(
        [
            (WEBHOOK_PATH, _UpdateHandler, {"serving": serving}),
            ("/health", _HealthHandler, {"serving": serving}),
            ("/health/leader", _HealthHandler, {"serving": serving, "leader_only": True}),
        ],
        log_function=_log_request,
    )
    # max_body_size: no path reads more than MAX_BODY (tornado answers 400 and hangs up);
    # idle_connection_timeout is how long tornado waits for a request's headers
    server = HTTPServer(
        web, max_body_size=MAX_BODY, idle_connection_timeout=HEADER_TIMEOUT, body_timeout=BODY_TIMEOUT
    )
    server.listen(port)
    return server


def _log_request(handler: RequestHandler) -> None:
    """One line per request at DEBUG (a load balancer's checks, and a flood of refused posts, would
    bury everything else); a server error at ERROR. Refusals worth knowing about are logged by the
    handler, once."""
    status = handler.get_status()
    request = handler.request
    access_log.log(
        logging.ERROR if status >= 500 else logging.DEBUG,
        "%d %s %s %.0f ms", status, request.method, request.path, 1000 * request.request_time(),
    )  # fmt: skip


@stream_request_body
class _UpdateHandler(RequestHandler):
    """Updates from Telegram. The body is streamed (tornado calls `prepare` once it has the
    headers, then `data_received` for each piece), so a request is refused before its body is read;
    answering before the body has arrived makes tornado close the connection instead of reading
    on."""

    def initialize(self, serving: Serving) -> None:
        self.serving = serving
        self.received = bytearray()

    def prepare(self) -> None:
        # bytes: compare_digest refuses str with non-ASCII characters (headers arrive as Latin-1)
        given = self.request.headers.get(SECRET_HEADER, "").encode("latin-1", "replace")
        if not secrets.compare_digest(given, self.serving.secret.encode()):
            self._refuse(403)
        elif self.serving.app is None or _updater(self.serving.app).running:
            # a standby (or polling, or a worker stopping or not started yet): Telegram tries
            # again, and reaches a process that takes updates
            self._refuse(503)
        elif _announced_length(self.request.headers) > MAX_BODY:
            log.warning("webhook: refused a body of more than %d bytes", MAX_BODY)
            self._refuse(413)

    def _refuse(self, status: int) -> None:
        # Let the connection take the announced length, or tornado, reading on once we have
        # answered, would refuse it again with a second answer of its own; it reads nothing, as
        # the connection is closed as soon as ours is sent.
        connection = self.request.connection
        if isinstance(connection, HTTP1Connection):  # what tornado's HTTPServer always serves with
            connection.set_max_body_size(max(MAX_BODY, _announced_length(self.request.headers)))
        self.set_status(status)
        self.finish()

    def data_received(self, chunk: bytes) -> None:
        if not self._finished:  # the HTTP server stops at MAX_BODY
            self.received += chunk

    async def post(self) -> None:
        app, turns = self.serving.app, self.serving.turns
        if app is None or turns is None:  # the lead was lost (or the worker is stopping) meanwhile
            self.set_status(503)
            return
        try:
            update = Update.de_json(json.loads(self.received), app.bot)
        except Exception as error:  # malformed, not an update, or nested too deep (RecursionError)
            log.warning("webhook: refused a body that is not a Telegram update (%s)", type(error).__name__)
            self.set_status(400)
            return
        # answered once handled and committed: a process that dies before then never said 200,
        # so Telegram sends the update again (and the pipeline knows one it has handled)
        self.serving.in_flight += 1
        try:
            async with turns:
                await app.process_update(update)
        except Exception as error:  # not committed: Telegram tries again
            log.error("webhook: an update could not be handled (%s)", type(error).__name__)
            self.set_status(500)
        finally:
            self.serving.in_flight -= 1


def _announced_length(headers: HTTPHeaders) -> int:
    """The Content-Length; 0 when absent or malformed (tornado refuses a malformed one itself)."""
    value = headers.get("Content-Length", "0")
    return int(value) if value.isdigit() else 0


class _HealthHandler(RequestHandler):
    def initialize(self, serving: Serving, leader_only: bool = False) -> None:
        self.serving = serving
        self.leader_only = leader_only

    async def get(self) -> None:
        database = "ok" if await self.serving.database.answers() else "unreachable"
        leads = self.serving.leading
        if leads or self.serving.workers:
            blocked = None  # a worker takes updates whoever leads
        elif self.serving.leadership.is_leader:
            blocked = STARTING  # it has the lead, and is starting to take updates
        else:
            blocked = self.serving.leadership.blocked
        healthy = database == "ok" and blocked is None
        role = "leader" if leads else "worker" if self.serving.workers else "standby"
        body = {"status": "ok" if healthy else "degraded", "role": role}
        body["database"] = database
        if blocked:
            body["reason"] = blocked  # a standby that cannot lead: nobody may be taking updates
        self.set_status(200 if healthy and (leads or not self.leader_only) else 503)
        self.finish(body)
