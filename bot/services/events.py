"""Events: creating them, what's on, and RSVPs with capacity. Each RSVP gets reminder rows (see
`bot.services.notices`), so reminders survive restarts; changes that matter to people going live
in `bot.services.event_changes`."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching.classify import Classifier
from bot.matching.taxonomy import default_taxonomy
from bot.services.notices import NOTICE_KINDS, cancel_pending, schedule_reminders
from bot.services.recurrence import occurrence_key, occurrences
from bot.services.residents import resident_for, resident_of
from bot.services.roles import EVERY_ZONE
from db.models import Event, Rsvp


class EventError(ValueError):
    """Not possible (no such event or occurrence, already past); nothing changed."""


@dataclass(frozen=True)
class Occurrence:
    event: Event
    starts_at: datetime  # aware UTC


async def create_event(
    session: AsyncSession,
    title: str,
    starts_at: datetime,
    *,
    ends_at: datetime | None = None,
    venue: str = "",
    postcode: str = "",
    zone: str = "",
    capacity: int | None = None,
    freq: str = "",
    interval: int = 1,
    byday: str = "",
    repeat_until: datetime | None = None,
    description: str = "",
    categories: list[str] | None = None,
    created_by: int | None = None,
    source: str = "bot",
    external_id: str = "",
    asset_id: int | None = None,
) -> Event:
    """A new event; its needs categories are read from the title and description unless given."""
    event = Event(
        title=title[:500], description=description, venue=venue, postcode=postcode, zone=zone,
        starts_at=starts_at, ends_at=ends_at, capacity=capacity, freq=freq, interval=interval,
        byday=byday, repeat_until=repeat_until, created_by=created_by, source=source,
        external_id=external_id or f"bot-{uuid.uuid4()}", asset_id=asset_id,
        categories=categories if categories is not None else classify_event(title, description),
    )  # fmt: skip
    session.add(event)
    await session.flush()
    return event


@cache
def _classifier() -> Classifier:
    return Classifier(default_taxonomy())


def classify_event(title: str, description: str) -> list[str]:
    """The needs an event answers, so residents' interests and "what's on" by interest find it."""
    found = _classifier().classify(title, "", description).categories
    return sorted(found, key=lambda c: -found[c])[:5]


def interest_groups(event: Event) -> set[str]:
    taxonomy = default_taxonomy()
    groups = set()
    for category_id in event.categories or ():
        with contextlib.suppress(KeyError):
            groups.add(taxonomy.category(category_id).group)
    return groups


def event_occurrences(event: Event, tz: ZoneInfo, after: datetime, limit: int = 10) -> list[datetime]:
    """The next LIMIT dates of EVENT at or after AFTER, leaving out dates called off."""
    called_off = set(event.cancelled_dates or ())
    starts = occurrences(
        event.starts_at, tz, event.freq, event.interval, event.byday, event.repeat_until,
        after=after, limit=limit + len(called_off),
    )  # fmt: skip
    return [s for s in starts if occurrence_key(s) not in called_off][:limit]


async def find_event(session: AsyncSession, event_id: int) -> Event | None:
    """The event with this id, whatever its status (None: there is none)."""
    return await session.get(Event, event_id)


async def scheduled_events(session: AsyncSession, zones: set[str]) -> list[Event]:
    """Events still on in ZONES (every zone for a set holding EVERY_ZONE), by first date."""
    query = select(Event).where(Event.status == "scheduled").order_by(Event.starts_at, Event.id)
    if EVERY_ZONE not in zones:
        query = query.where(Event.zone.in_(zones))
    return list(await session.scalars(query))


async def upcoming(
    session: AsyncSession,
    now: datetime,
    tz: ZoneInfo,
    days: int = 7,
    zone: str = "",
    limit: int = 20,
    group: str = "",
) -> list[Occurrence]:
    """Occurrences starting from now until DAYS ahead, soonest first; ZONE narrows to one area
    (events without a zone show everywhere), GROUP to one kind of need."""
    query = select(Event).where(Event.status == "scheduled")
    if zone:
        query = query.where(Event.zone.in_((zone, "")))
    horizon = now + timedelta(days=days)
    found = []
    for event in await session.scalars(query):
        if group and group not in interest_groups(event):
            continue
        for start in event_occurrences(event, tz, after=now, limit=days + 1):
            if start <= horizon:
                found.append(Occurrence(event, start))
    return sorted(found, key=lambda o: (o.starts_at, o.event.id))[:limit]


async def going_count(session: AsyncSession, event_id: int, starts_at: datetime) -> int:
    counted = await session.execute(
        select(func.count(Rsvp.id)).where(
            Rsvp.event_id == event_id, Rsvp.occurrence_start == starts_at, Rsvp.status == "going"
        )
    )
    return counted.scalar_one()


async def going_to(
    session: AsyncSession, telegram_user_id: int, now: datetime, tz: ZoneInfo
) -> list[Occurrence]:
    """The coming dates this person said they are going to, soonest first. A date called off, or
    an event cancelled, is not among them (the person was told)."""
    resident = await resident_of(session, telegram_user_id)
    if resident is None:
        return []
    rows = await session.execute(
        select(Rsvp.occurrence_start, Event)
        .join(Event, Rsvp.event_id == Event.id)
        .where(
            Rsvp.resident_id == resident.id,
            Rsvp.status == "going",
            Rsvp.occurrence_start > now,
            Event.status == "scheduled",
        )
    )
    found = [
        Occurrence(event, start)
        for start, event in rows
        if start in event_occurrences(event, tz, after=start, limit=1)
    ]
    return sorted(found, key=lambda o: (o.starts_at, o.event.id))


async def _going(
    session: AsyncSession, telegram_user_id: int, event_id: int, starts_at: datetime
) -> Rsvp | None:
    """This person's RSVP "going" to one date of an event."""
    resident = await resident_of(session, telegram_user_id)
    if resident is None:
        return None
    return await session.scalar(
        select(Rsvp).where(
            Rsvp.resident_id == resident.id,
            Rsvp.event_id == event_id,
            Rsvp.occurrence_start == starts_at,
            Rsvp.status == "going",
        )
    )


async def is_going(session: AsyncSession, telegram_user_id: int, event_id: int, starts_at: datetime) -> bool:
    return await _going(session, telegram_user_id, event_id, starts_at) is not None


async def rsvp(
    session: AsyncSession,
    telegram_user_id: int,
    event_id: int,
    starts_at: datetime,
    offsets_minutes: tuple[int, ...],
    now: datetime,
    tz: ZoneInfo,
) -> str:
    """'going', 'already', or 'full'; reminders are created for the offsets still ahead."""
    event = await session.get(Event, event_id)
    if event is None or event.status != "scheduled":
        raise EventError("that event is not on any more")
    if starts_at <= now or starts_at not in event_occurrences(event, tz, after=starts_at, limit=1):
        raise EventError("that date is not one of this event's")
    resident = await resident_for(session, telegram_user_id)
    existing = await session.scalar(
        select(Rsvp).where(
            Rsvp.event_id == event_id, Rsvp.resident_id == resident.id, Rsvp.occurrence_start == starts_at
        )
    )
    if existing is not None and existing.status == "going":
        return "already"
    if event.capacity is not None and await going_count(session, event_id, starts_at) >= event.capacity:
        return "full"
    if existing is None:
        existing = Rsvp(event_id=event_id, resident_id=resident.id, occurrence_start=starts_at)
        session.add(existing)
    existing.status = "going"
    await session.flush()
    schedule_reminders(session, existing, offsets_minutes, now, tz)
    return "going"


async def cancel_rsvp(
    session: AsyncSession, telegram_user_id: int, event_id: int, starts_at: datetime
) -> bool:
    """Not going after all: the RSVP and its pending reminders are cancelled."""
    found = await _going(session, telegram_user_id, event_id, starts_at)
    if found is None:
        return False
    found.status = "cancelled"
    await cancel_pending(session, [found.id], NOTICE_KINDS)
    return True


def calendar_file(
    event: Event, starts_at: datetime, stamped_at: datetime, ends_at: datetime | None = None
) -> bytes:
    """One occurrence as an iCalendar file, for the resident's own calendar app."""
    from icalendar import Calendar
    from icalendar import Event as CalendarEvent

    calendar = Calendar()
    calendar.add("prodid", "-//People Zones Connect//EN")
    calendar.add("version", "2.0")
    entry = CalendarEvent()
    entry.add("uid", f"{event.external_id}-{int(starts_at.timestamp())}@peoplezones")
    entry.add("summary", event.title)
    entry.add("dtstart", starts_at)
    length = (event.ends_at - event.starts_at) if event.ends_at else timedelta(hours=1)
    entry.add("dtend", ends_at or starts_at + length)
    entry.add("dtstamp", stamped_at)
    if event.venue:
        entry.add("location", event.venue)
    if event.description:
        entry.add("description", event.description)
    calendar.add_component(entry)
    return calendar.to_ical()
