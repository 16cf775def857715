"""The one search engine: a resident's words in, the right local assets out, with reasons.

Used by the CLI, the bot and (later) volunteer matching. Build it once from the directory with
`SearchEngine.build(docs)`; `search()` is pure computation on the in-memory index.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo

import numpy as np

from bot.matching.asked_languages import LanguageSpotter
from bot.matching.index import AssetDoc, SearchIndex
from bot.matching.query import QueryReader, Understanding, Vocabulary
from bot.matching.rank import Scored, answers, score
from bot.matching.taxonomy import Taxonomy
from bot.matching.text import STOP_WORDS, fold, stem, words
from bot.services.places import Point
from db.importers.languages import language_name


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
        spotter = LanguageSpotter(index.language_docs)  # the languages the directory speaks
        self.reader = QueryReader(taxonomy, vocabulary, places, need_words, spotter)
        self._by_id = {doc.id: doc for doc in index.docs}

    def doc(self, asset_id: int) -> AssetDoc | None:
        """An active asset as the index holds it (what a result card shows); None once it is gone."""
        return self._by_id.get(asset_id)

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
        resident_language: str | None = None,
    ) -> SearchResult:
        """NOW (and the time zone TZ) lets "open now" in the text put what is open first.
        RESIDENT_LANGUAGE (the code of the language they read) puts, between equals, an asset
        whose staff speak it first."""
        understood = self.reader.read(text)
        ranked = score(self.index, understood, limit, near, now, tz, resident_language)
        reasons = self._reasons(ranked, understood)
        hits = []
        for r, why in zip(ranked, reasons, strict=True):
            doc = self.index.docs[r.position]
            hits.append(
                Hit(
                    id=doc.id,
                    external_id=doc.external_id,
                    name=doc.name,
                    score=r.score,
                    why=tuple(why),
                    distance_km=r.distance_km,
                    is_example=doc.is_example,
                )
            )
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
        result = replace(scored, position=position, distance_km=distance_km) if scored else None
        return self._reasons([result or Scored(position, 0.0, 0.0, 0.0, distance_km)], u)[0]

    def _reasons(self, results: list[Scored], u: Understanding) -> list[list[str]]:
        """`explain` for every result of a search at once: which of them each need and each word
        of the query is filed under is looked up for all of them together, not one by one."""
        if not results:
            return []
        positions = np.fromiter((r.position for r in results), dtype=np.int64, count=len(results))
        needs = []  # (reason, which results it holds for), most confident need first
        for category, _ in sorted(u.categories.items(), key=lambda kv: -kv[1]):
            postings = self.index.category_docs.get(category)
            if postings is not None:
                said = u.category_phrases.get(category)
                name = self.taxonomy.category(category).name
                reason = f"need: {name}" + (f" (from '{said}')" if said else "")
                needs.append((reason, _members(postings.docs, positions)))
        terms = [
            (term, _members(self.index.postings[term].docs, positions))
            for term, weight in u.terms.items()
            if weight >= 1.0 and term in self.index.postings
        ]
        corrections = [(typed, meant, stem(meant)) for typed, meant in u.corrections.items()]
        explained = []
        for i, scored in enumerate(results):
            reasons = ["name: as typed"] if scored.named else []
            reasons += [reason for reason, holds in needs if holds[i]]
            matched = [term for term, holds in terms if holds[i]]
            if matched:
                reasons.append("words: " + ", ".join(matched))
            reasons += [f"read '{typed}' as '{meant}'" for typed, meant, s in corrections if s in matched]
            explained.append(self._facts(reasons, scored, u))
        return explained

    def _facts(self, reasons: list[str], scored: Scored, u: Understanding) -> list[str]:
        """The rest of `explain` after the need and the words: the person, distance and hours."""
        distance_km = scored.distance_km
        doc = self.index.docs[scored.position]
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
        if spoken := sorted(u.wanted_languages & set(doc.languages)):
            reasons.append("speaks: " + ", ".join(language_name(code) for code in spoken))
        if distance_km is not None:
            reasons.append(f"{distance_km} km away")
        if scored.hours_checked:
            reasons.append(_HOURS_WORDS[scored.open_now])
        return reasons


_HOURS_WORDS = {True: "open now", False: "closed now", None: "opening hours not known"}


def _members(sorted_docs: np.ndarray, positions: np.ndarray) -> list[bool]:
    """For each of POSITIONS, whether it is in SORTED_DOCS (a posting list, sorted)."""
    if not len(sorted_docs):
        return [False] * len(positions)
    found = np.searchsorted(sorted_docs, positions)
    found[found == len(sorted_docs)] = 0  # past the end: compare with any entry, it will differ
    return (sorted_docs[found] == positions).tolist()
