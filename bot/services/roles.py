"""Who may do coordinators' work, and where. Checked on the server for every message and button."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.residents import resident_of
from db.models import Event, Resident, Role
from db.models.people import ROLES

EVERY_ZONE = ""


async def coordinator_zones(session: AsyncSession, settings: Settings, telegram_user_id: int) -> set[str]:
    """The zones someone coordinates ({""} means all of them); empty for everyone else."""
    if telegram_user_id in settings.admin_ids:
        return {EVERY_ZONE}
    resident = await resident_of(session, telegram_user_id)
    if resident is None:
        return set()
    rows = await session.execute(
        select(Role.role, Role.zone).where(
            Role.resident_id == resident.id, Role.role.in_(("coordinator", "admin"))
        )
    )
    return {EVERY_ZONE if role == "admin" else zone for role, zone in rows}


async def is_coordinator(session: AsyncSession, settings: Settings, telegram_user_id: int) -> bool:
    return bool(await coordinator_zones(session, settings, telegram_user_id))


def covers(zones: set[str], zone: str) -> bool:
    """Whether a coordinator of ZONES looks after something in ZONE."""
    return EVERY_ZONE in zones or zone in zones


async def may_manage_event(
    session: AsyncSession, settings: Settings, telegram_user_id: int, event: Event
) -> bool:
    zones = await coordinator_zones(session, settings, telegram_user_id)
    if covers(zones, event.zone):
        return True
    me = await resident_of(session, telegram_user_id)  # looked up already, for the zones
    return bool(zones) and me is not None and event.created_by == me.id


async def coordinators_of(session: AsyncSession, settings: Settings, zone: str) -> list[int]:
    """Telegram ids of everyone who looks after ZONE: the configured admins, admins by role, and
    coordinators of that zone (or of every zone); people the bot cannot reach are left out."""
    rows = await session.execute(
        select(Resident.telegram_user_id, Role.role, Role.zone)
        .join(Role, Role.resident_id == Resident.id)
        .where(Role.role.in_(ROLES), Resident.unreachable_since.is_(None))
        .order_by(Role.id)
    )
    found = dict.fromkeys(settings.admin_ids)
    for telegram_id, role, role_zone in rows:
        if covers({EVERY_ZONE if role == "admin" else role_zone}, zone):
            found[telegram_id] = None
    return list(found)
