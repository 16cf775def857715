"""Shared fixtures: a real, freshly migrated database per test (SQLite, or PostgreSQL when
PEOPLEZONES_TEST_POSTGRES_URL is set), and the location of ../shared/data when it exists.

The tests' clock is fixed (THURSDAY_MORNING); the machine's wall clock is not. To prove the bot
reads only its own clock, PEOPLEZONES_TEST_WALL_CLOCK_YEARS=N moves the wall clock N years away
(time-machine) for the whole run: any code that reads the wall clock instead of the bot's clock
then sees a date years from the tests' and fails, whatever today's date is."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bot.clock import FakeClock
from db import migrate
from db.session import make_engine, make_sessionmaker

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).with_name("fixtures")
POSTGRES_URL = os.environ.get("PEOPLEZONES_TEST_POSTGRES_URL", "")
WALL_CLOCK_YEARS = int(os.environ.get("PEOPLEZONES_TEST_WALL_CLOCK_YEARS", "0") or 0)
THURSDAY_MORNING = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    if WALL_CLOCK_YEARS:
        # tick: the wall clock keeps running (APScheduler and timeouts need it to), from far away
        traveller = time_machine.travel(datetime.now(UTC) + relativedelta(years=WALL_CLOCK_YEARS), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str:
    wall = f"moved {WALL_CLOCK_YEARS:+d} years" if WALL_CLOCK_YEARS else "as it is"
    return f"tests' clock from {THURSDAY_MORNING:%Y-%m-%d}; wall clock {wall} ({datetime.now(UTC):%Y-%m-%d})"


needs_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason="../shared/data is not here (it is only on developer machines and CI)"
)


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    """An empty database at the newest schema revision."""
    if POSTGRES_URL:
        await _reset_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    await migrate.upgrade(url)
    return url


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url, FakeClock(THURSDAY_MORNING))
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Environment for running the CLI in-process against a database of its own."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    if POSTGRES_URL:
        asyncio.run(_reset_postgres(POSTGRES_URL))
        asyncio.run(migrate.upgrade(POSTGRES_URL))
        url = POSTGRES_URL
    monkeypatch.setenv("PEOPLEZONES_DATABASE_URL", url)
    monkeypatch.delenv("PEOPLEZONES_CONFIG", raising=False)
    monkeypatch.delenv("PEOPLEZONES_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    return url
