"""Shared fixtures: a real, freshly migrated database per test (SQLite, or PostgreSQL when
PEOPLEZONES_TEST_POSTGRES_URL is set), and the location of ../shared/data when it exists."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from db import migrate
from db.session import make_engine, make_sessionmaker

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).with_name("fixtures")
POSTGRES_URL = os.environ.get("PEOPLEZONES_TEST_POSTGRES_URL", "")

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
    engine = make_engine(database_url)
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
