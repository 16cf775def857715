"""Messages about events that wait in the database until they are due: reminders before an
occurrence, notices that it moved or was called off, and alerts about new events.

A row goes pending -> claimed -> sending -> sent. Claiming is one atomic UPDATE (with
`FOR UPDATE SKIP LOCKED` on PostgreSQL), so two processes never take the same row. Just before the
send the row becomes `sending`; a row left `claimed` by a process that died is taken up again after
CLAIM_LEASE, while one left `sending` (the send may or may not have reached Telegram) becomes
`unknown` and is not repeated: a missed reminder is better than a doubled one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.recurrence import occurrence_key
from db.models import Event, Reminder, Resident, Rsvp

CLAIM_LEASE = timedelta(minutes=5)
RETRY_BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))
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
    takeable = or_(
        and_(Reminder.status == "pending", Reminder.due_at <= now),
        and_(Reminder.status == "claimed", Reminder.claimed_at < now - CLAIM_LEASE),
    )
    candidates = (
        select(Reminder.id)
        .where(takeable)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed_ids = list(
        await session.scalars(
            update(Reminder)
            .where(Reminder.id.in_(candidates), takeable)
            .values(status="claimed", claimed_by=worker, claimed_at=now)
            .returning(Reminder.id)
            .execution_options(synchronize_session=False)
        )
    )
    if not claimed_ids:
        return []
    rows = (
        await session.execute(
            select(Reminder, Event, Resident.telegram_user_id, Rsvp.status)
            .join(Event, Reminder.event_id == Event.id)
            .join(Resident, Reminder.resident_id == Resident.id)
            .outerjoin(Rsvp, Reminder.rsvp_id == Rsvp.id)
            .where(Reminder.id.in_(claimed_ids))
            .order_by(Reminder.due_at, Reminder.id)
        )
    ).all()
    due, dropped = [], []
    for reminder, event, telegram_user_id, booking_status in rows:
        if not _still_worth_sending(reminder, event, booking_status, now):
            dropped.append(reminder.id)
            continue
        due.append(
            DueNotice(
                reminder.id, reminder.kind, telegram_user_id, event.id, event.title, event.venue,
                reminder.occurrence_start, dict(reminder.details or {}),
            )
        )  # fmt: skip
    if dropped:
        await session.execute(update(Reminder).where(Reminder.id.in_(dropped)).values(status="dropped"))
    return due


def _still_worth_sending(reminder: Reminder, event: Event, booking_status: str | None, now: datetime) -> bool:
    if reminder.kind == "cancelled":  # telling people it is off is worth it until the day is over
        return reminder.occurrence_start + timedelta(hours=12) > now
    called_off = occurrence_key(reminder.occurrence_start) in (event.cancelled_dates or ())
    on = event.status == "scheduled" and not called_off
    going = reminder.kind == "new-event" or booking_status == "going"
    return on and going and reminder.occurrence_start > now


async def begin_send(session: AsyncSession, reminder_id: int, worker: str) -> bool:
    """Mark the row `sending` if WORKER still holds it; False means someone else took it over."""
    result = await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status == "claimed", Reminder.claimed_by == worker)
        .values(status="sending", attempts=Reminder.attempts + 1)
    )
    return result.rowcount == 1


async def finish(
    session: AsyncSession, reminder_id: int, outcome: str, now: datetime, *, unreachable: bool = False
) -> None:
    """OUTCOME: sent | failed (never retried) | unknown (never repeated) | retry (later, with backoff)."""
    reminder = await session.get(Reminder, reminder_id)
    if outcome == "retry" and reminder.attempts <= len(RETRY_BACKOFF):
        reminder.status, reminder.due_at = "pending", now + RETRY_BACKOFF[reminder.attempts - 1]
    else:
        reminder.status = "failed" if outcome == "retry" else outcome
        reminder.sent_at = now if outcome == "sent" else None
    if unreachable:
        resident = await session.get(Resident, reminder.resident_id)
        resident.unreachable_since = resident.unreachable_since or now
        await session.execute(
            update(Reminder)
            .where(Reminder.resident_id == resident.id, Reminder.status == "pending")
            .values(status="failed")
        )


async def settle_interrupted(session: AsyncSession, now: datetime) -> int:
    """Rows left `sending` by a process that died mid-send: the outcome is unknown, so they are
    marked so and not repeated."""
    result = await session.execute(
        update(Reminder)
        .where(Reminder.status == "sending", Reminder.claimed_at < now - CLAIM_LEASE)
        .values(status="unknown")
    )
    return result.rowcount


async def next_due(session: AsyncSession) -> datetime | None:
    """When the sender next has something to do (pending rows only)."""
    return await session.scalar(select(func.min(Reminder.due_at)).where(Reminder.status == "pending"))
