"""Events: what's on, RSVPs with capacity, and reminders kept as rows so they survive restarts.

A reminder is claimed in the database before it is sent (`FOR UPDATE SKIP LOCKED` on
PostgreSQL), so two processes never send the same one; one that fell due while the bot was down
is still sent if the event has not started, and dropped (and marked so) if it has.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.recurrence import occurrences
from db.models import Event, Reminder, Resident, Rsvp, utcnow


class EventError(ValueError):
    """Not possible (no such event or occurrence, already past); nothing changed."""


@dataclass(frozen=True)
class Occurrence:
    event: Event
    starts_at: datetime  # aware UTC


@dataclass(frozen=True)
class DueReminder:
    reminder_id: int
    telegram_user_id: int
    title: str
    venue: str
    starts_at: datetime


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
) -> Event:
    event = Event(
        title=title[:500], description=description, venue=venue, postcode=postcode, zone=zone,
        starts_at=starts_at, ends_at=ends_at, capacity=capacity, freq=freq, interval=interval,
        byday=byday, repeat_until=repeat_until, external_id=f"bot-{uuid.uuid4()}",
    )  # fmt: skip
    session.add(event)
    await session.flush()
    return event


def event_occurrences(event: Event, tz: ZoneInfo, after: datetime, limit: int = 10) -> list[datetime]:
    return occurrences(
        event.starts_at,
        tz,
        event.freq,
        event.interval,
        event.byday,
        event.repeat_until,
        after=after,
        limit=limit,
    )


async def upcoming(
    session: AsyncSession, now: datetime, tz: ZoneInfo, days: int = 7, zone: str = "", limit: int = 20
) -> list[Occurrence]:
    """Occurrences starting from now until DAYS ahead, soonest first; ZONE narrows to one area."""
    query = select(Event).where(Event.status == "scheduled")
    if zone:
        query = query.where(Event.zone.in_((zone, "")))
    horizon = now + timedelta(days=days)
    found = []
    for event in await session.scalars(query):
        for start in event_occurrences(event, tz, after=now, limit=days + 1):
            if start <= horizon:
                found.append(Occurrence(event, start))
    return sorted(found, key=lambda o: (o.starts_at, o.event.id))[:limit]


async def going_count(session: AsyncSession, event_id: int, starts_at: datetime) -> int:
    return await session.scalar(
        select(func.count(Rsvp.id)).where(
            Rsvp.event_id == event_id, Rsvp.occurrence_start == starts_at, Rsvp.status == "going"
        )
    )


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
    resident = await session.scalar(select(Resident).where(Resident.telegram_user_id == telegram_user_id))
    if resident is None:
        resident = Resident(telegram_user_id=telegram_user_id, consented_at=now)
        session.add(resident)
        await session.flush()
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
    for minutes in offsets_minutes:
        due = starts_at - timedelta(minutes=minutes)
        if due > now:
            session.add(Reminder(resident_id=resident.id, rsvp_id=existing.id, due_at=due))
    return "going"


async def cancel_rsvp(
    session: AsyncSession, telegram_user_id: int, event_id: int, starts_at: datetime
) -> bool:
    """Not going after all: the RSVP and its pending reminders are cancelled."""
    found = await session.scalar(
        select(Rsvp)
        .join(Resident, Rsvp.resident_id == Resident.id)
        .where(
            Resident.telegram_user_id == telegram_user_id,
            Rsvp.event_id == event_id,
            Rsvp.occurrence_start == starts_at,
            Rsvp.status == "going",
        )
    )
    if found is None:
        return False
    found.status = "cancelled"
    await session.execute(
        update(Reminder)
        .where(Reminder.rsvp_id == found.id, Reminder.status == "pending")
        .values(status="cancelled")
    )
    return True


async def claim_due_reminders(
    session: AsyncSession, now: datetime, worker: str, limit: int = 500
) -> list[DueReminder]:
    """Claim pending reminders that are due; those whose event has begun are dropped instead."""
    rows = (
        await session.execute(
            select(Reminder, Rsvp, Event, Resident.telegram_user_id)
            .join(Rsvp, Reminder.rsvp_id == Rsvp.id)
            .join(Event, Rsvp.event_id == Event.id)
            .join(Resident, Reminder.resident_id == Resident.id)
            .where(Reminder.status == "pending", Reminder.due_at <= now)
            .order_by(Reminder.due_at, Reminder.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Reminder)
        )
    ).all()
    claimed = []
    for reminder, booking, event, telegram_user_id in rows:
        if booking.occurrence_start <= now or event.status != "scheduled":
            reminder.status = "dropped"
            continue
        reminder.status, reminder.claimed_by, reminder.claimed_at = "claimed", worker, now
        claimed.append(
            DueReminder(reminder.id, telegram_user_id, event.title, event.venue, booking.occurrence_start)
        )
    return claimed


async def mark_sent(session: AsyncSession, reminder_ids: list[int], now: datetime | None = None) -> None:
    if reminder_ids:
        await session.execute(
            update(Reminder)
            .where(Reminder.id.in_(reminder_ids))
            .values(status="sent", sent_at=now or utcnow())
        )


def calendar_file(event: Event, starts_at: datetime, ends_at: datetime | None = None) -> bytes:
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
    entry.add("dtstamp", utcnow())
    if event.venue:
        entry.add("location", event.venue)
    if event.description:
        entry.add("description", event.description)
    calendar.add_component(entry)
    return calendar.to_ical()
