"""Consent-based introductions between a resident's need and a volunteer's offer.

The volunteer sees the need and the area, never who asked. Each side is put in touch the way
they chose: through the bot (messages relayed, no identity), or by sharing their Telegram name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n.current import current
from bot.services.residents import resident_for
from db.clock import session_now
from db.models import Introduction, Need, Offer, Resident, Volunteer
from db.session import get_existing

FOLLOW_UP_AFTER = timedelta(days=4)


class IntroductionError(ValueError):
    """Not possible any more (answered already, not theirs, offer gone); nothing changed."""


@dataclass(frozen=True)
class IntroductionParties:
    introduction_id: int
    resident_telegram_id: int
    volunteer_telegram_id: int
    resident_contact: str  # "bot" or "telegram"
    volunteer_contact: str
    need_text: str
    area: str


async def request_introduction(
    session: AsyncSession, telegram_user_id: int, need_text: str, district: str, zone: str, category: str,
    offer_id: int, contact: str,
) -> IntroductionParties:  # fmt: skip
    """The resident asks for an introduction: their need (with a way back to them) and a request."""
    offer = await session.get(Offer, offer_id)
    volunteer = await session.get(Volunteer, offer.volunteer_id) if offer else None
    if offer is None or offer.status != "active" or volunteer is None or volunteer.status != "approved":
        raise IntroductionError("that volunteer's offer is not open any more")
    resident = await resident_for(session, telegram_user_id)
    if resident.id == volunteer.resident_id:
        raise IntroductionError("that is your own offer")
    need = Need(
        resident_id=resident.id,
        text=need_text[:500],
        postcode_district=district,
        zone=zone,
        category=category,
        language=current(),  # the language the bot speaks with them, as for every need
    )
    session.add(need)
    await session.flush()
    introduction = Introduction(need_id=need.id, offer_id=offer.id, status="requested")
    introduction.resident_contact = contact
    session.add(introduction)
    await session.flush()
    return await parties(session, introduction.id)


async def parties(session: AsyncSession, introduction_id: int) -> IntroductionParties:
    row = (
        await session.execute(
            select(Introduction, Need, Volunteer)
            .join(Need, Introduction.need_id == Need.id)
            .join(Offer, Introduction.offer_id == Offer.id)
            .join(Volunteer, Offer.volunteer_id == Volunteer.id)
            .where(Introduction.id == introduction_id)
        )
    ).one_or_none()
    if row is None:
        raise IntroductionError("that introduction does not exist")
    introduction, need, volunteer = row
    resident = await session.get(Resident, need.resident_id) if need.resident_id else None
    helper = await session.get(Resident, volunteer.resident_id)
    if resident is None or helper is None:
        raise IntroductionError("one side has left")
    return IntroductionParties(
        introduction.id, resident.telegram_user_id, helper.telegram_user_id, introduction.resident_contact,
        volunteer.contact_preference, need.text, need.postcode_district or need.zone or "your area",
    )  # fmt: skip


async def answer(
    session: AsyncSession,
    introduction_id: int,
    volunteer_telegram_id: int,
    accept: bool,
    now: datetime | None = None,
) -> IntroductionParties:
    """The volunteer says yes or no; only the volunteer asked, and only once."""
    now = now or session_now(session)
    found = await parties(session, introduction_id)
    if found.volunteer_telegram_id != volunteer_telegram_id:
        raise IntroductionError("that request was not for you")
    introduction = await get_existing(session, Introduction, introduction_id)
    if introduction.status != "requested":
        raise IntroductionError("that request has been answered already")
    introduction.status = "accepted" if accept else "declined"
    introduction.responded_at = now
    if accept:
        introduction.follow_up_due_at = now + FOLLOW_UP_AFTER
        need = await get_existing(session, Need, introduction.need_id)
        need.answered = True
    return found


async def accepted_between(
    session: AsyncSession, introduction_id: int, telegram_user_id: int
) -> IntroductionParties:
    """An accepted introduction this person is part of (for relaying a message)."""
    found = await parties(session, introduction_id)
    introduction = await get_existing(session, Introduction, introduction_id)
    if introduction.status != "accepted" or telegram_user_id not in (
        found.resident_telegram_id,
        found.volunteer_telegram_id,
    ):
        raise IntroductionError("you cannot message through that introduction")
    return found
