"""The demo directory of real LLR assets (plus labelled examples), for a first run with no data."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import db
from bot.config import Settings
from bot.services.directory import import_directory
from bot.services.event_import import EventImportReport, import_events
from bot.services.places import ZoneMap
from db.importers.events import EventFile, EventRecord, read_event_file
from db.importers.pipeline import ImportReport
from db.models import Asset

DEMO_FILE = Path(db.__file__).with_name("data") / "demo_directory.csv"
# Example events only (labelled so): repeating from January 2026 (or a whole number of years before
# today on a machine whose date is earlier), so there is always something on.
DEMO_EVENTS = Path(db.__file__).with_name("data") / "demo_events.csv"


async def load(sessions: async_sessionmaker[AsyncSession], zones: ZoneMap) -> ImportReport:
    """Load or refresh the demo directory; a second load finds everything unchanged."""
    return await import_directory(sessions, str(DEMO_FILE), zones, fmt="csv", source="demo")


async def load_events(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, now: datetime
) -> EventImportReport:
    parsed = read_event_file(DEMO_EVENTS, settings.tz)
    parsed = EventFile([_started_by(record, now, settings.tz) for record in parsed.records], parsed.rejected)
    return await import_events(
        sessions, parsed, "demo-events", ZoneMap(settings.zones), now, settings.tz,
        settings.reminder_offsets_minutes,
    )  # fmt: skip


def _started_by(record: EventRecord, now: datetime, tz: ZoneInfo) -> EventRecord:
    """A series that would start after NOW (a machine whose date is before the file's) is moved back
    whole 52-week years, which keeps its weekdays and local times and changes only once a year, so a
    second load finds it unchanged."""
    years = 0
    while record.starts_at - timedelta(weeks=52 * years) > now:
        years += 1
    if years == 0:
        return record
    back = timedelta(weeks=52 * years)

    def moved(when: datetime) -> datetime:
        # in local wall time, so 18:00 stays 18:00 across the clock changes
        return (when.astimezone(tz).replace(tzinfo=None) - back).replace(tzinfo=tz)

    return replace(
        record,
        starts_at=moved(record.starts_at),
        ends_at=None if record.ends_at is None else moved(record.ends_at),
        repeat_until=None if record.repeat_until is None else moved(record.repeat_until),
    )


async def directory_is_empty(sessions: async_sessionmaker[AsyncSession]) -> bool:
    async with sessions() as session:
        return await session.scalar(select(Asset.id).limit(1)) is None
