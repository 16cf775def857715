"""/health under load and when the database misbehaves: concurrent checks share one pooled
connection, a database that accepts connections but never answers is reported within seconds
(not asyncpg's 60), and a process that stands by because it cannot reach the database to lead
says so with a 503 (a standby behind a healthy leader answers 200; /health/leader answers 200
only on the leader, for a load balancer that should send /telegram to the leader alone)."""

from __future__ import annotations

import asyncio
import contextlib
import time

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.config import Settings, default_zones
from bot.emulation import EmulatedTelegram
from bot.emulation.http import serve as serve_telegram
from bot.emulation.processes import until
from bot.leader import LOCK_KEY
from bot.production import serve
from tests.conftest import POSTGRES_URL
from tests.tcp_proxy import TcpProxy
from tests.test_production import free_port

FAILURE_BOUND = 60.0  # seconds before a wait counts as a failure; not a performance target
REPORT_BOUND = 10.0  # "within a few seconds": generous, but far from the driver's 60 s
needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="leader election and pooled checks need PostgreSQL (set PEOPLEZONES_TEST_POSTGRES_URL)",
)


class WatchedProxy(TcpProxy):
    """A proxy to the database that counts the connections open through it, and can hold new
    connections without ever answering (a database that accepts but never answers)."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port)
        self.open = self.peak = 0
        self.hold = False
        self._held: list[asyncio.StreamWriter] = []

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        self.peak = max(self.peak, self.open)
        try:
            if self.hold:
                self._held.append(writer)
                with contextlib.suppress(OSError):
                    while await reader.read(65536):
                        pass
                return
            await super()._link(reader, writer)
        finally:
            self.open -= 1

    async def cut(self) -> None:
        for writer in self._held:
            writer.transport.abort()
        await super().cut()


async def health(port: int, path: str = "/health") -> tuple[int, dict, float]:
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=FAILURE_BOUND) as client:
        answer = await client.get(f"http://127.0.0.1:{port}{path}")
    return answer.status_code, answer.json(), time.monotonic() - started


async def burst(port: int, total: int, at_once: int) -> list[tuple[int, dict, float]]:
    gate = asyncio.Semaphore(at_once)
    async with httpx.AsyncClient(
        timeout=FAILURE_BOUND, limits=httpx.Limits(max_connections=at_once)
    ) as client:

        async def one() -> tuple[int, dict, float]:
            async with gate:
                started = time.monotonic()
                answer = await client.get(f"http://127.0.0.1:{port}/health")
                return answer.status_code, answer.json(), time.monotonic() - started

        return await asyncio.gather(*(one() for _ in range(total)))


async def stop(running: asyncio.Task) -> None:
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)


@needs_postgres
async def test_concurrent_health_checks_share_the_pool(database_url, capsys):
    url = make_url(database_url)
    proxy = WatchedProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    # another process leads (the test holds the lock), so this one stands by, ready: the only
    # connections it opens are its attempts to lead (one at a time, every 2 s) and /health's
    leader = create_async_engine(database_url, poolclass=NullPool)
    lock = await leader.connect()
    await lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
    port = free_port()
    running = asyncio.create_task(
        serve(Settings(database_url=through_proxy, zones=default_zones()), None, health_port=port)
    )
    try:
        await until(lambda: proxy.peak > 0, FAILURE_BOUND)
        assert (await health(port))[:2] == (200, {"status": "ok", "role": "standby", "database": "ok"})
        answers = await burst(port, 1000, 40)
        assert {(status, body["database"]) for status, body, _ in answers} == {(200, "ok")}
        assert proxy.peak <= 2, f"{proxy.peak} database connections open at once for /health"
        assert (await health(port, "/health/leader"))[0] == 503  # not where updates should go
        with capsys.disabled():
            print(f"\n  1,000 /health, 40 at a time: {proxy.peak} database connections at most")
    finally:
        await stop(running)
        await lock.close()
        await leader.dispose()
        await proxy.cut()


async def test_a_database_that_never_answers_is_reported_within_seconds(capsys):
    # no PostgreSQL needed: the "database" is a socket that accepts and never says a word
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)
        with contextlib.suppress(OSError):
            while await reader.read(65536):
                pass

    hole = await asyncio.start_server(silent, "127.0.0.1", 0)
    hole_port = hole.sockets[0].getsockname()[1]
    settings = Settings(
        database_url=f"postgresql+asyncpg://pz@127.0.0.1:{hole_port}/pz", zones=default_zones()
    )
    port = free_port()
    running = asyncio.create_task(serve(settings, None, health_port=port))
    try:
        await until(lambda: bool(accepted), FAILURE_BOUND)  # trying to lead
        slowest = 0.0
        for _ in range(2):  # the first check, and one while the first may still be hanging
            answers = await burst(port, 40, 40)
            for status, body, seconds in answers:
                assert status == 503 and body["database"] == "unreachable" and body["role"] == "standby"
                assert seconds < REPORT_BOUND, f"/health took {seconds:.1f} s"
                slowest = max(slowest, seconds)
        with capsys.disabled():
            print(
                f"\n  a silent database: /health said 503 within {slowest:.1f} s; {len(accepted)} connections"
            )
        # 80 checks, a handful of connections: one for the checks at a time, one to lead
        assert len(accepted) <= 6, f"{len(accepted)} connections to the database"
    finally:
        await stop(running)
        for writer in accepted:
            writer.transport.abort()
        hole.close()
        await hole.wait_closed()


@needs_postgres
async def test_a_standby_that_cannot_reach_the_database_to_lead_says_so(database_url):
    url = make_url(database_url)
    proxy = WatchedProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.hold = True  # the database accepts connections and never answers
    await proxy.start()
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    telegram = EmulatedTelegram(token="123456:TEST", rate_limits=False)
    server, api_port = serve_telegram(telegram)
    settings = Settings(
        database_url=through_proxy, zones=default_zones(), bot_token="123456:TEST",
        telegram_api_url=f"http://127.0.0.1:{api_port}/bot",
    )  # fmt: skip
    port = free_port()
    running = asyncio.create_task(serve(settings, None, health_port=port))
    try:
        await until(lambda: proxy.peak > 0, FAILURE_BOUND)
        status, body, seconds = await health(port)
        assert status == 503 and body["role"] == "standby" and seconds < REPORT_BOUND
        # the database answers again: until this process leads, /health must not say "200, ok,
        # standby" (which tells a load balancer that all is well while nobody takes updates)
        proxy.hold = False
        seen = []
        started = time.monotonic()
        while True:
            status, body, _ = await health(port)
            seen.append((status, body))
            assert status == 503 or body["role"] == "leader", seen[-3:]
            if status == 503:
                assert body.get("reason") or body["database"] != "ok", body
            if body["role"] == "leader":
                break
            assert time.monotonic() - started < FAILURE_BOUND, seen[-3:]
            await asyncio.sleep(0.2)
        assert (status, body) == (200, {"status": "ok", "role": "leader", "database": "ok"})
        assert (await health(port, "/health/leader"))[0] == 200
    finally:
        await stop(running)
        server.stop()
        await proxy.cut()
