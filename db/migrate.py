"""Create or upgrade the schema with Alembic, on the same async engine the app uses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from db.session import make_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(url: str, revision: str = "head") -> str:
    """Bring the database at URL to REVISION; returns the revision it is now at."""
    return await _move(url, revision, command.upgrade)


async def downgrade(url: str, revision: str) -> str:
    """Take the database at URL back to REVISION (tests of a migration's way back)."""
    return await _move(url, revision, command.downgrade)


async def _move(url: str, revision: str, step: Callable[[Config, str], None]) -> str:
    config = alembic_config()
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:

            def _step(sync_conn: Connection) -> None:
                config.attributes["connection"] = sync_conn
                step(config, revision)

            await conn.run_sync(_step)
        return await current_revision_of(engine) or ""
    finally:
        await engine.dispose()


async def current_revision_of(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


async def is_current(url: str) -> bool:
    """True when the database exists and is at the newest revision."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = make_engine(url)
    try:
        return await current_revision_of(engine) == head
    finally:
        await engine.dispose()
