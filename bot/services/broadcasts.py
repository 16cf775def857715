"""Announcements from coordinators: who they reach, and a durable outbox of one delivery row per
recipient (see `bot.services.outbox`), so a crash or restart resumes where it stopped and nobody
gets the same announcement twice.

Who hears announcements: residents who said yes in /settings, and approved volunteers for
volunteers' news unless they said no. Nobody unreachable (blocked the bot, chat gone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n.languages import ENGLISH
from bot.services import outbox
from bot.services.residents import resident_for
from db.models import Broadcast, Delivery, Resident, Volunteer
from db.session import get_existing

AUDIENCE_KINDS = ("everyone", "volunteers", "interest")


@dataclass(frozen=True)
class Audience:
    kind: str  # everyone (who opted in) | volunteers | interest (one need group)
    zones: tuple[str, ...] = ()  # () = every zone
    group: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "zones": list(self.zones), "group": self.group}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Audience:
        return cls(raw.get("kind", "everyone"), tuple(raw.get("zones", ())), raw.get("group", ""))


@dataclass(frozen=True)
class DueDelivery:
    delivery_id: int
    broadcast_id: int
    telegram_user_id: int
    text: str
    photo_file_id: str
    language: str  # the recipient's: the header and the stop button are written in it


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int
    unknown: int
    cancelled: int
    remaining: int
    status: str


def _recipients(audience: Audience) -> Any:
    """Resident ids the audience reaches."""
    query = select(Resident.id).where(Resident.unreachable_since.is_(None))
    if audience.kind == "volunteers":
        query = query.join(Volunteer, Volunteer.resident_id == Resident.id).where(
            Volunteer.status == "approved", Resident.notify_broadcasts.is_not(False)
        )
    else:
        query = query.where(Resident.notify_broadcasts.is_(True))
    if audience.zones:
        query = query.where(Resident.zone.in_(audience.zones))
    return query


async def recipient_ids(session: AsyncSession, audience: Audience) -> list[int]:
    """Interests are a short JSON list per resident, matched here rather than in SQL, which
    keeps one query for SQLite and PostgreSQL."""
    if audience.kind != "interest":
        return list(await session.scalars(_recipients(audience).order_by(Resident.id)))
    rows = await session.execute(_recipients(audience).add_columns(Resident.interests).order_by(Resident.id))
    return [resident_id for resident_id, interests in rows if audience.group in (interests or ())]


async def start_broadcast(
    session: AsyncSession,
    author_telegram_id: int,
    text: str,
    photo_file_id: str,
    audience: Audience,
    now: datetime,
) -> tuple[Broadcast, int]:
    """The broadcast and one pending delivery per recipient, in one transaction."""
    author = await resident_for(session, author_telegram_id)
    broadcast = Broadcast(
        author_id=author.id, text=text, photo_file_id=photo_file_id, audience=audience.as_json(),
        status="sending", started_at=now,
    )  # fmt: skip
    session.add(broadcast)
    await session.flush()
    ids = [r for r in await recipient_ids(session, audience) if r != author.id]
    if ids:
        await session.execute(
            insert(Delivery), [{"broadcast_id": broadcast.id, "resident_id": r} for r in ids]
        )
    return broadcast, len(ids)


def _sending() -> Any:
    return Delivery.broadcast_id.in_(select(Broadcast.id).where(Broadcast.status == "sending"))


async def claim_deliveries(
    session: AsyncSession, now: datetime, worker: str, limit: int
) -> list[DueDelivery]:
    ids = await outbox.claim(session, Delivery, now, worker, limit, _sending())
    if not ids:
        return []
    rows = await session.execute(
        select(
            Delivery.id,
            Delivery.broadcast_id,
            Resident.telegram_user_id,
            Broadcast.text,
            Broadcast.photo_file_id,
            Resident.language,
        )
        .join(Resident, Delivery.resident_id == Resident.id)
        .join(Broadcast, Delivery.broadcast_id == Broadcast.id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.id)
    )
    return [
        DueDelivery(delivery_id, broadcast_id, chat, text, photo, language or ENGLISH)
        for delivery_id, broadcast_id, chat, text, photo, language in rows
    ]


async def begin_delivery(session: AsyncSession, delivery_id: int, worker: str) -> bool:
    """`sending` only while the broadcast is still going out: a stop takes effect at once."""
    return await outbox.begin_send(session, Delivery, delivery_id, worker, _sending())


async def finish_delivery(
    session: AsyncSession, delivery_id: int, outcome: str, now: datetime, *, unreachable: bool = False
) -> None:
    delivery = await get_existing(session, Delivery, delivery_id)
    outbox.record_outcome(delivery, outcome, now)
    if unreachable:
        resident = await get_existing(session, Resident, delivery.resident_id)
        resident.unreachable_since = resident.unreachable_since or now


async def progress(session: AsyncSession, broadcast_id: int) -> Progress:
    rows = await session.execute(
        select(Delivery.status, func.count(Delivery.id))
        .where(Delivery.broadcast_id == broadcast_id)
        .group_by(Delivery.status)
    )
    counts = {status: count for status, count in rows}
    broadcast = await get_existing(session, Broadcast, broadcast_id)
    waiting = sum(counts.get(s, 0) for s in ("pending", "claimed", "sending"))
    return Progress(
        total=sum(counts.values()), sent=counts.get("sent", 0), failed=counts.get("failed", 0),
        unknown=counts.get("unknown", 0), cancelled=counts.get("cancelled", 0), remaining=waiting,
        status=broadcast.status,
    )  # fmt: skip


async def finish_if_done(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """Mark a broadcast done once nothing of it waits; True the first time it is marked."""
    broadcast = await get_existing(session, Broadcast, broadcast_id)
    if broadcast.status != "sending":
        return False
    left = await session.scalar(
        select(func.count(Delivery.id)).where(
            Delivery.broadcast_id == broadcast_id, Delivery.status.in_(("pending", "claimed", "sending"))
        )
    )
    if left:
        return False
    broadcast.status, broadcast.finished_at = "done", now
    return True


async def find_broadcast(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def stop_broadcast(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """Stop sending: what has not started is cancelled; True if it was still going out."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.status != "sending":
        return False
    broadcast.status, broadcast.finished_at = "cancelled", now
    await session.execute(
        update(Delivery)
        .where(
            Delivery.broadcast_id == broadcast_id,
            or_(Delivery.status == "pending", Delivery.status == "claimed"),
        )
        .values(status="cancelled")
    )
    return True


async def broadcasts_waiting(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(Broadcast.id).where(Broadcast.status == "sending")))
