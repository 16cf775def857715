"""Residents, their roles, volunteers and offers, needs and introductions.

Personal columns are marked with `personal()`; `__personal_owner__` names the column that ties
a row to a resident, so export and erasure can find every row of one person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.clock import stamp_now
from db.models.base import Base, personal, typed_by

ROLES = ("coordinator", "admin")
VOLUNTEER_STATUSES = ("pending", "approved", "paused", "withdrawn", "rejected")
INTRODUCTION_STATUSES = ("requested", "accepted", "declined", "expired", "cancelled")


class Resident(Base):
    """Someone who has talked to the bot. Only what a feature needs; nothing until they choose."""

    __tablename__ = "residents"
    __personal_owner__ = "id"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = personal(BigInteger, unique=True)
    zone: Mapped[str] = personal(String(200), default="")
    postcode_district: Mapped[str] = personal(String(5), default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    consented_at: Mapped[datetime | None] = personal()
    notify_new_events: Mapped[bool] = mapped_column(Boolean, default=False)
    # Announcements from coordinators: None until the resident chooses (volunteers still hear
    # volunteers' news then), True or False once they have.
    notify_broadcasts: Mapped[bool | None] = mapped_column(Boolean)
    interests: Mapped[list[Any]] = personal(default=list)
    # Set when Telegram says the bot was blocked or the chat is gone: stop sending.
    unreachable_since: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=stamp_now)
    # The day they last used the bot (from the day they are saved, then updated at most once a day):
    # inactive residents are erased.
    last_seen_at: Mapped[datetime | None] = personal(default=stamp_now)

    roles: Mapped[list[Role]] = relationship(back_populates="resident", cascade="all, delete-orphan")


class Invite(Base):
    """A one-time link an admin gives someone to become a coordinator of some zones.

    Only a digest of the code is stored, so a copy of the database cannot be used to join.
    """

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="coordinator")
    zones: Mapped[list[Any]] = mapped_column(default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=stamp_now)
    expires_at: Mapped[datetime] = mapped_column()
    used_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class Role(Base):
    """A coordinator or admin, optionally for one zone only."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("resident_id", "role", "zone"),)
    __personal_owner__ = "resident_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    zone: Mapped[str] = mapped_column(String(200), default="")
    granted_at: Mapped[datetime] = mapped_column(default=stamp_now)

    resident: Mapped[Resident] = relationship(back_populates="roles")


class Volunteer(Base):
    """A resident who offers time or skills; pending until a coordinator approves."""

    __tablename__ = "volunteers"
    __personal_owner__ = "resident_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    contact_preference: Mapped[str] = personal(String(30), default="bot")
    contact_detail: Mapped[str] = personal(String(200), default="")
    availability: Mapped[list[Any]] = personal(default=list)
    zones: Mapped[list[Any]] = personal(default=list)
    postcode_district: Mapped[str] = personal(String(5), default="")
    max_distance_km: Mapped[float | None] = personal()
    has_dbs_check: Mapped[bool | None] = personal()
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=stamp_now)

    offers: Mapped[list[Offer]] = relationship(back_populates="volunteer", cascade="all, delete-orphan")


class Offer(Base):
    """What a volunteer can give, in their words and as skill tags."""

    __tablename__ = "offers"
    __personal_owner__ = "volunteer_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = personal(Text)
    skills: Mapped[list[Any]] = mapped_column(default=list)
    # active | paused | withdrawn; held (an approved volunteer's new offer with children or adults
    # at risk, without a DBS check: hidden until a coordinator checks it) | declined (by them)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(default=stamp_now)

    volunteer: Mapped[Volunteer] = relationship(back_populates="offers")


class AssetReport(Base):
    """A resident's "this has changed" about an asset: a task for the zone's coordinators.

    Coordinators never see who sent it; the sender's Telegram id is kept with their words (they
    may have saved nothing else) so that /mydata finds them and /forget blanks them.
    """

    __tablename__ = "asset_reports"
    __personal_owner__ = ("resident_id", "telegram_user_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL"), index=True
    )
    telegram_user_id: Mapped[int | None] = typed_by()
    text: Mapped[str] = personal(Text)
    zone: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | done | dismissed
    created_at: Mapped[datetime] = mapped_column(default=stamp_now, index=True)
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None] = mapped_column()


class SearchTally(Base):
    """How many searches a day, by zone, need and the language the bot spoke, found something or
    nothing: counts only, for /stats; never who searched or what they typed."""

    __tablename__ = "search_tallies"
    __table_args__ = (UniqueConstraint("day", "zone", "category", "answered", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    zone: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    answered: Mapped[bool] = mapped_column(Boolean)
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    count: Mapped[int] = mapped_column(Integer, default=0)


class Need(Base):
    """What a resident asked for and whether anything answered it: the raw material of gap reports.

    A search that found nothing keeps the Telegram id of whoever typed it (telegram_user_id; they
    may have saved nothing else), so /mydata finds the words and /forget blanks them; retention
    blanks the words and that id together. A need written for an introduction is tied to the
    resident instead (resident_id), which the introduction needs as a way back to them.
    """

    __tablename__ = "needs"
    __personal_owner__ = ("resident_id", "telegram_user_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL"), index=True
    )
    telegram_user_id: Mapped[int | None] = typed_by()
    text: Mapped[str] = personal(Text)
    zone: Mapped[str] = mapped_column(String(200), default="")
    postcode_district: Mapped[str] = mapped_column(String(5), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_by_asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    # the language the bot spoke with them (a code), so /gaps can say whose needs go unmet; like
    # the zone, a count's dimension: it stays when retention blanks the words and who typed them
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(default=stamp_now, index=True)


class Introduction(Base):
    """A consent-based introduction between a resident's need and a volunteer's offer."""

    __tablename__ = "introductions"
    # Both sides' rows: the resident's (through the need) and the volunteer's (through the offer);
    # a personal column's `owner` says whose it is, so neither sees the other's in an export.
    __personal_owner__ = ("need_id", "offer_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    # how the resident chose to be reached: "bot" (relayed, anonymous) or "telegram" (name shared)
    resident_contact: Mapped[str] = personal(String(20), default="bot", info={"owner": "need_id"})
    requested_at: Mapped[datetime] = mapped_column(default=stamp_now)
    responded_at: Mapped[datetime | None] = mapped_column()
    follow_up_due_at: Mapped[datetime | None] = mapped_column()
    follow_up_sent_at: Mapped[datetime | None] = mapped_column()  # claimed before sending: sent once
    resident_feedback: Mapped[str] = personal(Text, default="", info={"owner": "need_id"})
    volunteer_feedback: Mapped[str] = personal(Text, default="", info={"owner": "offer_id"})


class Opportunity(Base):
    """What a group needs hands for ("food bank needs Saturday drivers"), posted by a coordinator."""

    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    skills: Mapped[list[Any]] = mapped_column(default=list)
    postcode_district: Mapped[str] = mapped_column(String(5), default="")
    zone: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(default=stamp_now)


class OpportunityInterest(Base):
    """A volunteer saying "I'm interested"; it reaches the coordinator who posted the need."""

    __tablename__ = "opportunity_interests"
    __table_args__ = (UniqueConstraint("opportunity_id", "volunteer_id"),)
    __personal_owner__ = "volunteer_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=stamp_now)
