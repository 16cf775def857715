"""Webhook mode with more than one process: every process of a deployment knows the secret
registered with Telegram (from the settings, or derived from the token without being it), so an
update that reaches a standby is answered 503 and Telegram tries again until it reaches the
leader, as the README promises, instead of a 403 Telegram would not retry.

On SQLite, which has no election, a stand-in that never leads plays the standby. On PostgreSQL a
second webhook process is a worker, not a standby: it takes updates as well as the leader does
(see tests/test_workers.py), and only /health/leader says which of the two leads."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from bot import production
from bot.config import ConfigError, Settings, default_zones, load_settings
from bot.emulation import EmulatedTelegram
from bot.emulation.http import serve as serve_telegram
from bot.emulation.processes import until
from bot.production import serve, webhook_secret
from tests.conftest import POSTGRES_URL
from tests.test_production import free_port
from tests.test_webhook_limits import exchange, post_head, status_of

FAILURE_BOUND = 30.0  # seconds before a wait counts as a failure; not a performance target
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TOKEN = "123456:TEST"


class NeverLeads:
    """A process that another one always leads (SQLite has no election to lose)."""

    def __init__(self, database_url: str) -> None:
        self.shared = True
        self.is_leader = False
        self.blocked = None  # another process leads: a healthy standby
        self.poll_seconds = 0.1

    async def wait_until_leader(self, stop: asyncio.Event) -> bool:
        await stop.wait()
        return False

    async def still_leader(self) -> bool:
        return False

    async def step_down(self) -> None:
        pass

    async def close(self) -> None:
        pass


async def stop(task: asyncio.Task | None) -> None:
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def role(port: int) -> str | None:
    with contextlib.suppress(httpx.HTTPError):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            return (await client.get("/health")).json().get("role")
    return None


@dataclass
class Deployment:
    """The emulated Telegram and the webhook processes of one deployment (the first has
    registered the webhook: it leads)."""

    telegram: EmulatedTelegram
    settings: Settings
    leader_port: int
    secret: str  # what Telegram sends with every update
    processes: list[asyncio.Task]

    async def start_another(self, role_wanted: str) -> int:
        """One more process; its port, once its HTTP server is up and says it has ROLE_WANTED."""
        port = free_port()
        process = asyncio.create_task(serve(self.settings, "https://bot.example.org/", port))
        self.processes.append(process)
        async with asyncio.timeout(FAILURE_BOUND):
            while not process.done() and await role(port) != role_wanted:
                await asyncio.sleep(0.05)
        assert not process.done(), process.exception()
        return port


@contextlib.asynccontextmanager
async def deployment(database_url: str) -> AsyncIterator[Deployment]:
    telegram = EmulatedTelegram(token=TOKEN, rate_limits=False)
    server, api_port = serve_telegram(telegram)
    settings = Settings(
        database_url=database_url, zones=default_zones(), bot_token=TOKEN,
        telegram_api_url=f"http://127.0.0.1:{api_port}/bot",
    )  # fmt: skip
    leader_port = free_port()
    leader = asyncio.create_task(serve(settings, "https://bot.example.org/", leader_port))
    processes = [leader]
    try:
        await until(lambda: telegram.webhook is not None or leader.done(), FAILURE_BOUND)
        assert not leader.done(), leader.exception()
        yield Deployment(telegram, settings, leader_port, telegram.webhook["secret_token"], processes)
    finally:
        for process in reversed(processes):
            await stop(process)
        server.stop()


async def test_a_standby_answers_503_to_the_deployments_secret_so_telegram_retries(database_url, monkeypatch):
    if POSTGRES_URL:
        pytest.skip("on PostgreSQL every webhook process is a worker (see the test after this one)")
    async with deployment(database_url) as bot:
        telegram, secret, leader_port = bot.telegram, bot.secret, bot.leader_port
        monkeypatch.setattr(production, "Leadership", NeverLeads)
        standby_port = await bot.start_another("standby")

        ann = telegram.user("Ann")
        update = ann.send("/start")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{standby_port}") as client:
            retried = await client.post("/telegram", json=update, headers={SECRET_HEADER: secret})
            assert retried.status_code == 503  # Telegram tries again, and reaches the leader
            forged = await client.post("/telegram", json=update, headers={SECRET_HEADER: "guess" * 9})
            assert forged.status_code == 403  # the secret is still checked first
        # the lead is decided from the headers, before the body, like the secret: a huge body with
        # the secret is answered 503 by the standby without being read
        assert status_of(await exchange(standby_port, post_head(95 * 1024 * 1024, secret))) == 503
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{leader_port}") as client:
            taken = await client.post("/telegram", json=update, headers={SECRET_HEADER: secret})
            assert taken.status_code == 200
        await until(lambda: any(m.from_bot for m in telegram.transcript(ann)), FAILURE_BOUND)
        assert any("People Zones" in m.plain for m in telegram.transcript(ann) if m.from_bot)


def test_the_secret_is_the_same_for_every_process_and_is_not_the_token():
    one = webhook_secret(Settings(bot_token=TOKEN))
    assert one == webhook_secret(Settings(bot_token=TOKEN))  # another process, the same secret
    assert one != webhook_secret(Settings(bot_token="654321:OTHER"))
    assert TOKEN not in one and "TEST" not in one
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,256}", one)  # what Telegram accepts as a secret_token
    chosen = "a-deployment-secret_0123456789"
    assert webhook_secret(Settings(bot_token=TOKEN, webhook_secret=chosen)) == chosen


def test_a_webhook_secret_in_the_settings_is_checked(tmp_path):
    config = tmp_path / "pz.toml"
    config.write_text('webhook_secret = "shared-by-every-process-0123"\n', encoding="utf-8")
    assert load_settings(config, env={}).webhook_secret == "shared-by-every-process-0123"
    from_env = load_settings(None, env={"PEOPLEZONES_WEBHOOK_SECRET": "from-the-environment-0123"})
    assert from_env.webhook_secret == "from-the-environment-0123"
    for bad in ('"short"', '"has spaces in it, which Telegram refuses"', "12345678901234567890"):
        config.write_text(f"webhook_secret = {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="setting 'webhook_secret'") as refused:
            load_settings(config, env={})
        assert "Telegram" in str(refused.value) or "must be" in str(refused.value)


@pytest.mark.skipif(not POSTGRES_URL, reason="webhook workers side by side need PostgreSQL")
async def test_a_second_webhook_process_is_a_worker_that_takes_updates(database_url):
    async with deployment(database_url) as bot:
        telegram, secret, leader_port = bot.telegram, bot.secret, bot.leader_port
        worker_port = await bot.start_another("worker")
        ann = telegram.user("Ann")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{worker_port}") as client:
            assert (await client.get("/health")).status_code == 200
            assert (await client.get("/health/leader")).status_code == 503  # the other one leads
            update = ann.send("/start")
            forged = await client.post("/telegram", json=update, headers={SECRET_HEADER: "x" * 40})
            assert forged.status_code == 403
            taken = await client.post("/telegram", json=update, headers={SECRET_HEADER: secret})
            assert taken.status_code == 200
        # answered 200 only once handled: the welcome is already there
        assert any("People Zones" in m.plain for m in telegram.transcript(ann) if m.from_bot)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{leader_port}") as client:
            assert (await client.get("/health/leader")).status_code == 200
