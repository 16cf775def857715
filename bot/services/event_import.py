"""Importing a coordinator's events file (CSV or .ics) into the database in one transaction.

Rows are matched by (source, id), so importing the same file again updates rather than doubles;
an event whose time or place changed in the file is changed as if a coordinator had edited it in
the bot, so the people going are told. Bad rows are reported and skipped; a file that cannot be
read at all changes nothing.

A coordinator's file is held to what her buttons allow, row by row: she changes only events she
may manage (in her zones, or made by her) and creates or moves events only into her zones; other
rows are refused and reported. The command line (an operator) writes anywhere. No event starts or
ends more than YEARS_AHEAD years ahead (a mistyped year), whoever writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import messages as m
from bot.services.categories import CorrectionError, find_asset
from bot.services.event_changes import alert_new_event, change_event
from bot.services.events import EventError, create_event
from bot.services.places import ZoneMap, find_postcode
from bot.services.roles import EVERY_ZONE, covers
from bot.services.when import YEARS_AHEAD, too_far_ahead
from db.importers.events import EventFile, EventRecord, read_event_file
from db.models import Event
from db.session import UpdateSessions

COMPARED = (
    "title", "description", "venue", "postcode", "zone", "capacity", "starts_at", "ends_at",
    "freq", "interval", "byday", "repeat_until", "asset_id",
)  # fmt: skip


@dataclass
class EventImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    people_told: int = 0
    residents_alerted: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"events: {self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.rejected)} rejected; {m.counted(self.people_told, 'person')} going told of a change, "
            f"{m.counted(self.residents_alerted, 'new-event alert')}"
        )


async def import_event_file(
    sessions: async_sessionmaker[AsyncSession] | UpdateSessions,
    path: Path,
    source: str,
    zones: ZoneMap,
    now: datetime,
    tz: ZoneInfo,
    offsets_minutes: tuple[int, ...],
    created_by: int | None = None,
    writer_zones: set[str] | None = None,
) -> EventImportReport:
    """Read PATH (SourceFormatError when unreadable: nothing changes) and write its events.

    WRITER_ZONES are the zones of the coordinator who sent the file ({EVERY_ZONE} for an admin),
    or None for the operator's command line, which may write anywhere.
    """
    parsed = read_event_file(path, tz)
    return await import_events(
        sessions, parsed, source, zones, now, tz, offsets_minutes, created_by, writer_zones
    )


async def import_events(
    sessions: async_sessionmaker[AsyncSession] | UpdateSessions,
    parsed: EventFile,
    source: str,
    zones: ZoneMap,
    now: datetime,
    tz: ZoneInfo,
    offsets_minutes: tuple[int, ...],
    created_by: int | None = None,
    writer_zones: set[str] | None = None,
) -> EventImportReport:
    """Write events already read from a file, in one transaction; the file's bad rows stay reported."""
    report = EventImportReport(rejected=[(r.row, r.reason) for r in parsed.rejected])
    known_zones = {name.casefold(): name for name in zones.zone_districts()}
    async with sessions.begin() as session:
        existing = {
            e.external_id: e for e in await session.scalars(select(Event).where(Event.source == source))
        }
        for number, record in enumerate(parsed.records, start=1):
            try:
                if record.zone and record.zone.casefold() not in known_zones:
                    raise EventError(f"'{record.zone}' is not one of the zones")
                _check_horizon(record, now, tz)
                record = await _with_asset(session, record)
                zone = known_zones.get(record.zone.casefold()) or zones.zone_for(postcode=record.postcode)
                event = existing.get(record.external_id)
                if writer_zones is not None:
                    _check_writer(writer_zones, created_by, event, zone)
                if event is None:
                    event = await _create(session, record, zone, source, created_by)
                    report.created += 1
                    report.residents_alerted += await alert_new_event(session, event, now, tz)
                    continue
                changes = {n: v for n, v in _fields(record, zone).items() if getattr(event, n) != v}
                if not changes or event.status != "scheduled":
                    report.unchanged += 1
                    continue
                outcome = await change_event(session, event.id, changes, now, tz, offsets_minutes)
            except (EventError, CorrectionError) as problem:
                report.rejected.append((_where(record, number), str(problem)))
                continue
            report.updated += 1
            report.people_told += outcome.moved + outcome.called_off
    return report


async def _with_asset(session: AsyncSession, record: EventRecord) -> EventRecord:
    """An event at a directory asset takes its place from the asset where the file leaves it out."""
    postcode = record.postcode or find_postcode(record.venue)
    if not record.asset:
        return replace(record, postcode=postcode)
    asset = await find_asset(session, record.asset)
    venue = record.venue or ", ".join(p for p in (asset.name, asset.address) if p)
    return replace(
        record,
        venue=venue,
        postcode=postcode or asset.postcode,
        zone=record.zone or asset.zone,
        asset=str(asset.id),
    )


def _where(record: EventRecord, number: int) -> str:
    return f"{record.ref or f'event {number}'} ({record.title[:40]})"


def _check_horizon(record: EventRecord, now: datetime, tz: ZoneInfo) -> None:
    """A start or end years ahead is a mistyped year (and its buttons could not be pressed)."""
    for what, moment in (("the start", record.starts_at), ("the end", record.ends_at)):
        if moment is not None and too_far_ahead(moment, now):
            when = f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"
            raise EventError(
                m.EVENT_ROW_TOO_FAR.format(what=what, when=when, years=m.counted(YEARS_AHEAD, "year"))
            )


def _check_writer(writer_zones: set[str], writer: int | None, event: Event | None, zone: str) -> None:
    """What the coordinator's buttons would allow: change an event she may manage (in her zones, or
    made by her: `may_manage_event`), and put an event only in one of her zones."""
    yours = ", ".join(sorted(writer_zones)) or "none"
    mine = event is not None and (
        covers(writer_zones, event.zone) or (writer is not None and event.created_by == writer)
    )
    if event is not None and not mine:
        raise EventError(m.EVENT_ROW_NOT_YOURS.format(zone=event.zone or "no zone", yours=yours))
    if EVERY_ZONE in writer_zones or (event is not None and zone == event.zone):
        return  # an admin; or an event she may manage, left in its zone
    if not zone:
        raise EventError(m.EVENT_ROW_NO_ZONE.format(yours=yours))
    if zone not in writer_zones:
        raise EventError(m.EVENT_ROW_NOT_YOUR_ZONE.format(zone=zone, yours=yours))


def _fields(record: EventRecord, zone: str) -> dict[str, object]:
    values = {name: getattr(record, name) for name in COMPARED if name not in ("zone", "asset_id")}
    return values | {"zone": zone, "asset_id": int(record.asset) if record.asset else None}


async def _create(
    session: AsyncSession, record: EventRecord, zone: str, source: str, created_by: int | None
) -> Event:
    fields = _fields(record, zone)
    starts_at = fields.pop("starts_at")
    title = fields.pop("title")
    return await create_event(
        session, title, starts_at, **fields, categories=list(record.categories) or None,  # type: ignore[arg-type]
        created_by=created_by, source=source, external_id=record.external_id,
    )  # fmt: skip
