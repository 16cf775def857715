"""The demo directory of real LLR assets (plus labelled examples), for a first run with no data."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import db
from bot.services.directory import import_directory
from bot.services.places import ZoneMap
from db.importers.pipeline import ImportReport
from db.models import Asset

DEMO_FILE = Path(db.__file__).with_name("data") / "demo_directory.csv"


async def load(sessions: async_sessionmaker[AsyncSession], zones: ZoneMap) -> ImportReport:
    """Load or refresh the demo directory; a second load finds everything unchanged."""
    return await import_directory(sessions, str(DEMO_FILE), zones, fmt="csv", source="demo")


async def directory_is_empty(sessions: async_sessionmaker[AsyncSession]) -> bool:
    async with sessions() as session:
        return await session.scalar(select(Asset.id).limit(1)) is None
