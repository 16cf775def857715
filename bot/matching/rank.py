"""Scoring: text relevance, agreement on the need, fit for the person, and distance.

Each part is a vector over the whole index; the sum is ranked with argpartition. `explain`
says, for the few results shown, why each one came up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bot.matching.index import K1, SearchIndex
from bot.matching.query import Understanding
from bot.services.places import Point

W_TEXT = 1.0  # words of the query found in the asset (BM25F, scaled to about 0..1)
W_NEED = 0.7  # the asset answers the need the query expresses (taxonomy categories)
W_AUDIENCE = 0.15  # the asset is for the person the query is about
W_AGE = 0.1  # the asset's stated ages include the person's age
AGE_MISMATCH = 0.35  # multiplier when the asset states ages that exclude the person
NEAR_KM = 8.0  # distance at which the location's pull has fallen by about two thirds
UNKNOWN_PLACE = 0.75  # multiplier for assets without a location when the query has one
UNMENTIONED_PLACE = 0.6  # ... and for assets that do not name the place the query names


@dataclass
class Scored:
    position: int
    score: float
    text: float
    need: float
    distance_km: float | None


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
        best_possible += weight * idf * (K1 + 1)
    return scores / best_possible if best_possible else scores


def _need_scores(index: SearchIndex, u: Understanding) -> np.ndarray:
    """How surely each asset answers one of the needs: 1 - the chance it answers none of them."""
    missing = np.ones(index.size, dtype=np.float32)
    for category, confidence in u.categories.items():
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


def score(index: SearchIndex, u: Understanding, limit: int, near: Point | None = None) -> list[Scored]:
    """The best `limit` assets for an understood query, best first.

    Text and need are scored over the whole index; the adjustments only over the candidates
    (assets with any score), which keeps place and age queries fast on a big directory.
    """
    if index.size == 0:
        return []
    text = _text_scores(index, u)
    need = _need_scores(index, u)
    candidates = np.flatnonzero((W_TEXT * text + W_NEED * need) > 0)
    if candidates.size == 0:
        return []
    total = W_TEXT * text[candidates] + W_NEED * need[candidates]
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
        unplaced = UNKNOWN_PLACE if mentioned is None else np.where(mentioned, 1.0, UNMENTIONED_PLACE)
        pull = np.where(
            np.isnan(distance), unplaced, 0.55 + 0.45 * np.exp(-np.nan_to_num(distance) / NEAR_KM)
        )
        total = total * pull
    elif mentioned is not None:
        total = total * np.where(mentioned, 1.0, UNMENTIONED_PLACE)
    limit = min(limit, int(total.size))
    top = np.argpartition(-total, limit - 1)[:limit]
    top = top[np.lexsort((candidates[top], -total[top]))]
    return [
        Scored(
            position=int(candidates[i]),
            score=round(float(total[i]), 4),
            text=float(text[candidates[i]]),
            need=float(need[candidates[i]]),
            distance_km=None if distance is None or np.isnan(distance[i]) else round(float(distance[i]), 1),
        )
        for i in top
    ]
