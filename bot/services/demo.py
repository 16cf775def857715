"""The demo directory of real LLR assets (plus labelled examples), for a first run with no data."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import db
from bot.clock import system_clock
from bot.config import Settings
from bot.services.directory import import_directory
from bot.services.event_import import EventImportReport, import_event_file
from bot.services.places import ZoneMap
from db.importers.pipeline import ImportReport
from db.models import Asset

DEMO_FILE = Path(db.__file__).with_name("data") / "demo_directory.csv"
# Example events only (labelled so): repeating from January 2026, so there is always something on.
DEMO_EVENTS = Path(db.__file__).with_name("data") / "demo_events.csv"


async def load(sessions: async_sessionmaker[AsyncSession], zones: ZoneMap) -> ImportReport:
    """Load or refresh the demo directory; a second load finds everything unchanged."""
    return await import_directory(sessions, str(DEMO_FILE), zones, fmt="csv", source="demo")


async def load_events(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> EventImportReport:
    return await import_event_file(
        sessions, DEMO_EVENTS, "demo-events", ZoneMap(settings.zones), system_clock(), settings.tz,
        settings.reminder_offsets_minutes,
    )  # fmt: skip


async def directory_is_empty(sessions: async_sessionmaker[AsyncSession]) -> bool:
    async with sessions() as session:
        return await session.scalar(select(Asset.id).limit(1)) is None
