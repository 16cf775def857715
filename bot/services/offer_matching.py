"""Matching a resident's need to volunteers' offers, with the same engine as the directory.

Each open offer of an approved volunteer becomes a document: its skills say which needs it
answers (through the skills list's `needs`), its own words are searchable, and its place is the
middle of the volunteer's postcode district (never more precise).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, system_clock
from bot.matching.classify import Classification, Classifier
from bot.matching.engine import SearchEngine
from bot.matching.index import AssetDoc
from bot.matching.skills import SkillList, default_skills
from bot.matching.taxonomy import Taxonomy, default_taxonomy
from bot.services.live_cache import VersionedCache
from bot.services.places import Point, district_point
from db.models import Offer, Volunteer

GOOD_OFFER = 0.3  # the same bar as a good directory answer


@dataclass(frozen=True)
class OfferMatch:
    offer_id: int
    score: float
    distance_km: float | None


def peer_help_needs(skills: SkillList | None = None) -> frozenset[str]:
    """The needs neighbours can answer for each other: every need some skill helps with."""
    if skills is None:
        return _default_peer_help_needs()  # asked after every search: worked out once
    return frozenset(need for skill in skills.skills for need in skill.needs)


@cache
def _default_peer_help_needs() -> frozenset[str]:
    return peer_help_needs(default_skills())


def offer_doc(
    offer_id: int, text: str, skill_ids: list[str], district: str, skills: SkillList, classifier: Classifier
) -> AssetDoc:
    known = {s.id for s in skills.skills}
    names = [skills.skill(s).name for s in skill_ids if s in known]
    found = classifier.classify(" ".join(names), "", text)
    for skill_id in skill_ids:
        if skill_id in known:
            for need in skills.skill(skill_id).needs:
                found.categories[need] = 1.0
    point = district_point(district) if district else None
    return AssetDoc(
        id=offer_id,
        external_id=str(offer_id),
        name=" ".join(names) or text[:60],
        tags=" ; ".join(names),
        description=text,
        latitude=point.latitude if point else None,
        longitude=point.longitude if point else None,
        classification=Classification(found.categories, found.audiences, found.min_age, found.max_age),
    )


class OfferIndex:
    """Open offers of approved volunteers, searchable like the directory."""

    def __init__(
        self, docs: list[AssetDoc], taxonomy: Taxonomy, reach_km: dict[int, float] | None = None
    ) -> None:
        self.engine = SearchEngine.build(docs, taxonomy)
        self.reach_km = reach_km or {}  # offer id -> how far its volunteer said they would go

    @classmethod
    async def load(cls, session: AsyncSession, taxonomy: Taxonomy | None = None) -> OfferIndex:
        taxonomy = taxonomy or default_taxonomy()
        skills = default_skills()
        classifier = Classifier(taxonomy)
        rows = await _open_offers(session)
        docs = [
            offer_doc(r.id, r.text, list(r.skills), r.postcode_district, skills, classifier) for r in rows
        ]
        reach = {r.id: r.max_distance_km for r in rows if r.max_distance_km}
        return cls(docs, taxonomy, reach)

    def match(self, need: str, near: Point | None = None, limit: int = 5) -> list[OfferMatch]:
        if not self.engine.index.size:  # no open offers: nothing to read the need for
            return []
        hits = self.engine.search(need, limit=limit * 3, near=near).hits
        within = [
            h
            for h in hits
            if h.score >= GOOD_OFFER
            and (h.distance_km is None or h.id not in self.reach_km or h.distance_km <= self.reach_km[h.id])
        ]
        return [OfferMatch(h.id, h.score, h.distance_km) for h in within[:limit]]


async def _open_offers(session: AsyncSession) -> list[Row[tuple[int, str, list[Any], str, float | None]]]:
    """What the index is built from: each open offer of an approved volunteer, with their area."""
    rows = await session.execute(
        select(Offer.id, Offer.text, Offer.skills, Volunteer.postcode_district, Volunteer.max_distance_km)
        .join(Volunteer, Offer.volunteer_id == Volunteer.id)
        .where(Offer.status == "active", Volunteer.status == "approved")
        .order_by(Offer.id)
    )
    return list(rows)


async def offers_version(session: AsyncSession) -> str:
    """Changes whenever anything the index is built from changes: an offer opened, closed or
    reworded, its skills, or its volunteer's area or reach. (Offers carry no time of change, and
    which offers are open does not say whether their words changed.) A digest of the rows, which
    is much cheaper than classifying them again."""
    digest = hashlib.sha256()
    for row in await _open_offers(session):
        digest.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class LiveOffers(VersionedCache[OfferIndex]):
    """The offer index the bot matches with, rebuilt when the open offers change (see
    bot.services.live_cache): at once after this process's own changes, which call `invalidate`,
    and otherwise when the version says so, asked at most every `fresh_seconds` of the bot's clock."""

    def __init__(self, clock: Clock = system_clock, fresh_seconds: float = 1.0) -> None:
        super().__init__(OfferIndex.load, offers_version, clock, fresh_seconds)
