"""Needs matched to approved volunteers' open offers, with the same engine as the directory."""

from bot.matching.skills import default_skills
from bot.matching.taxonomy import default_taxonomy
from bot.services.offer_matching import OfferIndex, peer_help_needs
from bot.services.places import district_point
from bot.services.volunteers import OfferDraft, decide, register_offer, set_offer_state


async def offer(session, telegram_id: int, text: str, district: str, approve: bool = True):
    skills = [s.id for s in default_skills().tag(text)]
    volunteer, made = await register_offer(
        session, telegram_id, OfferDraft(text=text, skills=skills, district=district)
    )
    if approve:
        await decide(session, volunteer.id, True, coordinator_telegram_id=1)
    return made


async def test_needs_find_the_right_offers_nearest_first(sessions):
    async with sessions.begin() as session:
        driver_far = await offer(session, 11, "happy to drive people to appointments", "LE15")
        driver_near = await offer(session, 12, "I can give lifts in my car", "LE4")
        gardener = await offer(session, 13, "bit of gardening and mowing", "LE4")
        await offer(session, 14, "I can give lifts", "LE4", approve=False)  # pending: not matched
    async with sessions() as session:
        index = await OfferIndex.load(session)
    lifts = index.match("i need a lift to my hospital appointment", near=district_point("LE4"))
    assert [m.offer_id for m in lifts][:2] == [driver_near.id, driver_far.id]
    garden = index.match("my garden is overgrown and i cant manage it")
    assert [m.offer_id for m in garden] == [gardener.id]
    assert index.match("quantum physics tutoring") == []


async def test_paused_offers_are_not_matched(sessions):
    async with sessions.begin() as session:
        made = await offer(session, 21, "I can do basic DIY", "LE2")
        await set_offer_state(session, 21, made.id, "paused")
    async with sessions() as session:
        index = await OfferIndex.load(session)
    assert index.match("shelves need putting up") == []


def test_peer_help_needs_come_from_the_skills_list():
    needs = peer_help_needs()
    assert "community-transport" in needs
    known = {c.id for c in default_taxonomy().categories}
    assert needs <= known
    assert "crisis-suicide" not in needs  # crises go to services, not to neighbours
