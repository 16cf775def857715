"""Events with RSVPs and durable reminders; broadcasts with per-recipient deliveries; every other
message to someone who is not the one talking to the bot, as a row of the outgoing outbox.

Reminders and deliveries are rows, not in-memory jobs, so a restart re-arms them and a
second process can claim work atomically (nothing is sent twice).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.clock import stamp_now
from db.models.base import TYPED_BY, Base, personal


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


class OutgoingMessage(Base):
    """A message to someone other than the person in front of the bot: volunteers told of an
    opportunity, coordinators told of a report or of a new volunteer, a decision, an answer, a
    follow-up. Written in the transaction of the work that caused it (so it goes out only if that
    work is kept), sent by one sender at the shared pace under the outbox rules
    (bot.services.outbox): claimed, marked `sending`, sent at most once.

    The text is kept only until the send is settled (sent, failed or unknown): then it is emptied,
    with `written_by`, and retention deletes the row later. Until then a row belongs to whoever it
    is for (`chat_id`, a Telegram id: an admin named in the config may have no resident row) and,
    when it carries someone's words (a report of a change, an offer, a need), to them as well
    (`written_by`): /mydata shows it to each without the other's id, and /forget by either
    deletes it (a message carrying the words of someone who asked to be forgotten is not sent).
    """

    __tablename__ = "outgoing_messages"
    __table_args__ = (Index("ix_outgoing_messages_status_due_at", "status", "due_at"),)
    __personal_owner__ = ("chat_id", "written_by")

    id: Mapped[int] = mapped_column(primary_key=True)
    # Both tie the row to a person by Telegram id, as `typed_by()` does; each is that person's only.
    chat_id: Mapped[int] = personal(BigInteger, index=True, info={TYPED_BY: True, "owner": "chat_id"})
    written_by: Mapped[int | None] = personal(
        BigInteger, nullable=True, index=True, info={TYPED_BY: True, "owner": "written_by"}
    )
    # what it is about (opportunity, asset-report, new-volunteer...): for logs and counts, never text
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = personal(Text, default="")  # Telegram HTML, as sent
    buttons: Mapped[list[Any]] = mapped_column(default=list)  # rows of [label, callback data]
    due_at: Mapped[datetime] = mapped_column(default=stamp_now)
    # pending -> claimed -> sending -> sent; failed (blocked, chat gone, or out of retries);
    # unknown (the send's outcome is unknown, so it is not repeated)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=stamp_now)
