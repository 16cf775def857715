"""Opportunities: what local groups need hands for, told to the volunteers whose skills and area
fit, and the volunteers' "I'm interested" passed to the coordinator who posted it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, NoResultFound
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n.current import current
from bot.services.places import distance_km, district_point
from bot.services.residents import resident_created, resident_of
from db.models import Offer, Opportunity, OpportunityInterest, Resident, Volunteer
from db.session import get_existing

NEARBY_KM = 15.0


class OpportunityError(ValueError):
    """Not possible (closed, already interested, not a volunteer); nothing changed. Its text is
    why, as a key of messages.OPPORTUNITY_REFUSED: "closed", "already"..."""


@dataclass(frozen=True)
class Interest:
    opportunity_text: str
    coordinator_telegram_id: int | None
    volunteer_telegram_id: int
    volunteer_contact: str
    offers: list[str]
    volunteer_area: str


async def post_opportunity(
    session: AsyncSession,
    coordinator_telegram_id: int,
    text: str,
    skills: list[str],
    district: str,
    zone: str,
) -> Opportunity:
    creator = await resident_of(session, coordinator_telegram_id)
    if creator is None:
        creator = Resident(telegram_user_id=coordinator_telegram_id, language=current())
        session.add(creator)
        await session.flush()
        resident_created(session, creator)
    opportunity = Opportunity(
        text=text[:1000], skills=skills, postcode_district=district, zone=zone, created_by=creator.id
    )
    session.add(opportunity)
    await session.flush()
    return opportunity


def _near(opportunity: Opportunity, volunteer: Volunteer) -> bool:
    if not opportunity.postcode_district or not volunteer.postcode_district:
        return True  # "anywhere" on either side
    if opportunity.zone and opportunity.zone in volunteer.zones:
        return True
    here, there = district_point(opportunity.postcode_district), district_point(volunteer.postcode_district)
    reach = volunteer.max_distance_km or NEARBY_KM
    return here is None or there is None or distance_km(here, there) <= reach


async def volunteers_to_tell(session: AsyncSession, opportunity: Opportunity) -> list[int]:
    """Telegram ids of approved volunteers with an open offer whose skills and area fit."""
    rows = await session.execute(
        select(Volunteer, Offer.skills, Resident.telegram_user_id)
        .join(Offer, Offer.volunteer_id == Volunteer.id)
        .join(Resident, Volunteer.resident_id == Resident.id)
        .where(Volunteer.status == "approved", Offer.status == "active")
    )
    wanted = set(opportunity.skills)
    told: dict[int, None] = {}
    for volunteer, skills, telegram_id in rows:
        if wanted & set(skills) and _near(opportunity, volunteer):
            told[telegram_id] = None
    return list(told)


async def register_interest(session: AsyncSession, opportunity_id: int, telegram_user_id: int) -> Interest:
    opportunity = await session.get(Opportunity, opportunity_id)
    if opportunity is None or opportunity.status != "open":
        raise OpportunityError("closed")
    resident = await resident_of(session, telegram_user_id)
    volunteer = (
        await session.scalar(
            select(Volunteer).where(Volunteer.resident_id == resident.id, Volunteer.status == "approved")
        )
        if resident is not None
        else None
    )
    if volunteer is None:
        raise OpportunityError("not-approved")
    try:
        async with session.begin_nested():
            session.add(OpportunityInterest(opportunity_id=opportunity.id, volunteer_id=volunteer.id))
    except IntegrityError:
        raise OpportunityError("already") from None
    creator = await session.get(Resident, opportunity.created_by) if opportunity.created_by else None
    offers = await session.scalars(
        select(Offer.text).where(Offer.volunteer_id == volunteer.id, Offer.status == "active")
    )
    return Interest(
        opportunity.text,
        creator.telegram_user_id if creator else None,
        telegram_user_id,
        volunteer.contact_preference,
        list(offers),
        volunteer.postcode_district or "",
    )


async def interest_parties(
    session: AsyncSession, interest_id: int, telegram_user_id: int
) -> tuple[int, int, str]:
    """(coordinator, volunteer, opportunity text) of an interest this person is part of."""
    row = (
        await session.execute(
            select(Opportunity.text, Opportunity.created_by, Volunteer.resident_id)
            .select_from(OpportunityInterest)
            .join(Opportunity, OpportunityInterest.opportunity_id == Opportunity.id)
            .join(Volunteer, OpportunityInterest.volunteer_id == Volunteer.id)
            .where(OpportunityInterest.id == interest_id)
        )
    ).one_or_none()
    if row is None or row.created_by is None:
        raise OpportunityError("ended")
    coordinator = await get_existing(session, Resident, row.created_by)
    volunteer = await get_existing(session, Resident, row.resident_id)
    ids = (coordinator.telegram_user_id, volunteer.telegram_user_id)
    if telegram_user_id not in ids:
        raise OpportunityError("not-yours")
    return ids[0], ids[1], row.text


async def interest_id_of(session: AsyncSession, opportunity_id: int, volunteer_telegram_id: int) -> int:
    """The id of an interest already registered (the button that relays messages carries it)."""
    volunteer = await resident_of(session, volunteer_telegram_id)
    if volunteer is None:
        raise NoResultFound("no resident has that Telegram id")
    found = await session.execute(
        select(OpportunityInterest.id)
        .join(Volunteer, OpportunityInterest.volunteer_id == Volunteer.id)
        .where(OpportunityInterest.opportunity_id == opportunity_id, Volunteer.resident_id == volunteer.id)
    )
    return found.scalar_one()
