"""Changes to an event that matter to the people going: a new time or place, one date called off,
the whole event cancelled. Each person affected gets a notice row (sent by the reminder sender,
so it survives a restart and goes out once), and their reminders follow the new time.

Also the opt-in alerts residents get when a new event appears in their area and interests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.events import EventError, event_occurrences, interest_groups
from bot.services.notices import NOTICE_KINDS, add_notice, cancel_pending, schedule_reminders
from bot.services.recurrence import MAX_OCCURRENCES, RecurrenceError, occurrence_key, occurrences
from db.models import Event, Resident, Rsvp

EDITABLE = (
    "title", "description", "venue", "postcode", "zone", "capacity", "starts_at", "ends_at",
    "freq", "interval", "byday", "repeat_until", "categories", "asset_id",
)  # fmt: skip
WHEN_OR_WHERE = ("venue", "postcode", "starts_at", "freq", "interval", "byday", "repeat_until")


@dataclass(frozen=True)
class ChangeOutcome:
    moved: int = 0  # people told of a new time or place
    called_off: int = 0  # people told their date is off


async def _going(
    session: AsyncSession, event_id: int, now: datetime, starts_at: datetime | None = None
) -> list[Rsvp]:
    query = select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.status == "going", Rsvp.occurrence_start > now)
    if starts_at is not None:
        query = query.where(Rsvp.occurrence_start == starts_at)
    return list(await session.scalars(query.order_by(Rsvp.occurrence_start, Rsvp.id)))


async def _call_off(session: AsyncSession, bookings: list[Rsvp], now: datetime) -> int:
    for booking in bookings:
        booking.status = "event-cancelled"
        add_notice(session, "cancelled", booking.resident_id, booking.event_id, booking.occurrence_start, now,
                   rsvp_id=booking.id)  # fmt: skip
    await cancel_pending(session, [b.id for b in bookings], ("event", "moved"))
    return len(bookings)


async def cancel_event(session: AsyncSession, event_id: int, now: datetime) -> int:
    """Cancel the whole event; returns how many people going are being told."""
    event = await _scheduled(session, event_id)
    event.status = "cancelled"
    return await _call_off(session, await _going(session, event_id, now), now)


async def cancel_date(session: AsyncSession, event_id: int, starts_at: datetime, now: datetime) -> int:
    """Call off one date of an event (the others go ahead); returns how many people are told."""
    event = await _scheduled(session, event_id)
    key = occurrence_key(starts_at)
    if key not in (event.cancelled_dates or []):
        event.cancelled_dates = [*(event.cancelled_dates or []), key]
    return await _call_off(session, await _going(session, event_id, now, starts_at), now)


async def change_event(
    session: AsyncSession,
    event_id: int,
    changes: dict[str, Any],
    now: datetime,
    tz: ZoneInfo,
    offsets_minutes: tuple[int, ...],
) -> ChangeOutcome:
    """Apply CHANGES; if the time or place moved, people going follow it and are told.

    A booking for the k-th coming date moves to the k-th coming date of the new schedule, so
    "Fridays at 18:00" becoming "Fridays at 19:00" keeps everyone on their own Friday; a booking
    the new schedule has no date for is called off.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    event = await _scheduled(session, event_id)
    bookings = await _going(session, event_id, now)
    horizon = len({b.occurrence_start for b in bookings})
    old_dates = _dates_until_last_booking(event, tz, now, bookings)
    old_venue = event.venue
    schedule = {
        n: changes.get(n, getattr(event, n))
        for n in ("starts_at", "freq", "interval", "byday", "repeat_until")
    }
    try:  # checked before anything changes, so a refused change leaves the event as it was
        upcoming_dates = occurrences(
            schedule["starts_at"], tz, schedule["freq"], schedule["interval"], schedule["byday"],
            schedule["repeat_until"], after=now, limit=1,
        )  # fmt: skip
    except RecurrenceError as error:
        raise EventError(str(error)) from None
    if not upcoming_dates:
        raise EventError("the new time has already passed")
    for name, value in changes.items():
        setattr(event, name, value)
    new_dates = event_occurrences(event, tz, after=now, limit=max(len(old_dates), horizon, 1))
    if not set(changes) & set(WHEN_OR_WHERE):
        return ChangeOutcome()
    new_for = dict(zip(old_dates, new_dates, strict=False))
    place_moved = old_venue != event.venue
    moving = [b for b in bookings if place_moved or new_for.get(b.occurrence_start) != b.occurrence_start]
    lost = [b for b in moving if b.occurrence_start not in new_for]
    moving = [b for b in moving if b.occurrence_start in new_for]
    await cancel_pending(session, [b.id for b in moving], NOTICE_KINDS)
    # earlier moves first, oldest first; then later moves, newest first: no booking lands on
    # a date the same person still holds
    earlier = [b for b in moving if new_for[b.occurrence_start] <= b.occurrence_start]
    later = [b for b in moving if new_for[b.occurrence_start] > b.occurrence_start]
    for booking in [*earlier, *reversed(later)]:
        old_start = booking.occurrence_start
        booking.occurrence_start = new_for[old_start]
        await session.flush()
        schedule_reminders(session, booking, offsets_minutes, now, tz)
        add_notice(
            session, "moved", booking.resident_id, event.id, booking.occurrence_start, now,
            rsvp_id=booking.id, details={"old_start": old_start.isoformat(), "old_venue": old_venue},
        )  # fmt: skip
    return ChangeOutcome(moved=len(moving), called_off=await _call_off(session, lost, now))


def _dates_until_last_booking(
    event: Event, tz: ZoneInfo, now: datetime, bookings: list[Rsvp]
) -> list[datetime]:
    if not bookings:
        return []
    last = max(b.occurrence_start for b in bookings)
    dates = event_occurrences(event, tz, after=now, limit=MAX_OCCURRENCES)
    return [d for d in dates if d <= last]


async def _scheduled(session: AsyncSession, event_id: int) -> Event:
    event = await session.get(Event, event_id)
    if event is None or event.status != "scheduled":
        raise EventError("that event is not on any more")
    return event


async def alert_new_event(session: AsyncSession, event: Event, now: datetime, tz: ZoneInfo) -> int:
    """Tell residents who asked for new events in the event's zone (and their interests, if they
    chose any). Events without a zone are in nobody's area, so they alert nobody."""
    dates = event_occurrences(event, tz, after=now, limit=1)
    if not event.zone or not dates:
        return 0
    groups = interest_groups(event)
    told = 0
    residents = await session.scalars(
        select(Resident).where(
            Resident.notify_new_events.is_(True),
            Resident.zone == event.zone,
            Resident.unreachable_since.is_(None),
        )
    )
    for resident in residents:
        if resident.id == event.created_by or (resident.interests and not groups & set(resident.interests)):
            continue
        add_notice(session, "new-event", resident.id, event.id, dates[0], now)
        told += 1
    return told
