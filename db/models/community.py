"""Events with RSVPs and durable reminders; broadcasts with per-recipient deliveries.

Reminders and deliveries are rows, not in-memory jobs, so a restart re-arms them and a
second process can claim work atomically (nothing is sent twice).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.clock import stamp_now
from db.models.base import Base


class Event(Base):
    """Something on: belongs to an asset or stands alone with a venue; may repeat (HSDS schedule)."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(1000), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    zone: Mapped[str] = mapped_column(String(200), default="")
    categories: Mapped[list[Any]] = mapped_column(default=list)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime | None] = mapped_column()
    # HSDS schedule ideas for repeats: freq (WEEKLY/MONTHLY), interval, byday ("MO,TH" or "-1FR").
    freq: Mapped[str] = mapped_column(String(10), default="")
    interval: Mapped[int] = mapped_column(Integer, default=1)
    byday: Mapped[str] = mapped_column(String(50), default="")
    repeat_until: Mapped[datetime | None] = mapped_column()
    capacity: Mapped[int | None] = mapped_column(Integer)
    # One date of a repeating event called off: ISO strings of those occurrences' UTC starts.
    cancelled_dates: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    source: Mapped[str] = mapped_column(String(200), default="bot")
    external_id: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=stamp_now)


class Rsvp(Base):
    """A resident going to one occurrence of an event."""

    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("event_id", "resident_id", "occurrence_start"),)
    __personal_owner__ = "resident_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    occurrence_start: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="going")
    created_at: Mapped[datetime] = mapped_column(default=stamp_now)


class Reminder(Base):
    """A message about an event due at a time: a reminder, a change notice or a new-event alert.

    Claimed atomically before sending and marked `sending` just before the send, so it goes out at
    most once; a claim whose holder vanished before `sending` is taken up again after a lease.
    """

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_status_due_at", "status", "due_at"),)
    __personal_owner__ = "resident_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    rsvp_id: Mapped[int | None] = mapped_column(ForeignKey("rsvps.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    occurrence_start: Mapped[datetime | None] = mapped_column()
    # event (a reminder) | moved | cancelled (tell people going) | new-event (an opted-in alert)
    kind: Mapped[str] = mapped_column(String(30), default="event")
    # For `moved`: the occurrence's old start and place, so the notice can say what changed.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime] = mapped_column()
    # pending -> claimed -> sending -> sent; failed (unreachable); unknown (the send's outcome is
    # unknown, so it is not repeated); dropped (fell due after the event began) / cancelled.
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()


class Broadcast(Base):
    """An announcement from a coordinator to an audience (zones, interests, volunteers)."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    photo_file_id: Mapped[str] = mapped_column(String(300), default="")
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # draft -> sending -> done; or cancelled (by the coordinator, while it was going out)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # the coordinator's message that shows progress, edited as deliveries go out
    status_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=stamp_now)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class Delivery(Base):
    """One broadcast to one resident: the unit that is claimed, sent once and retried on 429."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "resident_id"),
        Index("ix_deliveries_status", "broadcast_id", "status"),
    )
    __personal_owner__ = "resident_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    # pending -> claimed -> sending -> sent; failed (blocked, chat gone); unknown (the send's outcome
    # is unknown, so it is not repeated); cancelled (the broadcast was stopped)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    due_at: Mapped[datetime | None] = mapped_column()  # a retry after a network failure waits until then
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(String(200), default="")
    sent_at: Mapped[datetime | None] = mapped_column()
