"""The one search engine: a resident's words in, the right local assets out, with reasons.

Used by the CLI, the bot and (later) volunteer matching. Build it once from the directory with
`SearchEngine.build(docs)`; `search()` is pure computation on the in-memory index.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

import numpy as np

from bot.matching.index import AssetDoc, SearchIndex
from bot.matching.query import QueryReader, Understanding, Vocabulary
from bot.matching.rank import Scored, answers, score
from bot.matching.taxonomy import Taxonomy
from bot.matching.text import STOP_WORDS, fold, stem, words
from bot.services.places import Point


@dataclass(frozen=True)
class Hit:
    id: int
    external_id: str
    name: str
    score: float
    why: tuple[str, ...] = ()
    distance_km: float | None = None
    is_example: bool = False

    @property
    def answers(self) -> bool:
        """Fits well enough and is near enough to count as an answer (rank.GOOD_MATCH)."""
        return answers(self.score, self.distance_km)


@dataclass
class SearchResult:
    hits: list[Hit]
    understood: Understanding
    categories: list[str] = field(default_factory=list)  # names of the needs recognised, best first

    @property
    def answering(self) -> list[Hit]:
        """The results that answer the need; none means the need is unmet (rank.GOOD_MATCH)."""
        return [hit for hit in self.hits if hit.answers]


def taxonomy_words(taxonomy: Taxonomy) -> Counter[str]:
    """Every word the taxonomy knows, so typos are corrected towards needs, not just assets."""
    counts: Counter[str] = Counter()
    for category in taxonomy.categories:
        for phrase in (*category.terms, *category.slang, *category.situations):
            counts.update(w for w in words(phrase) if w not in STOP_WORDS and len(w) > 2)
    for audience in taxonomy.audiences:
        for phrase in audience.terms:
            counts.update(w for w in words(phrase) if w not in STOP_WORDS and len(w) > 2)
    return counts


def town_points(index: SearchIndex) -> dict[str, Point]:
    """Where each town named in the directory is, as the middle of its assets."""
    points = {}
    for town, spots in index.town_points.items():
        name = " ".join(words(town))
        if name and name not in STOP_WORDS:
            lat = sum(p[0] for p in spots) / len(spots)
            lon = sum(p[1] for p in spots) / len(spots)
            points[name] = Point(round(lat, 5), round(lon, 5))
    return points


class SearchEngine:
    def __init__(self, index: SearchIndex, taxonomy: Taxonomy, places: dict[str, Point]) -> None:
        self.index = index
        self.taxonomy = taxonomy
        vocabulary = Vocabulary(index.surface_words, frozenset(index.word_stems))
        need_words = frozenset(taxonomy_words(taxonomy))
        self.reader = QueryReader(taxonomy, vocabulary, places, need_words)

    @classmethod
    def build(
        cls, docs: list[AssetDoc], taxonomy: Taxonomy, places: dict[str, Point] | None = None
    ) -> SearchEngine:
        """Index DOCS; PLACES adds place names (folded) that are not towns in the directory."""
        index = SearchIndex(docs, extra_vocabulary=taxonomy_words(taxonomy))
        gazetteer = {fold(name): point for name, point in (places or {}).items()}
        gazetteer.update(town_points(index))
        return cls(index, taxonomy, gazetteer)

    def search(
        self,
        text: str,
        limit: int = 10,
        near: Point | None = None,
        now: datetime | None = None,
        tz: tzinfo | None = None,
    ) -> SearchResult:
        """NOW (and the time zone TZ) lets "open now" in the text put what is open first."""
        understood = self.reader.read(text)
        ranked = score(self.index, understood, limit, near, now, tz)
        hits = [
            Hit(
                id=self.index.docs[r.position].id,
                external_id=self.index.docs[r.position].external_id,
                name=self.index.docs[r.position].name,
                score=r.score,
                why=tuple(self.explain(r.position, understood, r.distance_km, r)),
                distance_km=r.distance_km,
                is_example=self.index.docs[r.position].is_example,
            )
            for r in ranked
        ]
        names = [
            self.taxonomy.category(c).name
            for c, _ in sorted(understood.categories.items(), key=lambda kv: -kv[1])
            if understood.categories[c] >= 0.5
        ]
        return SearchResult(hits, understood, names)

    def browse(self, category_id: str, limit: int = 30, near: Point | None = None) -> list[Hit]:
        """The assets filed under one need, surest (and nearest) first."""
        understood = Understanding(text="", categories={category_id: 1.0})
        ranked = score(self.index, understood, limit, near)
        return [
            Hit(
                id=self.index.docs[r.position].id,
                external_id=self.index.docs[r.position].external_id,
                name=self.index.docs[r.position].name,
                score=r.score,
                why=(f"need: {self.taxonomy.category(category_id).name}",),
                distance_km=r.distance_km,
                is_example=self.index.docs[r.position].is_example,
            )
            for r in ranked
        ]

    def explain(
        self, position: int, u: Understanding, distance_km: float | None, scored: Scored | None = None
    ) -> list[str]:
        """Plain reasons, most telling first: the need, the words, the person, the distance."""
        reasons = []
        if scored is not None and scored.named:
            reasons.append("name: as typed")
        for category, _ in sorted(u.categories.items(), key=lambda kv: -kv[1]):
            postings = self.index.category_docs.get(category)
            if postings is not None and _contains(postings.docs, position):
                said = u.category_phrases.get(category)
                name = self.taxonomy.category(category).name
                reasons.append(f"need: {name}" + (f" (from '{said}')" if said else ""))
        matched = [
            term
            for term, weight in u.terms.items()
            if weight >= 1.0
            and term in self.index.postings
            and _contains(self.index.postings[term].docs, position)
        ]
        if matched:
            reasons.append("words: " + ", ".join(matched))
        for typed, meant in u.corrections.items():
            if stem(meant) in matched:
                reasons.append(f"read '{typed}' as '{meant}'")
        doc = self.index.docs[position]
        if u.audiences & doc.classification.audiences:
            names = sorted(self.taxonomy.audience(a).name for a in u.audiences & doc.classification.audiences)
            reasons.append("for: " + ", ".join(names))
        if u.age is not None and (
            doc.classification.min_age is not None or doc.classification.max_age is not None
        ):
            low, high = doc.classification.min_age, doc.classification.max_age
            span = f"{low if low is not None else 0}-{high if high is not None else '∞'}"
            fits = (low is None or low <= u.age) and (high is None or u.age <= high)
            reasons.append(f"ages {span} {'include' if fits else 'exclude'} {u.age}")
        if distance_km is not None:
            reasons.append(f"{distance_km} km away")
        if scored is not None and scored.hours_checked:
            said = {True: "open now", False: "closed now", None: "opening hours not known"}
            reasons.append(said[scored.open_now])
        return reasons


def _contains(sorted_docs: np.ndarray, position: int) -> bool:
    i = int(np.searchsorted(sorted_docs, position))
    return i < len(sorted_docs) and int(sorted_docs[i]) == position
