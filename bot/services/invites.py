"""Making someone a coordinator: an admin creates a one-time invite link for some zones; the first
person to open it (before it expires) becomes their coordinator. Admins can revoke a coordinator
or an unused invite. Only a digest of each code is stored. Claiming an invite is one conditional
UPDATE, so of two people opening a link at the same moment only one wins, on SQLite as on
PostgreSQL."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.residents import resident_for, resident_of
from db.models import Invite, Resident, Role
from db.session import get_existing, rows_changed

INVITE_PREFIX = "inv"


class InviteError(ValueError):
    """The invite cannot be used; the message says why, kindly."""


@dataclass(frozen=True)
class Coordinator:
    resident_id: int
    telegram_user_id: int
    zones: tuple[str, ...]
    since: datetime | None = None  # when they first became a coordinator


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def is_admin(session: AsyncSession, settings: Settings, telegram_user_id: int) -> bool:
    if telegram_user_id in settings.admin_ids:
        return True
    resident = await resident_of(session, telegram_user_id)
    if resident is None:
        return False
    role = await session.scalar(select(Role.id).where(Role.resident_id == resident.id, Role.role == "admin"))
    return role is not None


async def create_invite(
    session: AsyncSession, admin_telegram_id: int, zones: list[str], now: datetime, valid_for: timedelta
) -> tuple[str, Invite]:
    """The code to put in the link (shown once, never stored) and the invite row."""
    code = secrets.token_urlsafe(12)
    admin = await resident_for(session, admin_telegram_id)
    invite = Invite(
        code_digest=_digest(code),
        zones=sorted(zones),
        created_by=admin.id,
        created_at=now,
        expires_at=now + valid_for,
    )
    session.add(invite)
    await session.flush()
    return code, invite


async def accept_invite(session: AsyncSession, code: str, telegram_user_id: int, now: datetime) -> Invite:
    """Make the person opening the link a coordinator of the invite's zones; once only.

    The claim is one UPDATE ... WHERE used_at IS NULL: the database lets only one of two claims
    at the same moment change the row (SQLite has no SELECT ... FOR UPDATE to lean on).
    """
    resident = await resident_for(session, telegram_user_id)
    claimed = await session.scalar(
        update(Invite)
        .where(
            Invite.code_digest == _digest(code),
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .values(used_by=resident.id, used_at=now)
        .returning(Invite.id)
        .execution_options(synchronize_session=False)
    )
    if claimed is None:
        raise InviteError("this invite link has expired or has already been used")
    invite = await get_existing(session, Invite, claimed, populate_existing=True)
    existing = set(
        await session.scalars(
            select(Role.zone).where(Role.resident_id == resident.id, Role.role == "coordinator")
        )
    )
    for zone in invite.zones:
        if zone not in existing:
            session.add(Role(resident_id=resident.id, role="coordinator", zone=zone, granted_at=now))
    return invite


async def coordinators(session: AsyncSession) -> list[Coordinator]:
    rows = await session.execute(
        select(Resident.id, Resident.telegram_user_id, Role.zone, Role.granted_at)
        .join(Role, Role.resident_id == Resident.id)
        .where(Role.role == "coordinator")
        .order_by(Resident.id, Role.zone)
    )
    found: dict[int, Coordinator] = {}
    for resident_id, telegram_user_id, zone, granted_at in rows:
        held = found.get(resident_id)
        zones = (*held.zones, zone) if held else (zone,)
        since = min(held.since, granted_at) if held and held.since else granted_at
        found[resident_id] = Coordinator(resident_id, telegram_user_id, zones, since)
    return list(found.values())


async def open_invites(session: AsyncSession, now: datetime) -> list[Invite]:
    return list(
        await session.scalars(
            select(Invite)
            .where(Invite.used_at.is_(None), Invite.revoked_at.is_(None), Invite.expires_at > now)
            .order_by(Invite.created_at)
        )
    )


async def revoke_coordinator(session: AsyncSession, resident_id: int) -> int | None:
    """Remove every coordinator role of RESIDENT_ID; their Telegram id (to tell them), or None."""
    resident = await session.get(Resident, resident_id)
    if resident is None:
        return None
    removed = await rows_changed(
        session, delete(Role).where(Role.resident_id == resident_id, Role.role == "coordinator")
    )
    return resident.telegram_user_id if removed else None


async def revoke_invite(session: AsyncSession, invite_id: int, now: datetime) -> bool:
    invite = await session.get(Invite, invite_id)
    if invite is None or invite.used_at is not None or invite.revoked_at is not None:
        return False
    invite.revoked_at = now
    return True
