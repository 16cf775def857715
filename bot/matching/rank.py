"""Scoring: text relevance, agreement on the need, fit for the person, and distance.

Each part is a vector over the whole index; the sum is ranked with argpartition. `explain`
says, for the few results shown, why each one came up.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

import numpy as np

from bot.matching.index import K1, SearchIndex
from bot.matching.query import Understanding
from bot.services.opening import opening_state
from bot.services.places import Point
from db.importers.languages import ENGLISH

W_TEXT = 1.0  # words of the query found in the asset (BM25F, scaled to about 0..1)
W_NEED = 0.7  # the asset answers the need the query expresses (taxonomy categories)
W_AUDIENCE = 0.15  # the asset is for the person the query is about
W_AGE = 0.1  # the asset's stated ages include the person's age
W_NAME = 0.5  # the query is the asset's name, typed whole ("We Are With You"); a little, so a
# common name ("Food Bank") does not lift a far one far above the rest
AGE_MISMATCH = 0.35  # multiplier when the asset states ages that exclude the person
NEAR_KM = 8.0  # distance at which the location's pull has fallen by about two thirds

# When a search has answered the need: the one rule, used for what the resident is told and for
# what coordinators count. A result answers when it fits well enough (a score of GOOD_MATCH or
# more, nearness included) and is near enough (NEAR_ENOUGH_KM or less from the place the
# resident named or saved; a result with no location of its own, such as a helpline, is not
# known to be far). Anything less is shown as the nearest there is, and the need counts as unmet.
GOOD_MATCH = 0.3
NEAR_ENOUGH_KM = 10.0


def pull(distance_km: float | np.ndarray) -> float | np.ndarray:
    """How much nearness keeps of a score: 1 on the spot, falling to 0.55 far away."""
    return 0.55 + 0.45 * np.exp(-np.asarray(distance_km) / NEAR_KM)


# An asset with no location of its own, when the query has one, ranks as if it were twice the
# near-enough distance away: below a near asset that fits as well, and below one a bus ride off
# (an asset far outside every zone, imported with no place, must not sit among the local ones).
# Unless it names the place the query names.
UNKNOWN_PLACE = float(pull(2 * NEAR_ENOUGH_KM))
UNMENTIONED_PLACE = 0.6  # with no location to go on at all, an asset that does not name the place
# "open now": what is open keeps its score; hours not known, and closed at the moment, less
HOURS_UNKNOWN = 0.7
CLOSED_NOW = 0.35
# A language asked for ("counselling in urdu"): an asset whose staff are not known to speak it
# keeps half its score, so one that speaks it comes first unless it fits far worse. Asked for
# alone ("someone who speaks gujarati"), every asset that speaks it is an answer.
NOT_SPOKEN = 0.5
W_LANGUAGE_ONLY = 0.6
# The resident's own language, not asked for: enough to settle a tie, never to lift an asset
# above a clearly better match.
OWN_LANGUAGE_LIFT = 1.03


def answers(score: float, distance_km: float | None) -> bool:
    """Does a result with this score and distance answer the need? (See GOOD_MATCH.)"""
    return score >= GOOD_MATCH and (distance_km is None or distance_km <= NEAR_ENOUGH_KM)


@dataclass
class Scored:
    position: int
    score: float
    text: float
    need: float
    distance_km: float | None
    open_now: bool | None = None  # asked "open now": open, closed, or None (hours not known)
    hours_checked: bool = False  # whether open_now was asked and could be answered
    named: bool = False  # the query was its name


def _text_scores(index: SearchIndex, u: Understanding) -> np.ndarray:
    scores = np.zeros(index.size, dtype=np.float32)
    best_possible = 0.0
    unseen_idf = math.log(1 + (index.size + 0.5) / 0.5)
    for term, weight in u.terms.items():
        postings = index.postings.get(term)
        if postings is None:
            # a word no asset uses still counts against the rest: "ehcp help" is not "help"
            if weight >= 1.0:
                best_possible += weight * unseen_idf * (K1 + 1)
            continue
        idf = index.idf[term]
        scores[postings.docs] += (weight * idf) * postings.weights
        # a person's word ("my son") counts less where it is found, not more for the others
        best_possible += (1.0 if term in u.person_terms else weight) * idf * (K1 + 1)
    return scores / best_possible if best_possible else scores


def _need_scores(index: SearchIndex, u: Understanding, leave_out: Collection[str] = ()) -> np.ndarray:
    """How surely each asset answers one of the needs: 1 - the chance it answers none of them."""
    missing = np.ones(index.size, dtype=np.float32)
    for category, confidence in u.categories.items():
        if category in leave_out:
            continue
        postings = index.category_docs.get(category)
        if postings is not None:
            missing[postings.docs] *= 1.0 - confidence * postings.weights
    return 1.0 - missing


def _mentions(index: SearchIndex, place_terms: list[str]) -> np.ndarray | None:
    if not place_terms:
        return None
    mentioned = np.zeros(index.size, dtype=bool)
    for term in place_terms:
        if (postings := index.postings.get(term)) is not None:
            mentioned[postings.docs] = True
    return mentioned


def distances_km(index: SearchIndex, point: Point, positions: np.ndarray) -> np.ndarray:
    """Kilometres from POINT (NaN where unknown); a flat-earth sum, accurate to well under 1%
    across a county and much cheaper than haversine over a whole region."""
    lat = index.latitude[positions]
    lon = index.longitude[positions]
    scale = np.cos(np.radians(point.latitude))
    dy = lat - point.latitude
    dx = (lon - point.longitude) * scale
    return 111.195 * np.sqrt(dx * dx + dy * dy)


def score(
    index: SearchIndex,
    u: Understanding,
    limit: int,
    near: Point | None = None,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    resident_language: str | None = None,
) -> list[Scored]:
    """The best `limit` assets for an understood query, best first.

    Text and need are scored over the whole index; the adjustments only over the candidates
    (assets with any score), which keeps place and age queries fast on a big directory.
    """
    if index.size == 0:
        return []
    text = _text_scores(index, u)
    need = _need_scores(index, u)
    # a need that only supports (the kin of a service the resident named) ranks, never finds
    found = need if not u.supporting else _need_scores(index, u, u.supporting)
    named = np.zeros(index.size, dtype=bool)
    if u.name and (positions := index.names.get(u.name)):
        named[positions] = True
    asked = _speakers(index, u.wanted_languages)
    # nothing asked but the language (and perhaps where): every asset that speaks it
    only_language = asked is not None and not u.categories and set(u.terms) <= set(u.place_terms)
    if asked is not None and only_language:
        candidates = np.flatnonzero(asked)
    else:
        candidates = np.flatnonzero(((W_TEXT * text + W_NEED * found) > 0) | named)
    if candidates.size == 0:
        return []
    total = W_TEXT * text[candidates] + W_NEED * need[candidates] + W_NAME * named[candidates]
    if only_language:
        total = total + W_LANGUAGE_ONLY
    elif asked is not None:
        total = total * np.where(asked[candidates], 1.0, NOT_SPOKEN)
    if u.audiences:
        # once, however many of the person's groups the asset is for
        for_them = np.zeros(index.size, dtype=bool)
        for audience in u.audiences:
            if (docs := index.audience_docs.get(audience)) is not None:
                for_them[docs] = True
        total += W_AUDIENCE * for_them[candidates]
    if u.age is not None:
        low, high = index.min_age[candidates], index.max_age[candidates]
        stated = (low >= 0) | (high < 200)
        fits = (low <= u.age) & (u.age <= high)
        total = np.where(stated & ~fits, total * AGE_MISMATCH, total + W_AGE * (stated & fits))
    point = u.point or near  # a place named in the query beats the saved area
    distance = None
    mentioned = _mentions(index, u.place_terms)
    if mentioned is not None:
        mentioned = mentioned[candidates]
    if point is not None:
        distance = distances_km(index, point, candidates)
        # an asset with no location of its own is judged by whether it names the place
        unplaced = UNKNOWN_PLACE if mentioned is None else np.where(mentioned, 1.0, UNKNOWN_PLACE)
        total = total * np.where(np.isnan(distance), unplaced, pull(np.nan_to_num(distance)))
    elif mentioned is not None:
        total = total * np.where(mentioned, 1.0, UNMENTIONED_PLACE)
    opening: np.ndarray | None = None
    if u.open_now and now is not None:
        opening = _open_now(index, candidates, now, tz)
        total = total * np.select([opening == 1, opening == 0], [1.0, CLOSED_NOW], HOURS_UNKNOWN)
    own = _speakers(index, {resident_language} - {ENGLISH}) if resident_language else None
    if own is not None and not u.wanted_languages:
        total = total * np.where(own[candidates], OWN_LANGUAGE_LIFT, 1.0)
    limit = min(limit, int(total.size))
    top = np.argpartition(-total, limit - 1)[:limit]
    top = top[np.lexsort((candidates[top], -total[top]))]
    # the few results as plain Python values, taken out of the arrays together (not one by one)
    chosen = candidates[top]
    none = [None] * len(top)
    kms = (
        none if distance is None else [None if math.isnan(d) else round(d, 1) for d in distance[top].tolist()]
    )
    hours = none if opening is None else [None if o < 0 else bool(o) for o in opening[top].tolist()]
    return [
        Scored(
            position=position,
            score=round(total_score, 4),
            text=text_score,
            need=need_score,
            distance_km=km,
            open_now=open_now,
            hours_checked=opening is not None,
            named=is_named,
        )
        for position, total_score, text_score, need_score, km, open_now, is_named in zip(
            chosen.tolist(),
            total[top].tolist(),
            text[chosen].tolist(),
            need[chosen].tolist(),
            kms,
            hours,
            named[chosen].tolist(),
            strict=True,
        )
    ]


def _speakers(index: SearchIndex, codes: Collection[str]) -> np.ndarray | None:
    """Which assets speak any of CODES; None when none does (or none is asked for)."""
    lists = [docs for code in codes if (docs := index.language_docs.get(code)) is not None]
    if not lists:
        return None
    speaks = np.zeros(index.size, dtype=bool)
    for docs in lists:
        speaks[docs] = True
    return speaks


def _open_now(index: SearchIndex, candidates: np.ndarray, now: datetime, tz: tzinfo | None) -> np.ndarray:
    """1 where the asset is open at NOW, 0 where it is closed, -1 where its hours are not known."""
    zone = tz or ZoneInfo("Europe/London")
    states = np.full(candidates.size, -1, dtype=np.int8)
    for i, position in enumerate(candidates.tolist()):
        doc = index.docs[position]
        if doc.opening_hours:
            state = opening_state(doc.opening_hours, doc.holiday_closures, now, zone)  # type: ignore[arg-type]
            states[i] = 1 if state.open_now else 0
    return states
