"""What the bot keeps about a resident: only their area, and only once they choose to save it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.places import Point, distance_km, district_point, district_points
from db.clock import session_now
from db.models import Resident


@dataclass(frozen=True)
class Area:
    label: str  # what to show: "LE4", "Oakham"
    district: str
    zone: str
    point: Point | None


async def saved_area(session: AsyncSession, telegram_user_id: int) -> Area | None:
    resident = await session.scalar(select(Resident).where(Resident.telegram_user_id == telegram_user_id))
    if resident is None or not resident.postcode_district:
        return None
    district = resident.postcode_district
    return Area(district, district, resident.zone, district_point(district))


async def resident_for(session: AsyncSession, telegram_user_id: int) -> Resident:
    """The resident row for someone who has just chosen to do something that needs one."""
    resident = await session.scalar(select(Resident).where(Resident.telegram_user_id == telegram_user_id))
    if resident is None:
        resident = Resident(telegram_user_id=telegram_user_id, consented_at=session_now(session))
        session.add(resident)
        await session.flush()
    return resident


async def save_area(session: AsyncSession, telegram_user_id: int, area: Area) -> None:
    """Keep the postcode district (never a full postcode or a precise location)."""
    resident = await resident_for(session, telegram_user_id)
    resident.postcode_district = area.district
    resident.zone = area.zone
    resident.consented_at = session_now(session)


def nearest_district(point: Point) -> str:
    """The postcode district whose centre is nearest to a shared location."""
    return min(district_points().items(), key=lambda item: distance_km(point, item[1]))[0]
