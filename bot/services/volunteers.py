"""Volunteers and their offers: registering, a coordinator's approval, and the volunteer's own
control over each offer (pause, resume, withdraw).

Safeguarding: a new offer from an approved volunteer that involves children or adults who may need
care (a skill marked `safeguarding` in the skills list), from someone without a DBS check on
record, is held: not matched, not shown, until a coordinator of their zone checks it.

Offering to volunteer is the resident choosing to be known: it saves them as a resident, with
only what a coordinator needs to approve the offer and a neighbour needs to be matched with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.matching.skills import SkillList, default_skills
from bot.services.residents import resident_for, resident_of
from db.models import Offer, Resident, Volunteer
from db.session import get_existing, rows_changed

AVAILABILITY = ("weekday daytimes", "weekday evenings", "weekends")
CONTACT_CHOICES = ("bot", "telegram")  # through the bot only (default), or share their Telegram handle
OFFER_STATES = ("active", "paused", "withdrawn")  # what a volunteer may set on their own offer
HELD = "held"  # waiting for a coordinator's safeguarding check; then "active" or "declined"
GONE = ("withdrawn", "declined")  # no longer the volunteer's to change


class VolunteerError(ValueError):
    """The action is not possible (not theirs, not found, already decided); nothing changed."""


@dataclass
class OfferDraft:
    """What the /volunteer conversation collects before saving."""

    text: str = ""
    skills: list[str] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    district: str = ""
    zone: str = ""
    contact: str = "bot"
    has_dbs_check: bool | None = None
    max_distance_km: float | None = None  # None: anywhere


async def _resident(session: AsyncSession, telegram_user_id: int) -> Resident | None:
    """This person's resident row if they have one (looking never creates one)."""
    return await resident_of(session, telegram_user_id)


async def register_offer(
    session: AsyncSession, telegram_user_id: int, draft: OfferDraft
) -> tuple[Volunteer, Offer]:
    """Save an offer; a first offer makes a pending volunteer, later ones join their record."""
    if not draft.text.strip():
        raise VolunteerError("an offer needs a few words about what you can do")
    resident = await resident_for(session, telegram_user_id)
    volunteer = await session.scalar(select(Volunteer).where(Volunteer.resident_id == resident.id))
    if volunteer is None:
        volunteer = Volunteer(resident_id=resident.id, status="pending")
        session.add(volunteer)
    elif volunteer.status in ("withdrawn", "rejected"):
        volunteer.status = "pending"  # coming back: a coordinator looks again
    volunteer.availability = list(draft.availability)
    volunteer.zones = [draft.zone] if draft.zone else []
    volunteer.postcode_district = draft.district
    volunteer.max_distance_km = draft.max_distance_km if draft.district else None
    volunteer.contact_preference = draft.contact if draft.contact in CONTACT_CHOICES else "bot"
    if draft.has_dbs_check is not None:
        volunteer.has_dbs_check = draft.has_dbs_check
    await session.flush()
    # a volunteer still pending is checked as a whole (their offers and DBS answer) on /pending
    held = volunteer.status == "approved" and needs_check(draft.skills, volunteer.has_dbs_check)
    offer = Offer(
        volunteer_id=volunteer.id,
        text=draft.text.strip()[:1000],
        skills=list(draft.skills),
        status=HELD if held else "active",
    )
    session.add(offer)
    await session.flush()
    return volunteer, offer


def involves_safeguarding(skill_ids: list[str], skills: SkillList | None = None) -> bool:
    """Whether an offer's skills mean work with children or adults who may need care."""
    skills = skills or default_skills()
    known = {s.id for s in skills.skills}
    return any(skills.skill(s).safeguarding for s in skill_ids if s in known)


def needs_check(skill_ids: list[str], has_dbs_check: bool | None, skills: SkillList | None = None) -> bool:
    """Whether a new offer waits for a coordinator: it involves children or adults who may need
    care, and the volunteer has no DBS check on record (they said no, or weren't sure)."""
    return has_dbs_check is not True and involves_safeguarding(skill_ids, skills)


async def pending_volunteers(session: AsyncSession) -> list[Volunteer]:
    result = await session.scalars(
        select(Volunteer)
        .where(Volunteer.status == "pending")
        .options(selectinload(Volunteer.offers))
        .order_by(Volunteer.created_at, Volunteer.id)
    )
    return list(result)


async def decide(
    session: AsyncSession, volunteer_id: int, approve: bool, coordinator_telegram_id: int
) -> tuple[Volunteer, int]:
    """Approve or decline a pending volunteer; returns them and their Telegram id (to tell them)."""
    volunteer = await session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.status != "pending":
        raise VolunteerError("that volunteer is not waiting for a decision any more")
    coordinator = await resident_for(session, coordinator_telegram_id)
    volunteer.status = "approved" if approve else "rejected"
    volunteer.approved_by = coordinator.id if approve else None
    resident = await get_existing(session, Resident, volunteer.resident_id)
    return volunteer, resident.telegram_user_id


async def held_offers(session: AsyncSession) -> list[tuple[Offer, Volunteer]]:
    """Offers of approved volunteers waiting for a coordinator's check, oldest first."""
    rows = await session.execute(
        select(Offer, Volunteer)
        .join(Volunteer, Offer.volunteer_id == Volunteer.id)
        .where(Offer.status == HELD)
        .order_by(Offer.created_at, Offer.id)
    )
    return [(offer, volunteer) for offer, volunteer in rows]


async def offer_and_volunteer(session: AsyncSession, offer_id: int) -> tuple[Offer, Volunteer] | None:
    """An offer with its volunteer (to see whose zone it is in); None if there is no such offer."""
    offer = await session.get(Offer, offer_id)
    volunteer = await session.get(Volunteer, offer.volunteer_id) if offer else None
    return (offer, volunteer) if offer and volunteer else None


async def decide_offer(session: AsyncSession, offer_id: int, approve: bool) -> tuple[Offer, int]:
    """Approve (it goes live) or decline a held offer; returns it and its volunteer's Telegram id.
    One conditional UPDATE, so two coordinators pressing at once cannot both decide it."""
    changed = await rows_changed(
        session,
        update(Offer)
        .where(Offer.id == offer_id, Offer.status == HELD)
        .values(status="active" if approve else "declined"),
    )
    if changed != 1:
        raise VolunteerError("that offer is not waiting for a check any more")
    offer = await get_existing(session, Offer, offer_id)
    volunteer = await get_existing(session, Volunteer, offer.volunteer_id)
    resident = await get_existing(session, Resident, volunteer.resident_id)
    return offer, resident.telegram_user_id


async def my_offers(session: AsyncSession, telegram_user_id: int) -> tuple[Volunteer | None, list[Offer]]:
    resident = await _resident(session, telegram_user_id)
    if resident is None:
        return None, []
    volunteer = await session.scalar(
        select(Volunteer).where(Volunteer.resident_id == resident.id).options(selectinload(Volunteer.offers))
    )
    if volunteer is None:
        return None, []
    return volunteer, sorted((o for o in volunteer.offers if o.status not in GONE), key=lambda o: o.id)


async def edit_offer(
    session: AsyncSession, telegram_user_id: int, offer_id: int, text: str, skills: list[str]
) -> Offer:
    """New words (and skills) for one of your own open or paused offers."""
    if not text.strip():
        raise VolunteerError("an offer needs a few words about what you can do")
    offer = await _own_offer(session, telegram_user_id, offer_id)
    if offer.status == HELD:  # a coordinator is checking these words: they stay as they are
        raise VolunteerError("a coordinator is checking that offer")
    offer.text = text.strip()[:1000]
    offer.skills = list(skills)
    return offer


async def _own_offer(session: AsyncSession, telegram_user_id: int, offer_id: int) -> Offer:
    offer = await session.get(Offer, offer_id)
    resident = await _resident(session, telegram_user_id)
    volunteer = await session.get(Volunteer, offer.volunteer_id) if offer else None
    if offer is None or resident is None or volunteer is None or volunteer.resident_id != resident.id:
        raise VolunteerError("that offer is not one of yours")
    if offer.status in GONE:
        raise VolunteerError("that offer was withdrawn")
    return offer


async def set_offer_state(session: AsyncSession, telegram_user_id: int, offer_id: int, state: str) -> Offer:
    """Pause, resume or withdraw one of your own offers; an offer a coordinator is checking can
    only be withdrawn (resuming it would put it live unchecked)."""
    if state not in OFFER_STATES:
        raise VolunteerError(f"unknown state {state}")
    offer = await _own_offer(session, telegram_user_id, offer_id)
    if offer.status == HELD and state != "withdrawn":
        raise VolunteerError("a coordinator is checking that offer")
    offer.status = state
    return offer
