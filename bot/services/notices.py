"""Messages about events that wait in the database until they are due: reminders before an
occurrence, notices that it moved or was called off, and alerts about new events.

Rows follow the outbox rules in `bot.services.outbox` (claimed atomically, sent at most once; a
send whose outcome is unknown is not repeated: a missed reminder is better than a doubled one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n.languages import ENGLISH
from bot.services import outbox
from bot.services.recurrence import occurrence_key
from db.models import Event, Reminder, Resident, Rsvp
from db.session import get_existing

NOTICE_KINDS = ("event", "moved", "cancelled", "new-event")


@dataclass(frozen=True)
class DueNotice:
    reminder_id: int
    kind: str
    telegram_user_id: int
    event_id: int
    title: str
    venue: str
    starts_at: datetime
    details: dict[str, Any] = field(default_factory=dict)
    language: str = ENGLISH  # the resident's: the notice is written in it


def reminder_times(starts_at: datetime, offsets_minutes: tuple[int, ...], tz: ZoneInfo) -> list[datetime]:
    """When to remind: whole days are counted on the local clock (the day before an 18:00 event
    is 18:00 the day before, also across a clock change); other offsets are exact."""
    times = []
    for minutes in offsets_minutes:
        if minutes % 1440 == 0:
            local = starts_at.astimezone(tz) - timedelta(days=minutes // 1440)  # wall-clock arithmetic
            times.append(local.astimezone(starts_at.tzinfo))
        else:
            times.append(starts_at - timedelta(minutes=minutes))
    return times


def schedule_reminders(
    session: AsyncSession,
    booking: Rsvp,
    offsets_minutes: tuple[int, ...],
    now: datetime,
    tz: ZoneInfo,
) -> None:
    for due in reminder_times(booking.occurrence_start, offsets_minutes, tz):
        if due > now:
            session.add(
                Reminder(
                    resident_id=booking.resident_id, rsvp_id=booking.id, event_id=booking.event_id,
                    occurrence_start=booking.occurrence_start, kind="event", due_at=due,
                )
            )  # fmt: skip


def add_notice(
    session: AsyncSession,
    kind: str,
    resident_id: int,
    event_id: int,
    occurrence_start: datetime,
    now: datetime,
    *,
    rsvp_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """A message due now (a change notice or an alert), sent by the same sender as reminders."""
    session.add(
        Reminder(
            resident_id=resident_id, rsvp_id=rsvp_id, event_id=event_id, occurrence_start=occurrence_start,
            kind=kind, due_at=now, details=details or {},
        )
    )  # fmt: skip


async def cancel_pending(session: AsyncSession, rsvp_ids: list[int], kinds: tuple[str, ...]) -> None:
    if rsvp_ids:
        await session.execute(
            update(Reminder)
            .where(Reminder.rsvp_id.in_(rsvp_ids), Reminder.status == "pending", Reminder.kind.in_(kinds))
            .values(status="cancelled")
        )


async def claim_due(session: AsyncSession, now: datetime, worker: str, limit: int = 200) -> list[DueNotice]:
    """Take up to LIMIT due rows for WORKER; rows no longer worth sending are dropped instead."""
    claimed_ids = await outbox.claim(session, Reminder, now, worker, limit)
    if not claimed_ids:
        return []
    rows = (
        await session.execute(
            select(Reminder, Event, Resident.telegram_user_id, Resident.language, Rsvp.status)
            .join(Event, Reminder.event_id == Event.id)
            .join(Resident, Reminder.resident_id == Resident.id)
            .outerjoin(Rsvp, Reminder.rsvp_id == Rsvp.id)
            .where(Reminder.id.in_(claimed_ids))
            .order_by(Reminder.due_at, Reminder.id)
        )
    ).all()
    due, dropped = [], []
    for reminder, event, telegram_user_id, language, booking_status in rows:
        if not _still_worth_sending(reminder, event, booking_status, now):
            dropped.append(reminder.id)
            continue
        due.append(
            DueNotice(
                reminder.id, reminder.kind, telegram_user_id, event.id, event.title, event.venue,
                reminder.occurrence_start, dict(reminder.details or {}), language or ENGLISH,
            )
        )  # fmt: skip
    if dropped:
        await session.execute(update(Reminder).where(Reminder.id.in_(dropped)).values(status="dropped"))
    return due


def _still_worth_sending(reminder: Reminder, event: Event, booking_status: str | None, now: datetime) -> bool:
    start = reminder.occurrence_start
    if start is None:  # every notice is written for one date; without it there is nothing true to say
        return False
    if reminder.kind == "cancelled":  # telling people it is off is worth it until the day is over
        return start + timedelta(hours=12) > now
    called_off = occurrence_key(start) in (event.cancelled_dates or ())
    on = event.status == "scheduled" and not called_off
    going = reminder.kind == "new-event" or booking_status == "going"
    return on and going and start > now


async def finish(
    session: AsyncSession, reminder_id: int, outcome: str, now: datetime, *, unreachable: bool = False
) -> None:
    """Record how the send went; someone unreachable gets nothing more from this outbox."""
    reminder = await get_existing(session, Reminder, reminder_id)
    outbox.record_outcome(reminder, outcome, now)
    if unreachable:
        resident = await get_existing(session, Resident, reminder.resident_id)
        resident.unreachable_since = resident.unreachable_since or now
        await session.execute(
            update(Reminder)
            .where(Reminder.resident_id == resident.id, Reminder.status == "pending")
            .values(status="failed")
        )


async def next_due(session: AsyncSession) -> datetime | None:
    """When the sender next has something to do (pending rows only)."""
    return await session.scalar(select(func.min(Reminder.due_at)).where(Reminder.status == "pending"))
